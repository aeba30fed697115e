import type { OciResponse } from '../../runtime/oci/client.js';
import type { DecodeSelection } from '../../runtime/oci/codec.js';
import { type AgentContext, type Ask, firstTable } from './context.js';
import { AgentOptionsError } from './errors.js';
import { ALIAS_KINDS, type InstanceKind, LISTED_KINDS } from './kinds.js';

/** Where an automation looks: one group, a service provider's groups, or the whole system. */
export type AgentScope = { system: true } | { serviceProviderId: string; groupId?: string };

export interface GroupRef {
  serviceProviderId: string;
  groupId: string;
}

/** Something that can own a number, an extension or aliases: a user or a service instance. */
export interface Owner {
  /** `user`, or an {@link InstanceKind} key (`huntGroup`, `callCenter` …). */
  kind: string;
  /** `user`, `hunt group` … */
  label: string;
  /** User id or service user id. */
  id: string;
  name: string;
  serviceProviderId: string;
  groupId: string;
  phoneNumber?: string;
  extension?: string;
  aliases: string[];
}

/** A group's lists: users (records with their `userId` only) and the instances of every listed kind. */
export interface GroupListing extends GroupRef {
  users: Record<string, string>[];
  instances: { kind: InstanceKind; rows: Record<string, string>[] }[];
}

/** The groups of a scope (one list request per service provider). */
export async function groupsInScope(context: AgentContext, scope: AgentScope): Promise<GroupRef[]> {
  if ('system' in scope) {
    const list = await context.target({ $type: context.requireType('ServiceProviderGetListRequest') }, 'the service providers');
    const providers = firstTable(list).map((r) => r.serviceProviderId as string);
    return groupsOf(context, providers);
  }
  if (!scope.serviceProviderId) throw new AgentOptionsError('give a service provider (--sp), a group (--sp --group) or --system');
  if (scope.groupId) return [{ serviceProviderId: scope.serviceProviderId, groupId: scope.groupId }];
  const list = await context.target(
    { $type: context.requireType('GroupGetListInServiceProviderRequest'), serviceProviderId: scope.serviceProviderId },
    `service provider ${scope.serviceProviderId}`,
  );
  return firstTable(list).map((r) => ({ serviceProviderId: scope.serviceProviderId, groupId: r.groupId as string }));
}

async function groupsOf(context: AgentContext, providers: string[]): Promise<GroupRef[]> {
  const type = context.requireType('GroupGetListInServiceProviderRequest');
  const answers = await context.fetch(
    'groups',
    providers.map((serviceProviderId) => ({ command: { $type: type, serviceProviderId }, target: serviceProviderId })),
  );
  return providers.flatMap((serviceProviderId, i) => firstTable(answers[i]).map((r) => ({ serviceProviderId, groupId: r.groupId as string })));
}

/** Of a group's user list, the user ids are what the automations read. */
const USER_IDS: DecodeSelection = { userTable: ['User Id'] };

/** Users (their ids) and instances of every listed kind, for each group (one fan-out). */
export async function listGroups(context: AgentContext, groups: readonly GroupRef[], kinds: readonly InstanceKind[] = LISTED_KINDS): Promise<GroupListing[]> {
  const userList = context.requireType('UserGetListInGroupRequest');
  const asks: Ask[] = [];
  const available = kinds.filter((k) => k.listFamily && context.type(k.listFamily));
  for (const g of groups) {
    // The XSD spells this member `GroupId`.
    asks.push({ command: { $type: userList, serviceProviderId: g.serviceProviderId, GroupId: g.groupId }, target: groupName(g), select: USER_IDS });
    for (const k of available) {
      asks.push({
        command: { $type: context.requireType(k.listFamily as string), serviceProviderId: g.serviceProviderId, groupId: g.groupId },
        target: groupName(g),
      });
    }
  }
  const answers = await context.fetch('lists', asks);
  const per = 1 + available.length;
  return groups.map((g, gi) => ({
    ...g,
    users: firstTable(answers[gi * per]),
    instances: available.map((kind, ki) => ({ kind, rows: firstTable(answers[gi * per + 1 + ki]) })),
  }));
}

/**
 * Reads every user and every service instance of the listings (plus each group's Voice Portal)
 * and returns them as owners with their aliases, number and extension; `userHasEndpoint` says,
 * for every user read, whether its record names a device endpoint or trunk addressing. Each
 * answer is reduced to that as it arrives (the whole user records are not kept).
 */
export async function readOwners(
  context: AgentContext,
  listings: readonly GroupListing[],
): Promise<{ owners: Owner[]; userHasEndpoint: Map<string, boolean> }> {
  const userGet = context.requireType('UserGetRequest');
  const voicePortal = ALIAS_KINDS.find((k) => k.listFamily === undefined) as InstanceKind;
  const voicePortalGet = context.type(voicePortal.getFamily);
  const plan: { kind: InstanceKind | undefined; id: string; group: GroupRef; ask: Ask }[] = [];
  for (const g of listings) {
    const group = { serviceProviderId: g.serviceProviderId, groupId: g.groupId };
    for (const u of g.users) {
      plan.push({
        kind: undefined,
        id: u.userId as string,
        group,
        ask: { command: { $type: userGet, userId: u.userId }, target: u.userId, select: USER_OWNER },
      });
    }
    for (const { kind, rows } of g.instances) {
      const get = context.type(kind.getFamily);
      if (!get) continue;
      for (const r of rows) {
        plan.push({
          kind,
          id: r.serviceUserId as string,
          group,
          ask: { command: { $type: get, serviceUserId: r.serviceUserId }, target: r.serviceUserId, select: INSTANCE_OWNER },
        });
      }
    }
    if (voicePortalGet) {
      plan.push({
        kind: voicePortal,
        id: '',
        group,
        ask: { command: { $type: voicePortalGet, ...group }, target: `voice portal of ${groupName(group)}`, select: INSTANCE_OWNER },
      });
    }
  }
  const read = await context.fetch(
    'owners',
    plan.map((p) => p.ask),
    (answer, i) => ownerOf(plan[i] as (typeof plan)[number], answer),
  );
  const owners: Owner[] = [];
  const userHasEndpoint = new Map<string, boolean>();
  for (const r of read) {
    if (!r) continue;
    owners.push(r.owner);
    if (r.hasEndpoint !== undefined) userHasEndpoint.set(r.owner.id, r.hasEndpoint);
  }
  return { owners, userHasEndpoint };
}

/** What {@link ownerOf} reads of a user's record: an empty selection of the endpoints tells only whether they are there. */
const USER_OWNER: DecodeSelection = {
  firstName: true,
  lastName: true,
  phoneNumber: true,
  extension: true,
  alias: true,
  accessDeviceEndpoint: {},
  trunkAddressing: {},
};
/** What {@link ownerOf} reads of a service instance. */
const INSTANCE_OWNER: DecodeSelection = { serviceUserId: true, serviceInstanceProfile: { name: true, phoneNumber: true, extension: true, alias: true } };

/** An owner from its Get answer (and, for a user, whether it has an endpoint). */
function ownerOf(p: { kind: InstanceKind | undefined; id: string; group: GroupRef }, answer: OciResponse): { owner: Owner; hasEndpoint?: boolean } {
  // The group's fields written out, not spread: V8 builds a literal with a spread in the middle the slow way.
  if (!p.kind) {
    return {
      owner: {
        kind: 'user',
        label: 'user',
        id: p.id,
        name: fullName(answer.firstName, answer.lastName),
        serviceProviderId: p.group.serviceProviderId,
        groupId: p.group.groupId,
        phoneNumber: text(answer.phoneNumber),
        extension: text(answer.extension),
        aliases: list(answer.alias),
      },
      hasEndpoint: answer.accessDeviceEndpoint !== undefined || answer.trunkAddressing !== undefined,
    };
  }
  const profile = (answer.serviceInstanceProfile ?? {}) as Record<string, unknown>;
  return {
    owner: {
      kind: p.kind.kind,
      label: p.kind.label,
      id: p.id || text(answer.serviceUserId) || '',
      name: text(profile.name) ?? '',
      serviceProviderId: p.group.serviceProviderId,
      groupId: p.group.groupId,
      phoneNumber: text(profile.phoneNumber),
      extension: text(profile.extension),
      aliases: list(profile.alias),
    },
  };
}

/** First and last name joined by a space, leaving out an empty one (as `[first, last].filter(Boolean).join(' ')`, without the array). */
function fullName(first: unknown, last: unknown): string {
  const a = first ? String(first) : '';
  const b = last ? String(last) : '';
  return a && b ? `${a} ${b}` : a || b;
}

/** Aliases compare without a `sip:` prefix and without regard to case. */
export function aliasKey(alias: string): string {
  return alias.replace(/^sip:/i, '').toLowerCase();
}

/**
 * True when `alias` is the one asked for: the whole alias when the query has a domain,
 * else its user part; either way case-insensitively.
 */
export function aliasMatches(alias: string, query: string): boolean {
  const a = aliasKey(alias);
  const q = aliasKey(query);
  return q.includes('@') ? a === q : a.split('@')[0] === q;
}

export function groupName(g: GroupRef): string {
  return `${g.serviceProviderId}/${g.groupId}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
