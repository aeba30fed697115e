import type { ActionJson, ChunkJson, ThreadActionJson, ThreadJson } from './api.js';

/** Websocket close code for an expired or revoked session (web/server/app.ts WS_CLOSE_UNAUTHENTICATED). */
const CLOSE_UNAUTHENTICATED = 4401;

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

export type FeedState = 'connecting' | 'live' | 'reconnecting';

/**
 * One websocket for the thread page. On every (re)connect it first reloads the thread through
 * the API, then subscribes with the highest chunk id it holds, so the server replays anything
 * newer (resume by cursor). Reconnects back off from 1 s to 30 s with jitter.
 */
export class ThreadFeed {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly threadId: number,
    private readonly handlers: {
      /** Reloads the thread; resolves with the cursor to subscribe from. */
      resync(): Promise<number>;
      message(message: ServerMessage): void;
      state(state: FeedState): void;
      /** The session ended (close code 4401, or a 401 while reloading). */
      expired(): void;
    },
  ) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'page left');
  }

  /** Drops the connection as if the network did (used by the resume test and the "reconnect" control). */
  drop(): void {
    this.socket?.close(4000, 'dropped by the page');
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.state(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.handlers.resync().then(
        (cursor) => {
          if (socket.readyState !== WebSocket.OPEN) return;
          socket.send(JSON.stringify({ type: 'subscribe', threadId: this.threadId, since: cursor }));
        },
        () => socket.close(4000, 'reload failed'),
      );
    });
    socket.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'subscribed') {
        this.attempt = 0;
        this.handlers.state('live');
      }
      this.handlers.message(message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket || this.stopped) return;
      if (event.code === CLOSE_UNAUTHENTICATED) return this.handlers.expired();
      this.attempt++;
      this.handlers.state('reconnecting');
      const base = Math.min(30_000, 1000 * 2 ** (this.attempt - 1));
      this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * (base / 2));
    });
  }
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
