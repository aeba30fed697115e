import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { WebServerConfigError } from '../../core/errors.js';
import type { Database } from './schema.js';

/**
 * Opens the database named by a URL: `sqlite:<file>` (or a bare path), `sqlite::memory:`.
 * SQLite gets WAL, foreign keys on (cascades depend on it) and a busy timeout, on every
 * connection. PostgreSQL (`postgres://…`) is for several instances and is not wired yet.
 */
export function openDatabase(url: string): Kysely<Database> {
  if (/^postgres(ql)?:/.test(url)) {
    throw new WebServerConfigError('PostgreSQL is not supported yet (several-instance mode comes later); use sqlite:<file>', { url });
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file === '') throw new WebServerConfigError(`database URL '${url}' names no file`);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const dialect = new SqliteDialect({
    database: async () => {
      const db = new SqliteDatabase(file);
      if (file !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      return db;
    },
  });
  return new Kysely<Database>({ dialect });
}
