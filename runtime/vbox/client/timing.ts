import { framePolicy } from '../../../generated/vbox/index.js';

/**
 * Small pure helpers for the client's timing: message ids, the gap between requests,
 * retry back-off and reconnection back-off. Kept apart so they can be tested exactly.
 */

/** A random source returning [0, 1); injectable so tests can pin it. */
export type RandomSource = () => number;

/** The spec's message id range: the client issues `first`…`last`, then wraps to `wrapTo`. */
const { first: FIRST_ID, last: LAST_ID, wrapTo: WRAP_TO_ID } = framePolicy.messageId;

/**
 * Per-client message-id counter: 1, 2, …, 255, then back to 1 (§2.1; the range is the
 * generated spec's). Never issues 0. One counter per client, never shared across the process
 * (reference defect §8.12).
 */
export class MessageIdCounter {
  private last: number;
  constructor(start = 0) {
    this.last = start;
  }
  /** The next id to use. */
  next(): number {
    this.last = this.last === 0 ? FIRST_ID : this.last >= LAST_ID ? WRAP_TO_ID : this.last + 1;
    return this.last;
  }
  /** The id issued most recently (0 before the first). */
  get current(): number {
    return this.last;
  }
}

/** `value` ± `fraction` of itself, uniformly; never negative. */
export function withJitter(value: number, fraction: number, random: RandomSource = Math.random): number {
  if (fraction <= 0 || value <= 0) return Math.max(0, value);
  return Math.max(0, value * (1 + fraction * (2 * random() - 1)));
}

/** Pause after a request: `requestBuffer` ± `requestBufferVariance` (§6.2). */
export function requestGap(requestBuffer: number, variance: number, random: RandomSource = Math.random): number {
  return Math.round(withJitter(requestBuffer, variance, random));
}

/** Pause before retry number `retry` (1-based) after a timeout: 50, 100, 200, then 250 ms, as the reference does. */
export function retryDelay(retry: number): number {
  return Math.min(250, 50 * 2 ** Math.max(0, retry - 1));
}

/**
 * Delay before reconnection attempt `attempt` (1-based): exponential from `base`, capped at
 * `max`, then ± `jitter` (the cap applies before the jitter, so the spread stays symmetric).
 */
export function reconnectDelay(attempt: number, base: number, max: number, jitter: number, random: RandomSource = Math.random): number {
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(withJitter(exponential, jitter, random));
}
