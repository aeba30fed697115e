// The OCI-P mock under abuse (issue 8), over real loopback sockets: backpressure, the shared
// input budget, document and request limits, idle logout, the connection cap, SOAP timeouts,
// control characters quoted back, and the details-as-CDATA rewrite. Every wait is for an event
// or for one of the mock's own counters; short limits make the timeouts fire quickly.
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { type OciMockLimits, type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { detailsAsCdata, xmlSafe } from '../../runtime/mock/oci/respond.js';
import { decodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { OciDocumentSplitter } from '../../runtime/oci/transport/framing.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

let schema: OciSchema;
const servers: OciMockServer[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await server.close();
});

async function start(limits: Partial<OciMockLimits>, extra: { soap?: boolean; warnings?: string[] } = {}): Promise<OciMockServer> {
  const server = await startOciMock({
    tcpPort: 0,
    soapPort: extra.soap ? 0 : undefined,
    schema,
    limits,
    logger: { warn: (message) => extra.warnings?.push(message) },
  });
  servers.push(server);
  return server;
}

/** A raw socket that keeps what it receives and remembers that it closed. */
async function open(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await Promise.race([once(socket, 'connect'), closed]);
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/** Waits (event loop turns, no fixed delay) until `predicate` holds; the test's own timeout bounds it. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const ROOT = '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const versionRequest = (session = 's') =>
  `<?xml version="1.0" encoding="UTF-8"?>${ROOT}<sessionId xmlns="">${session}</sessionId><command xsi:type="SystemSoftwareVersionGetRequest" xmlns=""/></BroadsoftDocument>\n`;

describe('backpressure', () => {
  test('a client that does not read stops the mock reading; once it reads, every answer arrives, once and in order', async () => {
    const server = await start({ requestTimeoutMs: 0, idleTimeoutMs: 0 });
    const client = await open(server.ports.tcp as number);
    client.socket.pause(); // replies are not read
    const documents: string[] = [];
    let sent = 0;
    // Write until the mock has stopped reading (its own counter says so).
    while (server.load.pausedConnections === 0) {
      const batch = Array.from({ length: 200 }, () => versionRequest(`s${sent++}`)).join('');
      documents.push(batch);
      if (!client.socket.write(batch)) await Promise.race([once(client.socket, 'drain'), until(() => server.load.pausedConnections > 0)]);
    }
    const answeredWhilePaused = server.stats.documents;
    expect(answeredWhilePaused).toBeLessThan(sent);
    // Now read everything: the mock resumes and answers the rest.
    const splitter = new OciDocumentSplitter();
    const answers: string[] = [];
    client.socket.removeAllListeners('data');
    client.socket.on('data', (chunk: Buffer) => {
      for (const doc of splitter.push(chunk)) answers.push(doc.toString('latin1'));
    });
    client.socket.resume();
    await until(() => answers.length >= sent);
    expect(answers).toHaveLength(sent);
    answers.forEach((answer, i) => expect(answer).toContain(`<sessionId xmlns="">s${i}</sessionId>`));
    expect(server.stats.documents).toBe(sent);
    await until(() => server.load.pausedConnections === 0);
  }, 60_000);
});

describe('input limits', () => {
  test('the shared budget drops the connection holding the most; the other keeps its bytes and is served', async () => {
    const warnings: string[] = [];
    const server = await start({ maxBufferedInputBytes: 1_000_000, maxDocumentBytes: 900_000, requestTimeoutMs: 0 }, { warnings });
    const small = await open(server.ports.tcp as number);
    const large = await open(server.ports.tcp as number);
    small.socket.write(`${ROOT}<sessionId xmlns="">${'a'.repeat(300_000)}`);
    await until(() => server.load.bufferedInputBytes >= 300_000);
    large.socket.write(`${ROOT}<sessionId xmlns="">${'b'.repeat(400_000)}`);
    large.socket.write('b'.repeat(400_000));
    await large.closed;
    expect(server.refusals.maxBufferedInputBytes).toBe(1);
    expect(warnings.some((w) => /\(maxBufferedInputBytes\)/.test(w))).toBe(true);
    expect(small.socket.destroyed).toBe(false);
    await until(() => server.load.bufferedInputBytes < 400_000); // the dropped connection's bytes are given back
    // The survivor finishes its document and gets its answer.
    small.socket.write('</sessionId><command xsi:type="AuthenticationRequest" xmlns=""><userId>admin</userId></command></BroadsoftDocument>\n');
    await until(() => small.received().includes('</BroadsoftDocument>'));
    expect(small.received().toString('latin1')).toContain('xsi:type="AuthenticationResponse"');
    await until(() => server.load.bufferedInputBytes === 0);
  }, 30_000);

  test('a document beyond maxDocumentBytes closes the connection', async () => {
    const server = await start({ maxDocumentBytes: 10_000 });
    const client = await open(server.ports.tcp as number);
    client.socket.write(`${ROOT}<sessionId xmlns="">${'x'.repeat(20_000)}`);
    await client.closed;
    expect(server.refusals.maxDocumentBytes).toBe(1);
    expect(server.load.bufferedInputBytes).toBe(0);
  });

  test.each(['<!--', '<![CDATA[', '<?pi '])('an unterminated %s is cut off by requestTimeoutMs', async (opener) => {
    const server = await start({ requestTimeoutMs: 100 });
    const client = await open(server.ports.tcp as number);
    client.socket.write(`${ROOT}${opener} never closed </BroadsoftDocument>`);
    await client.closed;
    expect(server.refusals.requestTimeoutMs).toBe(1);
    expect(client.received()).toHaveLength(0);
  });

  test('a slow-loris client that never completes its document is closed', async () => {
    const server = await start({ requestTimeoutMs: 150, idleTimeoutMs: 0 });
    const client = await open(server.ports.tcp as number);
    const text = versionRequest();
    let i = 0;
    const drip = setInterval(() => {
      if (i < text.length - 5) client.socket.write(text[i++] as string);
    }, 10);
    await client.closed;
    clearInterval(drip);
    expect(server.refusals.requestTimeoutMs).toBe(1);
  });
});

describe('idle connections', () => {
  test('an idle logged-in client gets the forced LogoutRequest a real server sends, then the connection closes', async () => {
    const server = await start({ idleTimeoutMs: 200 });
    const connection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
    expect((await connection.loginPlain()).$type).toBe('LoginResponse22V5');
    await once(connection.socket, 'close');
    expect(connection.unsolicited).toHaveLength(1);
    const pushed = decodeDocument(schema, connection.unsolicited[0] as Buffer);
    expect(pushed.sessionId).toBe(connection.sessionId);
    expect(pushed.commands[0]).toMatchObject({ $type: 'LogoutRequest', userId: 'admin', reason: 'Open Client Server Forced Logout' });
    expect(server.refusals.idleTimeoutMs).toBe(1);
  });

  test('an idle client that never logged in is just closed', async () => {
    const server = await start({ idleTimeoutMs: 100 });
    const client = await open(server.ports.tcp as number);
    await client.closed;
    expect(client.received()).toHaveLength(0);
    expect(server.refusals.idleTimeoutMs).toBe(1);
  });
});

describe('connection cap', () => {
  test('beyond maxConnections a connection is closed at once; a freed slot is reused', async () => {
    const warnings: string[] = [];
    const server = await start({ maxConnections: 2 }, { warnings });
    const first = await RawOciConnection.tcp(schema, server.ports.tcp as number);
    const second = await open(server.ports.tcp as number);
    await until(() => server.load.connections === 2);
    const third = await open(server.ports.tcp as number);
    await third.closed;
    expect(server.refusals.maxConnections).toBe(1);
    expect(warnings.some((w) => /\(maxConnections\)/.test(w))).toBe(true);
    expect((await first.one({ $type: 'AuthenticationRequest', userId: 'admin' })).$type).toBe('AuthenticationResponse');
    second.socket.destroy();
    await until(() => server.load.connections === 1);
    const fourth = await RawOciConnection.tcp(schema, server.ports.tcp as number);
    expect((await fourth.one({ $type: 'AuthenticationRequest', userId: 'admin' })).$type).toBe('AuthenticationResponse');
    await fourth.close();
    await first.close();
  });

  test('bad limits are refused with TH_ERR_OCI_MOCK_OPTIONS', async () => {
    await expect(startOciMock({ tcpPort: 0, schema, limits: { maxConnections: 0 } })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_OPTIONS' });
    await expect(startOciMock({ tcpPort: 0, schema, limits: { idleTimeoutMs: -1 } })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_OPTIONS' });
    await expect(startOciMock({ tcpPort: 0, schema, limits: { nonsense: 1 } as never })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_OPTIONS' });
  });
});

describe('TLS listener', () => {
  test('a TCP connection that never starts its TLS handshake counts against maxConnections and is closed after headersTimeoutMs', async () => {
    const server = await startOciMock({ tlsPort: 0, schema, limits: { headersTimeoutMs: 150, maxConnections: 1 } });
    servers.push(server);
    const silent = await open(server.ports.tls as number);
    await until(() => server.load.connections === 1);
    const extra = await open(server.ports.tls as number);
    await extra.closed;
    expect(server.refusals.maxConnections).toBe(1);
    await silent.closed;
    expect(server.refusals.headersTimeoutMs).toBe(1);
  });

  test('an idle logged-in TLS client gets the forced LogoutRequest, then the connection closes', async () => {
    const server = await startOciMock({ tlsPort: 0, schema, limits: { idleTimeoutMs: 200 } });
    servers.push(server);
    const connection = await RawOciConnection.tls(schema, server.ports.tls as number, server.certificate as string);
    expect((await connection.loginPlain()).$type).toBe('LoginResponse22V5');
    await once(connection.socket, 'close');
    expect(connection.unsolicited).toHaveLength(1);
    expect(decodeDocument(schema, connection.unsolicited[0] as Buffer).commands[0]).toMatchObject({
      $type: 'LogoutRequest',
      reason: 'Open Client Server Forced Logout',
    });
    expect(server.refusals.idleTimeoutMs).toBe(1);
  });
});

describe('SOAP listener', () => {
  test('headers that never finish get 408 and the connection closes', async () => {
    const server = await start({ headersTimeoutMs: 100, requestTimeoutMs: 200 }, { soap: true });
    const client = await open(server.ports.soap as number);
    client.socket.write('POST /webservice/services/ProvisioningService HTTP/1.1\r\nHost: x\r\n');
    await client.closed;
    expect(client.received().toString()).toMatch(/^HTTP\/1\.1 408/);
    expect(server.refusals.requestTimeoutMs).toBe(1);
  });

  test('a body beyond maxDocumentBytes gets 413 without being read', async () => {
    const server = await start({ maxDocumentBytes: 1000 }, { soap: true });
    const client = await open(server.ports.soap as number);
    client.socket.write('POST /webservice/services/ProvisioningService HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    client.socket.write('x'.repeat(5000));
    await client.closed;
    expect(client.received().toString()).toMatch(/^HTTP\/1\.1 413/);
    expect(server.refusals.maxDocumentBytes).toBe(1);
    expect(server.load.bufferedInputBytes).toBe(0);
  });

  test('an idle keep-alive socket is closed and counted', async () => {
    const server = await start({ idleTimeoutMs: 100 }, { soap: true });
    const client = await open(server.ports.soap as number);
    await client.closed;
    expect(server.refusals.idleTimeoutMs).toBe(1);
  });
});

describe('what the client sent is quoted back safely', () => {
  test.each([
    ['in a command', `<sessionId xmlns="">s</sessionId><command xsi:type="AuthenticationRequest" xmlns=""><userId>ad\u0001min</userId></command>`, 's'],
    [
      'in the sessionId',
      `<sessionId xmlns="">s\u0002x</sessionId><command xsi:type="AuthenticationRequest" xmlns=""><userId>admin</userId></command>`,
      's\\u0002x',
    ],
    ['in an echo', `<sessionId xmlns="">s</sessionId><command xsi:type="AuthenticationRequest" echo="e\u001f" xmlns=""><userId>admin</userId></command>`, 's'],
  ])('a control character %s gets a proper [Error 6004], never 6000', async (_where, body, sessionId) => {
    const server = await start({});
    const connection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
    const reply = await connection.sendRaw(`<?xml version="1.0" encoding="UTF-8"?>${ROOT}${body}</BroadsoftDocument>`);
    const doc = decodeDocument(schema, reply);
    expect(doc.sessionId).toBe(sessionId);
    expect(doc.commands).toHaveLength(1);
    expect(errorNumber(doc.commands[0] as never)).toBe(6004);
    expect(String(doc.commands[0]?.detail)).toMatch(/U\+00(01|02|1f)/i);
    await connection.close();
  });

  test('a 1 MB sessionId repeating the ErrorResponse type is echoed intact with the detail as CDATA', async () => {
    const server = await start({});
    const connection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
    const bomb = 'xsi:type="c:ErrorResponse"'.repeat(40_000);
    const reply = await connection.sendRaw(`${ROOT}<sessionId xmlns="">${bomb}</sessionId><command xsi:type="NoSuchRequest" xmlns=""/></BroadsoftDocument>`);
    const text = reply.toString('latin1');
    expect(text).toContain('<detail><![CDATA[Invalid xsi:type qname:');
    const doc = decodeDocument(schema, reply);
    expect(doc.sessionId).toBe(bomb);
    expect(errorNumber(doc.commands[0] as never)).toBe(6004);
    await connection.close();
  }, 30_000);
});

describe('detailsAsCdata and xmlSafe (hand-written input)', () => {
  const command = (attributes: string, inner: string) => `<command ${attributes}>${inner}</command>`;

  test('only ErrorResponse details become CDATA; references stay escaped; ]]> is split', () => {
    const input =
      `<BroadsoftDocument><sessionId>xsi:type="c:ErrorResponse" &lt;detail&gt;</sessionId>` +
      command('echo="a>b" xsi:type="c:ErrorResponse"', '<summary>s</summary><detail>x &lt; y &amp;&amp; ]]&gt; z</detail>') +
      '<command xsi:type="c:SuccessResponse"/>' +
      command('xsi:type="UserGetResponse"', '<detail>kept &lt;</detail>') +
      command('xsi:type="c:ErrorResponse"', '<detail>&#233; stays</detail>') +
      '</BroadsoftDocument>';
    expect(detailsAsCdata(input)).toBe(
      `<BroadsoftDocument><sessionId>xsi:type="c:ErrorResponse" &lt;detail&gt;</sessionId>` +
        command('echo="a>b" xsi:type="c:ErrorResponse"', '<summary>s</summary><detail><![CDATA[x < y && ]]]]><![CDATA[> z]]></detail>') +
        '<command xsi:type="c:SuccessResponse"/>' +
        command('xsi:type="UserGetResponse"', '<detail>kept &lt;</detail>') +
        command('xsi:type="c:ErrorResponse"', '<detail>&#233; stays</detail>') +
        '</BroadsoftDocument>',
    );
  });

  test('xmlSafe escapes exactly the characters XML 1.0 cannot carry', () => {
    expect(xmlSafe('tab\tnew\nline\r é 𝄞')).toBe('tab\tnew\nline\r é 𝄞');
    expect(xmlSafe('a\u0000b\u0008c\ufffe\ud800')).toBe('a\\u0000b\\u0008c\\ufffe\\ud800');
  });
});
