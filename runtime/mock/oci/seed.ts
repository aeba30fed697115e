import { readFileSync } from 'node:fs';
import { OciCommandRejection, OciMockError } from './errors.js';
import { type Fields, OciMockState, expandPhoneNumbers } from './model.js';

/**
 * Seed data: the provisioning state a mock starts with. The JSON shape (see
 * test/fixtures/mock/seed.json and docs/oci-mock.md):
 *
 * ```json
 * { "softwareVersion": "25.0_1.1000", "deviceTypes": ["Polycom VVX 400"],
 *   "serviceProviders": [{ "serviceProviderId": "acme", "isEnterprise": true, "defaultDomain": "acme.example",
 *     "phoneNumbers": ["2025550100", { "minPhoneNumber": "2025550110", "maxPhoneNumber": "2025550119" }],
 *     "groups": [{ "groupId": "hq", "defaultDomain": "acme.example", "userLimit": 100, "phoneNumbers": ["2025550100"],
 *       "devices": [{ "deviceName": "lobby", "deviceType": "Polycom VVX 400" }],
 *       "users": [{ "userId": "alice@acme.example", "lastName": "Smith", "firstName": "Alice", "services": ["Voice Messaging User"] }] }] }] }
 * ```
 * Every other member of a service provider, group, device or user is stored as a field under
 * its XML element name (as in the Add requests) and shows up in Get responses.
 */
export interface SeedFile {
  softwareVersion?: string;
  deviceTypes?: string[];
  serviceProviders?: Record<string, unknown>[];
}

/** Reads a seed JSON file. */
export function loadSeedFile(path: string): SeedFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SeedFile;
  } catch (error) {
    throw new OciMockError('TH_ERR_OCI_MOCK_SEED', `cannot read seed file ${path}: ${(error as Error).message}`, { cause: error, context: { path } });
  }
}

/** Builds the state from seed data; a malformed seed gives TH_ERR_OCI_MOCK_SEED naming the path of the problem. */
export function stateFromSeed(seed: SeedFile | undefined, origin = 'seed'): OciMockState {
  const state = new OciMockState();
  if (seed === undefined) return state;
  const fail = (path: string, message: string): never => {
    throw new OciMockError('TH_ERR_OCI_MOCK_SEED', `${origin}: ${path}: ${message}`, { context: { path } });
  };
  if (typeof seed !== 'object' || seed === null || Array.isArray(seed)) fail('$', 'expected an object');
  for (const key of Object.keys(seed)) {
    if (!['softwareVersion', 'deviceTypes', 'serviceProviders'].includes(key))
      fail(key, 'unknown member (expected softwareVersion, deviceTypes, serviceProviders)');
  }
  if (seed.softwareVersion !== undefined) {
    if (typeof seed.softwareVersion !== 'string') fail('softwareVersion', 'expected a string');
    state.softwareVersion = seed.softwareVersion as string;
  }
  if (seed.deviceTypes !== undefined) {
    if (!Array.isArray(seed.deviceTypes) || seed.deviceTypes.some((t) => typeof t !== 'string')) fail('deviceTypes', 'expected an array of strings');
    for (const t of seed.deviceTypes as string[]) state.deviceTypes.add(t);
  }
  const list = (value: unknown, path: string): Record<string, unknown>[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return fail(path, 'expected an array');
    value.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(`${path}[${i}]`, 'expected an object');
    });
    return value as Record<string, unknown>[];
  };
  const id = (item: Record<string, unknown>, key: string, path: string): string => {
    const value = item[key];
    if (typeof value !== 'string' || value === '') return fail(`${path}.${key}`, 'a non-empty string is required');
    return value;
  };
  const fieldsOf = (item: Record<string, unknown>, skip: string[]): Fields => {
    const fields: Fields = {};
    for (const [key, value] of Object.entries(item)) if (!skip.includes(key) && value !== undefined && value !== null) fields[key] = value;
    return fields;
  };
  const numbers = (value: unknown, path: string): string[] => {
    const items = list2(value, path);
    try {
      return expandPhoneNumbers(
        items.filter((n) => typeof n === 'string'),
        items.filter((n) => typeof n === 'object'),
      );
    } catch (error) {
      return fail(path, error instanceof OciCommandRejection ? error.text : String(error));
    }
  };
  const list2 = (value: unknown, path: string): unknown[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return fail(path, 'expected an array of numbers and {minPhoneNumber, maxPhoneNumber} ranges');
    return value;
  };
  // Seeding uses the same state operations as the commands, so the same rules apply (and fail with a path).
  const guarded = <T>(path: string, action: () => T): T => {
    try {
      return action();
    } catch (error) {
      return fail(path, error instanceof OciCommandRejection ? error.message : String(error));
    }
  };

  list(seed.serviceProviders, 'serviceProviders').forEach((spItem, i) => {
    const spPath = `serviceProviders[${i}]`;
    const spId = id(spItem, 'serviceProviderId', spPath);
    const sp = guarded(spPath, () =>
      state.addServiceProvider(spId, spItem.isEnterprise === true, fieldsOf(spItem, ['serviceProviderId', 'isEnterprise', 'groups', 'phoneNumbers'])),
    );
    for (const n of numbers(spItem.phoneNumbers, `${spPath}.phoneNumbers`)) {
      guarded(`${spPath}.phoneNumbers`, () => {
        if (state.serviceProviderOfNumber(n)) throw new OciCommandRejection(4400, `Phone number already exists in the system: ${n}`);
        sp.phoneNumbers.add(n);
      });
    }
    list(spItem.groups, `${spPath}.groups`).forEach((groupItem, j) => {
      const groupPath = `${spPath}.groups[${j}]`;
      const groupId = id(groupItem, 'groupId', groupPath);
      const group = guarded(groupPath, () =>
        state.addGroup(spId, groupId, fieldsOf(groupItem, ['groupId', 'serviceProviderId', 'users', 'devices', 'phoneNumbers'])),
      );
      for (const n of numbers(groupItem.phoneNumbers, `${groupPath}.phoneNumbers`)) {
        if (!sp.phoneNumbers.has(n)) sp.phoneNumbers.add(n); // a group's numbers belong to its service provider
        group.phoneNumbers.add(n);
        group.activated.add(n); // seeded numbers are ready to use
      }
      list(groupItem.devices, `${groupPath}.devices`).forEach((deviceItem, k) => {
        const devicePath = `${groupPath}.devices[${k}]`;
        const deviceName = id(deviceItem, 'deviceName', devicePath);
        id(deviceItem, 'deviceType', devicePath);
        guarded(devicePath, () => state.addDevice(spId, groupId, deviceName, fieldsOf(deviceItem, ['deviceName'])));
      });
      list(groupItem.users, `${groupPath}.users`).forEach((userItem, k) => {
        const userPath = `${groupPath}.users[${k}]`;
        const userId = id(userItem, 'userId', userPath);
        const fields = fieldsOf(userItem, ['userId', 'serviceProviderId', 'groupId', 'services', 'servicePacks']);
        fields.lastName ??= userId;
        fields.firstName ??= userId;
        fields.callingLineIdLastName ??= fields.lastName;
        fields.callingLineIdFirstName ??= fields.firstName;
        if (typeof fields.phoneNumber === 'string' && !group.phoneNumbers.has(fields.phoneNumber)) {
          fail(`${userPath}.phoneNumber`, `${fields.phoneNumber} is not among the group's phoneNumbers`);
        }
        const user = guarded(userPath, () => state.addUser(spId, groupId, userId, fields));
        for (const s of list2(userItem.services, `${userPath}.services`)) user.services.add(String(s));
        for (const s of list2(userItem.servicePacks, `${userPath}.servicePacks`)) user.servicePacks.add(String(s));
      });
    });
  });
  return state;
}
