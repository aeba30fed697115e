// OCI-P generator benchmark on the R25 XSD set (143 files, 9.2 MB):
//   - baseline: reading every XSD and parsing it with fast-xml-parser (preserveOrder), nothing else;
//   - ours: the full generation (read, validate, model, emit, write) into .bench-tmp/;
//   - the strict `tsc --noEmit` check of that output (plus runtime/oci/meta.ts), through the compiler API.
// Each figure is the median of several runs in this process, as wall time and as CPU time.
//
//   node --import tsx bench/oci-generate.bench.ts      (or: npm run bench -- oci-generate)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import ts from 'typescript';
import { defaultSchemasDir, generateOciRelease } from '../codegen/oci/index.js';
import { projectRoot } from '../runtime/paths.js';

const RELEASE = process.env.BENCH_RELEASE ?? 'R25';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const schemasDir = defaultSchemasDir(RELEASE);
const workDir = join(projectRoot, '.bench-tmp', 'oci-generate');
const outDir = join(workDir, RELEASE);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function xsdFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? xsdFiles(join(dir, e.name)) : e.name.endsWith('.xsd') ? [join(dir, e.name)] : [],
  );
}

function baselineParse(): number {
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: false });
  const started = performance.now();
  for (const file of xsdFiles(schemasDir)) parser.parse(readFileSync(file, 'utf8'));
  return performance.now() - started;
}

/** CPU milliseconds (user + system) of this process so far: a figure that other load on the host barely moves. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** `tsc --noEmit` over the output, in process through the compiler API (same options as the CLI would use). */
function tscCheck(): { ms: number; cpu: number; ok: boolean; output: string } {
  const config = join(workDir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, types: ['node'] }, // release.ts brings in the runtime client, which uses Node's types
      include: [`${RELEASE}/**/*.ts`, '../../runtime/oci/meta.ts'],
    }),
  );
  const started = performance.now();
  const cpuStarted = cpuMs();
  const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error(`cannot read ${config}`);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const output = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => projectRoot, getNewLine: () => '\n' });
  return { ms: performance.now() - started, cpu: cpuMs() - cpuStarted, ok: diagnostics.length === 0, output };
}

async function main(): Promise<void> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  console.log(`OCI-P generator, release ${RELEASE} (${schemasDir}), median of ${RUNS} runs`);

  baselineParse(); // warm-up
  const parseRuns = Array.from({ length: RUNS }, () => {
    const cpuStarted = cpuMs();
    return { ms: baselineParse(), cpu: cpuMs() - cpuStarted };
  });
  const parse = median(parseRuns.map((r) => r.ms));
  const parseCpu = median(parseRuns.map((r) => r.cpu));

  await generateOciRelease({ release: RELEASE, outDir }); // warm-up (writes everything)
  const generation: number[] = [];
  const generationCpu: number[] = [];
  let report = await generateOciRelease({ release: RELEASE, outDir });
  for (let i = 0; i < RUNS; i++) {
    rmSync(outDir, { recursive: true, force: true }); // measure full writes, not the unchanged-file shortcut
    const started = performance.now();
    const cpuStarted = cpuMs();
    report = await generateOciRelease({ release: RELEASE, outDir });
    generation.push(performance.now() - started);
    generationCpu.push(cpuMs() - cpuStarted);
  }
  const gen = median(generation);
  const genCpu = median(generationCpu);
  const rssBeforeTsc = process.resourceUsage().maxRSS / 1024;
  const bytes = readdirSync(outDir).reduce((sum, f) => sum + readFileSync(join(outDir, f)).length, 0);

  const tscRuns = Number(process.env.BENCH_TSC_RUNS ?? 1);
  const checks = Array.from({ length: tscRuns }, tscCheck);
  const failed = checks.find((c) => !c.ok);
  if (failed) {
    console.error(failed.output);
    throw new Error('tsc reported errors in the generated output');
  }
  const tsc = median(checks.map((c) => c.ms));
  const tscCpu = median(checks.map((c) => c.cpu));

  const s = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
  const row = (label: string, ms: number, cpu: number, note = '') => console.log(`  ${label.padEnd(60)} ${s(ms)} wall ${s(cpu)} CPU${note}`);
  console.log(`  (load average at the end: ${loadavg()[0]!.toFixed(1)} on this host; CPU time is the load-independent figure)`);
  row('baseline: read + parse XSDs (fast-xml-parser only)', parse, parseCpu);
  row('ours: full generation (read, validate, model, emit, write)', gen, genCpu, `  (${(genCpu / parseCpu).toFixed(1)}× the baseline CPU)`);
  row(`tsc --noEmit strict over the output (median of ${tscRuns} run(s))`, tsc, tscCpu);
  console.log(
    `  output: ${report.files} files, ${(bytes / 1e6).toFixed(1)} MB; ${report.requests} requests, ${report.dataResponses} data responses, ` +
      `${report.complexTypes} complex and ${report.simpleTypes} simple types; peak RSS ${rssBeforeTsc.toFixed(0)} MB before tsc, ` +
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB after`,
  );
  rmSync(workDir, { recursive: true, force: true });
}

await main();
