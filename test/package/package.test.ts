// The npm package, for real: `npm pack` (which runs prepack = the full build) into a temp folder,
// the tarball installed into a fresh project, and that project using it the way a developer
// would: `import … from 'thors-hammer'` in an ESM script, a TypeScript check of the typed release
// entry (`thors-hammer/oci/r25`) against the shipped .d.ts, `npx hammer --help`, `hammer oci
// describe`/`diff` with no XSDs anywhere, `hammer mock oci` as a child process, and bindings
// generated after install, loaded from an ESM project and from a CommonJS (`npm init -y`) one. The install runs offline from the npm cache `npm ci` filled: the project gets a lock
// made of this repository's locked runtime dependencies (falls back to --prefer-offline).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOciReleases } from '../../codegen/oci/index.js';
import { projectRoot } from '../../runtime/paths.js';

const live = new Set<ChildProcess>();

/** The environment of the children: no npm lifecycle variables of an outer `npm test`, no launcher override. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') && key !== 'INIT_CWD' && key !== 'HAMMER_LAUNCH') env[key] = value;
  }
  return env;
}

/** Ends a child started by this file and, when it leads its own process group, that group. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: string[], options: { cwd: string; input?: string; timeoutMs: number }): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also ends what npm started (the build's tsc…).
    const child = spawn(command, args, { cwd: options.cwd, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => killGroup(child), options.timeoutMs);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin!.end(options.input ?? '');
  });
}

function expectOk(what: string, r: RunResult): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
}

let tmp = '';
let project = '';
let cjsProject = '';
let tarball = '';
let files: string[] = [];
const timings: Record<string, number> = {};

/** A lock for the consumer project: the tarball plus this repository's locked runtime (non-dev) packages. */
function consumerLock(tarballName: string, type: 'module' | 'commonjs'): { manifest: object; lock: object } {
  const own = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  const repoLock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const dependencies = { 'thors-hammer': `file:${tarballName}` };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies },
    'node_modules/thors-hammer': {
      version: own.version,
      resolved: `file:${tarballName}`,
      license: own.license,
      dependencies: own.dependencies,
      bin: own.bin,
      engines: own.engines,
    },
  };
  for (const [key, entry] of Object.entries(repoLock.packages)) {
    if (key !== '' && !entry.dev && !entry.devOptional) packages[key] = entry;
  }
  return {
    // `npm init -y` writes no "type": such a project is CommonJS.
    manifest: type === 'module' ? { name: 'consumer', private: true, type: 'module', dependencies } : { name: 'consumer', version: '1.0.0', dependencies },
    lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages },
  };
}

/** A fresh project in `tmp/<dir>` with the tarball installed offline (falls back to --prefer-offline). */
async function installProject(dir: string, tarballName: string, type: 'module' | 'commonjs'): Promise<string> {
  const root = join(tmp, dir);
  mkdirSync(root);
  const { manifest, lock } = consumerLock(tarballName, type);
  writeFileSync(join(root, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(root, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  const installArgs = ['install', '--no-audit', '--no-fund', '--ignore-scripts'];
  let install = await run('npm', [...installArgs, '--offline'], { cwd: root, timeoutMs: 120_000 });
  if (install.code !== 0) install = await run('npm', [...installArgs, '--prefer-offline'], { cwd: root, timeoutMs: 180_000 });
  expectOk(`npm install in ${dir} (offline, then prefer-offline)`, install);
  timings[`install ${dir}`] = install.ms;
  return root;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'thors-hammer-pack-'));
  const packDir = join(tmp, 'pack');
  mkdirSync(packDir);

  const pack = await run('npm', ['pack', '--pack-destination', packDir], { cwd: projectRoot, timeoutMs: 300_000 });
  expectOk('npm pack', pack);
  timings.pack = pack.ms;
  const name = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no tarball into ${packDir}`);
  tarball = join(packDir, name);

  const list = await run('tar', ['-tzf', tarball], { cwd: tmp, timeoutMs: 30_000 });
  expectOk('tar -tzf', list);
  files = list.stdout.split('\n').filter((line) => line !== '' && !line.endsWith('/'));

  project = await installProject('consumer', `../pack/${name}`, 'module');
  cjsProject = await installProject('cjs-consumer', `../pack/${name}`, 'commonjs');
}, 420_000);

afterAll(() => {
  for (const child of live) killGroup(child);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`package test timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
});

test('the tarball holds the compiled runtime, CLI, bindings and docs, and no XSDs, tests, sources or node_modules', () => {
  const has = (path: string) => files.includes(`package/${path}`);
  for (const path of [
    'package.json',
    'README.md',
    'bin/hammer.mjs',
    'dist/runtime/index.js',
    'dist/runtime/index.d.ts',
    'dist/runtime/oci/index.d.ts',
    'dist/runtime/vbox/index.d.ts',
    'dist/runtime/mock/index.d.ts',
    'dist/cli/main.js',
    'dist/codegen/oci/index.js',
    'dist/generated/vbox/index.js',
    'schemas/vbox/vtu.yaml',
    'schemas/vbox/vtu.schema.json',
    'schemas/oci/README.md',
    'docs/oci-client.md',
  ]) {
    expect({ path, present: has(path) }).toEqual({ path, present: true });
  }
  // The prebuilt bindings of every release the build found (R24 and R25 here), as JS and .d.ts.
  const releases = findOciReleases().map((r) => r.release);
  expect(releases.length).toBeGreaterThan(0);
  for (const release of releases) {
    expect(has(`dist/generated/oci/${release}/index.js`)).toBe(true);
    expect(has(`dist/generated/oci/${release}/index.d.ts`)).toBe(true);
    expect(has(`dist/generated/oci/${release}/release.js`)).toBe(true);
    expect(has(`dist/generated/oci/${release}/release.d.ts`)).toBe(true);
  }
  const bad = files.filter(
    (f) => /\.xsd$/i.test(f) || /(^|\/)test\//.test(f) || f.includes('node_modules/') || /\.tgz$/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
  );
  expect(bad).toEqual([]);
  expect(files.every((f) => f.startsWith('package/'))).toBe(true);
});

const smokeScript = `
import * as root from 'thors-hammer';
import { OciClient, OciSchema, encodeDocument, decodeDocument, VboxClient, createRequest, parseFrame, decodeRequest,
  isThorsHammerError, ThorsHammerError, OciError } from 'thors-hammer';
import * as oci from 'thors-hammer/oci';
import * as vbox from 'thors-hammer/vbox';
import * as mock from 'thors-hammer/mock';
const { startOciMock } = mock;

setTimeout(() => { console.error('smoke: timed out'); process.exit(3); }, 30000).unref();
const out = { resolved: import.meta.resolve('thors-hammer'), releases: OciSchema.releases() };

async function version(url) {
  const client = new OciClient({ url, userId: 'admin', password: 'admin' });
  await client.connect();
  try {
    return await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
  } finally {
    await client.close();
  }
}

const server = await startOciMock({ tcpPort: 0 });
try {
  out.inProcess = await version(server.url('tcp'));
} finally {
  await server.close();
}
if (process.argv[2]) out.cli = await version('tcp://127.0.0.1:' + process.argv[2]);

const schema = await OciSchema.load('R25');
await schema.ensure('UserGetRequest22V7', 'SystemSoftwareVersionGetResponse');
const xml = encodeDocument(schema, { sessionId: 's1', commands: [{ $type: 'UserGetRequest22V7', userId: 'john@example.com' }] });
out.ociRoundTrip = decodeDocument(schema, xml);

const toggle = createRequest('ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF' });
const bytes = toggle.toBuffer(0x79);
out.vboxHex = bytes.toString('hex');
out.vboxDecoded = decodeRequest(parseFrame(bytes));

try {
  await OciSchema.load('R99');
} catch (error) {
  out.error = { isThorsHammerError: isThorsHammerError(error), instance: error instanceof ThorsHammerError, code: error.code };
}
out.same = oci.OciClient === OciClient && vbox.VboxClient === VboxClient && typeof mock.startVboxMock === 'function'
  && typeof OciError === 'function' && typeof vbox.requests.ToggleKeyStatus === 'function';
// The root entry leaves the mock servers out (they live in thors-hammer/mock).
out.rootWithoutMocks = !('startOciMock' in root) && !('startVboxMock' in root) && typeof root.buildRequest === 'function';
console.log(JSON.stringify(out));
`;

const typeCheck = `
import { isThorsHammerError, VboxClient, createRequest, type OciTable } from 'thors-hammer';
import { OciClient, type UserGetResponse23V2, UserGetRequest23V2, index } from 'thors-hammer/oci/r25';
import { OciClient as R24Client } from 'thors-hammer/oci/r24';
import { startOciMock } from 'thors-hammer/mock';

const client = new OciClient({ url: 'tcp://127.0.0.1:1', userId: 'a', password: 'b' });
export async function version(): Promise<string> {
  const response = await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
  const user: UserGetResponse23V2 = await client.call('UserGetRequest', { userId: 'u@example.com' });
  const table: OciTable = (await client.call('GroupGetListInServiceProviderRequest', { serviceProviderId: 'sp' })).groupTable;
  const [first] = await client.sendBatch([{ $type: 'UserGetRequest23V2', userId: 'u@example.com' }]);
  if (first?.ok) console.log(first.response.lastName, user.firstName, table.row.length);
  return response.version;
}
// @ts-expect-error userId is required
void client.call('UserGetRequest', {});
// @ts-expect-error no such request type in R25
void client.send({ $type: 'UserGetRequest23V3', userId: 'u@example.com' });
// @ts-expect-error no such field
void client.send({ $type: 'SystemSoftwareVersionGetRequest', colour: 'blue' });
// @ts-expect-error UserGetRequest23V2 is new in R25: the R24 client does not know it
void new R24Client({ url: 'tcp://127.0.0.1:1', userId: 'a', password: 'b' }).send({ $type: 'UserGetRequest23V2', userId: 'u' });
export const used = [isThorsHammerError, VboxClient, createRequest, startOciMock, UserGetRequest23V2.kind, index.release];
`;

/** Starts `hammer mock oci` of the installed package and resolves with its TCP port once it prints the ready line. */
function startCliMock(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(project, 'node_modules', 'thors-hammer', 'bin', 'hammer.mjs'), 'mock', 'oci', '--tcp-port', '0'], {
      cwd: project,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`hammer mock oci printed no ready line in 20 s; stderr: ${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n')[0]!;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, port: (JSON.parse(line) as { tcp: number }).tcp });
      }
    });
    child.on('exit', (code) => {
      live.delete(child);
      clearTimeout(timer);
      reject(new Error(`hammer mock oci exited ${code}; stderr: ${stderr}`));
    });
  });
}

test('an ESM script imports from thors-hammer: OCI mock + client over TCP, OCI codec, vBox codec, errors', async () => {
  writeFileSync(join(project, 'smoke.mjs'), smokeScript);
  const cliMock = await startCliMock();
  let smoke: RunResult;
  try {
    smoke = await run(process.execPath, ['smoke.mjs', String(cliMock.port)], { cwd: project, timeoutMs: 60_000 });
  } finally {
    cliMock.child.kill('SIGTERM');
  }
  expectOk('node smoke.mjs', smoke);
  timings.smoke = smoke.ms;
  const out = JSON.parse(smoke.stdout.trim().split('\n').pop()!);

  // The compiled package is what ran, with the bindings shipped in it.
  expect(out.resolved).toMatch(/\/node_modules\/thors-hammer\/dist\/runtime\/index\.js$/);
  expect(out.releases).toEqual(findOciReleases().map((r) => r.release));
  for (const answer of [out.inProcess, out.cli]) {
    expect(answer).toMatchObject({ $type: 'SystemSoftwareVersionGetResponse', version: expect.stringMatching(/^\d+\.\d+_/) });
  }
  expect(out.ociRoundTrip).toEqual({ protocol: 'OCI', sessionId: 's1', commands: [{ $type: 'UserGetRequest22V7', userId: 'john@example.com' }] });
  expect(out.vboxHex).toBe('5654553e280008790102460000002f');
  expect(out.vboxDecoded).toMatchObject({ name: 'ToggleKeyStatus', fields: { nodeId: 1, keyId: 2 } });
  expect(out.error).toEqual({ isThorsHammerError: true, instance: true, code: 'TH_ERR_OCI_NO_RELEASE' });
  expect(out.same).toBe(true);
  expect(out.rootWithoutMocks).toBe(true);
}, 90_000);

/** The consumer's tsconfig: strict, NodeNext (ESM or CommonJS by the project's package.json). */
const consumerTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    typeRoots: [join(projectRoot, 'node_modules', '@types')],
    types: ['node'],
  },
};

test('the release entries thors-hammer/oci/r24 and r25 export typed clients (tsc against the installed package)', async () => {
  writeFileSync(join(project, 'check.ts'), typeCheck);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...consumerTsconfig, files: ['check.ts'] }));
  const tsc = await run(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: project, timeoutMs: 120_000 });
  timings.tsc = tsc.ms;
  expectOk('tsc', tsc);
}, 150_000);

test('npx hammer --help exits 0; oci describe and oci diff work from the shipped bindings, with no XSDs anywhere', async () => {
  const help = await run('npx', ['hammer', '--help'], { cwd: project, timeoutMs: 60_000 });
  expectOk('npx hammer --help', help);
  expect(help.stdout).toContain('hammer generate');
  expect(help.stdout).toContain('hammer mock');
  // The CommonJS consumer is version 1.0.0: hammer names its own version, not the host project's.
  const version = await run('npx', ['hammer', '--version'], { cwd: cjsProject, timeoutMs: 60_000 });
  expectOk('npx hammer --version', version);
  expect(version.stdout).toBe(`${(JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  // The installed package holds no XSDs, and its schema folders do not exist.
  expect(files.filter((f) => /\.xsd$/i.test(f))).toEqual([]);

  const source = (args: string[], schemas: string[]) =>
    run(process.execPath, [join(projectRoot, 'bin', 'hammer.mjs'), ...args, ...schemas], { cwd: projectRoot, timeoutMs: 120_000 });
  const xsd = (release: string) => findOciReleases().find((r) => r.release === release)!.schemasDir;
  const [describe, diff, describeXsd, diffXsd] = await Promise.all([
    run('npx', ['hammer', 'oci', 'describe', 'UserModifyRequest22', '--release', 'R24'], { cwd: project, timeoutMs: 120_000 }),
    run('npx', ['hammer', 'oci', 'diff', 'R24', 'R25', '--json'], { cwd: project, timeoutMs: 120_000 }),
    source(['oci', 'describe', 'UserModifyRequest22', '--release', 'R24'], ['--schemas', xsd('R24')]),
    source(['oci', 'diff', 'R24', 'R25', '--json'], ['--schemas', xsd('R24'), xsd('R25')]),
  ]);
  for (const [what, r] of [
    ['describe', describe],
    ['diff', diff],
    ['describe --schemas', describeXsd],
    ['diff --schemas', diffXsd],
  ] as const)
    expectOk(what, r);
  expect(describe.stdout).toContain('endpoint  (anonymous)  optional  nillable');
  expect(describe.stdout).toBe(describeXsd.stdout);
  expect(JSON.parse(diff.stdout)).toEqual(JSON.parse(diffXsd.stdout));
  expect(JSON.parse(diff.stdout)).toMatchObject({ from: 'R24', to: 'R25', requestsAdded: expect.arrayContaining(['UserGetRequest23V2']) });
}, 240_000);

/** A script that loads bindings generated into ./bindings (release R99) and sends through their typed entry to a mock. */
const generatedUse = (esm: boolean) => `${esm ? '' : '(async () => {\n'}
const { OciSchema, encodeDocument } = await import('thors-hammer');
const { startOciMock } = await import('thors-hammer/mock');
const dir = ${esm ? "new URL('./bindings', import.meta.url).pathname" : "require('node:path').join(__dirname, 'bindings')"};
const schema = await OciSchema.load('R99', { generatedDir: dir });
await schema.ensure('SystemSoftwareVersionGetRequest');
const xml = encodeDocument(schema, { sessionId: 'r', commands: [{ $type: 'SystemSoftwareVersionGetRequest' }] });
const entry = await import('./bindings/oci/R99/release.mjs');
const mock = await startOciMock({ tcpPort: 0 });
try {
  const client = new entry.OciClient({ url: mock.url('tcp'), userId: 'admin', password: 'admin' });
  const reply = await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
  await client.close();
  console.log(JSON.stringify({ xml, reply, release: entry.RELEASE, descriptor: entry.UserGetRequest23V2.name, schemaRelease: (await entry.releaseSchema()).release }));
} finally {
  await mock.close();
}
${esm ? '' : '})().catch((error) => { console.error(error); process.exit(1); });\n'}`;

/** Uses the generated R99 entry through `import()` (the form a CommonJS module can use too); tsc checks the types. */
const generatedTypeCheck = `
export async function main(): Promise<string> {
  const { OciClient } = await import('./bindings/oci/R99/release.mjs');
  const client = new OciClient({ url: 'tcp://127.0.0.1:1', userId: 'a', password: 'b' });
  const reply = await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
  // @ts-expect-error no such field in SystemSoftwareVersionGetRequest
  await client.send({ $type: 'SystemSoftwareVersionGetRequest', colour: 'blue' });
  return reply.version;
}
`;

test('bindings generated after install (ES modules + declarations) load in a CommonJS and in an ESM project, without tsx', async () => {
  const [latest] = findOciReleases().slice(-1);
  for (const [root, script] of [
    [project, 'generated.mjs'],
    [cjsProject, 'generated.js'],
  ] as const) {
    const generate = await run(
      'npx',
      ['hammer', 'generate', 'oci', '--release', 'R99', '--schemas', latest!.schemasDir, '--out', join(root, 'bindings', 'oci', 'R99'), '--quiet'],
      { cwd: root, timeoutMs: 180_000 },
    );
    expectOk(`npx hammer generate oci --release R99 in ${root}`, generate);
    expect(generate.stdout).toContain('OCI-P R99:');
    const written = readdirSync(join(root, 'bindings', 'oci', 'R99'));
    expect(written).toEqual(expect.arrayContaining(['index.mjs', 'index.d.mts', 'release.mjs', 'release.d.mts', 'oci-schema-user.mjs']));
    expect(written.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.mts'))).toEqual([]);

    writeFileSync(join(root, script), generatedUse(script.endsWith('.mjs')));
    const used = await run(process.execPath, [script], { cwd: root, timeoutMs: 60_000 });
    expectOk(`node ${script}`, used);
    expect(used.stderr).toBe('');
    const out = JSON.parse(used.stdout.trim().split('\n').pop()!);
    expect(out.xml).toContain('xsi:type="SystemSoftwareVersionGetRequest"');
    expect(out.reply).toMatchObject({ $type: 'SystemSoftwareVersionGetResponse', version: expect.stringMatching(/^\d+\.\d+_/) });
    expect(out).toMatchObject({ release: 'R99', descriptor: 'UserGetRequest23V2', schemaRelease: 'R99' });

    // Their declarations type the client, from CommonJS TypeScript as from ESM TypeScript.
    writeFileSync(join(root, 'check-generated.ts'), generatedTypeCheck);
    writeFileSync(join(root, 'tsconfig.generated.json'), JSON.stringify({ ...consumerTsconfig, files: ['check-generated.ts'] }));
    const tsc = await run(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.generated.json'], {
      cwd: root,
      timeoutMs: 120_000,
    });
    expectOk(`tsc over the generated declarations in ${root}`, tsc);
  }
  // The CommonJS project is what `npm init -y` makes. The bindings are .mjs: Node loads them as
  // ES modules there too, and OciSchema.load only reaches for tsx with a TypeScript index.
  const cjsType = JSON.parse(readFileSync(join(cjsProject, 'package.json'), 'utf8')) as { type?: string };
  expect(cjsType.type).toBeUndefined();
}, 420_000);
