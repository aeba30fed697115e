/**
 * The OCI-P generator: XSD set of one release → `generated/oci/<release>/`.
 *
 * Pipeline: `xsd-reader.ts` (XSD syntax, namespaces, includes) → `model.ts` (runtime
 * metadata, classification, families) → `emit.ts` (one TypeScript module per XSD file plus
 * `index.ts`) → `writeGeneratedTree` (only changed files are rewritten).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ThorsHammerError } from '../../runtime/errors.js';
import { generatedRoot, projectRoot, runtimeRoot } from '../../runtime/paths.js';
import { compareStrings, writeGeneratedTree } from '../common/writer.js';
import { emitOciRelease } from './emit.js';
import { buildOciModel, type OciModel } from './model.js';
import { readXsdSet } from './xsd-reader.js';

export { buildOciModel, type OciModel } from './model.js';
export { emitOciRelease } from './emit.js';
export { readXsdSet } from './xsd-reader.js';

/** What one `generateOciRelease` run produced. */
export interface OciGenerationReport {
  release: string;
  schemasDir: string;
  outDir: string;
  /** Generated files (one per XSD file, plus index and release; in `js` format a .mjs and a .d.mts each). */
  files: number;
  /** Commands: concrete types derived from C:OCIRequest, minus those used as element types (CallCenterAgent*). */
  requests: number;
  deprecatedRequests: number;
  /** Every type derived from C:OCIRequest, commands and the data types among them (the §1.2 figure, 3,989 in R25). */
  ociRequestDerived: number;
  /** Concrete types derived from C:OCIDataResponse. */
  dataResponses: number;
  deprecatedDataResponses: number;
  complexTypes: number;
  simpleTypes: number;
  /** XSD files read (orphans included). */
  xsdFiles: number;
  /** XSD files of the folder that OCISchemaAS.xsd does not reach; read anyway so their types are not lost. */
  orphanFiles: string[];
  written: number;
  ms: number;
}

const ROOT_FILE = 'OCISchemaAS.xsd';

function releaseFolders(base: string): { release: string; schemasDir: string }[] {
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return [];
  }
  return entries
    .filter((name) => {
      const dir = join(base, name);
      return statSync(dir).isDirectory() && existsSync(join(dir, ROOT_FILE));
    })
    .sort(compareStrings)
    .map((release) => ({ release, schemasDir: join(base, release) }));
}

/**
 * Every release folder holding `OCISchemaAS.xsd`: under `<projectRoot>/schemas/oci/`, or when
 * there is none, under `<projectRoot>/../shared/schemas/oci/`.
 */
export function findOciReleases(): { release: string; schemasDir: string }[] {
  const own = releaseFolders(join(projectRoot, 'schemas', 'oci'));
  return own.length > 0 ? own : releaseFolders(join(projectRoot, '..', 'shared', 'schemas', 'oci'));
}

/** The schema folder of a release: `schemas/oci/<release>/`, else `../shared/schemas/oci/<release>/`. */
export function defaultSchemasDir(release: string): string {
  const candidates = [join(projectRoot, 'schemas', 'oci', release), join(projectRoot, '..', 'shared', 'schemas', 'oci', release)];
  return candidates.find((dir) => existsSync(join(dir, ROOT_FILE))) ?? candidates[0]!;
}

function checkRelease(release: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(release)) {
    throw new ThorsHammerError('TH_ERR_CODEGEN_RELEASE', `bad release name "${release}" (letters, digits, '.', '_' and '-' only, e.g. R25)`, {
      context: { release },
    });
  }
}

/** Reads and models one release (no output). Used by generation and by `hammer oci describe/diff`. */
export function loadOciModel(options: { release: string; schemasDir?: string }): {
  model: OciModel;
  schemasDir: string;
  orphanFiles: string[];
  xsdFiles: number;
} {
  checkRelease(options.release);
  const schemasDir = resolve(options.schemasDir ?? defaultSchemasDir(options.release));
  if (!existsSync(schemasDir) || !statSync(schemasDir).isDirectory()) {
    throw new ThorsHammerError('TH_ERR_CODEGEN_NO_SCHEMAS', `OCI-P release ${options.release}: schema folder ${schemasDir} does not exist`, {
      context: { release: options.release, schemasDir },
    });
  }
  const root = join(schemasDir, ROOT_FILE);
  if (!existsSync(root)) {
    throw new ThorsHammerError('TH_ERR_CODEGEN_NO_SCHEMAS', `OCI-P release ${options.release}: ${schemasDir} has no ${ROOT_FILE}`, {
      context: { release: options.release, schemasDir },
    });
  }
  const set = readXsdSet(root, { orphans: true });
  const model = buildOciModel(set, options.release);
  return { model, schemasDir, orphanFiles: set.files.filter((f) => f.orphan).map((f) => f.path), xsdFiles: set.files.length };
}

/** The import specifier of runtime/oci/meta.ts (dist/runtime/oci/meta.d.ts when running compiled) as seen from a file in `outDir`. */
export function metaImportFrom(outDir: string): string {
  const rel = relative(resolve(outDir), join(runtimeRoot, 'oci', 'meta.js'))
    .split('\\')
    .join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Generates the bindings of one release into `outDir` (default `generated/oci/<release>/`). */
export async function generateOciRelease(options: {
  release: string;
  schemasDir?: string;
  outDir?: string;
  /** `ts` (default) or `js` (ES modules + declarations, see EmitOptions.format). */
  format?: 'ts' | 'js';
}): Promise<OciGenerationReport> {
  const started = performance.now();
  const { model, schemasDir, orphanFiles, xsdFiles } = loadOciModel(options);
  const outDir = resolve(options.outDir ?? join(generatedRoot, 'oci', options.release));
  const files = emitOciRelease(model, { metaImport: metaImportFrom(outDir), source: options.release, format: options.format });
  const { written } = writeGeneratedTree(outDir, files);
  let ociRequestDerived = model.counts.requests;
  for (const meta of model.types.values()) {
    // Data types derived from OCIRequest (CallCenterAgentAvailability/Settings) count in the §1.2 figure.
    if (meta.kind === 'complex' && !meta.role && !meta.abstract && derivesFrom(model, meta.name, 'OCIRequest')) ociRequestDerived++;
  }
  return {
    release: options.release,
    schemasDir,
    outDir,
    files: files.size,
    requests: model.counts.requests,
    deprecatedRequests: model.counts.deprecatedRequests,
    ociRequestDerived,
    dataResponses: model.counts.dataResponses,
    deprecatedDataResponses: model.counts.deprecatedDataResponses,
    complexTypes: model.counts.complexTypes,
    simpleTypes: model.counts.simpleTypes,
    xsdFiles,
    orphanFiles,
    written,
    ms: performance.now() - started,
  };
}

function derivesFrom(model: OciModel, key: string, ancestor: string): boolean {
  let cursor = model.types.get(key);
  while (cursor?.kind === 'complex' && cursor.base) {
    if (cursor.base === ancestor) return true;
    cursor = model.types.get(cursor.base);
  }
  return false;
}
