import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the background checkpointer copies the WAL back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * The worker's code, plain JavaScript run with `eval` (no TypeScript loader is needed in the
 * worker): a connection of its own and a PASSIVE checkpoint on a timer. PASSIVE never waits for
 * the server's connection, which keeps appending to the WAL meanwhile; the fsync of the database
 * file that a checkpoint ends with happens here, off the server's event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String((error && error.message) || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
  db.close();
  parentPort.postMessage({ type: 'stopped' });
});
`;

/**
 * Checkpoints a SQLite database's WAL from a worker thread.
 *
 * better-sqlite3 runs on the calling thread, so with SQLite's automatic checkpoints every ~1,000
 * pages one write of the web server paid for copying the WAL into the database and its fsync
 * (6–20 ms on the reference host; about 80 of them in the 1,000-action bench), and every user's
 * action waited behind it. The server's connection turns automatic checkpoints off and this
 * worker does them instead. If the worker fails, the owner turns them back on (`onFailure`):
 * the WAL then never grows without bound. Durability is unchanged: a commit is in the WAL either way.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(file: string, onFailure: (reason: string) => void, intervalMs = CHECKPOINT_INTERVAL_MS) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
    this.worker.unref(); // never what keeps a process alive
    let failed = false;
    const fail = (reason: string) => {
      if (failed || this.stopped) return;
      failed = true;
      onFailure(reason);
    };
    this.worker.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'error') fail(`WAL checkpoint failed: ${m.message}`);
    });
    this.worker.on('error', (error) => fail(`WAL checkpointer stopped: ${error.message}`));
    this.worker.on('exit', (code) => fail(`WAL checkpointer exited with code ${code}`));
  }

  /** Ends the timer, checkpoints once more and closes the worker's connection. */
  stop(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    return new Promise((resolve) => {
      const done = () => {
        void this.worker.terminate();
        resolve();
      };
      this.worker.once('exit', () => resolve());
      this.worker.on('message', (m: { type: string }) => {
        if (m.type === 'stopped') done();
      });
      this.worker.postMessage('stop');
    });
  }
}
