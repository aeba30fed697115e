import type { OciMockEngine, OciMockLogger } from '../engine.js';
import type { OciMockFaults } from '../faults.js';
import type { ConnectionSessions, CookieSession } from '../sessions.js';
import type { Socket } from 'node:net';

/** What the listeners share: the engine, the fault settings, open connections and timers. */
export interface MockCore {
  readonly engine: OciMockEngine;
  readonly faults: OciMockFaults;
  readonly logger: OciMockLogger;
  /** Open TCP/TLS connections with their sessions (for pushLogout / expireSessions). */
  readonly connections: Set<{ socket: Socket; sessions: ConnectionSessions }>;
  /** SOAP sessions by JSESSIONID. */
  readonly soapSessions: Map<string, CookieSession>;
  /** Resolves after `ms` unless the server closes first (then never resolves; nothing is left pending). */
  sleep(ms: number): Promise<void>;
  readonly closing: boolean;
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
