// `hammer oci send` as a user runs it: a separate CLI process against the mock server running
// in another process (also started through the CLI).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignField } from '../../cli/commands/oci/send.js';
import { OciClient } from '../../runtime/oci/client.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { spawnMock, type SpawnedMock } from './helpers.js';

let mock: SpawnedMock;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'th-oci-send-'));
  mock = await spawnMock(['--tcp-port', '0', '--soap-port', '0', '--user', 'admin:cli-Secret-1']);
}, 60_000);

afterAll(async () => {
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function hammer(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), 'oci', 'send', ...args], {
      cwd: projectRoot,
      env: { ...process.env, OCI_PASSWORD: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tcp = () => ['--url', `tcp://127.0.0.1:${mock.ports.tcp}`, '--user', 'admin'];

test('provisions with key=value fields and --json, and prints tables aligned, as CSV and as JSON', async () => {
  const fields = join(dir, 'group.json');
  writeFileSync(
    fields,
    JSON.stringify({ serviceProviderId: 'cli-sp', groupId: 'g2', defaultDomain: 'example.com', userLimit: 7, groupName: 'Second, "quoted"' }),
  );
  const env = { OCI_PASSWORD: 'cli-Secret-1' };
  // The service provider and the first group come from the library client (fast); the CLI adds the second.
  const client = new OciClient({ url: `tcp://127.0.0.1:${mock.ports.tcp}`, userId: 'admin', password: 'cli-Secret-1' });
  await client.call('ServiceProviderAddRequest', { serviceProviderId: 'cli-sp', defaultDomain: 'example.com', isEnterprise: true });
  await client.call('GroupAddRequest', { serviceProviderId: 'cli-sp', groupId: 'g1', defaultDomain: 'example.com', userLimit: 25, groupName: 'First' });
  await client.close();
  // Over SOAP with --password, --json for the fields, and a key=value override.
  const soap = ['--url', `http://127.0.0.1:${mock.ports.soap}`, '--user', 'admin', '--password', 'cli-Secret-1'];
  const g2 = await hammer([...soap, '--json', fields, 'GroupAddRequest', 'userLimit=8']);
  expect(g2).toMatchObject({ code: 0, stdout: 'OK\n' });

  const [table, csv, json] = await Promise.all([
    hammer([...tcp(), 'GroupGetListInServiceProviderRequest', 'serviceProviderId=cli-sp'], env),
    hammer([...tcp(), '--format', 'csv', 'GroupGetListInServiceProviderRequest', 'serviceProviderId=cli-sp'], env),
    hammer([...tcp(), '--format', 'json', 'GroupGetRequest', 'serviceProviderId=cli-sp', 'groupId=g2'], env),
  ]);
  expect(table?.code).toBe(0);
  const lines = table?.stdout.split('\n') ?? [];
  const header = lines.findIndex((l) => l.startsWith('Group Id'));
  expect(lines.slice(header, header + 4)).toEqual([
    'Group Id  Group Name        User Limit',
    '--------  ----------------  ----------',
    'g1        First             25',
    'g2        Second, "quoted"  8',
  ]);
  expect(csv?.code).toBe(0);
  expect(csv?.stdout.split(/\r?\n/)).toEqual(['Group Id,Group Name,User Limit', 'g1,First,25', 'g2,"Second, ""quoted""",8', '']);
  expect(JSON.parse(json?.stdout ?? '')).toMatchObject({ $type: 'GroupGetResponse22V5', userLimit: 8, groupName: 'Second, "quoted"' });
  for (const run of [g2, table, csv, json]) expect(`${run?.stdout}${run?.stderr}`).not.toContain('cli-Secret-1');
}, 60_000);

test('an ErrorResponse exits 1 with one line naming the code and the server message', async () => {
  const result = await hammer([...tcp(), 'UserGetRequest', 'userId=ghost@example.com'], { OCI_PASSWORD: 'cli-Secret-1' });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe('hammer: TH_ERR_OCI_ERROR_RESPONSE: [Error 4008] User not found: ghost@example.com\n');
}, 30_000);

test('bad input exits 1 with one clear line: no password, bad value, unknown command, wrong password', async () => {
  const [noPassword, badNumber, unknownCommand, wrongPassword] = await Promise.all([
    hammer([...tcp(), 'SystemSoftwareVersionGetRequest']),
    hammer([...tcp(), 'GroupAddRequest', 'userLimit=lots'], { OCI_PASSWORD: 'x' }),
    hammer([...tcp(), 'NoSuchThingRequest'], { OCI_PASSWORD: 'x' }),
    hammer([...tcp(), 'SystemSoftwareVersionGetRequest'], { OCI_PASSWORD: 'not-the-password' }),
  ]);
  expect(noPassword).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hammer: TH_ERR_OCI_SEND_ARGS: no password/) });
  expect(badNumber).toMatchObject({ code: 1, stderr: "hammer: TH_ERR_OCI_SEND_ARGS: 'userLimit' is a number, not 'lots'\n" });
  expect(unknownCommand).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hammer: TH_ERR_OCI_UNKNOWN_TYPE: .*NoSuchThingRequest/) });
  expect(wrongPassword).toMatchObject({ code: 1, stderr: 'hammer: TH_ERR_OCI_ERROR_RESPONSE: [Error 4962] Invalid password\n' });
  for (const r of [noPassword, badNumber, unknownCommand, wrongPassword]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
}, 60_000);

test('key=value fields are converted by the schema: booleans, numbers, dotted paths, repeated keys for lists', async () => {
  const schema = await OciSchema.load('R25');
  await schema.ensure('ServiceProviderAddRequest13mp2', 'UserAddRequest17sp4');
  const sp: Record<string, unknown> = { $type: 'ServiceProviderAddRequest13mp2' };
  for (const f of ['serviceProviderId=sp1', 'isEnterprise=true', 'address.city=Paris', 'address.zipOrPostalCode=75001'])
    assignField(schema, sp.$type as string, sp, f);
  expect(sp).toEqual({
    $type: 'ServiceProviderAddRequest13mp2',
    serviceProviderId: 'sp1',
    isEnterprise: true,
    address: { city: 'Paris', zipOrPostalCode: '75001' },
  });
  const user: Record<string, unknown> = { $type: 'UserAddRequest17sp4' };
  for (const f of ['alias=sip:a@example.com', 'alias=sip:b@example.com', 'userId=1234']) assignField(schema, 'UserAddRequest17sp4', user, f);
  expect(user).toEqual({ $type: 'UserAddRequest17sp4', alias: ['sip:a@example.com', 'sip:b@example.com'], userId: '1234' });
  expect(() => assignField(schema, 'ServiceProviderAddRequest13mp2', {}, 'isEnterprise=yes')).toThrow(
    expect.objectContaining({ code: 'TH_ERR_OCI_SEND_ARGS' }),
  );
  expect(() => assignField(schema, 'ServiceProviderAddRequest13mp2', {}, 'address=Paris')).toThrow(/structure/);
  expect(() => assignField(schema, 'ServiceProviderAddRequest13mp2', {}, 'nokey')).toThrow(/key=value/);
  expect(() => assignField(schema, 'UserAddRequest17sp4', {}, 'colour=blue')).toThrow("UserAddRequest17sp4 has no element 'colour' (in 'colour=blue')");
  expect(() => assignField(schema, 'ServiceProviderAddRequest13mp2', {}, 'serviceProviderId.x=1')).toThrow(/simple value/);
});

test('without --password or OCI_PASSWORD, a terminal gets a prompt that does not echo the password', async () => {
  // `script` (util-linux) runs the CLI on a pseudo-terminal, so stdin is a TTY.
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'this test needs the `script` program (util-linux; Debian package bsdutils: apt-get install bsdutils) to give the CLI a terminal; ' +
        `running \`script --version\` failed: ${probe.error?.message ?? probe.stderr}`,
    );
  }
  const commandLine = [process.execPath, join(projectRoot, 'bin/hammer.mjs'), 'oci', 'send', ...tcp(), 'SystemSoftwareVersionGetRequest']
    .map((a) => `'${a}'`)
    .join(' ');
  const child = spawn('script', ['-qec', commandLine, '/dev/null'], { env: { ...process.env, OCI_PASSWORD: undefined }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve, reject) => child.on('close', resolve).on('error', reject));
  const prompted = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      if (output.includes('Password: ')) resolve();
    });
    exited.then((code) => reject(new Error(`script exited with ${code} before the prompt; output: ${output}`)), reject);
  });
  await prompted;
  child.stdin.write('cli-Secret-1\r');
  expect(await exited).toBe(0);
  expect(output).toContain('SystemSoftwareVersionGetResponse');
  expect(output).not.toContain('cli-Secret-1');
}, 60_000);
