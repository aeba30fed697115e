// `hammer oci send` as a user runs it: a separate CLI process against the mock server running
// in another process (also started through the CLI).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciClient } from '../../runtime/oci/client.js';
import { projectRoot } from '../../runtime/paths.js';
import { spawnMock, type SpawnedMock } from './helpers.js';

let mock: SpawnedMock;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'th-oci-send-'));
  mock = await spawnMock(['--tcp-port', '0', '--tls-port', '0', '--soap-port', '0', '--user', 'admin:cli-Secret-1']);
}, 60_000);

afterAll(async () => {
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function hammer(
  args: string[],
  env: Record<string, string | undefined> = {},
  stdin?: string,
  command: string[] = ['oci', 'send'],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), ...command, ...args], {
      cwd: projectRoot,
      env: { ...process.env, OCI_PASSWORD: undefined, ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
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
    hammer([...tcp(), '--format', 'json', 'GroupGetRequest@latest', 'serviceProviderId=cli-sp', 'groupId=g2'], env),
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
    hammer([...tcp(), 'GroupAddRequest', 'serviceProviderId=sp', 'groupId=g', 'defaultDomain=example.com', 'userLimit=lots'], { OCI_PASSWORD: 'x' }),
    hammer([...tcp(), 'NoSuchThingRequest'], { OCI_PASSWORD: 'x' }),
    hammer([...tcp(), 'SystemSoftwareVersionGetRequest'], { OCI_PASSWORD: 'not-the-password' }),
  ]);
  expect(noPassword).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hammer: TH_ERR_OCI_SEND_ARGS: no password/) });
  expect(badNumber).toMatchObject({
    code: 1,
    stderr: "hammer: TH_ERR_OCI_BUILD: GroupAddRequest: userLimit (userLimit=lots): 'userLimit' is an integer (xs:int), not 'lots'\n",
  });
  expect(unknownCommand).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hammer: TH_ERR_OCI_UNKNOWN_TYPE: .*NoSuchThingRequest/) });
  expect(wrongPassword).toMatchObject({ code: 1, stderr: 'hammer: TH_ERR_OCI_ERROR_RESPONSE: [Error 4962] Invalid password\n' });
  for (const r of [noPassword, badNumber, unknownCommand, wrongPassword]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
}, 60_000);

test('title:=null clears a field on the mock (xsi:nil); title=null would send the text "null"', async () => {
  const env = { OCI_PASSWORD: 'cli-Secret-1' };
  const user = ['serviceProviderId=nil-sp', 'groupId=nil-g', 'userId=nil@example.com', 'lastName=Doe', 'firstName=Jo', 'callingLineIdLastName=Doe'];
  expect(
    await hammer([...tcp(), 'ServiceProviderAddRequest13mp2', 'serviceProviderId=nil-sp', 'defaultDomain=example.com', 'isEnterprise=yes'], env),
  ).toMatchObject({
    code: 0,
  });
  expect(
    await hammer([...tcp(), 'GroupAddRequest', 'serviceProviderId=nil-sp', 'groupId=nil-g', 'defaultDomain=example.com', 'userLimit=5'], env),
  ).toMatchObject({ code: 0 });
  const added = await hammer([...tcp(), 'UserAddRequest@latest', ...user, 'callingLineIdFirstName=Jo', 'password=Secret123', 'title=Dr'], env);
  expect(added).toMatchObject({ code: 0, stdout: 'OK\n', stderr: '' });
  const title = async () => JSON.parse((await hammer([...tcp(), '--format', 'json', 'UserGetRequest', 'userId=nil@example.com'], env)).stdout).title;
  expect(await title()).toBe('Dr');
  expect(await hammer([...tcp(), 'UserModifyRequest@latest', 'userId=nil@example.com', 'title=null'], env)).toMatchObject({ code: 0 });
  expect(await title()).toBe('null');
  expect(await hammer([...tcp(), 'UserModifyRequest@latest', 'userId=nil@example.com', 'title:=null'], env)).toMatchObject({ code: 0, stdout: 'OK\n' });
  expect(await title()).toBeUndefined();
  // A list from raw JSON; --json - and --json=- both read the fields from stdin.
  expect(
    await hammer([...tcp(), 'UserModifyRequest@latest', 'userId=nil@example.com', 'sipAliasList.sipAlias:=["sip:a@example.com","sip:b@example.com"]'], env),
  ).toMatchObject({ code: 0 });
  for (const spelling of [['--json', '-'], ['--json=-']]) {
    const got = await hammer([...tcp(), '--format', 'raw', ...spelling, 'UserGetRequest'], env, '{"userId":"nil@example.com"}');
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ $type: 'UserGetResponse23V2', alias: ['sip:a@example.com', 'sip:b@example.com'] });
  }
}, 90_000);

test('--format json gives tables as records keyed by camelCase heading; --format raw keeps the wire shape', async () => {
  const env = { OCI_PASSWORD: 'cli-Secret-1' };
  const request = ['GroupGetListInServiceProviderRequest', 'serviceProviderId=cli-sp'];
  const [records, raw] = await Promise.all([hammer([...tcp(), '--format', 'json', ...request], env), hammer([...tcp(), '--format', 'raw', ...request], env)]);
  expect(JSON.parse(records.stdout).groupTable[0]).toMatchObject({ groupId: 'g1', groupName: 'First', userLimit: '25' });
  expect(JSON.parse(raw.stdout).groupTable).toMatchObject({
    colHeading: ['Group Id', 'Group Name', 'User Limit'],
    row: [{ col: ['g1', 'First', '25'] }, expect.anything()],
  });
}, 60_000);

test('names: a deprecated class gets a one-line notice; unknown names and fields get suggestions', async () => {
  const env = { OCI_PASSWORD: 'cli-Secret-1' };
  const [deprecated, typo, field] = await Promise.all([
    hammer([...tcp(), 'UserGetRequest22V5', 'userId=ghost@example.com'], env),
    hammer([...tcp(), 'UserGetRequst', 'userId=x'], env),
    hammer([...tcp(), 'UserGetListInGroupRequest', 'serviceProviderId=sp', 'groupId=g', 'responseSizeLimit=ten'], env),
  ]);
  expect(deprecated.stderr.split('\n')[0]).toBe(
    'hammer: note: UserGetRequest22V5 is deprecated in R25; its newest version is UserGetRequest23V2 (or write UserGetRequest@latest)',
  );
  expect(typo).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hammer: TH_ERR_OCI_UNKNOWN_TYPE: .*did you mean UserGetRequest\b.*\n$/) });
  expect(field.code).toBe(1);
  expect(field.stderr.split('\n')).toEqual([
    'hammer: TH_ERR_OCI_BUILD: UserGetListInGroupRequest: 3 problems',
    "  groupId (groupId=g): UserGetListInGroupRequest has no member 'groupId'; did you mean GroupId?",
    "  responseSizeLimit (responseSizeLimit=ten): 'responseSizeLimit' is an integer (xs:int), not 'ten'",
    '  GroupId: required',
    '',
  ]);
}, 60_000);

test('a usage mistake prints one line and where the help is; messages name the CLI flags', async () => {
  const [missing, unknownCommand, notJson, tls] = await Promise.all([
    hammer(['--user', 'admin', 'UserGetRequest']),
    hammer(['sendd'], {}, undefined, ['oci']),
    hammer([...tcp(), 'UserGetRequest', 'userId:=x'], { OCI_PASSWORD: 'x' }),
    hammer(['--url', `tls://127.0.0.1:${mock.ports.tls}`, '--user', 'admin', '--timeout', '5000', 'SystemSoftwareVersionGetRequest'], { OCI_PASSWORD: 'x' }),
  ]);
  expect(missing).toMatchObject({ code: 2, stderr: 'hammer: Missing required argument: url\nsee: hammer oci send --help\n' });
  expect(unknownCommand).toMatchObject({ code: 2, stderr: "hammer: unknown command 'sendd'; did you mean send?\nsee: hammer oci --help\n" });
  expect(notJson.stderr).toMatch(/^hammer: TH_ERR_OCI_FIELD_ARG: field 'userId:=x': the value after := is not JSON .*use key=value for text\n$/);
  // The mock's self-signed certificate: the message says --ca and --insecure, not tls.ca / allowInsecureTls.
  expect(tls.code).toBe(1);
  expect(tls.stderr).toContain('--ca FILE');
  expect(tls.stderr).toContain('--insecure');
  expect(tls.stderr).not.toMatch(/tls\.ca|allowInsecureTls/);
  expect(tls.stderr.trim().split('\n')).toHaveLength(1);
}, 60_000);

test('without --password or OCI_PASSWORD, a terminal gets a prompt that does not echo the password', async () => {
  // `script` (util-linux) runs the CLI on a pseudo-terminal, so stdin is a TTY.
  const commandLine = [process.execPath, join(projectRoot, 'bin/hammer.mjs'), 'oci', 'send', ...tcp(), 'SystemSoftwareVersionGetRequest']
    .map((a) => `'${a}'`)
    .join(' ');
  const child = spawn('script', ['-qec', commandLine, '/dev/null'], { env: { ...process.env, OCI_PASSWORD: undefined }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const prompted = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      if (output.includes('Password: ')) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await prompted;
  child.stdin.write('cli-Secret-1\r');
  expect(await exited).toBe(0);
  expect(output).toContain('SystemSoftwareVersionGetResponse');
  expect(output).not.toContain('cli-Secret-1');
}, 60_000);
