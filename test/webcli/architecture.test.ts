// The Web CLI's place in the layers: web → runtime, never the other way; the core knows nothing
// of Fastify or the database; the root entry never loads the web part.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(join(projectRoot, d))) return;
    for (const entry of readdirSync(join(projectRoot, d), { withFileTypes: true })) {
      const path = `${d}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** Module specifiers a file imports (static, type-only, re-exports, literal dynamic imports), relative ones as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(projectRoot, file), 'utf8');
  const pattern = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => {
    const spec = m[1] ?? m[2]!;
    return spec.startsWith('.') ? relative(projectRoot, resolve(dirname(join(projectRoot, file)), spec)) : spec;
  });
}

test('the runtime, codegen and the generated bindings never import the web part', () => {
  for (const file of [...files('runtime'), ...files('codegen')]) {
    for (const spec of importsOf(file)) expect([file, spec.startsWith('web/')]).toEqual([file, false]);
  }
});

test('the web core imports neither Fastify, the database nor the server', () => {
  const core = files('web/core');
  expect(core.length).toBeGreaterThan(5);
  for (const file of core) {
    for (const spec of importsOf(file)) {
      expect([file, /^(fastify|@fastify\/|kysely|better-sqlite3|ws|jose)/.test(spec) || spec.startsWith('web/server')]).toEqual([file, false]);
    }
  }
});

test('the root entry does not reach the web part; the package exports it as thors-hammer/web', () => {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file))
      if (spec.startsWith('runtime/') || spec.startsWith('generated/') || spec.startsWith('web/')) visit(spec.replace(/\.js$/, '.ts'));
  };
  visit('runtime/index.ts');
  expect([...seen].filter((f) => f.startsWith('web/'))).toEqual([]);
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
  expect(pkg.exports['./web']).toEqual({ types: './dist/web/server/index.d.ts', default: './dist/web/server/index.js' });
});

test('docs/webcli.md lists every TH_ERR_WEB_ code the web part and its CLI use', () => {
  const docs = readFileSync(join(projectRoot, 'docs/webcli.md'), 'utf8');
  const used = new Set<string>();
  for (const file of [...files('web/core'), ...files('web/server'), ...files('cli/commands/webcli')]) {
    for (const m of readFileSync(join(projectRoot, file), 'utf8').matchAll(/'(TH_ERR_WEB_[A-Z_]+)'/g)) used.add(m[1]!);
  }
  expect(used.size).toBeGreaterThan(10);
  for (const code of used) expect([code, docs.includes(`\`${code}\``)]).toEqual([code, true]);
});
