import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { projectRoot } from '../../runtime/paths.js';

// The TypeScript snippets of the README's vBox section and of docs/vbox-client.md compile under
// the project's strict settings, as a user would paste them. Package imports (`thors-hammer/vbox`,
// `thors-hammer/mock`) are mapped onto the sources; relative imports resolve from the repository root.

/** The ```ts blocks of `text`. */
function tsBlocks(text: string): string[] {
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function readmeVboxSection(): string {
  const readme = readFileSync(`${projectRoot}README.md`, 'utf8');
  const start = readme.indexOf('## Vitrea vBox in five minutes');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Type-checks each snippet as its own ES module at the repository root; returns the diagnostics per snippet. */
function typeCheck(snippets: ReadonlyArray<{ name: string; code: string }>): Map<string, string[]> {
  const configFile = ts.readConfigFile(`${projectRoot}tsconfig.json`, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, projectRoot);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    types: ['node'],
    baseUrl: projectRoot,
    paths: {
      'thors-hammer': ['runtime/index.ts'],
      'thors-hammer/vbox': ['runtime/vbox/index.ts'],
      'thors-hammer/oci': ['runtime/oci/index.ts'],
      'thors-hammer/mock': ['runtime/mock/index.ts'],
    },
  };
  const files = new Map(snippets.map((s) => [`${projectRoot}__doc_snippet_${s.name}.ts`, s.code]));
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.getSourceFile = (name, language, onError, create) => {
    const text = files.get(name);
    return text === undefined ? getSourceFile(name, language, onError, create) : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const result = new Map<string, string[]>();
  for (const [file] of files) {
    const source = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    result.set(
      file.slice(`${projectRoot}__doc_snippet_`.length, -'.ts'.length),
      diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    );
  }
  return result;
}

test('the vBox TypeScript snippets of README.md and docs/vbox-client.md compile under strict TypeScript', () => {
  const readme = tsBlocks(readmeVboxSection());
  const docs = tsBlocks(readFileSync(`${projectRoot}docs/vbox-client.md`, 'utf8'));
  expect(readme.length).toBeGreaterThanOrEqual(1);
  expect(docs.length).toBeGreaterThanOrEqual(3);
  expect(readme.join('\n')).toContain("vbox.on('error', (error) => console.warn(error.code, error.message))");

  // A control: the checker must fail a snippet that is wrong, or this test would prove nothing.
  const wrong = "import { VboxClient } from 'thors-hammer/vbox';\nnew VboxClient({ host: 1 });\n";
  const snippets = [
    ...readme.map((code, i) => ({ name: `readme_${i}`, code })),
    ...docs.map((code, i) => ({ name: `vbox_client_md_${i}`, code })),
    { name: 'control', code: wrong },
  ];
  const diagnostics = typeCheck(snippets);
  expect(diagnostics.get('control')!.join('\n')).toMatch(/Type 'number' is not assignable to type 'string'/);
  diagnostics.delete('control');
  expect(Object.fromEntries(diagnostics)).toEqual(Object.fromEntries([...diagnostics.keys()].map((k) => [k, []])));
}, 120000);
