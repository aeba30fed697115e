import WebSocket from 'ws';
import { startOciMock, type OciMockServer, startVboxMock, type VboxMock } from '../../runtime/mock/index.js';
import { EventBus, type ThreadEvent } from '../../web/server/bus.js';
import { loginAs, startTestServer, type TestServer } from './fixture.js';

type Message = { type: string; threadId?: number; [k: string]: unknown };

/** A websocket client that keeps every message and lets a test wait for one. */
class Client {
  readonly messages: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as Message;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }
  static open(server: TestServer, cookie?: string, origin = server.origin): Promise<Client> {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers: { ...(cookie ? { cookie } : {}), origin } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += String(d)));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: body ? JSON.parse(body) : null })));
      });
      socket.once('error', reject);
    });
  }
  send(message: unknown) {
    this.socket.send(JSON.stringify(message));
  }
  waitFor(match: (m: Message) => boolean): Promise<Message> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

let server: TestServer;
let ociMock: OciMockServer;
let vboxMock: VboxMock;
beforeAll(async () => {
  ociMock = await startOciMock({ tcpPort: 0, seed: 'test/fixtures/mock/seed.json' });
  vboxMock = await startVboxMock({ port: 0 });
  server = await startTestServer({ env: {} });
});
afterAll(async () => {
  await server.close();
  await ociMock.close();
  await vboxMock.close();
});

async function userWithThread(email: string) {
  const { cookie, userId } = await loginAs(server, email);
  await server.web.service.configStore.set(userId, 'oci', { profiles: { lab: { url: ociMock.url('tcp'), userId: 'admin', password: 'admin' } } });
  await server.web.service.configStore.set(userId, 'vbox', {
    boxes: { home: { host: '127.0.0.1', port: vboxMock.port, username: 'admin', password: 'admin' } },
  });
  const thread = (await server.web.app.inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json() as { id: number };
  return { cookie, userId, threadId: thread.id };
}

async function submit(cookie: string, threadId: number, text: string): Promise<number> {
  const res = await fetch(`${server.url}/api/threads/${threadId}/actions`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { actionId: number }).actionId;
}

const statusOf = (actionId: number, status: string) => (m: Message) => m.type === 'action-status' && m.actionId === actionId && m.status === status;

test('the upgrade is refused without a cookie (401), with a broken one (401) and from a foreign Origin (403)', async () => {
  const { cookie } = await loginAs(server, 'ws-reject@example.com');
  await expect(Client.open(server)).rejects.toMatchObject({ status: 401 });
  await expect(Client.open(server, 'th_session=broken')).rejects.toMatchObject({ status: 401 });
  await expect(Client.open(server, cookie, 'http://evil.example')).rejects.toMatchObject({ status: 403 });
  const ok = await Client.open(server, cookie);
  ok.socket.close();
});

test('a loopback public origin admits the other loopback names on its scheme and port; the 403 names the public URL', async () => {
  const { cookie } = await loginAs(server, 'ws-origin@example.com');
  const publicUrl = new URL(server.origin);
  expect(publicUrl.hostname).toBe('127.0.0.1');
  for (const host of ['localhost', '[::1]']) {
    const client = await Client.open(server, cookie, `http://${host}:${publicUrl.port}`);
    client.send({ type: 'subscribe', threadId: 1 });
    await client.waitFor((m) => m.type === 'error' || m.type === 'subscribed');
    client.socket.close();
  }
  for (const foreign of [`https://localhost:${publicUrl.port}`, `http://localhost:${Number(publicUrl.port) + 1}`, 'http://127.0.0.1.example', 'null']) {
    const refused = await Client.open(server, cookie, foreign).then(
      () => undefined,
      (error: { status: number; body: unknown }) => error,
    );
    expect([foreign, refused?.status]).toEqual([foreign, 403]);
    expect(refused!.body).toMatchObject({ code: 'TH_ERR_WEB_ORIGIN', publicUrl: server.origin });
    expect((refused!.body as { message: string }).message).toContain(`open the Web CLI at ${server.origin}`);
  }
  const live = (await (await fetch(`${server.url}/api/live`, { headers: { cookie } })).json()) as { publicUrl: string; origins: string[] };
  expect(live).toEqual({ publicUrl: server.origin, origins: [server.origin, `http://localhost:${publicUrl.port}`, `http://[::1]:${publicUrl.port}`] });
});

test('subscribe, action-created, the status sequence and chunks in order for an %oci% table', async () => {
  const { cookie, threadId } = await userWithThread('ws-flow@example.com');
  const client = await Client.open(server, cookie);
  client.send({ type: 'subscribe', threadId });
  await client.waitFor((m) => m.type === 'subscribed');
  const actionId = await submit(cookie, threadId, '%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq');
  await client.waitFor(statusOf(actionId, 'succeeded'));
  const mine = client.messages.filter(
    (m) =>
      (m.threadAction as { actionId?: number })?.actionId === actionId || m.actionId === actionId || (m.chunk as { actionId?: number })?.actionId === actionId,
  );
  expect(mine[0]!.type).toBe('action-created');
  const statuses = mine.filter((m) => m.type === 'action-status').map((m) => m.status);
  expect(statuses).toEqual(['running', 'succeeded']);
  const chunks = mine.filter((m) => m.type === 'chunk').map((m) => m.chunk as { seq: number; mime: string; id: number });
  expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
  expect(chunks.map((c) => c.mime)).toEqual(expect.arrayContaining(['application/xml', 'text/csv', 'application/vnd.webcli.table+json']));
  // The last chunk arrives before the final status.
  expect(mine.findIndex((m) => m.type === 'chunk' && (m.chunk as { id: number }).id === chunks.at(-1)!.id)).toBeLessThan(
    mine.findIndex((m) => m.status === 'succeeded'),
  );
  // The CSV downloads through the authenticated route.
  const csv = chunks.find((c) => c.mime === 'text/csv') as unknown as { artifact: { id: string } };
  const download = await fetch(`${server.url}/api/artifacts/${csv.artifact.id}`, { headers: { cookie } });
  expect(download.status).toBe(200);
  expect(download.headers.get('content-disposition')).toMatch(/attachment/);
  expect(download.headers.get('x-content-type-options')).toBe('nosniff');
  expect(await download.text()).toMatch(/alice@acme\.example/);
  const other = await loginAs(server, 'ws-other@example.com');
  expect((await fetch(`${server.url}/api/artifacts/${csv.artifact.id}`, { headers: { cookie: other.cookie } })).status).toBe(404);
  client.socket.close();
});

test('a failure ends with an error chunk and status failed', async () => {
  const { cookie, threadId } = await userWithThread('ws-fail@example.com');
  const client = await Client.open(server, cookie);
  client.send({ type: 'subscribe', threadId });
  await client.waitFor((m) => m.type === 'subscribed');
  const actionId = await submit(cookie, threadId, '%oci% UserGetRequest userId=nobody@acme.example');
  const failed = await client.waitFor(statusOf(actionId, 'failed'));
  expect(failed.errorSummary).toEqual(expect.any(String));
  const error = client.messages.find((m) => m.type === 'chunk' && (m.chunk as { mime: string }).mime === 'application/vnd.webcli.error+json');
  expect(JSON.parse((error!.chunk as { text: string }).text).code).toMatch(/^OCI-P /);
  client.socket.close();
});

test('cancel ends a running %vbox% watch as cancelled', async () => {
  const { cookie, threadId } = await userWithThread('ws-cancel@example.com');
  const client = await Client.open(server, cookie);
  client.send({ type: 'subscribe', threadId });
  await client.waitFor((m) => m.type === 'subscribed');
  const actionId = await submit(cookie, threadId, '%vbox% watch --for 10m');
  await client.waitFor((m) => m.type === 'chunk' && (m.chunk as { actionId: number; replaceKey: string }).actionId === actionId);
  vboxMock.press(1, 0);
  await client.waitFor((m) => m.type === 'chunk-replaced' && (m.chunk as { actionId: number }).actionId === actionId);
  const res = await fetch(`${server.url}/api/actions/${actionId}/cancel`, { method: 'POST', headers: { cookie } });
  expect(res.status).toBe(202);
  await client.waitFor(statusOf(actionId, 'cancelled'));
  client.socket.close();
});

test('a subscriber to another user’s thread gets not-found and no events', async () => {
  const a = await userWithThread('ws-own-a@example.com');
  const b = await loginAs(server, 'ws-own-b@example.com');
  const client = await Client.open(server, b.cookie);
  client.send({ type: 'subscribe', threadId: a.threadId });
  const error = await client.waitFor((m) => m.type === 'error');
  expect(error.code).toBe('TH_ERR_WEB_NOT_FOUND');
  const actionId = await submit(a.cookie, a.threadId, '%md%\nsecret note');
  await server.web.service.idle();
  expect(client.messages.some((m) => m.type === 'chunk' || m.type === 'action-created')).toBe(false);
  expect(actionId).toBeGreaterThan(0);
  client.socket.close();
});

test('resume with a cursor after a forced disconnect replays exactly the missed chunks', async () => {
  const { cookie, userId, threadId } = await userWithThread('ws-resume@example.com');
  const first = await Client.open(server, cookie);
  first.send({ type: 'subscribe', threadId });
  await first.waitFor((m) => m.type === 'subscribed');
  const a1 = await submit(cookie, threadId, '%md%\none');
  await first.waitFor(statusOf(a1, 'succeeded'));
  const cursor = Math.max(...first.messages.filter((m) => m.type === 'chunk').map((m) => (m.chunk as { id: number }).id));
  first.socket.terminate();
  await first.closed;
  // While the tab is away: two more actions.
  const a2 = await submit(cookie, threadId, '%md%\ntwo');
  const a3 = await submit(cookie, threadId, '%html%\n<i>three</i>');
  await server.web.service.idle();
  const second = await Client.open(server, cookie);
  second.send({ type: 'subscribe', threadId, since: cursor });
  const subscribed = await second.waitFor((m) => m.type === 'subscribed');
  const replayed = second.messages.filter((m) => m.type === 'chunk').map((m) => m.chunk as { id: number; actionId: number; text: string });
  expect(replayed.map((c) => c.actionId)).toEqual([a2, a3]);
  expect(replayed.map((c) => c.text)).toEqual(['two', '<i>three</i>']);
  expect(replayed.every((c) => c.id > cursor)).toBe(true);
  expect(subscribed.cursor).toBe(replayed.at(-1)!.id);
  const thread = await server.web.service.store.getThread(userId, threadId);
  expect(thread.actions.flatMap((a) => a.action.chunks).filter((c) => c.id > cursor)).toHaveLength(2);
  second.socket.close();
});

test('logging out everywhere closes open sockets with 4401', async () => {
  const { cookie } = await loginAs(server, 'ws-revoke@example.com');
  const client = await Client.open(server, cookie);
  await fetch(`${server.url}/api/logout-all`, { method: 'POST', headers: { cookie } });
  expect((await client.closed).code).toBe(4401);
});

test('logging out closes the sockets of that login session with 4401, and only those', async () => {
  const first = await loginAs(server, 'ws-logout@example.com');
  const second = await loginAs(server, 'ws-logout@example.com');
  const [mine, other] = await Promise.all([Client.open(server, first.cookie), Client.open(server, second.cookie)]);
  expect((await fetch(`${server.url}/api/logout`, { method: 'POST', headers: { cookie: first.cookie } })).status).toBe(200);
  expect(await mine.closed).toEqual({ code: 4401, reason: 'logged out' });
  await expect(Client.open(server, first.cookie)).rejects.toMatchObject({ status: 401 });
  // The other browser's session goes on: its socket still answers.
  const thread = (await server.web.app.inject({ method: 'POST', url: '/api/threads', headers: { cookie: second.cookie }, payload: { title: 'T' } })).json() as {
    id: number;
  };
  other.send({ type: 'subscribe', threadId: thread.id });
  await other.waitFor((m) => m.type === 'subscribed' && m.threadId === thread.id);
  other.socket.close();
});

test('an expiring token closes the socket with 4401', async () => {
  const short = await startTestServer({ env: { THORS_WEBCLI_AUTH_TOKEN_LIFETIME: '2s' } });
  try {
    const { cookie } = await loginAs(short, 'ws-expiry@example.com');
    const client = await Client.open(short, cookie).catch(() => undefined);
    // Under heavy load the token may already be gone at the upgrade: that is a 401, also correct.
    if (client) expect((await client.closed).code).toBe(4401);
    else await expect(Client.open(short, cookie)).rejects.toMatchObject({ status: 401 });
  } finally {
    await short.close();
  }
});

test('fan-out: a batch with a missing topic and a failing subscriber still reaches everyone else', () => {
  const bus = new EventBus();
  const got: ThreadEvent[] = [];
  bus.subscribe(2, () => {
    throw new Error('a broken tab');
  });
  bus.subscribe(2, (e) => got.push(e));
  bus.subscribe(3, (e) => got.push(e));
  bus.publishBatch([
    { type: 'chunk', threadId: 1 }, // nobody follows thread 1
    { type: 'chunk', threadId: 2 },
    { type: 'thread-reload', threadId: 3 },
  ]);
  expect(got.map((e) => e.threadId)).toEqual([2, 3]);
  expect(bus.failures).toBe(1);
});
