// The architecture rules of issue 9, read from the source's own import statements: no import
// cycles among the hand-written modules, dependencies that point down (cli/web → agents → runtime),
// and a root entry that does not load the mock servers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

const SOURCE_DIRS = ['runtime', 'cli', 'codegen', 'agents', 'web'];

/** Every import of a module (static, `import type`, re-exports and literal dynamic imports), as repository paths. */
function importsOf(file: string): { target: string; typeOnly: boolean; bare?: string }[] {
  const text = readFileSync(join(projectRoot, file), 'utf8');
  const out: { target: string; typeOnly: boolean; bare?: string }[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(pattern)) {
    const spec = m[3] ?? m[4]!;
    if (!spec.startsWith('.')) {
      out.push({ target: spec, typeOnly: Boolean(m[2]), bare: spec });
      continue;
    }
    const resolved = relative(projectRoot, resolve(dirname(join(projectRoot, file)), spec)).replace(/\.js$/, '.ts');
    out.push({ target: resolved, typeOnly: Boolean(m[2]) });
  }
  return out;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(join(projectRoot, dir))) return;
    for (const entry of readdirSync(join(projectRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return files;
}

test('there are no import cycles among the hand-written modules (type-only imports included)', () => {
  const files = new Set(sourceFiles());
  expect(files.size).toBeGreaterThan(100);
  const edges = new Map<string, string[]>();
  for (const f of files)
    edges.set(
      f,
      [...new Set(importsOf(f).map((i) => i.target))].filter((t) => files.has(t)),
    );
  // Tarjan's strongly connected components: any component of two or more files is a cycle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!indexOf.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

test('dependencies point down: runtime imports no agents/cli/web, agents no cli/web, web no cli and no yargs', () => {
  // Each layer and what it may not import (the generated code below runtime is imported by all).
  const forbidden: Record<string, string[]> = {
    'runtime/': ['agents/', 'cli/', 'web/'],
    'agents/': ['cli/', 'web/'],
    'web/': ['cli/', 'yargs'],
  };
  const files = sourceFiles();
  expect(files.some((f) => f.startsWith('web/core/'))).toBe(true);
  expect(files.some((f) => f.startsWith('agents/'))).toBe(true);
  const violations: string[] = [];
  for (const file of files)
    for (const [layer, banned] of Object.entries(forbidden)) {
      if (!file.startsWith(layer)) continue;
      for (const i of importsOf(file)) if (banned.some((b) => i.target === b || i.target.startsWith(b))) violations.push(`${file} → ${i.target}`);
    }
  expect(violations).toEqual([]);
});

test('the root entry (thors-hammer) loads no mock server, certificate generation or HTTP server', () => {
  const reached = new Set<string>();
  const builtins = new Set<string>();
  const walk = (file: string): void => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const i of importsOf(file)) {
      if (i.typeOnly) continue;
      if (i.bare) builtins.add(i.bare);
      else if (existsSync(join(projectRoot, i.target))) walk(i.target);
    }
  };
  walk('runtime/index.ts');
  expect(reached.has('runtime/oci/request-builder.ts')).toBe(true);
  expect([...reached].filter((f) => f.startsWith('runtime/mock/'))).toEqual([]);
  // HTTP and TLS servers and certificate tooling belong to the mocks; the SOAP client uses undici.
  expect([...builtins].filter((b) => ['node:http', 'node:https', 'node:http2', 'node:child_process', 'selfsigned', 'node-forge'].includes(b))).toEqual([]);
  // The mock entry does load them (the rule above is not vacuous).
  reached.clear();
  walk('runtime/mock/index.ts');
  expect(reached.has('runtime/mock/oci/certificate.ts')).toBe(true);
});
