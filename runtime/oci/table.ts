/**
 * Helpers over decoded OCITable values (`{ colHeading, row: [{ col }] }`). Columns are found
 * by heading, never by position: BroadWorks may move or add columns between releases.
 */
import { ThorsHammerError } from '../errors.js';

/** A decoded `C:OCITable`: raw headings as sent, and rows of string cells ("" for `<col/>`). */
export interface OciTable {
  colHeading: string[];
  row: { col: string[] }[];
}

/** A problem with a table: unknown heading, key collision, malformed table value. */
export class OciTableError extends ThorsHammerError {
  constructor(
    code: 'TH_ERR_OCI_TABLE_COLUMN' | 'TH_ERR_OCI_TABLE_KEY_COLLISION' | 'TH_ERR_OCI_TABLE_SHAPE',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, { context });
  }
}

/**
 * Checks the whole value, not just its top level: tables built in JavaScript (or decoded from
 * hostile input) may have a null row, a row without `col`, or cells that are not strings. The
 * error names the first bad place (`row[3].col[1]`). Linear in the number of cells.
 */
function checkShape(table: OciTable): void {
  const shape = 'expected { colHeading: string[], row: { col: string[] }[] }';
  if (typeof table !== 'object' || table === null || !Array.isArray(table.colHeading) || !Array.isArray(table.row)) {
    throw new OciTableError('TH_ERR_OCI_TABLE_SHAPE', `not an OCI table: ${shape}`);
  }
  const bad = (where: string, what: string): never => {
    throw new OciTableError('TH_ERR_OCI_TABLE_SHAPE', `not an OCI table: ${where} is ${what}; ${shape}`, { path: where });
  };
  const headings = table.colHeading;
  for (let i = 0; i < headings.length; i++) if (typeof headings[i] !== 'string') bad(`colHeading[${i}]`, describe(headings[i]));
  const rows = table.row;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as unknown;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) bad(`row[${r}]`, describe(row));
    const cells = (row as { col?: unknown }).col;
    if (!Array.isArray(cells)) bad(`row[${r}].col`, describe(cells));
    for (let c = 0; c < (cells as unknown[]).length; c++) {
      const cell = (cells as unknown[])[c];
      if (typeof cell !== 'string') bad(`row[${r}].col[${c}]`, describe(cell));
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The cells of one column, by raw heading (`'User Id'`). Throws for an unknown heading, listing the known ones. */
export function column(table: OciTable, heading: string): string[] {
  checkShape(table);
  const i = table.colHeading.indexOf(heading);
  if (i === -1) {
    throw new OciTableError('TH_ERR_OCI_TABLE_COLUMN', `no column '${heading}' (columns: ${table.colHeading.join(', ')})`, {
      heading,
      headings: table.colHeading,
    });
  }
  return table.row.map((r) => r.col[i] ?? '');
}

/**
 * Normalises a heading to a camelCase key: `Line/Port` → `linePort`, `User Id` → `userId`,
 * `Mac Address` → `macAddress`, `URI` → `uri`, `SIP Contact` → `sipContact`.
 */
export function camelKey(heading: string): string {
  // One pass over the heading (no split into an array of words first): a 1 MB heading of short
  // words from hostile input costs linear time and one string per word.
  let out = '';
  const n = heading.length;
  let i = 0;
  let first = true;
  while (i < n) {
    while (i < n && !isWordCodePoint(heading.codePointAt(i)!)) i += heading.codePointAt(i)! > 0xffff ? 2 : 1;
    if (i >= n) break;
    const start = i;
    let asciiOnly = true;
    let hasLower = false;
    for (; i < n; ) {
      const cp = heading.codePointAt(i)!;
      if (!isWordCodePoint(cp)) break;
      if (cp >= 128) asciiOnly = false;
      else if (cp >= 97 && cp <= 122) hasLower = true;
      i += cp > 0xffff ? 2 : 1;
    }
    const w = heading.slice(start, i);
    // An all-capitals word is an acronym: lower it whole (URI → uri, SIP → sip / Sip).
    const acronym = asciiOnly ? !hasLower : w === w.toUpperCase();
    const lower = acronym ? w.toLowerCase() : w.charAt(0).toLowerCase() + w.slice(1);
    out += first ? lower : lower.charAt(0).toUpperCase() + lower.slice(1);
    first = false;
  }
  return out;
}

const NON_ASCII_WORD = /[\p{L}\p{N}]/u;

/** Letters and digits of any script (what `\p{L}` and `\p{N}` match). */
function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || (cp >= 48 && cp <= 57);
  return NON_ASCII_WORD.test(String.fromCodePoint(cp));
}

/**
 * The rows as records keyed by heading: raw headings (default) or camelCase keys
 * (`{ keys: 'camel' }`). Two headings normalising to the same key throw, never overwrite.
 */
export function toRecords(table: OciTable, options: { keys?: 'raw' | 'camel' } = {}): Record<string, string>[] {
  checkShape(table);
  const keys = options.keys === 'camel' ? table.colHeading.map(camelKey) : table.colHeading;
  const seen = new Map<string, string>();
  keys.forEach((k, i) => {
    const other = seen.get(k);
    if (other !== undefined || k === '') {
      throw new OciTableError(
        'TH_ERR_OCI_TABLE_KEY_COLLISION',
        k === ''
          ? `heading '${table.colHeading[i]}' gives an empty key`
          : `headings '${other}' and '${table.colHeading[i]}' both map to the key '${k}'; use keys: 'raw'`,
        { key: k, headings: table.colHeading },
      );
    }
    seen.set(k, table.colHeading[i]!);
  });
  return table.row.map((r) => {
    const rec: Record<string, string> = {};
    for (let i = 0; i < keys.length; i++) rec[keys[i]!] = r.col[i] ?? '';
    return rec;
  });
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 CSV: a heading line, then one line per row; fields with `"`, `,`, line breaks or edge spaces are quoted. CRLF line ends. */
export function tableToCsv(table: OciTable): string {
  checkShape(table);
  const lines = [table.colHeading.map(csvField).join(',')];
  for (const r of table.row) lines.push(table.colHeading.map((_, i) => csvField(r.col[i] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** JSON array of records keyed by raw heading. */
export function tableToJson(table: OciTable): string {
  return JSON.stringify(toRecords(table), null, 2);
}
