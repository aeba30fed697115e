/**
 * Waiting for an event instead of sleeping: tests poll the state they expect, with no assumption about
 * how fast a busy machine gets there. The limit only turns a hang into a clear failure; it never
 * decides a pass.
 */

/** A generous failure cap, far above any legitimate wait, so load can slow a test but not fail it. */
export const HANG_LIMIT_MS = 20_000;

/** Resolves once `predicate()` holds; rejects with `what` if it still does not after `limitMs`. */
export async function waitFor(predicate: () => boolean, what: string, limitMs = HANG_LIMIT_MS): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Resolves after the event loop's poll and check phases have run once more (no wall-clock time involved). */
export function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
