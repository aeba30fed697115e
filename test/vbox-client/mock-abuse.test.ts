// The mock vBox under abuse (issue 8) and its fault details, over real loopback sockets: idle and
// trickling clients are dropped, the connection cap, backpressure for a client that does not read,
// the unread-reply limit, `silence` stopping pushes, the log of a corrupted frame, and
// `hammer mock vbox` started as a process with fault and limit flags. Every wait is for an event
// or one of the mock's counters; short limits make the timeouts fire quickly.
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { type VboxMock, type VboxMockLogEntry, startVboxMock } from '../../runtime/mock/vbox/index.js';
import { createRequest } from '../../runtime/vbox/codec.js';
import { Direction, type VboxFrame } from '../../runtime/vbox/frame.js';
import { VboxFramer } from '../../runtime/vbox/framer.js';
import { runCli, spawnMock } from './spawn.js';

const mocks: VboxMock[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const mock of mocks.splice(0)) await mock.close();
});

async function start(options: Parameters<typeof startVboxMock>[0] = {}): Promise<VboxMock> {
  const mock = await startVboxMock({ port: 0, username: 'user', password: 'super', ...options });
  mocks.push(mock);
  return mock;
}

/** A raw client: frames received (and invalid runs), a close promise. */
async function raw(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const frames: VboxFrame[] = [];
  const invalid: string[] = [];
  const framer = new VboxFramer({
    direction: Direction.INCOMING,
    onFrame: (f) => frames.push({ ...f, raw: Buffer.from(f.raw), payload: Buffer.from(f.payload) }),
    onInvalid: (event) => invalid.push(event.reason),
  });
  socket.on('data', (chunk: Buffer) => framer.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  closed.then(() => framer.close());
  await Promise.race([once(socket, 'connect'), closed]);
  return {
    socket,
    frames,
    invalid,
    closed,
    /** Writes bytes and waits until `count` more frames arrived. */
    async exchange(bytes: Buffer, count = 1): Promise<VboxFrame[]> {
      const before = frames.length;
      socket.write(bytes);
      await until(() => frames.length >= before + count);
      return frames.slice(before, before + count);
    },
  };
}

/** Waits (event loop turns, no fixed delay) until `predicate` holds; the test's timeout bounds it. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const login = (id = 1) => createRequest('Login', { username: 'user', password: 'super' }).toBuffer(id);
const enablePushes = (id = 2) => createRequest('ToggleHeartbeat', { enable: 1, unsolicited: 1 }).toBuffer(id);

describe('limits', () => {
  test('a silent client is dropped after idleTimeoutMs, and the next client gets the device', async () => {
    const log: VboxMockLogEntry[] = [];
    const mock = await start({ limits: { idleTimeoutMs: 150 }, log: (entry) => log.push(entry) });
    const silent = await raw(mock.port);
    await until(() => mock.hasClient);
    await silent.closed;
    expect(mock.refusals.idleTimeoutMs).toBe(1);
    expect(log).toContainEqual(expect.objectContaining({ event: 'refused', limit: 'idleTimeoutMs', connection: 1 }));
    const next = await raw(mock.port);
    const [ack] = await next.exchange(login());
    expect(ack?.command).toBe(0x00);
    expect(mock.connectionCount).toBe(2);
  });

  test('a client trickling bytes that never form a request is dropped too', async () => {
    const mock = await start({ limits: { idleTimeoutMs: 200, partialFrameTimeoutMs: 50 } });
    const trickler = await raw(mock.port);
    const frame = login();
    let i = 0;
    const drip = setInterval(() => trickler.socket.write(frame.subarray(i % (frame.length - 1), (i++ % (frame.length - 1)) + 1)), 10);
    await trickler.closed;
    clearInterval(drip);
    expect(mock.refusals.idleTimeoutMs).toBe(1);
    expect(mock.received).toHaveLength(0);
  });

  test('beyond maxConnections a socket is closed at once and counted', async () => {
    const mock = await start({ limits: { maxConnections: 1 } });
    const holder = await raw(mock.port);
    await holder.exchange(login());
    const extra = await raw(mock.port);
    await extra.closed;
    expect(mock.refusals.maxConnections).toBe(1);
    expect(mock.refusals.secondClient).toBe(0);
    expect((await holder.exchange(createRequest('Heartbeat').toBuffer(5)))[0]?.messageId).toBe(5);
  });

  test('bad limits are refused with a typed error', async () => {
    await expect(startVboxMock({ port: 0, limits: { maxConnections: 0 } })).rejects.toMatchObject({ code: 'TH_ERR_VBOX_MOCK' });
    await expect(startVboxMock({ port: 0, limits: { idleTimeoutMs: 1.5 } })).rejects.toMatchObject({ code: 'TH_ERR_VBOX_MOCK' });
  });
});

describe('backpressure', () => {
  test('unread replies stop the mock reading; once the client reads, every request is answered exactly once, in order', async () => {
    const mock = await start({ limits: { idleTimeoutMs: 0, maxUnreadReplyBytes: 256 * 1024 * 1024 } });
    const client = await raw(mock.port);
    await client.exchange(login());
    client.socket.pause();
    // More than the loopback socket buffers hold: the mock's write buffer fills and it stops reading.
    mock.pushRaw(Buffer.alloc(32 * 1024 * 1024, 0x41));
    await until(() => mock.readingPaused);
    const count = 2000;
    client.socket.write(Buffer.concat(Array.from({ length: count }, (_, i) => createRequest('Heartbeat').toBuffer(1 + (i % 250)))));
    const before = client.frames.length;
    client.socket.resume();
    await until(() => client.frames.length >= before + count);
    expect(client.frames.slice(before).map((frame) => frame.messageId)).toEqual(Array.from({ length: count }, (_, i) => 1 + (i % 250)));
    expect(mock.received).toHaveLength(1 + count);
    await until(() => !mock.readingPaused);
  }, 60_000);

  test('replies piling up unread beyond maxUnreadReplyBytes drop the client', async () => {
    const log: VboxMockLogEntry[] = [];
    const mock = await start({ limits: { maxUnreadReplyBytes: 1024, idleTimeoutMs: 0 }, log: (entry) => log.push(entry) });
    const client = await raw(mock.port);
    await client.exchange(login());
    client.socket.pause();
    // Larger than any loopback socket buffer, so most of it stays in the mock's own buffer.
    const big = Buffer.alloc(32 * 1024 * 1024, 0x41);
    expect(mock.pushRaw(big)).toBe(true);
    await until(() => mock.readingPaused); // the mock's write buffer is full
    expect(mock.pushRaw(Buffer.from('more'))).toBe(true);
    expect(mock.refusals.maxUnreadReplyBytes).toBe(1);
    expect(mock.hasClient).toBe(false);
    client.socket.resume(); // a paused socket would not notice the reset
    await client.closed;
    expect(log).toContainEqual(expect.objectContaining({ event: 'refused', limit: 'maxUnreadReplyBytes' }));
  });
});

describe('fault details', () => {
  test('silence stops pushes too: the silenced press is not sent, the next one is the first push', async () => {
    const log: VboxMockLogEntry[] = [];
    const mock = await start({ log: (entry) => log.push(entry) });
    const client = await raw(mock.port);
    await client.exchange(login());
    await client.exchange(enablePushes());
    const { nodeId, keyId } = firstSwitch(mock);
    mock.faults.set({ silence: true });
    expect(mock.pushKeyStatus(nodeId, keyId)).toBe(false);
    mock.press(nodeId, keyId);
    expect(log.filter((entry) => entry.event === 'push')).toHaveLength(0);
    mock.faults.clear();
    const before = client.frames.length;
    mock.press(nodeId, keyId);
    await until(() => client.frames.length > before);
    // TCP keeps order: had a silenced push been written, it would have arrived first.
    expect(client.frames.slice(before)).toHaveLength(1);
    expect(client.frames[before]).toMatchObject({ command: 0x29, messageId: 0 });
    expect(log.filter((entry) => entry.event === 'push')).toHaveLength(1);
  });

  test('under corruptChecksum the log shows the bytes as sent (corrupted)', async () => {
    const log: VboxMockLogEntry[] = [];
    const mock = await start({ log: (entry) => log.push(entry) });
    const client = await raw(mock.port);
    await client.exchange(login());
    mock.faults.once({ corruptChecksum: true });
    const received: Buffer[] = [];
    client.socket.on('data', (chunk: Buffer) => received.push(chunk));
    client.socket.write(createRequest('RoomCount').toBuffer(7));
    await until(() => client.invalid.length > 0);
    const reply = log.filter((entry) => entry.event === 'reply').at(-1);
    expect(reply).toMatchObject({ corrupted: true });
    expect(reply?.hex).toBe(Buffer.concat(received).toString('hex'));
  });
});

describe('hammer mock vbox as a process', () => {
  test('--corrupt-checksum --fault-times 1: the first reply has a bad checksum, the second is valid', async () => {
    const mock = await spawnMock(['--port', '0', '--corrupt-checksum', '--fault-times', '1', '--username', 'user', '--password', 'super']);
    try {
      const client = await raw(mock.port);
      client.socket.write(login(3));
      await until(() => client.invalid.includes('checksum'));
      expect(client.frames).toHaveLength(0);
      const [ack] = await client.exchange(createRequest('Heartbeat').toBuffer(4));
      expect(ack).toMatchObject({ command: 0x00, messageId: 4 });
      const replies = mock.log.filter((entry) => entry.event === 'reply');
      expect(replies[0]).toMatchObject({ corrupted: true });
    } finally {
      await mock.kill('SIGTERM');
    }
    expect(mock.child.exitCode).toBe(0);
  }, 60_000);

  test('--idle-timeout drops a silent client and logs the refusal; --max-connections caps sockets', async () => {
    const mock = await spawnMock(['--port', '0', '--idle-timeout', '200', '--max-connections', '1', '--no-traffic-log']);
    try {
      const silent = await raw(mock.port);
      await mock.waitForLog((entry) => entry.event === 'connection');
      const extra = await raw(mock.port);
      await extra.closed;
      await mock.waitForLog((entry) => entry.event === 'refused' && entry.limit === 'maxConnections');
      await silent.closed;
      await mock.waitForLog((entry) => entry.event === 'refused' && entry.limit === 'idleTimeoutMs');
    } finally {
      await mock.kill('SIGTERM');
    }
    expect(mock.child.exitCode).toBe(0);
  }, 60_000);

  test('bad fault and limit flags exit 1 with one clear line', async () => {
    const cases: [string[], RegExp][] = [
      [['--ack-type', '300'], /--ack-type must be a byte value/],
      [['--fault-times', '0', '--silence'], /--fault-times must be a whole number/],
      [['--idle-timeout', '-5'], /mock limit idleTimeoutMs must be a whole number/],
      [['--delay', '-1'], /--delay must be a number of milliseconds/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['mock', 'vbox', '--port', '0', ...args])));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^hammer: TH_ERR_VBOX_MOCK: /);
      expect(lines[0]).toMatch(cases[i]![1]);
    });
  }, 90_000);
});

function firstSwitch(mock: VboxMock): { nodeId: number; keyId: number } {
  for (const node of mock.house.nodes) {
    const key = node.keys.find((k) => k.type !== 0 && k.type !== 1);
    if (key) return { nodeId: node.id, keyId: key.id };
  }
  throw new Error('the built-in house has no switchable key');
}
