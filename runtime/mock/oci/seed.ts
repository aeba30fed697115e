import { readFileSync } from 'node:fs';
import { OciCommandRejection, OciMockError } from './errors.js';
import { type Authorisation, type Fields, OciMockState, expandPhoneNumbers, fastRecord, namedInstanceKey, ownerKey } from './model.js';
import { authorise } from './handlers/consolidated.js';
import { settingsKeyOf } from './handlers/settings.js';
import { buildDemoSeed } from './seed-demo.js';
import type { SeedFile } from './seed-file.js';

export type { SeedFile } from './seed-file.js';

/** Names of the built-in seeds, accepted wherever a seed file is (`--seed demo`). */
export const builtinSeeds: readonly string[] = ['demo'];

/** Reads a seed JSON file, or builds a built-in seed by name (see seed-demo.ts). */
export function loadSeedFile(path: string): SeedFile {
  if (path === 'demo') return buildDemoSeed();
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
    return fastRecord(fields);
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
      state.addServiceProvider(spId, spItem.isEnterprise === true, fieldsOf(spItem, ['serviceProviderId', 'isEnterprise', ...spStructure])),
    );
    seedAuthorisation(sp.authorisation, spItem);
    list(spItem.servicePacks, `${spPath}.servicePacks`).forEach((pack, k) => {
      const name = id(pack, 'servicePackName', `${spPath}.servicePacks[${k}]`);
      sp.servicePacks.set(name, fieldsOf(pack, ['servicePackName']));
    });
    list(spItem.admins, `${spPath}.admins`).forEach((admin, k) => {
      const userId = id(admin, 'userId', `${spPath}.admins[${k}]`);
      state.admins.set(userId, { userId, serviceProviderId: spId, fields: fieldsOf(admin, ['userId']) });
    });
    for (const n of numbers(spItem.phoneNumbers, `${spPath}.phoneNumbers`)) {
      guarded(`${spPath}.phoneNumbers`, () => {
        if (state.serviceProviderOfNumber(n)) throw new OciCommandRejection(4400, `Phone number already exists in the system: ${n}`);
        sp.phoneNumbers.add(n);
      });
    }
    list(spItem.groups, `${spPath}.groups`).forEach((groupItem, j) => {
      const groupPath = `${spPath}.groups[${j}]`;
      const groupId = id(groupItem, 'groupId', groupPath);
      const group = guarded(groupPath, () => state.addGroup(spId, groupId, fieldsOf(groupItem, ['groupId', 'serviceProviderId', ...groupStructure])));
      for (const n of numbers(groupItem.phoneNumbers, `${groupPath}.phoneNumbers`)) {
        if (!sp.phoneNumbers.has(n)) sp.phoneNumbers.add(n); // a group's numbers belong to its service provider
        group.phoneNumbers.add(n);
        group.activated.add(n); // seeded numbers are ready to use
      }
      for (const n of numbers(groupItem.deactivatedPhoneNumbers, `${groupPath}.deactivatedPhoneNumbers`)) {
        if (!group.phoneNumbers.has(n)) fail(`${groupPath}.deactivatedPhoneNumbers`, `${n} is not among the group's phoneNumbers`);
        group.activated.delete(n);
      }
      seedAuthorisation(group.authorisation, groupItem);
      for (const name of list2(groupItem.groupServices, `${groupPath}.groupServices`)) group.groupServices.add(String(name));
      for (const domain of list2(groupItem.domains, `${groupPath}.domains`)) group.domains.add(String(domain));
      list(groupItem.departments, `${groupPath}.departments`).forEach((department, k) => {
        group.departments.set(id(department, 'departmentName', `${groupPath}.departments[${k}]`), fieldsOf(department, ['departmentName']));
      });
      list(groupItem.admins, `${groupPath}.admins`).forEach((admin, k) => {
        const userId = id(admin, 'userId', `${groupPath}.admins[${k}]`);
        guarded(`${groupPath}.admins[${k}]`, () => {
          if (state.userIdTaken(userId)) throw new OciCommandRejection(4009, `User already exists: ${userId}`);
          state.admins.set(userId, { userId, serviceProviderId: spId, groupId, fields: fieldsOf(admin, ['userId']) });
        });
      });
      list(groupItem.devices, `${groupPath}.devices`).forEach((deviceItem, k) => {
        const devicePath = `${groupPath}.devices[${k}]`;
        const deviceName = id(deviceItem, 'deviceName', devicePath);
        id(deviceItem, 'deviceType', devicePath);
        guarded(devicePath, () => state.addDevice(spId, groupId, deviceName, fieldsOf(deviceItem, ['deviceName'])));
      });
      list(groupItem.users, `${groupPath}.users`).forEach((userItem, k) => {
        const userPath = `${groupPath}.users[${k}]`;
        const userId = id(userItem, 'userId', userPath);
        const fields = fieldsOf(userItem, ['userId', 'serviceProviderId', 'groupId', 'services', 'servicePacks', 'registrations', 'settings']);
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
        user.registrations = list(userItem.registrations, `${userPath}.registrations`).map((r) => ({ ...r }));
        seedSettings(userItem.settings, `${userPath}.settings`, ownerKey('user', userId));
      });
      // Instances come after the users they list (agents, members).
      list(groupItem.serviceInstances, `${groupPath}.serviceInstances`).forEach((item, k) => {
        const path = `${groupPath}.serviceInstances[${k}]`;
        const kind = id(item, 'kind', path);
        const serviceUserId = id(item, 'serviceUserId', path);
        const fields = fieldsOf(item, ['kind', 'serviceUserId', 'settings']);
        const profile = fields.serviceInstanceProfile as Fields | undefined;
        if (typeof profile?.name !== 'string') fail(`${path}.serviceInstanceProfile.name`, 'a profile with a name is required');
        if (typeof profile?.phoneNumber === 'string' && !group.phoneNumbers.has(profile.phoneNumber)) {
          fail(`${path}.serviceInstanceProfile.phoneNumber`, `${profile.phoneNumber} is not among the group's phoneNumbers`);
        }
        for (const member of list2(fields.agentUserId ?? fields.userId, `${path}.agentUserId`)) {
          if (!state.users.has(String(member))) fail(path, `member ${String(member)} is not a user of the seed`);
        }
        fields.isActive ??= true;
        guarded(path, () => state.addServiceInstance(kind, spId, groupId, serviceUserId, fields));
        seedSettings(item.settings, `${path}.settings`, ownerKey('user', serviceUserId));
      });
      list(groupItem.namedInstances, `${groupPath}.namedInstances`).forEach((item, k) => {
        const path = `${groupPath}.namedInstances[${k}]`;
        const kind = id(item, 'kind', path);
        const name = id(item, 'name', path);
        for (const member of list2(item.userId, `${path}.userId`)) {
          if (!state.users.has(String(member))) fail(path, `member ${String(member)} is not a user of the seed`);
        }
        state.namedInstances.set(namedInstanceKey(kind, spId, groupId, name), {
          kind,
          serviceProviderId: spId,
          groupId,
          name,
          fields: fieldsOf(item, ['kind', 'name']),
        });
      });
      seedSettings(groupItem.settings, `${groupPath}.settings`, ownerKey('group', spId, groupId));
    });
  });
  return state;

  /** `settings: { "<Get request family>": { …fields } }` (e.g. UserCallForwardingAlwaysGetRequest). */
  function seedSettings(value: unknown, path: string, owner: string): void {
    if (value === undefined) return;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object keyed by Get request family');
    for (const [family, fields] of Object.entries(value as Record<string, unknown>)) {
      if (typeof fields !== 'object' || fields === null) fail(`${path}.${family}`, 'expected an object');
      Object.assign(state.settingsOf(owner, settingsKeyOf(family)), fields);
    }
  }
}

/** Seed members that are not stored as fields of a service provider. */
const spStructure = ['groups', 'phoneNumbers', 'servicePacks', 'admins', 'userServiceAuthorization', 'groupServiceAuthorization'];
/** Seed members that are not stored as fields of a group. */
const groupStructure = [
  'users',
  'devices',
  'phoneNumbers',
  'deactivatedPhoneNumbers',
  'userServiceAuthorization',
  'groupServiceAuthorization',
  'servicePackAuthorization',
  'groupServices',
  'domains',
  'departments',
  'admins',
  'serviceInstances',
  'namedInstances',
  'settings',
];

/** Authorisation entries in the request form: `{ serviceName | servicePackName, authorizedQuantity: { quantity } | { unlimited: true } }`. */
function seedAuthorisation(target: Authorisation, item: Record<string, unknown>): void {
  authorise(target, item);
}
