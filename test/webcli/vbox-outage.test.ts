import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { HandlerRegistry } from '../../web/core/registry.js';
import { vboxHandler } from '../../web/core/handlers/vbox.js';
import { type Handler, MIME } from '../../web/core/types.js';
import { type MockProcess, loggedInRequests, spawnMock } from '../vbox-client/spawn.js';
import { MemorySink, runCommand, services } from './sink.js';

// %vbox% while the box is down, and after its password changed, against `hammer mock vbox` as a
// separate process whose own request log is the ground truth of what reached the "house".

const USER = 'owner';
const HOUSE = 'test/fixtures/vbox/house.json';

const boxConfig = (port: number, password: string) => ({ boxes: { home: { host: '127.0.0.1', port, username: USER, password } } });

const errorOf = (sink: MemorySink) => JSON.parse(sink.ofMime(MIME.error)[0]?.text ?? '{}') as { code?: string; summary?: string };
const isWaitNotice = (c: { mime: string; text?: string | null }) => c.mime === MIME.text && /is (reconnecting|connecting)/.test(c.text ?? '');

const mocks: MockProcess[] = [];
const handlers: Handler[] = [];
afterAll(async () => {
  for (const h of handlers) await h.stop!();
  for (const m of mocks) await m.kill();
});

async function startHandler(staticConfig: object): Promise<Handler> {
  const handler = vboxHandler();
  await handler.start!(services(new HandlerRegistry()) as never, staticConfig);
  handlers.push(handler);
  return handler;
}

test('box down: commands that time out, are cancelled or outwait the queue limit never reach the box when it is back', async () => {
  const pass = 'pw-1';
  const first = await spawnMock(['--port', '0', '--username', USER, '--password', pass, '--house', HOUSE]);
  mocks.push(first);
  const config = boxConfig(first.port, pass);
  // A queue-wait limit far below the action's 60 s timeout, far above the cancel below.
  const vbox = await startHandler({ requestBuffer: 0, queueTimeout: 3000 });
  expect((await runCommand(vbox, '%vbox% key 1/0 off', config)).outcome.status).toBe('succeeded');

  await first.kill('SIGKILL');
  // Whatever this one meets (the lost link or the queue limit), it fails, and once it has the
  // client knows the link is gone, so the commands below are queued while it reconnects.
  expect((await runCommand(vbox, '%vbox% key 3/0 on', config)).outcome.status).toBe('failed');

  // 1. The action's own timeout (its signal) gives the request up.
  const timed = await runCommand({ ...vbox, defaultTimeoutMs: 200 }, '%vbox% key 4/0 on', config);
  expect(timed.outcome.status).toBe('failed');
  expect(errorOf(timed.sink).code).toBe('TH_ERR_WEB_TIMEOUT');

  // 2. Cancelled while queued (the notice is emitted after the request was queued).
  const sink = new MemorySink();
  const cancel = new AbortController();
  const running = runCommand(vbox, '%vbox% blind 2/0 up', config, { sink, cancel: cancel.signal });
  await sink.waitFor(isWaitNotice);
  cancel.abort();
  expect((await running).outcome.status).toBe('cancelled');

  // 3. The queue-wait limit ends the action long before the scheduler's 60 s timeout.
  const limited = await runCommand(vbox, '%vbox% scenario 1/1', config);
  expect(limited.outcome.status).toBe('failed');
  expect(errorOf(limited.sink).code).toBe('TH_ERR_VBOX_QUEUE_TIMEOUT');
  expect(errorOf(limited.sink).summary).toMatch(/never be sent/);

  // The box comes back on the same port; the handler's client reconnects by itself.
  const second = await spawnMock(['--port', String(first.port), '--username', USER, '--password', pass, '--house', HOUSE]);
  mocks.push(second);
  await second.waitForLog((e) => e.event === 'request' && e.name === 'Login', 60_000);
  const fresh = await runCommand(vbox, '%vbox% key 1/2 on', config);
  expect(fresh.outcome.status).toBe('succeeded');
  expect(fresh.sink.chunks.map((c) => c.text).filter((t) => !/waits up to/.test(t ?? ''))).toEqual(['1/2 ON: ACK', '1/2 is now ON']);
  // FIFO, one in flight: anything left from the outage would have been written before these.
  expect(loggedInRequests(second)).toEqual(['ToggleKeyStatus 1/2', 'KeyStatus 1/2']);
}, 120_000);

test("after the box's password changed, saving the new password reconnects instead of TH_ERR_WEB_VBOX_BOX_IN_USE", async () => {
  const before = await spawnMock(['--port', '0', '--username', USER, '--password', 'old-pw', '--house', HOUSE]);
  mocks.push(before);
  const port = before.port;
  const vbox = await startHandler({ requestBuffer: 0 });
  expect((await runCommand(vbox, '%vbox% key 1/0 on', boxConfig(port, 'old-pw'))).outcome.status).toBe('succeeded');

  await before.kill('SIGKILL');
  const after = await spawnMock(['--port', String(port), '--username', USER, '--password', 'new-pw', '--house', HOUSE]);
  mocks.push(after);
  // The client reconnects with the old password and is refused (a refused login ends reconnection).
  await after.waitForLog((e) => e.event === 'request' && e.name === 'Login', 60_000);

  // The old password still fails, with the device's refusal (or its effect on the queued request).
  const stale = await runCommand(vbox, '%vbox% key 1/0 off', boxConfig(port, 'old-pw'));
  expect(stale.outcome.status).toBe('failed');
  expect(['TH_ERR_VBOX_AUTH', 'TH_ERR_VBOX_NOT_CONNECTED']).toContain(errorOf(stale.sink).code);

  // The operator saves the new password: the failed connection is dropped and a new one made.
  const saved = await runCommand(vbox, '%vbox% key 1/0 off', boxConfig(port, 'new-pw'), { userId: 2 });
  expect(saved.outcome.status).toBe('succeeded');
  expect(saved.sink.chunks.map((c) => c.text)).toEqual(['1/0 OFF: ACK', '1/0 is now OFF']);
  expect(loggedInRequests(after)).toEqual(['ToggleKeyStatus 1/0', 'KeyStatus 1/0']);

  // A working connection still holds the box against other credentials.
  const other = await runCommand(vbox, '%vbox% status', boxConfig(port, 'old-pw'), { userId: 3 });
  expect(errorOf(other.sink).code).toBe('TH_ERR_WEB_VBOX_BOX_IN_USE');
}, 120_000);

test('a first connection refused for a wrong password is dropped: the right one works next', async () => {
  const box = await spawnMock(['--port', '0', '--username', USER, '--password', 'right', '--house', HOUSE]);
  mocks.push(box);
  const vbox = await startHandler({ requestBuffer: 0 });
  const wrong = await runCommand(vbox, '%vbox% key 1/0 on', boxConfig(box.port, 'wrong'));
  expect(errorOf(wrong.sink).code).toBe('TH_ERR_VBOX_AUTH');
  const right = await runCommand(vbox, '%vbox% key 1/0 on', boxConfig(box.port, 'right'), { userId: 2 });
  expect(right.outcome.status).toBe('succeeded');
  // Now that a working connection holds the box, other credentials are refused as before.
  expect(errorOf((await runCommand(vbox, '%vbox% status', boxConfig(box.port, 'wrong'))).sink).code).toBe('TH_ERR_WEB_VBOX_BOX_IN_USE');
}, 60_000);

/**
 * A loopback TCP proxy to `targetPort` that holds each connection (bytes buffered, nothing
 * answered) until release(): the client sits in its handshake for as long as the test needs.
 */
async function holdingProxy(targetPort: number): Promise<{ port: number; connected: Promise<void>; release: () => void; server: Server }> {
  const held: Socket[] = [];
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const server = createServer((socket) => {
    held.push(socket);
    onConnected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => {
    for (const socket of held.splice(0)) {
      const upstream = tcpConnect(targetPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    }
  };
  return { port: (server.address() as { port: number }).port, connected, release, server };
}

test("other credentials during a user's first connect get BOX_IN_USE and do not close that connection", async () => {
  const box = await spawnMock(['--port', '0', '--username', USER, '--password', 'right', '--house', HOUSE]);
  mocks.push(box);
  const proxy = await holdingProxy(box.port);
  try {
    const vbox = await startHandler({ requestBuffer: 0 });
    const first = runCommand(vbox, '%vbox% key 1/0 on', boxConfig(proxy.port, 'right'));
    await proxy.connected; // the first user's client is now connecting/handshaking
    const other = await runCommand(vbox, '%vbox% status', boxConfig(proxy.port, 'wrong'), { userId: 2 });
    expect(errorOf(other.sink).code).toBe('TH_ERR_WEB_VBOX_BOX_IN_USE');
    proxy.release();
    const done = await first;
    expect(done.outcome.status).toBe('succeeded');
    expect(done.sink.chunks.map((c) => c.text)).toEqual(['1/0 ON: ACK', '1/0 is now ON']);
    expect(loggedInRequests(box)).toEqual(['ToggleKeyStatus 1/0', 'KeyStatus 1/0']);
  } finally {
    proxy.server.close();
  }
}, 60_000);
