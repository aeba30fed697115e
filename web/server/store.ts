import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import { WebConflictError, WebNotFoundError } from '../core/errors.js';
import type { ActionStatus, JsonValue, NewChunk } from '../core/types.js';
import { TERMINAL_STATUSES } from '../core/types.js';
import { GroupCommit } from './db/group-commit.js';
import { PreparedQuery } from './db/prepared.js';
import type { Database } from './db/schema.js';

/**
 * The only code that touches the tables. Every read or write of a user's object checks that
 * the caller owns it and answers "not found" otherwise (C.2). Counters (chunk seq, display
 * order) are read and bumped in the same transaction as the insert (B13).
 */

export interface UserRow {
  id: number;
  email: string;
  passwordHash: string;
  passwordVersion: number;
  isActive: boolean;
  createdAt: string;
}

export interface ArtifactRef {
  id: string;
  fileName: string;
  mime: string;
  sizeBytes: number;
}

export interface ChunkJson {
  id: number;
  actionId: number;
  seq: number;
  mime: string;
  text: string | null;
  artifact: ArtifactRef | null;
  replaceKey: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ActionJson {
  id: number;
  handlerName: string;
  title: string;
  rawText: string;
  request: JsonValue;
  mutating: boolean;
  status: ActionStatus;
  isCompleted: boolean;
  errorSummary: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  chunks: ChunkJson[];
}

export interface ThreadActionJson {
  id: number;
  threadId: number;
  actionId: number;
  displayOrder: number;
  showQuestion: boolean;
  showAnswer: boolean;
  action: ActionJson;
}

export interface ThreadSummaryJson {
  id: number;
  title: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface ThreadJson extends ThreadSummaryJson {
  actions: ThreadActionJson[];
}

/** `{value}` wrappers: missing or null leaves the field unchanged; a wrapper sets it (A.3). */
export type Patch<T> = { [K in keyof T]?: { value: T[K] } | null };

const now = () => new Date().toISOString();
/** Random bytes drawn in blocks (one CSPRNG call per 256 ids, each byte used once), as 16-byte base64url ids. */
let idBytes = Buffer.alloc(0);
let idOffset = 0;
function randomId(): string {
  if (idOffset + 16 > idBytes.length) {
    idBytes = randomBytes(16 * 256);
    idOffset = 0;
  }
  idOffset += 16;
  return idBytes.toString('base64url', idOffset - 16, idOffset);
}
/** Artifact ids: random, so one user cannot guess another's (the route checks ownership too). */
export const newArtifactId = randomId;

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The queries every action runs (authentication, submit, status changes, chunk appends), compiled
 * once (see PreparedQuery); the rest of the store builds its queries each time.
 */
const Q = {
  userById: new PreparedQuery((db, id: number) => db.selectFrom('users').selectAll().where('id', '=', id)),
  sessionRevoked: new PreparedQuery((db, sessionId: string) => db.selectFrom('revoked_sessions').select('session_id').where('session_id', '=', sessionId)),
  threadOwned: new PreparedQuery((db, threadId: number, userId: number) =>
    db.selectFrom('threads').select('id').where('id', '=', threadId).where('user_id', '=', userId),
  ),
  bumpDisplayOrder: new PreparedQuery((db, threadId: number, userId: number, t: string) =>
    db
      .updateTable('threads')
      .set({ next_display_order: sql`next_display_order + 1`, updated_at: t })
      .where('id', '=', threadId)
      .where('user_id', '=', userId)
      .returning('next_display_order'),
  ),
  insertAction: new PreparedQuery(
    (db, userId: number, handlerName: string, title: string, rawText: string, request: string, mutating: number, runnerId: string, t: string) =>
      db
        .insertInto('actions')
        .values({
          user_id: userId,
          handler_name: handlerName,
          title,
          raw_text: rawText,
          request,
          mutating,
          status: 'queued',
          runner_id: runnerId,
          created_at: t,
        })
        .returningAll(),
  ),
  insertLink: new PreparedQuery((db, threadId: number, actionId: number, displayOrder: number, showQuestion: number) =>
    db
      .insertInto('thread_actions')
      .values({ thread_id: threadId, action_id: actionId, display_order: displayOrder, show_question: showQuestion, show_answer: 1 })
      .returningAll(),
  ),
  setRunning: new PreparedQuery((db, actionId: number, t: string) =>
    db
      .updateTable('actions')
      .set({ status: 'running', started_at: t })
      .where('id', '=', actionId)
      .where('status', 'not in', [...TERMINAL_STATUSES])
      .returning(['started_at', 'finished_at']),
  ),
  setTerminal: new PreparedQuery((db, actionId: number, status: string, t: string, errorSummary: string | null) =>
    db
      .updateTable('actions')
      .set({ status, finished_at: t, error_summary: errorSummary })
      .where('id', '=', actionId)
      .where('status', 'not in', [...TERMINAL_STATUSES])
      .returning(['started_at', 'finished_at']),
  ),
  handlerConfig: new PreparedQuery((db, userId: number, handler: string) =>
    db.selectFrom('handler_configs').select('config').where('user_id', '=', userId).where('handler_name', '=', handler),
  ),
  bumpChunkSeq: new PreparedQuery((db, actionId: number, count: number) =>
    db
      .updateTable('actions')
      .set({ next_chunk_seq: sql`next_chunk_seq + ${count}` })
      .where('id', '=', actionId)
      .returning('next_chunk_seq'),
  ),
  insertArtifact: new PreparedQuery(
    (db, id: string, actionId: number, userId: number, fileName: string, mime: string, size: number, sha256: string, content: Buffer, t: string) =>
      db.insertInto('artifacts').values({
        id,
        action_id: actionId,
        user_id: userId,
        file_name: fileName,
        mime,
        size_bytes: size,
        sha256,
        content,
        storage_path: null,
        created_at: t,
      }),
  ),
  insertChunk: new PreparedQuery(
    (db, actionId: number, seq: number, mime: string, text: string | null, artifactId: string | null, replaceKey: string | null, t: string) =>
      db
        .insertInto('action_chunks')
        .values({
          action_id: actionId,
          seq,
          mime,
          text_content: text,
          artifact_id: artifactId,
          replace_key: replaceKey,
          created_at: t,
          updated_at: t,
        })
        .returningAll(),
  ),
};

export class Store {
  /** The hot path's writes (actions created, statuses, chunks) are committed in groups, one per loop pass. */
  readonly writes: GroupCommit;

  constructor(readonly db: Kysely<Database>) {
    this.writes = new GroupCommit(db);
  }

  // --- users -------------------------------------------------------------------------

  async createUser(email: string, passwordHash: string): Promise<UserRow> {
    const normal = email.trim().toLowerCase();
    const existing = await this.db.selectFrom('users').select('id').where('email', '=', normal).executeTakeFirst();
    if (existing) throw new WebConflictError(`a user with email ${normal} exists`);
    const t = now();
    const row = await this.db
      .insertInto('users')
      .values({ email: normal, password_hash: passwordHash, created_at: t, updated_at: t })
      .returningAll()
      .executeTakeFirstOrThrow();
    return userRow(row);
  }

  async userByEmail(email: string): Promise<UserRow | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return row ? userRow(row) : undefined;
  }

  async userById(id: number): Promise<UserRow | undefined> {
    const row = await Q.userById.first(this.db, id);
    return row ? userRow(row) : undefined;
  }

  async listUsers(): Promise<UserRow[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('id').execute()).map(userRow);
  }

  /** Sets a new hash and bumps password_version (revokes older tokens). */
  async setPassword(userId: number, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, password_version: sql`password_version + 1`, updated_at: now() })
      .where('id', '=', userId)
      .execute();
  }

  async bumpPasswordVersion(userId: number): Promise<void> {
    await this.db.updateTable('users').set({ password_version: sql`password_version + 1`, updated_at: now() }).where('id', '=', userId).execute();
  }

  /** Ends one login session: its tokens are refused until `expiresAt`, when they expire anyway. */
  async revokeSession(userId: number, sessionId: string, expiresAt: Date): Promise<void> {
    await this.db
      .insertInto('revoked_sessions')
      .values({ session_id: sessionId, user_id: userId, revoked_at: now(), expires_at: expiresAt.toISOString() })
      .onConflict((c) => c.column('session_id').doNothing())
      .execute();
  }

  async isSessionRevoked(sessionId: string): Promise<boolean> {
    return (await Q.sessionRevoked.first(this.db, sessionId)) !== undefined;
  }

  /** Forgets revocations whose tokens have all expired. */
  async purgeExpiredRevocations(): Promise<number> {
    const r = await this.db.deleteFrom('revoked_sessions').where('expires_at', '<=', now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Enables or disables a user; disabling bumps password_version. */
  async setActive(userId: number, active: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ is_active: active ? 1 : 0, updated_at: now(), ...(active ? {} : { password_version: sql`password_version + 1` }) })
      .where('id', '=', userId)
      .execute();
  }

  // --- threads -----------------------------------------------------------------------

  async listThreads(userId: number): Promise<ThreadSummaryJson[]> {
    const rows = await this.db.selectFrom('threads').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(threadSummary);
  }

  async createThread(userId: number, title: string, description: string): Promise<ThreadJson> {
    const t = now();
    const row = await this.db
      .insertInto('threads')
      .values({ user_id: userId, title, description, created_at: t, updated_at: t })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...threadSummary(row), actions: [] };
  }

  private async ownedThread(db: Db, userId: number, threadId: number) {
    const row = await db.selectFrom('threads').selectAll().where('id', '=', threadId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new WebNotFoundError(`thread ${threadId}`);
    return row;
  }

  /** Throws "not found" unless the thread exists and is the user's (reads one row, not the thread's actions). */
  async assertThreadOwner(userId: number, threadId: number): Promise<void> {
    if (!(await Q.threadOwned.first(this.db, threadId, userId))) throw new WebNotFoundError(`thread ${threadId}`);
  }

  async getThread(userId: number, threadId: number): Promise<ThreadJson> {
    const thread = await this.ownedThread(this.db, userId, threadId);
    const links = await this.db.selectFrom('thread_actions').selectAll().where('thread_id', '=', threadId).orderBy('display_order').execute();
    const actions = await this.actionsWithChunks(links.map((l) => l.action_id));
    return {
      ...threadSummary(thread),
      actions: links.map((l) => threadActionJson(l, actions.get(l.action_id)!)),
    };
  }

  async patchThread(userId: number, threadId: number, patch: Patch<{ title: string; description: string }>): Promise<ThreadJson> {
    await this.ownedThread(this.db, userId, threadId);
    const set: Record<string, string> = {};
    if (patch.title) set.title = patch.title.value;
    if (patch.description) set.description = patch.description.value;
    if (Object.keys(set).length > 0)
      await this.db
        .updateTable('threads')
        .set({ ...set, updated_at: now() })
        .where('id', '=', threadId)
        .execute();
    return this.getThread(userId, threadId);
  }

  /** The actions that deleting the thread would delete (linked to no other thread). */
  async orphanedByThread(userId: number, threadId: number): Promise<number[]> {
    await this.ownedThread(this.db, userId, threadId);
    const rows = await this.db
      .selectFrom('thread_actions as ta')
      .select('ta.action_id')
      .where('ta.thread_id', '=', threadId)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('thread_actions as o').select('o.id').whereRef('o.action_id', '=', 'ta.action_id').where('o.thread_id', '!=', threadId))),
      )
      .execute();
    return rows.map((r) => r.action_id);
  }

  /** Deletes the thread, its links, and every action left without a thread with its chunks and artifacts, in one transaction (B12). */
  async deleteThread(userId: number, threadId: number): Promise<number[]> {
    const orphans = await this.orphanedByThread(userId, threadId);
    await this.db.transaction().execute(async (tx) => {
      await this.ownedThread(tx, userId, threadId);
      if (orphans.length > 0) await tx.deleteFrom('actions').where('id', 'in', orphans).execute();
      await tx.deleteFrom('threads').where('id', '=', threadId).execute();
    });
    return orphans;
  }

  // --- actions -----------------------------------------------------------------------

  /** Creates a queued action and its link at the end of the thread, in one transaction (C.3). */
  async createAction(
    userId: number,
    threadId: number,
    input: { handlerName: string; title: string; rawText: string; request: JsonValue; mutating: boolean; runnerId: string },
  ): Promise<ThreadActionJson> {
    return this.writes.run(async (tx) => {
      // Bumping the counter is also the ownership check: no row when the thread is not the user's.
      const t = now();
      const bumped = await Q.bumpDisplayOrder.first(tx, threadId, userId, t);
      if (!bumped) throw new WebNotFoundError(`thread ${threadId}`);
      const order = bumped.next_display_order;
      const mutating = input.mutating ? 1 : 0;
      const [action] = await Q.insertAction.execute(
        tx,
        userId,
        input.handlerName,
        input.title,
        input.rawText,
        JSON.stringify(input.request),
        mutating,
        input.runnerId,
        t,
      );
      const [link] = await Q.insertLink.execute(tx, threadId, action!.id, order - 1, mutating);
      return threadActionJson(link!, actionJson(action!, []));
    });
  }

  async getAction(userId: number, actionId: number): Promise<ActionJson> {
    const row = await this.db.selectFrom('actions').select('id').where('id', '=', actionId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new WebNotFoundError(`action ${actionId}`);
    return (await this.actionsWithChunks([actionId])).get(actionId)!;
  }

  async patchAction(userId: number, actionId: number, patch: Patch<{ title: string }>): Promise<ActionJson> {
    await this.getActionOwner(userId, actionId);
    if (patch.title) await this.db.updateTable('actions').set({ title: patch.title.value }).where('id', '=', actionId).execute();
    return this.getAction(userId, actionId);
  }

  private async getActionOwner(userId: number, actionId: number) {
    const row = await this.db.selectFrom('actions').select(['id', 'status']).where('id', '=', actionId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new WebNotFoundError(`action ${actionId}`);
    return row;
  }

  /** The thread ids an action is linked to. */
  async threadsOfAction(actionId: number): Promise<number[]> {
    return (await this.db.selectFrom('thread_actions').select('thread_id').where('action_id', '=', actionId).execute()).map((r) => r.thread_id);
  }

  private async ownedLink(db: Db, userId: number, threadId: number, actionId: number) {
    await this.ownedThread(db, userId, threadId);
    const link = await db.selectFrom('thread_actions').selectAll().where('thread_id', '=', threadId).where('action_id', '=', actionId).executeTakeFirst();
    if (!link) throw new WebNotFoundError(`action ${actionId} in thread ${threadId}`);
    return link;
  }

  async patchThreadAction(
    userId: number,
    threadId: number,
    actionId: number,
    patch: Patch<{ showQuestion: boolean; showAnswer: boolean }>,
  ): Promise<ThreadActionJson> {
    const link = await this.ownedLink(this.db, userId, threadId, actionId);
    const set: { show_question?: number; show_answer?: number } = {};
    if (patch.showQuestion) set.show_question = patch.showQuestion.value ? 1 : 0;
    if (patch.showAnswer) set.show_answer = patch.showAnswer.value ? 1 : 0;
    if (Object.keys(set).length > 0) await this.db.updateTable('thread_actions').set(set).where('id', '=', link.id).execute();
    return this.threadAction(link.id);
  }

  private async threadAction(linkId: number): Promise<ThreadActionJson> {
    const link = await this.db.selectFrom('thread_actions').selectAll().where('id', '=', linkId).executeTakeFirstOrThrow();
    return threadActionJson(link, (await this.actionsWithChunks([link.action_id])).get(link.action_id)!);
  }

  /** Whether removing the link would leave the action in no thread (then it is deleted with it). */
  async wouldOrphan(userId: number, threadId: number, actionId: number): Promise<boolean> {
    await this.ownedLink(this.db, userId, threadId, actionId);
    const others = await this.db.selectFrom('thread_actions').select('id').where('action_id', '=', actionId).where('thread_id', '!=', threadId).execute();
    return others.length === 0;
  }

  /** Removes the action from the thread; an action left in no thread is deleted with its chunks and artifacts (B12). */
  async removeFromThread(userId: number, threadId: number, actionId: number): Promise<{ deletedAction: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const link = await this.ownedLink(tx, userId, threadId, actionId);
      await tx.deleteFrom('thread_actions').where('id', '=', link.id).execute();
      const left = await tx.selectFrom('thread_actions').select('id').where('action_id', '=', actionId).executeTakeFirst();
      if (!left) await tx.deleteFrom('actions').where('id', '=', actionId).execute();
      return { deletedAction: !left };
    });
  }

  /** Moves an action up, down (swap with the single nearest neighbour) or to a position (1-based), in a transaction (B13). */
  async moveThreadAction(
    userId: number,
    threadId: number,
    actionId: number,
    move: { direction?: 'up' | 'down'; position?: number },
  ): Promise<ThreadActionJson> {
    const linkId = await this.db.transaction().execute(async (tx) => {
      const link = await this.ownedLink(tx, userId, threadId, actionId);
      if (move.direction) {
        const up = move.direction === 'up';
        const neighbour = await tx
          .selectFrom('thread_actions')
          .selectAll()
          .where('thread_id', '=', threadId)
          .where('display_order', up ? '<' : '>', link.display_order)
          .orderBy('display_order', up ? 'desc' : 'asc')
          .limit(1)
          .executeTakeFirst();
        if (neighbour) {
          await tx.updateTable('thread_actions').set({ display_order: neighbour.display_order }).where('id', '=', link.id).execute();
          await tx.updateTable('thread_actions').set({ display_order: link.display_order }).where('id', '=', neighbour.id).execute();
        }
      } else if (move.position !== undefined) {
        const all = await tx.selectFrom('thread_actions').select(['id', 'display_order']).where('thread_id', '=', threadId).orderBy('display_order').execute();
        const rest = all.filter((r) => r.id !== link.id);
        const at = Math.max(0, Math.min(rest.length, move.position - 1));
        rest.splice(at, 0, { id: link.id, display_order: 0 });
        for (let i = 0; i < rest.length; i++) await tx.updateTable('thread_actions').set({ display_order: i }).where('id', '=', rest[i]!.id).execute();
        await tx
          .updateTable('threads')
          .set({ next_display_order: rest.length + 1 })
          .where('id', '=', threadId)
          .execute();
      }
      return link.id;
    });
    return this.threadAction(linkId);
  }

  /** Moves the action to a new status with its timestamps; returns false when it is already terminal (or gone). */
  async setStatus(
    actionId: number,
    status: Exclude<ActionStatus, 'queued'>,
    errorSummary: string | null = null,
  ): Promise<{ startedAt: string | null; finishedAt: string | null } | undefined> {
    const row = await this.writes.run((tx) => {
      const t = now();
      return status === 'running' ? Q.setRunning.first(tx, actionId, t) : Q.setTerminal.first(tx, actionId, status, t, errorSummary);
    });
    return row ? { startedAt: row.started_at, finishedAt: row.finished_at } : undefined;
  }

  /** Restart cleanup (C.5): this runner's queued or running actions become failed. Returns their ids. */
  async failUnfinished(runnerId: string, summary = 'interrupted by restart'): Promise<number[]> {
    const rows = await this.db
      .updateTable('actions')
      .set({ status: 'failed', error_summary: summary, finished_at: now() })
      .where('runner_id', '=', runnerId)
      .where('status', 'in', ['queued', 'running'])
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  // --- chunks and artifacts ----------------------------------------------------------

  /**
   * Stores a chunk: a new seq from the action's counter in the same transaction, or, with a
   * replace key already present, the existing row updated in place.
   */
  async appendChunk(actionId: number, userId: number, chunk: NewChunk): Promise<{ chunk: ChunkJson; replaced: boolean }> {
    return (await this.appendChunks(actionId, userId, [chunk]))[0]!;
  }

  /**
   * Stores several chunks of one action in call order, in one transaction (all or none). When
   * none has a replace key (each takes a new seq), one bump of the action's counter gives them all.
   */
  async appendChunks(actionId: number, userId: number, chunks: readonly NewChunk[]): Promise<{ chunk: ChunkJson; replaced: boolean }[]> {
    return this.writes.run(async (tx) => {
      let seq: number | undefined;
      if (chunks.length > 1 && chunks.every((c) => !c.replaceKey)) {
        const [bumped] = await Q.bumpChunkSeq.execute(tx, actionId, chunks.length);
        if (!bumped) throw new WebNotFoundError(`action ${actionId}`);
        seq = bumped.next_chunk_seq - chunks.length;
      }
      const stored: { chunk: ChunkJson; replaced: boolean }[] = [];
      for (const chunk of chunks) stored.push(await this.appendIn(tx, actionId, userId, chunk, seq === undefined ? undefined : seq++));
      return stored;
    });
  }

  /** One chunk inside the caller's transaction; without `seq`, a new chunk takes the next one from the counter. */
  private async appendIn(
    tx: Transaction<Database>,
    actionId: number,
    userId: number,
    chunk: NewChunk,
    seq: number | undefined,
  ): Promise<{ chunk: ChunkJson; replaced: boolean }> {
    const t = now();
    let artifact: ArtifactRef | null = null;
    if (chunk.artifact) {
      const a = chunk.artifact;
      artifact = { id: a.id ?? newArtifactId(), fileName: a.fileName, mime: a.mime, sizeBytes: a.bytes.length };
      const sha256 = createHash('sha256').update(a.bytes).digest('hex');
      await Q.insertArtifact.execute(tx, artifact.id, actionId, userId, a.fileName, a.mime, a.bytes.length, sha256, a.bytes, t);
    }
    if (chunk.replaceKey) {
      const existing = await tx
        .selectFrom('action_chunks')
        .selectAll()
        .where('action_id', '=', actionId)
        .where('replace_key', '=', chunk.replaceKey)
        .executeTakeFirst();
      if (existing) {
        await tx
          .updateTable('action_chunks')
          .set({ mime: chunk.mime, text_content: chunk.text ?? null, artifact_id: artifact?.id ?? null, updated_at: t })
          .where('id', '=', existing.id)
          .execute();
        if (existing.artifact_id) await tx.deleteFrom('artifacts').where('id', '=', existing.artifact_id).execute();
        return {
          replaced: true,
          chunk: { ...chunkJson(existing, null), mime: chunk.mime, text: chunk.text ?? null, artifact, updatedAt: t },
        };
      }
    }
    if (seq === undefined) {
      const [bumped] = await Q.bumpChunkSeq.execute(tx, actionId, 1);
      if (!bumped) throw new WebNotFoundError(`action ${actionId}`);
      seq = bumped.next_chunk_seq - 1;
    }
    const [row] = await Q.insertChunk.execute(tx, actionId, seq, chunk.mime, chunk.text ?? null, artifact?.id ?? null, chunk.replaceKey ?? null, t);
    return { replaced: false, chunk: chunkJson(row!, artifact) };
  }

  /** An artifact with its bytes, when the caller owns it. */
  async getArtifact(userId: number, id: string): Promise<(ArtifactRef & { content: Buffer }) | undefined> {
    const row = await this.db.selectFrom('artifacts').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row || !row.content) return undefined;
    return { id: row.id, fileName: row.file_name, mime: row.mime, sizeBytes: row.size_bytes, content: Buffer.from(row.content) };
  }

  /** Resume (C.11): chunks of the thread newer than the cursor, every replaceable chunk, and the unfinished actions. */
  async resumeState(
    userId: number,
    threadId: number,
    since: number,
  ): Promise<{
    chunks: ChunkJson[];
    replaceable: ChunkJson[];
    unfinished: { id: number; status: ActionStatus; startedAt: string | null; finishedAt: string | null; errorSummary: string | null }[];
  }> {
    await this.ownedThread(this.db, userId, threadId);
    const base = this.db
      .selectFrom('action_chunks as c')
      .innerJoin('thread_actions as ta', 'ta.action_id', 'c.action_id')
      .leftJoin('artifacts as a', 'a.id', 'c.artifact_id')
      .selectAll('c')
      .select(['a.file_name', 'a.mime as a_mime', 'a.size_bytes'])
      .where('ta.thread_id', '=', threadId);
    const toJson = (r: Record<string, unknown>) => chunkJsonJoined(r);
    const chunks = (await base.where('c.id', '>', since).orderBy('c.id').execute()).map(toJson);
    const replaceable = (await base.where('c.replace_key', 'is not', null).where('c.id', '<=', since).orderBy('c.id').execute()).map(toJson);
    const unfinished = await this.db
      .selectFrom('actions as ac')
      .innerJoin('thread_actions as ta', 'ta.action_id', 'ac.id')
      .select(['ac.id', 'ac.status', 'ac.started_at', 'ac.finished_at', 'ac.error_summary'])
      .where('ta.thread_id', '=', threadId)
      .where('ac.status', 'in', ['queued', 'running'])
      .execute();
    return {
      chunks,
      replaceable,
      unfinished: unfinished.map((u) => ({
        id: u.id,
        status: u.status as ActionStatus,
        startedAt: u.started_at,
        finishedAt: u.finished_at,
        errorSummary: u.error_summary,
      })),
    };
  }

  private async actionsWithChunks(ids: number[]): Promise<Map<number, ActionJson>> {
    const out = new Map<number, ActionJson>();
    if (ids.length === 0) return out;
    const actions = await this.db.selectFrom('actions').selectAll().where('id', 'in', ids).execute();
    const chunks = await this.db
      .selectFrom('action_chunks as c')
      .leftJoin('artifacts as a', 'a.id', 'c.artifact_id')
      .selectAll('c')
      .select(['a.file_name', 'a.mime as a_mime', 'a.size_bytes'])
      .where('c.action_id', 'in', ids)
      .orderBy('c.seq')
      .execute();
    const byAction = new Map<number, ChunkJson[]>();
    for (const c of chunks) {
      const list = byAction.get(c.action_id) ?? [];
      list.push(chunkJsonJoined(c as unknown as Record<string, unknown>));
      byAction.set(c.action_id, list);
    }
    for (const a of actions) out.set(a.id, actionJson(a, byAction.get(a.id) ?? []));
    return out;
  }

  // --- handler configurations ----------------------------------------------------------

  async getHandlerConfig(userId: number, handler: string): Promise<unknown | undefined> {
    const text = await this.handlerConfigText(userId, handler);
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** The stored configuration as its JSON text (secrets sealed), undefined when unset. */
  async handlerConfigText(userId: number, handler: string): Promise<string | undefined> {
    return (await Q.handlerConfig.first(this.db, userId, handler))?.config;
  }

  async setHandlerConfig(userId: number, handler: string, config: unknown): Promise<void> {
    const t = now();
    await this.db
      .insertInto('handler_configs')
      .values({ user_id: userId, handler_name: handler, config: JSON.stringify(config), created_at: t, updated_at: t })
      .onConflict((oc) => oc.columns(['user_id', 'handler_name']).doUpdateSet({ config: JSON.stringify(config), updated_at: t }))
      .execute();
  }

  async deleteHandlerConfig(userId: number, handler: string): Promise<boolean> {
    const r = await this.db.deleteFrom('handler_configs').where('user_id', '=', userId).where('handler_name', '=', handler).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // --- uploads -------------------------------------------------------------------------

  async createUpload(
    userId: number,
    fileName: string,
    mime: string,
    content: Buffer,
    ttlMs: number,
  ): Promise<{ id: string; fileName: string; mime: string; sizeBytes: number; expiresAt: string }> {
    const id = randomId();
    const t = new Date();
    const expiresAt = new Date(t.getTime() + ttlMs).toISOString();
    await this.db
      .insertInto('uploads')
      .values({
        id,
        user_id: userId,
        file_name: fileName,
        mime,
        size_bytes: content.length,
        content,
        storage_path: null,
        created_at: t.toISOString(),
        expires_at: expiresAt,
      })
      .execute();
    return { id, fileName, mime, sizeBytes: content.length, expiresAt };
  }

  async getUpload(userId: number, id: string): Promise<{ fileName: string; mime: string; bytes: Buffer } | undefined> {
    const row = await this.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('expires_at', '>', now())
      .executeTakeFirst();
    return row?.content ? { fileName: row.file_name, mime: row.mime, bytes: Buffer.from(row.content) } : undefined;
  }

  async purgeExpiredUploads(): Promise<number> {
    const r = await this.db.deleteFrom('uploads').where('expires_at', '<=', now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** A cheap round trip, for the health check. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}

function userRow(
  r: Database['users'] extends infer _
    ? { id: number; email: string; password_hash: string; password_version: number; is_active: number; created_at: string }
    : never,
): UserRow {
  return { id: r.id, email: r.email, passwordHash: r.password_hash, passwordVersion: r.password_version, isActive: r.is_active === 1, createdAt: r.created_at };
}

function threadSummary(r: { id: number; title: string; description: string; created_at: string; updated_at: string }): ThreadSummaryJson {
  return { id: r.id, title: r.title, description: r.description, createdAt: r.created_at, updatedAt: r.updated_at };
}

function actionJson(
  r: {
    id: number;
    handler_name: string;
    title: string;
    raw_text: string;
    request: string;
    mutating: number;
    status: string;
    error_summary: string | null;
    created_at: string;
    started_at: string | null;
    finished_at: string | null;
  },
  chunks: ChunkJson[],
): ActionJson {
  const status = r.status as ActionStatus;
  return {
    id: r.id,
    handlerName: r.handler_name,
    title: r.title,
    rawText: r.raw_text,
    request: JSON.parse(r.request) as JsonValue,
    mutating: r.mutating === 1,
    status,
    isCompleted: TERMINAL_STATUSES.has(status),
    errorSummary: r.error_summary,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    chunks,
  };
}

function threadActionJson(
  l: { id: number; thread_id: number; action_id: number; display_order: number; show_question: number; show_answer: number },
  action: ActionJson,
): ThreadActionJson {
  return {
    id: l.id,
    threadId: l.thread_id,
    actionId: l.action_id,
    displayOrder: l.display_order,
    showQuestion: l.show_question === 1,
    showAnswer: l.show_answer === 1,
    action,
  };
}

function chunkJson(
  r: {
    id: number;
    action_id: number;
    seq: number;
    mime: string;
    text_content: string | null;
    replace_key: string | null;
    created_at: string;
    updated_at: string;
  },
  artifact: ArtifactRef | null,
): ChunkJson {
  return {
    id: r.id,
    actionId: r.action_id,
    seq: r.seq,
    mime: r.mime,
    text: r.text_content,
    artifact,
    replaceKey: r.replace_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function chunkJsonJoined(r: Record<string, unknown>): ChunkJson {
  const artifact =
    r.artifact_id != null ? { id: r.artifact_id as string, fileName: r.file_name as string, mime: r.a_mime as string, sizeBytes: Number(r.size_bytes) } : null;
  return chunkJson(r as unknown as Parameters<typeof chunkJson>[0], artifact);
}
