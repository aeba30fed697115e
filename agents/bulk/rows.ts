import { hash } from 'node:crypto';
import type { EncodedCommand, OciCommand } from '../../runtime/oci/codec.js';
import { OciUnknownTypeError } from '../../runtime/oci/errors.js';
import { nearestNames } from '../../runtime/oci/names.js';
import { type BuildResult, type FieldAssignment, type FieldValue, RequestPlan, prepareRequestType } from '../../runtime/oci/request-builder.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import type { Cell, CsvRecord } from './csv.js';
import { BulkInputError, BulkOptionsError } from './errors.js';
import { maskSecrets } from './journal.js';
import { type BulkPreset, aliasPath } from './presets.js';

/**
 * Turns the records of a sheet into requests. The engine does not type values itself: each
 * filled cell becomes a {@link FieldAssignment} and the runtime's request builder types it by
 * the schema and reports every problem with its path. The rules here are only the cell
 * states and the sheet's own conventions:
 * - an empty cell: the field is omitted;
 * - the nil token (default `null`, unquoted): xsi:nil;
 * - a cell written as `""` in the CSV text: an empty string;
 * - `{{column}}` and `{{row}}` inside a cell are filled in first; `--set` defaults fill empty cells;
 * - columns `request`, `operation` (mercury's preset name), `group` (ordering key) and `error`
 *   (written by `--failed-out`, ignored on input) are not fields.
 */

/** Column names that are not field paths. */
export const SPECIAL_COLUMNS = ['request', 'operation', 'group', 'error'] as const;

/** A problem of one row: `row 17, column address.city: longer than 80`. */
export interface RowIssue {
  /** Column header (or `--set key`; for the request name: `request`, `operation` or `--request`) the problem comes from, when known. */
  column?: string;
  /** Field path in the request, when known. */
  path?: string;
  code: string;
  message: string;
}

/** One row, ready to send or rejected. */
export interface PreparedRow {
  /** Spreadsheet row number (the header is row 1). */
  row: number;
  /** The original cells, for the failed-rows file (empty when the mapper was told not to keep them). */
  cells: Cell[];
  /** Stable hash of what the row sends (type and assignments), for resume. */
  hash: string;
  /** The resolved request type, when it could be resolved. */
  type?: string;
  group?: string;
  command?: OciCommand;
  /** The command already encoded, when its request plan had a template for the row's shape (send this one). */
  encoded?: EncodedCommand;
  /** With `encoded`: the command's JSON text with secrets masked, as the journal writes it (`JSON.stringify(maskSecrets(command))`). */
  commandJson?: string;
  issues: RowIssue[];
  /** `preflight`: the row's target and action, for the plan table. */
  plan?: { target: string; action: string };
}

export interface RowMapperOptions {
  schema: OciSchema;
  /** The request type, family or preset name for rows without a `request`/`operation` cell. */
  request?: string;
  presets: ReadonlyMap<string, BulkPreset>;
  /** `--set key=value` defaults, applied after the preset's defaults. */
  set?: Readonly<Record<string, string>>;
  /** The cell text meaning xsi:nil (default `null`). */
  nilToken?: string;
  /** Row hash version (default 2; 1 when resuming a journal of version 1). */
  hashVersion?: RowHashVersion;
  /**
   * Keep each row's cells in {@link PreparedRow.cells} (default true). The engine needs them only
   * for the failed-rows file; without one, rows in flight hold less memory.
   */
  keepCells?: boolean;
  /**
   * Encode each valid row for sending, with its journal JSON (default true; see
   * {@link PreparedRow.encoded}). A run that sends nothing turns it off.
   */
  encode?: boolean;
}

/** A request name resolved: its type, and the preset it came through. */
export interface ResolvedRequest {
  type: string;
  preset?: BulkPreset;
}

/** A request name that names no request: the problem, with one "did you mean" list. */
export interface UnknownRequest {
  code: string;
  message: string;
  suggestions: string[];
}

/**
 * Resolves a request name as a bulk file uses it (`--request`, a `request` or `operation` cell):
 * a preset, else a request type, family or `Family@latest`; the type's modules are loaded. An
 * unknown name gives one message whose "did you mean" list holds the nearest presets and requests.
 */
export async function resolveBulkRequest(schema: OciSchema, presets: ReadonlyMap<string, BulkPreset>, name: string): Promise<ResolvedRequest | UnknownRequest> {
  const preset = presets.get(name);
  try {
    const { type } = await prepareRequestType(schema, preset ? preset.request : name);
    return { type, preset };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    // A preset whose own request is wrong: its file is at fault, and the type error says how.
    if (preset || !(error instanceof OciUnknownTypeError)) {
      return { code: e.code ?? 'unknown-request', message: `${preset ? `preset ${preset.name}: ` : ''}${e.message ?? String(error)}`, suggestions: [] };
    }
    const suggestions = [...nearestNames([...presets.keys()], name, 3), ...error.suggestions].slice(0, 5);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '';
    return {
      code: error.code,
      message: `unknown request '${name}': no request type, family or preset of that name in release ${schema.release}${hint}`,
      suggestions,
    };
  }
}

interface ColumnPlan {
  columns: { index: number; header: string; path: string; field: string }[];
  defaults: { path: string; field: string; text: string }[];
}

const NO_CELLS: Cell[] = [];

/**
 * Per schema and request type: its paths resolved and its shapes' templates made once, shared by
 * every sheet and run of the process (a plan keeps no state from one row to the next).
 */
const requestPlans = new WeakMap<OciSchema, Map<string, RequestPlan>>();

const FILL_IN = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Maps the records after the header to requests; one instance per sheet. */
export class RowMapper {
  readonly header: string[];
  private readonly columnIndex = new Map<string, number>();
  private readonly special: Partial<Record<(typeof SPECIAL_COLUMNS)[number], number>> = {};
  private readonly fieldColumns: { index: number; header: string }[] = [];
  private readonly resolved = new Map<string, ResolvedRequest | UnknownRequest>();
  private readonly nilToken: string;
  private readonly hashVersion: RowHashVersion;
  private readonly plans = new Map<string, ColumnPlan>();
  // The options, as fields of fixed types: callers pass option objects of different shapes, and
  // keeping or reading such an object would make the per-row path polymorphic.
  private readonly schema: OciSchema;
  private readonly keepCells: boolean;
  private readonly encode: boolean;
  private readonly defaultRequest: string | undefined;
  private readonly set: Readonly<Record<string, string>> | undefined;

  private readonly presets: ReadonlyMap<string, BulkPreset>;

  constructor(headerCells: readonly Cell[], options: RowMapperOptions) {
    this.header = headerCells.map((c) => c.text.trim());
    this.nilToken = options.nilToken ?? 'null';
    this.hashVersion = options.hashVersion ?? 2;
    this.schema = options.schema;
    this.keepCells = options.keepCells !== false;
    this.encode = options.encode !== false;
    this.defaultRequest = options.request;
    this.set = options.set;
    this.presets = options.presets;
    this.header.forEach((name, index) => {
      if (name === '') return;
      if (!this.columnIndex.has(name)) this.columnIndex.set(name, index);
      if ((SPECIAL_COLUMNS as readonly string[]).includes(name)) this.special[name as (typeof SPECIAL_COLUMNS)[number]] = index;
      else this.fieldColumns.push({ index, header: name });
    });
    if (this.fieldColumns.length === 0 && this.special.request === undefined && this.special.operation === undefined) {
      throw new BulkInputError('no header: the first row must name the fields (e.g. userId,lastName,address.city)');
    }
    if (this.special.request === undefined && this.special.operation === undefined && options.request === undefined) {
      throw new BulkOptionsError('name the request: give --request (a request type, family or preset) or add a `request` or `operation` column');
    }
  }

  /** True for the `--hints` row of a template: every filled cell starts with `#`. */
  static isHintsRow(cells: readonly Cell[]): boolean {
    const filled = cells.filter((c) => c.text !== '');
    return filled.length > 0 && filled.every((c) => !c.quoted && c.text.startsWith('#'));
  }

  /** Builds the request of one record; never throws for a problem of the row. */
  async prepare(record: CsvRecord): Promise<PreparedRow> {
    const known = this.prepareKnown(record);
    if (known) return known;
    const name = this.requestNameOf(record.cells);
    if (name !== undefined && !this.resolved.has(name)) this.resolved.set(name, await resolveBulkRequest(this.schema, this.presets, name));
    return this.prepareKnown(record) as PreparedRow;
  }

  /**
   * {@link prepare} without waiting: undefined when the row's request was not resolved yet
   * (its type's modules still have to load). A run's rows mostly repeat a few requests, so
   * nearly every row is prepared here, with no promise.
   */
  prepareKnown(record: CsvRecord): PreparedRow | undefined {
    const { row, cells } = record;
    const kept = this.keepCells ? cells : NO_CELLS;
    const name = this.requestNameOf(cells);
    const resolved = name === undefined ? undefined : this.resolved.get(name);
    if (name !== undefined && resolved === undefined) return undefined;
    const issues: RowIssue[] = [];
    const group = textOf(cells, this.special.group).trim() || undefined;
    if (resolved === undefined || 'code' in resolved) {
      issues.push(
        resolved
          ? { column: this.requestSourceOf(cells), code: resolved.code, message: resolved.message }
          : { column: 'request', code: 'no-request', message: 'no request: the request and operation cells are empty and no --request was given' },
      );
      return { row, cells: kept, hash: rowHash(name ?? '', [], this.hashVersion), group, issues };
    }
    const { type, preset } = resolved;

    const plan = this.planFor(preset);
    const assignments: FieldAssignment[] = [];
    // Only `--set`/preset defaults ask whether a field was given.
    const given = plan.defaults.length > 0 ? new Set<string>() : undefined;
    for (const { index, header, path, field } of plan.columns) {
      const cell = cells[index];
      if (!cell) continue;
      const value = this.cellValue(cell.text.includes('{{') ? this.fill(record, cell.text, header, issues) : cell.text, cell.quoted);
      if (value === undefined) continue;
      given?.add(field);
      assignments.push({ path, value, source: header });
    }
    for (const { path, field, text } of plan.defaults) {
      if (given?.has(field)) continue;
      const value = this.cellValue(text.includes('{{') ? this.fill(record, text, `--set ${path}`, issues) : text, false);
      if (value !== undefined) assignments.push({ path, value, source: `--set ${path}` });
    }
    const hash = rowHash(type, assignments, this.hashVersion);
    if (issues.length > 0) return { row, cells: kept, hash, type, group, issues };
    let built: BuildResult;
    try {
      built = this.requestPlan(type).build(assignments, this.encode);
    } catch (error) {
      const e = error as { code?: string; message?: string };
      issues.push({ code: e.code ?? 'build', message: e.message ?? String(error) });
      return { row, cells: kept, hash, type, group, issues };
    }
    for (const issue of built.issues)
      issues.push({ column: issue.source ?? (issue.path || undefined), path: issue.path, code: issue.code, message: issue.message });
    if (issues.length > 0) return { row, cells: kept, hash, type, group, issues };
    return { row, cells: kept, hash, type, group, command: built.command, encoded: built.encoded, commandJson: built.json, issues };
  }

  /** The request a row names: its `request` cell, else its `operation` cell, else `--request`. */
  private requestNameOf(cells: readonly Cell[]): string | undefined {
    return textOf(cells, this.special.request).trim() || textOf(cells, this.special.operation).trim() || this.defaultRequest;
  }

  /** Where a row's request name comes from, for its messages: the `request` or `operation` column, or `--request`. */
  private requestSourceOf(cells: readonly Cell[]): string {
    if (textOf(cells, this.special.request).trim() !== '') return 'request';
    return textOf(cells, this.special.operation).trim() !== '' ? 'operation' : '--request';
  }

  /** `{{column}}` and `{{row}}` filled in from the record; an unknown column is an issue of `column`. */
  private fill(record: CsvRecord, text: string, column: string, issues: RowIssue[]): string {
    return text.replace(FILL_IN, (whole, name: string) => {
      if (name === 'row') return String(record.row);
      const index = this.columnIndex.get(name);
      if (index === undefined) {
        issues.push({ column, code: 'fill-in', message: `{{${name}}} names no column` });
        return whole;
      }
      return textOf(record.cells, index);
    });
  }

  private requestPlan(type: string): RequestPlan {
    let plans = requestPlans.get(this.schema);
    if (!plans) {
      plans = new Map();
      requestPlans.set(this.schema, plans);
    }
    let plan = plans.get(type);
    if (!plan) {
      plan = new RequestPlan(this.schema, type, { json: maskSecrets });
      plans.set(type, plan);
    }
    return plan;
  }

  /** Per preset (or none): each field column's path after aliases, and the defaults in force. */
  private planFor(preset: BulkPreset | undefined): ColumnPlan {
    const key = preset?.name ?? '';
    let plan = this.plans.get(key);
    if (!plan) {
      // Lists pushed into array literals rather than made by `map`: V8 gives `map`'s results
      // (empty ones above all) an array kind that can differ from one run to the next, and the
      // per-row code optimised for one kind would be thrown away at the start of the next run.
      plan = { columns: [], defaults: [] };
      for (const { index, header } of this.fieldColumns) {
        const path = aliasPath(header, preset?.aliases);
        plan.columns.push({ index, header, path, field: stripIndexes(path) });
      }
      for (const [path, text] of Object.entries({ ...preset?.defaults, ...this.set })) plan.defaults.push({ path, field: stripIndexes(path), text });
      this.plans.set(key, plan);
    }
    return plan;
  }

  private cellValue(text: string, quoted: boolean): FieldValue | undefined {
    if (quoted) return { kind: 'text', text };
    if (text === '') return undefined;
    if (text === this.nilToken) return { kind: 'nil' };
    return { kind: 'text', text };
  }
}

function textOf(cells: readonly Cell[], index: number | undefined): string {
  return index === undefined ? '' : (cells[index]?.text ?? '');
}

/** `a.b[2].c` → `a.b.c`: two spellings of one field for "was it given?". */
function stripIndexes(path: string): string {
  return path.replace(/\[\d*\]/g, '');
}

/**
 * The row hash `--resume` compares: 16 hex digits over the request type and the assignments
 * (values included, so a changed row runs again).
 * - Version 2 (journals written now): 64 bits of two independent 32-bit multiplicative hashes
 *   (an FNV-1a-style lane and a multiply-rotate lane, fed two UTF-16 code units per step and
 *   each piece's tag and length, each finished by a murmur-style avalanche), computed in place
 *   without a native call. Not cryptographic: a row changed by accident
 *   keeps its hash with odds of about 1 in 2^64, but one could be crafted to collide; resume
 *   trusts the journal, which the user wrote.
 * - Version 1 (older journals): the first 16 hex digits of SHA-256 over the same text; a run
 *   resuming such a journal keeps writing version 1.
 */
export function rowHash(type: string, assignments: readonly FieldAssignment[], version: RowHashVersion = 2): string {
  if (version === 1) return hash('sha256', rowHashText(type, assignments), 'hex').slice(0, 16);
  // One loop over the pieces (type, then each path and value with a tag for the value's kind),
  // the lanes in local variables: kept in object fields or closures they would be boxed numbers.
  let a = 0x811c9dc5 | 0;
  let b = 0x27d4eb2f | 0;
  const pieces = 1 + 2 * assignments.length;
  for (let j = 0; j < pieces; j++) {
    let text: string;
    let tag: number;
    if (j === 0) {
      text = type;
      tag = 0;
    } else {
      const assignment = assignments[(j - 1) >> 1] as FieldAssignment;
      if (j & 1) {
        text = assignment.path;
        tag = 1;
      } else {
        const v = assignment.value;
        text = v.kind === 'text' ? v.text : v.kind === 'nil' ? '' : (JSON.stringify(v.value) ?? '');
        tag = v.kind === 'text' ? 2 : v.kind === 'nil' ? 3 : 4;
      }
    }
    // Each piece starts with its tag and length, so where one ends and the next begins always counts.
    const n = text.length;
    let word = (tag << 28) ^ n;
    a = Math.imul(a ^ word, 0x01000193);
    b = Math.imul(b ^ word, 0x85ebca6b);
    b = (b << 13) | (b >>> 19);
    let i = 0;
    for (; i + 1 < n; i += 2) {
      word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
      a = Math.imul(a ^ word, 0x01000193);
      b = Math.imul(b ^ word, 0x85ebca6b);
      b = (b << 13) | (b >>> 19);
    }
    if (i < n) {
      word = text.charCodeAt(i);
      a = Math.imul(a ^ word, 0x01000193);
      b = Math.imul(b ^ word, 0x85ebca6b);
      b = (b << 13) | (b >>> 19);
    }
  }
  return hex8(avalanche(a ^ Math.imul(b, 0x9e3779b1))) + hex8(avalanche(b + Math.imul(a, 0x7feb352d)));
}

/** The row hash versions: 1 (SHA-256, journal version 1) and 2 (see {@link rowHash}). */
export type RowHashVersion = 1 | 2;

/** The text version 1 hashes (version 2 reads the same characters in the same order). */
function rowHashText(type: string, assignments: readonly FieldAssignment[]): string {
  let text = type;
  for (const a of assignments) {
    const v = a.value;
    text += `\u0000${a.path}\u0001${v.kind === 'text' ? `t${v.text}` : v.kind === 'nil' ? 'n' : `j${JSON.stringify(v.value)}`}`;
  }
  return text;
}

/** Spreads every input bit over the output (murmur3's 32-bit finaliser constants). */
function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two hex digits per byte value (a table: number-to-text with a radix is slow). */
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return `${HEX_BYTES[n >>> 24]}${HEX_BYTES[(n >>> 16) & 0xff]}${HEX_BYTES[(n >>> 8) & 0xff]}${HEX_BYTES[n & 0xff]}`;
}

/** `row 17, column address.city: longer than 80` */
export function formatIssue(row: number, issue: RowIssue): string {
  const where = issue.column ?? issue.path;
  return `row ${row}${where ? `, column ${where}` : ''}: ${issue.message}`;
}
