// Stateful services through the wire: service instances of every version (hunt groups, call
// centers, auto attendants, group paging), call center agents and ACD state, call pickup,
// call forwarding of every kind, do not disturb, voice messaging, service packs and
// authorisation with usage, administrators, departments, trunk groups and seeded registrations,
// with the real errors for missing and duplicate objects.
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import { sampleCommand } from '../../runtime/oci/sample.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { toRecords } from '../../runtime/oci/table.js';
import { collectIssues } from '../../runtime/oci/validate.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;
let c: RawOciConnection;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({ tcpPort: 0, schema, seed: 'demo' });
}, 60_000);

beforeEach(async () => {
  c = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  await c.loginHashed();
});

afterEach(async () => {
  await c?.close();
});

afterAll(async () => {
  await server?.close();
});

async function ok(command: OciCommand): Promise<OciCommand> {
  const response = await c.one(command);
  expect(collectIssues(schema, response)).toEqual([]);
  if (response.$type === 'ErrorResponse') throw new Error(`${command.$type}: ${String(response.summary)} ${String(response.detail ?? '')}`);
  return response;
}

async function fails(command: OciCommand): Promise<number | undefined> {
  const response = await c.one(command);
  if (response.$type !== 'ErrorResponse') throw new Error(`${command.$type}: expected an ErrorResponse, got ${response.$type}`);
  return errorNumber(response);
}

const records = (table: unknown) => toRecords(table as Parameters<typeof toRecords>[0]);
const hq = { serviceProviderId: 'acme', groupId: 'acme-hq' };

/** Every request type of a family (all versions), from the schema. */
function versionsOf(family: string): string[] {
  return schema.requestTypes().filter((t) => schema.complexType(t).family === family);
}

/** A valid Add of any version: the sample with our keys, a plain profile and no member lists. */
function addOf(type: string, serviceUserId: string, name: string): OciCommand {
  const sample = sampleCommand(schema, type, { seed: 7 }) as Record<string, unknown>;
  for (const key of ['agentUserId', 'agentSkillList', 'addPhoneNumberToGroup']) delete sample[key];
  return {
    ...sample,
    $type: type,
    ...hq,
    serviceUserId,
    serviceInstanceProfile: { name, callingLineIdLastName: name, callingLineIdFirstName: 'Svc', password: 'Svc-pass-1' },
  } as OciCommand;
}

test.each(['HuntGroup', 'CallCenter', 'AutoAttendant', 'GroupPaging'])(
  '%s: every Add version, every Get version, list, modify, delete',
  async (kind) => {
    const addFamilies = [`Group${kind}AddInstanceRequest`, `Group${kind}ConsolidatedAddInstanceRequest`];
    const adds = addFamilies.flatMap(versionsOf);
    expect(adds.length).toBeGreaterThan(0);
    const gets = versionsOf(`Group${kind}GetInstanceRequest`);
    for (const [i, type] of adds.entries()) {
      const id = `${kind.toLowerCase()}-${i}@acme.example`;
      await ok(addOf(type, id, `${kind} ${i}`));
      expect(await fails(addOf(type, id, 'again'))).toBe(4009);
      for (const get of gets) {
        const answer = await ok({ $type: get, serviceUserId: id });
        expect((answer.serviceInstanceProfile as Record<string, unknown>).name).toBe(`${kind} ${i}`);
      }
      const list = await ok({ $type: schema.latest(`Group${kind}GetInstanceListRequest`) as string, ...hq });
      const table = Object.values(list).find((v) => typeof v === 'object' && v !== null && 'colHeading' in v);
      expect(records(table).map((r) => r['Service User Id'])).toContain(id);
      await ok({
        $type: schema.latest(`Group${kind}ModifyInstanceRequest`) as string,
        serviceUserId: id,
        serviceInstanceProfile: { name: `${kind} ${i} renamed`, sipAliasList: { sipAlias: [`alias-${i}@acme.example`] } },
      });
      const modified = await ok({ $type: schema.latest(`Group${kind}GetInstanceRequest`) as string, serviceUserId: id });
      expect(modified.serviceInstanceProfile).toMatchObject({ name: `${kind} ${i} renamed`, alias: [`alias-${i}@acme.example`] });
      await ok({ $type: schema.latest(`Group${kind}DeleteInstanceRequest`) as string, serviceUserId: id });
      expect(await fails({ $type: schema.latest(`Group${kind}GetInstanceRequest`) as string, serviceUserId: id })).toBe(4008);
    }
  },
  60_000,
);

test('every kind of virtual-user instance in R25: every Add version is read back by every Get version', async () => {
  const families = new Set(schema.requestTypes().map((t) => schema.complexType(t).family as string));
  const kinds = [...new Set([...families].flatMap((f) => /^Group(\w+?)(?:Consolidated)?AddInstanceRequest$/.exec(f)?.[1] ?? []))];
  const hasServiceUserId = (type: string) => schema.complexType(type).content.some((p) => 'n' in p && p.n === 'serviceUserId');
  const checked: string[] = [];
  for (const kind of kinds) {
    const adds = [`Group${kind}AddInstanceRequest`, `Group${kind}ConsolidatedAddInstanceRequest`].flatMap(versionsOf).filter(hasServiceUserId);
    const gets = versionsOf(`Group${kind}GetInstanceRequest`).filter(hasServiceUserId);
    for (const [i, type] of adds.entries()) {
      const id = `sweep-${kind}-${i}@acme.example`;
      await ok(addOf(type, id, `${kind} sweep ${i}`));
      for (const get of gets)
        expect({ get, name: (await ok({ $type: get, serviceUserId: id })).serviceInstanceProfile }).toMatchObject({
          get,
          name: { name: `${kind} sweep ${i}` },
        });
      checked.push(type);
    }
  }
  // Hunt groups, call centers, auto attendants, paging, VoiceXML, Meet-Me, Route Points, … (the old trunk group versions too).
  expect(checked.length).toBeGreaterThanOrEqual(40);
}, 60_000);

test('a hunt group lists its agents; a missing agent or a used number is refused; the number shows in the group', async () => {
  await ok({
    ...addOf('GroupHuntGroupAddInstanceRequest20', 'hg-new@acme.example', 'New HG'),
    serviceInstanceProfile: { name: 'New HG', callingLineIdLastName: 'New', callingLineIdFirstName: 'HG', phoneNumber: '2025550110', extension: '2110' },
    agentUserId: ['u0001@acme.example', 'u0002@acme.example'],
  });
  const hg = await ok({ $type: 'GroupHuntGroupGetInstanceRequest20', serviceUserId: 'hg-new@acme.example' });
  expect(records(hg.agentUserTable).map((r) => [r['User Id'], r['Last Name']])).toEqual([
    ['u0001@acme.example', 'Tanaka'],
    ['u0002@acme.example', 'García'],
  ]);
  await ok({ $type: 'GroupHuntGroupModifyInstanceRequest', serviceUserId: 'hg-new@acme.example', agentUserIdList: { userId: ['u0003@acme.example'] } });
  const after = await ok({ $type: 'GroupHuntGroupGetInstanceRequest20', serviceUserId: 'hg-new@acme.example' });
  expect(records(after.agentUserTable).map((r) => r['User Id'])).toEqual(['u0003@acme.example']);
  expect(
    await fails({ $type: 'GroupHuntGroupModifyInstanceRequest', serviceUserId: 'hg-new@acme.example', agentUserIdList: { userId: ['nobody@acme.example'] } }),
  ).toBe(4008);
  const taken = {
    ...addOf('GroupHuntGroupAddInstanceRequest20', 'hg-other@acme.example', 'Other'),
    serviceInstanceProfile: { name: 'Other', callingLineIdLastName: 'O', callingLineIdFirstName: 'HG', phoneNumber: '2025550110' },
  };
  expect(await fails(taken)).toBe(4403);
  const assignment = records((await ok({ $type: 'GroupDnGetAssignmentListRequest18', ...hq })).dnTable).find((r) => r['Phone Numbers'] === '2025550110');
  expect(assignment).toMatchObject({ 'User Id': 'hg-new@acme.example', 'User Type': 'Hunt Group' });
  await ok({ $type: 'GroupHuntGroupDeleteInstanceRequest', serviceUserId: 'hg-new@acme.example' });
});

test('call center agents and their ACD state; queue status counts the available ones', async () => {
  const agents = records((await ok({ $type: 'GroupCallCenterGetAgentListRequest', serviceUserId: 'cc-acme-hq@acme.example' })).agentTable);
  expect(agents.map((a) => a['User Id'])).toEqual([
    'u0020@acme.example',
    'u0021@acme.example',
    'u0022@acme.example',
    'u0023@acme.example',
    'u0024@acme.example',
  ]);
  const agent = await ok({ $type: 'UserCallCenterGetRequest23', userId: 'u0021@acme.example' });
  expect(agent.agentACDState).toBe('Unavailable');
  expect(records(agent.callCenterTable).map((r) => r['Service User Id'])).toEqual(['cc-acme-hq@acme.example']);
  const before = records(
    (await ok({ $type: 'GroupCallCenterGetInstanceQueueStatusRequest', serviceUserId: 'cc-acme-hq@acme.example' })).agentsCurrentlyStaffed,
  );
  expect(before.map((r) => r['User Id'])).toEqual(['u0020@acme.example', 'u0024@acme.example']);
  await ok({ $type: 'UserCallCenterModifyRequest19', userId: 'u0021@acme.example', agentACDState: 'Available' });
  expect((await ok({ $type: 'UserCallCenterGetRequest23', userId: 'u0021@acme.example' })).agentACDState).toBe('Available');
  const staffed = records(
    (await ok({ $type: 'GroupCallCenterGetInstanceQueueStatusRequest', serviceUserId: 'cc-acme-hq@acme.example' })).agentsCurrentlyStaffed,
  );
  expect(staffed).toHaveLength(3);
  await ok({ $type: 'GroupCallCenterModifyAgentListRequest', serviceUserId: 'cc-acme-hq@acme.example', agentUserIdList: { userId: ['u0050@acme.example'] } });
  expect(
    records((await ok({ $type: 'GroupCallCenterGetAgentListRequest', serviceUserId: 'cc-acme-hq@acme.example' })).agentTable).map((a) => a['User Id']),
  ).toEqual(['u0050@acme.example']);
});

test('call pickup groups by name: the user side, add, rename, list, delete, duplicates', async () => {
  const pickup = await ok({ $type: 'UserCallPickupGetRequest', userId: 'u0030@acme.example' });
  expect(pickup.name).toBe('Pickup acme-hq');
  expect(records(pickup.userTable)).toHaveLength(6);
  await ok({ $type: 'GroupCallPickupAddInstanceRequest', ...hq, name: 'Night', userId: ['u0060@acme.example'] });
  expect(await fails({ $type: 'GroupCallPickupAddInstanceRequest', ...hq, name: 'Night' })).toBe(4641);
  await ok({
    $type: 'GroupCallPickupModifyInstanceRequest',
    ...hq,
    name: 'Night',
    newName: 'Late',
    userIdList: { userId: ['u0061@acme.example', 'u0062@acme.example'] },
  });
  const late = await ok({ $type: 'GroupCallPickupGetInstanceRequest', ...hq, name: 'Late' });
  expect(records(late.userTable).map((r) => r['User Id'])).toEqual(['u0061@acme.example', 'u0062@acme.example']);
  expect((await ok({ $type: 'GroupCallPickupGetInstanceListRequest', ...hq })).name).toEqual(['Pickup acme-hq', 'Late']);
  await ok({ $type: 'GroupCallPickupDeleteInstanceRequest', ...hq, name: 'Late' });
  expect(await fails({ $type: 'GroupCallPickupGetInstanceRequest', ...hq, name: 'Late' })).toBe(4640);
});

test('call forwarding of every kind, do not disturb and voice messaging read back what was set', async () => {
  const user = 'u0011@acme.example';
  for (const kind of ['Always', 'Busy', 'NoAnswer', 'NotReachable']) {
    await ok({ $type: `UserCallForwarding${kind}ModifyRequest`, userId: user, isActive: true, forwardToPhoneNumber: '8005550199' });
    const answer = await ok({ $type: schema.latest(`UserCallForwarding${kind}GetRequest`) as string, userId: user });
    expect(answer).toMatchObject({ isActive: true, forwardToPhoneNumber: '8005550199' });
    await ok({ $type: `UserCallForwarding${kind}ModifyRequest`, userId: user, forwardToPhoneNumber: null, isActive: false });
    const cleared = await ok({ $type: schema.latest(`UserCallForwarding${kind}GetRequest`) as string, userId: user });
    expect(cleared.isActive).toBe(false);
    expect(cleared.forwardToPhoneNumber).toBeUndefined();
  }
  await ok({ $type: 'UserCallForwardingSelectiveModifyRequest', userId: user, isActive: true, defaultForwardToPhoneNumber: '8005550123' });
  expect(await ok({ $type: 'UserCallForwardingSelectiveGetRequest16', userId: user })).toMatchObject({
    isActive: true,
    defaultForwardToPhoneNumber: '8005550123',
  });
  // Seeded: user 7 of each group is on do not disturb.
  expect((await ok({ $type: 'UserDoNotDisturbGetRequest', userId: 'u0007@acme.example' })).isActive).toBe(true);
  await ok({ $type: 'UserDoNotDisturbModifyRequest', userId: 'u0007@acme.example', isActive: false });
  expect((await ok({ $type: 'UserDoNotDisturbGetRequest', userId: 'u0007@acme.example' })).isActive).toBe(false);
  const vm = await ok({ $type: 'UserVoiceMessagingUserGetVoiceManagementRequest23', userId: user });
  expect(vm).toMatchObject({ isActive: true, processing: 'Unified Voice and Email Messaging', busyRedirectToVoiceMail: true });
  await ok({ $type: 'UserVoiceMessagingUserModifyVoiceManagementRequest', userId: user, processing: 'Deliver To Email Address Only' });
  expect((await ok({ $type: 'UserVoiceMessagingUserGetVoiceManagementRequest23', userId: user })).processing).toBe('Deliver To Email Address Only');
  expect(await fails({ $type: 'UserDoNotDisturbGetRequest', userId: 'nobody@acme.example' })).toBe(4008);
});

test('service packs and authorisation: usage counts follow assignments', async () => {
  const usage = async (service: string) =>
    records((await ok({ $type: 'GroupServiceGetAuthorizationListRequest', ...hq })).userServicesAuthorizationTable).find((r) => r['Service Name'] === service);
  expect(await usage('Voice Messaging User')).toMatchObject({ Authorized: 'true', Limited: 'true', Quantity: '90', Usage: '100' });
  // Call Forwarding Busy comes with the Forwarding Pack (every 4th user).
  expect((await usage('Call Forwarding Busy'))?.Usage).toBe('25');
  await ok({ $type: 'UserServiceAssignListRequest', userId: 'u0001@acme.example', servicePackName: ['Forwarding Pack'] });
  expect((await usage('Call Forwarding Busy'))?.Usage).toBe('26');
  const assigned = records((await ok({ $type: 'GroupGetUserServiceAssignedUserListRequest', ...hq, servicePackName: 'Forwarding Pack' })).userListTable);
  expect(assigned).toHaveLength(26);
  const packs = records((await ok({ $type: 'GroupServiceGetAuthorizationListRequest', ...hq })).servicePacksAuthorizationTable);
  expect(packs).toEqual([expect.objectContaining({ 'Service Pack Name': 'Forwarding Pack', Allocated: '50', Usage: '26' })]);
  await ok({
    $type: 'ServiceProviderServicePackAddRequest',
    serviceProviderId: 'acme',
    servicePackName: 'VM Pack',
    isAvailableForUse: true,
    servicePackQuantity: { quantity: 10 },
    serviceName: ['Voice Messaging User'],
  });
  expect(
    await fails({
      $type: 'ServiceProviderServicePackAddRequest',
      serviceProviderId: 'acme',
      servicePackName: 'VM Pack',
      isAvailableForUse: true,
      servicePackQuantity: { unlimited: true },
    }),
  ).toBe(4645);
  await ok({ $type: 'ServiceProviderServicePackModifyRequest', serviceProviderId: 'acme', servicePackName: 'VM Pack', newServicePackName: 'Voicemail Pack' });
  expect((await ok({ $type: 'ServiceProviderServicePackGetListRequest', serviceProviderId: 'acme' })).servicePackName).toEqual([
    'Forwarding Pack',
    'Voicemail Pack',
  ]);
  await ok({
    $type: 'GroupServiceModifyAuthorizationListRequest',
    ...hq,
    userServiceAuthorization: [{ serviceName: 'Voice Messaging User', authorizedQuantity: { unlimited: true } }],
  });
  expect(await usage('Voice Messaging User')).toMatchObject({ Limited: 'false', Quantity: 'Unlimited' });
  await ok({ $type: 'ServiceProviderServicePackDeleteRequest', serviceProviderId: 'acme', servicePackName: 'Voicemail Pack' });
  expect(await fails({ $type: 'ServiceProviderServicePackGetDetailListRequest', serviceProviderId: 'acme', servicePackName: 'Voicemail Pack' })).toBe(4644);
});

test('administrators, their policies, and departments', async () => {
  await ok({ $type: 'GroupAdminAddRequest', ...hq, userId: 'ops@acme.example', firstName: 'Op', lastName: 'Erator', password: 'Pw-123456' });
  expect(await fails({ $type: 'GroupAdminAddRequest', ...hq, userId: 'u0001@acme.example' })).toBe(4009);
  const admin = await ok({ $type: 'GroupAdminGetRequest22V3', userId: 'ops@acme.example' });
  expect(admin).toMatchObject({ ...hq, firstName: 'Op', lastName: 'Erator', language: 'English', hasPassword: true });
  await ok({ $type: 'GroupAdminModifyRequest', userId: 'ops@acme.example', lastName: 'Ator' });
  await ok({ $type: 'GroupAdminModifyPolicyRequest', userId: 'ops@acme.example', profileAccess: 'Read-Only' });
  expect((await ok({ $type: 'GroupAdminGetPolicyRequest20', userId: 'ops@acme.example' })).profileAccess).toBe('Read-Only');
  const admins = records((await ok({ $type: 'GroupAdminGetListRequest', ...hq })).groupAdminTable);
  expect(admins.map((a) => [a['Administrator ID'], a['Last Name']])).toEqual([
    ['admin-acme-hq@acme.example', 'Administrator'],
    ['ops@acme.example', 'Ator'],
  ]);
  await ok({ $type: 'GroupAdminDeleteRequest', userId: 'ops@acme.example' });
  expect(await fails({ $type: 'GroupAdminGetRequest22V3', userId: 'ops@acme.example' })).toBe(4008);
  const spAdmins = records((await ok({ $type: 'ServiceProviderAdminGetListRequest14', serviceProviderId: 'acme' })).serviceProviderAdminTable);
  expect(spAdmins.map((a) => a['Administrator ID'])).toEqual(['admin@acme.example']);

  await ok({ $type: 'GroupDepartmentAddRequest', ...hq, departmentName: 'Legal', callingLineIdName: 'Legal dept' });
  expect(await fails({ $type: 'GroupDepartmentAddRequest', ...hq, departmentName: 'Legal' })).toBe(4643);
  expect((await ok({ $type: 'GroupDepartmentGetRequest', ...hq, departmentName: 'Legal' })).callingLineIdName).toBe('Legal dept');
  await ok({ $type: 'GroupDepartmentModifyRequest', ...hq, departmentName: 'Legal', newDepartmentName: 'Compliance' });
  const departments = records((await ok({ $type: 'GroupDepartmentGetListRequest18', ...hq, includeEnterpriseDepartments: false })).departmentTable);
  expect(departments.map((d) => d['Department Name'])).toEqual(['Sales', 'Operations', 'Compliance']);
  await ok({ $type: 'GroupDepartmentDeleteRequest', ...hq, departmentName: 'Compliance' });
  expect(await fails({ $type: 'GroupDepartmentGetRequest', ...hq, departmentName: 'Compliance' })).toBe(4642);
});

test('trunk groups, group trunk settings and seeded registrations', async () => {
  const trunks = records((await ok({ $type: 'GroupTrunkGroupGetInstanceListRequest14sp4', ...hq })).trunkGroupTable);
  expect(trunks).toEqual([expect.objectContaining({ Name: 'trunk-acme-hq', Department: 'Operations', 'Group Id': 'acme-hq' })]);
  await ok({ $type: 'GroupTrunkGroupModifyRequest14sp9', ...hq, maxActiveCalls: 40 });
  expect((await ok({ $type: 'GroupTrunkGroupGetRequest23', ...hq })).maxActiveCalls).toBe(40);
  const registrations = records((await ok({ $type: 'UserGetRegistrationListRequest', userId: 'u0000@acme.example' })).registrationTable);
  expect(registrations).toEqual([expect.objectContaining({ 'Device Name': 'dev-u0000', 'Line/Port': 'u0000_lp@acme.example', 'Registration Active': 'true' })]);
  expect(records((await ok({ $type: 'UserGetRegistrationListRequest', userId: 'u0001@acme.example' })).registrationTable)).toEqual([]);
});

test('R24: the same mechanism serves every hunt group and call center version of the older release', async () => {
  const r24 = await loadMockSchema('R24');
  const older = await startOciMock({ tcpPort: 0, schema: r24, seed: 'demo' });
  const connection = await RawOciConnection.tcp(r24, older.ports.tcp as number);
  try {
    await connection.loginHashed();
    const versions = (family: string) => r24.requestTypes().filter((t) => r24.complexType(t).family === family);
    for (const kind of ['HuntGroup', 'CallCenter']) {
      for (const [i, type] of versions(`Group${kind}AddInstanceRequest`).entries()) {
        const sample = sampleCommand(r24, type, { seed: 3 }) as Record<string, unknown>;
        delete sample.agentUserId;
        const id = `r24-${kind}-${i}@acme.example`;
        const profile = { name: `R24 ${kind} ${i}`, callingLineIdLastName: 'R24', callingLineIdFirstName: 'Svc', password: 'Svc-pass-1' };
        const added = await connection.one({ ...sample, $type: type, ...hq, serviceUserId: id, serviceInstanceProfile: profile } as OciCommand);
        expect(added.$type).toBe('SuccessResponse');
        for (const get of versions(`Group${kind}GetInstanceRequest`)) {
          const answer = await connection.one({ $type: get, serviceUserId: id });
          expect((answer.serviceInstanceProfile as Record<string, unknown> | undefined)?.name).toBe(profile.name);
        }
      }
    }
  } finally {
    await connection.close();
    await older.close();
  }
}, 60_000);
