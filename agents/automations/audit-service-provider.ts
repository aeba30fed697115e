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
  /** Extensions used in more than one group. */
  duplicateExtensions: Duplicate[];
  warnings: AgentWarning[];
}

/** The group audit of every group of a service provider, rolled up, plus duplicates across groups. */
export function auditServiceProvider(serviceProviderId: string, options: AgentOptions): Promise<ServiceProviderAudit> {
  return runAgent('audit-service-provider', options, async (context) => {
    const groups = await groupsInScope(context, { serviceProviderId });
    const audits = await auditGroups(context, groups);
    const owners = audits.flatMap((a) => a.owners);
    const holder = (o: Owner): DuplicateHolder => ({ groupId: o.groupId, kind: o.kind, id: o.id });

    const aliases: Duplicate[] = [...duplicateAliases(owners)].map(([value, h]) => ({ value, holders: h.map(holder) }));
    const byExtension = new Map<string, Owner[]>();
    for (const o of owners) if (o.extension) byExtension.set(o.extension, [...(byExtension.get(o.extension) ?? []), o]);
    const extensions: Duplicate[] = [...byExtension]
      .filter(([, h]) => new Set(h.map((o) => o.groupId)).size > 1)
      .map(([value, h]) => ({ value, holders: h.map(holder) }))
      .sort((a, b) => a.value.localeCompare(b.value, 'en', { numeric: true }));

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
