// The automations against the demo seed, the mock started as a separate process (`hammer mock
// oci --seed demo`): every planted problem is found, and each automation's output is checked
// field by field. Then record (the mock as its own upstream) and replay with the upstream stopped
// give identical results. Warnings, abort and the CLI adapter too.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentEvent,
  type AgentOptions,
  auditGroup,
  auditServiceProvider,
  callCenterDigest,
  findAlias,
  findNumber,
  userDigest,
  userDigests,
} from '../../agents/automations/index.js';
import { demoPlantedProblems } from '../../runtime/mock/oci/seed-demo.js';
import { responseTables } from '../../runtime/oci/present.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { type SpawnedMock, spawnMock } from '../oci-client/helpers.js';
import { freePort } from '../support/free-port.js';

const PASSWORD = 'agents-Pa55';
let mock: SpawnedMock;
let schema: OciSchema;
let options: AgentOptions;

const connectionTo = (port: number) => ({ url: `tcp://127.0.0.1:${port}`, userId: 'admin', password: PASSWORD });

beforeAll(async () => {
  mock = await spawnMock(['--tcp-port', '0', '--seed', 'demo', '--user', `admin:${PASSWORD}`]);
  schema = await OciSchema.load(mock.release);
  options = { connection: connectionTo(mock.ports.tcp as number), schema, sessions: 2 };
}, 60_000);

afterAll(async () => {
  await mock?.stop();
});

const planted = demoPlantedProblems;

test('find-alias: every holder of the duplicate alias, case-insensitive, by user part too', async () => {
  const result = await findAlias('SALES@Acme.Example', { serviceProviderId: 'acme' }, options);
  expect(result.warnings).toEqual([]);
  expect(result.groupsSearched).toBe(3);
  // 300 users, 3 × (4 hunt groups + call center + auto attendant + paging) instances, 3 voice portals.
  expect(result.ownersSearched).toBe(300 + 3 * 7 + 3);
  expect(result.matches.map((m) => m.owner.id).sort()).toEqual([...planted.duplicateAlias.owners].sort());
  const hg = result.matches.find((m) => m.owner.kind === 'huntGroup');
  expect(hg?.owner).toMatchObject({
    label: 'hunt group',
    name: 'Sales acme-hq',
    serviceProviderId: 'acme',
    groupId: 'acme-hq',
    phoneNumber: '2025550100',
    extension: '2100',
  });
  const user = result.matches.find((m) => m.owner.kind === 'user');
  expect(user?.owner).toMatchObject({ name: 'Hiroshi Silva', phoneNumber: '2025550007', extension: '1007', aliases: ['sales@acme.example'] });
  const byUserPart = await findAlias('sales', { serviceProviderId: 'acme', groupId: 'acme-hq' }, options);
  expect(byUserPart.matches).toHaveLength(2);
  const none = await findAlias('sales', { serviceProviderId: 'globex' }, options);
  expect(none.matches).toEqual([]);
}, 60_000);

test('find-number: the planted activated unassigned number, a user, a service instance, an extension', async () => {
  const unassigned = await findNumber(planted.activatedUnassignedNumber.phoneNumber, { system: true }, options);
  expect(unassigned.groupsSearched).toBe(5);
  expect(unassigned.hits).toEqual([
    {
      serviceProviderId: 'acme',
      groupId: 'acme-hq',
      phoneNumber: '2025550119',
      byExtension: false,
      assigned: false,
      activated: true,
      extension: undefined,
      owner: undefined,
    },
  ]);
  const user = await findNumber('+1 (202) 555-0007', { serviceProviderId: 'acme' }, options);
  expect(user.hits).toHaveLength(1);
  expect(user.hits[0]).toMatchObject({ groupId: 'acme-hq', phoneNumber: '2025550007', extension: '1007', assigned: true, activated: true });
  expect(user.hits[0]?.owner).toEqual({ kind: 'user', id: 'u0007@acme.example', name: 'Hiroshi Silva', userType: 'Normal' });
  const cc = await findNumber('2025550104', { serviceProviderId: 'acme' }, options);
  expect(cc.hits[0]?.owner).toEqual({ kind: 'service instance', id: 'cc-acme-hq@acme.example', name: 'Service Call Center', userType: 'Call Center' });
  const paging = await findNumber('2199', { serviceProviderId: 'globex' }, options);
  expect(paging.hits.map((h) => [h.groupId, h.owner?.id, h.byExtension])).toEqual([
    ['globex-main', 'paging-globex-main@globex.example', true],
    ['globex-lab', 'paging-globex-lab@globex.example', true],
  ]);
  expect((await findNumber('9999999999', { system: true }, options)).hits).toEqual([]);
}, 60_000);

test('audit-group: every planted problem of acme-hq, and the details field by field', async () => {
  const a = await auditGroup('acme', 'acme-hq', options);
  expect(a.warnings).toEqual([]);
  expect(a.details).toEqual({
    groupName: 'Acme Hq',
    defaultDomain: 'acme.example',
    timeZone: 'America/New_York',
    callingLineIdName: 'acme-hq',
    locationDialingCode: '11',
  });
  expect([a.userLimit, a.userCount]).toEqual([200, 100]);
  expect(a.problems).toEqual([
    { kind: 'service-over-use', subject: planted.overusedService.service, detail: '100 in use, 90 authorised' },
    { kind: 'unassigned-number-activated', subject: planted.activatedUnassignedNumber.phoneNumber, detail: 'no owner, but activated' },
    { kind: 'unused-device', subject: planted.unusedDevice.deviceName, detail: 'Polycom VVX 400 with no user' },
    { kind: 'user-without-device', subject: planted.userWithoutDevice.userId, detail: 'no device or trunk endpoint' },
    { kind: 'duplicate-alias', subject: planted.duplicateAlias.alias, detail: 'user u0007@acme.example, hunt group hg-sales-acme-hq@acme.example' },
  ]);
  expect(a.services.find((s) => s.name === 'Voice Messaging User')).toEqual({
    name: 'Voice Messaging User',
    level: 'user',
    limited: true,
    quantity: planted.overusedService.authorised,
    usage: planted.overusedService.usage,
    overUsed: true,
  });
  expect(a.services.find((s) => s.name === 'Hunt Group')).toEqual({
    name: 'Hunt Group',
    level: 'group',
    limited: false,
    quantity: undefined,
    usage: 1,
    overUsed: false,
  });
  expect(a.servicePacks).toEqual([
    { name: 'Forwarding Pack', limited: true, quantity: 50, usage: 25, overUsed: false, description: 'Every call forwarding service' },
  ]);
  expect(a.numbers).toHaveLength(120);
  expect(a.numberSummary).toEqual({ assignedActivated: 106, assignedDeactivated: 0, unassignedActivated: 1, unassignedDeactivated: 13 });
  expect(a.numbers.find((n) => n.phoneNumber === '2025550100')).toEqual({
    phoneNumber: '2025550100',
    assigned: true,
    activated: true,
    ownerId: 'hg-sales-acme-hq@acme.example',
    ownerType: 'Hunt Group',
    extension: '2100',
  });
  expect(a.devices).toHaveLength(100);
  expect(a.devices.filter((d) => d.unused).map((d) => d.name)).toEqual([planted.unusedDevice.deviceName]);
  expect(a.devices.find((d) => d.name === 'dev-u0001')).toEqual({
    name: 'dev-u0001',
    type: 'Yealink T54W',
    macAddress: '0004F2000001',
    userCount: 1,
    unused: false,
  });
  expect(a.trunkGroups).toEqual([{ name: 'trunk-acme-hq', department: 'Operations', deviceName: undefined }]);
  expect(a.serviceInstances).toMatchObject({
    huntGroup: 4,
    callCenter: 1,
    autoAttendant: 1,
    groupPaging: 1,
    voiceXml: 0,
    routePoint: 0,
    callPickup: 1,
    trunkGroup: 1,
  });
  expect(a.usersWithoutDevice).toEqual([planted.userWithoutDevice.userId]);
  // A clean group has no problems.
  const clean = await auditGroup('globex', 'globex-lab', options);
  expect(clean.problems).toEqual([]);
  expect(clean.numberSummary).toEqual({ assignedActivated: 106, assignedDeactivated: 0, unassignedActivated: 0, unassignedDeactivated: 14 });
}, 120_000);

test('audit-service-provider: rolled up, duplicates across groups, progress events', async () => {
  const events: AgentEvent[] = [];
  const r = await auditServiceProvider('acme', { ...options, onEvent: (e) => events.push(e) });
  expect(r.warnings).toEqual([]);
  expect(r.totals).toMatchObject({ groups: 3, users: 300, devices: 300, unusedDevices: 1, usersWithoutDevice: 1 });
  expect(r.totals.numbers).toEqual({ assignedActivated: 318, assignedDeactivated: 0, unassignedActivated: 1, unassignedDeactivated: 41 });
  expect(r.totals.serviceInstances).toMatchObject({ huntGroup: 12, callCenter: 3, autoAttendant: 3, groupPaging: 3, callPickup: 3, trunkGroup: 3 });
  expect(r.problems.map((p) => [p.groupId, p.kind, p.subject])).toEqual([
    ['acme-hq', 'service-over-use', 'Voice Messaging User'],
    ['acme-hq', 'unassigned-number-activated', '2025550119'],
    ['acme-hq', 'unused-device', 'spare-acme-hq'],
    ['acme-hq', 'user-without-device', 'u0042@acme.example'],
    ['acme-hq', 'duplicate-alias', 'sales@acme.example'],
  ]);
  expect(r.duplicateAliases).toEqual([
    {
      value: 'sales@acme.example',
      holders: [
        { groupId: 'acme-hq', kind: 'user', id: 'u0007@acme.example' },
        { groupId: 'acme-hq', kind: 'huntGroup', id: 'hg-sales-acme-hq@acme.example' },
      ],
    },
  ]);
  // Every group numbers its users 1000–1099 and its instances 2100–2105, 2199, but each acme group has
  // its own location dialing code (11, 12, 13): dialed across groups, no extension reaches two holders.
  expect(r.duplicateExtensions).toEqual([]);
  expect(events[0]).toEqual({ type: 'start', agent: 'audit-service-provider' });
  const progress = events.filter((e) => e.type === 'progress');
  expect(progress.length).toBeGreaterThan(10);
  const end = events.at(-1);
  expect(end?.type).toBe('end');
  if (end?.type === 'end') {
    expect(end.commands).toBe((progress.at(-1) as { done: number }).done);
    // 15 commands per document: far fewer documents than commands.
    expect(end.documents).toBeLessThan(end.commands / 10);
  }
}, 120_000);

test('duplicate extensions across groups: only between enterprise groups sharing a location dialing code', async () => {
  const { OciClient } = await import('../../runtime/oci/client.js');
  const client = new OciClient({ ...connectionTo(mock.ports.tcp as number), schema });
  const setCode = (groupId: string, locationDialingCode: string) =>
    client.send({ $type: schema.latest('GroupModifyRequest') as string, serviceProviderId: 'acme', groupId, locationDialingCode } as never);
  try {
    await setCode('acme-west', '11'); // now the same code as acme-hq: 11 + 1000 dials two users
    const r = await auditServiceProvider('acme', options);
    expect(r.warnings).toEqual([]);
    // 100 users (1000–1099) and 7 instances (2100–2105, 2199), each once in acme-hq and once in acme-west; acme-east (12) stays apart.
    expect(r.duplicateExtensions).toHaveLength(100 + 7);
    expect(r.duplicateExtensions.every((d) => d.locationDialingCode === '11' && d.holders.length === 2)).toBe(true);
    expect(r.duplicateExtensions[0]).toEqual({
      value: '1000',
      locationDialingCode: '11',
      holders: [
        { groupId: 'acme-hq', kind: 'user', id: 'u0000@acme.example' },
        { groupId: 'acme-west', kind: 'user', id: 'u0200@acme.example' },
      ],
    });
    expect(r.duplicateExtensions.at(-1)).toMatchObject({
      value: '2199',
      holders: [{ id: 'paging-acme-hq@acme.example' }, { id: 'paging-acme-west@acme.example' }],
    });
  } finally {
    await setCode('acme-west', '13');
    await client.close();
  }
  // globex is not an enterprise: its two groups use the same extensions, and neither dials the other's.
  const globex = await auditServiceProvider('globex', options);
  expect(globex.warnings).toEqual([]);
  expect(globex.groups.flatMap((g) => g.owners.filter((o) => o.extension === '1000').map((o) => o.groupId))).toEqual(['globex-main', 'globex-lab']);
  expect(globex.duplicateExtensions).toEqual([]);
}, 120_000);

test('user-digest: the device is read at the level the endpoint names (group, service provider, system)', async () => {
  const { OciClient } = await import('../../runtime/oci/client.js');
  const { demoDevicesAboveGroup } = await import('../../runtime/mock/oci/seed-demo.js');
  const r = await userDigests(['u0398@globex.example', 'u0399@globex.example', 'u0397@globex.example'], options);
  expect(r.warnings).toEqual([]);
  const [sp, system, group] = r.digests;
  expect(sp?.device).toMatchObject({ name: 'lobby-globex', level: 'Service Provider', linePort: 'u0398_lp@globex.example' });
  expect(system?.device).toMatchObject({ name: 'conference-hub', level: 'System', linePort: 'u0399_lp@globex.example' });
  expect(group?.device).toMatchObject({ name: 'dev-u0397', level: 'Group', type: 'Yealink T54W', macAddress: '0004F200018D' });
  expect(sp?.registrations[0]).toMatchObject({ deviceLevel: 'Service Provider', deviceName: 'lobby-globex' });
  // The details are the answers of the Get at that level (and the group has no such device).
  const client = new OciClient({ ...connectionTo(mock.ports.tcp as number), schema });
  try {
    const spDevice = await client.send({
      $type: schema.latest('ServiceProviderAccessDeviceGetRequest') as string,
      serviceProviderId: 'globex',
      deviceName: demoDevicesAboveGroup['u0398@globex.example']?.deviceName,
    } as never);
    const systemDevice = await client.send({ $type: schema.latest('SystemAccessDeviceGetRequest') as string, deviceName: 'conference-hub' } as never);
    expect(sp?.device?.type).toBe(spDevice.deviceType);
    expect(sp?.device?.type).toBeDefined();
    expect(system?.device?.type).toBe(systemDevice.deviceType);
    await expect(
      client.send({
        $type: schema.latest('GroupAccessDeviceGetRequest') as string,
        serviceProviderId: 'globex',
        groupId: 'globex-main',
        deviceName: 'lobby-globex',
      } as never),
    ).rejects.toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE' });
  } finally {
    await client.close();
  }
}, 60_000);

test('user-digest: profile, device, registrations, services, forwarding, DND, voice messaging, memberships', async () => {
  const d = await userDigest('u0003@acme.example', options);
  expect(d.warnings).toEqual([]);
  expect(d).toMatchObject({ userId: 'u0003@acme.example', serviceProviderId: 'acme', groupId: 'acme-hq' });
  expect(d.profile).toEqual({
    firstName: 'Deepak',
    lastName: 'Johnson',
    callingLineIdFirstName: 'Deepak',
    callingLineIdLastName: 'Johnson',
    phoneNumber: '2025550003',
    extension: '1003',
    emailAddress: 'deepak.u0003@acme.example',
    department: 'Operations',
    title: 'Associate',
    language: 'English',
    timeZone: 'America/New_York',
  });
  expect(d.device).toEqual({
    name: 'dev-u0003',
    level: 'Group',
    linePort: 'u0003_lp@acme.example',
    type: 'Polycom VVX 400',
    macAddress: '0004F2000003',
    status: 'Online',
  });
  expect(d.registrations).toEqual([]); // odd users have none
  expect(d.services.assigned).toEqual(['Call Forwarding Always', 'Do Not Disturb', 'Voice Messaging User']);
  expect(d.services.servicePacks).toEqual([]);
  expect(d.callForwarding).toEqual({
    always: { active: true, forwardTo: '2025550096', numberOfRings: undefined },
    busy: { active: false, forwardTo: undefined, numberOfRings: undefined },
    noAnswer: { active: true, forwardTo: '8005550100', numberOfRings: 3 },
    notReachable: { active: false, forwardTo: undefined, numberOfRings: undefined },
    selective: { active: false },
  });
  expect(d.doNotDisturb).toEqual({ active: false });
  expect(d.voiceMessaging).toEqual({
    active: true,
    processing: 'Unified Voice and Email Messaging',
    // R25's EmailAddressList, as the demo seed stores it: the user's mailbox and, for every tenth user, the team's.
    deliveryEmailAddresses: ['vm3@acme.example', 'team-acme-hq@acme.example'],
    busyToVoiceMail: true,
    noAnswerToVoiceMail: true,
  });
  // On the wire: the Get answers R25's shape (an EmailAddressList), not a single address.
  const { OciClient } = await import('../../runtime/oci/client.js');
  const client = new OciClient({ ...connectionTo(mock.ports.tcp as number), schema });
  try {
    const vmGet = schema.latest('UserVoiceMessagingUserGetVoiceManagementRequest') as string;
    const vm = await client.send({ $type: vmGet, userId: 'u0004@acme.example' } as never);
    expect(vm.$type).toBe(schema.responseTypeOf(vmGet));
    expect(vm.voiceMessageDeliveryEmailAddress).toEqual({ emailAddress: ['vm4@acme.example'] });
  } finally {
    await client.close();
  }
  expect(d.huntGroups).toEqual([{ serviceUserId: 'hg-sales-acme-hq@acme.example', name: 'Sales acme-hq' }]);
  expect(d.callCenters).toEqual([]);
  expect(d.pickupGroup).toBeUndefined();
  expect(d.aliases).toEqual([]);

  const agent = await userDigest('u0022@acme.example', options);
  expect(agent.acdState).toBe('Wrap-Up');
  expect(agent.callCenters).toEqual([{ serviceUserId: 'cc-acme-hq@acme.example', name: 'Call Center acme-hq', available: true }]);
  expect(agent.registrations).toHaveLength(1);
  expect(agent.registrations[0]).toMatchObject({ deviceName: 'dev-u0022', uri: 'sip:u0022@10.1.0.32:5060', userAgent: 'PolycomVVX-VVX_500-UA/6.4.3' });
  expect(agent.services.servicePacks).toEqual([]);
  expect((await userDigest('u0032@acme.example', options)).pickupGroup).toBe('Pickup acme-hq');
  // Pickup members (users 30–35 of each group) are read from the groups' pickup groups: one list and one Get per group, not one per user.
  let end: AgentEvent | undefined;
  const around = ['u0029@acme.example', 'u0030@acme.example', 'u0035@acme.example', 'u0036@acme.example', 'u0430@globex.example'];
  const many = await userDigests(around, { ...options, onEvent: (e) => (e.type === 'end' ? (end = e) : undefined) });
  expect(many.digests.map((x) => x.pickupGroup)).toEqual([undefined, 'Pickup acme-hq', 'Pickup acme-hq', undefined, 'Pickup globex-lab']);
  // 5 users × 12 reads (the user and 11 of their own), 5 devices, and per group (2): a hunt group list, a pickup list, 4 hunt groups, 1 pickup group.
  expect(end).toMatchObject({ type: 'end', commands: 5 * 12 + 5 + 2 * (1 + 1 + 4 + 1), warnings: 0 });
  expect((await userDigest('u0007@acme.example', options)).aliases).toEqual(['sales@acme.example']);
  const noDevice = await userDigest(planted.userWithoutDevice.userId, options);
  expect(noDevice.device).toBeUndefined();
}, 60_000);

test('call-center-digest: settings, agents with ACD state, queue status', async () => {
  const c = await callCenterDigest('cc-acme-hq@acme.example', options);
  expect(c.warnings).toEqual([]);
  expect(c.settings).toEqual({
    name: 'Call Center acme-hq',
    phoneNumber: '2025550104',
    extension: '2104',
    aliases: [],
    type: 'Basic',
    policy: 'Circular',
    queueLength: 10,
    enableVideo: false,
    allowAgentLogoff: false,
  });
  expect(c.agents.map((a) => [a.userId, a.acdState, a.staffed, a.joined])).toEqual([
    ['u0020@acme.example', 'Available', true, true],
    ['u0021@acme.example', 'Unavailable', false, true],
    ['u0022@acme.example', 'Wrap-Up', false, true],
    ['u0023@acme.example', 'Sign-In', false, true],
    ['u0024@acme.example', 'Available', true, true],
  ]);
  expect(c.agents[0]).toMatchObject({ name: 'Elena Silva', phoneNumber: '2025550020', extension: '1020', skillLevel: '1' });
  expect(c.queue).toEqual({ callsQueuedNow: 0, agentsStaffed: 2 });
}, 60_000);

test('a failed sub-request is a warning, never an abort or a silent gap', async () => {
  const r = await userDigests(['u0001@acme.example', 'ghost@acme.example', 'u0002@acme.example'], options);
  expect(r.digests.map((d) => d.profile.firstName)).toEqual(['Bruno', undefined, 'Chloé']);
  const ghost = r.warnings.filter((w) => w.target === 'ghost@acme.example');
  expect(ghost.length).toBe(12); // the user and each of its 11 reads
  expect(ghost[0]).toMatchObject({ request: 'UserGetRequest23V2', code: 'TH_ERR_OCI_ERROR_RESPONSE' });
  expect(ghost[0]?.message).toMatch(/\[Error 4008\]/);
  await expect(userDigest('ghost@acme.example', options)).rejects.toMatchObject({ code: 'TH_ERR_AGENT_TARGET' });
  await expect(auditGroup('acme', 'no-such-group', options)).rejects.toMatchObject({ code: 'TH_ERR_AGENT_TARGET' });
  await expect(auditGroup('acme', 'acme-hq', { ...options, batchSize: 16 })).rejects.toMatchObject({ code: 'TH_ERR_AGENT_OPTIONS' });
  await expect(findAlias('x', { serviceProviderId: 'acme' }, { schema })).rejects.toMatchObject({ code: 'TH_ERR_AGENT_OPTIONS' });
}, 60_000);

test('a refused login or an unreachable server rejects with the client error, never as a target or as warnings', async () => {
  const wrong = { ...options, connection: { ...connectionTo(mock.ports.tcp as number), password: 'wrong' } };
  const refused = { code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber: 4962, message: expect.stringContaining('Invalid password') };
  // A target automation (the report showed "cannot read group") and a scan (every sub-request a warning).
  await expect(auditGroup('acme', 'acme-hq', wrong)).rejects.toMatchObject(refused);
  await expect(findAlias('sales', { serviceProviderId: 'acme' }, wrong)).rejects.toMatchObject(refused);
  const closed = { ...options, connection: { ...connectionTo(await freePort()), connectTimeoutMs: 5_000 } };
  await expect(userDigest('u0001@acme.example', closed)).rejects.toMatchObject({ code: 'TH_ERR_OCI_CONNECT' });
  // The server's answer about the target itself is still the target's error.
  await expect(userDigest('ghost@acme.example', options)).rejects.toMatchObject({
    code: 'TH_ERR_AGENT_TARGET',
    message: expect.stringMatching(/\[Error 4008\]/),
  });
}, 60_000);

test('abort: the run stops with TH_ERR_AGENT_ABORTED after the documents in flight', async () => {
  const controller = new AbortController();
  let progress = 0;
  const run = auditServiceProvider('acme', {
    ...options,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'progress' && ++progress === 3) controller.abort();
    },
  });
  await expect(run).rejects.toMatchObject({ code: 'TH_ERR_AGENT_ABORTED' });
}, 60_000);

test('record against the mock as upstream, replay with the upstream stopped: identical results', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-agents-'));
  const cassette = join(dir, 'demo.jsonl');
  const upstream = await spawnMock(['--tcp-port', '0', '--seed', 'demo', '--user', `admin:${PASSWORD}`]);
  const recorder = await spawnMock([
    '--tcp-port',
    '0',
    '--user',
    `admin:${PASSWORD}`,
    '--record',
    cassette,
    '--upstream',
    `tcp://127.0.0.1:${upstream.ports.tcp}`,
    '--upstream-user',
    `admin:${PASSWORD}`,
  ]);
  const runAll = async (port: number) => {
    const o: AgentOptions = { connection: connectionTo(port), schema, sessions: 2 };
    return {
      alias: await findAlias('sales', { serviceProviderId: 'acme', groupId: 'acme-hq' }, o),
      number: await findNumber('2025550119', { serviceProviderId: 'acme' }, o),
      audit: await auditGroup('acme', 'acme-hq', o),
      user: await userDigest('u0022@acme.example', o),
      center: await callCenterDigest('cc-acme-hq@acme.example', o),
    };
  };
  try {
    const recorded = await runAll(recorder.ports.tcp as number);
    await recorder.stop();
    await upstream.stop();
    expect(readFileSync(cassette, 'utf8')).not.toContain(PASSWORD);
    const player = await spawnMock(['--tcp-port', '0', '--user', `admin:${PASSWORD}`, '--replay', cassette, '--strict']);
    try {
      const replayed = await runAll(player.ports.tcp as number);
      expect(replayed).toEqual(recorded);
      expect(recorded.audit.problems).toHaveLength(5);
    } finally {
      await player.stop();
    }
  } finally {
    await recorder.stop();
    await upstream.stop();
  }
}, 180_000);

/** Spawns `hammer agent …` (the password from OCI_PASSWORD unless the args give one). */
function hammerAgent(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), 'agent', ...args], {
      cwd: projectRoot,
      env: { ...process.env, OCI_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('hammer agent: formats and --out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-agents-cli-'));
  const hammer = hammerAgent;
  const server = ['--url', `tcp://127.0.0.1:${mock.ports.tcp}`, '--user', 'admin'];
  const json = await hammer(['find-alias', 'sales', '--sp', 'acme', '--group', 'acme-hq', '--format', 'json', ...server]);
  expect(json.code).toBe(0);
  const parsed = JSON.parse(json.stdout);
  expect(parsed.matches.map((m: { owner: { id: string } }) => m.owner.id)).toEqual(['u0007@acme.example', 'hg-sales-acme-hq@acme.example']);
  const out = join(dir, 'cc.md');
  const md = await hammer(['call-center-digest', 'cc-acme-hq@acme.example', '--format', 'md', '--out', out, ...server]);
  expect([md.code, md.stdout]).toEqual([0, '']);
  const text = readFileSync(out, 'utf8');
  expect(text).toContain('## agents');
  expect(text).toContain('| u0022@acme.example | Grace Andersen | 2025550022 | 1022 | 1 | Wrap-Up | true | false |');
  const csv = await hammer(['find-number', '2025550119', '--system', '--format', 'csv', ...server]);
  expect(csv.stdout.split('\n').slice(0, 3)).toEqual([
    '# owners of 2025550119',
    'phone number,extension,service provider,group,assigned,activated,owner kind,owner,name,type,trunk group',
    '2025550119,,acme,acme-hq,false,true,,,,,',
  ]);
  const table = await hammer(['audit-group', '--sp', 'acme', '--group', 'acme-hq', ...server]);
  expect(table.stdout).toMatch(/unused-device\s+spare-acme-hq/);
  const usage = await hammer(['find-number', '1000', '--sp', 'acme', '--group', 'acme-hq', ...server]);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('TH_ERR_AGENT_OPTIONS');
}, 120_000);

test('hammer agent: a refused login, an unreachable server and an --out into a missing folder are one line each, exit 2', async () => {
  const closedPort = await freePort();
  const run = (args: string[]) => hammerAgent([...args, '--password', 'wrong']);
  const url = `tcp://127.0.0.1:${mock.ports.tcp}`;
  const [wrong, unreachable, missingFolder] = await Promise.all([
    run(['audit-group', '--sp', 'acme', '--group', 'acme-hq', '--url', url, '--user', 'admin']),
    run(['find-alias', 'sales', '--sp', 'acme', '--url', `tcp://127.0.0.1:${closedPort}`, '--user', 'admin']),
    // The folder is checked before the run: the server given cannot even be reached.
    run(['audit-group', '--sp', 'acme', '--group', 'acme-hq', '--out', '/nonexistent-th/x.txt', '--url', `tcp://127.0.0.1:${closedPort}`, '--user', 'admin']),
  ]);
  expect(wrong).toEqual({
    code: 2,
    stdout: '',
    stderr: `hammer: TH_ERR_OCI_ERROR_RESPONSE: login refused for admin at ${url}: [Error 4962] Invalid password\n`,
  });
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toMatch(new RegExp(`^hammer: TH_ERR_OCI_CONNECT: Cannot connect to tcp://127\\.0\\.0\\.1:${closedPort}: .*\n$`));
  expect(missingFolder).toEqual({
    code: 2,
    stdout: '',
    stderr: 'hammer: TH_ERR_CLI_USAGE: --out /nonexistent-th/x.txt: the folder /nonexistent-th does not exist\n',
  });
}, 120_000);

test('mock: a device user list follows endpoint changes (the index the audit reads is rebuilt)', async () => {
  const { OciClient } = await import('../../runtime/oci/client.js');
  const client = new OciClient({ ...connectionTo(mock.ports.tcp as number), schema });
  try {
    const users = async (deviceName: string) => {
      const answer = await client.send({
        $type: 'GroupAccessDeviceGetUserListRequest21sp1',
        serviceProviderId: 'globex',
        groupId: 'globex-lab',
        deviceName,
      } as never);
      return responseTables(answer as never)[0]?.records.map((r) => r.userId);
    };
    expect(await users('dev-u0401')).toEqual(['u0401@globex.example']);
    await client.send({
      $type: 'UserModifyRequest22',
      userId: 'u0402@globex.example',
      endpoint: { accessDeviceEndpoint: { accessDevice: { deviceLevel: 'Group', deviceName: 'dev-u0401' }, linePort: 'u0402b_lp@globex.example' } },
    } as never);
    expect(await users('dev-u0401')).toEqual(['u0401@globex.example', 'u0402@globex.example']);
    expect(await users('dev-u0402')).toEqual([]);
  } finally {
    await client.close();
  }
}, 60_000);

test('hammer mock oci --latency: a negative delay is a usage error; a delay still answers', async () => {
  await expect(spawnMock(['--tcp-port', '0', '--latency', '-1'])).rejects.toThrow(/--latency must be a number of milliseconds >= 0/);
  const slow = await spawnMock(['--tcp-port', '0', '--seed', 'demo', '--user', `admin:${PASSWORD}`, '--latency', '2']);
  try {
    const r = await callCenterDigest('cc-acme-hq@acme.example', { connection: connectionTo(slow.ports.tcp as number), schema });
    expect(r.agents).toHaveLength(5);
  } finally {
    await slow.stop();
  }
}, 60_000);
