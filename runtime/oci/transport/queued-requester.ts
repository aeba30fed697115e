/**
 * What every transport shares: the FIFO queue (one document in flight), per-request timeouts,
 * caller abort signals, idempotent close, and the 'unsolicited' / 'close' events. Subclasses
 * implement only `exchange` (send one document, resolve with the reply) and `shutdown`.
 */
import { EventEmitter } from 'node:events';
import { OciAbortedError, OciTimeoutError, OciTransportClosedError, OciTransportError, OciTransportErrorCode } from './errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './defaults.js';
import type { RequestOptions, Requester, RequesterOptions, TransportLogger } from './contract.js';

/**
 * The running exchange's view of its job: aborted (with the settling error as reason) when the
 * job ends early (timeout, caller abort, close), so the exchange must stop. A plain callback
 * serves the TCP requester; an AbortSignal (for fetch) is made only when one is asked for, so a
 * document costs no AbortController and no event listener.
 */
export class ExchangeControl {
  private abortReason: Error | undefined;
  private controller: AbortController | undefined;
  private listener: ((reason: Error) => void) | undefined;

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** An AbortSignal that follows this control (made on first use). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Calls `listener` (once) when the job is aborted; `undefined` removes it. One listener at a time. */
  onAbort(listener: ((reason: Error) => void) | undefined): void {
    this.listener = listener;
  }

  /** Throws the abort reason when aborted. */
  throwIfAborted(): void {
    if (this.abortReason !== undefined) throw this.abortReason;
  }

  /** Aborts once: the listener runs and the signal (if made) aborts, synchronously. */
  abort(reason: Error): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
    this.controller?.abort(reason);
  }
}

interface Job {
  readonly document: string;
  readonly timeoutMs: number;
  readonly resolve: (document: string) => void;
  readonly reject: (error: Error) => void;
  readonly control: ExchangeControl;
  readonly callerSignal?: AbortSignal;
  onCallerAbort?: () => void;
  timer?: NodeJS.Timeout;
  settled: boolean;
}

/** Base of the TCP/TLS and SOAP requesters: queueing, timeouts, abort, close and events. */
export abstract class QueuedRequester extends EventEmitter implements Requester {
  abstract readonly kind: 'tcp' | 'tls' | 'soap';
  abstract readonly connected: boolean;

  protected readonly connectTimeoutMs: number;
  protected readonly requestTimeoutMs: number;
  protected readonly logger: TransportLogger;
  protected closed = false;

  private readonly queue: Job[] = [];
  private active: Job | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly url: string,
    protected readonly options: RequesterOptions,
  ) {
    super();
    this.connectTimeoutMs = positiveMs(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs', url);
    this.requestTimeoutMs = positiveMs(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs', url);
    this.logger = options.logger ?? {};
  }

  abstract connect(): Promise<void>;
  abstract resetSession(): void;

  /**
   * Sends one document over the transport and resolves with the reply. `control` is aborted
   * (with the settling error as reason) when the job ends early; the implementation must then
   * release its resources (TCP: destroy the socket so a late answer cannot desynchronise it).
   */
  protected abstract exchange(document: string, control: ExchangeControl): Promise<string>;
  /** Releases the connection for good; called once by `close` after the queue was rejected. */
  protected abstract shutdown(): Promise<void>;

  request(document: string, options: RequestOptions = {}): Promise<string> {
    if (typeof document !== 'string' || isBlank(document)) {
      return Promise.reject(
        new OciTransportError(OciTransportErrorCode.argument, 'request() needs a non-empty OCI document string', {
          url: this.url,
          phase: 'options',
        }),
      );
    }
    if (this.closed) return Promise.reject(new OciTransportClosedError(this.url));
    let timeoutMs: number;
    try {
      timeoutMs = positiveMs(options.timeoutMs, this.requestTimeoutMs, 'timeoutMs', this.url);
    } catch (error) {
      return Promise.reject(error);
    }
    const callerSignal = options.signal;
    if (callerSignal?.aborted) return Promise.reject(new OciAbortedError(this.url, callerSignal.reason));

    return new Promise<string>((resolve, reject) => {
      const job: Job = { document, timeoutMs, resolve, reject, control: new ExchangeControl(), callerSignal, settled: false };
      if (callerSignal !== undefined) {
        job.onCallerAbort = () => this.settle(job, new OciAbortedError(this.url, callerSignal.reason));
        callerSignal.addEventListener('abort', job.onCallerAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    const error = new OciTransportClosedError(this.url);
    for (const job of this.queue.splice(0)) this.settle(job, error);
    if (this.active !== undefined) this.settle(this.active, error);
    try {
      await this.shutdown();
    } finally {
      this.logger.debug?.('OCI-P requester closed', { url: this.url });
      this.safeEmit('close');
    }
  }

  /** Emits without letting a throwing listener escape into a socket callback. */
  protected safeEmit(event: 'close', error?: Error): void;
  protected safeEmit(event: 'unsolicited', document: string): void;
  protected safeEmit(event: 'close' | 'unsolicited', payload?: unknown): void {
    try {
      if (event === 'close' && payload === undefined) this.emit('close');
      else this.emit(event, payload);
    } catch (error) {
      this.logger.warn?.(`OCI-P requester '${event}' listener threw`, { url: this.url, error });
    }
  }

  private pump(): void {
    if (this.active !== undefined || this.closed) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.active = job;
    job.timer = setTimeout(() => this.settle(job, new OciTimeoutError(this.url, job.timeoutMs)), job.timeoutMs);
    let exchange: Promise<string>;
    try {
      exchange = this.exchange(job.document, job.control);
    } catch (error) {
      exchange = Promise.reject(error);
    }
    exchange.then(
      (reply) => this.settle(job, undefined, reply),
      (error: unknown) => this.settle(job, error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Ends a job exactly once (later outcomes of the same job are ignored) and starts the next one. */
  private settle(job: Job, error: Error | undefined, reply?: string): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (job.onCallerAbort !== undefined) job.callerSignal?.removeEventListener('abort', job.onCallerAbort);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (error === undefined) job.resolve(reply as string);
    else job.reject(error);
    if (this.active === job) {
      this.active = undefined;
      // Stop the exchange before the next job may start on the same connection.
      if (error !== undefined) job.control.abort(error);
      this.pump();
    }
  }
}

function positiveMs(value: number | undefined, fallback: number, name: string, url: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OciTransportError(OciTransportErrorCode.argument, `${name} must be a positive number of milliseconds, got ${String(value)}`, {
      url,
      phase: 'options',
    });
  }
  return value;
}

/** True when the text is empty or only whitespace (as `trim() === ''`), without a trimmed copy of a document. */
const isBlank = (text: string): boolean => !NOT_WHITESPACE.test(text);
const NOT_WHITESPACE = /\S/;
