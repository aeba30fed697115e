import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, realpathSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isThorsHammerError } from '../../runtime/errors.js';
import { type BatchResult, MAX_COMMANDS_PER_DOCUMENT, type OciClient, type OciClientOptions, newestGeneratedRelease } from '../../runtime/oci/client.js';
import { OciSessionPool } from '../../runtime/oci/client/pool.js';
import type { OciCommand, SendableCommand } from '../../runtime/oci/codec.js';
import { isReadOnlyRequest } from '../../runtime/oci/names.js';
import { OciError, OciLoginError } from '../../runtime/oci/oci-error.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { type Cell, type CsvEncoding, type CsvRecord, CsvParser, csvCell, csvEncoding, csvLine, readCsvChunks } from './csv.js';
import { BulkInputError, BulkJournalError, BulkOptionsError } from './errors.js';
import { backupCommand, prepareRelatedTypes } from './inverse.js';
import { type PlanEntry, Preflight } from './preflight.js';
import {
  JOURNAL_VERSION,
  type JournalHeader,
  type JournalRow,
  type JournalSent,
  JournalWriter,
  type ResumeState,
  type RowOutcome,
  maskSecrets,
  readJournal,
  redactSecrets,
  resumeState,
  rowLineText,
  urlWithoutCredentials,
} from './journal.js';
import { type BulkPreset, loadPresets } from './presets.js';
import { type PreparedRow, type RowHashVersion, type RowIssue, RowMapper, formatIssue, resolveBulkRequest } from './rows.js';
import { countXlsxRecords, readXlsxChunks } from './xlsx.js';

/** Connection settings for `apply`: the client options of every session of the pool. */
export type BulkConnection = OciClientOptions;

export interface BulkRunOptions {
  /** The CSV or XLSX file (format by extension unless `format` is given). */
  input: string;
  format?: 'csv' | 'xlsx';
  /** XLSX: the worksheet name (default: the first). */
  sheet?: string;
  /** CSV: `utf-8` (default, BOM or not) or `iso-8859-1`. */
  encoding?: string;
  /** Request type, family, `Family@latest` or preset for rows without a `request`/`operation` cell. */
  request?: string;
  /** Defaults for every row (`--set key=value`): field path → cell text. */
  set?: Readonly<Record<string, string>>;
  /** The cell text meaning xsi:nil (default `null`). */
  nilToken?: string;
  /** A folder of extra preset JSON files. */
  presetsDir?: string;
  release?: string;
  schema?: OciSchema;
  /**
   * Send the rows (default: a dry run that only validates). Rows whose request only reads
   * (a `Get` family, see {@link isReadOnlyRequest}) are sent without it whenever `connection` is given.
   */
  apply?: boolean;
  /** Server and login, for `apply`, `preflight` and read-only rows. */
  connection?: BulkConnection;
  /** Sessions of the pool (default 2). */
  sessions?: number;
  /** Commands per document (1..15, default 15). 1 sends one command per document. */
  batchSize?: number;
  /** Stop sending new rows once this many rows have failed (invalid or refused). */
  maxErrors?: number;
  /** Journal file (default `<input>.journal.jsonl`; with `resume`, that journal); `false` for none. */
  journal?: string | false;
  /** A previous run's journal: rows done there with the same hash are skipped. */
  resume?: string;
  /** Write the failed rows here as CSV with an `error` column. */
  failedOut?: string;
  /** Check against the server (read-only) that each row's service provider, group, device and user exist, or not, as its request needs; needs `connection`. */
  preflight?: boolean;
  /** Read the current state of Modify/Delete targets first and keep it in the journal (for undo). */
  backup?: boolean;
  /** Attempts for a transient failure (connection refused before sending, NO_OCS_CONNECTION); default 3. */
  retries?: number;
  /** Base of the exponential backoff between attempts (default 200 ms). */
  backoffMs?: number;
  /** Stops the run: the batches in flight finish, the journal is written, the summary reports `aborted`. */
  signal?: AbortSignal;
  /** Receives every event as it happens. */
  onEvent?: (event: BulkEvent) => void;
}

export interface BulkCounts {
  ok: number;
  valid: number;
  invalid: number;
  failed: number;
  skipped: number;
  inDoubt: number;
  notRun: number;
}

export interface BulkSummary {
  mode: 'dry-run' | 'apply';
  /** Data rows in the input. */
  total: number;
  counts: BulkCounts;
  ms: number;
  rowsPerSecond: number;
  journal?: string;
  failedOut?: string;
  aborted: boolean;
  /** True when `maxErrors` stopped the run. */
  stoppedByMaxErrors: boolean;
  /** Set when the run stopped because no session could be opened (see {@link BulkSetupFailure}). */
  setupFailure?: BulkSetupFailure;
  /** 0: every row fine; 1: row errors (or rows not run); 2: a setup failure stopped the run. */
  exitCode: 0 | 1 | 2;
}

/**
 * Why a run stopped before any session could be opened: the server refused the login (`login`:
 * a wrong password or user, an ErrorResponse such as 4962, or TH_ERR_OCI_LOGIN) or could not be
 * reached (`connect`: refused, timed out, TLS, after the retries). Nothing was sent; the rows
 * not sent are `not-run`. Once a session has been opened, connection losses are row failures.
 */
export interface BulkSetupFailure {
  kind: 'login' | 'connect';
  /** The error's code (TH_ERR_OCI_ERROR_RESPONSE, TH_ERR_OCI_LOGIN, TH_ERR_OCI_CONNECT, …). */
  code: string;
  /** One line for the user: what failed, where, and the server's or transport's words. */
  message: string;
  /** How many times the session was tried (a refused login is not tried again). */
  attempts: number;
}

export type BulkEvent =
  | { type: 'start'; mode: 'dry-run' | 'apply'; total: number; journal?: string }
  | {
      type: 'row';
      row: number;
      outcome: RowOutcome;
      request?: string;
      issues?: RowIssue[];
      error?: { code: string; message: string };
      plan?: PlanEntry;
      /** The server's answer to a row sent with success (`ok`). */
      response?: Record<string, unknown>;
    }
  | { type: 'progress'; done: number; total: number; counts: BulkCounts; elapsedMs: number }
  /** The run stops: no session could be opened (once, before `end`; the summary has it too). */
  | { type: 'setup-failed'; failure: BulkSetupFailure }
  | { type: 'end'; summary: BulkSummary };

const COUNT_KEY: Record<RowOutcome, keyof BulkCounts> = {
  ok: 'ok',
  valid: 'valid',
  invalid: 'invalid',
  failed: 'failed',
  skipped: 'skipped',
  'in-doubt': 'inDoubt',
  'not-run': 'notRun',
};

/** Outcome lines written per system call when no document is sent (dry run, invalid rows). */
const JOURNAL_FLUSH_LINES = 32;

/** What {@link BulkRun.takeRecords} returns when a chunk's records are used up, and when the run stops reading. */
const CHUNK_DONE = 'chunk-done';
const STOP = 'stop';

/**
 * A new empty list for objects (rows, waiting callbacks, commands). One allocation site for
 * every such list of a run: V8 then creates them all ready for objects, whereas a list from
 * another site (a field's initial `[]`) would start ready only for small integers, and its first
 * item would throw away the optimised code of whatever adds to it, at the start of every run.
 */
function newList<T extends object>(): T[] {
  return [];
}

/** Rows whose server checks go out together with `preflight`. */
const PREFLIGHT_WINDOW = 150;

/** Codes of failures that happen before a command reaches the server, so a resend is safe. */
const BEFORE_SENDING = new Set(['TH_ERR_OCI_CONNECT', 'TH_ERR_OCI_CONNECT_TIMEOUT']);

/** A login refused by the server (an ErrorResponse to the login, or a login exchange that cannot go on). */
function isLoginRefusal(error: unknown): boolean {
  return error instanceof OciError || error instanceof OciLoginError;
}

/** True when the command provably was not processed: a refused connection, or the SOAP NO_OCS_CONNECTION fault. */
export function isTransient(error: unknown): boolean {
  if (!isThorsHammerError(error)) return false;
  if (BEFORE_SENDING.has(error.code)) return true;
  return error.code === 'TH_ERR_OCI_SOAP_FAULT' && (error as unknown as { retryable?: boolean }).retryable === true;
}

/**
 * Reads the input's SHA-256 and counts its records (the header included), each in a streaming
 * pass; the run itself streams the records again. A workbook's records are counted by reading
 * the worksheet (see countXlsxRecords).
 */
async function scanInput(path: string, format: 'csv' | 'xlsx', encoding: CsvEncoding, sheet: string | undefined): Promise<{ sha256: string; records: number }> {
  const hash = createHash('sha256');
  const parser = format === 'csv' ? CsvParser.counter() : undefined;
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  let records = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (parser) for (const _ of parser.feed(decoder.decode(chunk, { stream: true }))) records++;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new BulkInputError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(error as Error).message})`, { path }, error);
  }
  if (parser) records += parser.push(decoder.decode()).length + safeEnd(parser);
  else records = await countXlsxRecords(path, { sheet });
  return { sha256: hash.digest('hex'), records };
}

function safeEnd(parser: CsvParser): number {
  try {
    return parser.end().length;
  } catch {
    return 0;
  }
}

/** Runs a bulk file: validates every row, and with `apply` sends them. Resolves with the summary; row problems never throw. */
export async function runBulk(options: BulkRunOptions): Promise<BulkSummary> {
  return new BulkRun(options).run();
}

/** The same run as an async iterator of its events (the last one is `end`, with the summary). */
export async function* bulkEvents(options: Omit<BulkRunOptions, 'onEvent'>): AsyncGenerator<BulkEvent> {
  const queue: BulkEvent[] = [];
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  let finished = false;
  const done = runBulk({
    ...options,
    onEvent: (event) => {
      queue.push(event);
      wake?.();
    },
  }).then(
    () => {
      finished = true;
      wake?.();
    },
    (error: unknown) => {
      failure = { error };
      finished = true;
      wake?.();
    },
  );
  for (;;) {
    while (queue.length > 0) yield queue.shift() as BulkEvent;
    if (failure) throw failure.error;
    if (finished) break;
    await new Promise<void>((r) => {
      wake = r;
    });
    wake = undefined;
  }
  await done;
}

/** A sent row's answer, with its before-image when `backup` read one. */
interface RowAnswer {
  row: PreparedRow;
  result: BatchResult;
  before?: Record<string, unknown>;
  beforeRequest?: string;
}

interface InFlight {
  rows: PreparedRow[];
  promise: Promise<void>;
}

class BulkRun {
  private readonly mode: 'dry-run' | 'apply';
  private readonly counts: BulkCounts = { ok: 0, valid: 0, invalid: 0, failed: 0, skipped: 0, inDoubt: 0, notRun: 0 };
  private readonly started = performance.now();
  private total = 0;
  private done = 0;
  private errors = 0;
  private stoppedByMaxErrors = false;
  private journal: JournalWriter | undefined;
  /** Journal lines appended and not written yet. */
  private pendingCount = 0;
  private flushScheduled = false;
  private failedOut: { fd: number; columns: number[] } | undefined;
  private failedLines: string[] = [];
  private pool: OciSessionPool | undefined;
  private schema!: OciSchema;
  private resume: ResumeState | undefined;
  /** Resuming a journal of the same file whose content changed since: done rows are matched by hash alone. */
  private resumeByHash = false;
  /** Set once a session of the pool has logged in: later connection failures are row failures. */
  private sessionOpened = false;
  private setupFailure: BulkSetupFailure | undefined;
  /** The first session's opening, shared by every document and preflight window that waits for it. */
  private firstSession: Promise<boolean> | undefined;
  /** The journal to open once the input's header row has been read (an empty input gets no journal). */
  private journalToOpen: { path: string; header: JournalHeader } | undefined;
  private readonly inFlight = new Set<InFlight>();
  /** Dispatches waiting for a document in flight to finish. */
  private readonly slotWaiters = newList<() => void>();
  private readonly groupsInFlight = new Map<string, InFlight>();
  private lastProgress = 0;
  private batch = newList<PreparedRow>();
  private mapper: RowMapper | undefined;
  /** True until the first record after the header (a template's hints row is skipped). */
  private atFirstRow = true;
  /** Preflight: rows waiting for their window's server checks. */
  private window = newList<PreparedRow>();
  private preflight: Preflight | undefined;
  private readonly readOnlyTypes = new Map<string, boolean>();
  /** `backup`: request types whose Gets are loaded. */
  private readonly backupTypes = new Set<string>();

  constructor(private readonly options: BulkRunOptions) {
    this.mode = options.apply ? 'apply' : 'dry-run';
    const { batchSize, sessions, maxErrors } = options;
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_COMMANDS_PER_DOCUMENT)) {
      throw new BulkOptionsError(`batch size must be 1..${MAX_COMMANDS_PER_DOCUMENT}, got ${batchSize}`);
    }
    if (sessions !== undefined && (!Number.isInteger(sessions) || sessions < 1))
      throw new BulkOptionsError(`sessions must be a positive integer, got ${sessions}`);
    if (maxErrors !== undefined && (!Number.isInteger(maxErrors) || maxErrors < 1))
      throw new BulkOptionsError(`max errors must be a positive integer, got ${maxErrors}`);
    if (options.apply && !options.connection) throw new BulkOptionsError('apply needs a server: give --url and --user');
    if (options.preflight && !options.connection) throw new BulkOptionsError('preflight reads the server: give --url and --user');
  }

  /** Row hashes as the resumed journal has them (a version 1 journal keeps version 1), else the current version. */
  private get hashVersion(): RowHashVersion {
    return this.resume?.version === 1 ? 1 : 2;
  }

  private get stopping(): boolean {
    return this.stoppedByMaxErrors || this.setupFailure !== undefined || this.options.signal?.aborted === true;
  }

  /** The `error` cell of a row the run did not get to (failed-rows file). */
  private get notRunReason(): string {
    if (this.setupFailure) return `not run: the run stopped: ${this.setupFailure.message}`;
    if (this.stoppedByMaxErrors) return `not run: the run stopped after ${this.options.maxErrors} failed rows (max errors)`;
    if (this.options.signal?.aborted) return 'not run: the run was aborted';
    return 'not run';
  }

  async run(): Promise<BulkSummary> {
    const o = this.options;
    const format = o.format ?? (extname(o.input).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv');
    const encoding = csvEncoding(o.encoding);
    const presets = loadPresets(o.presetsDir);
    this.schema = o.schema ?? (await OciSchema.load(o.release ?? o.connection?.release ?? newestGeneratedRelease()));
    if (o.request !== undefined) {
      const resolved = await resolveBulkRequest(this.schema, presets, o.request);
      if ('code' in resolved) throw new BulkOptionsError(resolved.message, { request: o.request, suggestions: resolved.suggestions });
    }
    if (o.resume) this.resume = resumeState(readJournal(o.resume));
    const scan = await scanInput(o.input, format, encoding, o.sheet);
    if (o.resume) this.checkResumedInput(o.resume, o.input, scan.sha256);

    // Chunks of records: one asynchronous step per chunk, not per row.
    const records: AsyncIterable<Iterable<CsvRecord>> = format === 'xlsx' ? readXlsxChunks(o.input, { sheet: o.sheet }) : readCsvChunks(o.input, { encoding });
    this.total = Math.max(0, scan.records - 1);

    const journalPath = o.journal === false ? undefined : resolve(o.journal ?? o.resume ?? `${o.input}.journal.jsonl`);
    if (journalPath) {
      const header: JournalHeader = {
        kind: 'header',
        version: this.hashVersion === 1 ? 1 : JOURNAL_VERSION,
        startedAt: new Date().toISOString(),
        input: { path: resolve(o.input), sha256: scan.sha256, format, sheet: o.sheet },
        release: this.schema.release,
        url: urlWithoutCredentials(o.connection?.url),
        mode: this.mode,
        options: {
          request: o.request,
          set: o.set ? redactSecrets(o.set) : undefined,
          nilToken: o.nilToken,
          sessions: o.sessions,
          batchSize: o.batchSize,
          maxErrors: o.maxErrors,
          resume: o.resume,
          backup: o.backup,
          user: o.connection?.userId,
        },
      };
      this.journalToOpen = { path: journalPath, header };
    }
    this.emit({ type: 'start', mode: this.mode, total: this.total, journal: journalPath });

    // The pool is made (its sessions open on first use) before the rows, not by the first
    // document: a branch taken once per run would throw away the dispatch's optimised code.
    if (o.connection !== undefined) this.openPool();
    try {
      await this.process(records, presets);
    } catch (error) {
      // A setup or input error: what was sent still gets its answer and its journal line.
      await this.settle();
      this.journal?.close();
      throw error;
    }
    await this.settle();
    this.counts.notRun += Math.max(0, this.total - this.done);
    const failure = this.setupFailure;
    const ms = performance.now() - this.started;
    const c = this.counts;
    const summary: BulkSummary = {
      mode: this.mode,
      total: this.total,
      counts: { ...c },
      ms: Math.round(ms),
      rowsPerSecond: Math.round(((c.ok + c.failed + c.valid + c.invalid) / Math.max(ms, 1)) * 1000),
      journal: journalPath,
      failedOut: o.failedOut,
      aborted: o.signal?.aborted === true,
      stoppedByMaxErrors: this.stoppedByMaxErrors,
      ...(failure ? { setupFailure: failure } : {}),
      exitCode: failure ? 2 : c.invalid + c.failed + c.inDoubt + c.notRun > 0 ? 1 : 0,
    };
    this.journal?.write({
      kind: 'summary',
      endedAt: new Date().toISOString(),
      aborted: summary.aborted,
      counts: { ...c },
      ms: summary.ms,
      setupFailure: failure,
    });
    this.journal?.close();
    this.emit({ type: 'progress', done: this.done, total: this.total, counts: { ...c }, elapsedMs: summary.ms });
    this.emit({ type: 'end', summary });
    return summary;
  }

  /**
   * `--resume`: the journal must be of this input. Two inputs are of one lineage when they have
   * the same content (SHA-256, wherever the file now lies) or are the same file (the user edited
   * it); every run of the journal (header line) must be of this input's lineage. When some run
   * had other content, done rows are matched by their hash alone (row numbers may have moved).
   * Checked before anything is sent or appended.
   */
  private checkResumedInput(journal: string, input: string, sha256: string): void {
    const resume = this.resume as ResumeState;
    const path = resolve(input);
    const realPath = (p: string) => (existsSync(p) ? realpathSync(p) : p);
    const nodes = [{ path, sha256, real: realPath(path) }, ...resume.inputs.map((i) => ({ ...i, real: realPath(i.path) }))];
    const related = (a: (typeof nodes)[number], b: (typeof nodes)[number]) => a.sha256 === b.sha256 || a.path === b.path || a.real === b.real;
    const reached = new Set([nodes[0]]);
    for (const todo = [nodes[0]]; todo.length > 0; ) {
      const from = todo.pop() as (typeof nodes)[number];
      for (const node of nodes) {
        if (reached.has(node) || !related(from, node)) continue;
        reached.add(node);
        todo.push(node);
      }
    }
    const foreign = nodes.find((n) => !reached.has(n));
    if (foreign) {
      throw new BulkJournalError(
        `${journal} is the journal of another input: it ran ${foreign.path}, not ${path} (another file, with other content); resume the journal of ${path}, or run it without --resume`,
        { journal, input: path, journalInput: foreign.path },
      );
    }
    this.resumeByHash = resume.inputs.some((i) => i.sha256 !== sha256);
  }

  /** Waits for the documents in flight, writes what is pending, closes the pool and the failed-rows file. */
  private async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight].map((f) => f.promise));
    this.flushLines();
    if (this.pool) await this.pool.close().catch(() => undefined);
    this.closeFailedOut();
  }

  /**
   * Reads the records chunk by chunk. The per-record work is in {@link takeRecords}, a plain
   * method called once per wait: an async function that loops over every row runs its whole
   * loop in the code it was entered with, so each run would start from unoptimised code again.
   * The header and the first data row (a template's hints row?) go through {@link openRecords},
   * so the steady loop has no branch that only a run's first records take: a branch without
   * type feedback would throw the loop's optimised code away at the start of every run.
   */
  private async process(records: AsyncIterable<Iterable<CsvRecord>> | Iterable<Iterable<CsvRecord>>, presets: Map<string, BulkPreset>): Promise<void> {
    // Once stopped, the rest is read only for the failed-rows file (each record as not run).
    const readRest = this.options.failedOut !== undefined;
    reading: for await (const chunk of records) {
      const iterator = chunk[Symbol.iterator]();
      if (this.mapper === undefined || this.atFirstRow) {
        const step = this.openRecords(iterator, presets);
        if (step === STOP) {
          if (readRest) this.notRead(iterator);
          else break reading;
        }
        if (step === CHUNK_DONE || step === STOP) continue;
        if (step !== undefined) await step;
      }
      const mapper = this.mapper as RowMapper;
      for (;;) {
        const step = this.takeRecords(iterator, mapper);
        if (step === CHUNK_DONE) break;
        if (step === STOP) {
          if (!readRest) break reading;
          this.notRead(iterator);
          break;
        }
        await step;
      }
    }
    if (this.mapper === undefined) throw new BulkInputError(`${this.options.input}: no header (the input is empty)`, { path: this.options.input });
    const lastWindow = this.window;
    this.window = newList<PreparedRow>();
    if (lastWindow.length > 0) await this.preflightWindow(lastWindow);
    if (this.batch.length > 0 && !this.stopping) await this.dispatch(this.batch);
    else for (const row of this.batch) this.finish(row, 'not-run');
    this.batch = newList<PreparedRow>();
  }

  /**
   * The header (the run's row mapper) and the first data row, skipped when it is a template's
   * hints row. Undefined or a wait once both are taken, with the chunk's other records left.
   */
  private openRecords(records: Iterator<CsvRecord>, presets: Map<string, BulkPreset>): Promise<void> | typeof CHUNK_DONE | typeof STOP | undefined {
    for (let next = records.next(); next.done !== true; next = records.next()) {
      const record = next.value;
      if (this.mapper === undefined) {
        this.startMapper(record, presets);
        continue;
      }
      this.atFirstRow = false;
      if (RowMapper.isHintsRow(record.cells)) {
        this.total--;
        return undefined;
      }
      if (this.stopping) {
        this.notReadRecord(record);
        return STOP;
      }
      // The first row resolves its request (its type's modules may still have to load).
      return this.mapper.prepare(record).then((row) => this.take(row));
    }
    return CHUNK_DONE;
  }

  /**
   * Handles a chunk's records until one must wait (a full pool, a request still loading, a
   * preflight window): returns that wait, CHUNK_DONE once the chunk is used up, STOP to stop reading.
   */
  private takeRecords(records: Iterator<CsvRecord>, mapper: RowMapper): Promise<void> | typeof CHUNK_DONE | typeof STOP {
    for (let next = records.next(); next.done !== true; next = records.next()) {
      const record = next.value;
      if (this.stopping) {
        this.notReadRecord(record);
        return STOP;
      }
      // Most rows need no promise: their request is resolved and nothing is full (see handle).
      const row = mapper.prepareKnown(record);
      const waiting = row === undefined ? mapper.prepare(record).then((prepared) => this.take(prepared)) : this.take(row);
      if (waiting !== undefined) return waiting;
    }
    return CHUNK_DONE;
  }

  /** The records of a chunk the run stopped before reading (see {@link notReadRecord}). */
  private notRead(records: Iterator<CsvRecord>): void {
    for (let next = records.next(); next.done !== true; next = records.next()) this.notReadRecord(next.value);
  }

  /**
   * A record the run stopped before reading: a line of the failed-rows file, as not run (the
   * summary counts it). When resuming, a row the journal shows done is still skipped, and a row in
   * doubt stays in doubt, so that the failed-rows file never holds a row that may have run.
   */
  private notReadRecord(record: CsvRecord): void {
    if (this.failedOut === undefined) return;
    if (this.resume && this.mapper) {
      const row = this.mapper.prepareKnown(record);
      if (row && this.resumed(row)) return;
    }
    this.failedLines.push(failedRowLine(record.cells, this.failedOut.columns, this.notRunReason));
    if (this.failedLines.length >= JOURNAL_FLUSH_LINES) this.flushLines();
  }

  /** The header record: the run's row mapper, and the failed-rows file with the same columns. */
  private startMapper(header: CsvRecord, presets: Map<string, BulkPreset>): void {
    this.mapper = new RowMapper(header.cells, {
      schema: this.schema,
      request: this.options.request,
      presets,
      set: this.options.set,
      nilToken: this.options.nilToken,
      hashVersion: this.hashVersion,
      // The cells are only for the failed-rows file.
      keepCells: this.options.failedOut !== undefined,
      // A dry run without a server sends nothing (with one, read-only rows go out).
      encode: this.mode === 'apply' || this.options.connection !== undefined,
    });
    this.openJournal();
    this.openFailedOut(this.mapper.header);
  }

  /** Opens the journal and writes the run's header line (once the input has shown its header row). */
  private openJournal(): void {
    if (this.journalToOpen === undefined) return;
    this.journal = new JournalWriter(this.journalToOpen.path);
    this.journal.write(this.journalToOpen.header);
    this.journalToOpen = undefined;
  }

  /** A prepared row: handled now, or with preflight gathered into a window that reads the server once. */
  private take(row: PreparedRow): Promise<void> | undefined {
    if (!this.options.preflight) return this.handle(row);
    this.window.push(row);
    if (this.window.length < PREFLIGHT_WINDOW) return undefined;
    const full = this.window;
    this.window = newList<PreparedRow>();
    return this.preflightWindow(full);
  }

  private async preflightWindow(rows: PreparedRow[]): Promise<void> {
    // The checks read the server: its session opens first, so a refused login stops the run as it does for sending.
    if (this.sessionOpened || (await this.sessionReady())) {
      const checkable = rows.filter((r) => r.issues.length === 0 && r.command);
      this.preflight ??= new Preflight(this.schema, this.openPool());
      const results = await this.preflight.check(checkable.map((r) => r.command as OciCommand));
      checkable.forEach((row, i) => {
        const { issues, plan } = results[i] as (typeof results)[number];
        row.issues.push(...issues);
        row.plan = plan;
      });
    }
    for (const row of rows) {
      if (this.stopping) this.finish(row, 'not-run');
      else await this.handle(row);
    }
  }

  /**
   * One prepared row: invalid, skipped by resume, valid (dry run), or queued for sending. Returns
   * a promise only when the row must wait (an earlier document of its group, a full batch).
   */
  private handle(row: PreparedRow): Promise<void> | undefined {
    if (row.issues.length > 0) {
      this.finish(row, 'invalid', { code: row.issues[0]?.code ?? 'invalid', message: row.issues.map((i) => formatIssue(row.row, i)).join('; ') });
      return;
    }
    if (this.resume && this.resumed(row)) return;
    if (!this.sends(row)) {
      this.finish(row, 'valid');
      return;
    }
    // Rows of one group keep file order: wait while an earlier document with that group is in flight.
    const blocker = row.group === undefined ? undefined : this.groupsInFlight.get(row.group);
    if (blocker && !this.batch.some((b) => b.group === row.group)) return blocker.promise.then(() => this.enqueue(row));
    return this.enqueue(row);
  }

  /**
   * `--resume`: finishes a row the journal shows done (`skipped`) or sent without an answer
   * (`in-doubt`, by row number); false for a row to run. Done rows are matched by row number and
   * hash, or by hash alone when the file changed since (each done hash skips one row).
   */
  private resumed(row: PreparedRow): boolean {
    const resume = this.resume as ResumeState;
    if (row.issues.length === 0 && (this.resumeByHash ? takeOne(resume.doneHashes, row.hash) : resume.done.get(row.row) === row.hash)) {
      this.finish(row, 'skipped');
      return true;
    }
    if (resume.inDoubt.has(row.row)) {
      this.finish(row, 'in-doubt', {
        code: 'TH_ERR_BULK_IN_DOUBT',
        message:
          'sent by an earlier run that stopped before the answer: it may have been processed, so it is not sent again (check it, then run it on its own)',
      });
      return true;
    }
    return false;
  }

  /** Adds a row to the next document, and sends the document once it is full. */
  private enqueue(row: PreparedRow): Promise<void> | undefined {
    this.batch.push(row);
    if (this.batch.length < (this.options.batchSize ?? MAX_COMMANDS_PER_DOCUMENT)) return undefined;
    const full = this.batch;
    this.batch = newList<PreparedRow>();
    return this.dispatch(full);
  }

  /** Whether a row goes to the server: every row with `apply`; else only rows that just read, when there is a server. */
  private sends(row: PreparedRow): boolean {
    if (this.mode === 'apply') return true;
    if (this.options.connection === undefined || row.type === undefined) return false;
    let readOnly = this.readOnlyTypes.get(row.type);
    if (readOnly === undefined) {
      readOnly = isReadOnlyRequest(this.schema, row.type);
      this.readOnlyTypes.set(row.type, readOnly);
    }
    return readOnly;
  }

  private openPool(): OciSessionPool {
    // Rows were validated when built, so the sessions skip the second check.
    this.pool ??= new OciSessionPool({
      size: this.options.sessions ?? 2,
      validate: false,
      ...(this.options.connection as OciClientOptions),
      schema: this.schema,
    });
    return this.pool;
  }

  /** Sends one document's worth of rows on the next free session; waits while the pool is busy (bounded memory). */
  private async dispatch(rows: PreparedRow[]): Promise<void> {
    const limit = (this.options.sessions ?? 2) * 2;
    // Woken by the next document to finish (a race over every document in flight would leave a
    // reaction on each of them per wait).
    while (this.inFlight.size >= limit) await new Promise<void>((wake) => this.slotWaiters.push(wake));
    // Nothing is sent (no `sent` line) before a session has opened: a setup failure stops the run first.
    if (this.stopping || (!this.sessionOpened && !(await this.sessionReady())) || this.stopping) {
      for (const row of rows) this.finish(row, 'not-run');
      return;
    }
    // The outcomes so far and this document's `sent` line in one write, before the document goes out.
    this.flushLines({ kind: 'sent', rows: rows.map((r) => r.row) });
    const flight: InFlight = { rows, promise: Promise.resolve() };
    flight.promise = this.sendWithRetry(rows).finally(() => {
      this.inFlight.delete(flight);
      this.slotWaiters.shift()?.();
      for (const row of rows) if (row.group !== undefined && this.groupsInFlight.get(row.group) === flight) this.groupsInFlight.delete(row.group);
    });
    this.inFlight.add(flight);
    for (const row of rows) if (row.group !== undefined) this.groupsInFlight.set(row.group, flight);
  }

  private async sendWithRetry(rows: PreparedRow[]): Promise<void> {
    const attempts = this.options.retries ?? 3;
    let pending = rows;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const started = performance.now();
      let results: RowAnswer[];
      try {
        results = await (this.pool as OciSessionPool).use((client) => this.sendOn(client, pending));
      } catch (error) {
        results = pending.map((row) => ({ row, result: { ok: false, error: error as Error }, before: undefined, beforeRequest: undefined }));
      }
      const ms = Math.round(performance.now() - started);
      const retry: PreparedRow[] = [];
      for (const { row, result, before, beforeRequest } of results) {
        if (result.ok) this.finish(row, 'ok', undefined, { ms, attempts: attempt, before, beforeRequest, response: result.response });
        else if (isTransient(result.error) && attempt < attempts && !this.options.signal?.aborted) retry.push(row);
        else this.finish(row, 'failed', errorOf(result.error), { ms, attempts: attempt, before, beforeRequest });
      }
      this.flushSoon();
      pending = retry;
      if (pending.length > 0) await sleep(this.backoff(attempt));
    }
  }

  /** True once a session of the pool has opened (opening the first one, once); false when a setup failure stopped the run. */
  private sessionReady(): Promise<boolean> {
    this.firstSession ??= this.openFirstSession();
    return this.firstSession;
  }

  /** Opens a session of the pool, with the retries of a document; false (and the run stopped) on a setup failure. */
  private async openFirstSession(): Promise<boolean> {
    const attempts = this.options.retries ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.openPool().use((client) => (client.connected ? Promise.resolve() : client.connect()));
        this.sessionOpened = true;
        return true;
      } catch (error) {
        if (this.isSetupFailure(error, attempt < attempts)) {
          this.failSetup(error, attempt);
          return false;
        }
        await sleep(this.backoff(attempt));
      }
    }
  }

  /** The wait before the next attempt: exponential from `backoffMs`, at most 5 s. */
  private backoff(attempt: number): number {
    return Math.min((this.options.backoffMs ?? 200) * 2 ** (attempt - 1), 5000);
  }

  /**
   * The first session that cannot be opened stops the run: a refused login at once, an
   * unreachable server once its retries are used up. Later sessions' failures are row failures.
   */
  private isSetupFailure(error: unknown, retriesLeft: boolean): boolean {
    if (this.sessionOpened) return false;
    return !isTransient(error) || !retriesLeft;
  }

  private failSetup(error: unknown, attempts: number): void {
    if (this.setupFailure) return;
    const connection = this.options.connection as OciClientOptions;
    const url = urlWithoutCredentials(connection.url) ?? '';
    const { code, message } = errorOf(error as Error);
    const failure: BulkSetupFailure = isLoginRefusal(error)
      ? { kind: 'login', code, message: `the server refused the login of ${connection.userId} at ${url}: ${message}`, attempts }
      : // Refused or timed out (after the retries) is out of reach; anything else (TLS …) failed at once while opening.
        { kind: 'connect', code, message: `${isTransient(error) ? 'cannot reach' : 'cannot open a session at'} ${url}: ${message}`, attempts };
    this.setupFailure = failure;
    this.emit({ type: 'setup-failed', failure });
  }

  /** One document of commands on one session; with `backup`, a document of Gets first. */
  private async sendOn(client: OciClient, rows: PreparedRow[]): Promise<RowAnswer[]> {
    const befores: (Record<string, unknown> | undefined)[] = new Array(rows.length);
    const beforeTypes: (string | undefined)[] = new Array(rows.length);
    if (this.options.backup) {
      const gets: { index: number; command: OciCommand }[] = [];
      // A row's Get may sit in another schema module than the row's request (UserModifyRequest17sp4's UserGetRequest23V2): loaded once per request type.
      const unprepared = rows.flatMap((row) => (row.command && !this.backupTypes.has(row.command.$type) ? [row.command.$type] : []));
      if (unprepared.length > 0) {
        await prepareRelatedTypes(this.schema, unprepared);
        for (const type of unprepared) this.backupTypes.add(type);
      }
      rows.forEach((row, index) => {
        const get = row.command && backupCommand(this.schema, row.command);
        if (get) gets.push({ index, command: get });
      });
      if (gets.length > 0) {
        const answers = await client.sendBatch(gets.map((g) => g.command));
        answers.forEach((answer, k) => {
          const { index, command } = gets[k] as { index: number; command: OciCommand };
          beforeTypes[index] = command.$type;
          if (answer.ok) befores[index] = redactSecrets(answer.response as Record<string, unknown>);
        });
      }
    }
    // Built by pushing (as one row's `[command]` is built), not by `map`, whose arrays V8 makes
    // of another kind: the client's per-document code then sees one kind of array.
    const commands = newList<SendableCommand>();
    for (const row of rows) commands.push(row.encoded ?? (row.command as OciCommand));
    const results = await client.sendEncoded(commands);
    const answered = newList<RowAnswer>();
    for (let i = 0; i < rows.length; i++)
      answered.push({ row: rows[i] as PreparedRow, result: results[i] as BatchResult, before: befores[i], beforeRequest: beforeTypes[i] });
    return answered;
  }

  private finish(
    row: PreparedRow,
    outcome: RowOutcome,
    error?: { code: string; message: string },
    extra: { ms?: number; attempts?: number; before?: Record<string, unknown>; beforeRequest?: string; response?: unknown } = {},
  ): void {
    this.counts[COUNT_KEY[outcome]]++;
    this.done++;
    if (outcome === 'invalid' || outcome === 'failed') {
      this.errors++;
      if (this.options.maxErrors !== undefined && this.errors >= this.options.maxErrors) this.stoppedByMaxErrors = true;
    }
    // A not-run row was never sent: it has no line.
    if (outcome !== 'not-run' && this.journal) {
      const sends = row.command !== undefined && this.sends(row);
      const line: JournalRow = {
        kind: 'row',
        row: row.row,
        hash: row.hash,
        request: row.type,
        outcome,
        code: error?.code,
        error: error?.message,
        ms: extra.ms,
        attempts: extra.attempts,
        // The command's masked JSON comes made with an encoded row (see PreparedRow.commandJson).
        command: row.command && row.commandJson === undefined && sends ? maskSecrets(row.command) : undefined,
        before: extra.before,
        beforeRequest: extra.beforeRequest,
      };
      this.journal.append(`${rowLineText(line, sends ? row.commandJson : undefined)}\n`);
      // A dry run sends no document to take the lines along: they go out in batches.
      if (++this.pendingCount >= JOURNAL_FLUSH_LINES) this.flushLines();
    }
    if (this.failedOut && (outcome === 'invalid' || outcome === 'failed' || outcome === 'in-doubt' || outcome === 'not-run')) {
      this.failedLines.push(failedRowLine(row.cells, this.failedOut.columns, outcome === 'not-run' ? this.notRunReason : (error?.message ?? outcome)));
    }
    // Events are built only for a listener.
    if (this.options.onEvent) {
      this.emit({
        type: 'row',
        row: row.row,
        outcome,
        request: row.type,
        issues: row.issues.length > 0 ? row.issues : undefined,
        // Why rows were not run is said once (`setup-failed`, the summary), not per row.
        error: outcome === 'not-run' ? undefined : error,
        plan: row.plan,
        response: extra.response as Record<string, unknown> | undefined,
      });
      const now = performance.now();
      if (now - this.lastProgress > 100) {
        this.lastProgress = now;
        this.emit({ type: 'progress', done: this.done, total: this.total, counts: { ...this.counts }, elapsedMs: Math.round(now - this.started) });
      }
    }
  }

  /**
   * Writes the pending lines at the end of this turn of the event loop. An answer usually frees
   * a session for the next document in the same turn, whose `sent` line then takes the outcomes
   * along: one write per document, not two.
   */
  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushLines();
    });
  }

  /** Writes the pending outcome lines (then `sent`, if given) with one system call. */
  private flushLines(sent?: JournalSent): void {
    if (sent && this.journal) this.journal.append(`${JSON.stringify(sent)}\n`);
    this.journal?.flush();
    this.pendingCount = 0;
    if (this.failedOut && this.failedLines.length > 0) {
      writeFileSync(this.failedOut.fd, `${this.failedLines.join('\n')}\n`);
      this.failedLines = [];
    }
  }

  private openFailedOut(header: string[]): void {
    const path = this.options.failedOut;
    if (path === undefined) return;
    const columns = header.map((_, i) => i).filter((i) => header[i] !== 'error');
    try {
      writeFileSync(path, `${csvLine([...columns.map((i) => header[i] as string), 'error'])}\n`);
      this.failedOut = { fd: openSync(path, 'a'), columns };
    } catch (error) {
      throw new BulkOptionsError(`${path}: cannot write the failed rows (${(error as Error).message})`);
    }
  }

  private closeFailedOut(): void {
    if (!this.failedOut) return;
    this.flushLines();
    closeSync(this.failedOut.fd);
    this.failedOut = undefined;
  }

  private emit(event: BulkEvent): void {
    this.options.onEvent?.(event);
  }
}

/** Takes one from a hash's count; false when none is left. */
function takeOne(counts: Map<string, number>, key: string): boolean {
  const left = counts.get(key) ?? 0;
  if (left === 0) return false;
  counts.set(key, left - 1);
  return true;
}

/** The row as it was read (empty cells stay empty, `""` stays quoted) with its error, minus any old `error` column. */
function failedRowLine(cells: readonly Cell[], columns: readonly number[], error: string): string {
  const out: string[] = [];
  for (const i of columns) {
    const cell = cells[i];
    out.push(cell === undefined || (cell.text === '' && !cell.quoted) ? '' : csvCell(cell.text));
  }
  return `${out.join(',')},${csvLine([error])}`;
}

function errorOf(error: Error): { code: string; message: string } {
  return { code: isThorsHammerError(error) ? error.code : 'ERROR', message: error.message };
}
