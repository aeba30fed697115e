// No false successes: each consolidated add, modify and delete changes the model with every
// part it carries, read back with the matching Get; a refused one changes nothing; a
// data-changing request the mock does not model is counted, and refused in strict mode.
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { toRecords } from '../../runtime/oci/table.js';
import { collectIssues } from '../../runtime/oci/validate.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;
let c: RawOciConnection;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

afterEach(async () => {
  await c?.close();
  await server?.close();
});

async function start(strict = false): Promise<void> {
  server = await startOciMock({ tcpPort: 0, schema, strict });
  c = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  await c.loginHashed();
}

async function ok(command: OciCommand): Promise<OciCommand> {
  const response = await c.one(command);
  expect(collectIssues(schema, response)).toEqual([]);
  if (response.$type === 'ErrorResponse') throw new Error(`${command.$type}: ${String(response.summary)}`);
  return response;
}

async function fails(command: OciCommand): Promise<number | undefined> {
  const response = await c.one(command);
  expect(response.$type).toBe('ErrorResponse');
  return errorNumber(response);
}

const records = (table: unknown) => toRecords(table as Parameters<typeof toRecords>[0]);
const unlimited = { unlimited: true };

async function addServiceProvider(): Promise<void> {
  await ok({
    $type: 'ServiceProviderConsolidatedAddRequest',
    isEnterprise: true,
    serviceProviderId: 'ent1',
    defaultDomain: 'ent1.example',
    serviceProviderName: 'Enterprise One',
    admin: [{ userId: 'ent1-admin', lastName: 'Admin', firstName: 'Ent', password: 'Pw-12345', administratorType: 'Normal' }],
    userServiceAuthorization: [
      { serviceName: 'Voice Messaging User', authorizedQuantity: unlimited },
      { serviceName: 'Call Forwarding Always', authorizedQuantity: { quantity: 10 } },
    ],
    servicePack: [
      {
        servicePackName: 'Basic',
        servicePackDescription: 'Basic pack',
        isAvailableForUse: true,
        servicePackQuantity: unlimited,
        serviceName: ['Call Forwarding Busy'],
      },
    ],
    phoneNumber: ['2025551000'],
    dnRange: [{ minPhoneNumber: '2025551001', maxPhoneNumber: '2025551009' }],
  });
}

async function addGroup(): Promise<void> {
  await ok({
    $type: 'GroupConsolidatedAddRequest22',
    serviceProviderId: 'ent1',
    groupId: 'g1',
    defaultDomain: 'ent1.example',
    userLimit: 50,
    groupName: 'Group One',
    timeZone: 'America/Chicago',
    domain: ['alt.ent1.example'],
    admin: [{ userId: 'g1-admin', lastName: 'Admin', firstName: 'Group' }],
    groupServiceAuthorizationAndAssignment: [{ serviceName: 'Hunt Group', authorizedQuantity: unlimited, assign: true }],
    userServiceAuthorization: [{ serviceName: 'Voice Messaging User', authorizedQuantity: { quantity: 5 } }],
    servicePackAuthorization: [{ servicePackName: 'Basic', authorizedQuantity: unlimited }],
    activatablePhoneNumber: [{ DN: '2025551000', activate: true }],
    activatableDNRange: [{ minPhoneNumber: '2025551001', maxPhoneNumber: '2025551003', activate: false }],
  });
}

test('ServiceProviderConsolidatedAdd creates the service provider with admins, authorisations, packs and numbers', async () => {
  await start();
  await addServiceProvider();
  const sp = await ok({ $type: 'ServiceProviderGetRequest22V4', serviceProviderId: 'ent1' });
  expect(sp.serviceProviderName).toBe('Enterprise One');
  expect(sp.isEnterprise).toBe(true);
  const admins = records((await ok({ $type: 'ServiceProviderAdminGetListRequest14', serviceProviderId: 'ent1' })).serviceProviderAdminTable);
  expect(admins.map((a) => a['Administrator ID'])).toEqual(['ent1-admin']);
  const packs = await ok({ $type: 'ServiceProviderServicePackGetListRequest', serviceProviderId: 'ent1' });
  expect(packs.servicePackName).toEqual(['Basic']);
  const detail = await ok({ $type: 'ServiceProviderServicePackGetDetailListRequest', serviceProviderId: 'ent1', servicePackName: 'Basic' });
  expect(records(detail.userServiceTable).map((r) => r.Service)).toEqual(['Call Forwarding Busy']);
  const available = await ok({ $type: 'ServiceProviderDnGetAvailableListRequest', serviceProviderId: 'ent1' });
  expect(available.availableDn).toHaveLength(10);
  // A duplicate is refused and changes nothing.
  expect(await fails({ $type: 'ServiceProviderConsolidatedAddRequest', isEnterprise: true, serviceProviderId: 'ent1', defaultDomain: 'x.example' })).toBe(4011);
});

test('GroupConsolidatedAdd creates the group with domains, admins, authorisations, assignments and activated numbers', async () => {
  await start();
  await addServiceProvider();
  await addGroup();
  const group = await ok({ $type: 'GroupGetRequest22V5', serviceProviderId: 'ent1', groupId: 'g1' });
  expect(group.groupName).toBe('Group One');
  expect(group.userLimit).toBe(50);
  const domains = await ok({ $type: 'GroupDomainGetAssignedListRequest', serviceProviderId: 'ent1', groupId: 'g1' });
  expect(domains).toMatchObject({ groupDefaultDomain: 'ent1.example', domain: ['alt.ent1.example'] });
  const admins = records((await ok({ $type: 'GroupAdminGetListRequest', serviceProviderId: 'ent1', groupId: 'g1' })).groupAdminTable);
  expect(admins.map((a) => a['Administrator ID'])).toEqual(['g1-admin']);
  const auth = await ok({ $type: 'GroupServiceGetAuthorizationListRequest', serviceProviderId: 'ent1', groupId: 'g1' });
  const vm = records(auth.userServicesAuthorizationTable).find((r) => r['Service Name'] === 'Voice Messaging User');
  expect(vm).toMatchObject({ Authorized: 'true', Limited: 'true', Quantity: '5', Usage: '0' });
  const hunt = records(auth.groupServicesAuthorizationTable).find((r) => r['Service Name'] === 'Hunt Group');
  expect(hunt).toMatchObject({ Authorized: 'true', Assigned: 'true' });
  expect(records(auth.servicePacksAuthorizationTable).map((r) => [r['Service Pack Name'], r.Authorized])).toEqual([['Basic', 'true']]);
  const numbers = await ok({ $type: 'GroupDnGetListRequest', serviceProviderId: 'ent1', groupId: 'g1' });
  expect(numbers.phoneNumber).toEqual(['2025551000', '2025551001', '2025551002', '2025551003']);
  // An unknown service provider: the real error, nothing created.
  expect(await fails({ $type: 'GroupConsolidatedAddRequest', serviceProviderId: 'nope', groupId: 'g2', defaultDomain: 'x.example', userLimit: 1 })).toBe(4010);
});

test('UserConsolidatedAdd22 creates the user with number, new device, aliases, services and packs; Modify22 and Delete change them', async () => {
  await start();
  await addServiceProvider();
  await addGroup();
  await ok({
    $type: 'UserConsolidatedAddRequest22',
    serviceProviderId: 'ent1',
    groupId: 'g1',
    userId: 'jane@ent1.example',
    addPhoneNumberToGroup: true,
    lastName: 'Doe',
    firstName: 'Jane',
    callingLineIdLastName: 'Doe',
    callingLineIdFirstName: 'Jane',
    phoneNumber: '2025551005',
    extension: '1005',
    password: 'Jane-secret1',
    alias: ['jd@ent1.example'],
    accessDeviceEndpoint: {
      accessDevice: { deviceLevel: 'Group', deviceName: 'jane-phone' },
      linePort: 'jane@ent1.example',
      deviceType: 'Polycom VVX 500',
      macAddress: '0004F2000001',
      useHotline: false,
    },
    userService: [{ userServiceName: 'Voice Messaging User' }],
    servicePack: [{ servicePackName: 'Basic' }],
  });
  const user = await ok({ $type: 'UserGetRequest23V2', userId: 'jane@ent1.example' });
  expect(user).toMatchObject({ lastName: 'Doe', phoneNumber: '2025551005', extension: '1005', alias: ['jd@ent1.example'] });
  expect(user.accessDeviceEndpoint).toMatchObject({ accessDevice: { deviceName: 'jane-phone' }, linePort: 'jane@ent1.example' });
  const device = await ok({ $type: 'GroupAccessDeviceGetRequest22V2', serviceProviderId: 'ent1', groupId: 'g1', deviceName: 'jane-phone' });
  expect(device).toMatchObject({ deviceType: 'Polycom VVX 500', macAddress: '0004F2000001', numberOfAssignedPorts: 1 });
  const services = await ok({ $type: 'UserServiceGetAssignmentListRequest', userId: 'jane@ent1.example' });
  expect(records(services.userServicesAssignmentTable).find((r) => r['Service Name'] === 'Voice Messaging User')?.Assigned).toBe('true');
  expect(records(services.servicePacksAssignmentTable).map((r) => [r['Service Pack Name'], r.Assigned])).toEqual([['Basic', 'true']]);
  const auth = await ok({ $type: 'GroupServiceGetAuthorizationListRequest', serviceProviderId: 'ent1', groupId: 'g1' });
  expect(records(auth.userServicesAuthorizationTable).find((r) => r['Service Name'] === 'Voice Messaging User')?.Usage).toBe('1');
  expect(records(auth.userServicesAuthorizationTable).find((r) => r['Service Name'] === 'Call Forwarding Busy')?.Usage).toBe('1');
  // The number was added to the group (addPhoneNumberToGroup).
  expect((await ok({ $type: 'GroupDnGetListRequest', serviceProviderId: 'ent1', groupId: 'g1' })).phoneNumber).toContain('2025551005');

  // Modify22: names, aliases replaced, services replaced, a new device, the old one deleted.
  await ok({
    $type: 'UserConsolidatedModifyRequest22',
    userId: 'jane@ent1.example',
    deleteExistingDevices: true,
    lastName: 'Roe',
    sipAliasList: { sipAlias: ['jane.roe@ent1.example', 'jr@ent1.example'] },
    endpoint: {
      accessDeviceEndpoint: { accessDevice: { deviceLevel: 'Group', deviceName: 'jane-phone-2' }, linePort: 'jane2@ent1.example', deviceType: 'Yealink T54W' },
    },
    userServiceList: { userServiceServiceName: [{ userServiceName: 'Call Forwarding Always' }] },
  });
  const modified = await ok({ $type: 'UserGetRequest23V2', userId: 'jane@ent1.example' });
  expect(modified).toMatchObject({ lastName: 'Roe', alias: ['jane.roe@ent1.example', 'jr@ent1.example'] });
  expect(modified.accessDeviceEndpoint).toMatchObject({ accessDevice: { deviceName: 'jane-phone-2' }, linePort: 'jane2@ent1.example' });
  expect(await fails({ $type: 'GroupAccessDeviceGetRequest22V2', serviceProviderId: 'ent1', groupId: 'g1', deviceName: 'jane-phone' })).toBe(4221);
  const after = records((await ok({ $type: 'UserServiceGetAssignmentListRequest', userId: 'jane@ent1.example' })).userServicesAssignmentTable);
  expect(after.filter((r) => r.Assigned === 'true').map((r) => r['Service Name'])).toEqual(['Call Forwarding Always']);

  // newUserId renames the user; the old id is gone.
  await ok({ $type: 'UserConsolidatedModifyRequest22', userId: 'jane@ent1.example', newUserId: 'jane.roe@ent1.example' });
  expect(await fails({ $type: 'UserGetRequest23V2', userId: 'jane@ent1.example' })).toBe(4008);
  expect((await ok({ $type: 'UserGetRequest23V2', userId: 'jane.roe@ent1.example' })).lastName).toBe('Roe');
  await ok({ $type: 'UserConsolidatedModifyRequest22', userId: 'jane.roe@ent1.example', newUserId: 'jane@ent1.example' });

  // Delete: user, device and the number's group assignment go.
  await ok({ $type: 'UserConsolidatedDeleteRequest', userId: 'jane@ent1.example', deleteExistingDevices: true, unassignPhoneNumbers: 'Group' });
  expect(await fails({ $type: 'UserGetRequest23V2', userId: 'jane@ent1.example' })).toBe(4008);
  expect(await fails({ $type: 'GroupAccessDeviceGetRequest22V2', serviceProviderId: 'ent1', groupId: 'g1', deviceName: 'jane-phone-2' })).toBe(4221);
  expect((await ok({ $type: 'GroupDnGetListRequest', serviceProviderId: 'ent1', groupId: 'g1' })).phoneNumber).not.toContain('2025551005');
});

test('UserConsolidatedAdd creates a missing group from groupProperties; a refused add changes nothing', async () => {
  await start();
  await addServiceProvider();
  await ok({
    $type: 'UserConsolidatedAddRequest22',
    serviceProviderId: 'ent1',
    groupId: 'fresh',
    groupProperties: { defaultDomain: 'ent1.example', userLimit: 5, groupName: 'Fresh group' },
    userId: 'first@ent1.example',
    lastName: 'First',
    firstName: 'User',
    callingLineIdLastName: 'First',
    callingLineIdFirstName: 'User',
  });
  expect((await ok({ $type: 'GroupGetRequest22V5', serviceProviderId: 'ent1', groupId: 'fresh' })).groupName).toBe('Fresh group');
  // An unknown device without a deviceType: refused, and the user does not exist afterwards.
  const refused = {
    $type: 'UserConsolidatedAddRequest22',
    serviceProviderId: 'ent1',
    groupId: 'fresh',
    userId: 'second@ent1.example',
    lastName: 'Second',
    firstName: 'User',
    callingLineIdLastName: 'Second',
    callingLineIdFirstName: 'User',
    accessDeviceEndpoint: { accessDevice: { deviceLevel: 'Group', deviceName: 'missing' }, linePort: 'second@ent1.example', useHotline: false },
  };
  const { useHotline: _, ...olderEndpoint } = refused.accessDeviceEndpoint;
  expect(await fails(refused)).toBe(4221);
  expect(await fails({ $type: 'UserGetRequest23V2', userId: 'second@ent1.example' })).toBe(4008);
  // The older UserConsolidatedAddRequest version shares the handler.
  expect(await fails({ ...refused, accessDeviceEndpoint: olderEndpoint, $type: 'UserConsolidatedAddRequest' })).toBe(4221);
});

test('an unmodelled data-changing request is counted (SuccessResponse); strict mode refuses it with [Error 4998]', async () => {
  await start();
  const unmodelled: OciCommand = { $type: 'SystemCallProcessingPolicyProfileDeleteRequest', name: 'p1' };
  const answer = await c.one(unmodelled);
  if (answer.$type === 'ErrorResponse') throw new Error(`expected success: ${String(answer.summary)}`);
  expect(answer.$type).toBe('SuccessResponse');
  expect(server.state.unmodelled.get('SystemCallProcessingPolicyProfileDeleteRequest')).toBe(1);
  // A read is never counted.
  await ok({ $type: 'SystemCallProcessingPolicyProfileGetListRequest' });
  expect([...server.state.unmodelled.keys()]).toEqual(['SystemCallProcessingPolicyProfileDeleteRequest']);
  await c.close();
  await server.close();

  await start(true);
  const refused = await c.one(unmodelled);
  expect(errorNumber(refused)).toBe(4998);
  expect(String(refused.summary)).toContain('Not modelled by the mock server: SystemCallProcessingPolicyProfileDeleteRequest');
  expect(server.state.unmodelled.get('SystemCallProcessingPolicyProfileDeleteRequest')).toBe(1);
  // Modelled changes still work in strict mode.
  await ok({ $type: 'ServiceProviderAddRequest13mp2', isEnterprise: true, serviceProviderId: 'sp', defaultDomain: 'sp.example' });
});
