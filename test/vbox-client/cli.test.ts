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
  expect(rooms.stdout.split('\n')).toEqual(['ID  NAME', ' 0  סלון', ' 1  Kitchen', ' 7  חדר עבודה', '']);

  expect(nodes.code).toBe(0);
  const list = JSON.parse(nodes.stdout) as Array<Record<string, unknown>>;
  expect(list.map((n) => n.model)).toEqual(['VT-MW3-SR3-10A', 'VT-MW3-DM3-400W', 'TemperatureSensor']);
  expect(list[0]).toMatchObject({ macAddress: '00:0D:6F:00:0E:FB:96:21', version: '7.93' });
}, 180000);

test('key on / dim N switch the key in the mock and print the state read back', async () => {
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

test('watch prints pushes as JSON lines, or text lines with the power by name (mock presses a key every 150 ms)', async () => {
  const text = await runCli(['vbox', 'watch', ...base, '--count', '2']);
  expect(text.code).toBe(0);
  const textLines = text.stdout.trimEnd().split('\n');
  expect(textLines).toHaveLength(2);
  for (const line of textLines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}node \d+ key \d+ {2}(ON|OFF|LONG|SHORT|RELEASED)$/);
  const watch = await runCli(['vbox', 'watch', ...base, '--json', '--count', '3']);
  expect(watch.code).toBe(0);
  const lines = watch.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(3);
  for (const line of lines) {
    expect(line).toMatchObject({ command: 0x29, solicited: false, response: 'KeyStatus' });
    expect(typeof line.nodeId).toBe('number');
    expect(['ON', 'OFF']).toContain(line.power);
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
  expect(status.stdout).toContain(`vBox      127.0.0.1:${mock.port} (logged in)\nprotocol  v2\nrooms     3  (ids 0, 1, 7)\nnodes     3  (ids 1, 2, 9)\n`);
}, 180000);

test('text output: aligned tables and lines with enumeration names, not numbers or JSON', async () => {
  const [a, b] = await Promise.all([fresh(), fresh()]);
  const nodes = await runCli(['vbox', 'nodes', ...a.args]);
  const shown = await runCli(['vbox', 'key', '2', '0', ...b.args]);
  expect(nodes.code).toBe(0);
  const lines = nodes.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^ID {2}MODEL +MAC +ROOM {2}LOCK +LED +FIRMWARE {2}KEYS$/);
  expect(lines[1]).toMatch(/^ 1 {2}VT-MW3-SR3-10A +00:0D:6F:00:0E:FB:96:21 +0 {2}UNLOCKED +NORMAL +7\.93 +0:TOGGLE 1:TOGGLE 2:TOGGLE$/);
  expect(lines[3]).toMatch(/ LOCKED +HIGH +7\.93 +0:THERMOSTAT$/);
  // Columns line up: every row has MAC where the heading has it.
  const macAt = lines[0]!.indexOf('MAC');
  for (const line of lines.slice(1)) expect(line.slice(macAt, macAt + 3)).toBe('00:');
  expect(nodes.stdout).not.toContain('{');

  expect(shown.code).toBe(0);
  expect(shown.stderr).toBe('');
  expect(shown.stdout).toBe(
    ['node      2  (VT-MW3-DM3-400W, room 1)', 'key       0', 'name      Island', 'type      DIMMER', 'category  LIGHT', 'state     ON', ''].join('\n'),
  );
}, 180000);

test('key with no action reads name, type, parameters and state from the vBox (JSON)', async () => {
  const a = await fresh();
  a.mock.press(1, 2, 'ON');
  const shown = await runCli(['vbox', 'key', '1', '2', ...a.args, '--json']);
  expect(shown.code).toBe(0);
  const result = JSON.parse(shown.stdout) as Record<string, unknown>;
  const key = a.mock.house.nodes[0]!.keys[2]!;
  expect(result).toMatchObject({ nodeId: 1, keyId: 2, name: key.name, type: 'TOGGLE', power: 'ON', isOn: true, model: 'VT-MW3-SR3-10A' });
  expect(result.status).toMatchObject({ response: 'KeyStatus', nodeId: 1, keyId: 2, power: 'ON' });
  expect(result.parameters).toMatchObject({ nodeId: 1, keyId: 2, name: key.name });
  // The three reads went to the vBox: NodeMetaData, KeyParameters, KeyStatus.
  const names = a.mock.received.map((r) => r.name);
  expect(names).toEqual(expect.arrayContaining(['NodeMetaData', 'KeyParameters', 'KeyStatus']));

  const missing = await runCli(['vbox', 'key', '1', '9', ...a.args]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('hammer: TH_ERR_VBOX_REQUEST: node 1 has no key 9: its keys are 0–2\n');
}, 180000);

test('key actions are case-insensitive; toggle flips the state read from the vBox', async () => {
  const a = await fresh();
  const keyOf = () => a.mock.house.nodes[0]!.keys[1]!;
  const on = await runCli(['vbox', 'key', '1', '1', 'ON', ...a.args]);
  expect(on.stdout).toBe('node 1 key 1: ON acknowledged; state now ON\n');
  expect(keyOf().power).toBe(0x4f);
  const off = await runCli(['vbox', 'key', '1', '1', 'Off', ...a.args]);
  expect(off.stdout).toBe('node 1 key 1: OFF acknowledged; state now OFF\n');
  expect(keyOf().power).toBe(0x46);
  const toggled = await runCli(['vbox', 'key', '1', '1', 'TOGGLE', ...a.args, '--json']);
  expect(JSON.parse(toggled.stdout)).toMatchObject({ ok: true, power: 'ON', state: 'ON', status: { power: 'ON' } });
  expect(keyOf().power).toBe(0x4f);
  const dim = await runCli(['vbox', 'key', '1', '1', 'DiM', '30', ...a.args]);
  expect(dim.code).toBe(0);
  expect(keyOf().dimmerRatio).toBe(30);
}, 180000);

test('no default host: without --host or VITREA_VBOX_HOST a command fails at once, naming both', async () => {
  for (const command of [['status'], ['rooms'], ['nodes'], ['key', '1', '0'], ['watch']]) {
    const result = await runCli(['vbox', ...command, '--username', USER, '--password', PASS]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('hammer: TH_ERR_VBOX_CONFIG: no vBox address given (there is no default): pass --host or set VITREA_VBOX_HOST\n');
  }
  const help = await runCli(['vbox', 'status', '--help']);
  expect(help.stdout).toContain('[env VITREA_VBOX_HOST, required]');
  expect(help.stdout).not.toMatch(/192\.168|default [0-9]+\.[0-9]+\./);
}, 180000);

test('usage mistakes: one line plus where the help is, exit 2', async () => {
  const cases: Array<[string[], string]> = [
    [
      ['vbox', 'key', '1', '0', 'sideways', ...base],
      "hammer: unknown action 'sideways': use on, off, long, short, released, toggle, dim (any case), or none to show the key",
    ],
    [['vbox', 'key', '1', '0', 'dim', ...base], 'hammer: dim needs a level 0–100, e.g. `hammer vbox key 3 0 dim 40`'],
    [['vbox', 'key', '1', '0', 'on', '5', ...base], 'hammer: a level is only allowed with dim, not with on'],
    [['vbox', 'key', '1', '300', 'on', ...base], 'hammer: key must be a whole number 0–255; got 300'],
    [['vbox', 'watch', '--count', '0', ...base], 'hammer: --count must be a whole number ≥ 1; got 0'],
    [['vbox', 'status', '--bogus', ...base], 'hammer: Unknown argument: bogus'],
  ];
  for (const [args, line] of cases) {
    const result = await runCli(args);
    const command = args.slice(0, 2).join(' ');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\nsee: hammer ${command} --help\n`);
  }
}, 180000);

test('bad input: one clear line and exit 1', async () => {
  const wrong = await runCli(['vbox', 'status', ...base.slice(0, 6), '--password', 'nope']);
  const missing = await runCli(['vbox', 'rooms', '--host', '127.0.0.1', '--port', String(mock.port)]);
  const badPort = await runCli(['vbox', 'status', ...base.slice(0, 2), '--port', '70000', ...base.slice(4)]);
  const badEnv = await runCli(['vbox', 'status', ...base], { env: { VITREA_VBOX_REQUEST_TIMEOUT: 'soon' } });
  const deadPort = await runCli(['vbox', 'status', '--host', '127.0.0.1', '--port', '1', '--username', 'u', '--password', 'p']);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr.trim()).toMatch(/^hammer: TH_ERR_VBOX_AUTH: .*cli-user/);
  expect(wrong.stderr.trim().split('\n')).toHaveLength(1);

  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('hammer: TH_ERR_VBOX_CONFIG: no vBox username given: pass --username or set VITREA_VBOX_USERNAME\n');

  expect(badPort.code).toBe(1);
  expect(badPort.stderr).toBe('hammer: TH_ERR_VBOX_CONFIG: --port must be a number between 1 and 65535; got 70000\n');

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
