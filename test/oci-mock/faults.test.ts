// Fault injection, each observed from a raw socket: latency, a connection dropped mid-response,
// garbled bytes, silence, forced logout (pushed and after N commands), expired sessions; and
// the option errors of startOciMock.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { decodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { waitFor } from '../support/wait.js';
import { RawOciConnection, collectUntilClose, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;
let c: RawOciConnection;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

beforeEach(async () => {
  server = await startOciMock({ tcpPort: 0, schema });
  c = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  await c.loginPlain();
});

afterEach(async () => {
  await c.close();
  await server.close();
});

const version = { $type: 'SystemSoftwareVersionGetRequest' };

test('latencyMs delays the next response only when one-shot', async () => {
  const other = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  try {
    await other.loginPlain();
    server.faults.latencyMs = { ms: 1000, times: 1 };
    const started = performance.now();
    let delayedDone = false;
    const delayed = c.one(version).then(() => {
      delayedDone = true;
      return performance.now() - started;
    });
    await waitFor(() => server.faults.latencyMs === 0, 'the delayed request to take the one-shot latency');
    // Had the latency stayed, this reply's timer would be armed after the first one's and fire after it.
    expect((await other.one(version)).$type).toBe('SystemSoftwareVersionGetResponse');
    expect(delayedDone).toBe(false);
    expect(await delayed).toBeGreaterThanOrEqual(990);
  } finally {
    await other.close();
  }
});

test('dropConnectionMidResponse: part of the document, then the connection closes; the command ran once', async () => {
  server.faults.dropConnectionMidResponse = { times: 1 };
  const received = server.stats.byType.get('UserGetRequest23V2') ?? 0;
  const done = collectUntilClose(c.socket, 10_000);
  c.socket.write(
    `<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">test-session</sessionId><command xmlns="" xsi:type="UserGetRequest23V2"><userId>x</userId></command></BroadsoftDocument>\n`,
  );
  const { bytes, closed } = await done;
  expect(closed).toBe(true);
  expect(bytes.length).toBeGreaterThan(0);
  expect(bytes.toString('latin1')).not.toContain('</BroadsoftDocument>');
  expect(server.stats.byType.get('UserGetRequest23V2')).toBe(received + 1);
  expect(server.faults.dropConnectionMidResponse).toBe(false);
});

test('garbleNextResponse: framing holds but the bytes are not XML; the next response is fine', async () => {
  server.faults.garbleNextResponse = { times: 1 };
  const garbled = await c.sendRaw(
    '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">test-session</sessionId><command xmlns="" xsi:type="SystemSoftwareVersionGetRequest"/></BroadsoftDocument>',
  );
  expect(garbled.toString('latin1').endsWith('</BroadsoftDocument>')).toBe(true);
  expect(() => decodeDocument(schema, garbled)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^TH_ERR_OCI_/) }));
  expect((await c.one(version)).$type).toBe('SystemSoftwareVersionGetResponse');
});

test('silence: the request is received but never answered; the next one is', async () => {
  server.faults.silence = { times: 1 };
  const before = server.stats.commands;
  const chunks: Buffer[] = [];
  c.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const doc = (echo: string) =>
    `<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">test-session</sessionId><command xmlns="" xsi:type="SystemSoftwareVersionGetRequest" echo="${echo}"/></BroadsoftDocument>\n`;
  c.socket.write(doc('silenced'));
  await waitFor(() => server.stats.commands === before + 1, 'the silenced request to reach the mock');
  // Replies come in request order: an answer to the silenced request would arrive before this one.
  const answered = c.sendRaw(doc('answered').trimEnd());
  const text = (await answered).toString('latin1');
  expect(text).toContain('echo="answered"');
  expect(text).not.toContain('echo="silenced"');
  expect(Buffer.concat(chunks).toString('latin1')).not.toContain('echo="silenced"');
  expect(server.stats.commands).toBe(before + 2);
});

test('pushLogout(): an unsolicited LogoutRequest (Open Client Server Forced Logout) and the session ends', async () => {
  expect(server.pushLogout()).toBe(1);
  const pushed = decodeDocument(schema, await c.nextUnsolicited());
  expect(pushed.sessionId).toBe('test-session');
  expect(pushed.commands[0]).toMatchObject({ $type: 'LogoutRequest', userId: 'admin', reason: 'Open Client Server Forced Logout' });
  expect(errorNumber(await c.one(version))).toBe(4003);
  expect(server.pushLogout()).toBe(0);
});

test('logoutAfter: the forced logout follows the Nth answer', async () => {
  server.faults.logoutAfter = 2;
  expect((await c.one(version)).$type).toBe('SystemSoftwareVersionGetResponse'); // 1
  expect(c.unsolicited).toHaveLength(0);
  expect((await c.one(version)).$type).toBe('SystemSoftwareVersionGetResponse'); // 2
  const pushed = decodeDocument(schema, await c.nextUnsolicited());
  expect(pushed.commands[0]).toMatchObject({ $type: 'LogoutRequest', reason: 'Open Client Server Forced Logout' });
  expect(errorNumber(await c.one(version))).toBe(4003);
});

test('expireSessions(): the next command is not logged in; logging in again works', async () => {
  server.expireSessions();
  expect(errorNumber(await c.one(version))).toBe(4003);
  await c.loginPlain();
  expect((await c.one(version)).$type).toBe('SystemSoftwareVersionGetResponse');
});

test('faults given at start apply from the first response; a switch left on stays on', async () => {
  const silent = await startOciMock({ tcpPort: 0, schema, faults: { garbleNextResponse: true } });
  const raw = await RawOciConnection.tcp(schema, silent.ports.tcp as number);
  try {
    for (let i = 0; i < 2; i++) {
      const reply = await raw.sendRaw(
        '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">s</sessionId><command xmlns="" xsi:type="AuthenticationRequest"><userId>admin</userId></command></BroadsoftDocument>',
      );
      expect(() => decodeDocument(schema, reply)).toThrow();
    }
  } finally {
    await raw.close();
    await silent.close();
  }
});

test('close() ends open connections and is idempotent', async () => {
  const extra = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  const closed = once(extra.socket, 'close');
  await server.close();
  await closed;
  await server.close();
});

test('option errors are typed', async () => {
  await expect(startOciMock({ schema })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_OPTIONS' });
  await expect(startOciMock({ schema, tcpPort: 70000 })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_OPTIONS' });
  await expect(startOciMock({ schema, tcpPort: 0, faults: { thunder: true } as never })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_OPTIONS' });
  await expect(startOciMock({ schema, tcpPort: 0, users: [{ userId: 'x' }] as never })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_USERS' });
  await expect(startOciMock({ tcpPort: 0, release: 'R99' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_RELEASE' });
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  try {
    await expect(startOciMock({ schema, tcpPort: 0, soapPort: port })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_LISTEN' });
  } finally {
    blocker.close();
  }
});
