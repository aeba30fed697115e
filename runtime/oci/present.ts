/**
 * Presents a decoded OCI-P response for any front end (CLI, bulk engine, Web CLI): its tables
 * as records, the whole response as JSON-ready values, CSV, or aligned text. Works on the
 * decoded value alone: a table is the one value shape `{ colHeading, row: [{ col }] }`
 * (runtime/oci/meta.ts), so no schema is needed.
 *
 * JSON rules: `null` means nil and nothing else; numbers that JSON cannot carry (NaN, ±Infinity,
 * possible in xs:float/xs:double) become their XSD spelling `"NaN"`, `"INF"`, `"-INF"`.
 */
import { ociJsonReplacer } from './codec.js';
import { camelKey, type OciTable, tableToCsv } from './table.js';
import type { OciCommand } from './values.js';

/** One table of a response, rows as records keyed by camelCase heading (`User Id` → `userId`). */
export interface ResponseTable {
  /** Dotted path of the table in the response (`userTable`, `details.numberTable`). */
  path: string;
  /** The raw headings as sent. */
  headings: string[];
  /** The record keys, one per heading, in heading order (camelCase; made unique with `_2`, `_3` … if two headings collide). */
  keys: string[];
  records: Record<string, string>[];
}

export interface JsonValueOptions {
  /** `records` (default): tables become arrays of records keyed by camelCase heading; `raw`: the wire shape (`colHeading`, `row`, `col`). */
  tables?: 'records' | 'raw';
}

/** True for a decoded OCITable value. */
export function isOciTable(value: unknown): value is OciTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.colHeading) && Array.isArray(v.row) && Object.keys(v).length === 2;
}

/**
 * camelKey of headings seen before: a response type sends the same few headings every time, and
 * a bulk read decodes thousands of its tables. Only short headings are kept, and at most
 * CAMEL_KEYS_MAX of them (cleared when full), so hostile headings cannot grow it.
 */
const camelKeys = new Map<string, string>();
const CAMEL_KEYS_MAX = 4096;
const CAMEL_KEY_CACHED_LENGTH = 100;

function cachedCamelKey(heading: string): string {
  if (heading.length > CAMEL_KEY_CACHED_LENGTH) return camelKey(heading);
  let key = camelKeys.get(heading);
  if (key === undefined) {
    if (camelKeys.size >= CAMEL_KEYS_MAX) camelKeys.clear();
    key = camelKey(heading);
    camelKeys.set(heading, key);
  }
  return key;
}

/** Unique camelCase record keys for a table's headings. */
export function recordKeys(headings: readonly string[]): string[] {
  const keys = new Array<string>(headings.length);
  let seen: Map<string, number> | undefined;
  for (let i = 0; i < headings.length; i++) {
    const base = cachedCamelKey(headings[i] as string) || `column${i + 1}`;
    // Most tables have no colliding keys: count only once a key repeats.
    let key = base;
    if (keys.indexOf(base) !== -1) {
      seen ??= new Map();
      const count = (seen.get(base) ?? 1) + 1;
      seen.set(base, count);
      key = `${base}_${count}`;
    }
    keys[i] = key;
  }
  return keys;
}

/** The rows of a table as records keyed by {@link recordKeys}. */
export function tableRecords(table: OciTable): Record<string, string>[] {
  return rowsAsRecords(table, recordKeys(table.colHeading));
}

function rowsAsRecords(table: OciTable, keys: readonly string[]): Record<string, string>[] {
  const rows = table.row;
  const records = new Array<Record<string, string>>(rows.length);
  const width = keys.length;
  for (let r = 0; r < rows.length; r++) {
    const cells = (rows[r] as { col: string[] }).col;
    const record: Record<string, string> = {};
    for (let i = 0; i < width; i++) record[keys[i] as string] = cells[i] ?? '';
    records[r] = record;
  }
  return records;
}

/** Every table of a response, in document order, with its path and records. */
export function responseTables(response: OciCommand | Record<string, unknown>): ResponseTable[] {
  const out: ResponseTable[] = [];
  const walk = (value: unknown, path: string): void => {
    if (isOciTable(value)) {
      out.push({ path, headings: [...value.colHeading], keys: recordKeys(value.colHeading), records: tableRecords(value) });
    } else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof value === 'object' && value !== null) {
      for (const [k, child] of Object.entries(value)) if (k !== '$type') walk(child, path ? `${path}.${k}` : k);
    }
  };
  walk(response, '');
  return out;
}

/**
 * The records of a response's first table in document order (as `responseTables(r)[0]`), or
 * undefined when it has none: walks only until the table is found and converts no other.
 */
export function firstTableRecords(response: OciCommand | Record<string, unknown>): Record<string, string>[] | undefined {
  const table = firstTableIn(response);
  return table && tableRecords(table);
}

/** The first table in `value`, in document order (a module function, not a closure per call: readers call this per answer). */
function firstTableIn(value: unknown): OciTable | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstTableIn(item);
      if (found) return found;
    }
    return undefined;
  }
  if (isOciTable(value)) return value;
  for (const k in value) {
    if (k === '$type') continue;
    const found = firstTableIn((value as Record<string, unknown>)[k]);
    if (found) return found;
  }
  return undefined;
}

/**
 * The records of the table at a path (`userTable`, `details.numberTable`, `list[0]`), as
 * `responseTables(r).find((t) => t.path === path)`; undefined when no table is there.
 */
export function tableRecordsAt(response: OciCommand | Record<string, unknown>, path: string): Record<string, string>[] | undefined {
  if (path.includes('[')) return responseTables(response).find((t) => t.path === path)?.records;
  let value: unknown = response;
  for (const name of path === '' ? [] : path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || name === '$type') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return isOciTable(value) ? tableRecords(value) : undefined;
}

/**
 * Some columns of the table at a path (as {@link tableRecordsAt} finds it), by record key
 * (`serviceName`, as in its records), each as the list of its cells: what a reader of a few
 * columns of a long table needs, without a record per row. A key the table lacks gives
 * undefined; no table there gives undefined.
 */
export function tableColumnsAt(response: OciCommand | Record<string, unknown>, path: string, keys: readonly string[]): (string[] | undefined)[] | undefined {
  let value: unknown = response;
  for (const name of path === '' ? [] : path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || name === '$type') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  if (!isOciTable(value)) return undefined;
  const recordKeysOfTable = recordKeys(value.colHeading);
  return keys.map((key) => {
    const i = recordKeysOfTable.indexOf(key);
    return i === -1 ? undefined : value.row.map((r) => r.col[i] ?? '');
  });
}

/** A JSON-ready copy of a response: tables as records (or raw), non-finite numbers spelled as in XSD. */
export function toJsonValue(response: unknown, options: JsonValueOptions = {}): unknown {
  const records = (options.tables ?? 'records') === 'records';
  const convert = (value: unknown): unknown => {
    if (typeof value === 'number') return jsonNumber(value);
    if (typeof value === 'bigint') return value.toString();
    if (Array.isArray(value)) return value.map(convert);
    if (typeof value === 'object' && value !== null) {
      if (records && isOciTable(value)) return tableRecords(value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = convert(v);
      return out;
    }
    return value;
  };
  return convert(response);
}

/** {@link toJsonValue} as indented JSON text with a final newline. */
export function toJsonText(response: unknown, options: JsonValueOptions = {}): string {
  return `${JSON.stringify(toJsonValue(response, options), null, 2)}\n`;
}

/** A number as JSON can carry it: finite numbers as is, NaN/±Infinity as `"NaN"`, `"INF"`, `"-INF"`. */
function jsonNumber(n: number): number | string {
  return ociJsonReplacer('', n) as number | string;
}

/** A scalar as text: nil as `(nil)`, non-finite numbers in their XSD spelling. */
function scalarText(value: unknown): string {
  if (value === null) return '(nil)';
  if (typeof value === 'number') return String(jsonNumber(value));
  return String(value);
}

/** Dotted-path key/value pairs of every value that is not inside a table (`$type` first; an empty `echo` left out). */
export function responseFields(response: OciCommand): [string, string][] {
  const out: [string, string][] = [['$type', response.$type]];
  const walk = (v: unknown, path: string): void => {
    if (isOciTable(v)) return;
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
    else if (v !== undefined) out.push([path, scalarText(v)]);
  };
  for (const [k, v] of Object.entries(response)) {
    if (k === '$type' || (k === 'echo' && v === '')) continue;
    walk(v, k);
  }
  return out;
}

/**
 * A response as CSV: its table (RFC 4180, CRLF), several tables as `# path` sections, or
 * `key,value` lines when it has no table.
 */
export function responseCsv(response: OciCommand): string {
  const tables = responseTables(response);
  const tableCsv = (t: ResponseTable) => tableToCsv({ colHeading: t.headings, row: t.records.map((r) => ({ col: t.keys.map((k) => r[k] ?? '') })) });
  if (tables.length === 1) return tableCsv(tables[0]!);
  if (tables.length > 1) return tables.map((t) => `# ${t.path}\r\n${tableCsv(t)}`).join('\r\n');
  return ['key,value', ...responseFields(response).map(([k, v]) => `${csvCell(k)},${csvCell(v)}`)].join('\r\n') + '\r\n';
}

/** A response as aligned text for a terminal: `OK` for SuccessResponse, else its fields, then each table aligned. */
export function responseText(response: OciCommand): string {
  if (response.$type === 'SuccessResponse') return 'OK\n';
  const fields = responseFields(response);
  const out: string[] = [];
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  for (const [k, v] of fields) out.push(`${k.padEnd(width)}  ${v}`);
  for (const t of responseTables(response)) {
    if (out.length > 0) out.push('');
    out.push(
      `${t.path} (${t.records.length} row${t.records.length === 1 ? '' : 's'}):`,
      ...alignedTable(
        t.headings,
        t.records.map((r) => t.keys.map((k) => r[k] ?? '')),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** A table as aligned text lines: headings, a rule, one line per row. */
export function alignedTable(headings: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => (cells[i] ?? '').padEnd(w))
      .join('  ')
      .trimEnd();
  return [line(headings), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
