import type { Kysely, Transaction } from 'kysely';
import { endOfTurn } from '../../core/emitter.js';
import type { Database } from './schema.js';

interface Job {
  work: (tx: Transaction<Database>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Rounds one flush commits at most: the writes of the pass, then the writes their results ask
 * for at once (an action created, then its `running` status; an action's chunks, then its final
 * status and the next queued action's start). The rest waits for the next pass, so a handler
 * writing in a loop cannot hold up the event loop.
 */
const MAX_ROUNDS = 4;

/**
 * Group commit: the writes requested during one pass of the event loop run in one transaction,
 * in the order they were asked for, and each resolves only once that transaction is committed.
 * The Web CLI's hot path writes a little at a time for many actions at once (an action created,
 * a status, a batch of chunks); a commit each costs more than the statements themselves, and
 * rewrites the same table pages into the WAL again and again.
 *
 * Each write is all or none, as if it ran alone: when one fails, the shared transaction is
 * rolled back and every write of the group runs again in a transaction of its own, so only the
 * failing one rejects. A write is therefore a function of the transaction only (no side effect
 * outside the database before it resolves), and may run twice. It must use only that
 * transaction: the group holds the connection while it runs.
 */
export class GroupCommit {
  private queue: Job[] = [];
  /** A flush is scheduled or running (new writes join it). */
  private scheduled = false;
  private flushing = false;
  private readonly whenDone: (() => void)[] = [];
  /** Transactions committed and writes done, for tests and diagnostics. */
  readonly stats = { commits: 0, writes: 0 };

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the pass's I/O callbacks: every write they asked for joins this group.
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Calls `callback` once the flush under way has committed its rounds and its results have
   * been handed on (or at the end of the pass, when none is under way). The websocket keeps its
   * messages corked until then, so the events of a flush leave in one write per socket.
   */
  afterFlush(callback: () => void): void {
    if (this.flushing) this.whenDone.push(callback);
    else setImmediate(callback);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      for (let round = 0; round < MAX_ROUNDS && this.queue.length > 0; round++) {
        const jobs = this.queue;
        this.queue = [];
        await this.commit(jobs);
        await endOfTurn(); // their continuations run, and may ask for the next round's writes
      }
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) setImmediate(() => void this.flush());
      else this.scheduled = false;
      for (const callback of this.whenDone.splice(0)) callback();
    }
  }

  private async commit(jobs: Job[]): Promise<void> {
    if (jobs.length === 1) return this.alone(jobs[0]!);
    let results: unknown[];
    try {
      results = await this.db.transaction().execute(async (tx) => {
        const out: unknown[] = [];
        for (const job of jobs) out.push(await job.work(tx));
        return out;
      });
    } catch {
      // One of them failed (or the commit did): each again on its own, so only the failing ones reject.
      for (const job of jobs) await this.alone(job);
      return;
    }
    this.stats.commits++;
    this.stats.writes += jobs.length;
    jobs.forEach((job, i) => job.resolve(results[i]));
  }

  private async alone(job: Job): Promise<void> {
    try {
      const result = await this.db.transaction().execute((tx) => job.work(tx));
      this.stats.commits++;
      this.stats.writes++;
      job.resolve(result);
    } catch (error) {
      job.reject(error);
    }
  }
}
