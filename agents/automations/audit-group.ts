import type { OciResponse } from '../../runtime/oci/client.js';
import type { DecodeSelection } from '../../runtime/oci/codec.js';
import { tableColumnsAt } from '../../runtime/oci/present.js';
import { type AgentContext, type AgentOptions, type AgentWarning, type Ask, firstTable, runAgent, tableAt } from './context.js';
import { LISTED_KINDS } from './kinds.js';
import { expandNumbers } from './numbers.js';
import { type GroupRef, type Owner, aliasKey, groupName, listGroups, readOwners } from './scan.js';

export interface ServiceAuthorization {
  name: string;
  level: 'user' | 'group';
  limited: boolean;
  /** The authorised quantity (undefined when unlimited). */
  quantity?: number;
  usage: number;
  overUsed: boolean;
}

export interface ServicePackAuthorization {
  name: string;
  limited: boolean;
  quantity?: number;
  usage: number;
  overUsed: boolean;
  description?: string;
}

export interface GroupNumber {
  phoneNumber: string;
  assigned: boolean;
  activated: boolean;
  /** The user or service user holding it. */
  ownerId?: string;
  ownerType?: string;
  extension?: string;
}

export interface GroupDevice {
  name: string;
  type: string;
  macAddress?: string;
  userCount: number;
  unused: boolean;
}

export interface GroupTrunkGroup {
  name: string;
  department?: string;
  deviceName?: string;
}

export type ProblemKind =
  | 'service-over-use'
  | 'service-pack-over-use'
  | 'unassigned-number-activated'
  | 'unused-device'
  | 'user-without-device'
  | 'duplicate-alias';

export interface AuditProblem {
  kind: ProblemKind;
  /** The service, number, device, user or alias at fault. */
  subject: string;
  detail: string;
}

export interface GroupAudit extends GroupRef {
  details: { groupName?: string; defaultDomain?: string; timeZone?: string; callingLineIdName?: string; locationDialingCode?: string };
  userLimit?: number;
  userCount: number;
  services: ServiceAuthorization[];
  servicePacks: ServicePackAuthorization[];
  numbers: GroupNumber[];
  numberSummary: { assignedActivated: number; assignedDeactivated: number; unassignedActivated: number; unassignedDeactivated: number };
  devices: GroupDevice[];
  trunkGroups: GroupTrunkGroup[];
  /** Instance count per kind (`huntGroup`, `callCenter` …, `callPickup`). */
  serviceInstances: Record<string, number>;
  usersWithoutDevice: string[];
  /** Users and service instances with their aliases, numbers and extensions. */
  owners: Owner[];
  problems: AuditProblem[];
}

export interface AuditGroupResult extends GroupAudit {
  warnings: AgentWarning[];
}

/** Group details, services, packs, numbers, devices, trunk groups, instances and users: what is there and what is wrong. */
export function auditGroup(serviceProviderId: string, groupId: string, options: AgentOptions): Promise<AuditGroupResult> {
  return runAgent('audit-group', options, async (context) => {
    const audits = await auditGroups(context, [{ serviceProviderId, groupId }], { target: true });
    return { ...(audits[0] as GroupAudit), warnings: context.warnings };
  });
}

const quantity = (text: string | undefined): number | undefined => (text === undefined || text === '' || /unlimited/i.test(text) ? undefined : Number(text));
const count = (text: string | undefined): number => (text === undefined || text === '' ? 0 : Number(text));

/** The lists the audit reads of each group, by name, with what the decoder builds of each (the columns read). */
const PER_GROUP = {
  authorization: { family: 'GroupServiceGetAuthorizationListRequest', select: undefined },
  assignments: { family: 'GroupDnGetAssignmentListRequest', select: { dnTable: ['Phone Numbers', 'Activated', 'User Id', 'User Type', 'Extension'] } },
  activations: { family: 'GroupDnGetActivationListRequest', select: undefined },
  devices: { family: 'GroupAccessDeviceGetListRequest', select: { accessDeviceTable: ['Device Name', 'Device Type', 'MAC Address'] } },
  trunkGroups: { family: 'GroupTrunkGroupGetInstanceListRequest', select: undefined },
  pickupGroups: { family: 'GroupCallPickupGetInstanceListRequest', select: undefined },
} satisfies Record<string, { family: string; select: DecodeSelection | undefined }>;
type PerGroupList = keyof typeof PER_GROUP;
const PER_GROUP_LISTS = Object.keys(PER_GROUP) as PerGroupList[];

/** Of a device's user list, the decoder builds the user ids only. */
const DEVICE_USER_IDS: DecodeSelection = { deviceUserTable: ['User Id'] };

/** The user ids of a device's user list, read by column (the records of its first table otherwise). */
function deviceUserIdsOf(answer: OciResponse): string[] {
  return tableColumnsAt(answer, 'deviceUserTable', ['userId'])?.[0] ?? firstTable(answer).map((u) => u.userId ?? '');
}

/** Audits several groups on one context: each step is one fan-out across all of them. */
export async function auditGroups(context: AgentContext, groups: readonly GroupRef[], options: { target?: boolean } = {}): Promise<GroupAudit[]> {
  const groupGet = context.requireType('GroupGetRequest');
  const perGroup = PER_GROUP_LISTS.map((name) => ({
    $type: context.requireType(PER_GROUP[name].family),
    select: PER_GROUP[name].select as DecodeSelection | undefined,
  }));

  // Step 1: the group itself (the target of a single-group audit), then its lists.
  let details: (OciResponse | undefined)[];
  if (options.target && groups.length === 1) {
    details = [await context.target({ $type: groupGet, ...(groups[0] as GroupRef) }, `group ${groupName(groups[0] as GroupRef)}`)];
  } else
    details = await context.fetch(
      'groups',
      groups.map((g) => ({ command: { $type: groupGet, ...g }, target: groupName(g) })),
    );
  const asks: Ask[] = groups.flatMap((g) => perGroup.map(({ $type, select }) => ({ command: { $type, ...g }, target: groupName(g), select })));
  const [lists, listings] = await Promise.all([context.fetch('lists', asks), listGroups(context, groups)]);

  // Step 2: every device's users, and every user and instance (aliases, endpoints).
  const deviceUsers = context.requireType('GroupAccessDeviceGetUserListRequest');
  // The answers come group by group, each group's lists in PER_GROUP's order.
  const listOfGroup = (gi: number, name: PerGroupList) => lists[gi * PER_GROUP_LISTS.length + PER_GROUP_LISTS.indexOf(name)];
  const devicesOf = groups.map((_, gi) => firstTable(listOfGroup(gi, 'devices')));
  const deviceAsks: Ask[] = groups.flatMap((g, gi) =>
    (devicesOf[gi] as Record<string, string>[]).map((d) => ({
      command: { $type: deviceUsers, serviceProviderId: g.serviceProviderId, groupId: g.groupId, deviceName: d.deviceName },
      target: d.deviceName,
      select: DEVICE_USER_IDS,
    })),
  );
  // Of each device's user list, only the user ids are kept.
  const [deviceUserIds, { owners, userHasEndpoint }] = await Promise.all([
    context.fetch('devices', deviceAsks, deviceUserIdsOf),
    readOwners(context, listings),
  ]);

  let deviceIndex = 0;
  return groups.map((g, gi) => {
    const at = (name: PerGroupList) => listOfGroup(gi, name);
    const group = details[gi];
    const listing = listings[gi] as (typeof listings)[number];
    const problems: AuditProblem[] = [];

    const authorization = at('authorization');
    const services: ServiceAuthorization[] = [];
    for (const [path, level] of [
      ['userServicesAuthorizationTable', 'user'],
      ['groupServicesAuthorizationTable', 'group'],
    ] as const) {
      for (const r of tableAt(authorization, path)) {
        if (r.authorized !== 'true') continue;
        const limited = r.limited === 'true';
        const q = limited ? quantity(r.quantity) : undefined;
        const usage = count(r.usage);
        const overUsed = q !== undefined && usage > q;
        services.push({ name: r.serviceName as string, level, limited, quantity: q, usage, overUsed });
        if (overUsed) problems.push({ kind: 'service-over-use', subject: r.serviceName as string, detail: `${usage} in use, ${q} authorised` });
      }
    }
    const servicePacks: ServicePackAuthorization[] = [];
    for (const r of tableAt(authorization, 'servicePacksAuthorizationTable')) {
      if (r.authorized !== 'true') continue;
      const limited = r.limited === 'true';
      const q = limited ? quantity(r.allocated) : undefined;
      const usage = count(r.usage);
      const overUsed = q !== undefined && usage > q;
      servicePacks.push({ name: r.servicePackName as string, limited, quantity: q, usage, overUsed, description: r.description || undefined });
      if (overUsed) problems.push({ kind: 'service-pack-over-use', subject: r.servicePackName as string, detail: `${usage} in use, ${q} authorised` });
    }

    // Numbers: the assignment list says who; the activation list is the authority on activation.
    const activation = new Map<string, boolean>();
    for (const r of firstTable(at('activations'))) for (const n of expandNumbers(r.phoneNumbers ?? '')) activation.set(n, r.activated === 'true');
    const numbers: GroupNumber[] = [];
    for (const r of firstTable(at('assignments'))) {
      for (const n of expandNumbers(r.phoneNumbers ?? '')) {
        const ownerId = r.userId || undefined;
        numbers.push({
          phoneNumber: n,
          assigned: ownerId !== undefined,
          activated: activation.get(n) ?? r.activated === 'true',
          ownerId,
          ownerType: r.userType || undefined,
          extension: r.extension || undefined,
        });
      }
    }
    const numberSummary = { assignedActivated: 0, assignedDeactivated: 0, unassignedActivated: 0, unassignedDeactivated: 0 };
    for (const n of numbers) {
      if (n.assigned) {
        if (n.activated) numberSummary.assignedActivated++;
        else numberSummary.assignedDeactivated++;
      } else if (n.activated) {
        numberSummary.unassignedActivated++;
        problems.push({ kind: 'unassigned-number-activated', subject: n.phoneNumber, detail: 'no owner, but activated' });
      } else numberSummary.unassignedDeactivated++;
    }

    const withDevice = new Set<string>();
    const devices: GroupDevice[] = (devicesOf[gi] as Record<string, string>[]).map((d) => {
      const users = deviceUserIds[deviceIndex++] ?? [];
      for (const id of users) if (id) withDevice.add(id);
      const userCount = users.length;
      if (userCount === 0) problems.push({ kind: 'unused-device', subject: d.deviceName as string, detail: `${d.deviceType} with no user` });
      return { name: d.deviceName as string, type: d.deviceType as string, macAddress: d.macAddress || undefined, userCount, unused: userCount === 0 };
    });

    const trunkGroups: GroupTrunkGroup[] = firstTable(at('trunkGroups')).map((r) => ({
      name: r.name as string,
      department: r.department || undefined,
      deviceName: r.deviceName || undefined,
    }));

    const serviceInstances: Record<string, number> = {};
    for (const { kind, rows } of listing.instances) serviceInstances[kind.kind] = rows.length;
    serviceInstances.callPickup = listOf(at('pickupGroups')?.name).length;
    serviceInstances.trunkGroup = trunkGroups.length;

    // A user has a device when a device lists it, or its own record names an endpoint (a device elsewhere, a trunk group).
    const usersWithoutDevice = listing.users
      .map((u) => u.userId as string)
      .filter((id) => {
        return !withDevice.has(id) && userHasEndpoint.get(id) === false;
      });
    for (const id of usersWithoutDevice) problems.push({ kind: 'user-without-device', subject: id, detail: 'no device or trunk endpoint' });

    const groupOwners = owners.filter((o) => o.serviceProviderId === g.serviceProviderId && o.groupId === g.groupId);
    for (const [alias, holders] of duplicateAliases(groupOwners)) {
      problems.push({ kind: 'duplicate-alias', subject: alias, detail: holders.map((h) => `${h.label} ${h.id}`).join(', ') });
    }

    return {
      ...g,
      details: {
        groupName: str(group?.groupName),
        defaultDomain: str(group?.defaultDomain),
        timeZone: str(group?.timeZone),
        callingLineIdName: str(group?.callingLineIdName),
        locationDialingCode: str(group?.locationDialingCode),
      },
      userLimit: typeof group?.userLimit === 'number' ? group.userLimit : undefined,
      userCount: typeof group?.userCount === 'number' ? group.userCount : listing.users.length,
      services,
      servicePacks,
      numbers,
      numberSummary,
      devices,
      trunkGroups,
      serviceInstances,
      usersWithoutDevice,
      owners: groupOwners,
      problems,
    };
  });
}

/** Aliases carried by more than one owner (case-insensitive), in first-seen order. */
export function duplicateAliases(owners: readonly Owner[]): Map<string, Owner[]> {
  const holders = new Map<string, Owner[]>();
  for (const o of owners) for (const a of new Set(o.aliases.map(aliasKey))) holders.set(a, [...(holders.get(a) ?? []), o]);
  return new Map([...holders].filter(([, h]) => h.length > 1));
}

/** Kinds counted per group (for readers of {@link GroupAudit.serviceInstances}). */
export const COUNTED_KINDS = [...LISTED_KINDS.map((k) => k.kind), 'callPickup', 'trunkGroup'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}
