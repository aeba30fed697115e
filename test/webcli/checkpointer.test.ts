import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { WalCheckpointer } from '../../web/server/db/checkpointer.js';
import { openDatabase } from '../../web/server/db/connect.js';
import { migrateToLatest } from '../../web/server/db/migrations.js';
import type { Database } from '../../web/server/db/schema.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webcli-checkpoint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function insertUsers(db: Kysely<Database>, from: number, count: number): Promise<void> {
  const t = new Date().toISOString();
  for (let i = from; i < from + count; i++)
    await db
      .insertInto('users')
      .values({ email: `user${i}@example.com`, password_hash: 'x'.repeat(200), created_at: t, updated_at: t })
      .execute();
}

test('with background checkpoints the connection never checkpoints itself, and a worker copies the WAL into the database file', async () => {
  const file = join(dir, 'background.sqlite');
  const db = openDatabase(`sqlite:${file}`, { backgroundCheckpoints: true });
  try {
    await migrateToLatest(db);
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(db);
    expect(rows[0]?.wal_autocheckpoint).toBe(0);
    const before = statSync(file).size;
    await insertUsers(db, 0, 2000);
    // Only the worker can have grown the database file: this connection writes to the WAL alone.
    while (statSync(file).size <= before) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statSync(file).size).toBeGreaterThan(before);
    expect(await countUsers(db)).toBe(2000);
  } finally {
    await db.destroy();
  }
  // Everything is still there after a reopen.
  const again = openDatabase(`sqlite:${file}`);
  try {
    expect(await countUsers(again)).toBe(2000);
  } finally {
    await again.destroy();
  }
});

test('without the option (CLI commands) SQLite keeps its own automatic checkpoints', async () => {
  const db = openDatabase(`sqlite:${join(dir, 'plain.sqlite')}`);
  try {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(db);
    expect(rows[0]?.wal_autocheckpoint).toBe(1000);
  } finally {
    await db.destroy();
  }
});

test('a checkpointer that cannot open its database reports why, so the owner can fall back', async () => {
  const reason = await new Promise<string>((resolve) => {
    new WalCheckpointer(join(dir, 'no', 'such', 'folder', 'db.sqlite'), resolve);
  });
  expect(reason).toMatch(/WAL checkpointer (stopped|exited)/);
});
