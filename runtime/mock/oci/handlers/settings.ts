import type { OciSchema } from '../../../oci/schema.js';
import { mockErrors } from '../error-catalogue.js';
import { type Fields, copyFields, ownerKey } from '../model.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { applyChanges } from './instances.js';

/**
 * Settings read and written by Get/Modify request pairs (call forwarding of every kind, do not
 * disturb, voice messaging, call center agent state, admin policies, group and service
 * provider settings, …), driven by the family names alone: a family `…Get…Request` whose
 * counterpart `…Modify…Request` exists (or the reverse) stores its fields per owner under the
 * family name with the verb cut out, so `UserCallForwardingAlwaysModifyRequest` changes what
 * every version of `UserCallForwardingAlwaysGetRequest` answers.
 *
 * The owner comes from the request's keys: `userId` (a user, service user or administrator),
 * `serviceUserId`, `serviceProviderId` + `groupId`, `serviceProviderId`, or the system. A
 * missing owner gives its real "not found" error. Other required simple members of the Get
 * request (a criteria name, a device name) are part of the key.
 */
const verb = /(Get|Modify)/;

export function settingsHandlerFor(schema: OciSchema, family: string): CommandHandler | undefined {
  const match = verb.exec(family);
  if (!match) return undefined;
  const isGet = match[1] === 'Get';
  const counterpart = family.replace(verb, isGet ? 'Modify' : 'Get');
  const getFamily = isGet ? family : counterpart;
  if (schema.latest(counterpart) === undefined) return undefined;
  const key = settingsKeyOf(family);
  const identity = identityMembers(schema, getFamily);
  return isGet ? (ctx) => ctx.respond(copyFields(ctx.state.settingsOf(owner(ctx), settingsKey(ctx, key, identity)))) : (ctx) => modify(ctx, key, identity);
}

/** The key settings are stored under: the family with its Get/Modify verb cut out. */
export function settingsKeyOf(family: string): string {
  return family.replace(verb, '~');
}

function modify(ctx: HandlerContext, key: string, identity: readonly string[]): ReturnType<CommandHandler> {
  const fields = ctx.state.settingsOf(owner(ctx), settingsKey(ctx, key, identity));
  applyChanges(fields, ctx.request, ['serviceUserId', ...identity]);
  return ctx.success();
}

/** The owner's key; throws the real "not found" error when it does not exist. */
function owner(ctx: HandlerContext): string {
  const r = ctx.request;
  const id = typeof r.userId === 'string' ? r.userId : typeof r.serviceUserId === 'string' ? r.serviceUserId : undefined;
  if (id !== undefined) {
    if (!ctx.state.userIdTaken(id)) throw mockErrors.userNotFound(id);
    return ownerKey('user', id);
  }
  const groupId = r.groupId ?? r.GroupId;
  if (typeof r.serviceProviderId === 'string' && typeof groupId === 'string') {
    ctx.state.group(r.serviceProviderId, groupId);
    return ownerKey('group', r.serviceProviderId, groupId);
  }
  if (typeof r.serviceProviderId === 'string') {
    ctx.state.serviceProvider(r.serviceProviderId);
    return ownerKey('serviceProvider', r.serviceProviderId);
  }
  return ownerKey('user', '');
}

function settingsKey(ctx: HandlerContext, key: string, identity: readonly string[]): string {
  return identity.length === 0 ? key : [key, ...identity.map((n) => String(ctx.request[n] ?? ''))].join('\u0000');
}

const ownerMembers = new Set(['userId', 'serviceUserId', 'serviceProviderId', 'groupId', 'GroupId']);

/** Required simple members of the Get request other than the owner's keys (criteriaName, deviceName, …). */
function identityMembers(schema: OciSchema, getFamily: string): string[] {
  const type = schema.latest(getFamily);
  if (!type || !schema.has(type)) return [];
  const names: string[] = [];
  for (const particle of schema.complexType(type).content) {
    if (!('n' in particle) || (particle.min ?? 1) === 0 || ownerMembers.has(particle.n)) continue;
    if (particle.t.startsWith('xs:') || schema.type(particle.t).kind === 'simple') names.push(particle.n);
  }
  return names;
}

export type { Fields };
