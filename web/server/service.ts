import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createEmitter, type ActionEmitter } from '../core/emitter.js';
import { WebAuthError, WebCommandError } from '../core/errors.js';
import { HandlerRegistry } from '../core/registry.js';
import { executeRun } from '../core/run.js';
import { SECRET_MASK, mapSecrets, maskSecrets, secretValues } from '../core/secrets.js';
import type { Handler, HandlerConfigStore, JsonValue, OutputLimits, WebLogger } from '../core/types.js';
import { dummyPasswordHash, hashPassword, type SecretBox, type TokenService, verifyPassword } from './auth.js';
import { EventBus } from './bus.js';
import type { Database } from './db/schema.js';
import { type ChunkJson, Store, type ThreadActionJson, type UserRow, newArtifactId } from './store.js';

/**
 * Default scheduler limits, Part C's (C.5): 8 actions running at once for the whole server, 4 per
 * user, so that one user cannot take every slot. Most actions wait on a remote server rather than
 * the CPU, so sites with slow servers and many users raise `scheduler.maxRunning`.
 */
export const DEFAULT_SCHEDULER_LIMITS = { maxRunning: 8, maxPerUser: 4 } as const;

/** Limits of the scheduler (C.5). */
export interface SchedulerLimits {
  maxRunning: number;
  maxPerUser: number;
  /** Default timeout of an action whose handler names none; null = none. */
  defaultTimeoutMs: number | null;
  cancelGraceMs: number;
}

export interface ServiceOptions {
  db: Kysely<Database>;
  handlers: Handler[];
  secrets: SecretBox;
  tokens: TokenService;
  limits?: Partial<SchedulerLimits>;
  output: OutputLimits;
  log: WebLogger;
  /** Static handler configuration by handler name. */
  handlerConfig?: Record<string, unknown>;
  runnerId?: string;
}

interface Job {
  actionId: number;
  userId: number;
  email: string;
  threadId: number;
  handler: Handler;
  request: unknown;
  timeoutMs: number | null;
}

interface Running {
  job: Job;
  cancel: AbortController;
  emitter: ActionEmitter;
  finished: Promise<void>;
  /** Set once the final status is stored. */
  settled: boolean;
  forceCancel?: () => void;
}

/**
 * The Web CLI service: users and tokens, threads and actions (through the store), the handler
 * registry, the scheduler with cancel and timeouts, and the event bus. Routes and the
 * websocket call it; handlers only see their run context.
 */
export class WebCliService {
  readonly store: Store;
  readonly bus = new EventBus();
  readonly registry: HandlerRegistry;
  readonly runnerId: string;
  readonly limits: SchedulerLimits;
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, Running>();
  /** Running actions per user id (the per-user cap), kept with `running`. */
  private readonly runningPerUser = new Map<number, number>();
  private readonly queuedCancels = new Set<number>();
  private stopping = false;

  constructor(private readonly options: ServiceOptions) {
    this.store = new Store(options.db);
    this.registry = new HandlerRegistry(options.handlers);
    this.runnerId = options.runnerId ?? 'single';
    this.limits = { ...DEFAULT_SCHEDULER_LIMITS, defaultTimeoutMs: 600_000, cancelGraceMs: 10_000, ...(options.limits ?? {}) };
  }

  get tokens(): TokenService {
    return this.options.tokens;
  }

  /** Restart cleanup, then handler start. */
  async start(): Promise<{ interrupted: number[] }> {
    const interrupted = await this.store.failUnfinished(this.runnerId);
    if (interrupted.length > 0) this.options.log.warn('actions interrupted by a restart marked failed', { count: interrupted.length });
    await this.registry.start(
      {
        log: this.options.log,
        handler: (name) => this.registry.get(name),
        handlers: () => this.registry.list(),
        configs: this.configStore,
        readUpload: (userId, id) => this.store.getUpload(userId, id),
        limits: this.options.output,
      },
      this.options.handlerConfig ?? {},
      this.options.log,
    );
    return { interrupted };
  }

  /** Cancels everything running, waits for it within the grace period, stops the handlers. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const job of this.queue.splice(0)) await this.finish(job, 'cancelled', 'server shutting down');
    for (const id of [...this.running.keys()]) this.cancelRunning(id, 'server shutting down');
    await Promise.all([...this.running.values()].map((r) => r.finished));
    await this.registry.stop(5000, this.options.log);
  }

  // --- authentication ------------------------------------------------------------------

  /** Checks credentials; unknown email and wrong password fail alike, in about the same time (B6). */
  async login(email: string, password: string): Promise<{ user: UserRow; token: string; exp: number }> {
    const user = await this.store.userByEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok || !user.isActive) throw new WebAuthError('wrong email or password');
    const { token, exp } = await this.tokens.issue(user.id, user.passwordVersion);
    return { user, token, exp };
  }

  /**
   * The user a token names, if the token is valid, the user active, the password version current
   * (B2) and its login session not logged out.
   */
  async authenticate(token: string | undefined): Promise<{ user: UserRow; sessionId: string; exp: number; iat: number }> {
    if (!token) throw new WebAuthError();
    const claims = await this.tokens.verify(token);
    const [user, revoked] = await Promise.all([this.store.userById(claims.userId), this.store.isSessionRevoked(claims.sessionId)]);
    if (!user || !user.isActive || user.passwordVersion !== claims.passwordVersion || revoked) throw new WebAuthError('session revoked');
    return { user, sessionId: claims.sessionId, exp: claims.exp, iat: claims.iat };
  }

  /**
   * Ends the login session of a token, if it is still valid: every token of that session (the
   * re-issued ones too) is refused from now on. Returns the session, or undefined when there was none.
   */
  async logout(token: string | undefined): Promise<{ userId: number; sessionId: string } | undefined> {
    let session: { user: UserRow; sessionId: string };
    try {
      session = await this.authenticate(token);
    } catch (error) {
      if (error instanceof WebAuthError) return undefined;
      throw error;
    }
    // A token of this session issued from now on is impossible; the newest one expires within a lifetime.
    const lastExpiry = new Date(Date.now() + this.tokens.lifetimeSeconds * 1000);
    await this.store.revokeSession(session.user.id, session.sessionId, lastExpiry);
    return { userId: session.user.id, sessionId: session.sessionId };
  }

  async createUser(email: string, password: string): Promise<UserRow> {
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) throw new WebCommandError(`'${email}' is not an email address`, { code: 'TH_ERR_WEB_USER' });
    if (password.length < 8) throw new WebCommandError('the password needs at least 8 characters', { code: 'TH_ERR_WEB_USER' });
    return this.store.createUser(email, await hashPassword(password));
  }

  async changePassword(userId: number, current: string, next: string): Promise<void> {
    const user = await this.store.userById(userId);
    if (!user || !(await verifyPassword(current, user.passwordHash))) throw new WebAuthError('the current password is wrong');
    if (next.length < 8) throw new WebCommandError('the new password needs at least 8 characters', { code: 'TH_ERR_WEB_USER' });
    await this.store.setPassword(userId, await hashPassword(next));
  }

  // --- handler configurations ------------------------------------------------------------

  /** Per-user configurations with secrets sealed at rest and masked when shown. */
  readonly configStore: HandlerConfigStore = {
    getMasked: async (userId, handler) => {
      const keys = this.secretKeysOf(handler); // an unknown handler is an error, not "no configuration"
      const stored = await this.store.getHandlerConfig(userId, handler);
      return stored === undefined ? undefined : maskSecrets(stored, keys);
    },
    set: async (userId, handler, config) => {
      const keys = this.secretKeysOf(handler);
      // A masked secret sent back unchanged keeps the stored one.
      const stored = secretValues((await this.store.getHandlerConfig(userId, handler)) ?? {}, keys);
      const merged = mapSecrets(config, keys, (value, path) =>
        value === SECRET_MASK ? (stored.has(path) ? this.options.secrets.open(stored.get(path)!) : value) : value,
      );
      if (JSON.stringify(merged).includes(SECRET_MASK))
        throw new WebCommandError(`a masked secret (${SECRET_MASK}) was sent for a value that is not stored: give the secret itself`, {
          code: 'TH_ERR_WEB_HANDLER_CONFIG',
        });
      this.registry.validateNewConfig(handler, merged);
      this.runConfigs.delete(`${userId}\u0000${handler}`);
      await this.store.setHandlerConfig(
        userId,
        handler,
        mapSecrets(merged, keys, (s) => this.options.secrets.seal(s)),
      );
      return maskSecrets(merged, keys);
    },
    unset: (userId, handler) => {
      this.runConfigs.delete(`${userId}\u0000${handler}`);
      return this.store.deleteHandlerConfig(userId, handler);
    },
  };

  private secretKeysOf(handler: string): readonly string[] {
    const h = this.registry.get(handler);
    if (!h) throw new WebCommandError(`no handler named ${handler}`, { code: 'TH_ERR_WEB_UNKNOWN_HANDLER' });
    return h.secretKeys ?? [];
  }

  /**
   * Run configurations already decrypted and validated, per user and handler, with the stored
   * text (secrets sealed) they came from: every action reads its user's stored configuration, but
   * decrypts and validates it only when that text changed. One entry per user and handler (a
   * changed or removed configuration leaves no old secret behind); frozen, as actions share them.
   */
  private readonly runConfigs = new Map<string, { stored: string; plain: unknown }>();

  /** The decrypted configuration a run receives ({} when unset), validated again against the schema. */
  async runConfig(userId: number, handler: Handler): Promise<unknown> {
    const key = `${userId}\u0000${handler.name}`;
    const stored = await this.store.handlerConfigText(userId, handler.name);
    if (stored === undefined) {
      this.runConfigs.delete(key);
      return {};
    }
    const known = this.runConfigs.get(key);
    if (known?.stored === stored) return known.plain;
    this.runConfigs.delete(key);
    const plain = mapSecrets(JSON.parse(stored), handler.secretKeys ?? [], (s) => this.options.secrets.open(s));
    if (handler.configSchema) this.registry.validateConfig(handler.name, plain);
    this.runConfigs.set(key, { stored, plain: deepFreeze(plain) });
    return plain;
  }

  // --- actions -------------------------------------------------------------------------

  /**
   * Parses, stores and queues one command (C.3); parse errors throw before anything is stored.
   * Another user's thread is "not found" whatever the text: a text that does not parse checks the
   * thread's owner before its error, one that parses is checked by storing it (createAction).
   */
  async submit(user: { id: number; email: string }, threadId: number, text: string, title?: string): Promise<ThreadActionJson> {
    let dispatched: Awaited<ReturnType<HandlerRegistry['dispatch']>>;
    try {
      dispatched = await this.registry.dispatch(text);
    } catch (error) {
      await this.store.assertThreadOwner(user.id, threadId);
      throw error;
    }
    const { handler, parsed } = dispatched;
    const stored = handler.redact ? handler.redact(parsed.request) : parsed.request;
    const rawText = handler.redactText ? handler.redactText(text) : text;
    const ta = await this.store.createAction(user.id, threadId, {
      handlerName: handler.name,
      title: title?.trim() || rawText.split('\n')[0]!.slice(0, 200),
      rawText,
      request: stored as JsonValue,
      mutating: parsed.mutating,
      runnerId: this.runnerId,
    });
    this.bus.publish({ type: 'action-created', threadId, threadAction: ta });
    const timeoutMs =
      parsed.timeoutMs !== undefined ? parsed.timeoutMs : handler.defaultTimeoutMs !== undefined ? handler.defaultTimeoutMs : this.limits.defaultTimeoutMs;
    this.queue.push({ actionId: ta.actionId, userId: user.id, email: user.email, threadId, handler, request: parsed.request, timeoutMs });
    this.pump();
    return ta;
  }

  /** Fires the cancel signal (running) or ends a queued action at once (C.5). */
  async cancel(userId: number, actionId: number): Promise<void> {
    await this.store.getAction(userId, actionId); // ownership: 404 otherwise
    const queued = this.queue.findIndex((j) => j.actionId === actionId);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      await this.finish(job!, 'cancelled', null);
      return;
    }
    this.cancelRunning(actionId, 'cancelled by the user');
  }

  private cancelRunning(actionId: number, reason: string): void {
    const r = this.running.get(actionId);
    if (!r || r.cancel.signal.aborted) return;
    r.cancel.abort(new Error(reason));
    // After the grace period the action is cancelled whether or not run has ended; later emits are dropped.
    const timer = setTimeout(() => r.forceCancel?.(), this.limits.cancelGraceMs);
    timer.unref();
    void r.finished.then(() => clearTimeout(timer));
  }

  async deleteThread(userId: number, threadId: number): Promise<void> {
    const orphans = await this.store.orphanedByThread(userId, threadId);
    await this.abandon(orphans);
    await this.store.deleteThread(userId, threadId);
    this.bus.publish({ type: 'thread-deleted', threadId });
  }

  async removeFromThread(userId: number, threadId: number, actionId: number): Promise<void> {
    if (await this.store.wouldOrphan(userId, threadId, actionId)) await this.abandon([actionId]);
    await this.store.removeFromThread(userId, threadId, actionId);
    this.bus.publish({ type: 'thread-reload', threadId });
  }

  /** Stops actions about to be deleted: queued ones leave the queue, running ones are cancelled and sealed. */
  private async abandon(actionIds: number[]): Promise<void> {
    const ids = new Set(actionIds);
    for (let i = this.queue.length - 1; i >= 0; i--) if (ids.has(this.queue[i]!.actionId)) this.queue.splice(i, 1);
    for (const id of ids) {
      const r = this.running.get(id);
      if (!r) continue;
      r.emitter.seal();
      r.cancel.abort(new Error('deleted'));
      r.settled = true;
    }
  }

  private pump(): void {
    if (this.stopping) return;
    for (let i = 0; i < this.queue.length && this.running.size < this.limits.maxRunning; ) {
      const job = this.queue[i]!;
      if ((this.runningPerUser.get(job.userId) ?? 0) >= this.limits.maxPerUser) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.launch(job);
    }
  }

  private launch(job: Job): void {
    const cancel = new AbortController();
    const emitter = createEmitter(
      {
        // Published only once stored: a tab that resumes by cursor finds every chunk it was sent.
        append: async (chunk) => {
          const { chunk: stored, replaced } = await this.store.appendChunk(job.actionId, job.userId, chunk);
          this.publishChunk(job.threadId, stored, replaced);
          return { chunkId: stored.id, artifactId: stored.artifact?.id ?? null };
        },
        appendMany: async (chunks) => {
          const all = await this.store.appendChunks(job.actionId, job.userId, chunks);
          for (const { chunk: stored, replaced } of all) this.publishChunk(job.threadId, stored, replaced);
          return all.map(({ chunk: stored }) => ({ chunkId: stored.id, artifactId: stored.artifact?.id ?? null }));
        },
        newArtifactId,
      },
      this.options.output,
      job.actionId,
    );
    const running: Running = { job, cancel, emitter, finished: Promise.resolve(), settled: false };
    this.running.set(job.actionId, running);
    this.runningPerUser.set(job.userId, (this.runningPerUser.get(job.userId) ?? 0) + 1);
    const log = this.options.log;
    running.finished = (async () => {
      try {
        const times = await this.store.setStatus(job.actionId, 'running');
        if (!times) return; // deleted or already ended
        this.bus.publish({
          type: 'action-status',
          threadId: job.threadId,
          actionId: job.actionId,
          status: 'running',
          startedAt: times.startedAt,
          finishedAt: null,
          errorSummary: null,
        });
        let config: unknown;
        try {
          config = await this.runConfig(job.userId, job.handler);
        } catch (error) {
          // A configuration that no longer validates (or cannot be decrypted) fails the action with an error chunk.
          const handler: Handler = { ...job.handler, run: () => Promise.reject(error) };
          const outcome = await executeRun({ handler, request: job.request, context: this.context(job, {}), emitter, cancel: cancel.signal, timeoutMs: null });
          await this.settle(running, outcome.status, outcome.errorSummary);
          return;
        }
        const forced = new Promise<{ status: 'cancelled'; errorSummary: null }>((resolve) => {
          running.forceCancel = () => {
            emitter.seal();
            resolve({ status: 'cancelled', errorSummary: null });
          };
        });
        const outcome = await Promise.race([
          executeRun({
            handler: job.handler,
            request: job.request,
            context: this.context(job, config),
            emitter,
            cancel: cancel.signal,
            timeoutMs: job.timeoutMs,
          }),
          forced,
        ]);
        await this.settle(running, outcome.status, outcome.errorSummary);
      } catch (error) {
        // The store failed (or a bug): the action still ends, and the server stays up.
        log.error('action failed outside its handler', { actionId: job.actionId, error: (error as Error).message });
        emitter.seal();
        await this.settle(running, 'failed', (error as Error).message).catch(() => undefined);
      } finally {
        this.running.delete(job.actionId);
        const left = this.runningPerUser.get(job.userId)! - 1;
        if (left > 0) this.runningPerUser.set(job.userId, left);
        else this.runningPerUser.delete(job.userId);
        this.pump();
      }
    })();
  }

  private context(job: Job, config: unknown) {
    const base = this.options.log;
    const bind = (f: WebLogger[keyof WebLogger]) => (m: string, d?: Record<string, unknown>) => f.call(base, m, { actionId: job.actionId, ...(d ?? {}) });
    return {
      actionId: job.actionId,
      threadId: job.threadId,
      user: { id: job.userId, email: job.email },
      config,
      log: { debug: bind(base.debug), info: bind(base.info), warn: bind(base.warn), error: bind(base.error) },
    };
  }

  private async settle(running: Running, status: 'succeeded' | 'failed' | 'cancelled', errorSummary: string | null): Promise<void> {
    if (running.settled) return;
    running.settled = true;
    await this.finish(running.job, status, errorSummary);
  }

  private async finish(job: Job, status: 'succeeded' | 'failed' | 'cancelled', errorSummary: string | null): Promise<void> {
    const times = await this.store.setStatus(job.actionId, status, errorSummary);
    if (!times) return;
    this.bus.publish({
      type: 'action-status',
      threadId: job.threadId,
      actionId: job.actionId,
      status,
      startedAt: times.startedAt,
      finishedAt: times.finishedAt,
      errorSummary,
    });
  }

  private publishChunk(threadId: number, chunk: ChunkJson, replaced: boolean): void {
    this.bus.publish({ type: replaced ? 'chunk-replaced' : 'chunk', threadId, chunk });
  }

  /** Counts, for the health route and the bench. */
  stats(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.queue.length };
  }

  /** Resolves once no action is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.queue.length > 0) await Promise.all([...this.running.values()].map((r) => r.finished));
  }
}

export const newRunnerId = () => randomUUID();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
