import type { MockUser } from './users.js';

/** Login state of one OCI-P session (oci-protocol.md §4.6–§4.8). */
export interface SessionState {
  /** Set by a successful LoginRequest; cleared by LogoutRequest, a forced logout or expireSessions(). */
  user?: MockUser;
  /** The nonce handed out by the last AuthenticationRequest, and for whom. */
  nonce?: { userId: string; value: string };
  /** Commands answered while logged in (drives the `logoutAfter` fault). */
  answered: number;
}

/**
 * Where the sessions of one client live. TCP/TLS: per connection and sessionId (a client may
 * multiplex several sessionIds on one socket). SOAP: one session per JSESSIONID cookie,
 * whatever sessionId the documents carry.
 */
export interface SessionScope {
  readonly transport: 'tcp' | 'tls' | 'soap';
  /** The session for a document's sessionId (created logged out on first use). */
  session(sessionId: string): SessionState;
}

/** A scope keyed by sessionId (TCP/TLS connections). */
export class ConnectionSessions implements SessionScope {
  readonly sessions = new Map<string, SessionState>();
  constructor(readonly transport: 'tcp' | 'tls') {}
  session(sessionId: string): SessionState {
    let state = this.sessions.get(sessionId);
    if (!state) {
      state = { answered: 0 };
      this.sessions.set(sessionId, state);
    }
    return state;
  }
}

/** A scope with one session for every sessionId (a SOAP JSESSIONID). */
export class CookieSession implements SessionScope {
  readonly transport = 'soap' as const;
  readonly state: SessionState = { answered: 0 };
  session(): SessionState {
    return this.state;
  }
}

/** A fresh 13-digit millisecond nonce, strictly increasing within the process (two logins in one ms still differ). */
export function freshNonce(): string {
  const now = Date.now();
  lastNonce = now > lastNonce ? now : lastNonce + 1;
  return String(lastNonce);
}
let lastNonce = 0;
