import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { openDatabase } from '../../web/server/db/connect.js';
import { migrateToLatest } from '../../web/server/db/migrations.js';
import { PreparedQuery } from '../../web/server/db/prepared.js';
import type { Database } from '../../web/server/db/schema.js';

let dir: string;
let db: Kysely<Database>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webcli-prepared-'));
  db = openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  await migrateToLatest(db);
  const t = new Date().toISOString();
  for (const email of ['a@example.com', 'b@example.com'])
    await db.insertInto('users').values({ email, password_hash: 'x', created_at: t, updated_at: t }).execute();
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('a prepared query runs with each call’s arguments, constants kept, and answers as the built query does', async () => {
  const byEmail = new PreparedQuery((d, email: string, version: number) =>
    d.selectFrom('users').select(['id', 'email']).where('email', '=', email).where('password_version', '>=', version).where('is_active', '=', 1),
  );
  for (const email of ['a@example.com', 'b@example.com', 'nobody@example.com']) {
    const built = await db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', email)
      .where('password_version', '>=', 0)
      .where('is_active', '=', 1)
      .execute();
    expect(await byEmail.execute(db, email, 0)).toEqual(built);
  }
  expect(await byEmail.first(db, 'a@example.com', 99)).toBeUndefined();
  // Inside a transaction too, and in sql fragments.
  const bump = new PreparedQuery((d, id: number, by: number) =>
    d
      .updateTable('users')
      .set({ password_version: sql`password_version + ${by}` })
      .where('id', '=', id)
      .returning('password_version'),
  );
  const versions = await db.transaction().execute(async (tx) => [await bump.first(tx, 1, 2), await bump.first(tx, 1, 3)]);
  expect(versions).toEqual([{ password_version: 3 }, { password_version: 6 }]);
});

test('an argument that does not end up as a parameter is refused', async () => {
  const shaped = new PreparedQuery((d, column: string) => d.selectFrom('users').select(column as 'email'));
  await expect(shaped.execute(db, 'email')).rejects.toThrow(/argument 0 is not a parameter/);
});
