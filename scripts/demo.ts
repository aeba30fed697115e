// `npm start`: the Web CLI demo on this machine only. It generates the bindings when they are
// missing, starts the mock BroadWorks (OCI-P) and mock vBox servers, creates a fresh SQLite
// database in data/demo/ with a demo user (its password is printed once), points that user's
// %oci% and %vbox% configuration at the mocks, and serves the Web CLI on 127.0.0.1.
// Ctrl-C stops everything.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

function run(args: string[], what: string): void {
  say(`demo: ${what} …`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: ${what} failed (exit ${r.status})\n`);
    process.exit(1);
  }
}

if (!existsSync(join(root, 'generated', 'oci')) || !existsSync(join(root, 'generated', 'vbox'))) {
  run([join(root, 'bin', 'hammer.mjs'), 'generate', 'all', '--quiet'], 'generating the OCI-P and vBox bindings (first run only)');
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
if (!existsSync(join(root, 'web', 'page', 'dist', 'index.html')) && pkg.scripts?.['build:page']) {
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:page'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) say('demo: the page did not build; the API still works (see docs/webcli.md)');
}

const { startOciMock, startVboxMock } = await import('../runtime/mock/index.js');
const { createWebCli, loadConfig, prepareStorage, createService } = await import('../web/server/index.js');

/** The mock's demo seed when it has one (`seed: 'demo'`), else its default state. */
async function startOci() {
  try {
    return { mock: await startOciMock({ tcpPort: 0, seed: 'demo' }), seeded: true };
  } catch (error) {
    if ((error as { code?: string }).code !== 'TH_ERR_OCI_MOCK_SEED') throw error;
    return { mock: await startOciMock({ tcpPort: 0 }), seeded: false };
  }
}

const oci = await startOci();
const vbox = await startVboxMock({ port: 0, pushIntervalMs: 5000 });

const home = join(root, 'data', 'demo');
rmSync(home, { recursive: true, force: true });
const port = Number(process.env.THORS_WEBCLI_LISTEN_PORT ?? 8000);
let config = loadConfig({ home, listen: { host: '127.0.0.1', port } });
const { db } = await prepareStorage(config, true);
const email = 'demo@example.com';
const password = randomBytes(9).toString('base64url');
const setup = createService(config, db);
await setup.start();
const user = await setup.createUser(email, password);
await setup.configStore.set(user.id, 'oci', { defaultProfile: 'mock', profiles: { mock: { url: oci.mock.url('tcp'), userId: 'admin', password: 'admin' } } });
await setup.configStore.set(user.id, 'vbox', {
  defaultBox: 'mock',
  boxes: { mock: { host: '127.0.0.1', port: vbox.port, username: 'admin', password: 'admin' } },
});
const thread = await setup.store.createThread(user.id, 'Demo', 'Try the commands below; %help% lists them all.');
const examples = [
  '# Welcome to the thors-hammer Web CLI',
  '',
  'Type a command in the box below and press Ctrl+Enter. Some to try:',
  '',
  '- `%help%` and `%help% oci`',
  `- \`%oci% ${oci.seeded ? 'UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq' : 'ServiceProviderGetListRequest'}\` (a table and its CSV)`,
  '- `%oci% describe UserGetRequest`',
  '- `%vbox% status`, `%vbox% key 1/0 toggle`, `%vbox% watch --for 30s` (the mock presses a switch every 5 s)',
  '- `%md%` or `%html%` followed by a note on the next lines',
].join('\n');
await setup.submit({ id: user.id, email }, thread.id, `%md%\n${examples}`, 'Welcome');
await setup.idle();
await setup.stop();
await db.destroy();

let web: Awaited<ReturnType<typeof createWebCli>>;
try {
  web = await createWebCli(config);
  await web.listen();
} catch (error) {
  if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
  // Port taken: any free port (the public URL follows it).
  config = loadConfig({ home, listen: { host: '127.0.0.1', port: 0 } });
  web = await createWebCli(config);
  await web.listen();
}
const address = web.app.server.address() as { port: number };
const url = `http://127.0.0.1:${address.port}`;
if (config.listen.port === 0) {
  // The websocket checks the Origin against the public URL: give it the real port.
  await web.close();
  config = loadConfig({ home, listen: { host: '127.0.0.1', port: address.port } });
  web = await createWebCli(config);
  await web.listen();
}

say('');
say(`Web CLI demo: ${url}/`);
say(`  log in as ${email} with password ${password}   (printed only now; a new one on every start)`);
say(`  mock OCI-P server: ${oci.mock.url('tcp')} (admin/admin${oci.seeded ? ', demo seed' : ''}); mock vBox: 127.0.0.1:${vbox.port} (admin/admin)`);
say(`  data: ${home}`);
say('Ctrl-C stops everything.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  say('\ndemo: stopping …');
  await web.close();
  await Promise.all([oci.mock.close(), vbox.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
