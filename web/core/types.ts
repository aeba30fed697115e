/**
 * The handler contract (docs/webcli.md, "Handlers"): what a handler is, what it gets when it
 * runs, and the chunk payloads it emits. Handlers see only these types: never Fastify, never
 * the database, never a socket. The server and the headless runner (`hammer webcli run`) both
 * drive handlers through them.
 */

/** MIME types of chunks (C.6). */
export const MIME = {
  text: 'text/plain',
  markdown: 'text/markdown',
  html: 'text/html',
  json: 'application/json',
  table: 'application/vnd.webcli.table+json',
  csv: 'text/csv',
  progress: 'application/vnd.webcli.progress+json',
  error: 'application/vnd.webcli.error+json',
  xml: 'application/xml',
  png: 'image/png',
} as const;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One column of a table chunk: `key` is stable (sorting, replacement), `label` is shown. */
export interface TableColumn {
  key: string;
  label: string;
}

/** Payload of an `application/vnd.webcli.table+json` chunk. Rows are arrays of cells in column order. */
export interface TablePayload {
  title: string;
  columns: TableColumn[];
  rows: (string | null)[][];
  totalRows: number;
  truncated: boolean;
  /** The CSV artifact holding every row, when one was written. */
  artifactId: string | null;
}

/** Payload of an `application/vnd.webcli.progress+json` chunk. */
export interface ProgressPayload {
  key: string;
  done: number;
  total: number | null;
  label: string;
  ok?: number;
  failed?: number;
  skipped?: number;
  /** Items per second. */
  rate?: number;
  etaSeconds?: number | null;
}

/** Payload of an `application/vnd.webcli.error+json` chunk. */
export interface ErrorPayload {
  summary: string;
  detail?: string;
  /** A stable code: `TH_ERR_*`, or the protocol's own (e.g. an OCI-P error number). */
  code?: string;
  hint?: string;
}

/** A chunk as a handler hands it to the sink: text, or an artifact (bytes stored apart). */
export interface NewChunk {
  mime: string;
  text?: string;
  /** `id` is set when the sink named it beforehand (`ChunkSink.newArtifactId`); otherwise the sink picks one. */
  artifact?: { fileName: string; mime: string; bytes: Buffer; id?: string };
  /** Chunks with a key are replaced in place by the next chunk of the same action with the same key. */
  replaceKey?: string;
}

/** What the sink reports back for a stored chunk. */
export interface StoredChunkRef {
  chunkId: number;
  artifactId: string | null;
}

/** Where emitted chunks go: the store and the event bus (server), or the terminal (headless). */
export interface ChunkSink {
  append(chunk: NewChunk): Promise<StoredChunkRef>;
  /** Optional: stores several chunks of one action at once (one transaction), in order; all or none. */
  appendMany?(chunks: NewChunk[]): Promise<StoredChunkRef[]>;
  /**
   * Optional, with `appendMany`: a fresh artifact id, for an artifact not stored yet. With it, a
   * table and the CSV artifact it links to are handed over together (one `appendMany`, all or
   * none) instead of the table waiting for the CSV's id; the sink stores the artifact under it.
   */
  newArtifactId?(): string;
}

export interface TableInput {
  title: string;
  columns: (TableColumn | string)[];
  rows: readonly (readonly (string | null | undefined)[])[];
}

/** The emit functions of a run, one per chunk kind. Each resolves once the chunk is stored. */
export interface Emit {
  text(text: string): Promise<StoredChunkRef>;
  markdown(markdown: string): Promise<StoredChunkRef>;
  html(html: string): Promise<StoredChunkRef>;
  json(value: unknown): Promise<StoredChunkRef>;
  /**
   * A table. Rows over the inline cap are cut and written whole into a CSV artifact; `csv`
   * asks for that artifact (under this file name) even when nothing is cut. `key` makes it
   * replace the previous table with the same key.
   */
  table(table: TableInput, options?: { key?: string; csv?: string }): Promise<StoredChunkRef>;
  /** A CSV file (RFC 4180, UTF-8, header row; formula-looking cells quoted with `'`). */
  csv(fileName: string, headings: readonly string[], rows: readonly (readonly (string | null | undefined)[])[]): Promise<StoredChunkRef>;
  /** Any file (an image, a JSON snapshot …), downloadable through the artifact route. */
  file(fileName: string, mime: string, bytes: Buffer | string): Promise<StoredChunkRef>;
  /** Progress, replaced in place per key; updates are coalesced to about four a second. */
  progress(progress: ProgressPayload): Promise<void>;
  error(error: ErrorPayload): Promise<StoredChunkRef>;
  /** Raw protocol XML; the caller redacts secrets first. */
  xml(xml: string): Promise<StoredChunkRef>;
}

/** A logger handed to handlers (pino-compatible subset). */
export interface WebLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: WebLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The command text split up: `%verb% args…` on the first line, the body after it. */
export interface CommandText {
  /** The verb without percent signs, lower-case. */
  verb: string;
  /** The first line's arguments, split like a shell does (quotes, backslashes). */
  args: string[];
  /** Offsets of each argument in the raw text (for error positions). */
  argOffsets: number[];
  /** Everything after the first line ('' when none). */
  body: string;
  /** Offset of the body in the raw text. */
  bodyOffset: number;
  raw: string;
}

/** What parse returns: the request (JSON, secrets removed), and whether it can change data. */
export interface ParsedCommand<R = JsonValue> {
  request: R;
  mutating: boolean;
  /** Per-action timeout in ms; null = none; undefined = the handler's default. */
  timeoutMs?: number | null;
}

/** The user an action runs for. */
export interface WebUser {
  id: number;
  email: string;
}

/** Per-user handler configurations, as the `%config%` verb needs them (secrets already handled by the implementation). */
export interface HandlerConfigStore {
  /** The stored configuration with secrets masked, or undefined. */
  getMasked(userId: number, handler: string): Promise<JsonValue | undefined>;
  /** Validates against the handler's schema and stores (a masked secret sent back keeps the stored one). */
  set(userId: number, handler: string, config: unknown): Promise<JsonValue>;
  unset(userId: number, handler: string): Promise<boolean>;
}

/** The service facade a handler gets at start. */
export interface HandlerServices {
  log: WebLogger;
  /** Another handler by name (undefined when absent). */
  handler(name: string): Handler | undefined;
  /** Every registered handler with its availability (for `%help%`). */
  handlers(): readonly { handler: Handler; available: boolean; reason?: string }[];
  /** Per-user configurations (for `%config%`). */
  configs: HandlerConfigStore;
  /** A user's upload (undefined when missing or not theirs). */
  readUpload(userId: number, uploadId: string): Promise<{ fileName: string; mime: string; bytes: Buffer } | undefined>;
  limits: OutputLimits;
}

export interface OutputLimits {
  /** Table rows shown inline; the rest go to the CSV artifact. Default 500. */
  tableRowCap: number;
  /** Longest inline text chunk in bytes; longer output becomes an artifact with a preview. Default 1 MiB. */
  inlineTextLimit: number;
}

export const DEFAULT_LIMITS: OutputLimits = { tableRowCap: 500, inlineTextLimit: 1024 * 1024 };

/** What run gets (C.4). */
export interface RunContext<C = unknown> {
  actionId: number;
  threadId: number | null;
  user: WebUser;
  /** The validated per-user configuration with secrets decrypted ({} when unset). */
  config: C;
  signal: AbortSignal;
  log: WebLogger;
  emit: Emit;
}

/** A JSON Schema (built with TypeBox or written by hand) for a handler's per-user configuration. */
export type ConfigSchema = Record<string, unknown>;

/** A handler (C.4). Plain objects implement it. */
export interface Handler<R = any, C = any> {
  /** Unique name (`oci`, `vbox`, `system` …); also the name `%config% set <name>` uses. */
  readonly name: string;
  /** Verbs it owns, lower-case, without percent signs. */
  readonly verbs: readonly string[];
  readonly synopsis: string;
  /** Markdown help. */
  readonly help: string;
  /** Per-user configuration schema. */
  readonly configSchema?: ConfigSchema;
  /**
   * Checks a per-user configuration that passed the schema against rules the schema cannot say
   * (the server's own settings); throws a typed error (→ 400). Runs only when the configuration
   * is saved: a stored one may predate the server's settings, so the handler checks again the
   * part an action uses (and only that part).
   */
  checkConfig?(config: C): void;
  /** Property names that hold secrets anywhere in the configuration (encrypted at rest, masked when shown). */
  readonly secretKeys?: readonly string[];
  /** Default timeout of its actions in ms (null: none). Default: the server's. */
  readonly defaultTimeoutMs?: number | null;
  /** True when some of its commands can change data (shown in the registry). */
  readonly mayMutate?: boolean;
  start?(services: HandlerServices, staticConfig: unknown): void | Promise<void>;
  stop?(): void | Promise<void>;
  /**
   * Parses the text into a request. Pure apart from loading the generated bindings' metadata
   * (local modules), hence possibly async.
   */
  parse(command: CommandText): ParsedCommand<R> | Promise<ParsedCommand<R>>;
  /** The request as stored with the action, secrets removed (default: the request itself). */
  redact?(request: R): JsonValue;
  /** The raw text as stored and shown as the question, secrets masked (default: as typed). */
  redactText?(raw: string): string;
  run(context: RunContext<C>, request: R): Promise<void>;
}

/** Websocket close code for an expired or revoked session (C.11): the server closes with it, the page then goes to /login. */
export const WS_CLOSE_UNAUTHENTICATED = 4401;

/** Statuses of an action (C.5). */
export const ACTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<ActionStatus> = new Set(['succeeded', 'failed', 'cancelled']);
