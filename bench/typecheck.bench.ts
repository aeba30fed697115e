// Type-checking cost of the typed OCI-P client, as a user of the installed package meets it.
//
// A 40-line program (send, call, sendBatch, reading a table) is checked by `tsc` in a fresh
// project that sees the package as installed (node_modules/thors-hammer → this checkout, whose
// `exports` point at the compiled `dist/` and its .d.ts files; strict, NodeNext, skipLibCheck).
// Four variants of the same program:
//   - typed:     `import { OciClient } from 'thors-hammer/oci/r25'` (the release entry);
//   - untyped:   `import { OciClient } from 'thors-hammer'` (the baseline: responses are `unknown`,
//                so tsc reports those reads; nothing else differs);
//   - 1 mistake: typed, with a wrong `$type` literal;
//   - 7 mistakes: typed, with a wrong `$type`, wrong field names in send/call/sendBatch, an
//                unknown family, a wrong value type and a missing required field.
// Each variant is checked BENCH_RUNS times (default 3) in its own `tsc` process; the median wall
// time of the process and tsc's own "Check time"/"Total time" (--extendedDiagnostics) are printed.
// Needs `dist/` (run `npm run build` first; the benchmark builds it when it is missing).
//
//   node --import tsx bench/typecheck.bench.ts      (or: npm run bench -- typecheck)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../runtime/paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const workDir = join(projectRoot, '.bench-tmp', 'typecheck');
const tscBin = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** The program; `MISTAKE_n` lines are replaced by a mistake in the variants that have one. */
const PROGRAM = `IMPORT

const client = new OciClient({ url: 'tcp://127.0.0.1:2208', userId: 'admin', password: 'secret' });

export async function main(): Promise<void> {
  await client.connect();
  const version = await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
  console.log(version.version.toUpperCase());

  const user = await client.call('UserGetRequest', { userId: 'john@example.com' });
  console.log(user.lastName, user.firstName, user.department?.name);

  await client.send({ $type: 'UserModifyRequest22', userId: 'john@example.com', title: null, lastName: 'Doe' });
  await client.call('GroupAddRequest', { serviceProviderId: 'sp1', groupId: 'g1', defaultDomain: 'example.com', userLimit: 100 });

  const groups = await client.call('GroupGetListInServiceProviderRequest', { serviceProviderId: 'sp1' });
  const heading: string[] = groups.groupTable.colHeading;
  for (const row of groups.groupTable.row) console.log(heading[0], row.col[0]);

  const users = await client.send({ $type: 'UserGetListInGroupRequest', serviceProviderId: 'sp1', GroupId: 'g1' });
  console.log(users.userTable.row.length);

  const results = await client.sendBatch([
    { $type: 'UserGetRequest23V2', userId: 'a@example.com' },
    { $type: 'GroupGetRequest22V5', serviceProviderId: 'sp1', groupId: 'g1' },
  ]);
  for (const r of results) if (r.ok) console.log(r.response.$type);

  const dn = await client.call('GroupDnGetListRequest', { serviceProviderId: 'sp1', groupId: 'g1' });
  console.log(dn.phoneNumber?.length);
  const sp = await client.call('ServiceProviderGetRequest', { serviceProviderId: 'sp1' });
  console.log(sp.serviceProviderName ?? sp.defaultDomain);
  MISTAKE_1
  MISTAKE_2
  MISTAKE_3
  MISTAKE_4
  MISTAKE_5
  MISTAKE_6
  MISTAKE_7
  await client.send({ $type: 'UserDeleteRequest', userId: 'john@example.com' });
  await client.close();
}
`;

const MISTAKES = [
  `await client.send({ $type: 'UserGetRequest23V3', userId: 'x@example.com' });`, // no such class in R25
  `await client.send({ $type: 'UserGetRequest23V2', userid: 'x@example.com' });`, // field spelled wrong
  `await client.call('GroupGetRequest', { serviceProviderId: 'sp1', groupid: 'g1' });`,
  `await client.call('GroupGetRequestX', { serviceProviderId: 'sp1' });`, // unknown family
  `await client.call('GroupModifyRequest', { serviceProviderId: 'sp1', groupId: 'g1', userLimit: '100' });`, // string for an int
  `await client.send({ $type: 'GroupGetRequest22V5', serviceProviderId: 'sp1' });`, // groupId missing
  `await client.sendBatch([{ $type: 'UserGetRequest23V2', userID: 'a@example.com' }]);`,
];

const TYPED_IMPORT = `import { OciClient } from 'thors-hammer/oci/r25';`;
const UNTYPED_IMPORT = `import { OciClient } from 'thors-hammer';`;

function program(importLine: string, mistakes: number): string {
  let text = PROGRAM.replace('IMPORT', importLine);
  for (let i = 1; i <= MISTAKES.length; i++) text = text.replace(`  MISTAKE_${i}\n`, i <= mistakes ? `  ${MISTAKES[i - 1]}\n` : '');
  return text;
}

interface Run {
  wall: number;
  /** CPU time of the tsc process (user + system): moves much less with other load on the host than wall time. */
  cpu: number;
  check: number;
  total: number;
  errors: number;
  lines: string[];
}

function check(file: string): Run {
  const config = `tsconfig.${file}.json`;
  writeFileSync(
    join(workDir, config),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
      files: [file],
    }),
  );
  const started = performance.now();
  const r = spawnSync(process.execPath, ['-r', './cpu-report.cjs', tscBin, '-p', config, '--extendedDiagnostics'], { cwd: workDir, encoding: 'utf8' });
  const wall = performance.now() - started;
  const out = r.stdout ?? '';
  const seconds = (label: string) => Number(new RegExp(`${label}:\\s+([\\d.]+)s`).exec(out)?.[1] ?? Number.NaN) * 1000;
  const lines = out.split('\n').filter((l) => / error TS\d+/.test(l));
  const cpu = Number(/cpu-ms (\d+)/.exec(r.stderr ?? '')?.[1] ?? Number.NaN);
  return { wall, cpu, check: seconds('Check time'), total: seconds('Total time'), errors: lines.length, lines };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  if (!existsSync(join(projectRoot, 'dist', 'generated', 'oci', 'R25', 'release.d.ts'))) {
    console.log('dist/ is missing: npm run build …');
    execFileSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  }
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(join(workDir, 'node_modules'), { recursive: true });
  symlinkSync(projectRoot, join(workDir, 'node_modules', 'thors-hammer'), 'dir');
  symlinkSync(join(projectRoot, 'node_modules', '@types'), join(workDir, 'node_modules', '@types'), 'dir');
  writeFileSync(join(workDir, 'package.json'), JSON.stringify({ name: 'typecheck-bench', private: true, type: 'module' }));
  // Preloaded into each tsc process: prints its CPU time on exit.
  writeFileSync(
    join(workDir, 'cpu-report.cjs'),
    "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('cpu-ms ' + Math.round((u.user + u.system) / 1000) + '\\n'); });\n",
  );

  const variants = [
    { name: 'typed (thors-hammer/oci/r25)', file: 'typed.ts', text: program(TYPED_IMPORT, 0) },
    { name: 'untyped (thors-hammer)', file: 'untyped.ts', text: program(UNTYPED_IMPORT, 0) },
    { name: 'typed, 1 mistake (wrong $type)', file: 'one-mistake.ts', text: program(TYPED_IMPORT, 1) },
    { name: 'typed, 7 mistakes', file: 'seven-mistakes.ts', text: program(TYPED_IMPORT, 7) },
  ];
  for (const v of variants) writeFileSync(join(workDir, v.file), v.text);
  console.log(`tsc ${RUNS}× per variant on a ${PROGRAM.split('\n').length}-line program (median; wall = the whole tsc process)`);

  const results = variants.map((v) => {
    check(v.file); // warm the file cache
    const runs = Array.from({ length: RUNS }, () => check(v.file));
    return {
      ...v,
      wall: median(runs.map((r) => r.wall)),
      cpu: median(runs.map((r) => r.cpu)),
      check: median(runs.map((r) => r.check)),
      total: median(runs.map((r) => r.total)),
      last: runs.at(-1)!,
    };
  });
  const s = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
  const [typed, untyped] = results as [(typeof results)[0], (typeof results)[0]];
  for (const r of results) {
    const ratio = (base: typeof r) => `${(r.wall / base.wall).toFixed(2)}× wall, ${(r.cpu / base.cpu).toFixed(2)}× CPU`;
    const vs = r === typed ? `  ${ratio(untyped)} of untyped` : r === untyped ? '' : `  ${ratio(typed)} of typed`;
    console.log(
      `  ${r.name.padEnd(32)} ${s(r.wall)} wall ${s(r.cpu)} CPU ${s(r.total)} tsc total ${s(r.check)} tsc check ${String(r.last.errors).padStart(2)} errors${vs}`,
    );
  }
  console.log(`  (load average at the end: ${loadavg()[0]!.toFixed(1)}; targets: typed ≤ 3 s and ≤ 1.5× untyped; a mistake ≤ 2× typed)`);
  const unexpected = [typed, ...results.slice(2)].find((r, i) => r.last.errors !== [0, 1, 7][i]);
  if (unexpected) {
    console.error(unexpected.last.lines.join('\n'));
    throw new Error(`${unexpected.name}: tsc reported ${unexpected.last.errors} errors`);
  }
  if (process.env.BENCH_VERBOSE) for (const r of results) console.log(`${r.name}:\n${r.last.lines.join('\n')}`);
  rmSync(workDir, { recursive: true, force: true });
}

main();
