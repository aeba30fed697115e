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
}

export interface UserRecord {
  readonly userId: string;
  readonly serviceProviderId: string;
  readonly groupId: string;
  fields: Fields;
  readonly services: Set<string>;
  readonly servicePacks: Set<string>;
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
    const record: ServiceProviderRecord = { serviceProviderId, isEnterprise, fields, groups: new Map(), phoneNumbers: new Set() };
    this.serviceProviders.set(serviceProviderId, record);
    return record;
  }

  /** Deletes a service provider with everything in it (groups, users, devices, numbers). */
  deleteServiceProvider(serviceProviderId: string): void {
    const sp = this.serviceProvider(serviceProviderId);
    for (const groupId of [...sp.groups.keys()]) this.deleteGroup(serviceProviderId, groupId);
    this.serviceProviders.delete(serviceProviderId);
  }

  addGroup(serviceProviderId: string, groupId: string, fields: Fields): GroupRecord {
    const sp = this.serviceProvider(serviceProviderId);
    if (sp.groups.has(groupId)) throw mockErrors.groupExists(serviceProviderId, groupId);
    const record: GroupRecord = { serviceProviderId, groupId, fields, devices: new Map(), phoneNumbers: new Set(), activated: new Set() };
    sp.groups.set(groupId, record);
    return record;
  }

  /** Deletes a group with its users and devices; its numbers go back to the service provider pool. */
  deleteGroup(serviceProviderId: string, groupId: string): void {
    this.group(serviceProviderId, groupId);
    for (const user of this.usersInGroup(serviceProviderId, groupId)) this.users.delete(user.userId);
    this.serviceProviders.get(serviceProviderId)?.groups.delete(groupId);
  }

  addUser(serviceProviderId: string, groupId: string, userId: string, fields: Fields): UserRecord {
    const group = this.group(serviceProviderId, groupId);
    if (this.users.has(userId)) throw mockErrors.userExists(userId);
    const limit = group.fields.userLimit;
    // The group scan is O(users): skip it while the whole system holds fewer users than the limit.
    if (typeof limit === 'number' && this.users.size >= limit && this.usersInGroup(serviceProviderId, groupId).length >= limit) {
      throw mockErrors.userLimitReached(serviceProviderId, groupId, limit);
    }
    const record: UserRecord = { userId, serviceProviderId, groupId, fields, services: new Set(), servicePacks: new Set() };
    this.users.set(userId, record);
    return record;
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

  usersInGroup(serviceProviderId: string, groupId: string): UserRecord[] {
    return [...this.users.values()].filter((u) => u.serviceProviderId === serviceProviderId && u.groupId === groupId);
  }

  usersInServiceProvider(serviceProviderId: string): UserRecord[] {
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

  /** The user whose phoneNumber is this number, if any. */
  userOfNumber(phoneNumber: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.fields.phoneNumber === phoneNumber) return user;
    return undefined;
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

/** `undefined` → [], a single value → [value], an array → itself. */
export function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
