import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { builtinHandlers } from '../core/builtin.js';
import type { Handler, WebLogger } from '../core/types.js';
import { buildApp } from './app.js';
import { SecretBox, TokenService } from './auth.js';
import { type WebCliConfig, databaseUrl, durationMs, homePath, readKeyFile } from './config.js';
import { openDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrations.js';
import type { Database } from './db/schema.js';
import { WebCliService } from './service.js';

/** A running (or ready-to-listen) Web CLI: the app, its service and database. */
export interface WebCli {
  app: FastifyInstance;
  service: WebCliService;
  db: Kysely<Database>;
  config: WebCliConfig;
  /** Listens on the configured host and port; returns the URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const consoleLogger: WebLogger = {
  debug: () => undefined,
  info: (m, d) => process.stderr.write(`info ${m}${d ? ` ${JSON.stringify(d)}` : ''}\n`),
  warn: (m, d) => process.stderr.write(`warn ${m}${d ? ` ${JSON.stringify(d)}` : ''}\n`),
  error: (m, d) => process.stderr.write(`error ${m}${d ? ` ${JSON.stringify(d)}` : ''}\n`),
};

/**
 * Opens the database and applies migrations; creates the key files when `init` is set (init-db).
 * `backgroundCheckpoints` is for the long-running server (see openDatabase).
 */
export async function prepareStorage(
  config: WebCliConfig,
  init: boolean,
  options: { backgroundCheckpoints?: boolean } = {},
): Promise<{ db: Kysely<Database>; applied: string[] }> {
  readKeyFile(homePath(config, config.auth.jwtKeyFile), 32, init);
  readKeyFile(homePath(config, config.secrets.keyFile), 32, init);
  const db = openDatabase(databaseUrl(config), options);
  try {
    return { db, applied: await migrateToLatest(db) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** Builds the service over an open database (the CLI's user commands use it without HTTP). */
export function createService(config: WebCliConfig, db: Kysely<Database>, options: { handlers?: Handler[]; log?: WebLogger } = {}): WebCliService {
  const enabled = (options.handlers ?? builtinHandlers()).filter((h) => config.handlers[h.name]?.enabled !== false);
  const staticConfig = Object.fromEntries(Object.entries(config.handlers).map(([name, h]) => [name, h.config ?? {}]));
  return new WebCliService({
    db,
    handlers: enabled,
    secrets: new SecretBox(readKeyFile(homePath(config, config.secrets.keyFile), 32, false)),
    tokens: new TokenService(
      readKeyFile(homePath(config, config.auth.jwtKeyFile), 32, false),
      Math.round(durationMs(config.auth.tokenLifetime, 'auth.tokenLifetime') / 1000),
    ),
    output: { tableRowCap: config.output.tableRowCap, inlineTextLimit: config.output.inlineTextLimit },
    limits: {
      maxRunning: config.scheduler.maxRunning,
      maxPerUser: config.scheduler.maxPerUser,
      defaultTimeoutMs: durationMs(config.scheduler.defaultTimeout, 'scheduler.defaultTimeout'),
      cancelGraceMs: durationMs(config.scheduler.cancelGrace, 'scheduler.cancelGrace'),
    },
    handlerConfig: staticConfig,
    log: options.log ?? consoleLogger,
  });
}

/** Creates the whole server from a configuration: storage (migrated), service (restart cleanup, handlers started), app. */
export async function createWebCli(config: WebCliConfig, options: { handlers?: Handler[]; log?: WebLogger; logger?: boolean } = {}): Promise<WebCli> {
  const { db } = await prepareStorage(config, false, { backgroundCheckpoints: true });
  const service = createService(config, db, options);
  await service.start();
  const app = await buildApp({
    service,
    publicUrl: config.publicUrl,
    cookieName: config.auth.cookieName,
    uploadMaxBytes: config.uploads.maxBytes,
    uploadTtlMs: durationMs(config.uploads.ttl, 'uploads.ttl'),
    pageDist: config.page.dist,
    logger: options.logger,
  });
  const purge = setInterval(() => {
    void service.store.purgeExpiredUploads().catch(() => undefined);
    void service.store.purgeExpiredRevocations().catch(() => undefined);
  }, 3_600_000);
  purge.unref();
  let closed = false;
  return {
    app,
    service,
    db,
    config,
    async listen() {
      await app.listen({ host: config.listen.host, port: config.listen.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.listen.port;
      const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
      return `http://${host}:${port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(purge);
      await app.close();
      await service.stop();
      await db.destroy();
    },
  };
}
