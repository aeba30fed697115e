import { mockErrors } from '../error-catalogue.js';
import {
  type Authorisation,
  type Fields,
  type GroupRecord,
  type OciMockState,
  type Quantity,
  type UserRecord,
  expandPhoneNumbers,
  memberListNames,
  ownerKey,
  toArray,
} from '../model.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { fieldsOf, str } from './context.js';
import { applyChanges } from './instances.js';
import { serviceProviderOf } from './service-provider.js';
import { userOf } from './user.js';

/**
 * The consolidated requests change the model exactly as their plain counterparts do, with every
 * part they carry: ServiceProviderConsolidatedAdd (domains, admins, authorisations, service
 * packs, numbers), GroupConsolidatedAdd (domains, admins, authorisations and assignments,
 * activatable numbers), UserConsolidatedAdd/Modify/Delete (the group when it is missing, the
 * device of the endpoint, numbers, services and service packs). Every check runs before the
 * first change, so a refused request changes nothing.
 */
export const consolidatedHandlers: Record<string, CommandHandler> = {
  ServiceProviderConsolidatedAddRequest: (ctx) => {
    const r = ctx.request;
    if (typeof r.serviceProviderId !== 'string') throw mockErrors.externalIdNotSupported('serviceProviderExternalId');
    if (ctx.state.serviceProviders.has(r.serviceProviderId)) throw mockErrors.serviceProviderExists(r.serviceProviderId);
    const numbers = expandPhoneNumbers(r.phoneNumber, r.dnRange);
    for (const n of numbers) if (ctx.state.serviceProviderOfNumber(n)) throw mockErrors.phoneNumberExists(n);
    const admins = toArray(r.admin) as Fields[];
    for (const admin of admins) if (ctx.state.userIdTaken(String(admin.userId))) throw mockErrors.userExists(String(admin.userId));
    const structural = ['isEnterprise', 'admin', 'groupServiceAuthorization', 'userServiceAuthorization', 'servicePack', 'phoneNumber', 'dnRange'];
    const sp = ctx.state.addServiceProvider(r.serviceProviderId, r.isEnterprise === true, fieldsOf(r, structural));
    for (const n of numbers) sp.phoneNumbers.add(n);
    for (const admin of admins) addAdmin(ctx.state, sp.serviceProviderId, undefined, admin);
    authorise(sp.authorisation, r);
    for (const pack of toArray(r.servicePack) as Fields[]) {
      const { servicePackName, ...rest } = pack;
      sp.servicePacks.set(String(servicePackName), rest);
    }
    return ctx.success();
  },

  GroupConsolidatedAddRequest: (ctx) => {
    const r = ctx.request;
    const sp = serviceProviderOf(ctx);
    if (typeof r.groupId !== 'string') throw mockErrors.externalIdNotSupported('groupExternalId');
    if (sp.groups.has(r.groupId)) throw mockErrors.groupExists(sp.serviceProviderId, r.groupId);
    const activatable = activatableNumbers(r);
    for (const { n } of activatable) {
      const owner = ctx.state.serviceProviderOfNumber(n);
      if (owner && owner !== sp) throw mockErrors.phoneNumberExists(n);
      const group = ctx.state.groupOfNumber(n);
      if (group) throw mockErrors.phoneNumberInUse(n, `group ${group.groupId}`);
    }
    const admins = toArray(r.admin) as Fields[];
    for (const admin of admins) if (ctx.state.userIdTaken(String(admin.userId))) throw mockErrors.userExists(String(admin.userId));
    const structural = [
      'domain',
      'admin',
      'groupServiceAuthorizationAndAssignment',
      'userServiceAuthorization',
      'servicePackAuthorization',
      'activatablePhoneNumber',
      'activatableDNRange',
    ];
    const group = ctx.state.addGroup(sp.serviceProviderId, r.groupId, fieldsOf(r, structural));
    for (const domain of toArray(r.domain)) group.domains.add(String(domain));
    for (const admin of admins) addAdmin(ctx.state, sp.serviceProviderId, group.groupId, admin);
    for (const entry of toArray(r.groupServiceAuthorizationAndAssignment) as Fields[]) {
      group.authorisation.groupServices.set(String(entry.serviceName), quantityOf(entry.authorizedQuantity));
      if (entry.assign === true) group.groupServices.add(String(entry.serviceName));
    }
    authorise(group.authorisation, r);
    for (const { n, activate } of activatable) {
      sp.phoneNumbers.add(n);
      group.phoneNumbers.add(n);
      if (activate) group.activated.add(n);
    }
    return ctx.responseType === 'SuccessResponse' ? ctx.success() : ctx.respond({});
  },

  UserConsolidatedAddRequest: (ctx) => {
    const r = ctx.request;
    if (typeof r.serviceProviderId !== 'string' || typeof r.groupId !== 'string') throw mockErrors.externalIdNotSupported('groupExternalId');
    const serviceProviderId = r.serviceProviderId;
    const groupId = r.groupId;
    const userId = str(r, 'userId');
    const sp = ctx.state.serviceProvider(serviceProviderId);
    const properties = r.groupProperties as Fields | undefined;
    if (!sp.groups.has(groupId) && !properties) throw mockErrors.groupNotFound(serviceProviderId, groupId);
    if (ctx.state.userIdTaken(userId)) throw mockErrors.userExists(userId);
    const existingGroup = sp.groups.get(groupId);
    if (existingGroup) checkUserLimit(ctx.state, existingGroup);
    const phoneNumber = typeof r.phoneNumber === 'string' ? r.phoneNumber : undefined;
    if (phoneNumber) checkNumber(ctx, serviceProviderId, groupId, phoneNumber, r.addPhoneNumberToGroup === true, userId);
    const endpoint = r.accessDeviceEndpoint as Fields | undefined;
    if (endpoint && existingGroup) checkEndpointDevice(ctx.state, existingGroup, endpoint);
    else if (endpoint && !endpoint.deviceType) throw mockErrors.deviceNotFound(serviceProviderId, groupId, deviceNameOf(endpoint));

    // Every check passed: change the model.
    const group = existingGroup ?? createGroupFromProperties(ctx.state, serviceProviderId, groupId, properties as Fields);
    if (phoneNumber && !group.phoneNumbers.has(phoneNumber)) group.phoneNumbers.add(phoneNumber);
    const fields = fieldsOf(r, [
      'groupProperties',
      'addPhoneNumberToGroup',
      'accessDeviceEndpoint',
      'userService',
      'servicePack',
      'sharedCallAppearanceAccessDeviceEndpoint',
    ]);
    if (endpoint) fields.accessDeviceEndpoint = storeEndpoint(ctx.state, group, endpoint);
    const user = ctx.state.addUser(serviceProviderId, groupId, userId, fields);
    assignServices(group, user, r.userService, r.servicePack);
    return ctx.success();
  },

  UserConsolidatedModifyRequest: (ctx) => {
    const r = ctx.request;
    const user = userOf(ctx);
    const group = ctx.state.group(user.serviceProviderId, user.groupId);
    if (typeof r.newUserId === 'string' && r.newUserId !== user.userId && ctx.state.userIdTaken(r.newUserId)) throw mockErrors.userExists(r.newUserId);
    if (typeof r.phoneNumber === 'string' && r.phoneNumber !== user.fields.phoneNumber) {
      checkNumber(ctx, user.serviceProviderId, user.groupId, r.phoneNumber, r.addPhoneNumberToGroup === true, user.userId);
    }
    const endpointChoice = r.endpoint as Fields | null | undefined;
    const endpoint = endpointChoice?.accessDeviceEndpoint as Fields | undefined;
    if (endpoint?.accessDevice) checkEndpointDevice(ctx.state, group, endpoint);

    // Every check passed: change the model.
    const oldDevice = deviceNameOf(user.fields.accessDeviceEndpoint as Fields | undefined);
    if (typeof r.phoneNumber === 'string') group.phoneNumbers.add(r.phoneNumber);
    applyChanges(user.fields, r, [
      'newUserId',
      'deleteExistingDevices',
      'unassignPhoneNumbers',
      'addPhoneNumberToGroup',
      'oldPassword',
      'newPassword',
      'endpoint',
      'userServiceList',
      'servicePackList',
      'sharedCallAppearanceAccessDeviceEndpointList',
    ]);
    if (typeof r.newPassword === 'string') user.fields.password = r.newPassword;
    if (endpointChoice === null) {
      delete user.fields.accessDeviceEndpoint;
      delete user.fields.trunkAddressing;
    } else if (endpoint) {
      const merged = { ...((user.fields.accessDeviceEndpoint as Fields | undefined) ?? {}), ...endpoint };
      delete user.fields.trunkAddressing;
      user.fields.accessDeviceEndpoint = storeEndpoint(ctx.state, group, merged);
    } else if (endpointChoice?.trunkAddressing !== undefined) {
      delete user.fields.accessDeviceEndpoint;
      user.fields.trunkAddressing = endpointChoice.trunkAddressing;
    }
    if (r.deleteExistingDevices === true && oldDevice && oldDevice !== deviceNameOf(user.fields.accessDeviceEndpoint as Fields | undefined)) {
      deleteDeviceIfUnused(ctx.state, group, oldDevice);
    }
    if (r.userServiceList !== undefined) {
      user.services.clear();
      assignServices(group, user, (r.userServiceList as Fields | null)?.userServiceServiceName, undefined);
    }
    if (r.servicePackList !== undefined) {
      user.servicePacks.clear();
      assignServices(group, user, undefined, (r.servicePackList as Fields | null)?.servicePack);
    }
    if (typeof r.newUserId === 'string' && r.newUserId !== user.userId) renameUser(ctx.state, user, r.newUserId);
    return ctx.success();
  },

  UserConsolidatedDeleteRequest: (ctx) => {
    const user = userOf(ctx);
    const group = ctx.state.group(user.serviceProviderId, user.groupId);
    const device = deviceNameOf(user.fields.accessDeviceEndpoint as Fields | undefined);
    const phoneNumber = typeof user.fields.phoneNumber === 'string' ? user.fields.phoneNumber : undefined;
    ctx.state.deleteUser(user.userId);
    if (ctx.request.deleteExistingDevices === true && device) deleteDeviceIfUnused(ctx.state, group, device);
    const level = ctx.request.unassignPhoneNumbers;
    if (phoneNumber && (level === 'Group' || level === 'Service Provider')) {
      group.phoneNumbers.delete(phoneNumber);
      group.activated.delete(phoneNumber);
      if (level === 'Service Provider') ctx.state.serviceProvider(group.serviceProviderId).phoneNumbers.delete(phoneNumber);
    }
    return ctx.success();
  },
};

/** `UnboundedPositiveInt` ({unlimited: true} | {quantity: n}) → Quantity; absent = unlimited. */
export function quantityOf(value: unknown): Quantity {
  const v = value as { unlimited?: boolean; quantity?: number } | undefined;
  return typeof v?.quantity === 'number' ? v.quantity : 'Unlimited';
}

/** Applies userServiceAuthorization / groupServiceAuthorization / servicePackAuthorization entries ({serviceName, authorizedQuantity | unauthorized}). */
export function authorise(target: Authorisation, request: Fields): void {
  const apply = (map: Map<string, Quantity>, entries: unknown, nameKey: string) => {
    for (const entry of toArray(entries) as Fields[]) {
      const name = String(entry[nameKey]);
      if (entry.unauthorized === true) map.delete(name);
      else map.set(name, quantityOf(entry.authorizedQuantity));
    }
  };
  apply(target.userServices, request.userServiceAuthorization, 'serviceName');
  apply(target.groupServices, request.groupServiceAuthorization, 'serviceName');
  apply(target.servicePacks, request.servicePackAuthorization, 'servicePackName');
}

function addAdmin(state: OciMockState, serviceProviderId: string, groupId: string | undefined, admin: Fields): void {
  const { userId, ...fields } = admin;
  state.admins.set(String(userId), { userId: String(userId), serviceProviderId, groupId, fields });
}

function activatableNumbers(r: Fields): { n: string; activate: boolean }[] {
  const out: { n: string; activate: boolean }[] = [];
  for (const entry of toArray(r.activatablePhoneNumber) as Fields[]) out.push({ n: String(entry.DN), activate: entry.activate !== false });
  for (const range of toArray(r.activatableDNRange) as Fields[]) {
    for (const n of expandPhoneNumbers(undefined, [range])) out.push({ n, activate: range.activate !== false });
  }
  return out;
}

function checkUserLimit(state: OciMockState, group: GroupRecord): void {
  const limit = group.fields.userLimit;
  if (typeof limit === 'number' && state.userCountInGroup(group.serviceProviderId, group.groupId) >= limit) {
    throw mockErrors.userLimitReached(group.serviceProviderId, group.groupId, limit);
  }
}

/** A user's number: in the group (or added to it with addPhoneNumberToGroup, from the service provider's pool) and unused. */
function checkNumber(ctx: HandlerContext, serviceProviderId: string, groupId: string, phoneNumber: string, addToGroup: boolean, userId: string): void {
  const group = ctx.state.serviceProviders.get(serviceProviderId)?.groups.get(groupId);
  if (!group?.phoneNumbers.has(phoneNumber)) {
    if (!addToGroup) throw mockErrors.phoneNumberNotInGroup(serviceProviderId, groupId, phoneNumber);
    if (!ctx.state.serviceProvider(serviceProviderId).phoneNumbers.has(phoneNumber))
      throw mockErrors.phoneNumberNotInServiceProvider(serviceProviderId, phoneNumber);
    const other = ctx.state.groupOfNumber(phoneNumber);
    if (other && other !== group) throw mockErrors.phoneNumberInUse(phoneNumber, `group ${other.groupId}`);
  }
  const owner = ctx.state.ownerOfNumber(phoneNumber);
  if (owner && owner !== userId) throw mockErrors.phoneNumberInUse(phoneNumber, owner);
}

function deviceNameOf(endpoint: Fields | undefined): string {
  return String((endpoint?.accessDevice as Fields | undefined)?.deviceName ?? '');
}

/** The endpoint's device must exist, or the endpoint must carry a deviceType to create it with. */
function checkEndpointDevice(state: OciMockState, group: GroupRecord, endpoint: Fields): void {
  const name = deviceNameOf(endpoint);
  if (group.devices.has(name)) return;
  const deviceType = endpoint.deviceType;
  if (typeof deviceType !== 'string') throw mockErrors.deviceNotFound(group.serviceProviderId, group.groupId, name);
  if (!state.deviceTypes.has(deviceType)) throw mockErrors.deviceTypeNotFound(deviceType);
}

/** Device attributes a consolidated endpoint may carry (created with the device). */
const deviceMembers = [
  'deviceType',
  'protocol',
  'netAddress',
  'port',
  'outboundProxyServerNetAddress',
  'stunServerNetAddress',
  'macAddress',
  'serialNumber',
  'description',
  'physicalLocation',
  'transportProtocol',
  'useCustomUserNamePassword',
  'accessDeviceCredentials',
];
/** What is stored on the user (the members of the read form of an endpoint). */
const endpointMembers = ['accessDevice', 'linePort', 'privateIdentity', 'contact', 'portNumber', 'useHotline', 'hotlineContact'];

/** Creates the endpoint's device when it is missing and returns the endpoint to store on the user. */
export function storeEndpoint(state: OciMockState, group: GroupRecord, endpoint: Fields): Fields {
  const name = deviceNameOf(endpoint);
  if (!group.devices.has(name) && typeof endpoint.deviceType === 'string') {
    const device: Fields = {};
    for (const key of deviceMembers) if (endpoint[key] !== undefined && endpoint[key] !== null) device[key] = endpoint[key];
    state.addDevice(group.serviceProviderId, group.groupId, name, device);
  }
  const stored: Fields = {};
  for (const key of endpointMembers) if (endpoint[key] !== undefined && endpoint[key] !== null) stored[key] = endpoint[key];
  const contacts = (endpoint.contactList as Fields | undefined)?.contact;
  if (contacts !== undefined) stored.contact = contacts;
  return stored;
}

function createGroupFromProperties(state: OciMockState, serviceProviderId: string, groupId: string, properties: Fields): GroupRecord {
  const { groupService, ...fields } = properties;
  const group = state.addGroup(serviceProviderId, groupId, fields);
  for (const entry of toArray(groupService) as Fields[]) {
    const name = String(entry.groupServiceName);
    group.authorisation.groupServices.set(name, quantityOf(entry.authorizedQuantity));
    group.groupServices.add(name);
  }
  return group;
}

/** Consolidated service/pack assignments; an `authorizedQuantity` also authorises the service to the group. */
function assignServices(group: GroupRecord, user: UserRecord, services: unknown, packs: unknown): void {
  for (const entry of toArray(services) as Fields[]) {
    const name = String(entry.userServiceName);
    if (entry.authorizedQuantity !== undefined) group.authorisation.userServices.set(name, quantityOf(entry.authorizedQuantity));
    user.services.add(name);
  }
  for (const entry of toArray(packs) as Fields[]) {
    const name = String(entry.servicePackName);
    if (entry.authorizedQuantity !== undefined) group.authorisation.servicePacks.set(name, quantityOf(entry.authorizedQuantity));
    user.servicePacks.add(name);
  }
}

function deleteDeviceIfUnused(state: OciMockState, group: GroupRecord, deviceName: string): void {
  const used = state
    .usersInGroup(group.serviceProviderId, group.groupId)
    .some((u) => deviceNameOf(u.fields.accessDeviceEndpoint as Fields | undefined) === deviceName);
  if (!used) group.devices.delete(deviceName);
}

function renameUser(state: OciMockState, user: UserRecord, newUserId: string): void {
  state.users.delete(user.userId);
  state.users.set(newUserId, { ...user, userId: newUserId });
  state.generation++;
  // Settings and memberships follow the user.
  const settings = state.settings.get(ownerKey('user', user.userId));
  state.settings.delete(ownerKey('user', user.userId));
  if (settings) state.settings.set(ownerKey('user', newUserId), settings);
  for (const fields of [...[...state.serviceInstances.values()].map((i) => i.fields), ...[...state.namedInstances.values()].map((n) => n.fields)]) {
    for (const name of memberListNames) {
      const list = fields[name];
      if (Array.isArray(list)) fields[name] = list.map((id) => (id === user.userId ? newUserId : id));
    }
  }
}
