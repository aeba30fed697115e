// The design card's tools for the OCI-P generator, measured on R25 (docs/oci-bindings.md,
// "Why a text writer"): the same 145 modules
//   - emitted by our text writer (codegen/oci/emit.ts),
//   - emitted through ts-morph (one source file per module from full structures, the fast way to
//     use it; the type and initializer texts are the writer's, so only the emitting differs),
//   - formatted with prettier (its API, in process) and with biome (its CLI), on the writer's output.
// The model (read + validate + classify the XSDs) is built once and shared by all.
//
// ts-morph and prettier are not dependencies of the project: install them anywhere and point
// EMIT_TOOLS_DIR at that folder, e.g.
//   mkdir /tmp/emit-tools && (cd /tmp/emit-tools && npm init -y && npm install ts-morph@28.0.0 prettier@3.10.1)
//   EMIT_TOOLS_DIR=/tmp/emit-tools npm run bench -- emit-tools
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { emitOciRelease, loadOciModel, metaImportFrom } from '../codegen/oci/index.js';
import { projectRoot } from '../runtime/paths.js';

const RELEASE = process.env.BENCH_RELEASE ?? 'R25';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const toolsDir = process.env.EMIT_TOOLS_DIR;
// Outside the project: a biome.json under the project's own would be a nested configuration.
const workDir = join(tmpdir(), `thors-hammer-emit-tools-${process.pid}`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function measure(runs: number, fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpu = cpuMs();
    await fn();
    walls.push(performance.now() - started);
    cpus.push(cpuMs() - cpu);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/** The part of ts-morph's API used here (it is not a dependency, so its types are not either). */
interface TsMorph {
  Project: new (options: {
    useInMemoryFileSystem: boolean;
  }) => {
    createSourceFile(name: string, structure: { statements: object[] }): { getFullText(): string };
  };
  StructureKind: { ImportDeclaration: number; TypeAlias: number; VariableStatement: number };
  VariableDeclarationKind: { Const: string };
}

/** One generated type split into the pieces a ts-morph structure takes. */
interface TypePiece {
  docs: string[];
  name: string;
  type: string;
  descriptorType: string;
  initializer: string;
}

const PIECE = /((?:\/\*\*[\s\S]*?\*\/\n)?)export type (\w+) =([\s\S]*?);\nexport const \2: (\$\w+)<\2> = (\{[\s\S]*?\n\});\n/g;

function piecesOf(text: string): { imports: { names: string[]; from: string }[]; pieces: TypePiece[] } {
  const imports = [...text.matchAll(/import type \{([^}]*)\} from '([^']+)';/g)].map((m) => ({
    names: m[1]!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
    from: m[2]!,
  }));
  const pieces = [...text.matchAll(PIECE)].map((m) => ({
    docs: m[1] ? [m[1].replace(/^\/\*\*\s?|\s*\*\/\n$/g, '').replace(/\n \* ?/g, '\n')] : [],
    name: m[2]!,
    type: m[3]!.trim(),
    descriptorType: m[4]!,
    initializer: m[5]!,
  }));
  return { imports, pieces };
}

async function main(): Promise<void> {
  if (!toolsDir) {
    console.log('skipped: set EMIT_TOOLS_DIR to a folder where ts-morph and prettier are installed (see the header of this file)');
    return;
  }
  const requireTool = createRequire(join(toolsDir, 'package.json'));
  const tsMorph = (await import(pathToFileURL(requireTool.resolve('ts-morph')).href)) as TsMorph;
  type Prettier = { format(text: string, options: object): Promise<string> };
  const prettierModule = (await import(pathToFileURL(requireTool.resolve('prettier')).href)) as Prettier & { default?: Prettier };
  const prettier = prettierModule.default ?? prettierModule;
  const versionOf = (name: string) => (JSON.parse(readFileSync(requireTool.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;

  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const outDir = join(workDir, RELEASE);
  const model = await measure(1, () => loadOciModel({ release: RELEASE }));
  const { model: oci } = loadOciModel({ release: RELEASE });
  const options = { metaImport: metaImportFrom(outDir), source: RELEASE };
  let files = emitOciRelease(oci, options);
  const writer = await measure(RUNS, () => {
    files = emitOciRelease(oci, options);
  });
  const bytes = [...files.values()].reduce((n, t) => n + t.length, 0);

  // ts-morph: the modules (index and release entry aside) from structures, in memory.
  const modules = [...files.entries()].filter(([name]) => name !== 'index.ts' && name !== 'release.ts');
  const parsed = modules.map(([name, text]) => ({ name, ...piecesOf(text) }));
  const typesSeen = parsed.reduce((n, m) => n + m.pieces.length, 0);
  let morphBytes = 0;
  const morph = await measure(RUNS, () => {
    const project = new tsMorph.Project({ useInMemoryFileSystem: true });
    morphBytes = 0;
    for (const m of parsed) {
      const statements: object[] = [];
      for (const i of m.imports) {
        statements.push({ kind: tsMorph.StructureKind.ImportDeclaration, isTypeOnly: true, namedImports: i.names, moduleSpecifier: i.from });
      }
      for (const p of m.pieces) {
        statements.push({ kind: tsMorph.StructureKind.TypeAlias, name: p.name, type: p.type, isExported: true, docs: p.docs });
        statements.push({
          kind: tsMorph.StructureKind.VariableStatement,
          isExported: true,
          declarationKind: tsMorph.VariableDeclarationKind.Const,
          declarations: [{ name: p.name, type: `${p.descriptorType}<${p.name}>`, initializer: p.initializer }],
        });
      }
      const source = project.createSourceFile(m.name, { statements });
      morphBytes += source.getFullText().length;
    }
  });

  // Formatting the writer's output: prettier through its API, biome through its CLI.
  writeFileSync(
    join(workDir, 'biome.json'),
    JSON.stringify({
      files: { maxSize: 64 * 1024 * 1024 }, // the largest R25 modules are over biome's 1 MiB default
      formatter: { indentStyle: 'space', lineWidth: 110 },
      javascript: { formatter: { quoteStyle: 'single' } },
    }),
  );
  const writeAll = () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  };
  let prettierChanged = 0;
  const prettierRun = await measure(1, async () => {
    prettierChanged = 0;
    for (const [name, text] of files) {
      const formatted = await prettier.format(text, { parser: 'typescript', singleQuote: true, printWidth: 110, filepath: name });
      if (formatted !== text) prettierChanged++;
    }
  });
  writeAll();
  const biomeBin = join(projectRoot, 'node_modules', '.bin', 'biome');
  let biomeOut = '';
  const biome = await measure(RUNS, () => {
    writeAll();
    const r = spawnSync(biomeBin, ['format', '--write', '--config-path', workDir, outDir], { encoding: 'utf8' });
    biomeOut = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.startsWith('Formatted')) ?? '';
    if (r.status !== 0) throw new Error(`biome failed: ${r.stdout}${r.stderr}`);
  });

  const s = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
  const row = (label: string, m: { wall: number; cpu: number }, note = '') => console.log(`  ${label.padEnd(58)} ${s(m.wall)} wall ${s(m.cpu)} CPU${note}`);
  console.log(`OCI-P ${RELEASE}: ${files.size} modules, ${(bytes / 1e6).toFixed(1)} MB, ${typesSeen} types; median of ${RUNS} (prettier: 1 run)`);
  row('shared: read + model the XSDs', model);
  row('our text writer: emit every module', writer);
  row(
    `ts-morph ${versionOf('ts-morph')}: the same modules from structures`,
    morph,
    `  (${(morph.cpu / writer.cpu).toFixed(0)}× the writer; ${(morphBytes / 1e6).toFixed(1)} MB)`,
  );
  row(`prettier ${versionOf('prettier')}: format the writer's output (API)`, prettierRun, `  (${prettierChanged} of ${files.size} files changed)`);
  row("biome: format --write the writer's output (CLI, wall is the figure)", biome, `  (${biomeOut})`);
  console.log(`  (load average at the end: ${loadavg()[0]!.toFixed(1)})`);
  rmSync(workDir, { recursive: true, force: true });
}

await main();
