import { mockErrors } from '../error-catalogue.js';
import { type Fields, type NamedInstanceRecord, type OciMockState, type ServiceInstanceRecord, copyFields, namedInstanceKey, toArray } from '../model.js';
import { limitRows } from '../search.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { fieldsOf, keyMembers } from './context.js';
import { groupOf } from './group.js';
import { instanceTable, profileOf, tableMemberOf, userTable } from './tables.js';

/**
 * Group service instances, driven by the request family name alone, for every kind and every
 * version: `Group<Kind>[Consolidated](Add|Get|Modify|Delete)Instance[PagedSorted][List]Request`.
 *
 * - Kinds whose instances are virtual users (hunt groups, call centers, auto attendants, group
 *   paging, VoiceXML, …) are keyed by `serviceUserId`, which shares the user namespace: a
 *   missing one is `[Error 4008]`, a taken one `[Error 4009]`. Each carries its
 *   `serviceInstanceProfile` (name, calling line ID, phone number, extension, aliases).
 * - Kinds keyed by a name within a group (call pickup, call park, trunk groups, …) use `name`
 *   or a `…Key` member holding serviceProviderId/groupId/name.
 *
 * Members that list users (`agentUserId`, `userId`) are checked and shown in the Get
 * response's user table; Modify takes replacement lists (`agentUserIdList`, `userIdList`,
 * `sipAliasList`): a value replaces, nil clears.
 */
const instanceFamily = /^Group(\w+?)(?:Consolidated)?(Add|Get|Modify|Delete)Instance(PagedSorted)?(List)?RequestA?$/;
const activeListFamily = /^Group(\w+?)ModifyActiveInstanceListRequest$/;

/** List table headings per kind (XSD documentation of each GetInstanceListResponse). */
const listHeadings: Record<string, readonly string[]> = {
  HuntGroup: ['Service User Id', 'Name', 'Phone Number', 'Extension', 'Department', 'Is Active', 'Policy'],
  CallCenter: ['Service User Id', 'Name', 'Video', 'Phone Number', 'Extension', 'Department', 'Is Active', 'Policy', 'Type'],
  AutoAttendant: ['Service User Id', 'Name', 'Video', 'Phone Number', 'Extension', 'Department', 'Is Active', 'Type'],
  TrunkGroup: ['Name', 'Department', 'Device Name', 'Device Level', 'Group Id'],
};
const defaultListHeadings = ['Service User Id', 'Name', 'Phone Number', 'Extension', 'Department', 'Is Active'];

/** Member table headings of Get responses. */
const huntGroupAgentHeadings = [
  'User Id',
  'Last Name',
  'First Name',
  'Hiragana Last Name',
  'Hiragana First Name',
  'Weight',
  'Phone Number',
  'Extension',
  'Department',
  'Email Address',
  'Is Phone Number Activated',
  'Country Code',
  'National Prefix',
  'Department Name',
  'Department Type',
  'Parent Department',
  'Parent Department Type',
  'Group Id',
  'Group Name',
];
const memberHeadings = [
  'User Id',
  'Last Name',
  'First Name',
  'Hiragana Last Name',
  'Hiragana First Name',
  'Phone Number',
  'Extension',
  'Department',
  'Email Address',
];

/** The handler of an instance family, or undefined when the family is not one. */
export function instanceHandlerFor(family: string): CommandHandler | undefined {
  const active = activeListFamily.exec(family);
  if (active) return (ctx) => modifyActiveList(ctx, active[1] as string);
  const match = instanceFamily.exec(family);
  if (!match) return undefined;
  const [, kind, verb, , list] = match as unknown as [string, string, string, string | undefined, string | undefined];
  if (list) return (ctx) => listInstances(ctx, kind);
  switch (verb) {
    case 'Add':
      return (ctx) => (typeof ctx.request.serviceUserId === 'string' ? addServiceInstance(ctx, kind) : addNamedInstance(ctx, kind));
    case 'Get':
      return (ctx) => getInstance(ctx, kind);
    case 'Modify':
      return (ctx) => modifyInstance(ctx, kind);
    default:
      return (ctx) => deleteInstance(ctx, kind);
  }
}

function addServiceInstance(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  const group = groupOf(ctx);
  const fields = fieldsOf(ctx.request, ['serviceUserId', 'addPhoneNumberToGroup']);
  const profile = (fields.serviceInstanceProfile as Fields | undefined) ?? {};
  if (typeof profile.phoneNumber === 'string') {
    claimNumber(ctx, group.serviceProviderId, group.groupId, profile.phoneNumber, ctx.request.addPhoneNumberToGroup === true);
  }
  checkMembers(ctx.state, fields);
  fields.isActive ??= true;
  ctx.state.addServiceInstance(kind, group.serviceProviderId, group.groupId, ctx.request.serviceUserId as string, fields);
  return ctx.success();
}

function addNamedInstance(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  const group = groupOf(ctx);
  const name = String(ctx.request.name ?? '');
  const key = namedInstanceKey(kind, group.serviceProviderId, group.groupId, name);
  if (ctx.state.namedInstances.has(key)) throw mockErrors.instanceExists(kind, name);
  const fields = fieldsOf(ctx.request, ['name']);
  checkMembers(ctx.state, fields);
  ctx.state.namedInstances.set(key, { kind, serviceProviderId: group.serviceProviderId, groupId: group.groupId, name, fields });
  return ctx.success();
}

function getInstance(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  const table = tableMemberOf(ctx.schema, ctx.responseType);
  if (typeof ctx.request.serviceUserId === 'string') {
    const instance = ctx.state.serviceInstance(ctx.request.serviceUserId, kind);
    const profile = profileOf(instance);
    const values = copyFields(instance.fields, { serviceInstanceProfile: copyFields(profile, { countryCode: profile.phoneNumber ? '1' : undefined }) });
    if (table) values[table] = userTable(ctx.state, table === 'agentUserTable' ? huntGroupAgentHeadings : memberHeadings, members(ctx.state, instance.fields));
    return ctx.respond(values);
  }
  const named = namedOf(ctx, kind);
  const values = copyFields(named.fields, { name: named.name });
  if (table) values[table] = userTable(ctx.state, memberHeadings, members(ctx.state, named.fields));
  return ctx.respond(values);
}

function modifyInstance(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  if (typeof ctx.request.serviceUserId === 'string') {
    const instance = ctx.state.serviceInstance(ctx.request.serviceUserId, kind);
    const change = (ctx.request.serviceInstanceProfile ?? undefined) as Fields | undefined;
    const profile = profileOf(instance);
    if (change && typeof change.phoneNumber === 'string' && change.phoneNumber !== profile.phoneNumber) {
      claimNumber(ctx, instance.serviceProviderId, instance.groupId, change.phoneNumber, ctx.request.addPhoneNumberToGroup === true);
    }
    if (change) instance.fields.serviceInstanceProfile = applyChanges({ ...profile }, change);
    applyChanges(instance.fields, ctx.request, ['serviceUserId', 'serviceInstanceProfile', 'addPhoneNumberToGroup', 'unassignPhoneNumbers']);
    checkMembers(ctx.state, instance.fields);
    return ctx.success();
  }
  const named = namedOf(ctx, kind);
  const newName = ctx.request.newName;
  if (typeof newName === 'string' && newName !== named.name) {
    const newKey = namedInstanceKey(kind, named.serviceProviderId, named.groupId, newName);
    if (ctx.state.namedInstances.has(newKey)) throw mockErrors.instanceExists(kind, newName);
    ctx.state.namedInstances.delete(namedInstanceKey(kind, named.serviceProviderId, named.groupId, named.name));
    named.name = newName;
    ctx.state.namedInstances.set(newKey, named);
  }
  applyChanges(named.fields, ctx.request, ['name', 'newName', ...Object.keys(ctx.request).filter((k) => k.endsWith('Key'))]);
  checkMembers(ctx.state, named.fields);
  return ctx.success();
}

function deleteInstance(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  if (typeof ctx.request.serviceUserId === 'string') {
    const instance = ctx.state.serviceInstance(ctx.request.serviceUserId, kind);
    ctx.state.deleteServiceInstance(instance.serviceUserId);
    return ctx.success();
  }
  const named = namedOf(ctx, kind);
  ctx.state.namedInstances.delete(namedInstanceKey(kind, named.serviceProviderId, named.groupId, named.name));
  return ctx.success();
}

function listInstances(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  const group = groupOf(ctx);
  const table = tableMemberOf(ctx.schema, ctx.responseType);
  if (!kindHasServiceUsers(ctx, kind)) {
    const named = [...ctx.state.namedInstances.values()].filter(
      (n) => n.kind === kind && n.serviceProviderId === group.serviceProviderId && n.groupId === group.groupId,
    );
    if (!table) return ctx.respond({ name: named.map((n) => n.name) });
    const headings = listHeadings[kind] ?? ['Name'];
    return ctx.respond({
      [table]: { colHeading: [...headings], row: limitRows(named, ctx.request).map((n) => ({ col: headings.map((h) => namedCell(n, h)) })) },
    });
  }
  if (!table) return ctx.synthesise();
  const department = ctx.request.groupDepartmentName;
  const instances = ctx.state
    .instancesInGroup(group.serviceProviderId, group.groupId, kind)
    .filter((i) => department === undefined || (profileOf(i).department as { name?: string } | undefined)?.name === department);
  return ctx.respond({ [table]: instanceTable(ctx.state, listHeadings[kind] ?? defaultListHeadings, limitRows(instances, ctx.request)) });
}

/** True when the kind's instances are virtual users: its Add request carries `serviceUserId`. */
function kindHasServiceUsers(ctx: HandlerContext, kind: string): boolean {
  const add = ctx.schema.latest(`Group${kind}AddInstanceRequest`) ?? ctx.schema.latest(`Group${kind}ConsolidatedAddInstanceRequest`);
  if (!add || !ctx.schema.has(add)) return false;
  return ctx.schema.complexType(add).content.some((p) => 'n' in p && p.n === 'serviceUserId');
}

/** `Group<Kind>ModifyActiveInstanceListRequest`: serviceInstanceIsActive entries {serviceUserId, isActive}. */
function modifyActiveList(ctx: HandlerContext, kind: string): ReturnType<CommandHandler> {
  const entries = Object.values(ctx.request).flatMap((v) => toArray(v)) as { serviceUserId?: unknown; isActive?: unknown }[];
  const changes = entries.filter((e) => typeof e === 'object' && e !== null && typeof e.serviceUserId === 'string');
  for (const entry of changes) ctx.state.serviceInstance(entry.serviceUserId as string, kind);
  for (const entry of changes) ctx.state.serviceInstance(entry.serviceUserId as string, kind).fields.isActive = entry.isActive !== false;
  return ctx.success();
}

function namedOf(ctx: HandlerContext, kind: string): NamedInstanceRecord {
  const keyObject = Object.entries(ctx.request).find(([k, v]) => k.endsWith('Key') && typeof v === 'object' && v !== null)?.[1] as Fields | undefined;
  const source = keyObject ?? ctx.request;
  const serviceProviderId = String(source.serviceProviderId ?? '');
  const groupId = String(source.groupId ?? '');
  const name = String(source.name ?? '');
  ctx.state.group(serviceProviderId, groupId);
  const found = ctx.state.namedInstance(kind, serviceProviderId, groupId, name);
  if (!found) throw mockErrors.instanceNotFound(kind, name);
  return found;
}

function namedCell(named: NamedInstanceRecord, heading: string): string {
  switch (heading) {
    case 'Name':
      return named.name;
    case 'Group Id':
      return named.groupId;
    case 'Department':
      return String((named.fields.department as { name?: string } | undefined)?.name ?? '');
    case 'Device Name':
      return String((named.fields.accessDevice as { deviceName?: string } | undefined)?.deviceName ?? '');
    case 'Device Level':
      return named.fields.accessDevice ? 'Group' : '';
    default:
      return '';
  }
}

/** The users an instance lists (agents, members), in order; ids that no longer exist are skipped. */
function members(state: OciMockState, fields: Fields) {
  const ids = toArray(fields.agentUserId ?? fields.userId).map(String);
  return ids.flatMap((id) => {
    const user = state.users.get(id);
    return user ? [user] : [];
  });
}

/** Every user an instance lists must exist. */
function checkMembers(state: OciMockState, fields: Fields): void {
  for (const id of toArray(fields.agentUserId ?? fields.userId)) state.user(String(id));
}

/** A number used by a service instance follows the rules of a user's number. */
function claimNumber(ctx: HandlerContext, serviceProviderId: string, groupId: string, phoneNumber: string, addToGroup: boolean): void {
  const group = ctx.state.group(serviceProviderId, groupId);
  if (!group.phoneNumbers.has(phoneNumber)) {
    const sp = ctx.state.serviceProvider(serviceProviderId);
    if (!addToGroup) throw mockErrors.phoneNumberNotInGroup(serviceProviderId, groupId, phoneNumber);
    if (!sp.phoneNumbers.has(phoneNumber)) throw mockErrors.phoneNumberNotInServiceProvider(serviceProviderId, phoneNumber);
    const owner = ctx.state.groupOfNumber(phoneNumber);
    if (owner) throw mockErrors.phoneNumberInUse(phoneNumber, `group ${owner.groupId}`);
    group.phoneNumbers.add(phoneNumber);
  }
  const owner = ctx.state.ownerOfNumber(phoneNumber);
  if (owner) throw mockErrors.phoneNumberInUse(phoneNumber, owner);
}

/**
 * Applies a Modify request's members to stored fields: a value replaces, nil clears, absent
 * leaves alone. A replacement list `<x>List: { <item>: [...] }` replaces the stored `<x>`
 * (`agentUserIdList` → `agentUserId`, `userIdList` → `userId`), except `sipAliasList` → `alias`.
 */
export function applyChanges(fields: Fields, request: Record<string, unknown>, exclude: readonly string[] = []): Fields {
  for (const [key, value] of Object.entries(request)) {
    if (keyMembers.has(key) || exclude.includes(key) || value === undefined) continue;
    const replacement = replacementTarget(key, value);
    if (replacement) {
      if (value === null) delete fields[replacement.target];
      else fields[replacement.target] = replacement.items;
      continue;
    }
    if (value === null) delete fields[key];
    else fields[key] = value;
  }
  return fields;
}

function replacementTarget(key: string, value: unknown): { target: string; items: unknown[] } | undefined {
  if (!key.endsWith('List') || key.length <= 4) return undefined;
  const target = key === 'sipAliasList' ? 'alias' : key.slice(0, -4);
  if (value === null) return { target, items: [] };
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Fields).filter(([k]) => k !== '$type');
  if (entries.length !== 1) return undefined;
  return { target, items: toArray(entries[0]?.[1]) };
}

export type { ServiceInstanceRecord };
