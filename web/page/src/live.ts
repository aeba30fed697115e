import { WS_CLOSE_UNAUTHENTICATED } from '../../core/types.js';
import type { ServerMessage } from './thread-state.js';

/** `refused`: the server does not accept live updates from the page's origin (the feed never starts). */
export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'refused';

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
      /** The session ended (close code 4401, or no longer valid before a reconnect). */
      expired(): void;
      /** Whether the session still holds (a failed upgrade only shows as a plain close). */
      sessionValid(): Promise<boolean>;
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

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    if (!(await this.handlers.sessionValid())) return this.handlers.expired();
    this.connect();
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
      if (event.code === WS_CLOSE_UNAUTHENTICATED) return this.handlers.expired();
      this.attempt++;
      this.handlers.state('reconnecting');
      const base = Math.min(30_000, 1000 * 2 ** (this.attempt - 1));
      this.timer = setTimeout(() => void this.reconnect(), base / 2 + Math.random() * (base / 2));
    });
  }
}
