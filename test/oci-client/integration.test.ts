// The client against the mock OCI-P server running as a separate process (started through the
// `hammer mock oci` CLI, as users run it): every transport (TCP, TLS with the server's
// certificate as CA, SOAP over HTTP) and both login flows drive one provisioning scenario.
import { OciClient, type OciClientOptions } from '../../runtime/oci/client.js';
import { EncodedCommand, encodeCommand } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { toRecords } from '../../runtime/oci/table.js';
import type { OciTable } from '../../runtime/oci/table.js';
import { captureLogger, makeCertificate, spawnMock, type SpawnedMock, uniqueTag } from './helpers.js';

const PASSWORD = 'Secret-Pa55word';
let mock: SpawnedMock;
let certificate: Awaited<ReturnType<typeof makeCertificate>>;
const clients: OciClient[] = [];

beforeAll(async () => {
  certificate = await makeCertificate('localhost', { dns: ['localhost'], ips: ['127.0.0.1'] });
  mock = await spawnMock([
    '--tcp-port',
    '0',
    '--tls-port',
    '0',
    '--soap-port',
    '0',
    '--user',
    `admin:${PASSWORD}`,
    '--tls-cert',
    certificate.certFile,
    '--tls-key',
    certificate.keyFile,
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await mock?.stop();
  certificate?.dispose();
});

function urlOf(kind: 'tcp' | 'tls' | 'soap'): string {
  if (kind === 'tcp') return `tcp://127.0.0.1:${mock.ports.tcp}`;
  if (kind === 'tls') return `tls://localhost:${mock.ports.tls}`;
  return `http://127.0.0.1:${mock.ports.soap}/webservice/services/ProvisioningService`;
}

function client(options: Partial<OciClientOptions> & { url: string }): OciClient {
  const c = new OciClient({ userId: 'admin', password: PASSWORD, tls: { ca: certificate.cert }, requestTimeoutMs: 10_000, ...options });
  clients.push(c);
  return c;
}

async function expectOciError(promise: Promise<unknown>, errorNumber: number, text?: RegExp) {
  await expect(promise).rejects.toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber });
  if (text) await expect(promise).rejects.toThrow(text);
}

/** Create, list, modify (with nil clearing) and delete a service provider, a group and users. */
async function provisioningScenario(c: OciClient) {
  const tag = uniqueTag();
  const sp = `sp-${tag}`;
  const group = `grp-${tag}`;
  const users = [1, 2, 3].map((n) => `user${n}-${tag}@example.com`);

  expect((await c.call('ServiceProviderAddRequest', { serviceProviderId: sp, defaultDomain: 'example.com', isEnterprise: true })).$type).toBe(
    'SuccessResponse',
  );
  expect(
    (await c.call('GroupAddRequest', { serviceProviderId: sp, groupId: group, defaultDomain: 'example.com', userLimit: 25, groupName: 'Test group' })).$type,
  ).toBe('SuccessResponse');
  const added = await c.sendBatch(
    users.map((userId, i) => ({
      $type: 'UserAddRequest17sp4',
      serviceProviderId: sp,
      groupId: group,
      userId,
      lastName: `Last${i}`,
      firstName: `First${i}`,
      callingLineIdLastName: `Last${i}`,
      callingLineIdFirstName: `First${i}`,
      title: 'Engineer',
    })),
  );
  expect(added.map((r) => r.ok)).toEqual([true, true, true]);

  // Lists: tables decoded into records keyed by the raw headings.
  const groups = await c.call('GroupGetListInServiceProviderRequest', { serviceProviderId: sp });
  expect(toRecords(groups.groupTable as OciTable).map((r) => r['Group Id'])).toEqual([group]);
  const listed = await c.call('UserGetListInGroupRequest', { serviceProviderId: sp, GroupId: group });
  expect(
    toRecords(listed.userTable as OciTable)
      .map((r) => r['User Id'])
      .sort(),
  ).toEqual([...users].sort());

  // Modify, then clear a field with nil: the get no longer shows it.
  const before = await c.call('UserGetRequest', { userId: users[0] as string });
  expect(before).toMatchObject({ lastName: 'Last0', title: 'Engineer', serviceProviderId: sp, groupId: group });
  await c.call('UserModifyRequest', { userId: users[0] as string, firstName: 'Renamed' });
  expect(await c.call('UserGetRequest', { userId: users[0] as string })).toMatchObject({ firstName: 'Renamed', title: 'Engineer' });
  await c.call('UserModifyRequest', { userId: users[0] as string, title: null });
  const cleared = await c.call('UserGetRequest', { userId: users[0] as string });
  expect(cleared.firstName).toBe('Renamed');
  expect(cleared).not.toHaveProperty('title');

  // Delete, then the missing objects give the real error numbers.
  await c.call('UserDeleteRequest', { userId: users[0] as string });
  await expectOciError(c.call('UserGetRequest', { userId: users[0] as string }), 4008, /User not found/);
  await expectOciError(c.call('GroupGetRequest', { serviceProviderId: sp, groupId: 'no-such-group' }), 4152, /Group not found/);
  for (const userId of users.slice(1)) await c.call('UserDeleteRequest', { userId });
  await c.call('GroupDeleteRequest', { serviceProviderId: sp, groupId: group });
  await expectOciError(c.call('GroupGetRequest', { serviceProviderId: sp, groupId: group }), 4152);
  await c.call('ServiceProviderDeleteRequest', { serviceProviderId: sp });
}

describe.each([
  ['tcp', 'auto', 'hashed14sp4'],
  ['tls', 'auto', 'plain22V5'],
  ['soap', 'auto', 'hashed14sp4'],
  ['tls', 'hashed14sp4', 'hashed14sp4'],
] as const)('over %s with login %s', (kind, login, expected) => {
  test(`logs in with ${expected}, provisions, lists, clears with nil, deletes, logs out`, async () => {
    const logs = captureLogger();
    const c = client({ url: urlOf(kind), login, logger: logs.logger });
    expect(c.loginStrategy).toBe(expected);
    await c.connect();
    expect(c.connected).toBe(true);
    expect(c.loginResponse?.loginType).toBeDefined();
    const firstSession = c.sessionId;
    expect(firstSession).toMatch(/^[0-9a-f-]{36}$/);
    await provisioningScenario(c);
    expect(c.sessionId).toBe(firstSession);
    await c.close();
    await c.close(); // idempotent
    expect(c.connected).toBe(false);
    await expect(c.send({ $type: 'SystemSoftwareVersionGetRequest' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_CLIENT_CLOSED' });

    // The login choice is visible in the logs, the password never is.
    const url = kind === 'soap' ? `http://127.0.0.1:${mock.ports.soap}` : urlOf(kind);
    expect(logs.entries.some((e) => e.level === 'info' && e.message.startsWith(`login: ${expected} over ${url}`))).toBe(true);
    expect(logs.entries.some((e) => e.message === 'command' && typeof (e.data as { ms?: unknown }).ms === 'number')).toBe(true);
    expect(logs.text()).not.toContain(PASSWORD);
  });
});

test('plain22V5 over plain TCP is refused unless explicitly allowed, then works', async () => {
  expect(() => client({ url: urlOf('tcp'), login: 'plain22V5' })).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_INSECURE_LOGIN' }));
  const c = client({ url: urlOf('tcp'), login: 'plain22V5', allowPlainPasswordOverInsecure: true });
  await c.connect();
  expect(c.loginResponse?.$type).toBe('LoginResponse22V5');
  expect((await c.send({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
  await c.close();
});

test.each(['tcp', 'tls', 'soap'] as const)('a wrong password over %s fails the login with 4962', async (kind) => {
  const c = client({ url: urlOf(kind), password: 'wrong-password' });
  await expectOciError(c.connect(), 4962, /Invalid password/);
  expect(c.connected).toBe(false);
  await c.close();
});

test('an unknown user fails the login with 4008', async () => {
  const c = client({ url: urlOf('tcp'), userId: 'nobody@example.com' });
  await expectOciError(c.connect(), 4008);
  await c.close();
});

test.each(['tcp', 'soap'] as const)('a batch of 15 with a failing third command gives 14 responses and one error, in order (%s)', async (kind) => {
  const c = client({ url: urlOf(kind) });
  const tag = uniqueTag();
  const sp = `bsp-${tag}`;
  await c.call('ServiceProviderAddRequest', { serviceProviderId: sp, defaultDomain: 'example.com', isEnterprise: true });
  const requests = Array.from({ length: 15 }, (_, i) =>
    i === 2
      ? { $type: 'GroupGetRequest22V5', serviceProviderId: sp, groupId: 'missing' } // fails: 4152
      : { $type: 'GroupAddRequest', serviceProviderId: sp, groupId: `g${i}`, defaultDomain: 'example.com', userLimit: 10 },
  );
  const results = await c.sendBatch(requests);
  expect(results).toHaveLength(15);
  expect(results.filter((r) => r.ok)).toHaveLength(14);
  const third = results[2];
  expect(third?.ok).toBe(false);
  expect(third && !third.ok && third.error).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber: 4152 });
  expect(third && !third.ok && (third.error as { request?: unknown }).request).toBe(requests[2]);
  // The commands after the failing one really ran: all 14 groups exist.
  const list = await c.call('GroupGetListInServiceProviderRequest', { serviceProviderId: sp });
  expect((list.groupTable as OciTable).row).toHaveLength(14);
  await c.close();
});

test('a batch longer than 15 is split into documents and keeps positions; invalid commands fail without a round trip', async () => {
  const c = client({ url: urlOf('tcp') });
  await c.connect();
  const requests = Array.from({ length: 40 }, (_, i) =>
    i === 17 ? { $type: 'UserGetRequest23V2', userId: '' } : { $type: 'SystemSoftwareVersionGetRequest' },
  );
  const before = c.stats.documents;
  const results = await c.sendBatch(requests);
  expect(results).toHaveLength(40);
  expect(c.stats.documents - before).toBe(3); // 39 valid commands → 15 + 15 + 9
  results.forEach((r, i) => {
    if (i === 17) expect(r).toMatchObject({ ok: false, error: { code: 'TH_ERR_OCI_VALIDATION' } });
    else expect(r).toMatchObject({ ok: true, response: { $type: 'SystemSoftwareVersionGetResponse' } });
  });
  // send() of an invalid command throws the validation error and sends nothing.
  const documents = c.stats.documents;
  await expect(c.send({ $type: 'UserGetRequest23V2', userId: '' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_VALIDATION' });
  await expect(c.send({ $type: 'NoSuchRequest' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_UNKNOWN_TYPE' });
  expect(c.stats.documents).toBe(documents);
  await c.close();
});

test('sendEncoded sends an EncodedCommand text as it is, keeps positions, and still validates when asked', async () => {
  const c = client({ url: urlOf('tcp') });
  const schema = await OciSchema.load(OciSchema.newestRelease());
  await schema.ensure('UserGetRequest23V2', 'SystemSoftwareVersionGetRequest');
  const missing = { $type: 'UserGetRequest23V2', userId: 'nobody@example.com' };
  const version = { $type: 'SystemSoftwareVersionGetRequest' };
  // The text decides what the server runs: a Get of a missing user, sent as the version request's text.
  const swapped = new EncodedCommand(missing, encodeCommand(schema, version));
  const results = await c.sendEncoded([new EncodedCommand(missing, encodeCommand(schema, missing)), swapped, version]);
  expect(results[0]).toMatchObject({ ok: false, error: { code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber: 4008 } });
  expect(results[1]).toMatchObject({ ok: true, response: { $type: 'SystemSoftwareVersionGetResponse' } });
  expect(results[2]).toMatchObject({ ok: true, response: { $type: 'SystemSoftwareVersionGetResponse' } });
  // With validation on, the command of an EncodedCommand is checked before anything is sent.
  const documents = c.stats.documents;
  const bad = { $type: 'UserGetRequest23V2', userId: '' };
  const [refused] = await c.sendEncoded([new EncodedCommand(bad, encodeCommand(schema, version))]);
  expect(refused).toMatchObject({ ok: false, error: { code: 'TH_ERR_OCI_VALIDATION' } });
  expect(c.stats.documents).toBe(documents);
  await c.close();
});

test('sendRaw sends a verbatim command and decodes or returns the raw answer', async () => {
  const c = client({ url: urlOf('tcp') });
  const version = await c.sendRaw('SystemSoftwareVersionGetRequest');
  expect(typeof version === 'object' && version.$type).toBe('SystemSoftwareVersionGetResponse');
  const user = await c.sendRaw('UserGetRequest23V2', '<userId>nobody@example.com</userId>').catch((e: unknown) => e);
  expect(user).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber: 4008 });
  // A command missing from the schema: the server's 6004 comes back as an OciError.
  const unknown = await c.sendRaw('GroupAnnouncementFileLocationGetRequest', '<serviceProviderId>x</serviceProviderId>').catch((e: unknown) => e);
  expect(unknown).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber: 6004 });
  await expect(c.sendRaw('bad type')).rejects.toMatchObject({ code: 'TH_ERR_OCI_CLIENT_OPTIONS' });
  await c.close();
});

test.each([
  ['tcp', 'UTF-8'],
  ['tcp', 'ISO-8859-1'],
  ['soap', 'ISO-8859-1'],
] as const)('non-ASCII names survive the round trip over %s with %s requests', async (kind, encoding) => {
  const c = client({ url: urlOf(kind), encoding });
  const sp = `enc-${uniqueTag()}`;
  const name = 'Zoë Łódź 東京 & <Co>';
  await c.call('ServiceProviderAddRequest', { serviceProviderId: sp, defaultDomain: 'example.com', isEnterprise: true, serviceProviderName: name });
  const got = await c.call('ServiceProviderGetRequest', { serviceProviderId: sp });
  expect(got.serviceProviderName).toBe(name);
  await c.close();
});
