import { randomUUID } from 'node:crypto';
import { type DecodeSelection, type OciCommand, type SendableCommand, commandOf, decodeDocument, encodeDocument } from '../codec.js';
import { OciResponseMismatchError, OciServerLogoutError } from '../oci-error.js';
import type { OciSchema } from '../schema.js';
import { type Requester, type RequesterOptions, createRequester } from '../transport/requester.js';
import type { ClientLog } from './logging.js';

/**
 * One OCI-P session: one requester (one TCP/TLS connection, or one SOAP cookie jar) and one
 * session id. It moves documents and notices when the session dies; the login policy,
 * retries and reconnects live in {@link OciClient}. A dead session is never revived: after
 * the connection drops or the server pushes a logout, the client builds a new one (new socket,
 * new session id, new login). When the server merely forgot the login (expiry, SOAP "not logged
 * in"), the client renews the session id and logs in again on the same transport.
 *
 * States: `open` (connected, maybe logged in) → `dead` (connection lost, server logout,
 * transport failure, or closed). `loggedIn` is tracked separately.
 */
export class OciSession {
  /** Fresh for every login, as the protocol asks the client to keep ids unique (§4.8). */
  private currentSessionId: string = randomUUID();
  readonly requester: Requester;
  loggedIn = false;
  private alive = true;
  /** Why the session died, for logs. */
  deathReason: string | undefined;
  /**
   * Aborts the in-flight request when the server pushes a LogoutRequest. One per session, not
   * per document: a server logout ends the session for good (later requests get its error).
   */
  private readonly logoutAbort = new AbortController();
  private serverLogout: OciServerLogoutError | undefined;

  constructor(
    private readonly schema: OciSchema,
    readonly url: string,
    requesterOptions: RequesterOptions,
    private readonly log: ClientLog,
    private readonly encoding: 'UTF-8' | 'ISO-8859-1',
  ) {
    this.requester = createRequester(url, {
      ...requesterOptions,
      logger: log.asLogger(),
      classify: (document) => (isServerLogout(this.schema, document) ? 'unsolicited' : 'response'),
    });
    this.requester.on('unsolicited', (document) => this.onUnsolicited(document));
    this.requester.on('close', (error) => {
      if (this.alive) this.kill(error ? `connection closed: ${error.message}` : 'connection closed');
    });
  }

  get sessionId(): string {
    return this.currentSessionId;
  }

  /** Starts over with a fresh session id on the same transport (before a re-login). */
  renew(): void {
    this.currentSessionId = randomUUID();
    this.loggedIn = false;
  }

  /** True while the session can carry commands (it may still need a login). */
  get usable(): boolean {
    return this.alive && (this.requester.kind === 'soap' || this.requester.connected);
  }

  async connect(): Promise<void> {
    await this.requester.connect();
  }

  /** Marks the session dead; the next command builds a new one. */
  kill(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.loggedIn = false;
    this.deathReason = reason;
    this.log.debug('session ended', { sessionId: this.sessionId, reason });
  }

  /**
   * Sends one document of 1–15 already validated commands and returns the decoded responses,
   * one per command, in order. Transport errors propagate (the session is then dead unless the
   * error is a SOAP-level one); an unsolicited server logout rejects with OciServerLogoutError.
   * `select` says, per command, what to build of its response (codec.ts, DecodeSelection).
   */
  async exchange(
    commands: readonly SendableCommand[],
    options: { timeoutMs?: number; select?: readonly (DecodeSelection | undefined)[] } = {},
    onDocuments?: (request: string, reply: string) => void,
  ): Promise<OciCommand[]> {
    const text = encodeDocument(this.schema, { sessionId: this.sessionId, commands: [...commands] }, { encoding: this.encoding, validate: false });
    const reply = await this.exchangeText(text, options);
    onDocuments?.(text, reply);
    const decoded = decodeDocument(this.schema, reply, { select: options.select });
    if (decoded.commands.length !== commands.length) {
      this.kill('response count mismatch');
      throw new OciResponseMismatchError(`sent ${commands.length} command(s) but the response holds ${decoded.commands.length}`, {
        sessionId: this.sessionId,
        sent: commands.map((c) => commandOf(c).$type),
      });
    }
    return decoded.commands;
  }

  /** Sends a complete document text and returns the response document text. */
  async exchangeText(text: string, options: { timeoutMs?: number } = {}): Promise<string> {
    if (this.serverLogout) throw this.serverLogout;
    try {
      return await this.requester.request(text, { timeoutMs: options.timeoutMs, signal: this.logoutAbort.signal });
    } catch (error) {
      // The abort came from a server-pushed LogoutRequest: report that, not a generic abort.
      if (this.logoutAbort.signal.aborted && this.serverLogout) throw this.serverLogout;
      if (!isSoapLevel(error)) this.kill(`transport error: ${(error as Error).message}`);
      throw error;
    }
  }

  /** Closes the transport without logging out (idempotent). */
  async close(): Promise<void> {
    this.kill('closed');
    try {
      await this.requester.close();
    } catch {
      // Closing is best effort; the socket is gone either way.
    }
  }

  private onUnsolicited(document: string): void {
    let reason: string | undefined;
    try {
      const command = decodeDocument(this.schema, document).commands[0] as { reason?: string } | undefined;
      reason = command?.reason;
    } catch {
      reason = undefined;
    }
    this.serverLogout = new OciServerLogoutError(reason, { sessionId: this.sessionId, url: this.url });
    this.log.warn('server logged the session out', { sessionId: this.sessionId, reason });
    this.kill(`server logout${reason ? ` (${reason})` : ''}`);
    this.logoutAbort.abort(this.serverLogout);
  }
}

/** True for a document whose first command is a LogoutRequest: the only message an OCS sends unprompted. */
export function isServerLogout(schema: OciSchema, document: string): boolean {
  // Cheap pre-check so ordinary responses are not decoded twice.
  if (!document.includes('LogoutRequest')) return false;
  try {
    return decodeDocument(schema, document).commands[0]?.$type === 'LogoutRequest';
  } catch {
    return false;
  }
}

/** Errors after which the connection itself is still fine (SOAP faults and HTTP statuses: one HTTP exchange failed). */
export function isSoapLevel(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'TH_ERR_OCI_SOAP_FAULT' || code === 'TH_ERR_OCI_HTTP' || code === 'TH_ERR_OCI_SOAP_BODY';
}
