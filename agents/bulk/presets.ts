import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BulkPresetError } from './errors.js';

/**
 * A preset names a request and carries default cell values and column aliases, so a file
 * made for mercury-ocip's operations (its `operation` column, its headers) runs unchanged.
 * Presets are plain data: the built-in ones below, plus any `*.json` file of the same shape
 * in a folder given with `presetsDir` (`--presets DIR`); a user preset replaces a built-in
 * one of the same name.
 */
export interface BulkPreset {
  /** Dotted name, as in mercury's `operation` column: `user.create`. */
  name: string;
  /** A request family (its newest version in the release), `Family@latest`, or an exact request type. */
  request: string;
  describe?: string;
  /** Field path → cell text used when the row leaves that path empty (fill-ins allowed). */
  defaults?: Readonly<Record<string, string>>;
  /**
   * Column name → field path, for headers that are a bare name or `name[n]`: the index is kept,
   * at `[]` in the target when it has one (`servicePack[1]` → `servicePack[1].servicePackName`),
   * else at the end (`alias[1]` → `sipAliasList.sipAlias[1]`).
   */
  aliases?: Readonly<Record<string, string>>;
}

// mercury's user files name a list by its item: `servicePack[1]` is the name of the second service pack.
const USER_CREATE_ALIASES = { servicePack: 'servicePack[].servicePackName', userService: 'userService[].userServiceName' };
const USER_MODIFY_ALIASES = { alias: 'sipAliasList.sipAlias' };

/** One preset per mercury-ocip bulk operation, plus the matching deletes. `Family@latest`: the newest version of the release (a bare family name that is also a class, like UserConsolidatedAddRequest, would mean that old class). */
export const BUILT_IN_PRESETS: readonly BulkPreset[] = [
  // mercury's user.create sends UserConsolidatedAddRequest22 (the newest of that family in R24 and R25).
  {
    name: 'user.create',
    request: 'UserConsolidatedAddRequest@latest',
    describe: 'Add a user with device, services and numbers in one command',
    aliases: USER_CREATE_ALIASES,
  },
  {
    name: 'user.modify',
    request: 'UserConsolidatedModifyRequest@latest',
    describe: 'Modify a user; lists given are replaced wholesale',
    aliases: USER_MODIFY_ALIASES,
  },
  { name: 'user.delete', request: 'UserDeleteRequest@latest', describe: 'Delete a user' },
  { name: 'device.group.create', request: 'GroupAccessDeviceAddRequest@latest', describe: 'Add an access device to a group' },
  { name: 'device.group.delete', request: 'GroupAccessDeviceDeleteRequest@latest', describe: 'Delete a group access device' },
  {
    name: 'hunt.group.create',
    request: 'GroupHuntGroupAddInstanceRequest@latest',
    describe: 'Add a hunt group; agents from agentUserId[n]',
    defaults: {
      policy: 'Regular',
      huntAfterNoAnswer: 'false',
      noAnswerNumberOfRings: '5',
      forwardAfterTimeout: 'false',
      forwardTimeoutSeconds: '0',
      allowCallWaitingForAgents: 'false',
      useSystemHuntGroupCLIDSetting: 'true',
      includeHuntGroupNameInCLID: 'true',
      enableNotReachableForwarding: 'false',
      makeBusyWhenNotReachable: 'false',
      allowMembersToControlGroupBusy: 'false',
      enableGroupBusy: 'false',
      applyGroupBusyWhenTerminatingToAgent: 'false',
    },
  },
  { name: 'hunt.group.delete', request: 'GroupHuntGroupDeleteInstanceRequest@latest', describe: 'Delete a hunt group' },
  {
    name: 'call.center.create',
    request: 'GroupCallCenterAddInstanceRequest@latest',
    describe: 'Add a call center',
    defaults: {
      type: 'Basic',
      routingType: 'Priority Based',
      policy: 'Circular',
      enableVideo: 'false',
      queueLength: '3',
      allowCallerToDialEscapeDigit: 'false',
      resetCallStatisticsUponEntryInQueue: 'true',
      allowAgentLogoff: 'true',
      allowCallWaitingForAgents: 'true',
      playRingingWhenOfferingCall: 'true',
      externalPreferredAudioCodec: 'None',
      internalPreferredAudioCodec: 'None',
      escapeDigit: '0',
    },
  },
  { name: 'call.center.delete', request: 'GroupCallCenterDeleteInstanceRequest@latest', describe: 'Delete a call center' },
  { name: 'call.center.update.agent.list', request: 'GroupCallCenterModifyAgentListRequest@latest', describe: 'Replace the agent list of a call center' },
  { name: 'auto.attendant.create', request: 'GroupAutoAttendantConsolidatedAddInstanceRequest@latest', describe: 'Add an auto attendant' },
  { name: 'auto.attendant.delete', request: 'GroupAutoAttendantDeleteInstanceRequest@latest', describe: 'Delete an auto attendant' },
  { name: 'pickup.group.create', request: 'GroupCallPickupAddInstanceRequest@latest', describe: 'Add a call pickup group' },
  { name: 'pickup.group.delete', request: 'GroupCallPickupDeleteInstanceRequest@latest', describe: 'Delete a call pickup group' },
  { name: 'group.admin.create', request: 'GroupAdminAddRequest@latest', describe: 'Add a group administrator' },
  {
    name: 'group.admin.modify.policy',
    request: 'GroupAdminModifyPolicyRequest@latest',
    describe: 'Modify a group administrator policy (only the given policies change)',
  },
  { name: 'group.admin.delete', request: 'GroupAdminDeleteRequest@latest', describe: 'Delete a group administrator' },
  { name: 'service.provider.admin.create', request: 'ServiceProviderAdminAddRequest@latest', describe: 'Add a service provider administrator' },
  {
    name: 'service.provider.admin.modify.policy',
    request: 'ServiceProviderAdminModifyPolicyRequest@latest',
    describe: 'Modify a service provider administrator policy (only the given policies change)',
  },
  { name: 'service.provider.admin.delete', request: 'ServiceProviderAdminDeleteRequest@latest', describe: 'Delete a service provider administrator' },
];

/** The presets in force: the built-in ones, replaced or extended by the JSON files of `presetsDir`. */
export function loadPresets(presetsDir?: string): Map<string, BulkPreset> {
  const presets = new Map(BUILT_IN_PRESETS.map((p) => [p.name, p]));
  if (presetsDir === undefined) return presets;
  let files: string[];
  try {
    files = readdirSync(presetsDir).filter((f) => f.endsWith('.json'));
  } catch (error) {
    throw new BulkPresetError(`${presetsDir}: cannot read the presets folder (${(error as Error).message})`, { presetsDir });
  }
  for (const file of files.sort()) {
    const path = join(presetsDir, file);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new BulkPresetError(`${path}: not valid JSON (${(error as Error).message})`, { path });
    }
    for (const preset of Array.isArray(data) ? data : [data]) {
      const checked = checkPreset(preset, path);
      presets.set(checked.name, checked);
    }
  }
  return presets;
}

function checkPreset(value: unknown, path: string): BulkPreset {
  const p = value as Partial<BulkPreset> | null;
  if (typeof p !== 'object' || p === null) throw new BulkPresetError(`${path}: a preset must be an object`, { path });
  if (typeof p.name !== 'string' || !/^[\w.-]+$/.test(p.name)) throw new BulkPresetError(`${path}: 'name' must be a dotted name like user.create`, { path });
  if (typeof p.request !== 'string' || p.request === '') throw new BulkPresetError(`${path}: preset ${p.name}: 'request' is required`, { path });
  for (const key of ['defaults', 'aliases'] as const) {
    const map = p[key];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string')) {
      throw new BulkPresetError(`${path}: preset ${p.name}: '${key}' must map names to strings`, { path });
    }
  }
  return { name: p.name, request: p.request, describe: p.describe, defaults: p.defaults, aliases: p.aliases };
}

/** Applies a preset's aliases to a header (`alias[1]` → `sipAliasList.sipAlias[1]`); other headers are kept. */
export function aliasPath(header: string, aliases: Readonly<Record<string, string>> | undefined): string {
  if (!aliases) return header;
  const match = /^([^.[\]]+)(\[\d*\])?$/.exec(header);
  if (!match) return header;
  const target = aliases[match[1] as string];
  if (target === undefined) return header;
  const index = match[2] ?? '';
  return target.includes('[]') ? target.replace('[]', index) : `${target}${index}`;
}
