// Type-level tests: fixture-types.check.ts is compiled by tsc against the golden output.
// tsc must exit 0 (so every `@ts-expect-error` line really is an error), and with the
// directives stripped, tsc must report an error on exactly the lines they guarded.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const here = join(projectRoot, 'test', 'codegen-oci');

function runTsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: projectRoot, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('the type-level checks compile: every @ts-expect-error is a real error', () => {
  const { status, output } = runTsc(join(here, 'tsconfig.types.json'));
  expect(output).toBe('');
  expect(status).toBe(0);
}, 60_000);

test('without the directives, tsc reports an error on each guarded line', () => {
  const source = readFileSync(join(here, 'fixture-types.check.ts'), 'utf8').split('\n');
  const guarded: number[] = [];
  const stripped = source.map((line, i) => {
    if (line.trimStart().startsWith('// @ts-expect-error')) {
      guarded.push(i + 1); // the next line (1-based: i + 2) keeps its number because we blank this one
      return '';
    }
    return line;
  });
  const variant = join(here, `stripped-${process.pid}.check.ts`);
  const config = join(here, `tsconfig.stripped-${process.pid}.json`);
  writeFileSync(variant, stripped.join('\n'));
  writeFileSync(config, JSON.stringify({ extends: './tsconfig.types.json', include: [variant, '../fixtures/xsd/expected/**/*.ts'] }));
  try {
    const { status, output } = runTsc(config);
    expect(status).not.toBe(0);
    const errorLines = new Set([...output.matchAll(/stripped-\d+\.check\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
    expect(guarded.length).toBeGreaterThanOrEqual(15);
    for (const line of guarded) expect({ line, error: errorLines.has(line + 1) }).toEqual({ line, error: true });
  } finally {
    rmSync(variant, { force: true });
    rmSync(config, { force: true });
  }
}, 60_000);
