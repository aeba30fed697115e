import type { Socket } from 'node:net';
import type { OciMockEngine, OciMockLogger } from '../engine.js';
import type { OciMockFaults } from '../faults.js';
import type { ConnectionSessions, CookieSession } from '../sessions.js';

/**
 * Limits that keep a long-running mock alive under hostile or broken clients. Every refusal is
 * logged (warn) with the limit's name and counted in `server.refusals`. Documented in
 * docs/oci-mock.md, "Limits and hostile input".
 */
export interface OciMockLimits {
  /** Open connections across the TCP, TLS and SOAP listeners; one more is closed at once. */
  maxConnections: number;
  /**
   * Request bytes held across all connections (unfinished documents, documents waiting for their
   * answer, SOAP bodies being read). Beyond it, the connection holding the most is dropped.
   */
  maxBufferedInputBytes: number;
  /** Largest request document (TCP/TLS), or SOAP request body. */
  maxDocumentBytes: number;
  /**
   * A TCP/TLS connection with no traffic either way for this long gets an unsolicited LogoutRequest
   * (`Open Client Server Forced Logout`) per logged-in session and is closed; an idle SOAP socket is
   * closed. 0 = never.
   */
  idleTimeoutMs: number;
  /** A request (TCP/TLS: a document, from its first byte; SOAP: headers and body) must arrive in full within this. 0 = never. */
  requestTimeoutMs: number;
  /** SOAP and TLS: the HTTP headers, or the TLS handshake, must arrive within this. 0 = never. */
  headersTimeoutMs: number;
}

/** The defaults of {@link OciMockLimits}. */
export const defaultOciMockLimits: Readonly<OciMockLimits> = Object.freeze({
  maxConnections: 256,
  maxBufferedInputBytes: 32 * 1024 * 1024,
  // Requests to a provisioning server are small; the clients' limit (DEFAULT_MAX_DOCUMENT_BYTES) is for responses.
  maxDocumentBytes: 8 * 1024 * 1024,
  idleTimeoutMs: 10 * 60_000,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 20_000,
});

/** Why the mock refused or dropped a connection (the limit's name, or a malformed stream). */
export type OciMockRefusal = keyof OciMockLimits | 'malformedStream';

/** Checks and completes a partial set of limits. */
export function resolveLimits(limits: Partial<OciMockLimits> = {}): OciMockLimits {
  const resolved = { ...defaultOciMockLimits };
  for (const [name, value] of Object.entries(limits) as [keyof OciMockLimits, unknown][]) {
    if (!(name in defaultOciMockLimits)) throw new RangeError(`unknown limit ${name}`);
    if (value === undefined) continue;
    const positive = name === 'maxConnections' || name === 'maxBufferedInputBytes' || name === 'maxDocumentBytes';
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (positive ? 1 : 0)) {
      throw new RangeError(`${name} must be a whole number ${positive ? '≥ 1' : '≥ 0 (0 = never)'}, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  return resolved;
}

/** Something that holds buffered request bytes and can be dropped to give them back. */
export interface InputHolder {
  /** Bytes this holder counts against the budget now (kept by the budget). */
  held: number;
  /** Drops the connection; must release its bytes (budget.release) synchronously. */
  evict(): void;
}

/**
 * The budget for buffered request bytes across every connection. When a holder's update takes
 * the total beyond the limit, the largest holder (the likely abuser, not the innocent newcomer)
 * is evicted, repeatedly, until the total fits again.
 */
export class InputBudget {
  private readonly holders = new Set<InputHolder>();
  total = 0;

  constructor(
    private readonly max: number,
    private readonly onEvict: (holder: InputHolder, total: number) => void,
  ) {}

  /** Sets how many bytes `holder` holds now. */
  update(holder: InputHolder, bytes: number): void {
    this.total += bytes - holder.held;
    holder.held = bytes;
    if (bytes > 0) this.holders.add(holder);
    else this.holders.delete(holder);
    while (this.total > this.max) {
      let largest: InputHolder | undefined;
      for (const candidate of this.holders) if (!largest || candidate.held > largest.held) largest = candidate;
      if (!largest) break;
      this.onEvict(largest, this.total);
      this.total -= largest.held;
      largest.held = 0;
      this.holders.delete(largest);
      largest.evict();
    }
  }

  /** The holder is gone: its bytes are free again. */
  release(holder: InputHolder): void {
    this.update(holder, 0);
  }
}

/** What the listeners share: the engine, the fault settings, open connections and timers. */
export interface MockCore {
  readonly engine: OciMockEngine;
  readonly faults: OciMockFaults;
  readonly logger: OciMockLogger;
  readonly limits: OciMockLimits;
  readonly budget: InputBudget;
  /** Open TCP/TLS connections with their sessions (for pushLogout / expireSessions). */
  readonly connections: Set<{ socket: Socket; sessions: ConnectionSessions }>;
  /** SOAP sessions by JSESSIONID. */
  readonly soapSessions: Map<string, CookieSession>;
  /** Resolves after `ms` unless the server closes first (then never resolves; nothing is left pending). */
  sleep(ms: number): Promise<void>;
  readonly closing: boolean;
  /** Logs and counts a refusal. */
  refuse(limit: OciMockRefusal, peer: string, reason: string): void;
}

/** Counts refusals by limit name. */
export function emptyRefusals(): Record<OciMockRefusal, number> {
  return {
    maxConnections: 0,
    maxBufferedInputBytes: 0,
    maxDocumentBytes: 0,
    idleTimeoutMs: 0,
    requestTimeoutMs: 0,
    headersTimeoutMs: 0,
    malformedStream: 0,
  };
}

/** `address:port` of a socket's peer, for logs. */
export function peerOf(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/** A timer registry so close() can cancel injected latencies. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });
  }
  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
