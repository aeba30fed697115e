import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinHandlers } from '../../web/core/builtin.js';
import { MIME } from '../../web/core/types.js';
import { createService, loadConfig, prepareStorage, type WebCliService } from '../../web/server/index.js';
import { newArtifactId } from '../../web/server/store.js';
import { quietLogger } from './fixture.js';

let home: string;
let service: WebCliService;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'webcli-store-'));
  const config = loadConfig({ home, env: {} });
  const { db } = await prepareStorage(config, true);
  service = createService(config, db, { handlers: builtinHandlers(), log: quietLogger() });
  await service.start();
});
afterAll(async () => {
  await service.stop();
  await service.store.db.destroy();
  rmSync(home, { recursive: true, force: true });
});

const store = () => service.store;

test('SQLite runs with foreign keys on and WAL', async () => {
  const { sql } = await import('kysely');
  const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store().db);
  const wal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store().db);
  expect(fk.rows[0]!.foreign_keys).toBe(1);
  expect(wal.rows[0]!.journal_mode).toBe('wal');
});

test('the scheduler defaults are Part C’s (C.5): 8 running for the server, 4 per user; the environment overrides them', () => {
  expect(loadConfig({ home, env: {} }).scheduler).toMatchObject({ maxRunning: 8, maxPerUser: 4 });
  expect(loadConfig({ home, env: { THORS_WEBCLI_SCHEDULER_MAX_RUNNING: '32' } }).scheduler.maxRunning).toBe(32);
});

test('emails are unique and stored lower-case; a duplicate is a conflict', async () => {
  const u = await service.createUser('Mixed@Example.COM', 'long enough');
  expect(u.email).toBe('mixed@example.com');
  await expect(service.createUser('mixed@example.com', 'long enough')).rejects.toMatchObject({ code: 'TH_ERR_WEB_CONFLICT' });
});

test('{value} patches: missing or null leaves a field, a wrapper sets it', async () => {
  const u = await service.createUser('patch@example.com', 'long enough');
  const t = await store().createThread(u.id, 'title', 'desc');
  expect(await store().patchThread(u.id, t.id, {})).toMatchObject({ title: 'title', description: 'desc' });
  expect(await store().patchThread(u.id, t.id, { title: null, description: { value: '' } })).toMatchObject({ title: 'title', description: '' });
  expect(await store().patchThread(u.id, t.id, { title: { value: 'new' } })).toMatchObject({ title: 'new', description: '' });
});

test('ownership: every read and write of another user answers not found', async () => {
  const a = await service.createUser('own-a@example.com', 'long enough');
  const b = await service.createUser('own-b@example.com', 'long enough');
  const t = await store().createThread(a.id, 'a', '');
  const ta = await store().createAction(a.id, t.id, { handlerName: 'notes', title: 'x', rawText: '%md%\nx', request: {}, mutating: false, runnerId: 'r' });
  await expect(store().getThread(b.id, t.id)).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  await expect(store().patchThread(b.id, t.id, { title: { value: 'x' } })).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  await expect(store().getAction(b.id, ta.actionId)).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  await expect(
    store().createAction(b.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' }),
  ).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  await expect(store().moveThreadAction(b.id, t.id, ta.actionId, { direction: 'up' })).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  await expect(store().deleteThread(b.id, t.id)).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  expect((await store().getThread(a.id, t.id)).actions).toHaveLength(1);
});

test('parallel appends to one action never collide; seq follows the order of the calls', async () => {
  const u = await service.createUser('parallel@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ta = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' });
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store().appendChunk(ta.actionId, u.id, { mime: MIME.text, text: `line ${i}` })));
  expect(new Set(results.map((r) => r.chunk.seq)).size).toBe(200);
  const action = await store().getAction(u.id, ta.actionId);
  expect(action.chunks.map((c) => c.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  // Parallel actions in one thread get distinct display positions.
  const more = await Promise.all(
    Array.from({ length: 20 }, () =>
      store().createAction(u.id, t.id, { handlerName: 'notes', title: 'y', rawText: 'y', request: {}, mutating: false, runnerId: 'r' }),
    ),
  );
  expect(new Set(more.map((m) => m.displayOrder)).size).toBe(20);
});

test('an artifact named beforehand (newArtifactId) is stored under that id, for its owner only', async () => {
  const u = await service.createUser('named@example.com', 'long enough');
  const other = await service.createUser('named-other@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ta = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' });
  const id = newArtifactId();
  expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(newArtifactId()).not.toBe(id);
  const [stored] = await store().appendChunks(ta.actionId, u.id, [
    { mime: MIME.csv, artifact: { id, fileName: 'n.csv', mime: MIME.csv, bytes: Buffer.from('n\r\n') } },
    { mime: MIME.text, text: 'after' },
  ]);
  expect(stored!.chunk.artifact).toMatchObject({ id, fileName: 'n.csv', sizeBytes: 3 });
  expect((await store().getArtifact(u.id, id))!.content.toString()).toBe('n\r\n');
  expect(await store().getArtifact(other.id, id)).toBeUndefined();
});

test('chunks stored together (one transaction) keep the order of the calls, with or without replace keys; a failing one stores none', async () => {
  const u = await service.createUser('batch@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ta = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' });
  const csv = { mime: MIME.csv, artifact: { fileName: 'a.csv', mime: MIME.csv, bytes: Buffer.from('a\r\n') } };
  const plain = await store().appendChunks(ta.actionId, u.id, [{ mime: MIME.xml, text: '<x/>' }, csv, { mime: MIME.text, text: 'after' }]);
  expect(plain.map((s) => [s.chunk.seq, s.replaced])).toEqual([
    [1, false],
    [2, false],
    [3, false],
  ]);
  expect(plain[1]!.chunk.artifact).toMatchObject({ fileName: 'a.csv', sizeBytes: 3 });
  const keyed = await store().appendChunks(ta.actionId, u.id, [
    { mime: MIME.progress, text: '{"done":1}', replaceKey: 'p' },
    { mime: MIME.text, text: 'between' },
    { mime: MIME.progress, text: '{"done":2}', replaceKey: 'p' },
  ]);
  expect(keyed.map((s) => [s.chunk.seq, s.replaced])).toEqual([
    [4, false],
    [5, false],
    [4, true],
  ]);
  // A chunk the database refuses (mime is NOT NULL) rolls the whole batch back, counter included.
  // (Matched by message: better-sqlite3 builds its errors in the realm that loaded it first, which
  // under jest need not be this test file's, so toThrow would not see an Error.)
  await expect(
    store().appendChunks(ta.actionId, u.id, [
      { mime: MIME.text, text: 'lost' },
      { mime: null as unknown as string, text: 'bad' },
    ]),
  ).rejects.toMatchObject({ message: expect.stringMatching(/NOT NULL/) });
  const action = await store().getAction(u.id, ta.actionId);
  expect(action.chunks.map((c) => [c.seq, c.text])).toEqual([
    [1, '<x/>'],
    [2, null],
    [3, 'after'],
    [4, '{"done":2}'],
    [5, 'between'],
  ]);
  expect((await store().appendChunk(ta.actionId, u.id, { mime: MIME.text, text: 'next' })).chunk.seq).toBe(6);
});

test('a replace key updates the chunk in place', async () => {
  const u = await service.createUser('replace@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ta = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' });
  const first = await store().appendChunk(ta.actionId, u.id, { mime: MIME.progress, text: '{"done":1}', replaceKey: 'p' });
  const second = await store().appendChunk(ta.actionId, u.id, { mime: MIME.progress, text: '{"done":2}', replaceKey: 'p' });
  expect(first.replaced).toBe(false);
  expect(second.replaced).toBe(true);
  expect(second.chunk.id).toBe(first.chunk.id);
  const action = await store().getAction(u.id, ta.actionId);
  expect(action.chunks).toHaveLength(1);
  expect(action.chunks[0]!.text).toBe('{"done":2}');
});

test('deleting a thread deletes its actions, chunks and artifacts in one go; an action shared stays', async () => {
  const u = await service.createUser('cascade@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ta = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' });
  const { chunk } = await store().appendChunk(ta.actionId, u.id, {
    mime: MIME.csv,
    artifact: { fileName: 'a.csv', mime: MIME.csv, bytes: Buffer.from('a\r\n') },
  });
  expect(await store().getArtifact(u.id, chunk.artifact!.id)).toBeDefined();
  await service.deleteThread(u.id, t.id);
  await expect(store().getAction(u.id, ta.actionId)).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  expect(await store().getArtifact(u.id, chunk.artifact!.id)).toBeUndefined();
  const count = await store()
    .db.selectFrom('action_chunks')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .where('action_id', '=', ta.actionId)
    .executeTakeFirstOrThrow();
  expect(Number(count.n)).toBe(0);
});

test('removing an action from its last thread deletes it', async () => {
  const u = await service.createUser('remove@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ta = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' });
  await service.removeFromThread(u.id, t.id, ta.actionId);
  await expect(store().getAction(u.id, ta.actionId)).rejects.toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
});

test('moving swaps with the single nearest neighbour, also with gaps and several neighbours', async () => {
  const u = await service.createUser('move@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const ids: number[] = [];
  for (let i = 0; i < 4; i++)
    ids.push(
      (await store().createAction(u.id, t.id, { handlerName: 'notes', title: `a${i}`, rawText: 'x', request: {}, mutating: false, runnerId: 'r' })).actionId,
    );
  await store().removeFromThread(u.id, t.id, ids[1]!); // a gap in the positions
  await store().moveThreadAction(u.id, t.id, ids[3]!, { direction: 'up' });
  expect((await store().getThread(u.id, t.id)).actions.map((a) => a.action.title)).toEqual(['a0', 'a3', 'a2']);
  await store().moveThreadAction(u.id, t.id, ids[0]!, { direction: 'up' }); // already first: unchanged
  await store().moveThreadAction(u.id, t.id, ids[2]!, { position: 1 });
  expect((await store().getThread(u.id, t.id)).actions.map((a) => a.action.title)).toEqual(['a2', 'a0', 'a3']);
});

test('restart cleanup marks this runner’s unfinished actions failed, and only those', async () => {
  const u = await service.createUser('restart@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const mine = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'old' });
  const running = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'y', rawText: 'x', request: {}, mutating: false, runnerId: 'old' });
  await store().setStatus(running.actionId, 'running');
  const other = await store().createAction(u.id, t.id, { handlerName: 'notes', title: 'z', rawText: 'x', request: {}, mutating: false, runnerId: 'elsewhere' });
  const failed = await store().failUnfinished('old');
  expect(failed.sort()).toEqual([mine.actionId, running.actionId].sort());
  expect(await store().getAction(u.id, mine.actionId)).toMatchObject({ status: 'failed', errorSummary: 'interrupted by restart', isCompleted: true });
  expect((await store().getAction(u.id, other.actionId)).status).toBe('queued');
  // A terminal action never changes status again.
  expect(await store().setStatus(mine.actionId, 'succeeded')).toBeUndefined();
});

test('a revoked session is kept until its tokens would have expired, then purged; revoking twice is harmless', async () => {
  const u = await service.createUser('revoke@example.com', 'long enough');
  await store().revokeSession(u.id, 'session-still-live-0001', new Date(Date.now() + 3_600_000));
  await store().revokeSession(u.id, 'session-still-live-0001', new Date(Date.now() + 3_600_000));
  await store().revokeSession(u.id, 'session-long-expired-01', new Date(Date.now() - 1000));
  expect(await store().isSessionRevoked('session-still-live-0001')).toBe(true);
  expect(await store().isSessionRevoked('session-long-expired-01')).toBe(true);
  expect(await store().isSessionRevoked('session-never-revoked-1')).toBe(false);
  expect(await store().purgeExpiredRevocations()).toBe(1);
  expect(await store().isSessionRevoked('session-long-expired-01')).toBe(false);
  expect(await store().isSessionRevoked('session-still-live-0001')).toBe(true);
});

test('the migrations name every constraint and index after its table', async () => {
  const { sql } = await import('kysely');
  const rows = await sql<{
    name: string;
    tbl_name: string;
  }>`select name, tbl_name from sqlite_master where type = 'index' and name not like 'sqlite_autoindex%'`.execute(store().db);
  for (const r of rows.rows) if (!r.tbl_name.startsWith('kysely_')) expect(r.name.startsWith(`${r.tbl_name}_`)).toBe(true);
  expect(rows.rows.length).toBeGreaterThan(5);
});

test('writes asked for in one loop pass share one commit, in order; each resolves once committed; a failing one rejects alone', async () => {
  const u = await service.createUser('group@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const input = { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' };
  const before = { ...store().writes.stats };
  const created = await Promise.all([1, 2, 3].map(() => store().createAction(u.id, t.id, input)));
  expect(created.map((c) => c.displayOrder)).toEqual([1, 2, 3]);
  expect(store().writes.stats.commits - before.commits).toBe(1);
  expect(store().writes.stats.writes - before.writes).toBe(3);
  // Resolved means committed: a second connection sees them.
  const { openDatabase } = await import('../../web/server/db/connect.js');
  const other = openDatabase(`sqlite:${join(home, 'webcli.db')}`);
  const seen = await other
    .selectFrom('actions')
    .select('id')
    .where(
      'id',
      'in',
      created.map((c) => c.actionId),
    )
    .execute();
  expect(seen).toHaveLength(3);
  // One write fails (the action is gone): it rejects, the others of its group are stored.
  const [first, gone, last] = created.map((c) => c.actionId) as [number, number, number];
  await other.deleteFrom('actions').where('id', '=', gone).execute();
  await other.destroy();
  const results = await Promise.allSettled([
    store().appendChunk(first, u.id, { mime: MIME.text, text: 'one' }),
    store().appendChunk(gone, u.id, { mime: MIME.text, text: 'lost' }),
    store().appendChunk(last, u.id, { mime: MIME.text, text: 'three' }),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'TH_ERR_WEB_NOT_FOUND' });
  expect((await store().getAction(u.id, first)).chunks.map((c) => c.text)).toEqual(['one']);
  expect((await store().getAction(u.id, last)).chunks.map((c) => c.text)).toEqual(['three']);
});

test('a write asked for when another resolves is committed in the same flush; afterFlush runs once both are handed on', async () => {
  const u = await service.createUser('rounds@example.com', 'long enough');
  const t = await store().createThread(u.id, 't', '');
  const input = { handlerName: 'notes', title: 'x', rawText: 'x', request: {}, mutating: false, runnerId: 'r' };
  const order: string[] = [];
  const done = new Promise<void>(
    (resolve) =>
      void store()
        .createAction(u.id, t.id, input)
        .then(async (ta) => {
          order.push('created');
          store().writes.afterFlush(() => {
            order.push('after flush');
            resolve();
          });
          await store().setStatus(ta.actionId, 'running');
          order.push('running');
        }),
  );
  let passes = 0;
  const countPasses = () => {
    passes++;
    if (!order.includes('after flush')) setImmediate(countPasses);
  };
  setImmediate(countPasses);
  await done;
  expect(order).toEqual(['created', 'running', 'after flush']);
  expect(passes).toBeLessThanOrEqual(2); // both writes in one flush, not one pass each
});
