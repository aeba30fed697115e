// One OCI-P connection for every hammer command that logs in (cli/connection.ts): the same flags,
// password rule and --ca handling in `oci send`, `bulk run` and `agent`, each with its own error
// code; and the one settings → client options mapping (runtime/oci/connection-settings.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientOptionsFor } from '../../runtime/oci/connection-settings.js';
import { projectRoot } from '../../runtime/paths.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'th-connection-'));
  writeFileSync(join(dir, 'rows.csv'), 'userId\nu1@example.com\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs hammer with stdin not a terminal (so no prompt) and OCI_PASSWORD as given. */
function hammer(args: string[], password?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, OCI_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Port 9 of loopback: nothing is ever sent, every case fails before connecting.
const server = ['--url', 'tcp://127.0.0.1:9', '--user', 'admin'];
const commands: { name: string; args: () => string[]; code: string; exit: number }[] = [
  { name: 'oci send', args: () => ['oci', 'send', 'UserGetRequest', 'userId=u1@example.com'], code: 'TH_ERR_OCI_SEND_ARGS', exit: 1 },
  { name: 'bulk run', args: () => ['bulk', 'run', join(dir, 'rows.csv'), '--request', 'UserDeleteRequest', '--apply'], code: 'TH_ERR_BULK_OPTIONS', exit: 2 },
  { name: 'agent', args: () => ['agent', 'audit-group', '--sp', 'sp1', '--group', 'g1'], code: 'TH_ERR_AGENT_OPTIONS', exit: 2 },
];

test('oci send, bulk run and agent: the same --ca and password errors, each with its own code', async () => {
  const missingCa = join(dir, 'missing-ca.pem');
  // Side by side: each process pays the TypeScript start-up once.
  const [withBadCa, withoutPassword] = await Promise.all([
    Promise.all(commands.map((c) => hammer([...c.args(), ...server, '--ca', missingCa], 'secret'))),
    Promise.all(commands.map((c) => hammer([...c.args(), ...server]))),
  ]);
  commands.forEach((c, i) => {
    expect({ command: c.name, ...withBadCa[i] }).toEqual({
      command: c.name,
      code: c.exit,
      stdout: '',
      stderr: expect.stringMatching(new RegExp(`^hammer: ${c.code}: cannot read --ca ${missingCa}: ENOENT`)),
    });
    expect({ command: c.name, ...withoutPassword[i] }).toEqual({
      command: c.name,
      code: c.exit,
      stdout: '',
      stderr: `hammer: ${c.code}: no password: give --password, set OCI_PASSWORD, or run in a terminal to be prompted\n`,
    });
  });
}, 120_000);

test('the three commands offer the same connection flags with the same help text', async () => {
  const helps = await Promise.all(commands.map((c) => hammer([...c.args().slice(0, 2), '--help'])));
  const connectionLines = (help: string) => {
    const flags = ['--url', '--user', '--password', '--release', '--login', '--insecure', '--ca', '--timeout', '--connect-timeout', '--allow-plain-password'];
    // yargs wraps a description over indented lines: keep each flag's block.
    const blocks = help.split(/\n(?= {2,}-)/).map((b) => (b.split(/\n\s*\n/)[0] as string).replace(/\s+/g, ' ').trim());
    return flags.map((f) => blocks.find((b) => b.startsWith(`${f} `)) ?? `${f} missing`);
  };
  const [send, bulk, agent] = helps.map((h) => connectionLines(h.stdout));
  expect(send?.filter((l) => l.endsWith('missing'))).toEqual([]);
  // --url and --user are required where a server always is (send, agent), optional for bulk's dry run.
  const withoutRequired = (lines: string[] | undefined) => lines?.map((l) => l.replace(' [required]', ''));
  expect(withoutRequired(bulk)).toEqual(withoutRequired(send));
  expect(agent).toEqual(send);
  expect(send?.[2]).toContain('$OCI_PASSWORD, else a no-echo prompt on a terminal');
}, 120_000);

test('clientOptionsFor maps the settings a person gives onto the client options', () => {
  expect(clientOptionsFor({ url: 'tls://127.0.0.1:2209', userId: 'admin', password: 'p', ca: 'PEM', insecure: false, requestTimeoutMs: 5 })).toEqual({
    url: 'tls://127.0.0.1:2209',
    userId: 'admin',
    password: 'p',
    release: undefined,
    login: 'auto',
    allowPlainPasswordOverInsecure: false,
    allowInsecureTls: false,
    tls: { ca: 'PEM' },
    requestTimeoutMs: 5,
    connectTimeoutMs: undefined,
  });
  expect(
    clientOptionsFor({ url: 'tcp://127.0.0.1:2208', userId: 'a', password: 'p', login: 'plain22V5', allowPlainPassword: true, insecure: true }),
  ).toMatchObject({
    login: 'plain22V5',
    allowPlainPasswordOverInsecure: true,
    allowInsecureTls: true,
    tls: undefined,
  });
});
