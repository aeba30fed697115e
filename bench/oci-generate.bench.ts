// OCI-P generator benchmark on the R25 XSD set (143 files, 9.2 MB):
//   - baseline: reading every XSD and parsing it with fast-xml-parser (preserveOrder), nothing else;
//   - ours: the full generation (read, validate, model, emit, write) into .bench-tmp/;
//   - the strict `tsc --noEmit` check of that output (plus runtime/oci/meta.ts).
// Each figure is the median of several runs in this process (tsc: one child process per run).
//
//   node --import tsx bench/oci-generate.bench.ts      (or: npm run bench -- oci-generate)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
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

function tscCheck(): { ms: number; ok: boolean; output: string } {
  const config = join(workDir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, types: [] }, include: [`${RELEASE}/**/*.ts`, '../../runtime/oci/meta.ts'] }),
  );
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--pretty', 'false'], {
    encoding: 'utf8',
  });
  return { ms: performance.now() - started, ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

async function main(): Promise<void> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  console.log(`OCI-P generator, release ${RELEASE} (${schemasDir}), median of ${RUNS} runs`);

  baselineParse(); // warm-up
  const parse = median(Array.from({ length: RUNS }, baselineParse));

  await generateOciRelease({ release: RELEASE, outDir }); // warm-up (writes everything)
  const generation: number[] = [];
  let report = await generateOciRelease({ release: RELEASE, outDir });
  for (let i = 0; i < RUNS; i++) {
    rmSync(outDir, { recursive: true, force: true }); // measure full writes, not the unchanged-file shortcut
    const started = performance.now();
    report = await generateOciRelease({ release: RELEASE, outDir });
    generation.push(performance.now() - started);
  }
  const gen = median(generation);
  const bytes = readdirSync(outDir).reduce((sum, f) => sum + readFileSync(join(outDir, f)).length, 0);

  const tscRuns = Math.max(1, Math.min(3, RUNS));
  const checks = Array.from({ length: tscRuns }, tscCheck);
  const failed = checks.find((c) => !c.ok);
  if (failed) {
    console.error(failed.output);
    throw new Error('tsc reported errors in the generated output');
  }
  const tsc = median(checks.map((c) => c.ms));

  const row = (label: string, ms: number, note = '') => console.log(`  ${label.padEnd(62)} ${(ms / 1000).toFixed(2).padStart(7)} s${note}`);
  row('baseline: read + parse XSDs (fast-xml-parser only)', parse);
  row('ours: full generation (read, validate, model, emit, write)', gen, `  (${(gen / parse).toFixed(1)}× the baseline)`);
  row(`tsc --noEmit strict over the output (median of ${tscRuns})`, tsc);
  console.log(
    `  output: ${report.files} files, ${(bytes / 1e6).toFixed(1)} MB; ${report.requests} requests, ${report.dataResponses} data responses, ` +
      `${report.complexTypes} complex and ${report.simpleTypes} simple types; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  rmSync(workDir, { recursive: true, force: true });
}

await main();
