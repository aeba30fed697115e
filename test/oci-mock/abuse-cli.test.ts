// `hammer mock oci` as a separate process with limit flags: the idle logout and the connection
// cap over real sockets, each refusal seen in the process's log; bad limit flags exit 1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { loadMockSchema } from '../../runtime/mock/oci/index.js';
import { decodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { type SpawnedMock, spawnMock } from '../support/mock-process.js';
import { RawOciConnection } from './raw-client.js';

const hammer = `${projectRoot}bin/hammer.mjs`;
let schema: OciSchema;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

/** The mock with a TCP port and the given limit flags. */
const spawnTcpMock = (args: string[]) => spawnMock(['--tcp-port', '0', ...args]);

async function stop(mock: SpawnedMock): Promise<number | null> {
  const exited = once(mock.child, 'exit');
  mock.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

test('--idle-timeout: an idle logged-in client gets the forced LogoutRequest, then the connection closes; the refusal is logged', async () => {
  const mock = await spawnTcpMock(['--idle-timeout', '300']);
  try {
    const connection = await RawOciConnection.tcp(schema, mock.ports.tcp as number);
    expect((await connection.loginPlain()).$type).toBe('LoginResponse22V5');
    await once(connection.socket, 'close');
    expect(connection.unsolicited).toHaveLength(1);
    expect(decodeDocument(schema, connection.unsolicited[0] as Buffer).commands[0]).toMatchObject({
      $type: 'LogoutRequest',
      reason: 'Open Client Server Forced Logout',
    });
    expect(await mock.logLine(/warn refused 127\.0\.0\.1:\d+ \(idleTimeoutMs\): no traffic for 300 ms/)).toBeTruthy();
  } finally {
    expect(await stop(mock)).toBe(0);
  }
}, 60_000);

test('--max-connections: one connection too many is closed at once and logged', async () => {
  const mock = await spawnTcpMock(['--max-connections', '1']);
  try {
    const first = await RawOciConnection.tcp(schema, mock.ports.tcp as number);
    expect((await first.one({ $type: 'AuthenticationRequest', userId: 'admin' })).$type).toBe('AuthenticationResponse');
    const second = connect(mock.ports.tcp as number, '127.0.0.1');
    second.on('error', () => undefined);
    let received = 0;
    second.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    await once(second, 'close');
    expect(received).toBe(0);
    expect(await mock.logLine(/\(maxConnections\): 1 tcp connections are open already/)).toBeTruthy();
    expect((await first.one({ $type: 'AuthenticationRequest', userId: 'admin' })).$type).toBe('AuthenticationResponse');
    await first.close();
  } finally {
    expect(await stop(mock)).toBe(0);
  }
}, 60_000);

test('bad limit flags exit 1 with one clear line', async () => {
  const run = async (args: string[]) => {
    const child = spawn(process.execPath, [hammer, 'mock', 'oci', '--tcp-port', '0', ...args], { cwd: projectRoot });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stderr };
  };
  const [negative, zero] = await Promise.all([run(['--idle-timeout', '-1']), run(['--max-connections', '0'])]);
  expect(negative.code).toBe(1);
  expect(negative.stderr.trim()).toMatch(/^hammer: TH_ERR_CLI_USAGE: --idle-timeout must be a whole number ≥ 0, got -1$/);
  expect(zero.code).toBe(1);
  expect(zero.stderr.trim()).toMatch(/^hammer: TH_ERR_OCI_MOCK_OPTIONS: limits: maxConnections must be a whole number ≥ 1, got 0$/);
}, 90_000);
