// `hammer mock oci` as a separate process: the ready line, a login over raw TCP, seeded data,
// clean stop on SIGTERM, and one clear error line for bad input.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { loadMockSchema } from '../../runtime/mock/oci/index.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { toRecords } from '../../runtime/oci/table.js';
import { spawnMock } from '../support/mock-process.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

const seedFile = fileURLToPath(new URL('../fixtures/mock/seed.json', import.meta.url));
const hammer = `${projectRoot}bin/hammer.mjs`;
let schema: OciSchema;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

test('spawned mock prints the ready line, serves a hashed login and seeded data over TCP, and stops on SIGTERM', async () => {
  const { child, ready, stderr } = await spawnMock(['--tcp-port', '0', '--tls-port', '0', '--soap-port', '0', '--user', 'ops:s3:cret', '--seed', seedFile]);
  try {
    expect(ready).toEqual({ ready: true, release: 'R25', tcp: expect.any(Number), tls: expect.any(Number), soap: expect.any(Number) });
    expect(ready.tcp).toBeGreaterThan(0);
    const connection = await RawOciConnection.tcp(schema, ready.tcp as number);
    try {
      expect(errorNumber(await connection.loginHashed('admin', 'admin'))).toBe(4008); // --user replaces the default account
      expect(await connection.loginHashed('ops', 's3:cret')).toMatchObject({ $type: 'LoginResponse14sp4', loginType: 'System' });
      const list = await connection.one({ $type: 'GroupGetListInServiceProviderRequest', serviceProviderId: 'acme' });
      expect(toRecords(list.groupTable as never).map((r) => r['Group Id'])).toEqual(['acme-hq', 'acme-lab']);
    } finally {
      await connection.close();
    }
    expect(stderr()).toContain('OCI-P mock R25 on tcp://127.0.0.1:');
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  }
}, 60_000);

test('bad input exits 1 with one clear line', async () => {
  const cases: [string[], RegExp][] = [
    [[], /^hammer: TH_ERR_CLI_USAGE: give at least one of --tcp-port, --tls-port, --soap-port/],
    [['--tcp-port', '99999'], /^hammer: TH_ERR_CLI_USAGE: --tcp-port must be an integer from 0 to 65535/],
    [['--tcp-port', '0', '--user', 'nocolon'], /^hammer: TH_ERR_OCI_MOCK_USERS: --user "nocolon": expected ID:PASSWORD/],
    [['--tcp-port', '0', '--seed', '/nonexistent.json'], /^hammer: TH_ERR_OCI_MOCK_SEED: cannot read seed file/],
    [['--tcp-port', '0', '--tls-cert', 'x.pem'], /^hammer: TH_ERR_CLI_USAGE: --tls-cert and --tls-key go together/],
  ];
  // The processes run side by side: each pays the TypeScript start-up once.
  const results = await Promise.all(cases.map(([args]) => run(args)));
  results.forEach((result, i) => {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(cases[i][1]);
  });
}, 90_000);

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [hammer, 'mock', 'oci', ...args], { cwd: projectRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
