import { performance } from 'node:perf_hooks';
import { isThorsHammerError } from '../../runtime/errors.js';
import { type BatchResult, MAX_COMMANDS_PER_DOCUMENT, type OciClientOptions, type OciResponse, newestGeneratedRelease } from '../../runtime/oci/client.js';
import { OciSessionPool } from '../../runtime/oci/client/pool.js';
import { OciError } from '../../runtime/oci/oci-error.js';
import type { DecodeSelection, OciCommand } from '../../runtime/oci/codec.js';
import { firstTableRecords, tableRecordsAt } from '../../runtime/oci/present.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { AgentAbortedError, AgentOptionsError, AgentTargetError } from './errors.js';

/** A sub-request that failed; the automation went on without its answer. */
export interface AgentWarning {
  /** The request type sent. */
  request: string;
  /** What it was about (a user, group, instance, device …). */
  target?: string;
  /** `[Error NNNN]`-style server code as `TH_ERR_OCI_ERROR_RESPONSE`, or a transport error code. */
  code: string;
  message: string;
}

/**
 * Events of a run, in the bulk engine's shape (`onEvent` callback, or {@link automationEvents}).
 * `total` counts the commands planned so far: it grows as answers reveal the next fan-out.
 */
export type AgentEvent =
  | { type: 'start'; agent: string }
  | { type: 'progress'; agent: string; phase: string; done: number; total: number; elapsedMs: number }
  | { type: 'warning'; agent: string; warning: AgentWarning }
  | { type: 'end'; agent: string; ms: number; commands: number; documents: number; warnings: number };

export interface AgentOptions {
  /** Server and login: the automation opens a session pool and closes it at the end. */
  connection?: OciClientOptions;
  /** A pool of your own (left open); takes the place of `connection`. */
  pool?: OciSessionPool;
  /** Sessions of the pool the automation opens (default 4). */
  sessions?: number;
  /** Commands per document, 1..15 (default 15). */
  batchSize?: number;
  /** Documents in flight at once (default: the pool size). 1 with batchSize 1 is one command at a time. */
  concurrency?: number;
  release?: string;
  schema?: OciSchema;
  /** Stops the run: documents in flight are answered, then it rejects with `TH_ERR_AGENT_ABORTED`. */
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
}

/** One command of a fan-out, with what it is about (for warnings). */
export interface Ask {
  command: OciCommand;
  target?: string;
  /**
   * The parts of the answer the automation reads (DecodeSelection, runtime/oci/codec.ts); the
   * decoder builds only those. Undefined: the whole answer.
   */
  select?: DecodeSelection;
}

/**
 * What every automation runs on: resolves request families to the release's newest class,
 * sends fan-outs in documents of `batchSize` over the pool, turns failures into warnings,
 * reports progress and honours the abort signal.
 */
export class AgentContext {
  readonly warnings: AgentWarning[] = [];
  private readonly started = performance.now();
  private done = 0;
  private planned = 0;
  private documents = 0;
  private ownedPool: OciSessionPool | undefined;

  private constructor(
    readonly agent: string,
    readonly schema: OciSchema,
    private readonly pool: OciSessionPool,
    private readonly options: AgentOptions,
  ) {}

  static async open(agent: string, options: AgentOptions): Promise<AgentContext> {
    const { batchSize, sessions, concurrency } = options;
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_COMMANDS_PER_DOCUMENT)) {
      throw new AgentOptionsError(`batch size must be 1..${MAX_COMMANDS_PER_DOCUMENT}, got ${batchSize}`);
    }
    if (sessions !== undefined && (!Number.isInteger(sessions) || sessions < 1))
      throw new AgentOptionsError(`sessions must be a positive integer, got ${sessions}`);
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new AgentOptionsError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    if (!options.pool && !options.connection) throw new AgentOptionsError(`${agent} reads a server: give a connection (--url, --user) or a pool`);
    const schema = options.schema ?? (await OciSchema.load(options.release ?? options.connection?.release ?? newestGeneratedRelease()));
    const owned = options.pool ? undefined : new OciSessionPool({ size: sessions ?? 4, ...(options.connection as OciClientOptions), schema });
    const pool = options.pool ?? (owned as OciSessionPool);
    // One session first: a login the server refuses or a server out of reach ends the run here with
    // the client's own error (OciError of the login, TH_ERR_OCI_CONNECT …), before it could pass for
    // an unreadable target or for a warning on every sub-request.
    try {
      await pool.use((client) => client.connect());
    } catch (error) {
      await owned?.close().catch(() => undefined);
      throw error;
    }
    const context = new AgentContext(agent, schema, pool, options);
    context.ownedPool = owned;
    context.emit({ type: 'start', agent });
    return context;
  }

  /** The newest class of a request family in this release, or undefined when the release lacks it. */
  type(family: string): string | undefined {
    return this.schema.latest(family);
  }

  /** The newest class of a family the automation cannot do without. */
  requireType(family: string): string {
    const type = this.type(family);
    if (!type) throw new AgentOptionsError(`release ${this.schema.release} has no ${family}`);
    return type;
  }

  /**
   * Sends every command (documents of `batchSize`, spread over the pool) and returns the
   * answers by position; a failed command is `undefined` in the answers and a warning.
   * `keep` turns each answer, as its document arrives, into what the caller needs of it: the
   * whole responses of a big fan-out then die young instead of piling up until the last one.
   */
  fetch(phase: string, asks: readonly Ask[]): Promise<(OciResponse | undefined)[]>;
  fetch<T>(phase: string, asks: readonly Ask[], keep: (answer: OciResponse, index: number) => T): Promise<(T | undefined)[]>;
  async fetch<T>(phase: string, asks: readonly Ask[], keep?: (answer: OciResponse, index: number) => T): Promise<(T | OciResponse | undefined)[]> {
    const out: (T | OciResponse | undefined)[] = new Array(asks.length).fill(undefined);
    if (asks.length === 0) return out;
    await this.schema.ensure(...new Set(asks.map((a) => a.command.$type)));
    this.planned += asks.length;
    const size = this.options.batchSize ?? MAX_COMMANDS_PER_DOCUMENT;
    const limit = this.options.concurrency ?? this.pool.size;
    // `limit` senders take the next document in turn (in order), each as soon as its last one is
    // answered: no promise race and no bookkeeping per document.
    let next = 0;
    let aborted = false;
    let failed = false;
    const sender = async (): Promise<void> => {
      while (!failed && next < asks.length) {
        if (this.options.signal?.aborted) {
          aborted = true;
          return;
        }
        const first = next;
        next += size;
        const chunk = asks.slice(first, first + size);
        const results = await this.sendChunk(chunk);
        for (let i = 0; i < results.length; i++) {
          const result = results[i] as BatchResult;
          if (result.ok) out[first + i] = keep ? keep(result.response, first + i) : result.response;
          else this.warn((chunk[i] as Ask).command.$type, (chunk[i] as Ask).target, result.error);
        }
        this.done += chunk.length;
        this.documents++;
        this.emit({
          type: 'progress',
          agent: this.agent,
          phase,
          done: this.done,
          total: this.planned,
          elapsedMs: Math.round(performance.now() - this.started),
        });
      }
    };
    const senders = Math.min(limit, Math.ceil(asks.length / size));
    // A failure stops the others from sending more (the documents in flight are answered).
    await Promise.all(
      Array.from({ length: senders }, () =>
        sender().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    if (aborted) throw new AgentAbortedError(this.agent, this.done);
    return out;
  }

  /**
   * The one command the automation is about: the server's ErrorResponse to it ends the run with
   * {@link AgentTargetError}. Any other failure (a lost connection, a refused re-login) is not about
   * the target and ends the run as the client's own error.
   */
  async target(command: OciCommand, what: string): Promise<OciResponse> {
    await this.schema.ensure(command.$type);
    this.planned++;
    let response: OciResponse;
    try {
      response = (await this.pool.send(command)) as OciResponse;
    } catch (error) {
      if (!(error instanceof OciError) || error.context.command !== command.$type) throw error;
      throw new AgentTargetError(`${this.agent}: cannot read ${what}: ${error.message}`, { request: command.$type, what }, error);
    }
    this.done++;
    this.documents++;
    return response;
  }

  /** Records a failed sub-request. */
  warn(request: string, target: string | undefined, error: unknown): void {
    const warning: AgentWarning = {
      request,
      target,
      code: isThorsHammerError(error) ? error.code : 'ERROR',
      message: error instanceof Error ? error.message : String(error),
    };
    this.warnings.push(warning);
    this.emit({ type: 'warning', agent: this.agent, warning });
  }

  /** Emits `end` and closes the pool the context opened. */
  async close(): Promise<void> {
    if (this.ownedPool) await this.ownedPool.close().catch(() => undefined);
    this.emit({
      type: 'end',
      agent: this.agent,
      ms: Math.round(performance.now() - this.started),
      commands: this.done,
      documents: this.documents,
      warnings: this.warnings.length,
    });
  }

  private async sendChunk(chunk: readonly Ask[]) {
    const commands = chunk.map((a) => a.command);
    const select = chunk.some((a) => a.select !== undefined) ? chunk.map((a) => a.select) : undefined;
    try {
      return await this.pool.use((client) => client.sendBatch(commands, { select }));
    } catch (error) {
      // The whole document failed (transport): every command of it is a warning.
      return chunk.map(() => ({ ok: false as const, error: error as Error }));
    }
  }

  private emit(event: AgentEvent): void {
    this.options.onEvent?.(event);
  }
}

/** Runs an automation body on a fresh context; the context is closed whatever happens. */
export async function runAgent<T>(agent: string, options: AgentOptions, body: (context: AgentContext) => Promise<T>): Promise<T> {
  const context = await AgentContext.open(agent, options);
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}

/** The records of the first table of a response (empty when there is no answer or no table). */
export function firstTable(response: OciResponse | undefined): Record<string, string>[] {
  if (!response) return [];
  return firstTableRecords(response) ?? [];
}

/** The records of the named table of a response. */
export function tableAt(response: OciResponse | undefined, path: string): Record<string, string>[] {
  if (!response) return [];
  return tableRecordsAt(response, path) ?? [];
}

/**
 * Runs an automation and yields its events as they happen; the generator's return value is
 * the result (like `bulkEvents` of the bulk engine).
 */
export async function* automationEvents<T>(start: (onEvent: (event: AgentEvent) => void) => Promise<T>): AsyncGenerator<AgentEvent, T> {
  const queue: AgentEvent[] = [];
  let wake: (() => void) | undefined;
  let settled: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  start((event) => {
    queue.push(event);
    wake?.();
  }).then(
    (value) => {
      settled = { ok: true, value };
      wake?.();
    },
    (error: unknown) => {
      settled = { ok: false, error };
      wake?.();
    },
  );
  for (;;) {
    while (queue.length > 0) yield queue.shift() as AgentEvent;
    if (settled) {
      if (!settled.ok) throw settled.error;
      return settled.value;
    }
    await new Promise<void>((r) => {
      wake = r;
    });
    wake = undefined;
  }
}
