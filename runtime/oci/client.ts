import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { signedPassword } from './auth.js';
import { type LoginStrategy, displayUrl, resolveLoginStrategy } from './client/login.js';
import { ClientLog, type OciLogger, REDACTED } from './client/logging.js';
import { MAX_PAGE_SIZE, supportsPaging, tableElementsOf } from './client/paging.js';
import { SerialQueue } from './client/serial-queue.js';
import { OciSession } from './client/session.js';
import { type DecodeSelection, type EncodedCommand, MAX_COMMANDS, type OciCommand, type SendableCommand, commandOf, decodeDocument } from './codec.js';
import { LATEST_SUFFIX, newestOfFamily, pairedResponseName, requireTypeName, resolveRequestName } from './names.js';
import {
  OciClientClosedError,
  OciClientOptionsError,
  OciError,
  type OciErrorResponse,
  OciLoginError,
  OciNotConnectedError,
  OciPagingError,
} from './oci-error.js';
import { OciSchema } from './schema.js';
import type { OciTable } from './table.js';
import type { RequesterOptions } from './transport/requester.js';
import { validateCommand } from './validate.js';
import { escapeAttribute, escapeText } from './xml/escape.js';

export type { LoginStrategy } from './client/login.js';
export type { OciLogger } from './client/logging.js';
export { OciError } from './oci-error.js';

/** Most commands one BroadsoftDocument may carry (oci-protocol.md §2.3); the codec's MAX_COMMANDS under the client's name. */
export const MAX_COMMANDS_PER_DOCUMENT = MAX_COMMANDS;

/** A decoded response command: `$type` plus the exact XML element names. */
export interface OciResponse {
  $type: string;
  [key: string]: unknown;
}

/**
 * Type maps that make `send`/`call` typed. Each release entry exports a client already typed
 * with its maps (`import { OciClient } from 'thors-hammer/oci/r25'`); by hand it is
 * `new OciClient<OciTypes<Requests, ResponseOf, Latest>>(…)` with the three interfaces of a
 * generated release's `index`.
 *
 * The type-level design keeps type-checking cheap (docs/oci-bindings.md, "Type-checking
 * cost"): every lookup indexes a map by one literal name. Nothing ever forms `keyof` of a
 * map or a union of its 4,000 request shapes, which is what made tsc take seconds per call.
 */
export interface OciTypeMap {
  Requests: NameIndexed;
  ResponseOf: NameIndexed;
  Latest: NameIndexed;
}

/** A map that any name may index (a typed map answers unknown names with a marker type). */
export type NameIndexed = { readonly [name: string]: unknown };

/** What a typed client expects for a `$type` its release does not have: the compiler reports this missing key. */
export interface UnknownRequestType {
  $unknown: 'no request type of that name in this release (a family name? use call())';
}

/** What a typed client expects for a family its release does not have. */
export interface UnknownRequestFamily {
  $unknown: 'no request family of that name in this release';
}

/**
 * Builds an {@link OciTypeMap} from the three interfaces of `generated/oci/<release>/index.ts`.
 * Each map also answers any other name with a marker type, so a lookup is one indexed access
 * by a literal: no `keyof` of a 4,000-key map, no conditional type over it.
 */
export interface OciTypes<Rq extends object, Rs extends object, L extends object> extends OciTypeMap {
  Requests: Rq & { readonly [name: string]: UnknownRequestType };
  ResponseOf: Rs & { readonly [name: string]: OciResponse };
  Latest: L & { readonly [name: string]: UnknownRequestFamily };
}

/** The default, untyped map: any command in, any response out. */
export interface UntypedOci extends OciTypeMap {
  Requests: Record<string, OciCommand>;
  ResponseOf: Record<string, OciResponse>;
  Latest: Record<string, OciCommand>;
}

/** The request shape of type name `K` (UnknownRequestType when the release has no such request). */
export type RequestOf<M extends OciTypeMap, K extends string> = M['Requests'][K];
/** The response type of request `K` (SuccessResponse for commands without a data response). */
export type ResponseFor<M extends OciTypeMap, K extends string> = M['ResponseOf'][K];
/** The newest request shape of family `F` in the release. */
export type LatestOf<M extends OciTypeMap, F extends string> = F extends `${infer Family}@latest` ? M['Latest'][Family] : M['Latest'][F];
/** A request as `send` takes it: `$type` names the request, the rest is checked against its shape. */
export type RequestWithType<M extends OciTypeMap, K extends string> = { $type: K } & RequestOf<M, K>;
/** Name of a request type of the map: `string` for the untyped map and for `OciTypes` maps (use a release's own `RequestName` export for the union of its names). */
export type RequestName<M extends OciTypeMap> = keyof M['Requests'] & string;
/** A command without its `$type` (distributes over the unions that choices generate). */
export type FieldsOf<T> = T extends unknown ? Omit<T, '$type'> : never;
type TypeNameOf<T> = T extends { $type: infer N extends string } ? N : string;

/** The outcome of one command of a batch: its response, or the error it caused. */
export type BatchResult<R = OciResponse> = { ok: true; response: R } | { ok: false; error: Error };

/** Options of {@link OciClient.sendBatch}. */
export interface SendBatchOptions {
  /** Per request position, what to build of its response (undefined: all of it); see DecodeSelection in codec.ts. */
  select?: readonly (DecodeSelection | undefined)[];
}

/** One page from {@link OciClient.pages}. */
export interface OciPage<R = OciResponse> {
  /** The whole decoded response of this page. */
  response: R;
  /** The page's table (the first OCITable element of the response). */
  table: OciTable;
  /** 1-based index of the first row of this page. */
  startIndex: number;
}

export interface OciClientOptions {
  /** `tcp://host[:2208]`, `tls://host[:2209]`, `https://host/webservice/services/ProvisioningService` (or `http://` for tests and mocks). */
  url: string;
  userId: string;
  password: string;
  /** Schema release, e.g. `R25`; default: the newest generated release. */
  release?: string;
  /** An already loaded schema (or its loading promise, shared by the sessions of a pool); overrides `release`. */
  schema?: OciSchema | Promise<OciSchema>;
  /** Login flow; `auto` (default) = plain22V5 over TLS/HTTPS, hashed14sp4 over TCP/HTTP. */
  login?: LoginStrategy;
  /** Allows `plain22V5` over `tcp://`/`http://`, sending the password readable on the wire. Default false. */
  allowPlainPasswordOverInsecure?: boolean;
  /** Transport options (see runtime/oci/transport/requester.ts). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  tls?: RequesterOptions['tls'];
  allowInsecureTls?: boolean;
  soapPath?: string;
  /** Declared encoding of request documents; default UTF-8. */
  encoding?: 'UTF-8' | 'ISO-8859-1';
  /** Validate commands against the schema facets before sending (default true). */
  validate?: boolean;
  /** Reconnect and log in again when the session ended between commands (default true). */
  reconnect?: boolean;
  /** Connection attempts per reconnect (default 3). */
  maxReconnectAttempts?: number;
  /** Retries of a command refused with SOAP NO_OCS_CONNECTION (default 3). */
  maxBusyRetries?: number;
  /** Base delay of the exponential backoff between attempts (default 100 ms, capped at 2 s). */
  backoffMs?: number;
  /** Structured logger (`{debug, info, warn, error}`); secrets are always redacted. */
  logger?: OciLogger;
  /** Extra element/property names to redact in logs (password fields are always redacted). */
  redact?: readonly string[];
  /** Log every request and response document at debug level (redacted). Default false. */
  logDocuments?: boolean;
}

/** Counters a benchmark or a health check can read. */
export interface OciClientStats {
  documents: number;
  commands: number;
  logins: number;
  reconnects: number;
}

const LOGIN_TYPES = ['AuthenticationRequest', 'LoginRequest14sp4', 'LoginRequest22V5', 'LogoutRequest'] as const;

/**
 * An OCI-P client for one session (one connection and one login). Commands run one at a
 * time in call order; for parallelism use {@link OciSessionPool}.
 *
 * ```ts
 * const client = new OciClient({ url: 'tls://as.example.com', userId: 'admin', password });
 * await client.connect();
 * const user = await client.call('UserGetRequest', { userId: 'john@example.com' });
 * await client.close();
 * ```
 *
 * Failure rules: an ErrorResponse throws {@link OciError}; a command whose response was lost
 * mid-flight rejects with the transport error and is never resent; a session that ended
 * between commands (connection drop, server logout, expiry) is replaced transparently on the
 * next command (new connection, new session id, new login) unless `reconnect: false`.
 */
export class OciClient<M extends OciTypeMap = UntypedOci> {
  readonly url: string;
  readonly userId: string;
  /** The concrete login flow chosen for this URL. */
  readonly loginStrategy: 'hashed14sp4' | 'plain22V5';
  readonly stats: OciClientStats = { documents: 0, commands: 0, logins: 0, reconnects: 0 };
  /** The last LoginResponse (loginType, encoding, …). */
  loginResponse: OciResponse | undefined;

  private readonly options: OciClientOptions;
  // Options read per document, as fields of fixed types: callers' option objects differ in shape
  // (a pool's spread copy, a plain literal), and reading them through `options` would make the
  // per-document path polymorphic.
  private readonly validates: boolean;
  private readonly logsDocuments: boolean;
  private readonly password: string;
  private readonly log: ClientLog;
  private readonly queue = new SerialQueue();
  private schemaPromise: Promise<OciSchema> | undefined;
  private session: OciSession | undefined;
  private closeRequested = false;
  private closing: Promise<void> | undefined;
  private shutDown = false;

  constructor(options: OciClientOptions) {
    if (!options || typeof options.url !== 'string' || options.url === '') throw new OciClientOptionsError('url is required');
    if (typeof options.userId !== 'string' || options.userId === '') throw new OciClientOptionsError('userId is required');
    if (typeof options.password !== 'string') throw new OciClientOptionsError('password is required');
    this.options = { ...options };
    this.validates = options.validate !== false;
    this.logsDocuments = options.logDocuments === true;
    this.url = options.url;
    this.userId = options.userId;
    this.password = options.password;
    this.log = new ClientLog(options.logger, options.redact);
    this.log.addSecret(options.password);
    this.loginStrategy = resolveLoginStrategy(options.url, options.login, options.allowPlainPasswordOverInsecure);
  }

  /** The current session id (a fresh UUID per login), or undefined before connecting. */
  get sessionId(): string | undefined {
    return this.session?.sessionId;
  }

  /** True while a logged-in session exists that has not been seen to end. */
  get connected(): boolean {
    return this.session !== undefined && this.session.usable && this.session.loggedIn;
  }

  /** The schema of the configured release (loaded on first use). */
  schema(): Promise<OciSchema> {
    this.schemaPromise ??= (async () => {
      const schema = (await this.options.schema) ?? (await OciSchema.load(this.options.release ?? newestGeneratedRelease()));
      await schema.ensure(...LOGIN_TYPES);
      await schema.ensure(...LOGIN_TYPES.map((t) => schema.responseTypeOf(t)));
      return schema;
    })();
    return this.schemaPromise;
  }

  /** Opens the connection and logs in (idempotent). Login failures throw OciError (e.g. 4962 invalid password). */
  connect(): Promise<void> {
    this.assertOpen();
    return this.queue.run(async () => {
      await this.ensureSession();
    });
  }

  /**
   * Sends one command and returns its response; an ErrorResponse throws {@link OciError}.
   * The command is validated first (OciValidationError, nothing sent) unless `validate: false`.
   */
  async send<const K extends string>(request: RequestWithType<M, K>): Promise<ResponseFor<M, K>> {
    const [result] = (await this.sendBatch([request as unknown as OciCommand] as never)) as BatchResult[];
    if (!result) throw new OciClientOptionsError('send() needs a request');
    if (!result.ok) throw result.error;
    return result.response as ResponseFor<M, K>;
  }

  /**
   * Sends the newest version of a request family for the configured release:
   * `call('UserGetRequest', { userId })` (also `'UserGetRequest@latest'`). Unknown families throw
   * OciUnknownTypeError with suggestions.
   */
  async call<const F extends string>(family: F, fields: FieldsOf<LatestOf<M, F>>): Promise<ResponseFor<M, TypeNameOf<LatestOf<M, F>>>> {
    const schema = await this.schema();
    const bare = family.endsWith(LATEST_SUFFIX) ? family.slice(0, -LATEST_SUFFIX.length) : family;
    const $type = newestOfFamily(schema, bare) ?? resolveRequestName(schema, family).type;
    return (await this.send({ ...(fields as object), $type } as never)) as ResponseFor<M, TypeNameOf<LatestOf<M, F>>>;
  }

  /**
   * Sends any number of commands, split into documents of at most 15, and returns one result
   * per position, in order. An ErrorResponse, a validation failure or a transport failure of
   * one document never hides the results of the others. `options.select`, by position, builds
   * only part of a response (codec.ts, DecodeSelection): for readers that keep a few fields.
   */
  sendBatch<const K extends string>(requests: readonly RequestWithType<M, K>[], options?: SendBatchOptions): Promise<BatchResult<ResponseFor<M, K>>[]>;
  sendBatch(requests: readonly OciCommand[], options: SendBatchOptions = {}): Promise<BatchResult<unknown>[]> {
    return this.sendEncoded(requests, options);
  }

  /**
   * {@link sendBatch} for commands that may come already encoded ({@link EncodedCommand}, as a
   * request plan makes them): their text is sent as it is, the rest is encoded as usual. The
   * results are untyped.
   */
  async sendEncoded(requests: readonly SendableCommand[], options: SendBatchOptions = {}): Promise<BatchResult<unknown>[]> {
    this.assertOpen();
    const schema = await this.schema();
    const results: BatchResult[] = new Array(requests.length);
    // Bad commands fail here, without a round trip; the others go out.
    const prepared = requests.map((request) => this.prepare(schema, request));
    // Once a type's modules are loaded prepare() is synchronous: no promise per command then.
    const problems = prepared.some((p) => p instanceof Promise) ? await Promise.all(prepared) : (prepared as (Error | undefined)[]);
    const positions: number[] = [];
    problems.forEach((error, position) => {
      if (error) results[position] = { ok: false, error };
      else positions.push(position);
    });
    for (let i = 0; i < positions.length; i += MAX_COMMANDS_PER_DOCUMENT) {
      const chunk = positions.slice(i, i + MAX_COMMANDS_PER_DOCUMENT);
      const commands = chunk.map((p) => requests[p] as SendableCommand);
      const select = options.select && chunk.map((p) => options.select?.[p]);
      try {
        const responses = await this.queue.run(() => this.exchange(commands, select));
        chunk.forEach((p, k) => {
          results[p] = toResult(responses[k] as OciResponse, commandOf(commands[k] as SendableCommand));
        });
      } catch (error) {
        for (const p of chunk) results[p] = { ok: false, error: error as Error };
      }
    }
    return results;
  }

  /**
   * Escape hatch for commands the schema lacks: sends `<command xsi:type="xsiType">innerXml</command>`
   * with `innerXml` verbatim (it must be well-formed XML; nothing is validated). Returns the
   * decoded response, or the raw response document text when its type is unknown to the schema.
   * An ErrorResponse throws {@link OciError}.
   */
  async sendRaw(xsiType: string, innerXml = ''): Promise<OciResponse | string> {
    this.assertOpen();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(xsiType)) throw new OciClientOptionsError(`'${xsiType}' is not a valid xsi:type name`);
    const schema = await this.schema();
    for (const key of [xsiType, pairedResponseName(xsiType)]) if (schema.has(key)) await schema.ensure(key);
    const request: OciCommand = { $type: xsiType };
    const encoding = this.options.encoding ?? 'UTF-8';
    const answer = await this.queue.run(() =>
      this.withRecovery(
        async (session) => {
          const text = rawDocument(session.sessionId, xsiType, innerXml, encoding);
          const started = performance.now();
          const reply = await session.exchangeText(text);
          this.countDocument(session, [request], started, text, reply);
          return { reply, response: decodeIfKnown(schema, reply) };
        },
        ({ response }) => response !== undefined && isNotLoggedInResponse(response),
      ),
    );
    if (answer.response === undefined) return answer.reply;
    if (answer.response.$type === 'ErrorResponse') throw new OciError(answer.response as unknown as OciErrorResponse, request);
    return answer.response;
  }

  /**
   * Pages through a request that has `responsePagingControl` (1-based start index, page size
   * 1..2000), yielding one page (response and table) per round trip until a short page.
   */
  async *pages<const K extends string>(
    request: RequestWithType<M, K>,
    options: { pageSize?: number; startIndex?: number } = {},
  ): AsyncGenerator<OciPage<ResponseFor<M, K>>> {
    const pageSize = options.pageSize ?? 1000;
    let startIndex = options.startIndex ?? 1;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new OciPagingError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`, { pageSize });
    }
    if (!Number.isInteger(startIndex) || startIndex < 1) throw new OciPagingError(`startIndex must be an integer ≥ 1, got ${startIndex}`);
    const schema = await this.schema();
    const type = (request as unknown as OciCommand).$type;
    await ensureCommandTypes(schema, type);
    if (!supportsPaging(schema, type)) throw new OciPagingError(`${type} has no responsePagingControl`, { command: type });
    const [tableName] = tableElementsOf(schema, schema.responseTypeOf(type));
    if (!tableName) throw new OciPagingError(`${schema.responseTypeOf(type)} has no table`, { command: type });
    for (;;) {
      const paged = { ...(request as unknown as OciCommand), responsePagingControl: { responseStartIndex: startIndex, responsePageSize: pageSize } };
      const response = (await this.send(paged as never)) as OciResponse;
      const table = response[tableName] as OciTable;
      yield { response: response as ResponseFor<M, K>, table, startIndex };
      const rows = table.row.length;
      const total = response.totalNumberOfRows;
      if (rows < pageSize || (typeof total === 'number' && startIndex - 1 + rows >= total)) return;
      startIndex += rows;
    }
  }

  /** All rows of a paged request, as one table (headings of the first page). */
  async allRows<const K extends string>(request: RequestWithType<M, K>, options: { pageSize?: number } = {}): Promise<OciTable> {
    let colHeading: string[] | undefined;
    const row: OciTable['row'] = [];
    for await (const page of this.pages(request, options)) {
      colHeading ??= page.table.colHeading;
      row.push(...page.table.row);
    }
    return { colHeading: colHeading ?? [], row };
  }

  /**
   * Logs out (`LogoutRequest`, reason `Client Logout`) and closes the connection. Commands
   * queued before `close()` still run; later ones fail with TH_ERR_OCI_CLIENT_CLOSED. Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closeRequested = true;
      this.closing = this.queue.run(() => this.shutdown());
    }
    return this.closing;
  }

  // ---- internals -------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closeRequested) throw new OciClientClosedError();
  }

  /** Loads the command's types and validates it; returns the problem (nothing is sent for a bad command). */
  private prepare(schema: OciSchema, sendable: SendableCommand): Error | undefined | Promise<Error | undefined> {
    try {
      const request = commandOf(sendable);
      if (!request || typeof request !== 'object' || typeof request.$type !== 'string') {
        throw new OciClientOptionsError('a command must be an object with a string $type');
      }
      // Synchronous once the command's modules are loaded: a busy session prepares thousands per second.
      if (!isPrepared(schema, request.$type)) {
        return ensureCommandTypes(schema, request.$type).then(() => this.prepare(schema, sendable), asError);
      }
      if (this.validates) validateCommand(schema, request);
      return undefined;
    } catch (error) {
      return asError(error);
    }
  }

  /** Returns a logged-in session, opening or replacing it if needed. Runs inside the queue. */
  private async ensureSession(): Promise<OciSession> {
    const current = this.session;
    if (current?.usable && current.loggedIn) return current;
    // Work that reached the queue after close() ran must not open a new session.
    if (this.shutDown) throw new OciClientClosedError();
    const replacing = current !== undefined;
    if (current) {
      if (this.options.reconnect === false) {
        throw new OciNotConnectedError(`the OCI session ended (${current.deathReason ?? 'unknown reason'}) and reconnect is off`, {
          url: displayUrl(this.url),
        });
      }
      this.session = undefined;
      await current.close();
    }
    const attempts = replacing ? Math.max(1, this.options.maxReconnectAttempts ?? 3) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const session = await this.openSession();
        if (replacing) {
          this.stats.reconnects++;
          this.log.info('reconnected', { url: displayUrl(this.url), sessionId: session.sessionId, attempt, previous: current?.deathReason });
        }
        return session;
      } catch (error) {
        // A refused login (wrong password …) will not get better by retrying.
        if (attempt >= attempts || error instanceof OciError || error instanceof OciLoginError) throw error;
        this.log.warn('reconnect failed; retrying', { attempt, error });
        await sleep(this.backoff(attempt));
      }
    }
  }

  private async openSession(): Promise<OciSession> {
    const schema = await this.schema();
    const requesterOptions: RequesterOptions = {
      connectTimeoutMs: this.options.connectTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      tls: this.options.tls,
      allowInsecureTls: this.options.allowInsecureTls,
      soapPath: this.options.soapPath,
    };
    const session = new OciSession(schema, this.url, requesterOptions, this.log, this.options.encoding ?? 'UTF-8');
    this.session = session;
    const started = performance.now();
    try {
      await session.connect();
      this.log.info(`connect: ${displayUrl(this.url)}`, { url: displayUrl(this.url), ms: elapsed(started) });
      await this.login(session);
    } catch (error) {
      if (this.session === session) this.session = undefined;
      await session.close();
      throw error;
    }
    return session;
  }

  /** Runs the configured login flow on a connected session. */
  private async login(session: OciSession): Promise<void> {
    const started = performance.now();
    const where = displayUrl(this.url);
    this.log.info(`login: ${this.loginStrategy} over ${where}`, {
      strategy: this.loginStrategy,
      url: where,
      userId: this.userId,
      sessionId: session.sessionId,
    });
    let response: OciResponse;
    if (this.loginStrategy === 'hashed14sp4') {
      const authRequest = { $type: 'AuthenticationRequest', userId: this.userId };
      const [auth] = (await this.exchangeOnSession(session, [authRequest])) as OciResponse[];
      throwIfError(auth as OciResponse, authRequest);
      const nonce = (auth as OciResponse).nonce;
      const algorithm = (auth as OciResponse).passwordAlgorithm;
      if (algorithm !== 'MD5' || typeof nonce !== 'string') {
        throw new OciLoginError(`the server asked for password algorithm '${String(algorithm)}'; only MD5 is defined by OCI-P`, { algorithm });
      }
      const signed = signedPassword(nonce, this.password);
      this.log.addSecret(signed);
      const [login] = (await this.exchangeOnSession(session, [{ $type: 'LoginRequest14sp4', userId: this.userId, signedPassword: signed }])) as OciResponse[];
      throwIfError(login as OciResponse, { $type: 'LoginRequest14sp4', userId: this.userId, signedPassword: REDACTED });
      response = login as OciResponse;
    } else {
      const [login] = (await this.exchangeOnSession(session, [{ $type: 'LoginRequest22V5', userId: this.userId, password: this.password }])) as OciResponse[];
      throwIfError(login as OciResponse, { $type: 'LoginRequest22V5', userId: this.userId, password: REDACTED });
      response = login as OciResponse;
    }
    session.loggedIn = true;
    this.loginResponse = response;
    this.stats.logins++;
    this.log.info('logged in', {
      strategy: this.loginStrategy,
      sessionId: session.sessionId,
      loginType: response.loginType,
      ms: elapsed(started),
    });
  }

  /**
   * Sends one document of prepared commands on a logged-in session, with the recovery rules:
   * SOAP "not logged in" and a TCP "not logged in" ErrorResponse for every command (the server
   * forgot the session, so nothing ran) → log in again with a fresh session id and resend once;
   * SOAP NO_OCS_CONNECTION (nothing ran) → bounded backoff retry. Everything else propagates.
   */
  private exchange(commands: readonly SendableCommand[], select?: readonly (DecodeSelection | undefined)[]): Promise<OciCommand[]> {
    return this.withRecovery(
      (session) => this.exchangeOnSession(session, commands, select),
      (responses) => responses.every(isNotLoggedInResponse),
    );
  }

  /**
   * Runs one exchange on a logged-in session with the recovery rules shared by `exchange` and
   * `sendRaw`. `refusedForLogin` tells whether the server refused the whole exchange because the
   * session is not logged in (so nothing ran and a resend after a new login is safe).
   */
  private async withRecovery<T>(attempt: (session: OciSession) => Promise<T>, refusedForLogin: (result: T) => boolean): Promise<T> {
    let session = await this.ensureSession();
    let reloggedIn = false;
    let busyRetries = 0;
    for (;;) {
      try {
        const result = await attempt(session);
        if (!reloggedIn && refusedForLogin(result)) {
          this.log.warn('the server no longer knows the session; logging in again', { sessionId: session.sessionId });
          reloggedIn = true;
          session = await this.relogin(session);
          continue;
        }
        return result;
      } catch (error) {
        const fault = error as { code?: string; retryable?: boolean };
        if (isSoapNotLoggedIn(error) && !reloggedIn) {
          this.log.warn('SOAP session not logged in; resetting cookies and logging in again', { sessionId: session.sessionId });
          reloggedIn = true;
          session.requester.resetSession();
          session = await this.relogin(session);
          continue;
        }
        if (fault.code === 'TH_ERR_OCI_SOAP_FAULT' && fault.retryable && busyRetries < (this.options.maxBusyRetries ?? 3)) {
          busyRetries++;
          const delay = this.backoff(busyRetries);
          this.log.warn('server busy (NO_OCS_CONNECTION); retrying', { attempt: busyRetries, delayMs: delay });
          await sleep(delay);
          continue;
        }
        throw error;
      }
    }
  }

  /** Logs in again on the same transport with a fresh session id (SOAP: after resetSession). */
  private async relogin(session: OciSession): Promise<OciSession> {
    session.renew();
    try {
      await this.login(session);
    } catch (error) {
      session.kill('re-login failed');
      throw error;
    }
    this.stats.reconnects++;
    return session;
  }

  private async exchangeOnSession(
    session: OciSession,
    commands: readonly SendableCommand[],
    select?: readonly (DecodeSelection | undefined)[],
  ): Promise<OciCommand[]> {
    const started = performance.now();
    const responses = await session.exchange(commands, { select }, this.logsDocuments ? (text, reply) => this.logDocuments(text, reply) : undefined);
    this.countDocument(session, commands, started);
    return responses;
  }

  private countDocument(session: OciSession, commands: readonly SendableCommand[], started: number, text?: string, reply?: string): void {
    this.stats.documents++;
    this.stats.commands += commands.length;
    if (!this.log.enabled) return;
    this.log.debug('command', {
      sessionId: session.sessionId,
      commands: commands.map((c) => commandOf(c).$type),
      ms: elapsed(started),
    });
    if (text !== undefined && reply !== undefined && this.logsDocuments) this.logDocuments(text, reply);
  }

  private logDocuments(text: string, reply: string): void {
    this.log.debug('request document', { document: text });
    this.log.debug('response document', { document: reply });
  }

  private async shutdown(): Promise<void> {
    this.shutDown = true;
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    if (session.usable && session.loggedIn) {
      try {
        await session.exchange([{ $type: 'LogoutRequest', userId: this.userId, reason: 'Client Logout' }], {
          timeoutMs: Math.min(this.options.requestTimeoutMs ?? 30_000, 5_000),
        });
        this.log.info('logged out', { sessionId: session.sessionId });
      } catch (error) {
        this.log.debug('logout failed; closing anyway', { error });
      }
    }
    await session.close();
  }

  private backoff(attempt: number): number {
    return Math.min(2_000, (this.options.backoffMs ?? 100) * 2 ** (attempt - 1));
  }
}

/** Request types whose modules (and their response's) are known to be loaded, per schema. */
const preparedTypes = new WeakMap<OciSchema, Set<string>>();

/**
 * Loads the modules of a request type and of its response type, once per schema: `ensure`
 * walks the release index, far too slow to repeat for every command of a busy session.
 */
function isPrepared(schema: OciSchema, type: string): boolean {
  return preparedTypes.get(schema)?.has(type) === true;
}

async function ensureCommandTypes(schema: OciSchema, type: string): Promise<void> {
  let prepared = preparedTypes.get(schema);
  if (!prepared) {
    prepared = new Set();
    preparedTypes.set(schema, prepared);
  }
  if (prepared.has(type)) return;
  requireTypeName(schema, type);
  await schema.ensure(type);
  await schema.ensure(schema.responseTypeOf(type));
  prepared.add(type);
}

/** The first command of a response document, or undefined when its type is unknown to the schema. */
function decodeIfKnown(schema: OciSchema, reply: string): OciResponse | undefined {
  try {
    return decodeDocument(schema, reply).commands[0] as OciResponse;
  } catch (error) {
    if ((error as { code?: string }).code === 'TH_ERR_OCI_UNKNOWN_TYPE') return undefined;
    throw error;
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** Converts a response command into a batch result (ErrorResponse → OciError). */
function toResult(response: OciResponse, request: OciCommand): BatchResult {
  if (response.$type === 'ErrorResponse') return { ok: false, error: new OciError(response as unknown as OciErrorResponse, request) };
  return { ok: true, response };
}

function throwIfError(response: OciResponse, request: OciCommand): void {
  if (response.$type === 'ErrorResponse') throw new OciError(response as unknown as OciErrorResponse, request);
}

/** An ErrorResponse saying the session is not (or no longer) logged in. */
function isNotLoggedInResponse(response: OciCommand): boolean {
  if (response.$type !== 'ErrorResponse') return false;
  const text = `${String(response.summaryEnglish ?? '')} ${String(response.summary ?? '')}`;
  return /not\s+logged\s+in|before\s+(the\s+)?user\s+is\s+logged\s+in|session\s+(has\s+)?expired/i.test(text);
}

/**
 * A SOAP fault saying the cookie session has no login: INVALID_REQUEST with a detail such as the
 * verbatim "Cannot process any request before user is logged in." (oci-protocol.md §4.9).
 */
function isSoapNotLoggedIn(error: unknown): boolean {
  const fault = error as { code?: string; notLoggedIn?: boolean; faultstring?: string; detail?: string };
  if (fault?.code !== 'TH_ERR_OCI_SOAP_FAULT') return false;
  return fault.notLoggedIn === true || (fault.faultstring?.trim() === 'INVALID_REQUEST' && /logged\s+in/i.test(fault.detail ?? ''));
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/** The §4.1 envelope around one verbatim command body. */
function rawDocument(sessionId: string, xsiType: string, innerXml: string, encoding: 'UTF-8' | 'ISO-8859-1'): string {
  return (
    `<?xml version="1.0" encoding="${encoding}"?>\n` +
    '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<sessionId xmlns="">${escapeText(sessionId)}</sessionId>` +
    `<command xmlns="" xsi:type="${escapeAttribute(xsiType)}">${innerXml}</command></BroadsoftDocument>`
  );
}

/** The newest release under generated/oci (R25 before R24), for the default `release`: {@link OciSchema.newestRelease}. */
export function newestGeneratedRelease(generatedDir?: string): string {
  return OciSchema.newestRelease(generatedDir);
}
