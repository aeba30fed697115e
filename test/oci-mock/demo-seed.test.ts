// The built-in demo seed: its sizes, each planted problem found the way an audit would find it
// (through the wire), determinism, and `hammer mock oci --seed demo --strict` as a process.
import { once } from 'node:events';
import { type OciMockServer, buildDemoSeed, demoPlantedProblems, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { stateFromSeed } from '../../runtime/mock/oci/seed.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import { spawnMock } from '../support/mock-process.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { toRecords } from '../../runtime/oci/table.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;
let c: RawOciConnection;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({ tcpPort: 0, schema, seed: 'demo' });
  c = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  await c.loginHashed();
}, 60_000);

afterAll(async () => {
  await c?.close();
  await server?.close();
});

const records = (table: unknown) => toRecords(table as Parameters<typeof toRecords>[0]);

async function ok(command: OciCommand): Promise<OciCommand> {
  const response = await c.one(command);
  if (response.$type === 'ErrorResponse') throw new Error(`${command.$type}: ${String(response.summary)}`);
  return response;
}

/** Sends many commands, 15 per document, and returns the answers in order. */
async function many(commands: OciCommand[]): Promise<OciCommand[]> {
  const out: OciCommand[] = [];
  for (let i = 0; i < commands.length; i += 15) out.push(...(await c.send(commands.slice(i, i + 15))).doc.commands);
  return out;
}

const groups = [
  ['acme', 'acme-hq'],
  ['acme', 'acme-east'],
  ['acme', 'acme-west'],
  ['globex', 'globex-main'],
  ['globex', 'globex-lab'],
] as const;

test('sizes: 2 service providers, 5 groups, 500 users, 20 hunt groups, 5 call centers, 5 auto attendants', async () => {
  expect(records((await ok({ $type: 'ServiceProviderGetListRequest' })).serviceProviderTable).map((r) => r['Service Provider Id'])).toEqual(['acme', 'globex']);
  expect(records((await ok({ $type: 'GroupGetListInSystemRequest' })).groupTable).map((r) => r['Group Id'])).toEqual(groups.map(([, g]) => g));
  expect(records((await ok({ $type: 'UserGetListInSystemRequest' })).userTable)).toHaveLength(500);
  const count = async (family: string) => {
    let total = 0;
    for (const [serviceProviderId, groupId] of groups) {
      const answer = await ok({ $type: schema.latest(family) as string, serviceProviderId, groupId });
      const table = Object.values(answer).find((v) => typeof v === 'object' && v !== null && 'colHeading' in v);
      total += records(table).length;
    }
    return total;
  };
  expect(await count('GroupHuntGroupGetInstanceListRequest')).toBe(20);
  expect(await count('GroupCallCenterGetInstanceListRequest')).toBe(5);
  expect(await count('GroupAutoAttendantGetInstanceListRequest')).toBe(5);
  const devices = records((await ok({ $type: 'GroupAccessDeviceGetListRequest', serviceProviderId: 'acme', groupId: 'acme-hq' })).accessDeviceTable);
  expect(devices).toHaveLength(100); // 99 users with a device + the spare
  const available = await ok({ $type: 'GroupDnGetAvailableListRequest', serviceProviderId: 'acme', groupId: 'acme-east' });
  expect(available.phoneNumber).toHaveLength(14);
});

test('planted: an alias used twice (a user and a hunt group)', async () => {
  const { alias, owners } = demoPlantedProblems.duplicateAlias;
  const users = records((await ok({ $type: 'UserGetListInGroupRequest', serviceProviderId: 'acme', GroupId: 'acme-hq' })).userTable).map(
    (r) => r['User Id'] as string,
  );
  const userAnswers = await many(users.map((userId) => ({ $type: 'UserGetRequest23V2', userId })));
  const hgIds = records((await ok({ $type: 'GroupHuntGroupGetInstanceListRequest', serviceProviderId: 'acme', groupId: 'acme-hq' })).huntGroupTable).map(
    (r) => r['Service User Id'] as string,
  );
  const hgAnswers = await many(hgIds.map((serviceUserId) => ({ $type: 'GroupHuntGroupGetInstanceRequest20', serviceUserId })));
  const holders = [
    ...userAnswers.flatMap((u, i) => (((u.alias as string[] | undefined) ?? []).includes(alias) ? [users[i]] : [])),
    ...hgAnswers.flatMap((h, i) => (((h.serviceInstanceProfile as { alias?: string[] }).alias ?? []).includes(alias) ? [hgIds[i]] : [])),
  ];
  expect(holders).toEqual(owners);
});

test('planted: a service authorised below its usage', async () => {
  const { serviceProviderId, groupId, service, authorised, usage } = demoPlantedProblems.overusedService;
  const table = records((await ok({ $type: 'GroupServiceGetAuthorizationListRequest', serviceProviderId, groupId })).userServicesAuthorizationTable);
  const overused = table.filter((r) => r.Limited === 'true' && Number(r.Usage) > Number(r.Quantity));
  expect(overused.map((r) => [r['Service Name'], r.Quantity, r.Usage])).toEqual([[service, String(authorised), String(usage)]]);
  // Elsewhere nothing is over-used.
  const east = records(
    (await ok({ $type: 'GroupServiceGetAuthorizationListRequest', serviceProviderId: 'acme', groupId: 'acme-east' })).userServicesAuthorizationTable,
  );
  expect(east.filter((r) => r.Limited === 'true' && Number(r.Usage) > Number(r.Quantity))).toEqual([]);
});

test('planted: an unassigned number that is still activated', async () => {
  const { serviceProviderId, groupId, phoneNumber } = demoPlantedProblems.activatedUnassignedNumber;
  const rows = records((await ok({ $type: 'GroupDnGetAssignmentListRequest18', serviceProviderId, groupId })).dnTable);
  expect(rows).toHaveLength(120);
  const unassigned = rows.filter((r) => r['User Id'] === '');
  expect(unassigned).toHaveLength(14);
  expect(unassigned.filter((r) => r.Activated === 'true').map((r) => r['Phone Numbers'])).toEqual([phoneNumber]);
});

test('planted: a user with no device and a device nobody uses', async () => {
  const { userId } = demoPlantedProblems.userWithoutDevice;
  const { deviceName } = demoPlantedProblems.unusedDevice;
  const users = records((await ok({ $type: 'UserGetListInGroupRequest', serviceProviderId: 'acme', GroupId: 'acme-hq' })).userTable).map(
    (r) => r['User Id'] as string,
  );
  const answers = await many(users.map((id) => ({ $type: 'UserGetRequest23V2', userId: id })));
  expect(users.filter((_, i) => answers[i]?.accessDeviceEndpoint === undefined)).toEqual([userId]);
  const devices = records((await ok({ $type: 'GroupAccessDeviceGetListRequest', serviceProviderId: 'acme', groupId: 'acme-hq' })).accessDeviceTable).map(
    (r) => r['Device Name'] as string,
  );
  const details = await many(
    devices.map((name) => ({ $type: 'GroupAccessDeviceGetRequest22V2', serviceProviderId: 'acme', groupId: 'acme-hq', deviceName: name })),
  );
  expect(devices.filter((_, i) => details[i]?.numberOfAssignedPorts === 0)).toEqual([deviceName]);
  const deviceUsers = await ok({ $type: 'GroupAccessDeviceGetUserListRequest21sp1', serviceProviderId: 'acme', groupId: 'acme-hq', deviceName: 'dev-u0005' });
  expect(records(deviceUsers.deviceUserTable)).toEqual([expect.objectContaining({ 'User Id': 'u0005@acme.example', 'Line/Port': 'u0005_lp@acme.example' })]);
  expect(
    records((await ok({ $type: 'GroupAccessDeviceGetUserListRequest21sp1', serviceProviderId: 'acme', groupId: 'acme-hq', deviceName })).deviceUserTable),
  ).toEqual([]);
});

test('deterministic: the same seed gives the same data', () => {
  expect(buildDemoSeed()).toEqual(buildDemoSeed());
  expect(stateFromSeed(buildDemoSeed()).snapshot()).toEqual(stateFromSeed(buildDemoSeed()).snapshot());
});

test('hammer mock oci --seed demo --strict: the demo data, and an unmodelled change refused', async () => {
  const { child, ready, stderr } = await spawnMock(['--tcp-port', '0', '--seed', 'demo', '--strict']);
  try {
    const connection = await RawOciConnection.tcp(schema, ready.tcp as number);
    try {
      await connection.loginHashed();
      expect((await connection.one({ $type: 'GroupGetRequest22V5', serviceProviderId: 'globex', groupId: 'globex-lab' })).userCount).toBe(100);
      expect(errorNumber(await connection.one({ $type: 'SystemCallProcessingPolicyProfileDeleteRequest', name: 'p1' }))).toBe(4998);
    } finally {
      await connection.close();
    }
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  }
  expect(stderr()).toContain('unmodelled data-changing requests: 1 (1 types)');
}, 60_000);
