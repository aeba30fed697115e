/**
 * Presents a decoded OCI-P response for any front end (CLI, bulk engine, Web CLI): its tables
 * as records, the whole response as JSON-ready values, CSV, or aligned text. Works on the
 * decoded value alone: a table is the one value shape `{ colHeading, row: [{ col }] }`
 * (runtime/oci/meta.ts), so no schema is needed.
 *
 * JSON rules: `null` means nil and nothing else; numbers that JSON cannot carry (NaN, ±Infinity,
 * possible in xs:float/xs:double) become their XSD spelling `"NaN"`, `"INF"`, `"-INF"`.
 */
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

/** Unique camelCase record keys for a table's headings. */
export function recordKeys(headings: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return headings.map((h, i) => {
    const base = camelKey(h) || `column${i + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

/** The rows of a table as records keyed by {@link recordKeys}. */
export function tableRecords(table: OciTable): Record<string, string>[] {
  const keys = recordKeys(table.colHeading);
  return table.row.map((r) => {
    const record: Record<string, string> = {};
    keys.forEach((k, i) => {
      record[k] = r.col[i] ?? '';
    });
    return record;
  });
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
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'INF' : '-INF';
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
