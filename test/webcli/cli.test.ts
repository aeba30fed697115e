// `hammer webcli …` as a user runs it: separate processes, a real home directory, the mock
// OCI-P server on loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOciMock, type OciMockServer } from '../../runtime/mock/index.js';
import { projectRoot } from '../../runtime/paths.js';

function hammer(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), ...args], {
      cwd: home,
      env: { ...process.env, THORS_WEBCLI_HOME: join(home, 'wc') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

let home: string;
let mock: OciMockServer;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'webcli-cli-'));
  mock = await startOciMock({ tcpPort: 0, seed: join(projectRoot, 'test/fixtures/mock/seed.json') });
});
afterAll(async () => {
  await mock.close();
  rmSync(home, { recursive: true, force: true });
});

test('init-db, create-user, user list/disable, db migrate', async () => {
  const init = await hammer(['webcli', 'init-db']);
  expect(init.stdout).toMatch(/applied 0001_initial/);
  expect(readFileSync(join(home, 'wc/keys/jwt.key'), 'utf8').length).toBeGreaterThan(40);
  expect((await hammer(['webcli', 'create-user', '--email', 'Ops@Example.com', '--password-stdin'], 'a long password\n')).stdout).toMatch(
    /created user 1 ops@example.com/,
  );
  const dup = await hammer(['webcli', 'create-user', '--email', 'ops@example.com', '--password-stdin'], 'a long password\n');
  expect(dup.code).toBe(1);
  expect(dup.stderr).toMatch(/TH_ERR_WEB_CONFLICT|exists/);
  expect((await hammer(['webcli', 'user', 'disable', 'ops@example.com'])).code).toBe(0);
  expect((await hammer(['webcli', 'user', 'list'])).stdout).toMatch(/ops@example.com\tdisabled/);
  expect((await hammer(['webcli', 'db', 'migrate'])).stdout).toMatch(/up to date/);
});

test('run: the same handler headless; a table prints as text, the CSV is written, the exit code is the status', async () => {
  const cfg = join(home, 'handlers.yaml');
  writeFileSync(cfg, `oci:\n  profiles:\n    lab: { url: '${mock.url('tcp')}', userId: admin, password: admin }\n`);
  const out = join(home, 'out');
  const ok = await hammer([
    'webcli',
    'run',
    '--handler-config',
    cfg,
    '--profile',
    'lab',
    '--out',
    out,
    '%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq',
  ]);
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/User Id\s+/);
  expect(ok.stdout).toMatch(/alice@acme\.example/);
  expect(readdirSync(out)).toContain('userTable.csv');
  const failed = await hammer(['webcli', 'run', '--handler-config', cfg, '%oci% UserGetRequest userId=nobody@acme.example']);
  expect(failed.code).toBe(1);
  expect(failed.stdout).toMatch(/^error: .*\[OCI-P \d+\]/m);
  const bad = await hammer(['webcli', 'run', '%oci% NoSuchRequest']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/NoSuchRequest/);
});
