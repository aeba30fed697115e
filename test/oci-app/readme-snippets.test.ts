// The TypeScript snippets of README.md that need no server of the reader's own run as written:
// each is saved as a module of a scratch project that maps the package names (`thors-hammer`,
// `thors-hammer/oci/r25`, …) onto this checkout's sources (tsconfig paths, read by tsx), and
// runs in its own Node process. The snippets that talk to a real server or to generated R26
// bindings are left out by what they name; docs/vbox-client.md's test type-checks the vBox one.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

/** The package entries of package.json "exports" that snippets import, onto their sources. */
const SOURCES: Record<string, string> = {
  'thors-hammer': 'runtime/index.ts',
  'thors-hammer/oci': 'runtime/oci/index.ts',
  'thors-hammer/vbox': 'runtime/vbox/index.ts',
  'thors-hammer/mock': 'runtime/mock/index.ts',
  'thors-hammer/agents': 'agents/index.ts',
  'thors-hammer/oci/r24': 'generated/oci/R24/release.ts',
  'thors-hammer/oci/r25': 'generated/oci/R25/release.ts',
};

/** Snippets that need what a reader brings: a server of their own, bindings of a release we do not have, the repository root. */
const NEEDS_THE_READER = /as\.example\.com|\.\/bindings\/|from '\.\/runtime\//;

function runSnippet(dir: string, name: string, code: string): Promise<{ code: number | null; stderr: string }> {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stderr }));
  });
}

test('README.md: every TypeScript snippet that needs no server of your own runs as written', async () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const runnable = snippets.filter((code) => !NEEDS_THE_READER.test(code));
  // The mock + typed client snippet, the untyped imports and the request builder at least.
  expect(runnable.length).toBeGreaterThanOrEqual(3);
  expect(runnable.some((code) => code.includes('startOciMock('))).toBe(true);
  expect(runnable.some((code) => code.includes('buildRequest('))).toBe(true);

  const dir = mkdtempSync(join(tmpdir(), 'th-readme-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-snippets', private: true, type: 'module' }));
    const paths = Object.fromEntries(Object.entries(SOURCES).map(([name, source]) => [name, [join(projectRoot, source)]]));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', paths } }),
    );
    symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // A control: a snippet that throws fails, or this test would prove nothing.
    const control = await runSnippet(dir, 'control', "import { OciSchema } from 'thors-hammer';\nawait OciSchema.load('R1');\n");
    expect(control.code).not.toBe(0);
    expect(control.stderr).toMatch(/TH_ERR_OCI_/);
    const results = await Promise.all(runnable.map((code, i) => runSnippet(dir, `snippet${i}`, code)));
    expect(results.map((r, i) => ({ snippet: runnable[i]!.split('\n')[0], ...r }))).toEqual(
      runnable.map((code) => ({ snippet: code.split('\n')[0], code: 0, stderr: '' })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
