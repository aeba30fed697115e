/**
 * `thors-hammer/web`: the Web CLI server (docs/webcli.md). Optional: the root entry never loads it.
 */
export * from '../core/index.js';
export { buildApp, CONTENT_SECURITY_POLICY, type AppOptions } from './app.js';
export { hashPassword, verifyPassword, TokenService, SecretBox } from './auth.js';
export { EventBus, type ThreadEvent } from './bus.js';
export { loadConfig, defaultConfig, envNameOf, databaseUrl, homePath, durationMs, readKeyFile, HOME_ENV, CONFIG_FILE, type WebCliConfig } from './config.js';
export { openDatabase } from './db/connect.js';
export { migrateToLatest, MIGRATIONS } from './db/migrations.js';
export type { Database } from './db/schema.js';
export { createWebCli, createService, prepareStorage, type WebCli } from './server.js';
export { WebCliService, type SchedulerLimits } from './service.js';
export { Store, type ActionJson, type ChunkJson, type ThreadActionJson, type ThreadJson, type ThreadSummaryJson, type UserRow } from './store.js';
export { runHeadless, type HeadlessResult } from '../core/headless.js';
