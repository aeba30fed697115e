// Fault handling of the client against the in-process mock server over real sockets: every
// fault gives a typed error or a clean reconnect, the process never crashes, and no command is
// silently sent twice (checked with the mock's per-type receive counters and its state).
import { type AddressInfo, type Server, type Socket, connect as netConnect, createServer } from 'node:net';
import { loadMockSchema, type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import { OciClient, type OciClientOptions } from '../../runtime/oci/client.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { waitFor } from '../support/wait.js';
import { captureLogger, makeCertificate, uniqueTag } from './helpers.js';

const PASSWORD = 'fault-Pa55';
let mock: OciMockServer;
let schema: OciSchema;
const clients: OciClient[] = [];

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  mock = await startOciMock({
    release: 'R25',
    schema,
    tcpPort: 0,
    tlsPort: 0,
    soapPort: 0,
    users: [{ userId: 'admin', password: PASSWORD, loginType: 'System' }],
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await mock?.close();
});

afterEach(() => {
  Object.assign(mock.faults, { latencyMs: 0, dropConnectionMidResponse: false, garbleNextResponse: false, silence: false, logoutAfter: null, soapFault: null });
});

function client(options: Partial<OciClientOptions> & { url: string }): OciClient {
  const c = new OciClient({ userId: 'admin', password: PASSWORD, schema, tls: { ca: mock.certificate }, requestTimeoutMs: 5_000, backoffMs: 10, ...options });
  clients.push(c);
  return c;
}

const received = (type: string) => mock.stats.byType.get(type) ?? 0;

/** A fresh service provider to add groups to (GroupAdd is not idempotent: a duplicate gives an error). */
async function serviceProvider(c: OciClient): Promise<string> {
  const sp = `fsp-${uniqueTag()}`;
  await c.call('ServiceProviderAddRequest', { serviceProviderId: sp, defaultDomain: 'example.com', isEnterprise: true });
  return sp;
}

function groupAdd(sp: string, groupId: string) {
  return { $type: 'GroupAddRequest', serviceProviderId: sp, groupId, defaultDomain: 'example.com', userLimit: 5 };
}

async function groupIds(c: OciClient, sp: string): Promise<string[]> {
  const list = await c.call('GroupGetListInServiceProviderRequest', { serviceProviderId: sp });
  return (list.groupTable as { row: { col: string[] }[] }).row.map((r) => r.col[0] as string);
}

test('server closes the connection mid-response: the command fails with CONNECTION_LOST and is not resent; the next command reconnects', async () => {
  const c = client({ url: mock.url('tcp') });
  const sp = await serviceProvider(c);
  const firstSession = c.sessionId;
  const before = received('GroupAddRequest');
  mock.faults.dropConnectionMidResponse = { times: 1 };
  await expect(c.send(groupAdd(sp, 'g1'))).rejects.toMatchObject({ code: 'TH_ERR_OCI_CONNECTION_LOST' });
  expect(received('GroupAddRequest')).toBe(before + 1);
  // The next command opens a new connection and session and logs in again.
  expect(await groupIds(c, sp)).toEqual(['g1']); // it ran once on the server, exactly once
  expect(c.sessionId).not.toBe(firstSession);
  expect(c.stats.reconnects).toBe(1);
  expect(received('GroupAddRequest')).toBe(before + 1);
});

test('server never answers: the command times out with a typed error, is not resent, and the client recovers', async () => {
  const c = client({ url: mock.url('tcp'), requestTimeoutMs: 300 });
  const sp = await serviceProvider(c);
  const before = received('GroupAddRequest');
  mock.faults.silence = { times: 1 };
  await expect(c.send(groupAdd(sp, 'g-silent'))).rejects.toMatchObject({ code: 'TH_ERR_OCI_TIMEOUT' });
  expect(received('GroupAddRequest')).toBe(before + 1);
  expect(await groupIds(c, sp)).toEqual([]); // silence = received but not executed, and not resent
  expect(received('GroupAddRequest')).toBe(before + 1);
});

test('garbled XML in a response gives a typed error; the next command works on a fresh connection', async () => {
  const c = client({ url: mock.url('tcp'), requestTimeoutMs: 1_000 });
  await c.connect();
  mock.faults.garbleNextResponse = { times: 1 };
  const error = await c.send({ $type: 'SystemSoftwareVersionGetRequest' }).catch((e: unknown) => e);
  // The mock keeps the closing tag, so the framer finds the end and the decoder fails at once
  // (no waiting for the 1 s command timeout).
  expect((error as { code: string }).code).toBe('TH_ERR_OCI_DECODE');
  expect((await c.send({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
});

test('garbled XML over SOAP is a typed error too', async () => {
  const c = client({ url: mock.url('soap') });
  await c.connect();
  mock.faults.garbleNextResponse = { times: 1 };
  const error = await c.send({ $type: 'SystemSoftwareVersionGetRequest' }).catch((e: unknown) => e);
  expect((error as { code: string }).code).toBe('TH_ERR_OCI_SOAP_BODY');
  expect((await c.send({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
});

test('a server-initiated logout while idle: the next command logs in again with a new session id', async () => {
  const logs = captureLogger();
  const c = client({ url: mock.url('tcp'), logger: logs.logger });
  await c.connect();
  const first = c.sessionId as string;
  expect(mock.pushLogout(first)).toBe(1);
  await waitFor(() => !c.connected, 'the LogoutRequest to arrive');
  expect((await c.send({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
  expect(c.sessionId).not.toBe(first);
  expect(c.stats.logins).toBe(2);
  expect(logs.entries.some((e) => e.level === 'warn' && e.message === 'server logged the session out')).toBe(true);
  expect(logs.entries.some((e) => e.message === 'reconnected')).toBe(true);
});

test('a server-initiated logout while a command is pending fails that command with SERVER_LOGOUT, without resending it', async () => {
  const c = client({ url: mock.url('tcp') });
  const sp = await serviceProvider(c);
  const before = received('GroupAddRequest');
  mock.faults.latencyMs = { ms: 300, times: 1 };
  const pending = c.send(groupAdd(sp, 'g-pending'));
  await waitFor(() => received('GroupAddRequest') === before + 1, 'the server to receive the command');
  expect(mock.pushLogout(c.sessionId)).toBe(1);
  await expect(pending).rejects.toMatchObject({ code: 'TH_ERR_OCI_SERVER_LOGOUT', context: { reason: 'Open Client Server Forced Logout' } });
  expect(received('GroupAddRequest')).toBe(before + 1);
  await groupIds(c, sp); // works again after a fresh login
  expect(received('GroupAddRequest')).toBe(before + 1);
  expect(c.stats.logins).toBe(2);
});

test('logoutAfter: the server logs out after N commands; the client keeps working with fresh logins', async () => {
  const c = client({ url: mock.url('tcp') });
  await c.connect();
  mock.faults.logoutAfter = 2;
  let ok = 0;
  for (let i = 0; i < 8; i++) {
    // A command sent just before the LogoutRequest arrives fails with SERVER_LOGOUT; nothing else may fail.
    const result = await c.send({ $type: 'SystemSoftwareVersionGetRequest' }).then(
      () => 'ok',
      (e: { code: string }) => e.code,
    );
    expect(['ok', 'TH_ERR_OCI_SERVER_LOGOUT']).toContain(result);
    if (result === 'ok') ok++;
  }
  expect(ok).toBeGreaterThanOrEqual(4);
  expect(c.stats.logins).toBeGreaterThanOrEqual(3);
});

test('an expired session over TCP: the refused command is re-sent once after a fresh login and runs exactly once', async () => {
  const logs = captureLogger();
  const c = client({ url: mock.url('tcp'), logger: logs.logger });
  const sp = await serviceProvider(c);
  const first = c.sessionId;
  mock.expireSessions();
  const before = received('GroupAddRequest');
  expect((await c.send(groupAdd(sp, 'g-expired'))).$type).toBe('SuccessResponse');
  expect(received('GroupAddRequest')).toBe(before + 2); // refused (not logged in), then executed
  expect(await groupIds(c, sp)).toEqual(['g-expired']);
  expect(c.sessionId).not.toBe(first);
  expect(logs.entries.some((e) => e.level === 'warn' && /no longer knows the session/.test(e.message))).toBe(true);
});

test('sendRaw recovers from an expired session the same way', async () => {
  const c = client({ url: mock.url('tcp') });
  await c.connect();
  mock.expireSessions();
  const answer = await c.sendRaw('SystemSoftwareVersionGetRequest');
  expect(typeof answer === 'object' && answer.$type).toBe('SystemSoftwareVersionGetResponse');
  expect(c.stats.logins).toBe(2);
});

test('an expired session over SOAP: the INVALID_REQUEST fault triggers a new cookie jar and login, then the command runs once', async () => {
  const c = client({ url: mock.url('soap') });
  const sp = await serviceProvider(c);
  mock.expireSessions();
  expect((await c.send(groupAdd(sp, 'g-soap'))).$type).toBe('SuccessResponse');
  expect(await groupIds(c, sp)).toEqual(['g-soap']);
  expect(c.stats.logins).toBe(2);
});

test('SOAP fault INVALID_REQUEST (not logged in) → re-login and retry; the fault came before processing', async () => {
  const c = client({ url: mock.url('soap') });
  const sp = await serviceProvider(c);
  const before = received('GroupAddRequest');
  mock.faults.soapFault = { fault: 'INVALID_REQUEST', times: 1 };
  expect((await c.send(groupAdd(sp, 'g-invalid'))).$type).toBe('SuccessResponse');
  expect(await groupIds(c, sp)).toEqual(['g-invalid']);
  expect(received('GroupAddRequest') - before).toBeLessThanOrEqual(1);
  expect(c.stats.logins).toBe(2);
});

test('SOAP fault NO_OCS_CONNECTION is retried with backoff, and gives up after maxBusyRetries with a typed error', async () => {
  const logs = captureLogger();
  const c = client({ url: mock.url('soap'), maxBusyRetries: 2, logger: logs.logger });
  await c.connect();
  mock.faults.soapFault = { fault: 'NO_OCS_CONNECTION', times: 2 };
  expect((await c.send({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
  expect(logs.entries.filter((e) => /NO_OCS_CONNECTION/.test(e.message))).toHaveLength(2);
  mock.faults.soapFault = { fault: 'NO_OCS_CONNECTION', times: 3 };
  await expect(c.send({ $type: 'SystemSoftwareVersionGetRequest' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_SOAP_FAULT', retryable: true });
});

describe('TLS verification', () => {
  test('the mock certificate is rejected without ca, accepted with it, and accepted with allowInsecureTls (with a warning)', async () => {
    const noCa = client({ url: mock.url('tls'), tls: undefined });
    await expect(noCa.connect()).rejects.toMatchObject({ code: 'TH_ERR_OCI_TLS' });
    const withCa = client({ url: mock.url('tls') });
    await withCa.connect();
    expect(withCa.connected).toBe(true);
    const logs = captureLogger();
    const insecure = client({ url: mock.url('tls'), tls: undefined, allowInsecureTls: true, logger: logs.logger });
    await insecure.connect();
    expect(insecure.connected).toBe(true);
    expect(logs.entries.some((e) => e.level === 'warn')).toBe(true);
  });

  test('a certificate for another host name is rejected even when its CA is trusted', async () => {
    const other = await makeCertificate('other.example', { dns: ['other.example'] });
    const server = await startOciMock({
      release: 'R25',
      schema,
      tlsPort: 0,
      tls: { cert: other.cert, key: other.key },
      users: [{ userId: 'admin', password: PASSWORD }],
    });
    try {
      const c = client({ url: `tls://localhost:${server.ports.tls}`, tls: { ca: other.cert } });
      await expect(c.connect()).rejects.toMatchObject({ code: 'TH_ERR_OCI_TLS' });
      expect(server.stats.documents).toBe(0); // nothing, no password, went out
    } finally {
      await server.close();
      other.dispose();
    }
  });
});

describe('connection dropped between commands', () => {
  let proxy: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // A TCP proxy in front of the mock, so the test can cut live connections at will.
    proxy = createServer((inbound) => {
      const outbound = netConnect(mock.ports.tcp as number, '127.0.0.1');
      sockets.add(inbound);
      sockets.add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const drop = () => {
        inbound.destroy();
        outbound.destroy();
        sockets.delete(inbound);
        sockets.delete(outbound);
      };
      inbound.on('close', drop).on('error', drop);
      outbound.on('close', drop).on('error', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  });

  test('the next command reconnects and re-logs in with a new session id; nothing is sent twice', async () => {
    const c = client({ url: `tcp://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const sp = await serviceProvider(c);
    const first = c.sessionId;
    for (const s of sockets) s.destroy();
    await waitFor(() => !c.connected, 'the client to notice the drop');
    const before = received('GroupAddRequest');
    expect((await c.send(groupAdd(sp, 'g-after-drop'))).$type).toBe('SuccessResponse');
    expect(received('GroupAddRequest')).toBe(before + 1);
    expect(c.sessionId).not.toBe(first);
    expect(c.stats.reconnects).toBe(1);
  });

  test('with reconnect: false the next command fails with NOT_CONNECTED', async () => {
    const c = client({ url: `tcp://127.0.0.1:${(proxy.address() as AddressInfo).port}`, reconnect: false });
    await c.connect();
    for (const s of sockets) s.destroy();
    await waitFor(() => !c.connected, 'the client to notice the drop');
    await expect(c.send({ $type: 'SystemSoftwareVersionGetRequest' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_NOT_CONNECTED' });
  });

  test('a server that is gone: reconnect attempts are bounded and end in a connect error', async () => {
    const c = client({ url: `tcp://127.0.0.1:${(proxy.address() as AddressInfo).port}`, maxReconnectAttempts: 2 });
    await c.connect();
    const port = (proxy.address() as AddressInfo).port;
    const closed = new Promise((resolve) => proxy.close(resolve));
    for (const s of sockets) s.destroy();
    await closed;
    await waitFor(() => !c.connected, 'the client to notice the drop');
    await expect(c.send({ $type: 'SystemSoftwareVersionGetRequest' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_CONNECT' });
    // Bring the proxy back on the same port for afterAll.
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  });
});
