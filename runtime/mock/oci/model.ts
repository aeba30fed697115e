import { mockErrors } from './error-catalogue.js';

/**
 * The provisioning state of the mock server: service providers (and enterprises), their
 * groups, users, access devices, phone numbers and user service assignments. One instance is
 * shared by every listener (TCP, TLS, SOAP) of a server.
 *
 * Entities keep their attributes in `fields`, keyed by the exact XML element names of the
 * Add/Modify requests (the value form of runtime/oci/meta.ts), so handlers can copy request
 * members in and overlay them onto any version of the Get responses without per-field code.
 */
export type Fields = Record<string, unknown>;

export interface ServiceProviderRecord {
  readonly serviceProviderId: string;
  isEnterprise: boolean;
  fields: Fields;
  readonly groups: Map<string, GroupRecord>;
  /** Phone numbers added to the service provider (ServiceProviderDnAddList), in insertion order. */
  readonly phoneNumbers: Set<string>;
  /** Services and service packs the system authorised to this service provider. */
  readonly authorisation: Authorisation;
  /** Service packs defined by the service provider: name → {servicePackDescription, isAvailableForUse, servicePackQuantity, serviceName[]}. */
  readonly servicePacks: Map<string, Fields>;
}

/**
 * Authorised quantities: a number, or `'Unlimited'`. Absent = not authorised. The key is the
 * service or service pack name (the `UserService`/`GroupService` enumeration values).
 */
export type Quantity = number | 'Unlimited';
export interface Authorisation {
  readonly userServices: Map<string, Quantity>;
  readonly groupServices: Map<string, Quantity>;
  readonly servicePacks: Map<string, Quantity>;
}

/** A service instance that is a "virtual user" of a group (hunt group, call center, auto attendant, …), keyed by serviceUserId. */
export interface ServiceInstanceRecord {
  /** The family stem, e.g. `HuntGroup`, `CallCenter`, `AutoAttendant`, `GroupPaging`. */
  readonly kind: string;
  readonly serviceProviderId: string;
  readonly groupId: string;
  readonly serviceUserId: string;
  /** Request members by XML name; the profile lives in `serviceInstanceProfile`. */
  fields: Fields;
}

/** A group service instance keyed by name (call pickup groups, trunk groups, call park groups, …). */
export interface NamedInstanceRecord {
  readonly kind: string;
  readonly serviceProviderId: string;
  readonly groupId: string;
  name: string;
  fields: Fields;
}

/** A group or service provider administrator. */
export interface AdminRecord {
  readonly userId: string;
  readonly serviceProviderId: string;
  /** Absent for service provider administrators. */
  readonly groupId?: string;
  fields: Fields;
}

export interface GroupRecord {
  readonly serviceProviderId: string;
  readonly groupId: string;
  fields: Fields;
  readonly devices: Map<string, DeviceRecord>;
  /** Phone numbers assigned to the group (GroupDnAssignList). */
  readonly phoneNumbers: Set<string>;
  /** Numbers of the group that are activated (GroupDnActivateList). */
  readonly activated: Set<string>;
  /** Services and service packs the service provider authorised to this group. */
  readonly authorisation: Authorisation;
  /** Group services assigned to the group (GroupServiceAssignList). */
  readonly groupServices: Set<string>;
  /** Departments by name: fields of GroupDepartmentAdd (callingLineIdName, parentDepartmentKey, …). */
  readonly departments: Map<string, Fields>;
  /** Extra domains assigned to the group (besides defaultDomain). */
  readonly domains: Set<string>;
}

export interface UserRecord {
  readonly userId: string;
  readonly serviceProviderId: string;
  readonly groupId: string;
  fields: Fields;
  readonly services: Set<string>;
  readonly servicePacks: Set<string>;
  /** SIP registrations (seeded only: a mock has no SIP side), one row each by column heading. */
  registrations: Fields[];
}

export interface DeviceRecord {
  readonly serviceProviderId: string;
  readonly groupId: string;
  readonly deviceName: string;
  fields: Fields;
}

/** Device types the mock knows unless the seed lists its own (an unknown one gives `[Error 4501]`). */
export const defaultDeviceTypes: readonly string[] = [
  'Generic SIP Phone',
  'Polycom VVX 400',
  'Polycom VVX 500',
  'Polycom Soundpoint IP 650',
  'Cisco 8841',
  'Cisco 7841',
  'Yealink T46S',
  'Yealink T54W',
  'Business Communicator - PC',
  'Business Communicator - Mobile',
];

/** Largest DN range accepted in one `dnRange` (keeps a typo from allocating millions of numbers). */
export const maxDnRangeSize = 10_000;

export class OciMockState {
  readonly serviceProviders = new Map<string, ServiceProviderRecord>();
  readonly users = new Map<string, UserRecord>();
  /** Service instances that are virtual users (hunt groups, call centers, …), by serviceUserId. */
  readonly serviceInstances = new Map<string, ServiceInstanceRecord>();
  /** Named group service instances, by namedInstanceKey(). */
  readonly namedInstances = new Map<string, NamedInstanceRecord>();
  /** Group and service provider administrators, by userId. */
  readonly admins = new Map<string, AdminRecord>();
  /**
   * Settings of Get/Modify request pairs (call forwarding, do not disturb, voice messaging,
   * admin policies, …): owner key → settings key (the family with its verb cut out) → fields.
   */
  readonly settings = new Map<string, Map<string, Fields>>();
  /** Data-changing requests the model does not cover, by request type (answered, counted, changed nothing). */
  readonly unmodelled = new Map<string, number>();
  /**
   * Bumped by the engine before and after every request that may change data (any modelled
   * family but a Get and the login ones), by the methods here that add or delete users and
   * service instances, by the rename of a user (handlers/consolidated.ts), and by every access to
   * `OciMockServer.state` from outside, so indexes built
   * for reads (a group's users, a number's owner, a device's users) and the answers kept for reads
   * (read-answers.ts, respondShared) know when to rebuild.
   */
  generation = 0;
  private readIndex: ReadIndex | undefined;
  /** Reads since the state last changed while the read index was stale (see index()). */
  private staleReads = { generation: -1, users: -1, serviceInstances: -1, count: 0 };
  readonly deviceTypes = new Set<string>(defaultDeviceTypes);
  softwareVersion = '25.0_1.1000';

  // --- lookups that answer with the real error when the object is missing ---

  serviceProvider(serviceProviderId: string): ServiceProviderRecord {
    const found = this.serviceProviders.get(serviceProviderId);
    if (!found) throw mockErrors.serviceProviderNotFound(serviceProviderId);
    return found;
  }

  group(serviceProviderId: string, groupId: string): GroupRecord {
    const found = this.serviceProviders.get(serviceProviderId)?.groups.get(groupId);
    if (!found) throw mockErrors.groupNotFound(serviceProviderId, groupId);
    return found;
  }

  user(userId: string): UserRecord {
    const found = this.users.get(userId);
    if (!found) throw mockErrors.userNotFound(userId);
    return found;
  }

  device(serviceProviderId: string, groupId: string, deviceName: string): DeviceRecord {
    const found = this.group(serviceProviderId, groupId).devices.get(deviceName);
    if (!found) throw mockErrors.deviceNotFound(serviceProviderId, groupId, deviceName);
    return found;
  }

  // --- changes ---

  addServiceProvider(serviceProviderId: string, isEnterprise: boolean, fields: Fields): ServiceProviderRecord {
    if (this.serviceProviders.has(serviceProviderId)) throw mockErrors.serviceProviderExists(serviceProviderId);
    const record: ServiceProviderRecord = {
      serviceProviderId,
      isEnterprise,
      fields,
      groups: new Map(),
      phoneNumbers: new Set(),
      authorisation: emptyAuthorisation(),
      servicePacks: new Map(),
    };
    this.serviceProviders.set(serviceProviderId, record);
    return record;
  }

  /** Deletes a service provider with everything in it (groups, users, devices, numbers). */
  deleteServiceProvider(serviceProviderId: string): void {
    const sp = this.serviceProvider(serviceProviderId);
    for (const groupId of [...sp.groups.keys()]) this.deleteGroup(serviceProviderId, groupId);
    for (const admin of [...this.admins.values()]) if (admin.serviceProviderId === serviceProviderId) this.admins.delete(admin.userId);
    this.settings.delete(ownerKey('serviceProvider', serviceProviderId));
    this.serviceProviders.delete(serviceProviderId);
  }

  addGroup(serviceProviderId: string, groupId: string, fields: Fields): GroupRecord {
    const sp = this.serviceProvider(serviceProviderId);
    if (sp.groups.has(groupId)) throw mockErrors.groupExists(serviceProviderId, groupId);
    const record: GroupRecord = {
      serviceProviderId,
      groupId,
      fields,
      devices: new Map(),
      phoneNumbers: new Set(),
      activated: new Set(),
      authorisation: emptyAuthorisation(),
      groupServices: new Set(),
      departments: new Map(),
      domains: new Set(),
    };
    sp.groups.set(groupId, record);
    return record;
  }

  /** Deletes a group with its users and devices; its numbers go back to the service provider pool. */
  deleteGroup(serviceProviderId: string, groupId: string): void {
    this.group(serviceProviderId, groupId);
    for (const user of this.usersInGroup(serviceProviderId, groupId)) this.deleteUser(user.userId);
    for (const instance of this.instancesInGroup(serviceProviderId, groupId)) this.deleteServiceInstance(instance.serviceUserId);
    for (const [key, named] of [...this.namedInstances]) {
      if (named.serviceProviderId === serviceProviderId && named.groupId === groupId) this.namedInstances.delete(key);
    }
    for (const admin of [...this.admins.values()])
      if (admin.groupId === groupId && admin.serviceProviderId === serviceProviderId) this.admins.delete(admin.userId);
    this.settings.delete(ownerKey('group', serviceProviderId, groupId));
    this.serviceProviders.get(serviceProviderId)?.groups.delete(groupId);
  }

  addUser(serviceProviderId: string, groupId: string, userId: string, fields: Fields): UserRecord {
    const group = this.group(serviceProviderId, groupId);
    if (this.userIdTaken(userId)) throw mockErrors.userExists(userId);
    const limit = group.fields.userLimit;
    // The group scan is O(users): skip it while the whole system holds fewer users than the limit.
    if (typeof limit === 'number' && this.users.size >= limit && this.userCountInGroup(serviceProviderId, groupId) >= limit) {
      throw mockErrors.userLimitReached(serviceProviderId, groupId, limit);
    }
    const record: UserRecord = { userId, serviceProviderId, groupId, fields, services: new Set(), servicePacks: new Set(), registrations: [] };
    this.users.set(userId, record);
    this.generation++;
    return record;
  }

  /** Deletes a user with their settings, and takes them out of every instance that lists them. */
  deleteUser(userId: string): void {
    this.user(userId);
    this.users.delete(userId);
    this.generation++;
    this.settings.delete(ownerKey('user', userId));
    for (const instance of this.serviceInstances.values()) removeMember(instance.fields, userId);
    for (const named of this.namedInstances.values()) removeMember(named.fields, userId);
  }

  /** User ids, service user ids and administrator ids share one namespace, as on a real server. */
  userIdTaken(userId: string): boolean {
    return this.users.has(userId) || this.serviceInstances.has(userId) || this.admins.has(userId);
  }

  serviceInstance(serviceUserId: string, kind?: string): ServiceInstanceRecord {
    const found = this.serviceInstances.get(serviceUserId);
    if (!found || (kind !== undefined && found.kind !== kind)) throw mockErrors.userNotFound(serviceUserId);
    return found;
  }

  addServiceInstance(kind: string, serviceProviderId: string, groupId: string, serviceUserId: string, fields: Fields): ServiceInstanceRecord {
    this.group(serviceProviderId, groupId);
    if (this.userIdTaken(serviceUserId)) throw mockErrors.userExists(serviceUserId);
    const record: ServiceInstanceRecord = { kind, serviceProviderId, groupId, serviceUserId, fields };
    this.serviceInstances.set(serviceUserId, record);
    this.generation++;
    return record;
  }

  deleteServiceInstance(serviceUserId: string): void {
    this.serviceInstances.delete(serviceUserId);
    this.generation++;
    this.settings.delete(ownerKey('user', serviceUserId));
  }

  instancesInGroup(serviceProviderId: string, groupId: string, kind?: string): ServiceInstanceRecord[] {
    return [...this.serviceInstances.values()].filter(
      (i) => i.serviceProviderId === serviceProviderId && i.groupId === groupId && (kind === undefined || i.kind === kind),
    );
  }

  namedInstance(kind: string, serviceProviderId: string, groupId: string, name: string): NamedInstanceRecord | undefined {
    return this.namedInstances.get(namedInstanceKey(kind, serviceProviderId, groupId, name));
  }

  /** Settings of one owner (see `settings`), created empty on first use. */
  settingsOf(owner: string, key: string): Fields {
    let byKey = this.settings.get(owner);
    if (!byKey) this.settings.set(owner, (byKey = new Map()));
    let fields = byKey.get(key);
    if (!fields) byKey.set(key, (fields = {}));
    return fields;
  }

  /** Users of a group who hold a service, directly or through one of their service packs. */
  usersWithService(serviceProviderId: string, groupId: string, service: string): UserRecord[] {
    const packs = this.serviceProviders.get(serviceProviderId)?.servicePacks;
    return this.usersInGroup(serviceProviderId, groupId).filter(
      (u) => u.services.has(service) || [...u.servicePacks].some((p) => toArray(packs?.get(p)?.serviceName).includes(service)),
    );
  }

  /** How many users of a group hold each service, directly or through their service packs (one pass over the group). */
  serviceUsage(serviceProviderId: string, groupId: string): Map<string, number> {
    const packs = this.serviceProviders.get(serviceProviderId)?.servicePacks;
    const usage = new Map<string, number>();
    for (const user of this.usersInGroup(serviceProviderId, groupId)) {
      const held = new Set(user.services);
      for (const pack of user.servicePacks) for (const service of toArray(packs?.get(pack)?.serviceName)) if (typeof service === 'string') held.add(service);
      for (const service of held) usage.set(service, (usage.get(service) ?? 0) + 1);
    }
    return usage;
  }

  addDevice(serviceProviderId: string, groupId: string, deviceName: string, fields: Fields): DeviceRecord {
    const group = this.group(serviceProviderId, groupId);
    if (group.devices.has(deviceName)) throw mockErrors.deviceExists(serviceProviderId, groupId, deviceName);
    const deviceType = fields.deviceType;
    if (typeof deviceType === 'string' && !this.deviceTypes.has(deviceType)) throw mockErrors.deviceTypeNotFound(deviceType);
    const record: DeviceRecord = { serviceProviderId, groupId, deviceName, fields };
    group.devices.set(deviceName, record);
    return record;
  }

  // --- queries ---

  /** The group's users in the order they were added (a fresh array: the caller may change it). */
  usersInGroup(serviceProviderId: string, groupId: string): UserRecord[] {
    const index = this.index();
    if (index) return [...(index.usersByGroup.get(groupKey(serviceProviderId, groupId)) ?? [])];
    return [...this.users.values()].filter((u) => u.serviceProviderId === serviceProviderId && u.groupId === groupId);
  }

  /** How many users the group has. */
  userCountInGroup(serviceProviderId: string, groupId: string): number {
    const index = this.index();
    if (index) return index.usersByGroup.get(groupKey(serviceProviderId, groupId))?.length ?? 0;
    let count = 0;
    for (const u of this.users.values()) if (u.serviceProviderId === serviceProviderId && u.groupId === groupId) count++;
    return count;
  }

  usersInServiceProvider(serviceProviderId: string): UserRecord[] {
    const index = this.index();
    if (index) return [...(index.usersByServiceProvider.get(serviceProviderId) ?? [])];
    return [...this.users.values()].filter((u) => u.serviceProviderId === serviceProviderId);
  }

  /** The service provider holding a phone number in its pool, if any. */
  serviceProviderOfNumber(phoneNumber: string): ServiceProviderRecord | undefined {
    for (const sp of this.serviceProviders.values()) if (sp.phoneNumbers.has(phoneNumber)) return sp;
    return undefined;
  }

  /** The group a phone number is assigned to, if any. */
  groupOfNumber(phoneNumber: string): GroupRecord | undefined {
    for (const sp of this.serviceProviders.values()) {
      for (const group of sp.groups.values()) if (group.phoneNumbers.has(phoneNumber)) return group;
    }
    return undefined;
  }

  /** The user whose phoneNumber is this number, if any (the first added, should two share it). */
  userOfNumber(phoneNumber: string): UserRecord | undefined {
    const index = this.index();
    if (index) return index.userByNumber.get(phoneNumber);
    for (const user of this.users.values()) if (user.fields.phoneNumber === phoneNumber) return user;
    return undefined;
  }

  /** Users of the device's group whose stored endpoint names the device, in the order they were added. */
  usersOnDevice(serviceProviderId: string, groupId: string, deviceName: string): UserRecord[] {
    const index = this.index();
    if (index) return [...(index.usersByDevice.get(deviceKey(serviceProviderId, groupId, deviceName)) ?? [])];
    return [...this.users.values()].filter((u) => u.serviceProviderId === serviceProviderId && u.groupId === groupId && endpointDeviceOf(u) === deviceName);
  }

  /** The service instance whose profile carries this number, if any (the first added, should two share it). */
  serviceInstanceOfNumber(phoneNumber: string): ServiceInstanceRecord | undefined {
    const index = this.index();
    if (index) return index.instanceByNumber.get(phoneNumber);
    for (const instance of this.serviceInstances.values()) {
      if ((instance.fields.serviceInstanceProfile as Fields | undefined)?.phoneNumber === phoneNumber) return instance;
    }
    return undefined;
  }

  /** Who uses a number: a user's id, or a service instance's serviceUserId. */
  ownerOfNumber(phoneNumber: string): string | undefined {
    return this.userOfNumber(phoneNumber)?.userId ?? this.serviceInstanceOfNumber(phoneNumber)?.serviceUserId;
  }

  /**
   * The read indexes, or undefined when the caller should scan: reads of a large group (an audit
   * asks for each user and number) then cost a lookup instead of a pass over every user.
   * Handlers change fields in place, so the index is only trusted while nothing may have changed
   * since it was built: the generation (bumped by the engine around every data-changing request,
   * and here on every add, delete or rename) and the sizes are the same. A stale index is rebuilt
   * (one pass) only once a few reads happened since the last change, so that a run of changes
   * that each read once (a bulk add checking each user's number) keeps scanning, not rebuilding.
   */
  private index(): ReadIndex | undefined {
    const current = this.readIndex;
    const { generation } = this;
    const users = this.users.size;
    const serviceInstances = this.serviceInstances.size;
    if (current && current.generation === generation && current.users === users && current.serviceInstances === serviceInstances) return current;
    const stale = this.staleReads;
    if (stale.generation !== generation || stale.users !== users || stale.serviceInstances !== serviceInstances) {
      this.staleReads = { generation, users, serviceInstances, count: 1 };
      return undefined;
    }
    if (++stale.count <= readsBeforeIndexing) return undefined;
    const index: ReadIndex = {
      generation: this.generation,
      users: this.users.size,
      serviceInstances: this.serviceInstances.size,
      usersByGroup: new Map(),
      usersByServiceProvider: new Map(),
      userByNumber: new Map(),
      instanceByNumber: new Map(),
      usersByDevice: new Map(),
    };
    for (const user of this.users.values()) {
      pushTo(index.usersByGroup, groupKey(user.serviceProviderId, user.groupId), user);
      pushTo(index.usersByServiceProvider, user.serviceProviderId, user);
      const number = user.fields.phoneNumber;
      if (typeof number === 'string' && !index.userByNumber.has(number)) index.userByNumber.set(number, user);
      const device = endpointDeviceOf(user);
      if (device !== undefined) pushTo(index.usersByDevice, deviceKey(user.serviceProviderId, user.groupId, device), user);
    }
    for (const instance of this.serviceInstances.values()) {
      const number = (instance.fields.serviceInstanceProfile as Fields | undefined)?.phoneNumber;
      if (typeof number === 'string' && !index.instanceByNumber.has(number)) index.instanceByNumber.set(number, instance);
    }
    this.readIndex = index;
    return index;
  }

  /** A plain-JSON snapshot (for debugging and tests); the same shape as a seed file. */
  snapshot(): object {
    return {
      softwareVersion: this.softwareVersion,
      deviceTypes: [...this.deviceTypes],
      serviceProviders: [...this.serviceProviders.values()].map((sp) => ({
        serviceProviderId: sp.serviceProviderId,
        isEnterprise: sp.isEnterprise,
        ...sp.fields,
        phoneNumbers: [...sp.phoneNumbers],
        groups: [...sp.groups.values()].map((g) => ({
          groupId: g.groupId,
          ...g.fields,
          phoneNumbers: [...g.phoneNumbers],
          devices: [...g.devices.values()].map((d) => ({ deviceName: d.deviceName, ...d.fields })),
          users: this.usersInGroup(g.serviceProviderId, g.groupId).map((u) => ({
            userId: u.userId,
            ...u.fields,
            services: [...u.services],
            servicePacks: [...u.servicePacks],
          })),
        })),
      })),
    };
  }
}

/** Reads after a change that scan before the read index is rebuilt (see OciMockState.index). */
const readsBeforeIndexing = 4;

/** Users and service instances looked up by group and number (see OciMockState.index). */
interface ReadIndex {
  readonly generation: number;
  readonly users: number;
  readonly serviceInstances: number;
  /** By groupKey(), in the order the users were added. */
  readonly usersByGroup: Map<string, UserRecord[]>;
  readonly usersByServiceProvider: Map<string, UserRecord[]>;
  readonly userByNumber: Map<string, UserRecord>;
  readonly instanceByNumber: Map<string, ServiceInstanceRecord>;
  /** By deviceKey(): the users whose stored endpoint names the device. */
  readonly usersByDevice: Map<string, UserRecord[]>;
}

function deviceKey(serviceProviderId: string, groupId: string, deviceName: string): string {
  return `${serviceProviderId}\u0000${groupId}\u0000${deviceName}`;
}

/** The device a user's stored endpoint names, if any (as text: a seed may give a number). */
function endpointDeviceOf(user: UserRecord): string | undefined {
  const name = (user.fields.accessDeviceEndpoint as { accessDevice?: { deviceName?: unknown } } | undefined)?.accessDevice?.deviceName;
  return name === undefined ? undefined : String(name);
}

function groupKey(serviceProviderId: string, groupId: string): string {
  return `${serviceProviderId}\u0000${groupId}`;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Expands phone numbers and `{minPhoneNumber, maxPhoneNumber}` ranges into single numbers.
 * A range keeps the prefix of its bounds (`+1-2025550100`..`+1-2025550109`); bounds that do
 * not share a prefix and length, are reversed, or span more than maxDnRangeSize numbers are rejected.
 */
export function expandPhoneNumbers(single: unknown, ranges: unknown): string[] {
  const out: string[] = [];
  for (const n of toArray(single)) if (typeof n === 'string') out.push(n);
  for (const range of toArray(ranges)) {
    const { minPhoneNumber: min, maxPhoneNumber: max } = (range ?? {}) as { minPhoneNumber?: string; maxPhoneNumber?: string };
    if (typeof min !== 'string' || typeof max !== 'string') continue;
    const a = /^(.*?)(\d+)$/.exec(min);
    const b = /^(.*?)(\d+)$/.exec(max);
    if (!a || !b || a[1] !== b[1] || a[2].length !== b[2].length) throw mockErrors.invalidDnRange(min, max);
    const from = BigInt(a[2]);
    const to = BigInt(b[2]);
    if (to < from || to - from >= BigInt(maxDnRangeSize)) throw mockErrors.invalidDnRange(min, max);
    for (let n = from; n <= to; n++) out.push(a[1] + n.toString().padStart(a[2].length, '0'));
  }
  return out;
}

export function emptyAuthorisation(): Authorisation {
  return { userServices: new Map(), groupServices: new Map(), servicePacks: new Map() };
}

/** The key of an owner of settings: a user (or service user, or administrator), a service provider, or a group. */
export function ownerKey(level: 'user' | 'serviceProvider' | 'group', ...ids: string[]): string {
  return `${level}\u0000${ids.join('\u0000')}`;
}

export function namedInstanceKey(kind: string, serviceProviderId: string, groupId: string, name: string): string {
  return `${kind}\u0000${serviceProviderId}\u0000${groupId}\u0000${name}`;
}

/** Member lists of instances (agents, pickup members, paging targets) by the element names that hold user ids. */
export const memberListNames = ['agentUserId', 'userId', 'originatorUserId', 'targetUserId', 'hostedUserId'] as const;

function removeMember(fields: Fields, userId: string): void {
  for (const name of memberListNames) {
    const list = fields[name];
    if (Array.isArray(list)) fields[name] = list.filter((id) => id !== userId);
  }
}

/**
 * A shallow copy of a stored record with `extra` members set after its own, like
 * `{ ...fields, ...extra }`. Object.assign, not a spread: on the records the mock keeps (many
 * members, built up one by one), V8 makes a spread copy many times slower, and the copy slower
 * to read and extend.
 */
export function copyFields(fields: Fields, extra?: Fields): Fields {
  return extra === undefined ? Object.assign({}, fields) : Object.assign({}, fields, extra);
}

/** Members an object started empty can gain one by one and stay in V8's fast form (measured on Node 20). */
const maxMembersAddedOneByOne = 19;

/**
 * `record` itself, or for one of more than 19 members a copy made in one step: V8 (Node 20) turns
 * an object started empty that gains more members than that one by one into a slow dictionary,
 * and stored records and answers are read, copied and encoded again on every Get.
 */
export function fastRecord<T extends Record<string, unknown>>(record: T): T {
  return Object.keys(record).length > maxMembersAddedOneByOne ? (Object.fromEntries(Object.entries(record)) as T) : record;
}

/** `undefined` → [], a single value → [value], an array → itself. */
export function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
