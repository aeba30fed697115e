import { VboxClient } from '../../runtime/vbox/client.js';
import { type MockProcess, spawnMock } from './spawn.js';
import { eventually, FAST, next } from './helpers.js';

// The main scenario with the mock vBox as a SEPARATE PROCESS (`hammer mock vbox --port 0`):
// handshake, every query, toggles with pushes, then the mock killed and restarted on the
// same port while the client reconnects by itself.

const USER = 'owner';
const PASS = 'סיסמה-1';
const mocks: MockProcess[] = [];
let client: VboxClient | undefined;

afterAll(async () => {
  await client?.close();
  for (const m of mocks) await m.kill();
});

const requests = (m: MockProcess) => m.log.filter((e) => e.event === 'request');

test('client ↔ mock process: handshake, queries, toggles, kill and restart on the same port', async () => {
  const first = await spawnMock(['--port', '0', '--username', USER, '--password', PASS, '--house', 'test/fixtures/vbox/house.json']);
  mocks.push(first);
  expect(first.port).toBeGreaterThan(0);

  client = new VboxClient({ host: '127.0.0.1', port: first.port, username: USER, password: PASS, ...FAST, requestTimeout: 1000 });
  const c = client;
  await c.connect();

  // Handshake: 08 then 01, and nothing before the Login ACK.
  await first.waitForLog((e) => e.event === 'request' && e.name === 'Login');
  const preLogin = requests(first).filter((e) => e.loggedIn === false);
  expect(preLogin.map((e) => e.command)).toEqual([0x08, 0x01]);
  expect(preLogin.map((e) => e.messageId)).toEqual([1, 2]);

  // Every query.
  const rooms = await c.rooms();
  expect(rooms.map((r) => r.name)).toEqual(['סלון', 'Kitchen', 'חדר עבודה']);
  expect(rooms.map((r) => r.id)).toEqual([0, 1, 7]);
  const nodes = await c.nodes();
  expect(nodes.map((n) => [n.nodeId, n.model, n.roomId])).toEqual([
    [1, 'VT-MW3-SR3-10A', 0],
    [2, 'VT-MW3-DM3-400W', 1],
    [9, 'TemperatureSensor', 7],
  ]);
  expect(nodes[2]!.isLocked).toBe(true);
  expect(nodes[1]!.version).toBe('8.01');
  expect((await c.keyStatus(2, 0)).isOn).toBe(true);
  expect((await c.keyParameters(1, 2)).name).toBe('מאוורר');
  expect((await c.internalUnitStatuses()).command).toBe(0x60);
  expect(await c.nodeStatus(1)).toBeUndefined();

  // Toggles, with the pushed status arriving through keyStatus.
  const pushed = next(c, 'keyStatus');
  expect((await c.toggleKey(1, 0, 'ON')).isOK).toBe(true);
  const [status, info] = await pushed;
  expect([status.nodeId, status.keyId, status.isOn, info.solicited]).toEqual([1, 0, true, false]);
  expect((await c.keyStatus(1, 0)).isOn).toBe(true);

  // Kill the mock; restart it on the same port; the client reconnects by itself.
  const delays: number[] = [];
  c.on('reconnecting', (r) => delays.push(r.delay));
  const disconnected = next(c, 'disconnected', 5000);
  await first.kill('SIGKILL');
  const [lost] = await disconnected;
  expect(['end', 'reset']).toContain(lost.reason);
  expect(lost.willReconnect).toBe(true);
  await eventually(() => delays.length >= 2, 5000, 'a few failed reconnection attempts');
  // Held while the box is down: its queue-wait limit is set above the restart's duration.
  const queuedDuringOutage = c.nodeCount({ queueTimeout: 60_000 });

  const second = await spawnMock(['--port', String(first.port), '--username', USER, '--password', PASS, '--house', 'test/fixtures/vbox/house.json']);
  mocks.push(second);
  expect(second.port).toBe(first.port);
  const [ready] = await next(c, 'ready', 20000);
  expect(ready.reconnect).toBe(true);
  // Back-off grew between failed attempts (jitter ±20 % cannot hide a doubling).
  expect(delays[1]!).toBeGreaterThan(delays[0]!);

  // The handshake was replayed first; msgIds kept counting; the held request went through.
  expect((await queuedDuringOutage).list).toEqual([1, 2, 9]);
  const replayed = requests(second);
  expect(replayed.slice(0, 2).map((e) => e.command)).toEqual([0x08, 0x01]);
  expect(replayed.filter((e) => e.loggedIn === false)).toHaveLength(2);
  expect(replayed[0]!.messageId as number).toBeGreaterThan(Math.max(...requests(first).map((e) => e.messageId as number)));
  expect((await c.toggleKey(2, 0, 'OFF')).isOK).toBe(true);
  expect((await c.keyStatus(2, 0)).isOff).toBe(true);
}, 120000);
