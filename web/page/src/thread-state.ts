import type { ActionJson, ChunkJson, ThreadActionJson, ThreadJson } from './api.js';

/**
 * How the thread page's state follows the server: pure functions over the thread JSON (no DOM),
 * so they are unit-tested in node (test/webcli/page-state.test.ts).
 */

/** A server message on the websocket (docs/webcli.md, "Websocket"). */
export interface ServerMessage {
  type: string;
  threadId?: number;
  threadAction?: ThreadActionJson;
  actionId?: number;
  status?: ActionJson['status'];
  startedAt?: string | null;
  finishedAt?: string | null;
  errorSummary?: string | null;
  chunk?: ChunkJson;
  cursor?: number;
  message?: string;
  code?: string;
}

const STATUS_RANK: Record<ActionJson['status'], number> = { queued: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2 };

/** The highest chunk id held: the resume cursor. */
export function cursorOf(thread: ThreadJson): number {
  let highest = 0;
  for (const ta of thread.actions) for (const c of ta.action.chunks) highest = Math.max(highest, c.id);
  return highest;
}

const byOrder = (a: ThreadActionJson, b: ThreadActionJson) => a.displayOrder - b.displayOrder;
const bySeq = (a: ChunkJson, b: ChunkJson) => a.seq - b.seq;

function mergeChunks(held: ChunkJson[], incoming: ChunkJson[]): ChunkJson[] {
  const byId = new Map(held.map((c) => [c.id, c]));
  for (const c of incoming) {
    const old = byId.get(c.id);
    if (!old || old.updatedAt <= c.updatedAt) byId.set(c.id, c);
  }
  return [...byId.values()].sort(bySeq);
}

function mergeAction(held: ActionJson | undefined, incoming: ActionJson): ActionJson {
  if (!held) return incoming;
  const newer = STATUS_RANK[held.status] > STATUS_RANK[incoming.status] ? held : incoming;
  return {
    ...incoming,
    status: newer.status,
    isCompleted: newer.isCompleted,
    startedAt: newer.startedAt,
    finishedAt: newer.finishedAt,
    errorSummary: newer.errorSummary,
    chunks: mergeChunks(held.chunks, incoming.chunks),
  };
}

/** A freshly loaded thread merged with what the page already holds (live events may be newer than the load). */
export function mergeThread(held: ThreadJson | null, loaded: ThreadJson): ThreadJson {
  if (!held || held.id !== loaded.id) return { ...loaded, actions: [...loaded.actions].sort(byOrder) };
  const old = new Map(held.actions.map((ta) => [ta.actionId, ta.action]));
  return { ...loaded, actions: loaded.actions.map((ta) => ({ ...ta, action: mergeAction(old.get(ta.actionId), ta.action) })).sort(byOrder) };
}

/**
 * Applies one server message. Returns the new thread, or 'reload' when the page must fetch the
 * thread again (order or flags changed, or a chunk for an action it does not hold).
 */
export function applyMessage(thread: ThreadJson, message: ServerMessage): ThreadJson | 'reload' {
  switch (message.type) {
    case 'action-created': {
      const ta = message.threadAction;
      if (!ta || thread.actions.some((a) => a.actionId === ta.actionId)) return thread;
      return { ...thread, actions: [...thread.actions, ta].sort(byOrder) };
    }
    case 'action-status':
      return updateAction(thread, message.actionId!, (action) =>
        STATUS_RANK[action.status] > STATUS_RANK[message.status!]
          ? action
          : {
              ...action,
              status: message.status!,
              isCompleted: STATUS_RANK[message.status!] === 2,
              startedAt: message.startedAt ?? action.startedAt,
              finishedAt: message.finishedAt ?? action.finishedAt,
              errorSummary: message.errorSummary ?? action.errorSummary,
            },
      );
    case 'chunk':
    case 'chunk-replaced': {
      const chunk = message.chunk!;
      return updateAction(thread, chunk.actionId, (action) => {
        // A keyed chunk (progress, a watched table) replaces the one with the same key.
        const kept = chunk.replaceKey ? action.chunks.filter((c) => c.replaceKey !== chunk.replaceKey || c.id === chunk.id) : action.chunks;
        return { ...action, chunks: mergeChunks(kept, [chunk]) };
      });
    }
    case 'thread-reload':
      return 'reload';
    default:
      return thread;
  }
}

function updateAction(thread: ThreadJson, actionId: number, update: (action: ActionJson) => ActionJson): ThreadJson | 'reload' {
  const index = thread.actions.findIndex((ta) => ta.actionId === actionId);
  if (index < 0) return 'reload';
  const actions = [...thread.actions];
  actions[index] = { ...actions[index]!, action: update(actions[index]!.action) };
  return { ...thread, actions };
}
