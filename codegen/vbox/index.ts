import { isAbsolute, relative, resolve } from 'node:path';
import { generatedRoot, projectRoot, runtimeRoot } from '../../runtime/paths.js';
import { writeGeneratedTree } from '../common/writer.js';
import { buildModel } from './build-model.js';
import { emitVbox } from './emit.js';
import { defaultSpecFile, loadSpec } from './load-spec.js';

/**
 * The vBox generator: `schemas/vbox/vtu.yaml` → `generated/vbox/` (enums, requests,
 * responses, index with the dispatch tables). Pipeline: load + schema-validate the YAML
 * (load-spec.ts) → check references and build the model (build-model.ts) → print (emit.ts) →
 * write only what changed. Output is byte-identical for identical input.
 */

/** What a generation run produced. */
export interface VboxGenerationReport {
  specFile: string;
  outDir: string;
  /** Files in the output folder. */
  files: number;
  /** Files actually rewritten (the rest were unchanged). */
  written: number;
  requests: number;
  /** Response classes (a message with V1/V2 layouts counts twice). */
  responses: number;
  /** Enumerations, including the generated CommandId. */
  enums: number;
  ms: number;
}

/** Import path of runtime/vbox (dist/runtime/vbox when running compiled) as seen from `outDir` (POSIX, always relative). */
function runtimeImportPath(outDir: string): string {
  const rel = relative(outDir, `${runtimeRoot}vbox`).split('\\').join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The spec path as named in generated headers: relative to the project when inside it. */
function sourceName(specFile: string): string {
  const rel = relative(projectRoot, specFile).split('\\').join('/');
  return rel.startsWith('..') || isAbsolute(rel) ? specFile.split(/[\\/]/).pop()! : rel;
}

/**
 * Generates the vBox bindings. Throws `TH_ERR_VBOX_SPEC` (with file:line:column) for an invalid spec.
 * @param options.specFile spec to read (default `schemas/vbox/vtu.yaml`)
 * @param options.outDir output folder (default `generated/vbox`)
 */
export async function generateVbox(options: { specFile?: string; outDir?: string } = {}): Promise<VboxGenerationReport> {
  const started = performance.now();
  const specFile = resolve(options.specFile ?? defaultSpecFile);
  const outDir = resolve(options.outDir ?? `${generatedRoot}/vbox`);
  const model = buildModel(loadSpec(specFile));
  const files = emitVbox(model, sourceName(specFile), runtimeImportPath(outDir));
  const result = writeGeneratedTree(outDir, files);
  return {
    specFile,
    outDir,
    files: files.size,
    written: result.written,
    requests: model.requests.length,
    responses: model.responses.reduce((n, r) => n + r.classes.length, 0),
    enums: model.enums.length + 1,
    ms: performance.now() - started,
  };
}
