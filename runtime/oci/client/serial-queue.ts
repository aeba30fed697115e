/**
 * Runs async tasks one after another, in call order (FIFO). A failing task does not stop the
 * tasks queued behind it. The OCI client uses it so that login, commands and logout of one
 * session never interleave on the wire.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Number of tasks queued or running. */
  get size(): number {
    return this.queued;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task, task).finally(() => {
      this.queued--;
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
