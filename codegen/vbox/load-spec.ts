import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, type Node, parseDocument, type Document } from 'yaml';
import { projectRoot } from '../../runtime/paths.js';
import { VboxSpecError } from '../../runtime/vbox/errors.js';

/**
 * Reads the VTU datagram spec (YAML), validates it against `schemas/vbox/vtu.schema.json`
 * (ajv), and returns it typed. Every problem carries the file:line:column of the offending YAML
 * node and its JSON path; consistency checks beyond the schema live in `check-spec.ts`.
 */

/** Default spec file. */
export const defaultSpecFile = `${projectRoot}schemas/vbox/vtu.yaml`;
/** The JSON Schema the spec is validated against. */
export const specSchemaFile = `${projectRoot}schemas/vbox/vtu.schema.json`;

export type SpecVersion = 'v1' | 'v2';

/** An element type of an array field. */
export interface SpecElementType {
  type: 'u8' | 'u16be' | 'bool8' | 'enum';
  enum?: string;
}

/** One field as written in the spec. */
export interface SpecField {
  name: string;
  type: 'u8' | 'u16be' | 'bool8' | 'enum' | 'const' | 'bytes' | 'string' | 'array' | 'struct';
  doc?: string;
  at?: number | Partial<Record<SpecVersion, number>>;
  versions?: SpecVersion[];
  default?: number | boolean | string;
  min?: number;
  max?: number;
  enum?: string;
  value?: number;
  length?: number | 'rest';
  format?: string;
  of?: SpecElementType;
  count?: string;
  fields?: SpecField[];
}

/** One computed property as written in the spec. */
export interface SpecComputed {
  name: string;
  builtin: 'equals' | 'modelName' | 'format' | 'indexed' | 'length' | 'alias';
  field: string;
  value?: string | number;
  keys?: [string, string];
  doc?: string;
}

export interface SpecLayout {
  fields: SpecField[];
  computed?: SpecComputed[];
}

export interface SpecCommand {
  id: number;
  direction: 'toVbox' | 'fromVbox' | 'both';
  doc?: string;
  reply?: 'ack' | 'same' | 'status' | 'unknown';
  pairedResponse?: string;
  decodeAs?: string;
  unsolicited?: boolean;
  request?: SpecLayout;
  response?: SpecLayout;
}

/** The whole spec, as validated by the JSON Schema. */
export interface VtuSpec {
  specVersion: 1;
  protocol: { name: string; versions: SpecVersion[]; defaultVersion: SpecVersion };
  frame: {
    prefix: number[];
    direction: { type: 'u8'; enum: string; roles: Record<'client' | 'vbox', { sends: string; accepts: string }> };
    header: Array<{ name: string; type: string; length?: number; counts?: string }>;
    messageId: { first: number; last: number; wrapTo: number; acceptZero?: boolean };
    checksum: { algorithm: 'sum8'; from: 'prefix'; through: 'payload' };
    strings: { encoding: 'utf16le'; lengthPrefix: 'u8'; lengthUnit: 'bytes' };
  };
  decoding: { default: 'lenient' | 'strict'; keepRest?: boolean; badChecksum?: 'drop'; framer?: Record<string, unknown> };
  enums: Record<string, { doc?: string; values: Record<string, number> }>;
  commands: Record<string, SpecCommand>;
}

/** A problem found in the spec: where, and what. */
export interface SpecProblem {
  /** JSON path inside the spec, e.g. `/commands/KeyStatus/response/fields/2/enum`. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A parsed spec plus what is needed to point at its nodes. */
export interface LoadedSpec {
  file: string;
  spec: VtuSpec;
  /** Locates a JSON path (segments) in the YAML source. */
  locate: (path: readonly (string | number)[], key?: boolean) => { line?: number; column?: number };
}

let validator: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
    validator = ajv.compile(JSON.parse(readFileSync(specSchemaFile, 'utf8')) as object);
  }
  return validator;
}

/** Formats problems as one error: the first with its location, then a count of the others. */
export function specError(file: string, problems: SpecProblem[]): VboxSpecError {
  const shown = displayPath(file);
  const lines = problems.map((p) => `${shown}:${p.line ?? '?'}:${p.column ?? '?'}: ${p.path || '/'}: ${p.message}`);
  const first = lines[0] ?? `${shown}: invalid spec`;
  const more = lines.length > 1 ? ` (and ${lines.length - 1} more problem${lines.length > 2 ? 's' : ''}:\n  ${lines.slice(1).join('\n  ')})` : '';
  const head = problems[0];
  return new VboxSpecError(`invalid vBox spec: ${first}${more}`, {
    file,
    line: head?.line,
    column: head?.column,
    path: head?.path,
    problems,
  });
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

function locator(doc: Document.Parsed, lines: LineCounter) {
  return (path: readonly (string | number)[], key = false): { line?: number; column?: number } => {
    let node: unknown = doc.contents;
    let found: Node | undefined = doc.contents ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (p.key as { value?: unknown } | null)?.value === segment || String((p.key as { value?: unknown })?.value) === String(segment),
        );
        if (!pair) break;
        const next = last && key ? pair.key : pair.value;
        found = (next as Node) ?? (pair.key as Node);
        node = next;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) break;
        found = item as Node;
        node = item;
      } else {
        break;
      }
    }
    const offset = found?.range?.[0];
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** One readable line per ajv error, skipping the "must match then/else schema" summaries. */
function schemaProblems(errors: ErrorObject[], locate: LoadedSpec['locate']): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'oneOf' || e.keyword === 'anyOf') continue;
    const segments = pointerSegments(e.instancePath);
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    let where = locate(segments);
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      path = `${e.instancePath}/${extra}`;
      message = `unknown property '${extra}'`;
      where = locate([...segments, extra], true);
    } else if (e.keyword === 'required') {
      message = `missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    } else if (e.keyword === 'not') {
      message = 'has a property that this field type does not take';
    } else if (e.keyword === 'propertyNames') {
      continue; // reported with the offending name by the 'pattern' error that accompanies it
    } else if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      path = `${e.instancePath}/${e.propertyName}`;
      message = `name '${e.propertyName}' ${message}`;
      where = locate([...segments, e.propertyName], true);
    }
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, ...where, message });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * Parses and schema-validates a spec file. Throws {@link VboxSpecError} (`TH_ERR_VBOX_SPEC`) for
 * unreadable files, YAML syntax errors and schema violations, with file:line:column.
 */
export function loadSpec(file: string = defaultSpecFile): LoadedSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VboxSpecError(`cannot read vBox spec ${file}: ${(error as Error).message}`, { file });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw specError(
      file,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { path: '', line: pos.line, column: pos.col, message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const locate = locator(doc, lines);
  const data: unknown = doc.toJS();
  const validate = schemaValidator();
  if (!validate(data)) throw specError(file, schemaProblems(validate.errors ?? [], locate));
  return { file, spec: data as VtuSpec, locate };
}
