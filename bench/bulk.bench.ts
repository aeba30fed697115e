// Bulk engine throughput and memory. The mock runs in its own process (`hammer mock oci`).
// 1. 10,000 UserAddRequest17sp4 rows from a CSV with the journal on, through the pool and
//    15-command documents, beside the same rows sent one command per document, one after
//    another (mercury-ocip's way), in the same run: on plain loopback, then with the mock holding
//    each response document 1 ms (`--latency`, a LAN round trip; `--latency 0` skips that pass).
// 2. Peak RSS of a 1,000,000-row dry run (CSV streamed), measured in a child process of its own.
// 3. The same for a 200,000-row XLSX workbook (streamed too; text as shared strings, as Excel
//    stores it), written by exceljs's streaming writer.
//
//   npm run bench -- bulk          (or: node --import tsx bench/bulk.bench.ts [--rows 10000] [--warmup-rows =rows] [--dry-rows 1000000] [--xlsx-rows 200000] [--sessions 4] [--latency 1] [--pool-repeats 0])
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { RowMapper, loadPresets, readCsvFile, runBulk } from '../agents/bulk/index.js';
import { OciClient, type OciClientOptions } from '../runtime/oci/client.js';
import { OciSchema } from '../runtime/oci/schema.js';
import { projectRoot } from '../runtime/paths.js';
import { processCpuSeconds, speedUpCeiling } from './process-cpu.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROWS = arg('--rows', 10_000);
const DRY_ROWS = arg('--dry-rows', 1_000_000);
/** Rows of the XLSX dry run (`--xlsx-rows 0` skips it). */
const XLSX_ROWS = arg('--xlsx-rows', 200_000);
const SESSIONS = arg('--sessions', 4);
/** A second pass with this much added per response document (`--latency 0`: loopback only). */
const LATENCY = arg('--latency', 1);
/**
 * Rows each way runs before either is measured. With 1,000 the JIT was still compiling during the
 * first measured run (the pool's): its client CPU per row fell from 47 to 26-31 µs and the mock's
 * from 31 to 15 µs once each way had first run as many rows as it is measured on.
 */
const WARMUP_ROWS = arg('--warmup-rows', ROWS);
/**
 * `--pool-repeats N`: after the comparison, N more pooled runs in the same process, each on a fresh
 * file, with their client CPU per row: how much a new run still pays the JIT compared with the first.
 */
const POOL_REPEATS = arg('--pool-repeats', 0);
/** `--mock-cpu-prof DIR`: the mock writes a V8 CPU profile there (profile the client with `node --cpu-prof`). */
const mockProfileDir = process.argv.includes('--mock-cpu-prof') ? process.argv[process.argv.indexOf('--mock-cpu-prof') + 1] : undefined;
const mockNodeArgs = mockProfileDir ? ['--cpu-prof', '--cpu-prof-dir', mockProfileDir] : [];
const USER = 'bench';
const PASSWORD = 'bench-Pa55';
const SP = 'bench-sp';
const HEADER = 'serviceProviderId,groupId,userId,lastName,firstName,callingLineIdLastName,callingLineIdFirstName,password,address.city\n';

/** The user row `i` of `writeUsers`, as cells. */
function userCells(group: string, tag: string, i: number): string[] {
  return [SP, group, `${tag}-${i}@bench.example`, `Last${i}`, `First${i}`, `Last${i}`, `First${i}`, `Pw-${i}-secret`, 'Paris'];
}

/** The rows of `writeUsers` as an XLSX workbook, through exceljs's streaming writer (each row is written out as it is added). */
async function writeUsersXlsx(path: string, group: string, tag: string, rows: number): Promise<void> {
  const ExcelJS = (await import('exceljs')).default;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const sheet = workbook.addWorksheet('users');
  sheet.addRow(HEADER.trim().split(',')).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(userCells(group, tag, i)).commit();
  sheet.commit();
  await workbook.commit();
}

/** Writes `rows` user rows for `group`, in 1 MB writes (the 1M-row file is never held in memory). */
function writeUsers(path: string, group: string, tag: string, rows: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, HEADER);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${userCells(group, tag, i).join(',')}\n`;
    if (chunk.length > 1_000_000) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'th-bulk-bench-'));
  await applyPass(dir, 0);
  if (LATENCY > 0) await applyPass(dir, LATENCY);

  // The dry runs in a fresh process each, so their peak RSS is their own.
  const big = join(dir, 'big.csv');
  writeUsers(big, 'pooled', 'd', DRY_ROWS);
  const csv = dryRun(big);
  console.log(
    `bulk dry run (${csv.build}): ${csv.rows.toLocaleString('en')} rows (${(statSync(big).size / 1e6).toFixed(0)} MB CSV, journal on): ${csv.valid.toLocaleString('en')} valid in ${(csv.ms / 1000).toFixed(1)} s (${Math.round((csv.rows / csv.ms) * 1000).toLocaleString('en')} rows/s), peak RSS ${csv.maxRssMb} MB (target <= 250 MB)`,
  );
  if (XLSX_ROWS > 0) {
    const workbook = join(dir, 'big.xlsx');
    await writeUsersXlsx(workbook, 'pooled', 'x', XLSX_ROWS);
    const xlsx = dryRun(workbook);
    console.log(
      `bulk dry run (${xlsx.build}): ${xlsx.rows.toLocaleString('en')} rows (${(statSync(workbook).size / 1e6).toFixed(0)} MB XLSX, shared strings, journal on): ${xlsx.valid.toLocaleString('en')} valid in ${(xlsx.ms / 1000).toFixed(1)} s (${Math.round((xlsx.rows / xlsx.ms) * 1000).toLocaleString('en')} rows/s; the time includes the pass that counts the rows), peak RSS ${xlsx.maxRssMb} MB (target <= 250 MB)`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * One comparison against a fresh mock: the pool with 15-command documents beside one command per
 * document, one after another. `latencyMs` > 0 starts the mock with `--latency`, which holds every
 * response document that long: a LAN round trip, since real servers are not on loopback.
 */
async function applyPass(dir: string, latencyMs: number): Promise<void> {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const seed = join(dir, 'seed.json');
  const groups = ['pooled', 'sequential', 'warmup'].map((g) => ({ groupId: g, defaultDomain: 'bench.example', userLimit: 999_999 }));
  writeFileSync(seed, JSON.stringify({ serviceProviders: [{ serviceProviderId: SP, defaultDomain: 'bench.example', groups }] }));
  const mock = await startMock(seed, latencyMs);
  try {
    const schema = await OciSchema.load(mock.release);
    const connection = { url: `tcp://127.0.0.1:${mock.tcp}`, userId: USER, password: PASSWORD };
    const files = {
      pooled: join(dir, 'pooled.csv'),
      sequential: join(dir, 'sequential.csv'),
      warmupPooled: join(dir, 'warmup-pooled.csv'),
      warmupSequential: join(dir, 'warmup-sequential.csv'),
    };
    writeUsers(files.warmupPooled, 'warmup', 'wp', WARMUP_ROWS);
    writeUsers(files.warmupSequential, 'warmup', 'ws', WARMUP_ROWS);
    writeUsers(files.pooled, 'pooled', 'p', ROWS);
    writeUsers(files.sequential, 'sequential', 's', ROWS);
    // Both ways warm up (JIT, sessions, the mock's code paths) before either is measured.
    await runBulk({
      input: files.warmupPooled,
      request: 'UserAddRequest17sp4',
      apply: true,
      connection,
      schema,
      sessions: SESSIONS,
      journal: join(dir, 'warmup.jsonl'),
    });
    await oneByOne(files.warmupSequential, schema, connection);

    const measured = async (run: () => Promise<{ ok: number; ms: number }>) => {
      const client0 = process.cpuUsage();
      const server0 = processCpuSeconds(mock.pid);
      const summary = await run();
      const client = process.cpuUsage(client0);
      return { summary, clientUs: (client.user + client.system) / ROWS, serverUs: ((processCpuSeconds(mock.pid) - server0) * 1e6) / ROWS };
    };
    const pooledRun = await measured(async () => {
      const s = await runBulk({
        input: files.pooled,
        request: 'UserAddRequest17sp4',
        apply: true,
        connection,
        schema,
        sessions: SESSIONS,
        journal: join(dir, 'pooled.jsonl'),
      });
      return { ok: s.counts.ok, ms: s.ms };
    });
    // mercury-ocip's way: build a row, send it alone, wait for the answer, then the next row.
    const sequentialRun = await measured(() => oneByOne(files.sequential, schema, connection));
    const pooled = pooledRun.summary;
    const sequential = sequentialRun.summary;
    for (const [name, s] of [
      ['pooled', pooled],
      ['sequential', sequential],
    ] as const) {
      if (s.ok !== ROWS) throw new Error(`${name}: ${s.ok} of ${ROWS} rows ok`);
    }
    const rate = (s: { ms: number }) => Math.round((ROWS / s.ms) * 1000);
    console.log(
      `bulk apply: ${ROWS} UserAddRequest17sp4 rows from CSV to the mock (own process), journal on, ${latencyMs > 0 ? `mock --latency ${latencyMs} (a LAN round trip per document)` : 'loopback, no added latency'}; ${availableParallelism()} CPUs, load ${load}`,
    );
    const cpu = (r: typeof pooledRun) => `CPU per row: client ${r.clientUs.toFixed(0)} µs, mock ${r.serverUs.toFixed(0)} µs`;
    console.log(
      `  pool of ${SESSIONS} sessions, 15 per document: ${rate(pooled).toLocaleString('en')} rows/s (${(pooled.ms / 1000).toFixed(2)} s; ${cpu(pooledRun)})`,
    );
    console.log(
      `  one command per document, one after another: ${rate(sequential).toLocaleString('en')} rows/s (${(sequential.ms / 1000).toFixed(2)} s; ${cpu(sequentialRun)})`,
    );
    console.log(`  speed-up: ${(rate(pooled) / rate(sequential)).toFixed(1)}x   targets: >= 5,000 rows/s, >= 5x`);
    console.log(`  ${speedUpCeiling(sequential.ms, ((pooledRun.clientUs + pooledRun.serverUs) * ROWS) / 1000, ROWS, 'row', availableParallelism())}`);
    const repeats: string[] = [];
    for (let k = 1; k <= POOL_REPEATS; k++) {
      const file = join(dir, `pooled-again-${k}.csv`);
      writeUsers(file, 'pooled', `p${k}-`, ROWS);
      const again = await measured(async () => {
        const s = await runBulk({ input: file, request: 'UserAddRequest17sp4', apply: true, connection, schema, sessions: SESSIONS, journal: `${file}.jsonl` });
        return { ok: s.counts.ok, ms: s.ms };
      });
      if (again.summary.ok !== ROWS) throw new Error(`pooled run ${k + 1}: ${again.summary.ok} of ${ROWS} rows ok`);
      repeats.push(`${again.clientUs.toFixed(0)} µs`);
    }
    if (repeats.length > 0) console.log(`  the pool again, ${repeats.length} more runs: client CPU per row ${repeats.join(', ')}`);
  } finally {
    await mock.stop();
  }
}

/**
 * The baseline: one OciClient, one command per document, each row built then sent after the
 * previous answer. Rows are validated (and encoded) when built, and the client skips the second
 * check and sends the encoded command, as the pool's sessions do: both ways do the same work
 * per row and differ only in how they send.
 */
async function oneByOne(file: string, schema: OciSchema, connection: OciClientOptions): Promise<{ ok: number; ms: number }> {
  const started = performance.now();
  const client = new OciClient({ ...connection, schema, validate: false });
  let mapper: RowMapper | undefined;
  let ok = 0;
  for await (const record of readCsvFile(file)) {
    if (!mapper) {
      mapper = new RowMapper(record.cells, { schema, request: 'UserAddRequest17sp4', presets: loadPresets() });
      continue;
    }
    const row = await mapper.prepare(record);
    if (!row.command) continue;
    // What the pool's sessions send: the row's command as the request plan encoded it.
    const [result] = await client.sendEncoded([row.encoded ?? row.command]);
    if (result?.ok) ok++;
  }
  await client.close();
  return { ok, ms: performance.now() - started };
}

/**
 * A dry run of `file` in a child process: from the compiled build when there is one (what an
 * installed package runs), else from source through tsx (what `hammer` runs in a checkout), whose
 * on-the-fly compile of the generated bindings costs some memory too.
 */
function dryRun(file: string): { rows: number; valid: number; ms: number; maxRssMb: number; build: string } {
  const compiled = join(projectRoot, 'dist/agents/index.js');
  const childArgs = existsSync(compiled)
    ? ['--input-type=module', '-e', dryRunScript(pathToFileURL(compiled).href), file]
    : ['--import', 'tsx', '--input-type=module', '-e', dryRunScript(pathToFileURL(join(projectRoot, 'agents/index.ts')).href), file];
  const child = spawnSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`dry-run child failed with ${child.status}`);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as { rows: number; valid: number; ms: number; maxRssMb: number };
  return { ...result, build: existsSync(compiled) ? 'compiled build, dist/' : 'from source through tsx; `npm run build` first for the compiled figure' };
}

/** The dry-run child: a script for `node -e` that runs the engine from `moduleUrl` on the file in argv[1]. */
function dryRunScript(moduleUrl: string): string {
  return [
    `const { runBulk } = await import(${JSON.stringify(moduleUrl)});`,
    'const file = process.argv[1];',
    "const s = await runBulk({ input: file, request: 'UserAddRequest17sp4', journal: file + '.journal.jsonl' });",
    'console.log(JSON.stringify({ rows: s.total, valid: s.counts.valid, ms: s.ms, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));',
  ].join('\n');
}

interface MockProcess {
  pid: number;
  tcp: number;
  release: string;
  stop(): Promise<void>;
}

/** Starts `hammer mock oci` in its own process and reads its ready line. */
function startMock(seed: string, latencyMs: number): Promise<MockProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...mockNodeArgs,
      join(projectRoot, 'bin/hammer.mjs'),
      'mock',
      'oci',
      '--tcp-port',
      '0',
      '--user',
      `${USER}:${PASSWORD}`,
      '--seed',
      seed,
      '--latency',
      String(latencyMs),
    ],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.once('exit', (code) => reject(new Error(`mock exited with ${code}: ${stderr}`)));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      const ready = JSON.parse(stdout.slice(0, newline)) as { tcp: number; release: string };
      resolve({
        pid: child.pid as number,
        tcp: ready.tcp,
        release: ready.release,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

await main();
