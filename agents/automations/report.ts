import { alignedTable, toJsonValue } from '../../runtime/oci/present.js';
import { csvCell } from '../bulk/csv.js';
import type { AuditGroupResult, GroupAudit } from './audit-group.js';
import type { ServiceProviderAudit } from './audit-service-provider.js';
import type { CallCenterDigestResult } from './call-center-digest.js';
import type { AgentWarning } from './context.js';
import type { FindAliasResult } from './find-alias.js';
import type { FindNumberResult } from './find-number.js';
import type { UserDigestResult } from './user-digest.js';

/** One table of a report. */
export interface ReportSection {
  name: string;
  columns: string[];
  rows: string[][];
}

export const REPORT_FORMATS = ['table', 'json', 'csv', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const cell = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(' ') : String(v));
const fields = (name: string, pairs: [string, unknown][]): ReportSection => ({ name, columns: ['field', 'value'], rows: pairs.map(([k, v]) => [k, cell(v)]) });
const warnings = (list: readonly AgentWarning[]): ReportSection[] =>
  list.length === 0
    ? []
    : [{ name: 'warnings', columns: ['request', 'target', 'code', 'message'], rows: list.map((w) => [w.request, cell(w.target), w.code, w.message]) }];

export function findAliasReport(r: FindAliasResult): ReportSection[] {
  return [
    {
      name: `matches of ${r.alias}`,
      columns: ['alias', 'kind', 'id', 'name', 'service provider', 'group'],
      rows: r.matches.map((m) => [m.alias, m.owner.label, m.owner.id, m.owner.name, m.owner.serviceProviderId, m.owner.groupId]),
    },
    fields('searched', [
      ['groups', r.groupsSearched],
      ['users and instances', r.ownersSearched],
    ]),
    ...warnings(r.warnings),
  ];
}

export function findNumberReport(r: FindNumberResult): ReportSection[] {
  return [
    {
      name: `owners of ${r.query}`,
      columns: ['phone number', 'extension', 'service provider', 'group', 'assigned', 'activated', 'owner kind', 'owner', 'name', 'type', 'trunk group'],
      rows: r.hits.map((h) => [
        h.phoneNumber,
        cell(h.extension),
        h.serviceProviderId,
        h.groupId,
        cell(h.assigned),
        cell(h.activated),
        cell(h.owner?.kind),
        cell(h.owner?.id),
        cell(h.owner?.name),
        cell(h.owner?.userType),
        cell(h.owner?.trunkGroup),
      ]),
    },
    ...warnings(r.warnings),
  ];
}

function groupSections(a: GroupAudit, prefix = ''): ReportSection[] {
  return [
    fields(`${prefix}group`, [
      ['service provider', a.serviceProviderId],
      ['group', a.groupId],
      ['name', a.details.groupName],
      ['default domain', a.details.defaultDomain],
      ['time zone', a.details.timeZone],
      ['location dialing code', a.details.locationDialingCode],
      ['user limit', a.userLimit],
      ['user count', a.userCount],
      ...Object.entries(a.numberSummary).map(([k, v]) => [`numbers ${k}`, v] as [string, unknown]),
      ...Object.entries(a.serviceInstances).map(([k, v]) => [`instances ${k}`, v] as [string, unknown]),
    ]),
    { name: `${prefix}problems`, columns: ['problem', 'subject', 'detail'], rows: a.problems.map((p) => [p.kind, p.subject, p.detail]) },
    {
      name: `${prefix}services`,
      columns: ['service', 'level', 'limited', 'quantity', 'usage', 'over-used'],
      rows: a.services.map((s) => [
        s.name,
        s.level,
        cell(s.limited),
        s.quantity === undefined ? 'Unlimited' : String(s.quantity),
        String(s.usage),
        cell(s.overUsed),
      ]),
    },
    {
      name: `${prefix}service packs`,
      columns: ['service pack', 'limited', 'quantity', 'usage', 'over-used'],
      rows: a.servicePacks.map((s) => [
        s.name,
        cell(s.limited),
        s.quantity === undefined ? 'Unlimited' : String(s.quantity),
        String(s.usage),
        cell(s.overUsed),
      ]),
    },
    {
      name: `${prefix}numbers`,
      columns: ['phone number', 'assigned', 'activated', 'owner', 'owner type', 'extension'],
      rows: a.numbers.map((n) => [n.phoneNumber, cell(n.assigned), cell(n.activated), cell(n.ownerId), cell(n.ownerType), cell(n.extension)]),
    },
    {
      name: `${prefix}devices`,
      columns: ['device', 'type', 'MAC address', 'users', 'unused'],
      rows: a.devices.map((d) => [d.name, d.type, cell(d.macAddress), String(d.userCount), cell(d.unused)]),
    },
    {
      name: `${prefix}trunk groups`,
      columns: ['trunk group', 'department', 'device'],
      rows: a.trunkGroups.map((t) => [t.name, cell(t.department), cell(t.deviceName)]),
    },
    { name: `${prefix}users without a device`, columns: ['user'], rows: a.usersWithoutDevice.map((u) => [u]) },
  ];
}

export function auditGroupReport(r: AuditGroupResult): ReportSection[] {
  return [...groupSections(r), ...warnings(r.warnings)];
}

export function auditServiceProviderReport(r: ServiceProviderAudit): ReportSection[] {
  const t = r.totals;
  const holders = (d: ServiceProviderAudit['duplicateAliases'][number]) => d.holders.map((h) => `${h.groupId}:${h.kind}:${h.id}`).join(', ');
  return [
    fields('service provider', [
      ['service provider', r.serviceProviderId],
      ['groups', t.groups],
      ['users', t.users],
      ['devices', t.devices],
      ['unused devices', t.unusedDevices],
      ['users without a device', t.usersWithoutDevice],
      ...Object.entries(t.numbers).map(([k, v]) => [`numbers ${k}`, v] as [string, unknown]),
      ...Object.entries(t.serviceInstances).map(([k, v]) => [`instances ${k}`, v] as [string, unknown]),
    ]),
    { name: 'problems', columns: ['group', 'problem', 'subject', 'detail'], rows: r.problems.map((p) => [p.groupId, p.kind, p.subject, p.detail]) },
    { name: 'duplicate aliases', columns: ['alias', 'holders'], rows: r.duplicateAliases.map((d) => [d.value, holders(d)]) },
    {
      name: 'duplicate extensions',
      columns: ['location code', 'extension', 'holders'],
      rows: r.duplicateExtensions.map((d) => [cell(d.locationDialingCode), d.value, holders(d)]),
    },
    ...r.groups.flatMap((g) => groupSections(g, `${g.groupId}: `)),
    ...warnings(r.warnings),
  ];
}

export function userDigestReport(r: UserDigestResult): ReportSection[] {
  const fwd = (f: { active: boolean; forwardTo?: string } | undefined) =>
    f ? `${f.active ? 'on' : 'off'}${f.forwardTo ? ` → ${f.forwardTo}` : ''}` : '(unread)';
  return [
    fields('user', [
      ['user id', r.userId],
      ['service provider', r.serviceProviderId],
      ['group', r.groupId],
      ...Object.entries(r.profile).map(([k, v]) => [k, v] as [string, unknown]),
      ['aliases', r.aliases],
      ['device', r.device ? `${r.device.name} (${r.device.type ?? r.device.level})` : ''],
      ['line/port', r.device?.linePort],
      ['trunk group', r.trunkGroup],
      ['services', r.services.assigned],
      ['service packs', r.services.servicePacks],
      ['call forwarding always', fwd(r.callForwarding.always)],
      ['call forwarding busy', fwd(r.callForwarding.busy)],
      ['call forwarding no answer', fwd(r.callForwarding.noAnswer)],
      ['call forwarding not reachable', fwd(r.callForwarding.notReachable)],
      ['call forwarding selective', fwd(r.callForwarding.selective)],
      ['do not disturb', fwd(r.doNotDisturb)],
      ['voice messaging', r.voiceMessaging ? `${r.voiceMessaging.active ? 'on' : 'off'} ${r.voiceMessaging.processing ?? ''}`.trim() : '(unread)'],
      ['ACD state', r.acdState],
      ['pickup group', r.pickupGroup],
    ]),
    {
      name: 'registrations',
      columns: ['device', 'URI', 'expiration', 'user agent'],
      rows: r.registrations.map((g) => [cell(g.deviceName), cell(g.uri), cell(g.expiration), cell(g.userAgent)]),
    },
    {
      name: 'call centers',
      columns: ['service user id', 'name', 'joined'],
      rows: r.callCenters.map((c) => [c.serviceUserId, cell(c.name), cell(c.available)]),
    },
    { name: 'hunt groups', columns: ['service user id', 'name'], rows: r.huntGroups.map((h) => [h.serviceUserId, h.name]) },
    {
      name: 'shared call appearances',
      columns: Object.keys(r.sharedCallAppearances[0] ?? { endpoint: '' }),
      rows: r.sharedCallAppearances.map((s) => Object.values(s)),
    },
    ...warnings(r.warnings),
  ];
}

export function callCenterDigestReport(r: CallCenterDigestResult): ReportSection[] {
  return [
    fields('call center', [
      ['service user id', r.serviceUserId],
      ...Object.entries(r.settings).map(([k, v]) => [k, v] as [string, unknown]),
      ['calls queued now', r.queue.callsQueuedNow],
      ['agents staffed', r.queue.agentsStaffed],
    ]),
    {
      name: 'agents',
      columns: ['user id', 'name', 'phone number', 'extension', 'skill level', 'ACD state', 'joined', 'staffed'],
      rows: r.agents.map((a) => [
        a.userId,
        a.name,
        cell(a.phoneNumber),
        cell(a.extension),
        cell(a.skillLevel),
        cell(a.acdState),
        cell(a.joined),
        cell(a.staffed),
      ]),
    },
    ...warnings(r.warnings),
  ];
}

/**
 * Renders a result: `json` is the typed result itself; `table`, `md` and `csv` render its
 * sections (CSV: one block per section, a `# name` line, the header, the rows, a blank line).
 */
export function renderReport(result: unknown, sections: readonly ReportSection[], format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJsonValue(result), null, 2)}\n`;
    case 'csv':
      return sections.map((s) => [`# ${s.name}`, csvRow(s.columns), ...s.rows.map(csvRow)].join('\n')).join('\n\n') + '\n';
    case 'md':
      return sections.map((s) => [`## ${s.name}`, '', ...markdownTable(s)].join('\n')).join('\n\n') + '\n';
    default:
      return (
        sections
          .map((s) => [`${s.name}:`, ...(s.rows.length === 0 ? ['  (none)'] : alignedTable(s.columns, s.rows).map((l) => `  ${l}`))].join('\n'))
          .join('\n\n') + '\n'
      );
  }
}

function markdownTable(s: ReportSection): string[] {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  if (s.rows.length === 0) return ['(none)'];
  return [`| ${s.columns.map(esc).join(' | ')} |`, `|${s.columns.map(() => ' --- ').join('|')}|`, ...s.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
}

/** A CSV row; an empty value stays an empty (unquoted) cell. */
function csvRow(cells: readonly string[]): string {
  return cells.map((c) => (c === '' ? '' : csvCell(c))).join(',');
}
