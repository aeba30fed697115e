import type { Socket } from 'node:net';

/**
 * Backpressure for a mock's connection: reading stops while any reason holds it (replies the
 * client does not read, requests waiting for their answer) and resumes when the last reason is
 * released. `replies` is released by the socket's 'drain' event.
 */
export class ReadFlow {
  private readonly reasons = new Set<string>();

  constructor(private readonly socket: Socket) {
    socket.on('drain', () => this.release('replies'));
  }

  /** True while reading is stopped. */
  get paused(): boolean {
    return this.reasons.size > 0;
  }

  /** Writes `bytes`; when the socket's buffer is full, stops reading until it drains. */
  write(bytes: Buffer, callback?: (error?: Error | null) => void): void {
    if (this.socket.destroyed) return;
    if (!this.socket.write(bytes, callback)) this.hold('replies');
  }

  hold(reason: string): void {
    if (this.reasons.size === 0 && !this.socket.destroyed) this.socket.pause();
    this.reasons.add(reason);
  }

  release(reason: string): void {
    if (this.reasons.delete(reason) && this.reasons.size === 0 && !this.socket.destroyed) this.socket.resume();
  }
}
