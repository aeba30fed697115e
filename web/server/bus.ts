/**
 * In-process event bus: one topic per thread, any number of subscribers (browser tabs).
 * Delivery goes on past a missing topic or a failing subscriber (B14).
 */
export interface ThreadEvent {
  type: 'action-created' | 'action-status' | 'chunk' | 'chunk-replaced' | 'thread-reload' | 'thread-deleted';
  threadId: number;
  [key: string]: unknown;
}

export type Subscriber = (event: ThreadEvent) => void;

export class EventBus {
  private readonly topics = new Map<number, Set<Subscriber>>();
  /** Delivery failures (a subscriber that threw), for diagnostics. */
  failures = 0;

  subscribe(threadId: number, subscriber: Subscriber): () => void {
    let set = this.topics.get(threadId);
    if (!set) {
      set = new Set();
      this.topics.set(threadId, set);
    }
    set.add(subscriber);
    return () => {
      const s = this.topics.get(threadId);
      s?.delete(subscriber);
      if (s && s.size === 0) this.topics.delete(threadId);
    };
  }

  publish(event: ThreadEvent): void {
    this.publishBatch([event]);
  }

  /** Delivers every event to every subscriber of its thread; a topic nobody follows is skipped, never the end. */
  publishBatch(events: readonly ThreadEvent[]): void {
    for (const event of events) {
      const subscribers = this.topics.get(event.threadId);
      if (!subscribers) continue;
      for (const subscriber of [...subscribers]) {
        try {
          subscriber(event);
        } catch {
          this.failures++;
        }
      }
    }
  }

  subscriberCount(threadId: number): number {
    return this.topics.get(threadId)?.size ?? 0;
  }
}
