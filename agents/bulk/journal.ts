import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { SECRET_FIELDS } from '../../runtime/oci/client/logging.js';
import { BulkJournalError } from './errors.js';

/**
 * The run journal: JSON Lines, appended by every run (dry runs too), written with a
 * synchronous write per batch so a killed process loses nothing it already reported.
 *
 * - `{"kind":"header",…}` starts each run: version, time, input path and SHA-256, release,
 *   server URL without credentials, mode and options.
 * - `{"kind":"sent","rows":[…]}` is written *before* a document goes out. A row that has a
 *   `sent` line but no outcome was in flight when the run stopped: it may have been
 *   processed, so `--resume` never sends it again (it reports it as `in-doubt`).
 * - `{"kind":"row",…}` is the outcome of one row: row number, row hash, request type,
 *   outcome, error code and text, milliseconds, the command sent (secrets masked) and, with
 *   `--backup`, the before-image (the matching Get's response).
 * - `{"kind":"summary",…}` closes a run that ended normally (aborted runs included).
 */

/** Version 2: row hashes of version 2 (rows.ts `rowHash`). A run resuming a version 1 journal writes version 1. */
export const JOURNAL_VERSION = 2;

/** What happened to a row. `valid`: a dry run found no problem. `in-doubt`: sent, outcome unknown. */
export type RowOutcome = 'ok' | 'valid' | 'invalid' | 'failed' | 'skipped' | 'in-doubt' | 'not-run';

export interface JournalHeader {
  kind: 'header';
  version: number;
  startedAt: string;
  input: { path: string; sha256: string; format: string; sheet?: string };
  release: string;
  /** Server URL with any credentials removed; absent for a dry run without a server. */
  url?: string;
  mode: 'dry-run' | 'apply' | 'undo';
  options: Record<string, unknown>;
}

export interface JournalRow {
  kind: 'row';
  row: number;
  hash: string;
  request?: string;
  outcome: RowOutcome;
  code?: string;
  error?: string;
  ms?: number;
  attempts?: number;
  /** The command as sent, secret fields masked. */
  command?: Record<string, unknown>;
  /** `--backup`: the Get response read before the row ran, secret fields masked. */
  before?: Record<string, unknown>;
  /** `--backup`: the type of the Get that produced `before`. */
  beforeRequest?: string;
}

export interface JournalSent {
  kind: 'sent';
  rows: number[];
}

export interface JournalSummary {
  kind: 'summary';
  endedAt: string;
  aborted: boolean;
  counts: Record<string, number>;
  ms: number;
  /** The run stopped because no session could be opened (runner.ts `BulkSetupFailure`). */
  setupFailure?: { kind: string; code: string; message: string };
}

export type JournalLine = JournalHeader | JournalRow | JournalSent | JournalSummary;

/**
 * Appends journal lines to a file (created when missing). Lines are gathered as bytes in a
 * buffer ({@link append}) and written with one system call ({@link flush}): no string of the
 * whole batch is made, and nothing waits on the JavaScript heap.
 */
export class JournalWriter {
  private fd: number | undefined;
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a');
    } catch (error) {
      throw new BulkJournalError(`${path}: cannot open the journal for writing (${(error as Error).message})`, { path }, error);
    }
  }

  /** Writes lines with one system call (they reach the file even if the process is killed right after). */
  write(...lines: JournalLine[]): void {
    if (lines.length === 0) return;
    // With what was appended before, in one system call.
    this.append(`${lines.map((l) => (l.kind === 'row' ? rowLineText(l) : JSON.stringify(l))).join('\n')}\n`);
    this.flush();
  }

  /** Adds ready-made lines (each ending in `\n`) to the next {@link flush}. */
  append(text: string): void {
    if (this.fd === undefined) return;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const needed = this.used + text.length * 3;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Writes what was appended, with one system call (it reaches the file even if the process is killed right after). */
  flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    let written = 0;
    while (written < this.used) written += writeSync(this.fd, this.buffer, written, this.used - written);
    this.used = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads every line of a journal; a torn last line (killed mid-write) is ignored. */
export function readJournal(path: string): JournalLine[] {
  if (!existsSync(path)) throw new BulkJournalError(`${path}: no such journal`, { path });
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: JournalLine[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      out.push(JSON.parse(text) as JournalLine);
    } catch (error) {
      if (i >= lines.length - 2) return; // the last line, cut by a kill
      throw new BulkJournalError(`${path}:${i + 1}: not a JSON line`, { path, line: i + 1 }, error);
    }
  });
  if (out[0]?.kind !== 'header') throw new BulkJournalError(`${path}: not a bulk journal (no header line)`, { path });
  return out;
}

/** Per row: the state that `--resume` needs, over every run of the journal in order. */
export interface ResumeState {
  /** Rows done (outcome `ok`) → their hash (the last run that sent the row wins). */
  done: Map<number, string>;
  /** Every `ok` outcome's hash → how many rows with that hash were sent with success, over all runs. */
  doneHashes: Map<string, number>;
  /** Rows sent without a known outcome. */
  inDoubt: Set<number>;
  /** The input of each run (header) of the journal, oldest first. */
  inputs: { path: string; sha256: string }[];
  /** The journal's version (its first header's): its row hashes are of that version. */
  version: number;
}

export function resumeState(lines: readonly JournalLine[]): ResumeState {
  const done = new Map<number, string>();
  const doneHashes = new Map<string, number>();
  const inDoubt = new Set<number>();
  const inputs: { path: string; sha256: string }[] = [];
  let version: number | undefined;
  for (const line of lines) {
    if (line.kind === 'header') {
      inputs.push({ path: line.input.path, sha256: line.input.sha256 });
      version ??= line.version;
    } else if (line.kind === 'sent') for (const r of line.rows) inDoubt.add(r);
    else if (line.kind === 'row') {
      if (line.outcome === 'ok') {
        done.set(line.row, line.hash);
        doneHashes.set(line.hash, (doneHashes.get(line.hash) ?? 0) + 1);
      }
      // A resumed run reports in-doubt rows again; that keeps them in doubt.
      if (line.outcome !== 'in-doubt') inDoubt.delete(line.row);
    }
  }
  return { done, doneHashes, inDoubt, inputs, version: version ?? JOURNAL_VERSION };
}

/**
 * The text of a row line: exactly what `JSON.stringify(line)` gives (same keys, same order,
 * undefined members left out), built field by field because a bulk run writes one per row.
 * `commandJson`, for a line without `command`: that member's JSON text, already made.
 */
export function rowLineText(line: JournalRow, commandJson?: string): string {
  let text = `{"kind":"row","row":${jsonNumber(line.row)},"hash":${jsonString(line.hash)}`;
  if (line.request !== undefined) text += `,"request":${jsonString(line.request)}`;
  text += `,"outcome":${jsonString(line.outcome)}`;
  if (line.code !== undefined) text += `,"code":${jsonString(line.code)}`;
  if (line.error !== undefined) text += `,"error":${JSON.stringify(line.error)}`;
  if (line.ms !== undefined) text += `,"ms":${jsonNumber(line.ms)}`;
  if (line.attempts !== undefined) text += `,"attempts":${jsonNumber(line.attempts)}`;
  if (line.command !== undefined) text += `,"command":${JSON.stringify(line.command)}`;
  else if (commandJson !== undefined) text += `,"command":${commandJson}`;
  if (line.before !== undefined) text += `,"before":${JSON.stringify(line.before)}`;
  if (line.beforeRequest !== undefined) text += `,"beforeRequest":${JSON.stringify(line.beforeRequest)}`;
  return `${text}}`;
}

/** Characters JSON.stringify writes otherwise than as themselves (quote, backslash, controls) or checks (surrogates). */
const JSON_SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(text)`; text with nothing to escape is only quoted. */
function jsonString(text: string): string {
  return JSON_SPECIAL.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

const SECRETS = new Set(SECRET_FIELDS);

/**
 * `value` with every secret field's value replaced by `***`, copying only the objects and
 * arrays on the way to a secret: the rest is shared with `value`, which is never modified.
 * For values that are serialised at once (journal lines); {@link redactSecrets} gives a deep copy.
 */
export function maskSecrets<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const masked = maskSecrets(item);
      if (masked !== item) {
        copy ??= value.slice();
        copy[i] = masked;
      }
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const v = object[key];
    const masked = SECRETS.has(key) && v !== null ? '***' : typeof v === 'object' && v !== null ? maskSecrets(v) : v;
    if (masked !== v) {
      copy ??= { ...object };
      copy[key] = masked;
    }
  }
  return (copy ?? value) as T;
}

/** A deep copy with every secret field's value replaced by `***` (journals never hold secrets). */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    out[key] = SECRETS.has(key) && v !== null ? '***' : typeof v === 'object' && v !== null ? redactSecrets(v) : v;
  }
  return out as T;
}

/** The URL without user info (credentials never reach the journal). */
export function urlWithoutCredentials(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
