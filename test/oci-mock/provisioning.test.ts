// The stateful provisioning model through the wire: service providers, groups, numbers, users,
// devices and services; Add/Get/GetList (tables, search criteria)/Modify (nil clears)/Delete;
// real error numbers; several versions of one family sharing one handler; the seed file.
import { fileURLToPath } from 'node:url';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { toRecords } from '../../runtime/oci/table.js';
import { collectIssues } from '../../runtime/oci/validate.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

const seedFile = fileURLToPath(new URL('../fixtures/mock/seed.json', import.meta.url));
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

async function start(seed?: string): Promise<void> {
  server = await startOciMock({ tcpPort: 0, schema, seed });
  c = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  await c.loginHashed();
}

/** Sends one command, checks the answer validates against the schema, returns it. */
async function ok(command: OciCommand): Promise<OciCommand> {
  const response = await c.one(command);
  expect(collectIssues(schema, response)).toEqual([]);
  if (response.$type === 'ErrorResponse') throw new Error(`${command.$type}: ${String(response.summary)}`);
  return response;
}

const records = (table: unknown) => toRecords(table as Parameters<typeof toRecords>[0]);

test('service provider → group → numbers → users: add, get, list with search criteria, modify with nil, delete', async () => {
  await start();
  expect(
    (
      await ok({
        $type: 'ServiceProviderAddRequest13mp2',
        isEnterprise: true,
        serviceProviderId: 'ent1',
        defaultDomain: 'ent1.example',
        serviceProviderName: 'Enterprise One',
      })
    ).$type,
  ).toBe('SuccessResponse');
  expect(errorNumber(await c.one({ $type: 'ServiceProviderAddRequest13mp2', isEnterprise: true, serviceProviderId: 'ent1', defaultDomain: 'x.example' }))).toBe(
    4011,
  );
  const sp = await ok({ $type: 'ServiceProviderGetRequest22V4', serviceProviderId: 'ent1' });
  expect(sp).toMatchObject({
    $type: 'ServiceProviderGetResponse22V4',
    isEnterprise: true,
    serviceProviderName: 'Enterprise One',
    defaultDomain: 'ent1.example',
  });

  await ok({
    $type: 'GroupAddRequest',
    serviceProviderId: 'ent1',
    groupId: 'g1',
    defaultDomain: 'ent1.example',
    userLimit: 3,
    groupName: 'Group One',
    timeZone: 'Europe/London',
  });
  expect((await c.one({ $type: 'GroupAddRequest', serviceProviderId: 'nope', groupId: 'g1', defaultDomain: 'd.example', userLimit: 1 })).summary).toBe(
    '[Error 4010] Service Provider not found: nope',
  );
  await ok({ $type: 'ServiceProviderDnAddListRequest', serviceProviderId: 'ent1', dnRange: [{ minPhoneNumber: '2125550100', maxPhoneNumber: '2125550104' }] });
  await ok({ $type: 'GroupDnAssignListRequest', serviceProviderId: 'ent1', groupId: 'g1', phoneNumber: ['2125550100', '2125550101'] });
  expect((await ok({ $type: 'GroupDnGetListRequest', serviceProviderId: 'ent1', groupId: 'g1' })).phoneNumber).toEqual(['2125550100', '2125550101']);
  expect((await ok({ $type: 'ServiceProviderDnGetAvailableListRequest', serviceProviderId: 'ent1' })).availableDn).toEqual([
    '2125550102',
    '2125550103',
    '2125550104',
  ]);

  const user = (userId: string, lastName: string, extra: Record<string, unknown> = {}) => ({
    $type: 'UserAddRequest22V2',
    serviceProviderId: 'ent1',
    groupId: 'g1',
    userId,
    lastName,
    firstName: 'Test',
    callingLineIdLastName: lastName,
    callingLineIdFirstName: 'Test',
    password: 'Secret-123',
    ...extra,
  });
  await ok(user('ann@ent1.example', 'Anderson', { phoneNumber: '2125550100', extension: '100', emailAddress: 'ann@ent1.example' }));
  await ok(user('andy@ent1.example', 'Andrews'));
  await ok(user('zed@ent1.example', 'Zimmer'));
  expect((await c.one(user('ann@ent1.example', 'Again'))).summary).toBe('[Error 4009] User already exists: ann@ent1.example');
  expect(errorNumber(await c.one(user('over@ent1.example', 'Limit')))).toBe(4154); // userLimit 3
  expect(errorNumber(await c.one({ ...user('x@ent1.example', 'X'), groupId: 'missing' }))).toBe(4152);
  expect(errorNumber(await c.one({ ...user('num@ent1.example', 'Num'), groupId: 'g1', phoneNumber: '2125550103' }))).toBe(4402);

  // DN activation shows in the user lists and in GroupDnGetActivationList.
  const activation = () => ok({ $type: 'GroupDnGetActivationListRequest', serviceProviderId: 'ent1', groupId: 'g1' });
  expect(records((await activation()).dnTable)).toEqual([{ 'Phone Numbers': '2125550100', Activated: 'false' }]);
  await ok({ $type: 'GroupDnActivateListRequest', serviceProviderId: 'ent1', groupId: 'g1', phoneNumber: ['2125550100'] });
  expect(records((await activation()).dnTable)).toEqual([{ 'Phone Numbers': '2125550100', Activated: 'true' }]);
  expect(errorNumber(await c.one({ $type: 'GroupDnActivateListRequest', serviceProviderId: 'ent1', groupId: 'g1', phoneNumber: ['2125550104'] }))).toBe(4402);

  // GetList with search criteria (Starts With, case-insensitive by default; Equal To case-sensitive) and a size limit.
  const all = await ok({ $type: 'UserGetListInGroupRequest', serviceProviderId: 'ent1', GroupId: 'g1' });
  expect(records(all.userTable).map((r) => r['User Id'])).toEqual(['ann@ent1.example', 'andy@ent1.example', 'zed@ent1.example']);
  expect(records(all.userTable)[0]).toMatchObject({
    'Last Name': 'Anderson',
    'Phone Number': '2125550100',
    'Phone Number Activated': 'true',
    Extension: '100',
    'Email Address': 'ann@ent1.example',
  });
  const startsWith = await ok({
    $type: 'UserGetListInGroupRequest',
    serviceProviderId: 'ent1',
    GroupId: 'g1',
    searchCriteriaUserLastName: [{ mode: 'Starts With', value: 'and', isCaseInsensitive: true }],
  });
  expect(records(startsWith.userTable).map((r) => r['Last Name'])).toEqual(['Anderson', 'Andrews']);
  const caseSensitive = await ok({
    $type: 'UserGetListInSystemRequest',
    searchCriteriaUserLastName: [{ mode: 'Equal To', value: 'anderson', isCaseInsensitive: false }],
  });
  expect((caseSensitive.userTable as { row: unknown[] }).row).toEqual([]);
  const contains = await ok({
    $type: 'UserGetListInServiceProviderRequest',
    serviceProviderId: 'ent1',
    searchCriteriaUserId: [{ mode: 'Contains', value: 'ZED', isCaseInsensitive: true }],
  });
  expect(records(contains.userTable).map((r) => r['User Id'])).toEqual(['zed@ent1.example']);
  const limited = await ok({ $type: 'UserGetListInSystemRequest', responseSizeLimit: 2 });
  expect((limited.userTable as { row: unknown[] }).row).toHaveLength(2);

  // Two versions of UserGet answered from the same stored user.
  const v23 = await ok({ $type: 'UserGetRequest23V2', userId: 'ann@ent1.example' });
  expect(v23).toMatchObject({
    $type: 'UserGetResponse23V2',
    serviceProviderId: 'ent1',
    groupId: 'g1',
    lastName: 'Anderson',
    phoneNumber: '2125550100',
    extension: '100',
    timeZone: 'Europe/London',
  });
  expect(v23.password).toBeUndefined();
  const v22 = await ok({ $type: 'UserGetRequest22V5', userId: 'ann@ent1.example' });
  expect(v22).toMatchObject({ $type: 'UserGetResponse22V5', lastName: 'Anderson', emailAddress: 'ann@ent1.example' });

  // Modify: a value replaces, nil clears, absent leaves alone.
  await ok({ $type: 'UserModifyRequest22', userId: 'ann@ent1.example', firstName: 'Annie', phoneNumber: null, extension: null, emailAddress: null });
  const modified = await ok({ $type: 'UserGetRequest23V2', userId: 'ann@ent1.example' });
  expect(modified.firstName).toBe('Annie');
  expect(modified.lastName).toBe('Anderson');
  expect(modified.phoneNumber).toBeUndefined();
  expect(modified.extension).toBeUndefined();
  expect(modified.emailAddress).toBeUndefined();
  // The freed number can be unassigned now.
  await ok({ $type: 'GroupDnUnassignListRequest', serviceProviderId: 'ent1', groupId: 'g1', phoneNumber: ['2125550100'] });

  // The new password works for a user login.
  await ok({ $type: 'UserModifyRequest22', userId: 'andy@ent1.example', newPassword: 'N3w-pass' });
  const userConnection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  try {
    expect(await userConnection.loginPlain('andy@ent1.example', 'N3w-pass')).toMatchObject({ loginType: 'User', serviceProviderId: 'ent1', groupId: 'g1' });
  } finally {
    await userConnection.close();
  }

  // Group modify with nil; group list tables.
  await ok({ $type: 'GroupModifyRequest', serviceProviderId: 'ent1', groupId: 'g1', groupName: null, userLimit: 10 });
  const group = await ok({ $type: 'GroupGetRequest22V5', serviceProviderId: 'ent1', groupId: 'g1' });
  expect(group).toMatchObject({ userLimit: 10, userCount: 3 });
  expect(group.groupName).toBeUndefined();
  const groups = await ok({ $type: 'GroupGetListInSystemRequest', searchCriteriaGroupId: [{ mode: 'Equal To', value: 'g1', isCaseInsensitive: true }] });
  expect(records(groups.groupTable)).toEqual([
    { 'Group Id': 'g1', 'Group Name': '', 'User Limit': '10', 'Organization Id': 'ent1', 'Organization Type': 'Enterprise', 'Reseller Id': '' },
  ]);

  // Deletes, then the real "not found" errors.
  await ok({ $type: 'UserDeleteRequest', userId: 'zed@ent1.example' });
  expect((await c.one({ $type: 'UserGetRequest23V2', userId: 'zed@ent1.example' })).summary).toBe('[Error 4008] User not found: zed@ent1.example');
  await ok({ $type: 'GroupDeleteRequest', serviceProviderId: 'ent1', groupId: 'g1' });
  expect((await c.one({ $type: 'GroupGetRequest22V5', serviceProviderId: 'ent1', groupId: 'g1' })).summary).toBe('[Error 4152] Group not found: ent1:g1');
  expect(errorNumber(await c.one({ $type: 'UserGetRequest23V2', userId: 'ann@ent1.example' }))).toBe(4008); // deleted with its group
  await ok({ $type: 'ServiceProviderDeleteRequest', serviceProviderId: 'ent1' });
  const sps = await ok({ $type: 'ServiceProviderGetListRequest' });
  expect((sps.serviceProviderTable as { row: unknown[] }).row).toEqual([]);
});

test('devices and service assignment', async () => {
  await start(seedFile);
  const base = { serviceProviderId: 'acme', groupId: 'acme-hq' };
  await ok({
    $type: 'GroupAccessDeviceAddRequest22V2',
    ...base,
    deviceName: 'desk-1',
    deviceType: 'Polycom VVX 400',
    macAddress: '0004F2000001',
    description: 'Desk one',
  });
  expect((await c.one({ $type: 'GroupAccessDeviceAddRequest22V2', ...base, deviceName: 'desk-2', deviceType: 'Toaster 3000' })).summary).toBe(
    '[Error 4501] Device Type not found: Toaster 3000',
  );
  expect(errorNumber(await c.one({ $type: 'GroupAccessDeviceAddRequest22V2', ...base, deviceName: 'desk-1', deviceType: 'Polycom VVX 400' }))).toBe(4222);
  const device = await ok({ $type: 'GroupAccessDeviceGetRequest24V3', ...base, deviceName: 'desk-1' });
  expect(device).toMatchObject({ deviceType: 'Polycom VVX 400', macAddress: '0004F2000001', description: 'Desk one', deviceName: 'desk-1' });
  await ok({ $type: 'GroupAccessDeviceModifyRequest22', ...base, deviceName: 'desk-1', description: null, macAddress: '0004F2000002' });
  const list = await ok({
    $type: 'GroupAccessDeviceGetListRequest',
    ...base,
    searchCriteriaDeviceMACAddress: [{ mode: 'Contains', value: '0002', isCaseInsensitive: true }],
  });
  expect(records(list.accessDeviceTable).map((r) => [r['Device Name'], r['MAC Address']])).toEqual([['desk-1', '0004F2000002']]);
  expect((await ok({ $type: 'GroupAccessDeviceGetRequest24V3', ...base, deviceName: 'desk-1' })).description).toBeUndefined();
  await ok({ $type: 'GroupAccessDeviceDeleteRequest', ...base, deviceName: 'desk-1' });
  expect(errorNumber(await c.one({ $type: 'GroupAccessDeviceGetRequest24V3', ...base, deviceName: 'desk-1' }))).toBe(4221);

  await ok({ $type: 'UserServiceAssignListRequest', userId: 'bob@acme.example', serviceName: ['Voice Messaging User', 'Three-Way Call'] });
  await ok({ $type: 'UserServiceUnassignListRequest', userId: 'bob@acme.example', serviceName: ['Three-Way Call'] });
  const services = await ok({ $type: 'UserServiceGetAssignmentListRequest', userId: 'bob@acme.example' });
  const assigned = records(services.userServicesAssignmentTable)
    .filter((r) => r.Assigned === 'true')
    .map((r) => r['Service Name']);
  expect(assigned).toEqual(['Voice Messaging User']);
  expect(records(services.userServicesAssignmentTable).length).toBeGreaterThan(100); // every UserService of R25
  // Users with the same assignments share one answer; a change makes a new one for the changed user only.
  const assignedTo = async (userId: string) =>
    records((await ok({ $type: 'UserServiceGetAssignmentListRequest', userId })).userServicesAssignmentTable)
      .filter((r) => r.Assigned === 'true')
      .map((r) => r['Service Name'])
      .sort();
  const aliceBefore = await assignedTo('alice@acme.example');
  expect(aliceBefore).toEqual([...(server.state.users.get('alice@acme.example')?.services ?? [])].sort());
  await ok({ $type: 'UserServiceAssignListRequest', userId: 'bob@acme.example', serviceName: ['Three-Way Call'] });
  expect(await assignedTo('bob@acme.example')).toEqual(['Three-Way Call', 'Voice Messaging User']);
  expect(await assignedTo('alice@acme.example')).toEqual(aliceBefore);
  await ok({ $type: 'UserServiceUnassignListRequest', userId: 'bob@acme.example', serviceName: ['Three-Way Call'] });
  expect(await assignedTo('bob@acme.example')).toEqual(['Voice Messaging User']);
  expect(await ok({ $type: 'UserServiceIsAssignedRequest', userId: 'bob@acme.example', serviceName: 'Voice Messaging User' })).toMatchObject({
    isAssigned: true,
  });
});

test('seed file: its service providers, groups, users, devices and numbers are served, and its users can log in', async () => {
  await start(seedFile);
  const sps = await ok({ $type: 'ServiceProviderGetListRequest' });
  expect(records(sps.serviceProviderTable).map((r) => [r['Service Provider Id'], r['Is Enterprise']])).toEqual([
    ['acme', 'true'],
    ['globex', 'false'],
  ]);
  const users = await ok({ $type: 'UserGetListInGroupRequest', serviceProviderId: 'acme', GroupId: 'acme-hq' });
  expect(records(users.userTable).map((r) => [r['User Id'], r['Last Name'], r['Phone Number']])).toEqual([
    ['alice@acme.example', 'Smith', '2025550110'],
    ['bob@acme.example', 'Müller', '2025550111'],
  ]);
  // Latin-1 survives the ISO-8859-1 response.
  expect((await ok({ $type: 'UserGetRequest23V2', userId: 'bob@acme.example' })).lastName).toBe('Müller');
  const devices = await ok({ $type: 'GroupAccessDeviceGetListRequest', serviceProviderId: 'acme', groupId: 'acme-hq' });
  expect(records(devices.accessDeviceTable)[0]).toMatchObject({ 'Device Name': 'lobby-phone', 'Device Type': 'Polycom VVX 450' });
  expect((await ok({ $type: 'ServiceProviderDnGetAvailableListRequest', serviceProviderId: 'acme' })).availableDn).toHaveLength(8);
  const assignment = await ok({ $type: 'GroupDnGetAssignmentListRequest18', serviceProviderId: 'acme', groupId: 'acme-hq' });
  expect(records(assignment.dnTable).map((r) => [r['Phone Numbers'], r['User Id']])).toEqual([
    ['2025550100', ''],
    ['2025550110', 'alice@acme.example'],
    ['2025550111', 'bob@acme.example'],
  ]);
  expect((await ok({ $type: 'SystemSoftwareVersionGetRequest' })).version).toBe('25.0_1.1000');
  const alice = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  try {
    expect(await alice.loginHashed('alice@acme.example', 'Al1ce-secret')).toMatchObject({ loginType: 'User', serviceProviderId: 'acme', isEnterprise: true });
  } finally {
    await alice.close();
  }
  expect(server.state.users.get('alice@acme.example')?.services.has('Voice Messaging User')).toBe(true);
});

test('repeated reads and then changes: numbers, group members and counts follow every change', async () => {
  await start(seedFile);
  const base = { serviceProviderId: 'acme', groupId: 'acme-hq' };
  // Each read is made six times in a row (the mock indexes users by number and group after a few
  // reads of an unchanged state): every time must give the same, up-to-date answer.
  const repeated = async <T>(read: () => Promise<T>): Promise<T> => {
    const first = await read();
    for (let i = 0; i < 5; i++) expect(await read()).toEqual(first);
    return first;
  };
  const owners = () =>
    repeated(async () => records((await ok({ $type: 'GroupDnGetAssignmentListRequest18', ...base })).dnTable).map((r) => [r['Phone Numbers'], r['User Id']]));
  const members = () =>
    repeated(async () =>
      records((await ok({ $type: 'UserGetListInGroupRequest', serviceProviderId: 'acme', GroupId: 'acme-hq' })).userTable).map((r) => r['User Id']),
    );
  const userCount = () => repeated(async () => (await ok({ $type: 'GroupGetRequest22V5', ...base })).userCount);
  expect(await owners()).toEqual([
    ['2025550100', ''],
    ['2025550110', 'alice@acme.example'],
    ['2025550111', 'bob@acme.example'],
  ]);
  expect(await members()).toEqual(['alice@acme.example', 'bob@acme.example']);
  await ok({ $type: 'UserModifyRequest22', userId: 'bob@acme.example', phoneNumber: '2025550100' });
  expect(await owners()).toEqual([
    ['2025550100', 'bob@acme.example'],
    ['2025550110', 'alice@acme.example'],
    ['2025550111', ''],
  ]);
  expect((await c.one({ $type: 'GroupDnUnassignListRequest', ...base, phoneNumber: ['2025550100'] })).summary).toBe(
    '[Error 4403] Phone number in use: 2025550100 (bob@acme.example)',
  );
  await ok({ $type: 'UserDeleteRequest', userId: 'alice@acme.example' });
  expect(await owners()).toEqual([
    ['2025550100', 'bob@acme.example'],
    ['2025550110', ''],
    ['2025550111', ''],
  ]);
  expect(await members()).toEqual(['bob@acme.example']);
  expect(await userCount()).toBe(1);
  await ok({
    $type: 'UserAddRequest17sp4',
    ...base,
    userId: 'carol@acme.example',
    lastName: 'Carol',
    firstName: 'C',
    callingLineIdLastName: 'Carol',
    callingLineIdFirstName: 'C',
    password: 'Car0l-secret',
    phoneNumber: '2025550110',
  });
  expect(await members()).toEqual(['bob@acme.example', 'carol@acme.example']);
  expect(await userCount()).toBe(2);
  expect((await owners())[1]).toEqual(['2025550110', 'carol@acme.example']);

  const onLobbyPhone = () =>
    repeated(async () =>
      records((await ok({ $type: 'GroupAccessDeviceGetUserListRequest21sp1', ...base, deviceName: 'lobby-phone' })).deviceUserTable).map((r) => r['User Id']),
    );
  const useLobbyPhone = (userId: string, linePort: string) =>
    ok({
      $type: 'UserModifyRequest22',
      userId,
      endpoint: { accessDeviceEndpoint: { accessDevice: { deviceLevel: 'Group', deviceName: 'lobby-phone' }, linePort } },
    });
  expect(await onLobbyPhone()).toEqual([]);
  await useLobbyPhone('carol@acme.example', 'carol_lp@acme.example');
  expect(await onLobbyPhone()).toEqual(['carol@acme.example']);
  await useLobbyPhone('bob@acme.example', 'bob_lp@acme.example');
  expect(await onLobbyPhone()).toEqual(['bob@acme.example', 'carol@acme.example']);
  await ok({ $type: 'UserModifyRequest22', userId: 'bob@acme.example', endpoint: null });
  expect(await onLobbyPhone()).toEqual(['carol@acme.example']);
});

test('kept read answers: every kind of change, a change made directly in server.state, echoes and other sessions', async () => {
  await start(seedFile);
  // Each read six times in a row (the mock keeps the answer to a Get of an unchanged state): the
  // same answer each time, and the up-to-date one after every change.
  const repeated = async (command: OciCommand): Promise<OciCommand> => {
    const first = await ok(command);
    for (let i = 0; i < 5; i++) expect(await ok(command)).toEqual(first);
    return first;
  };
  const bob = () => repeated({ $type: 'UserGetRequest23V2', userId: 'bob@acme.example' });
  const bobServices = async () =>
    records((await repeated({ $type: 'UserServiceGetAssignmentListRequest', userId: 'bob@acme.example' })).userServicesAssignmentTable)
      .filter((r) => r.Assigned === 'true')
      .map((r) => r['Service Name']);
  const dnd = async () => (await repeated({ $type: 'UserDoNotDisturbGetRequest', userId: 'bob@acme.example' })).isActive;

  const before = await bob();
  // A Modify, then a nil that clears a member.
  await ok({ $type: 'UserModifyRequest22', userId: 'bob@acme.example', lastName: 'Renamed', title: 'Boss' });
  expect(await bob()).toMatchObject({ lastName: 'Renamed', title: 'Boss' });
  await ok({ $type: 'UserModifyRequest22', userId: 'bob@acme.example', title: null });
  expect((await bob()).title).toBeUndefined();
  // A refused change changes nothing.
  expect(errorNumber(await c.one({ $type: 'UserModifyRequest22', userId: 'bob@acme.example', phoneNumber: '9999999999' }))).toBeDefined();
  expect((await bob()).lastName).toBe('Renamed');
  // Service assignment and a setting.
  const services = await bobServices();
  await ok({ $type: 'UserServiceAssignListRequest', userId: 'bob@acme.example', serviceName: ['Do Not Disturb'] });
  expect(await bobServices()).toEqual([...services, 'Do Not Disturb'].sort());
  expect(await dnd()).toBe(false);
  await ok({ $type: 'UserDoNotDisturbModifyRequest', userId: 'bob@acme.example', isActive: true });
  expect(await dnd()).toBe(true);
  // A change made directly in the state, as a test may do, after the answer was kept.
  expect((await bob()).lastName).toBe('Renamed');
  const stored = server.state.users.get('bob@acme.example');
  if (stored) stored.fields.lastName = 'Direct';
  expect((await bob()).lastName).toBe('Direct');
  // Delete, and the read answers "not found"; add again, and it reads the new user.
  await ok({ $type: 'UserDeleteRequest', userId: 'bob@acme.example' });
  expect(errorNumber(await c.one({ $type: 'UserGetRequest23V2', userId: 'bob@acme.example' }))).toBe(4008);
  await ok({
    $type: 'UserAddRequest17sp4',
    serviceProviderId: 'acme',
    groupId: 'acme-hq',
    userId: 'bob@acme.example',
    lastName: 'Again',
    firstName: 'B',
    callingLineIdLastName: 'Again',
    callingLineIdFirstName: 'B',
    password: 'B0b-secret',
  });
  expect((await bob()).lastName).toBe('Again');
  expect(before.lastName).not.toBe('Again');

  // The same read with different echoes: each answer carries its own echo.
  const echoed = await c.send([
    { $type: 'UserGetRequest23V2', userId: 'bob@acme.example', echo: 'one' },
    { $type: 'UserGetRequest23V2', userId: 'bob@acme.example', echo: 'two & <three>' },
    { $type: 'UserGetRequest23V2', userId: 'bob@acme.example' },
  ]);
  expect(echoed.doc.commands.map((r) => r.echo)).toEqual(['one', 'two & <three>', '']);
  expect(echoed.doc.commands.map(({ echo: _e, ...rest }) => rest)).toEqual(Array(3).fill(echoed.doc.commands.map(({ echo: _e, ...rest }) => rest)[0]));
  // Another session reads the same answer.
  const other = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  try {
    await other.loginHashed();
    expect(await other.one({ $type: 'UserGetRequest23V2', userId: 'bob@acme.example' })).toEqual(
      await ok({ $type: 'UserGetRequest23V2', userId: 'bob@acme.example' }),
    );
  } finally {
    await other.close();
  }
});

test('a malformed seed is refused with TH_ERR_OCI_MOCK_SEED naming the path', async () => {
  await expect(
    startOciMock({ tcpPort: 0, schema, seed: { serviceProviders: [{ serviceProviderId: 'a', groups: [{ defaultDomain: 'x' }] }] } }),
  ).rejects.toMatchObject({
    code: 'TH_ERR_OCI_MOCK_SEED',
    message: expect.stringContaining('serviceProviders[0].groups[0].groupId'),
  });
  await expect(
    startOciMock({ tcpPort: 0, schema, seed: { serviceProviders: [{ serviceProviderId: 'a' }, { serviceProviderId: 'a' }] } }),
  ).rejects.toMatchObject({
    code: 'TH_ERR_OCI_MOCK_SEED',
    message: expect.stringContaining('already exists'),
  });
  await expect(startOciMock({ tcpPort: 0, schema, seed: '/nonexistent/seed.json' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_SEED' });
  await expect(startOciMock({ tcpPort: 0, schema, seed: { colour: 'red' } as never })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_SEED' });
});
