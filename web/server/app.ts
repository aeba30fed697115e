import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import { isThorsHammerError } from '../../runtime/errors.js';
import { WebAuthError, WebNotFoundError, WebTooLargeError, httpStatusOf } from '../core/errors.js';
import { WS_CLOSE_UNAUTHENTICATED } from '../core/types.js';
import type { ThreadEvent } from './bus.js';
import type { WebCliService } from './service.js';
import type { UserRow } from './store.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  service: WebCliService;
  /** Public origin (scheme://host:port): the only Origin a websocket may come from; https makes the cookie Secure. */
  publicUrl: string;
  cookieName?: string;
  uploadMaxBytes?: number;
  uploadTtlMs?: number;
  /** The page bundle folder (index.html and assets/); a placeholder is served when it is missing. */
  pageDist?: string;
  /** Websocket ping interval (C.11: 30 s). */
  pingIntervalMs?: number;
  logger?: boolean;
}

/** Content-Security-Policy of every response (B9): no inline script, no remote origin. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Headers of every response. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

declare module 'fastify' {
  interface FastifyRequest {
    user?: UserRow;
    /** The login session of the request's token. */
    sessionId?: string;
    tokenExp?: number;
  }
}

/** Host names of this machine's loopback interface (B7: one of them in the public URL admits the others). */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The Origins a websocket may come from: the public origin, and when that names a loopback host,
 * the same scheme and port under the other loopback names. Such an Origin is a page served by this
 * machine's loopback on the server's port, normally the server itself, never a remote site; it
 * spares the operator who typed localhost for 127.0.0.1. (A local program holding that port on the
 * other loopback address would pass too, but the SameSite=Strict cookie, kept per host name, is
 * not sent with its page's socket, so the upgrade still answers 401.)
 */
function allowedOrigins(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [url.origin];
  const under = (host: string) => {
    const alias = new URL(url.origin);
    alias.hostname = host;
    return alias.origin;
  };
  return [url.origin, ...LOOPBACK_HOSTS.filter((h) => h !== url.hostname).map(under)];
}

/** An error answer: status and `{error, message, code[, position]}`. */
interface ErrorAnswer {
  status: number;
  body: { error: string; message: string; code: string; position?: number };
}

/**
 * Every error the app answers with, typed by our codes (docs/webcli.md, "Error codes"): the
 * framework's own codes (FST_…) never reach a client. Used by the error, not-found and
 * framework-error handlers.
 */
function errorAnswer(error: Error & { validation?: unknown; statusCode?: number; code?: string }): ErrorAnswer {
  if (error.validation) return { status: 400, body: { error: 'validation', message: error.message, code: 'TH_ERR_WEB_VALIDATION' } };
  if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, body: { error: 'too-large', message: error.message, code: 'TH_ERR_WEB_TOO_LARGE' } };
  if (isThorsHammerError(error)) {
    const position = (error as { position?: number }).position;
    return {
      status: httpStatusOf(error),
      body: { error: error.code, message: error.message, code: error.code, ...(position !== undefined ? { position } : {}) },
    };
  }
  // Another problem of the request itself (media type, malformed JSON, bad URL…): its status, our code.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return { status: error.statusCode, body: { error: 'request', message: error.message, code: 'TH_ERR_WEB_REQUEST' } };
  return { status: 500, body: { error: 'internal', message: 'internal error', code: 'TH_ERR_WEB_INTERNAL' } };
}

// Path ids arrive as text; bodies are never coerced (a number is not a title).
const Id = Type.String({ pattern: '^[1-9][0-9]{0,14}$' });
const IdParams = Type.Object({ id: Id });
const ThreadActionParams = Type.Object({ id: Id, actionId: Id });
const wrapped = <T extends Parameters<typeof Type.Object>[0][string]>(t: T) =>
  Type.Optional(Type.Union([Type.Null(), Type.Object({ value: t }, { additionalProperties: false })]));

/** Builds the Fastify app: JSON API, websocket and page routes (docs/webcli.md). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { service } = options;
  const cookieName = options.cookieName ?? 'th_session';
  const publicOrigin = new URL(options.publicUrl).origin;
  const liveOrigins = allowedOrigins(options.publicUrl);
  const secure = publicOrigin.startsWith('https:');
  const app = Fastify({
    logger: options.logger ?? false,
    // Errors Fastify answers before routing (a malformed URL) take the same typed form.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { status, body } = errorAnswer(error);
      void reply.code(status).send(body);
    },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: options.uploadMaxBytes ?? 20 * 1024 * 1024, files: 1 } });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  // A callback hook, not an async one: it runs for every response, and needs no promise.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    done(null, payload);
  });

  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number; code?: string }, _request, reply) => {
    const { status, body } = errorAnswer(error);
    if (status >= 500) app.log.error(error);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(async () => {
    throw new WebNotFoundError('route');
  });

  const setSessionCookie = (reply: FastifyReply, token: string, exp: number) =>
    reply.setCookie(cookieName, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: Math.max(0, exp - Math.floor(Date.now() / 1000)) });

  /** Authenticates from the cookie; re-issues the token when less than half its lifetime is left (B1). */
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const { user, sessionId, exp, iat } = await service.authenticate(request.cookies[cookieName]);
    request.user = user;
    request.sessionId = sessionId;
    request.tokenExp = exp;
    const now = Math.floor(Date.now() / 1000);
    if (exp - now < (exp - iat) / 2) {
      const fresh = await service.tokens.issue(user.id, user.passwordVersion, sessionId);
      setSessionCookie(reply, fresh.token, fresh.exp);
      request.tokenExp = fresh.exp;
    }
  };
  const me = (request: FastifyRequest) => request.user!;
  const auth = { preHandler: authenticate };
  const publicUser = (u: UserRow) => ({ id: u.id, email: u.email, isActive: u.isActive, createdAt: u.createdAt });

  // --- auth ------------------------------------------------------------------------------

  app.post(
    '/api/login',
    { schema: { body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      const { user, token, exp } = await service.login(request.body.email, request.body.password);
      setSessionCookie(reply, token, exp);
      return { user: publicUser(user), expiresAt: new Date(exp * 1000).toISOString() };
    },
  );
  // Ends this login session on the server (every token of it, its sockets), not only the cookie.
  app.post('/api/logout', async (request, reply) => {
    const ended = await service.logout(request.cookies[cookieName]);
    if (ended) closeSockets((s) => s.sessionId === ended.sessionId, 'logged out');
    reply.clearCookie(cookieName, { path: '/' });
    return { ok: true };
  });
  app.post('/api/logout-all', auth, async (request, reply) => {
    await service.store.bumpPasswordVersion(me(request).id);
    closeSocketsOf(me(request).id);
    reply.clearCookie(cookieName, { path: '/' });
    return { ok: true };
  });
  app.get('/api/me', auth, async (request) => publicUser(me(request)));
  // Where live updates are accepted from: the page checks its own origin before opening /ws.
  app.get('/api/live', auth, async () => ({ publicUrl: publicOrigin, origins: liveOrigins }));
  app.post(
    '/api/me/password',
    { ...auth, schema: { body: Type.Object({ current: Type.String(), password: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      await service.changePassword(me(request).id, request.body.current, request.body.password);
      closeSocketsOf(me(request).id);
      const user = (await service.store.userById(me(request).id))!;
      const { token, exp } = await service.tokens.issue(user.id, user.passwordVersion, request.sessionId);
      setSessionCookie(reply, token, exp);
      return { ok: true };
    },
  );
  app.get('/api/health', async () => {
    await service.store.ping();
    return { ok: true, database: 'reachable', ...service.stats() };
  });

  // --- threads and actions ----------------------------------------------------------------

  app.get('/api/threads', auth, async (request) => service.store.listThreads(me(request).id));
  app.post(
    '/api/threads',
    {
      ...auth,
      schema: { body: Type.Object({ title: Type.String({ minLength: 1, maxLength: 500 }), description: Type.Optional(Type.String({ maxLength: 100_000 })) }) },
    },
    async (request, reply) => reply.code(201).send(await service.store.createThread(me(request).id, request.body.title, request.body.description ?? '')),
  );
  app.get('/api/threads/:id', { ...auth, schema: { params: IdParams } }, async (request) => service.store.getThread(me(request).id, Number(request.params.id)));
  app.patch(
    '/api/threads/:id',
    {
      ...auth,
      schema: {
        params: IdParams,
        body: Type.Object(
          { title: wrapped(Type.String({ minLength: 1, maxLength: 500 })), description: wrapped(Type.String({ maxLength: 100_000 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const thread = await service.store.patchThread(me(request).id, Number(request.params.id), request.body);
      service.bus.publish({ type: 'thread-reload', threadId: thread.id });
      return thread;
    },
  );
  app.delete('/api/threads/:id', { ...auth, schema: { params: IdParams } }, async (request) => {
    await service.deleteThread(me(request).id, Number(request.params.id));
    return null;
  });
  app.post(
    '/api/threads/:id/actions',
    {
      ...auth,
      schema: {
        params: IdParams,
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 1_000_000 }), title: Type.Optional(Type.String({ maxLength: 500 })) }),
      },
    },
    async (request, reply) => reply.code(201).send(await service.submit(me(request), Number(request.params.id), request.body.text, request.body.title)),
  );
  app.patch(
    '/api/threads/:id/actions/:actionId',
    {
      ...auth,
      schema: {
        params: ThreadActionParams,
        body: Type.Object({ showQuestion: wrapped(Type.Boolean()), showAnswer: wrapped(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const ta = await service.store.patchThreadAction(me(request).id, Number(request.params.id), Number(request.params.actionId), request.body);
      service.bus.publish({ type: 'thread-reload', threadId: Number(request.params.id) });
      return ta;
    },
  );
  app.delete('/api/threads/:id/actions/:actionId', { ...auth, schema: { params: ThreadActionParams } }, async (request) => {
    await service.removeFromThread(me(request).id, Number(request.params.id), Number(request.params.actionId));
    return null;
  });
  app.post(
    '/api/threads/:id/actions/:actionId/move',
    {
      ...auth,
      schema: {
        params: ThreadActionParams,
        body: Type.Union([
          Type.Object({ direction: Type.Union([Type.Literal('up'), Type.Literal('down')]) }),
          Type.Object({ position: Type.Integer({ minimum: 1 }) }),
        ]),
      },
    },
    async (request) => {
      const ta = await service.store.moveThreadAction(
        me(request).id,
        Number(request.params.id),
        Number(request.params.actionId),
        request.body as { direction?: 'up' | 'down'; position?: number },
      );
      service.bus.publish({ type: 'thread-reload', threadId: Number(request.params.id) });
      return ta;
    },
  );
  app.get('/api/actions/:id', { ...auth, schema: { params: IdParams } }, async (request) => service.store.getAction(me(request).id, Number(request.params.id)));
  app.patch(
    '/api/actions/:id',
    {
      ...auth,
      schema: { params: IdParams, body: Type.Object({ title: wrapped(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false }) },
    },
    async (request) => {
      const action = await service.store.patchAction(me(request).id, Number(request.params.id), request.body);
      for (const threadId of await service.store.threadsOfAction(action.id)) service.bus.publish({ type: 'thread-reload', threadId });
      return action;
    },
  );
  app.post('/api/actions/:id/cancel', { ...auth, schema: { params: IdParams } }, async (request, reply) => {
    await service.cancel(me(request).id, Number(request.params.id));
    return reply.code(202).send({ ok: true });
  });

  // --- handlers, uploads, artifacts ----------------------------------------------------

  app.get('/api/handlers', auth, async () => service.registry.info());
  const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 64 }) });
  app.get('/api/handlers/:name/config', { ...auth, schema: { params: NameParams } }, async (request) => {
    if (!service.registry.get(request.params.name)) throw new WebNotFoundError(`handler ${request.params.name}`);
    return { config: (await service.configStore.getMasked(me(request).id, request.params.name)) ?? null };
  });
  app.put('/api/handlers/:name/config', { ...auth, schema: { params: NameParams, body: Type.Object({ config: Type.Unknown() }) } }, async (request) => {
    if (!service.registry.get(request.params.name)) throw new WebNotFoundError(`handler ${request.params.name}`);
    return { config: await service.configStore.set(me(request).id, request.params.name, request.body.config) };
  });
  app.delete('/api/handlers/:name/config', { ...auth, schema: { params: NameParams } }, async (request) => {
    if (!service.registry.get(request.params.name)) throw new WebNotFoundError(`handler ${request.params.name}`);
    return { deleted: await service.configStore.unset(me(request).id, request.params.name) };
  });
  app.post('/api/uploads', auth, async (request, reply) => {
    const file = await request.file();
    if (!file) return reply.code(400).send({ error: 'validation', message: 'body/file: a multipart file field is required', code: 'TH_ERR_WEB_VALIDATION' });
    const bytes = await file.toBuffer().catch((error: { code?: string }) => {
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') throw new WebTooLargeError(options.uploadMaxBytes ?? 20 * 1024 * 1024);
      throw error;
    });
    const upload = await service.store.createUpload(
      me(request).id,
      file.filename || 'upload',
      file.mimetype || 'application/octet-stream',
      bytes,
      options.uploadTtlMs ?? 86_400_000,
    );
    return reply.code(201).send(upload);
  });
  app.get(
    '/api/artifacts/:id',
    { ...auth, schema: { params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }) } },
    async (request, reply) => {
      const artifact = await service.store.getArtifact(me(request).id, request.params.id);
      if (!artifact) throw new WebNotFoundError(`artifact ${request.params.id}`);
      // Served as a download, never rendered in the page's origin (B8).
      const safeMime = /^(text\/csv|application\/json|image\/png|text\/plain|application\/xml)$/.test(artifact.mime)
        ? artifact.mime
        : 'application/octet-stream';
      const asciiName = artifact.fileName.replace(/[^\w.-]+/g, '_');
      return reply
        .header('Content-Type', safeMime.startsWith('text/') ? `${safeMime}; charset=utf-8` : safeMime)
        .header('Content-Disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(artifact.fileName)}`)
        .header('Cache-Control', 'private, no-store')
        .send(artifact.content);
    },
  );
  app.all('/api/*', async () => {
    throw new WebNotFoundError('route');
  });

  // --- websocket ------------------------------------------------------------------------

  const sockets = new Map<WebSocket, { userId: number; sessionId: string; unsubscribe: Map<number, () => void> }>();
  function closeSockets(which: (s: { userId: number; sessionId: string }) => boolean, reason: string): void {
    for (const [socket, s] of sockets) if (which(s)) socket.close(WS_CLOSE_UNAUTHENTICATED, reason);
  }
  const closeSocketsOf = (userId: number) => closeSockets((s) => s.userId === userId, 'session revoked');

  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        // The Origin must be ours (B7): a foreign page cannot ride the user's cookie.
        const origin = request.headers.origin;
        if (origin === undefined || !liveOrigins.includes(origin)) {
          return reply.code(403).send({
            error: 'origin',
            message: `live updates are refused from origin ${origin ?? '(none)'}: open the Web CLI at ${publicOrigin}`,
            code: 'TH_ERR_WEB_ORIGIN',
            publicUrl: publicOrigin,
          });
        }
        await authenticate(request, reply);
      },
    },
    (socket, request) => {
      const user = request.user!;
      const state = { userId: user.id, sessionId: request.sessionId!, unsubscribe: new Map<number, () => void>() };
      sockets.set(socket, state);
      // Messages sent in one pass of the event loop (an action's chunks and status, the events of
      // the user's other actions whose answers came in the same pass) leave in one write: the TCP
      // socket is corked until the store's group commit under way has handed on its results (the
      // events are published from there), or else until the pass's I/O callbacks have run. That
      // saves a system call per message and delays nothing past the current pass.
      const tcp = request.raw.socket;
      let corked = false;
      const uncork = () => {
        corked = false;
        tcp.uncork();
      };
      const send = (message: unknown) => {
        if (socket.readyState !== socket.OPEN) return;
        if (!corked) {
          corked = true;
          tcp.cork();
          service.store.writes.afterFlush(uncork);
        }
        socket.send(JSON.stringify(message));
      };
      // The token's expiry ends the socket (close code 4401; the page goes to /login).
      const expiry = setTimeout(
        () => socket.close(WS_CLOSE_UNAUTHENTICATED, 'session expired'),
        Math.min(2 ** 31 - 1, Math.max(0, request.tokenExp! * 1000 - Date.now())),
      );
      let alive = true;
      socket.on('pong', () => {
        alive = true;
      });
      const pinger = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, options.pingIntervalMs ?? 30_000);
      socket.on('close', () => {
        clearTimeout(expiry);
        clearInterval(pinger);
        for (const off of state.unsubscribe.values()) off();
        sockets.delete(socket);
      });
      // Messages are handled one at a time, so a subscribe's replay is complete before the next message.
      let chain = Promise.resolve();
      socket.on('message', (data) => {
        chain = chain
          .then(() => onMessage(String(data)))
          .catch((error: Error) => send({ type: 'error', message: error.message, code: (error as { code?: string }).code ?? 'TH_ERR_WEB_WS' }));
      });
      const onMessage = async (text: string) => {
        let message: { type?: unknown; threadId?: unknown; since?: unknown; id?: unknown };
        try {
          message = JSON.parse(text);
        } catch {
          return send({ type: 'error', message: 'messages are JSON objects', code: 'TH_ERR_WEB_WS' });
        }
        const threadId = Number(message.threadId);
        if ((message.type !== 'subscribe' && message.type !== 'unsubscribe') || !Number.isInteger(threadId) || threadId < 1) {
          return send({ type: 'error', message: 'expected {"type": "subscribe"|"unsubscribe", "threadId": n, "since"?: chunkId}', code: 'TH_ERR_WEB_WS' });
        }
        if (message.type === 'unsubscribe') {
          state.unsubscribe.get(threadId)?.();
          state.unsubscribe.delete(threadId);
          return send({ type: 'unsubscribed', threadId });
        }
        const since = message.since === undefined || message.since === null ? null : Number(message.since);
        if (since !== null && (!Number.isInteger(since) || since < 0))
          return send({ type: 'error', message: 'since must be a chunk id (integer ≥ 0)', code: 'TH_ERR_WEB_WS' });
        try {
          await service.store.assertThreadOwner(user.id, threadId);
        } catch (error) {
          if (error instanceof WebNotFoundError) return send({ type: 'error', threadId, message: `thread ${threadId} not found`, code: error.code });
          throw error;
        }
        if (state.unsubscribe.has(threadId)) state.unsubscribe.get(threadId)!();
        // Live events are buffered during the replay, then flushed without duplicates.
        const buffered: ThreadEvent[] = [];
        let replaying = true;
        let highest = since ?? 0;
        const deliver = (event: ThreadEvent) => {
          if (event.type === 'chunk') {
            const id = (event.chunk as { id: number }).id;
            if (id <= highest) return;
            highest = id;
          }
          send(event);
        };
        state.unsubscribe.set(
          threadId,
          service.bus.subscribe(threadId, (event) => {
            if (replaying) buffered.push(event);
            else deliver(event);
          }),
        );
        if (since !== null) {
          const resume = await service.store.resumeState(user.id, threadId, since);
          for (const chunk of resume.replaceable) send({ type: 'chunk-replaced', threadId, chunk });
          for (const chunk of resume.chunks) deliver({ type: 'chunk', threadId, chunk });
          for (const a of resume.unfinished)
            send({
              type: 'action-status',
              threadId,
              actionId: a.id,
              status: a.status,
              startedAt: a.startedAt,
              finishedAt: a.finishedAt,
              errorSummary: a.errorSummary,
            });
        }
        replaying = false;
        for (const event of buffered.splice(0)) deliver(event);
        send({ type: 'subscribed', threadId, cursor: highest });
      };
    },
  );

  // --- pages ----------------------------------------------------------------------------

  const dist = options.pageDist;
  const indexFile = dist ? join(dist, 'index.html') : undefined;
  const pageBuilt = indexFile !== undefined && existsSync(indexFile);
  // The page's assets (Vite output): plain files under dist/assets, no directory listing, no escape.
  const assetRoot = dist ? join(dist, 'assets') : undefined;
  app.get('/assets/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const path = assetRoot ? normalize(join(assetRoot, rest)) : undefined;
    if (!path || !path.startsWith(assetRoot! + sep) || !existsSync(path) || !statSync(path).isFile()) throw new WebNotFoundError('asset');
    return reply
      .type(ASSET_TYPES[extname(path)] ?? 'application/octet-stream')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .send(readFileSync(path));
  });
  const servePage = async (reply: FastifyReply) => {
    if (!pageBuilt) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send(`The Web CLI page is not built: run \`npm run build:page\` (it writes ${dist ?? 'web/page/dist'}). The API under /api works without it.\n`);
    }
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(readFileSync(indexFile!));
  };
  const loggedIn = async (request: FastifyRequest) => {
    try {
      await service.authenticate(request.cookies[cookieName]);
      return true;
    } catch (error) {
      if (error instanceof WebAuthError) return false;
      throw error;
    }
  };
  app.get('/', async (request, reply) => reply.redirect((await loggedIn(request)) ? '/threads' : '/login', 303));
  app.get('/login', async (_request, reply) => servePage(reply));
  const protectedPage = async (request: FastifyRequest, reply: FastifyReply) => ((await loggedIn(request)) ? servePage(reply) : reply.redirect('/login', 303));
  app.get('/threads', protectedPage);
  app.get('/threads/:id', protectedPage);

  app.addHook('onClose', async () => {
    for (const socket of sockets.keys()) socket.close(1001, 'server stopping');
  });
  return app;
}
