import type { BatchResult, OciClientOptions, OciClientStats, OciResponse } from '../client.js';
import { OciClient } from '../client.js';
import { MAX_COMMANDS } from '../codec.js';
import type { OciCommand } from '../codec.js';
import { OciClientClosedError, OciClientOptionsError } from '../oci-error.js';
import { OciSchema } from '../schema.js';
import { resolveLoginStrategy } from './login.js';

export interface OciSessionPoolOptions extends OciClientOptions {
  /** Most sessions (connections, each with its own login) open at once. */
  size: number;
}

interface Job {
  run: (client: OciClient) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs OCI-P commands concurrently over up to `size` sessions. OCI-P allows one request in
 * flight per connection (oci-protocol.md §4.5), so parallelism means several connections,
 * each logged in separately. Sessions open on demand; work is handed out strictly in
 * arrival order (FIFO) to the next free session. Each session reconnects on its own.
 */
export class OciSessionPool {
  readonly size: number;
  private readonly options: OciClientOptions;
  private readonly schemaPromise: Promise<OciSchema>;
  private readonly clients: OciClient[] = [];
  private readonly idle: OciClient[] = [];
  private readonly waiting: Job[] = [];
  private closing: Promise<void> | undefined;

  constructor(options: OciSessionPoolOptions) {
    const { size, ...clientOptions } = options ?? ({} as OciSessionPoolOptions);
    if (!Number.isInteger(size) || size < 1 || size > 1000) {
      throw new OciClientOptionsError(`pool size must be an integer from 1 to 1000, got ${String(size)}`, { size });
    }
    if (typeof clientOptions.url !== 'string') throw new OciClientOptionsError('url is required');
    // Fail now, not on first use, when the login strategy is refused for this URL.
    resolveLoginStrategy(clientOptions.url, clientOptions.login, clientOptions.allowPlainPasswordOverInsecure);
    this.size = size;
    this.options = clientOptions;
    // One schema for all sessions: loaded once, shared.
    this.schemaPromise = clientOptions.schema ? Promise.resolve(clientOptions.schema) : OciSchema.load(clientOptions.release ?? OciSchema.newestRelease());
    this.schemaPromise.catch(() => undefined);
  }

  /** Sessions opened so far. */
  get sessions(): number {
    return this.clients.length;
  }

  /** Commands waiting for a free session. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Totals over all sessions. */
  get stats(): OciClientStats {
    const total: OciClientStats = { documents: 0, commands: 0, logins: 0, reconnects: 0 };
    for (const c of this.clients) {
      total.documents += c.stats.documents;
      total.commands += c.stats.commands;
      total.logins += c.stats.logins;
      total.reconnects += c.stats.reconnects;
    }
    return total;
  }

  /** Opens and logs in all `size` sessions up front (otherwise they open on demand). */
  async connect(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.use((client) => client.connect())));
  }

  /** Sends one command on the next free session; see {@link OciClient.send}. */
  send(request: OciCommand): Promise<OciResponse> {
    return this.use((client) => client.send(request as never) as Promise<OciResponse>);
  }

  /** Sends the newest version of a request family; see {@link OciClient.call}. */
  call(family: string, fields: Record<string, unknown>): Promise<OciResponse> {
    return this.use((client) => client.call(family, fields as never) as Promise<OciResponse>);
  }

  /**
   * Sends any number of commands: documents of up to 15 are spread over the sessions and run
   * concurrently; results come back per position, in order (see {@link OciClient.sendBatch}).
   */
  async sendBatch(requests: readonly OciCommand[]): Promise<BatchResult[]> {
    const chunks: OciCommand[][] = [];
    for (let i = 0; i < requests.length; i += MAX_COMMANDS) chunks.push(requests.slice(i, i + MAX_COMMANDS));
    const results = await Promise.all(chunks.map((chunk) => this.use((client) => client.sendBatch(chunk))));
    return results.flat();
  }

  /** Runs `task` with a session of its own (exclusive while the task runs). */
  use<T>(task: (client: OciClient) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new OciClientClosedError('session pool'));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ run: task, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Rejects waiting commands, lets running ones finish, then logs out and closes every session. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const job of this.waiting.splice(0)) job.reject(new OciClientClosedError('session pool'));
      await Promise.all(this.clients.map((c) => c.close()));
    })();
    return this.closing;
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const client = this.idle.pop() ?? (this.clients.length < this.size ? this.open() : undefined);
      if (!client) return;
      const job = this.waiting.shift() as Job;
      // Via a promise, so a task that throws synchronously is reported like a rejection.
      new Promise((resolve) => resolve(job.run(client))).then(job.resolve, job.reject).finally(() => {
        this.idle.push(client);
        if (!this.closing) this.dispatch();
      });
    }
  }

  private open(): OciClient {
    const client = new OciClient({ ...this.options, schema: this.schemaPromise });
    this.clients.push(client);
    return client;
  }
}
