import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import { WebServerConfigError } from '../../core/errors.js';
import { WalCheckpointer } from './checkpointer.js';
import type { Database } from './schema.js';

/**
 * Opens the database named by a URL: `sqlite:<file>` (or a bare path), `sqlite::memory:`.
 * SQLite gets WAL, foreign keys on (cascades depend on it) and a busy timeout, on every
 * connection. PostgreSQL (`postgres://…`) is for several instances and is not wired yet.
 *
 * `backgroundCheckpoints` (the server sets it): WAL checkpoints run in a worker thread instead of
 * inside whichever write crosses SQLite's threshold (see WalCheckpointer).
 */
export function openDatabase(url: string, options: { backgroundCheckpoints?: boolean } = {}): Kysely<Database> {
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
      let checkpointer: WalCheckpointer | undefined;
      if (options.backgroundCheckpoints && file !== ':memory:') {
        db.pragma('wal_autocheckpoint = 0');
        checkpointer = new WalCheckpointer(file, (reason) => {
          // Back to SQLite's own checkpoints, so the WAL cannot grow without bound.
          if (db.open) db.pragma('wal_autocheckpoint = 1000');
          process.emitWarning(`${reason}; automatic checkpoints are back on`, { code: 'TH_WEB_WAL_CHECKPOINTER' });
        });
      }
      return withStatementCache(db, () => void checkpointer?.stop());
    },
  });
  return new Kysely<Database>({ dialect });
}

/** Prepared statements kept at most (LRU): the store's queries are a few dozen distinct SQL texts. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running the small
 * statements the store issues (about a third of the database time per action in the web CLI
 * bench). The driver only calls prepare() and runs each statement to the end (all/run) before
 * the next one (one connection, behind its mutex), so a statement can be reused by its SQL text.
 * (Kysely's streaming, iterate(), would hold a statement busy; the store does not stream.)
 */
function withStatementCache(db: SqliteDatabase.Database, onClose: () => void): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
      onClose();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-inserted below: the most recently used is last
      } else {
        statement = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
