import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, type CreateTableBuilder, sql } from 'kysely';
import { WebServerConfigError } from '../../core/errors.js';

/**
 * Versioned migrations (B18), run by Kysely's migrator from `init-db` and `db migrate`. Written
 * with the schema builder so that SQLite and PostgreSQL share them; every constraint and index
 * name starts with its table's name (B19).
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
type AnyDb = Kysely<any>;

function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-increment integer primary key in either dialect. */
function withId<T extends string>(db: AnyDb, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return isPostgres(db) ? table.addColumn('id', 'serial', (c) => c.primaryKey()) : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

const blob = (db: AnyDb) => (isPostgres(db) ? 'bytea' : 'blob');

const m0001: Migration = {
  async up(db: AnyDb) {
    await withId(db, db.schema.createTable('users'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('password_version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('users_email_unique', ['email'])
      .execute();
    await withId(db, db.schema.createTable('threads'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('next_display_order', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('threads_user_id_index').on('threads').column('user_id').execute();
    await withId(db, db.schema.createTable('actions'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('handler_name', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('raw_text', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('mutating', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_summary', 'text')
      .addColumn('runner_id', 'text', (c) => c.notNull())
      .addColumn('next_chunk_seq', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addCheckConstraint('actions_status_check', sql`status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`)
      .execute();
    await db.schema.createIndex('actions_user_id_index').on('actions').column('user_id').execute();
    await db.schema.createIndex('actions_runner_status_index').on('actions').columns(['runner_id', 'status']).execute();
    await withId(db, db.schema.createTable('thread_actions'))
      .addColumn('thread_id', 'integer', (c) => c.notNull().references('threads.id').onDelete('cascade'))
      .addColumn('action_id', 'integer', (c) => c.notNull().references('actions.id').onDelete('cascade'))
      .addColumn('display_order', 'integer', (c) => c.notNull())
      .addColumn('show_question', 'integer', (c) => c.notNull())
      .addColumn('show_answer', 'integer', (c) => c.notNull().defaultTo(1))
      .addUniqueConstraint('thread_actions_thread_action_unique', ['thread_id', 'action_id'])
      .execute();
    await db.schema.createIndex('thread_actions_action_id_index').on('thread_actions').column('action_id').execute();
    await db.schema
      .createTable('artifacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('action_id', 'integer', (c) => c.notNull().references('actions.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('content', blob(db))
      .addColumn('storage_path', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('artifacts_action_id_index').on('artifacts').column('action_id').execute();
    await withId(db, db.schema.createTable('action_chunks'))
      .addColumn('action_id', 'integer', (c) => c.notNull().references('actions.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('text_content', 'text')
      .addColumn('artifact_id', 'text', (c) => c.references('artifacts.id').onDelete('set null'))
      .addColumn('replace_key', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('action_chunks_action_seq_unique', ['action_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('action_chunks_action_replace_key_unique')
      .on('action_chunks')
      .columns(['action_id', 'replace_key'])
      .unique()
      .where(sql.ref('replace_key'), 'is not', null)
      .execute();
    await db.schema
      .createTable('uploads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('content', blob(db))
      .addColumn('storage_path', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('uploads_user_id_index').on('uploads').column('user_id').execute();
    await withId(db, db.schema.createTable('handler_configs'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('handler_name', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('handler_configs_user_handler_unique', ['user_id', 'handler_name'])
      .execute();
  },
  async down(db: AnyDb) {
    for (const t of ['handler_configs', 'uploads', 'action_chunks', 'artifacts', 'thread_actions', 'actions', 'threads', 'users'])
      await db.schema.dropTable(t).execute();
  },
};

/** Logout revokes its login session (the `sid` of its tokens) until the session's last token expires. */
const m0002: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('revoked_sessions')
      .addColumn('session_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('revoked_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('revoked_sessions_expires_at_index').on('revoked_sessions').column('expires_at').execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('revoked_sessions').execute();
  },
};

/** Every migration, by name (names sort in order). */
export const MIGRATIONS: Record<string, Migration> = { '0001_initial': m0001, '0002_revoked_sessions': m0002 };

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies pending migrations; returns the names applied. Throws WebServerConfigError naming the failed one. */
export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'kysely_migration', migrationLockTableName: 'kysely_migration_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new WebServerConfigError(`migration ${failed} failed: ${(error as Error).message}`, { migration: failed });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
