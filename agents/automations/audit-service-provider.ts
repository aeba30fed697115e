import { type AuditProblem, type GroupAudit, auditGroups, duplicateAliases } from './audit-group.js';
import { type AgentOptions, type AgentWarning, runAgent } from './context.js';
import { type Owner, groupsInScope } from './scan.js';

export interface DuplicateHolder {
  groupId: string;
  kind: string;
  id: string;
}

export interface Duplicate {
  /** The alias (lower case) or extension held more than once. */
  value: string;
  /** Extensions: the location dialing code the holders' groups share (dialed before the extension). */
  locationDialingCode?: string;
  holders: DuplicateHolder[];
}

export interface ServiceProviderAudit {
  serviceProviderId: string;
  totals: {
    groups: number;
    users: number;
    numbers: GroupAudit['numberSummary'];
    devices: number;
    unusedDevices: number;
    usersWithoutDevice: number;
    serviceInstances: Record<string, number>;
  };
  groups: GroupAudit[];
  /** Every group's problems, with the group. */
  problems: (AuditProblem & { groupId: string })[];
  /** Aliases carried by more than one user or instance of the service provider. */
  duplicateAliases: Duplicate[];
  /**
   * Extensions that dial more than one holder across groups: only in an enterprise, between groups
   * sharing a location dialing code (extensions are unique within a group, and a group is reached
   * from another by location code + extension; docs/agents.md).
   */
  duplicateExtensions: Duplicate[];
  warnings: AgentWarning[];
}

/** The group audit of every group of a service provider, rolled up, plus duplicates across groups. */
export function auditServiceProvider(serviceProviderId: string, options: AgentOptions): Promise<ServiceProviderAudit> {
  return runAgent('audit-service-provider', options, async (context) => {
    const [groups, [provider]] = await Promise.all([
      groupsInScope(context, { serviceProviderId }),
      context.fetch('service provider', [
        { command: { $type: context.requireType('ServiceProviderGetRequest'), serviceProviderId }, target: serviceProviderId },
      ]),
    ]);
    const audits = await auditGroups(context, groups);
    const owners = audits.flatMap((a) => a.owners);

    const aliases: Duplicate[] = [...duplicateAliases(owners)].map(([value, h]) => ({ value, holders: h.map(holder) }));
    const extensions = provider?.isEnterprise === true ? crossGroupExtensions(audits, owners) : [];

    const numbers = { assignedActivated: 0, assignedDeactivated: 0, unassignedActivated: 0, unassignedDeactivated: 0 };
    const serviceInstances: Record<string, number> = {};
    for (const a of audits) {
      for (const k of Object.keys(numbers) as (keyof typeof numbers)[]) numbers[k] += a.numberSummary[k];
      for (const [k, n] of Object.entries(a.serviceInstances)) serviceInstances[k] = (serviceInstances[k] ?? 0) + n;
    }
    return {
      serviceProviderId,
      totals: {
        groups: audits.length,
        users: audits.reduce((n, a) => n + a.userCount, 0),
        numbers,
        devices: audits.reduce((n, a) => n + a.devices.length, 0),
        unusedDevices: audits.reduce((n, a) => n + a.devices.filter((d) => d.unused).length, 0),
        usersWithoutDevice: audits.reduce((n, a) => n + a.usersWithoutDevice.length, 0),
        serviceInstances,
      },
      groups: audits,
      problems: audits.flatMap((a) => a.problems.map((p) => ({ ...p, groupId: a.groupId }))),
      duplicateAliases: aliases,
      duplicateExtensions: extensions,
      warnings: context.warnings,
    };
  });
}

/** Extensions held in more than one group of the same location dialing code (groups without a code are not dialed across). */
function crossGroupExtensions(audits: readonly GroupAudit[], owners: readonly Owner[]): Duplicate[] {
  const codeOf = new Map(audits.map((a) => [a.groupId, a.details.locationDialingCode]));
  const byDialed = new Map<string, { code: string; extension: string; holders: Owner[] }>();
  for (const o of owners) {
    const code = codeOf.get(o.groupId);
    if (!o.extension || !code) continue;
    const key = `${code}\u0000${o.extension}`;
    const entry = byDialed.get(key) ?? { code, extension: o.extension, holders: [] };
    entry.holders.push(o);
    byDialed.set(key, entry);
  }
  return [...byDialed.values()]
    .filter((e) => new Set(e.holders.map((o) => o.groupId)).size > 1)
    .map((e) => ({ value: e.extension, locationDialingCode: e.code, holders: e.holders.map(holder) }))
    .sort(
      (a, b) => a.locationDialingCode.localeCompare(b.locationDialingCode, 'en', { numeric: true }) || a.value.localeCompare(b.value, 'en', { numeric: true }),
    );
}

function holder(o: Owner): DuplicateHolder {
  return { groupId: o.groupId, kind: o.kind, id: o.id };
}
