import { startVboxMock, type VboxMock, type VboxMockOptions } from '../../runtime/mock/vbox/index.js';
import { VboxClient, type VboxClientEvents } from '../../runtime/vbox/client.js';
import type { VboxClientOptions } from '../../runtime/vbox/options.js';

/** Credentials the test mocks accept. */
export const USER = 'installer';
export const PASS = 'p4ss-מילה';

/** Short timers so failure paths run in milliseconds. */
export const FAST: VboxClientOptions = {
  requestTimeout: 150,
  requestBuffer: 2,
  requestBufferVariance: 0.5,
  maxRetries: 2,
  heartbeatInterval: 60_000,
  heartbeatMaxMisses: 2,
  reconnectBaseDelay: 50,
  reconnectMaxDelay: 400,
  reconnectJitter: 0.2,
};

/** Every mock and client a test opens, closed in afterEach. */
const opened: Array<{ close(): Promise<void> }> = [];

export async function mock(options: VboxMockOptions = {}): Promise<VboxMock> {
  const m = await startVboxMock({ port: 0, username: USER, password: PASS, ...options });
  opened.push(m);
  return m;
}

export function client(port: number, options: VboxClientOptions = {}): VboxClient {
  const c = new VboxClient({ host: '127.0.0.1', port, username: USER, password: PASS, ...FAST, ...options });
  opened.push(c);
  return c;
}

export async function closeAll(): Promise<void> {
  for (const item of opened.splice(0).reverse()) await item.close();
}

/** Resolves with the arguments of the next `event` (rejects after `ms`). */
export function next<K extends keyof VboxClientEvents>(c: VboxClient, event: K, ms = 10_000): Promise<VboxClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off(event, listener as never);
      reject(new Error(`no '${String(event)}' event within ${ms} ms`));
    }, ms);
    const listener = (...args: VboxClientEvents[K]) => {
      clearTimeout(timer);
      c.off(event, listener as never);
      resolve(args);
    };
    c.on(event, listener as never);
  });
}

/**
 * Asserts that no client reconnected to `m` without guessing a sleep: first a timer armed now with
 * `longestBackoffMs` fires (timers fire in expiry order, so any reconnection timer armed before has
 * fired too), then a fresh client connects and gets an answer; the mock accepts in arrival order, so
 * a reconnection would have been counted before it. `m.connectionCount` must then be `expected + 1`.
 */
export async function expectNoReconnection(m: VboxMock, expected: number, longestBackoffMs: number, password = PASS): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, longestBackoffMs));
  const probe = new VboxClient({ host: '127.0.0.1', port: m.port, username: USER, password, ...FAST });
  try {
    await probe.connect();
    await probe.roomCount();
  } finally {
    await probe.close();
  }
  if (m.connectionCount !== expected + 1) {
    throw new Error(`expected ${expected} connection(s) before the probe, the mock counted ${m.connectionCount - 1}`);
  }
}

/** Polls `predicate` until it holds (rejects after `ms`). */
export async function eventually(predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `fn` and returns the rejection (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; context?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
