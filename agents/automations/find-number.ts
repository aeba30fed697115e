import { type AgentOptions, type AgentWarning, firstTable, runAgent } from './context.js';
import { type AgentScope, type GroupRef, groupsInScope, listGroups } from './scan.js';
import { expandNumbers } from './numbers.js';

export interface NumberOwner {
  /** `user`, `trunk group` (a user addressed through a trunk group), or `service instance`. */
  kind: 'user' | 'trunk group' | 'service instance';
  id: string;
  name: string;
  /** The server's user type (`Normal`, `Hunt Group`, `Call Center` …). */
  userType?: string;
  /** For `trunk group`: the trunk group's name. */
  trunkGroup?: string;
}

export interface NumberHit extends GroupRef {
  /** The phone number as the group lists it (empty for an extension of an instance without a number). */
  phoneNumber: string;
  extension?: string;
  /** True when the query matched the extension rather than the number. */
  byExtension: boolean;
  /** The number is in the group's pool but nobody has it. */
  assigned: boolean;
  activated?: boolean;
  owner?: NumberOwner;
}

export interface FindNumberResult {
  query: string;
  scope: AgentScope;
  groupsSearched: number;
  hits: NumberHit[];
  warnings: AgentWarning[];
}

/** The digits of a number, without punctuation or a `+cc-` prefix's punctuation. */
function digits(value: string): string {
  return value.replace(/[^0-9]/g, '');
}

/** True when a listed number is the asked one, with or without its country code. */
function sameNumber(listed: string, query: string, countryCode: string | undefined): boolean {
  const a = digits(listed);
  const q = digits(query);
  if (a === '' || q === '') return false;
  if (a === q) return true;
  const cc = countryCode ? digits(countryCode) : '';
  return cc !== '' && (a === cc + q || q === cc + a);
}

/**
 * Who owns a phone number or extension in a service provider's groups or the system: a user,
 * a user behind a trunk group, or a service instance; and whether the number is activated.
 */
export function findNumber(query: string, scope: AgentScope, options: AgentOptions): Promise<FindNumberResult> {
  return runAgent('find-number', options, async (context) => {
    const groups = await groupsInScope(context, scope);
    const assignment = context.requireType('GroupDnGetAssignmentListRequest');
    const answers = await context.fetch(
      'numbers',
      groups.map((g) => ({ command: { $type: assignment, ...g }, target: `${g.serviceProviderId}/${g.groupId}` })),
    );
    const hits: NumberHit[] = [];
    const ownersSeen = new Set<string>();
    groups.forEach((g, i) => {
      for (const row of firstTable(answers[i])) {
        for (const number of expandNumbers(row.phoneNumbers ?? '')) {
          const byNumber = sameNumber(number, query, row.countryCode);
          const byExtension = !byNumber && row.extension !== '' && row.extension === query;
          if (!byNumber && !byExtension) continue;
          const id = row.userId ?? '';
          if (id) ownersSeen.add(id);
          hits.push({
            ...g,
            phoneNumber: number,
            extension: row.extension || undefined,
            byExtension,
            assigned: id !== '',
            activated: row.activated === '' || row.activated === undefined ? undefined : row.activated === 'true',
            owner: id ? ownerOf(row) : undefined,
          });
        }
      }
    });
    // Extensions of instances without a number are not in the number list: look in the instance lists.
    if (/^[0-9]{1,10}$/.test(query) && query.length <= 6) {
      const listings = await listGroups(context, groups);
      for (const listing of listings) {
        for (const { kind, rows } of listing.instances) {
          for (const r of rows) {
            if (r.extension !== query || r.phoneNumber || ownersSeen.has(r.serviceUserId as string)) continue;
            hits.push({
              serviceProviderId: listing.serviceProviderId,
              groupId: listing.groupId,
              phoneNumber: '',
              extension: r.extension,
              byExtension: true,
              assigned: true,
              owner: { kind: 'service instance', id: r.serviceUserId as string, name: r.name ?? '', userType: kind.label },
            });
          }
        }
      }
    }
    // A user may be reached through a trunk group: its user record says which.
    const users = hits.filter((h) => h.owner?.kind === 'user');
    if (users.length > 0) {
      const userGet = context.requireType('UserGetRequest');
      const reads = await context.fetch(
        'owners',
        users.map((h) => ({ command: { $type: userGet, userId: h.owner?.id }, target: h.owner?.id })),
      );
      users.forEach((h, i) => {
        const trunk = (reads[i]?.trunkAddressing as { trunkGroupDeviceEndpoint?: { name?: string } } | undefined)?.trunkGroupDeviceEndpoint;
        if (trunk?.name && h.owner) {
          h.owner.kind = 'trunk group';
          h.owner.trunkGroup = trunk.name;
        }
      });
    }
    return { query, scope, groupsSearched: groups.length, hits, warnings: context.warnings };
  });
}

function ownerOf(row: Record<string, string>): NumberOwner {
  const userType = row.userType || undefined;
  const name = [row.firstName, row.lastName].filter(Boolean).join(' ');
  const isUser = userType === undefined || userType === 'Normal';
  return { kind: isUser ? 'user' : 'service instance', id: row.userId as string, name, userType };
}
