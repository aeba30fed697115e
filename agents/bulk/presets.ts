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
  /** Column name → field path: the first segment of a header is looked up, its index kept (`alias[1]` → `sipAliasList.sipAlias[1]`). */
  aliases?: Readonly<Record<string, string>>;
}

const USER_ALIASES = { alias: 'sipAliasList.sipAlias', servicePack: 'servicePackName', userService: 'userServiceName' };

/** One preset per mercury-ocip bulk operation, plus the matching deletes. Requests are families: the newest version is used. */
export const BUILT_IN_PRESETS: readonly BulkPreset[] = [
  // mercury's user.create sends UserConsolidatedAddRequest22 (the newest of that family in R24 and R25).
  { name: 'user.create', request: 'UserConsolidatedAddRequest', describe: 'Add a user with device, services and numbers in one command', aliases: USER_ALIASES },
  { name: 'user.modify', request: 'UserConsolidatedModifyRequest', describe: 'Modify a user; lists given are replaced wholesale', aliases: USER_ALIASES },
  { name: 'user.delete', request: 'UserDeleteRequest', describe: 'Delete a user' },
  { name: 'device.group.create', request: 'GroupAccessDeviceAddRequest', describe: 'Add an access device to a group' },
  { name: 'device.group.delete', request: 'GroupAccessDeviceDeleteRequest', describe: 'Delete a group access device' },
  {
    name: 'hunt.group.create',
    request: 'GroupHuntGroupAddInstanceRequest',
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
  { name: 'hunt.group.delete', request: 'GroupHuntGroupDeleteInstanceRequest', describe: 'Delete a hunt group' },
  {
    name: 'call.center.create',
    request: 'GroupCallCenterAddInstanceRequest',
    describe: 'Add a call center',
    defaults: { type: 'Basic', routingType: 'Priority Based', policy: 'Circular', enableVideo: 'false', queueLength: '3', allowCallerToDialEscapeDigit: 'false', resetCallStatisticsUponEntryInQueue: 'true', allowAgentLogoff: 'true', allowCallWaitingForAgents: 'true', playRingingWhenOfferingCall: 'true', externalPreferredAudioCodec: 'None', internalPreferredAudioCodec: 'None', escapeDigit: '0' },
  },
  { name: 'call.center.delete', request: 'GroupCallCenterDeleteInstanceRequest', describe: 'Delete a call center' },
  { name: 'call.center.update.agent.list', request: 'GroupCallCenterModifyAgentListRequest', describe: 'Replace the agent list of a call center' },
  { name: 'auto.attendant.create', request: 'GroupAutoAttendantConsolidatedAddInstanceRequest', describe: 'Add an auto attendant' },
  { name: 'auto.attendant.delete', request: 'GroupAutoAttendantDeleteInstanceRequest', describe: 'Delete an auto attendant' },
  { name: 'pickup.group.create', request: 'GroupCallPickupAddInstanceRequest', describe: 'Add a call pickup group' },
  { name: 'pickup.group.delete', request: 'GroupCallPickupDeleteInstanceRequest', describe: 'Delete a call pickup group' },
  { name: 'group.admin.create', request: 'GroupAdminAddRequest', describe: 'Add a group administrator' },
  { name: 'group.admin.modify.policy', request: 'GroupAdminModifyPolicyRequest', describe: 'Modify a group administrator policy (only the given policies change)' },
  { name: 'group.admin.delete', request: 'GroupAdminDeleteRequest', describe: 'Delete a group administrator' },
  { name: 'service.provider.admin.create', request: 'ServiceProviderAdminAddRequest', describe: 'Add a service provider administrator' },
  {
    name: 'service.provider.admin.modify.policy',
    request: 'ServiceProviderAdminModifyPolicyRequest',
    describe: 'Modify a service provider administrator policy (only the given policies change)',
  },
  { name: 'service.provider.admin.delete', request: 'ServiceProviderAdminDeleteRequest', describe: 'Delete a service provider administrator' },
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

/** Applies a preset's aliases to a header: `alias[1]` → `sipAliasList.sipAlias[1]`; unknown heads are kept. */
export function aliasPath(header: string, aliases: Readonly<Record<string, string>> | undefined): string {
  if (!aliases) return header;
  const match = /^([^.[]+)(.*)$/.exec(header);
  if (!match) return header;
  const target = aliases[match[1] as string];
  return target === undefined ? header : `${target}${match[2]}`;
}
