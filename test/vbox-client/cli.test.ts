import { startVboxMock, type VboxMock } from '../../runtime/mock/vbox/index.js';
import { runCli, spawnMock } from './spawn.js';

// `hammer vbox status|rooms|nodes|key|watch` and `hammer mock vbox` as real processes.

const USER = 'cli-user';
const PASS = 'cli-pass';
let mock: VboxMock;
let base: string[];

beforeAll(async () => {
  mock = await startVboxMock({ port: 0, username: USER, password: PASS, house: 'test/fixtures/vbox/house.json', pushIntervalMs: 150 });
  base = ['--host', '127.0.0.1', '--port', String(mock.port), '--username', USER, '--password', PASS];
});

afterAll(async () => {
  await mock.close();
});

/** A fresh mock per CLI run: each starts from the fixture house, whatever the others changed. */
const extra: VboxMock[] = [];
afterAll(async () => {
  for (const m of extra) await m.close();
});
async function fresh(): Promise<{ mock: VboxMock; args: string[] }> {
  const m = await startVboxMock({ port: 0, username: USER, password: PASS, house: 'test/fixtures/vbox/house.json' });
  extra.push(m);
  return { mock: m, args: ['--host', '127.0.0.1', '--port', String(m.port), '--username', USER, '--password', PASS] };
}

test('status, rooms and nodes print what the mock holds (text and JSON)', async () => {
  const [a, b, c] = await Promise.all([fresh(), fresh(), fresh()]);
  const status = await runCli(['vbox', 'status', ...a.args, '--json']);
  const rooms = await runCli(['vbox', 'rooms', ...b.args]);
  const nodes = await runCli(['vbox', 'nodes', ...c.args, '--json']);
  expect(status.stderr).toBe('');
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ rooms: 3, roomIds: [0, 1, 7], nodes: 3, nodeIds: [1, 2, 9], protocol: 'v2' });

  expect(rooms.code).toBe(0);
  expect(rooms.stdout).toContain('סלון');
  expect(rooms.stdout.trim().split('\n')).toHaveLength(3);

  expect(nodes.code).toBe(0);
  const list = JSON.parse(nodes.stdout) as Array<Record<string, unknown>>;
  expect(list.map((n) => n.model)).toEqual(['VT-MW3-SR3-10A', 'VT-MW3-DM3-400W', 'TemperatureSensor']);
  expect(list[0]).toMatchObject({ macAddress: '00:0D:6F:00:0E:FB:96:21', version: '7.93' });
}, 180000);

test('key on / dim N switch the key in the mock and print the pushed status', async () => {
  const [a, b] = await Promise.all([fresh(), fresh()]);
  const on = await runCli(['vbox', 'key', '1', '2', 'on', ...a.args, '--json']);
  const dim = await runCli(['vbox', 'key', '2', '0', 'dim', '40', ...b.args]);
  expect(on.code).toBe(0);
  const result = JSON.parse(on.stdout) as { ok: boolean; status: Record<string, unknown> | null };
  expect(result.ok).toBe(true);
  expect(result.status).toMatchObject({ nodeId: 1, keyId: 2, isOn: true });
  expect(a.mock.house.nodes[0]!.keys[2]!.power).toBe(0x4f);

  expect(dim.code).toBe(0);
  expect(dim.stdout).toContain('node 2 key 0: ON 40% acknowledged');
  expect(b.mock.house.nodes[1]!.keys[0]!.dimmerRatio).toBe(40);
}, 180000);

test('watch prints pushes as JSON lines (mock presses a key every 150 ms)', async () => {
  const watch = await runCli(['vbox', 'watch', ...base, '--json', '--count', '3']);
  expect(watch.code).toBe(0);
  const lines = watch.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(3);
  for (const line of lines) {
    expect(line).toMatchObject({ command: 0x29, solicited: false });
    expect(typeof line.nodeId).toBe('number');
  }
}, 180000);

test('connection settings come from VITREA_VBOX_* when no flag is given', async () => {
  const status = await runCli(['vbox', 'status'], {
    env: {
      VITREA_VBOX_HOST: '127.0.0.1',
      VITREA_VBOX_PORT: String(mock.port),
      VITREA_VBOX_USERNAME: USER,
      VITREA_VBOX_PASSWORD: PASS,
      VITREA_VBOX_REQUEST_BUFFER: '0',
    },
  });
  expect(status.code).toBe(0);
  expect(status.stdout).toContain('rooms: 3');
}, 180000);

test('bad input: one clear line and exit 1', async () => {
  const wrong = await runCli(['vbox', 'status', ...base.slice(0, 6), '--password', 'nope']);
  const missing = await runCli(['vbox', 'rooms', '--host', '127.0.0.1', '--port', String(mock.port)]);
  const dimless = await runCli(['vbox', 'key', '1', '0', 'dim', ...base]);
  const badEnv = await runCli(['vbox', 'status', ...base], { env: { VITREA_VBOX_REQUEST_TIMEOUT: 'soon' } });
  const deadPort = await runCli(['vbox', 'status', '--host', '127.0.0.1', '--port', '1', '--username', 'u', '--password', 'p']);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr.trim()).toMatch(/^hammer: TH_ERR_VBOX_AUTH: .*cli-user/);
  expect(wrong.stderr.trim().split('\n')).toHaveLength(1);

  expect(missing.code).toBe(1);
  expect(missing.stderr.trim()).toMatch(/^hammer: TH_ERR_VBOX_CONFIG: username is required.*VITREA_VBOX_USERNAME/);

  expect(dimless.code).toBe(1);
  expect(dimless.stderr.trim()).toMatch(/^hammer: TH_ERR_VBOX_REQUEST: dim needs a level/);

  expect(badEnv.code).toBe(1);
  expect(badEnv.stderr.trim()).toBe('hammer: TH_ERR_VBOX_CONFIG: VITREA_VBOX_REQUEST_TIMEOUT must be a finite number; got "soon"');

  expect(deadPort.code).toBe(1);
  expect(deadPort.stderr.trim()).toMatch(/^hammer: TH_ERR_VBOX_CONNECT: could not connect to the vBox at 127\.0\.0\.1:1/);
}, 180000);

test('hammer mock vbox: ready line on stdout, refuses a bad house file', async () => {
  const m = await spawnMock(['--port', '0', '--quiet']);
  try {
    expect(m.port).toBeGreaterThan(0);
    expect(m.readyLine).toBe(`{"ready":true,"port":${m.port}}`);
  } finally {
    await m.kill('SIGTERM');
  }
  // Exit 0 from the mock's own SIGTERM handler; a mock without one would die by the signal (exitCode null).
  expect({ exitCode: m.child.exitCode, signalCode: m.child.signalCode }).toEqual({ exitCode: 0, signalCode: null });
  const bad = await runCli(['mock', 'vbox', '--port', '0', '--house', 'test/fixtures/vbox/does-not-exist.json']);
  expect(bad.code).toBe(1);
  expect(bad.stderr.trim()).toMatch(/^hammer: TH_ERR_VBOX_MOCK: cannot read house file/);
}, 180000);
