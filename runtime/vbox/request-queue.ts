import { AckType, CommandId, dispatch, enumName, requestsByCommand, responses } from '../../generated/vbox/index.js';
import type { VboxFrame } from './frame.js';
import type { VboxResponseBase } from './fields.js';
import type { ReplyKind, RequestDescriptor } from './spec-types.js';
import { VboxAbortedError, VboxNackError, VboxQueueTimeoutError, VboxTimeoutError } from './client-errors.js';
import { MessageIdCounter, type RandomSource, requestGap, retryDelay } from './client/timing.js';

/**
 * The client's request pipeline (§6.1, §6.2): FIFO, one request in flight, replies matched by
 * the (command, msgId) of the reply the request expects, a pause between requests, a timeout
 * per attempt, and retries of the identical frame (same msgId) after timeouts only.
 *
 * A request's caller may give up before it is written: its AbortSignal fires or its queue-wait
 * limit passes. It is then removed from the queue and never written later, whenever the link
 * comes back. A request already written cannot be taken back: giving up settles the caller's
 * promise at once (the outcome is unknown) and stops its retries.
 *
 * The queue never touches the socket: the client hands it a `write` function and tells it
 * which lane may be dispatched (nothing, the handshake only, or everything).
 */

/** How a request's reply is recognised (from the datagram spec). */
export type { ReplyKind };

/** What the queue needs from a request: its command, reply kind and a way to encode it with a msgId. */
export interface OutgoingRequest {
  /** A name for logs and errors, e.g. `ToggleKeyStatus`. */
  readonly label: string;
  readonly command: number;
  readonly replyKind: ReplyKind;
  /**
   * Command ids a reply may carry, from the spec: the paired response's id, plus the request's
   * own id when an incoming frame with that id decodes as the paired response (01, 1E). Empty
   * for the `unknown` kind, which accepts any command with the msgId.
   */
  readonly replyCommands: readonly number[];
  /** The complete frame for this msgId. Called once; retries re-send the same bytes. */
  encode(messageId: number): Buffer;
  /** For `status` replies: the node and key the decoded reply must carry. */
  readonly nodeId?: number;
  readonly keyId?: number;
}

/** replyCommandsOf results by command, kind and paired response (computed once each). */
const replyCommandsCache = new Map<string, readonly number[]>();

/**
 * The command ids that may carry the reply to a request, from the generated spec: the paired
 * response's id, plus the request's own id when an incoming frame with it decodes as that
 * response (an incoming 01 or 1E is an Acknowledgement). A request the spec does not know
 * (a hand-made request object) falls back on what its reply kind means: `ack` → the
 * Acknowledgement id, `same`/`status` → its own id. `unknown` accepts any command: empty.
 */
export function replyCommandsOf(command: number, replyKind: ReplyKind, descriptor?: RequestDescriptor): readonly number[] {
  if (replyKind === 'unknown') return [];
  const paired = (descriptor ?? requestsByCommand[command]?.descriptor)?.response;
  const key = `${command}:${replyKind}:${paired ?? ''}`;
  let ids = replyCommandsCache.get(key);
  if (ids === undefined) {
    const pairedId = paired === undefined ? undefined : (CommandId as Record<string, number>)[paired];
    if (pairedId === undefined) ids = [replyKind === 'ack' ? CommandId.Acknowledgement : command];
    else {
      const ownDecodesAsPaired = Object.values(dispatch).some((table) => table[command]?.descriptor.message === paired);
      ids = ownDecodesAsPaired && command !== pairedId ? [pairedId, command] : [pairedId];
    }
    replyCommandsCache.set(key, ids);
  }
  return ids;
}

/** Which requests may be written now. */
export type QueueLane = 'closed' | 'handshake' | 'open';

/** Per-request policy. */
export interface SendPolicy {
  /** `handshake` requests jump ahead and are the only ones written while the lane is `handshake`. */
  lane: 'handshake' | 'user';
  timeoutMs: number;
  /** Extra attempts after a timeout. */
  maxRetries: number;
  /** Longest wait (ms) from enqueue until the request is written (the client checks it: > 0, ≤ MAX_TIMER_MS); undefined: no limit. */
  queueTimeoutMs?: number;
  /** The caller's signal: aborting it gives the request up (removed if not yet written). */
  signal?: AbortSignal;
}

interface QueueItem<R> {
  readonly request: OutgoingRequest;
  readonly policy: SendPolicy;
  /** Settle the caller's promise (once; later calls do nothing) and drop the item's timer and listener. */
  readonly resolve: (value: R | undefined) => void;
  readonly reject: (error: Error) => void;
  /** True once the caller's promise has settled: the request must never be written after that. */
  settled: boolean;
  frame?: Buffer;
  messageId?: number;
  attempts: number;
  queueTimer?: NodeJS.Timeout;
}

/** Dependencies injected by the client. */
export interface RequestQueueHooks {
  /** Writes a frame to the live socket. */
  write(frame: Buffer): void;
  /** Pause between requests (ms). */
  requestBuffer: number;
  requestBufferVariance: number;
  /** Accept a `29` for the right node and key even when its msgId differs. */
  keyStatusAnyMessageId: boolean;
  random?: RandomSource;
  /** Diagnostics. */
  log?(message: string, context: Record<string, unknown>): void;
}

/**
 * FIFO request queue with one request in flight; replies are the decoded responses (`R`).
 */
export class RequestQueue<R extends VboxResponseBase = VboxResponseBase> {
  private readonly handshakeItems: QueueItem<R>[] = [];
  private readonly userItems: QueueItem<R>[] = [];
  private inFlight: QueueItem<R> | undefined;
  private lane: QueueLane = 'closed';
  private attemptTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private gapTimer: NodeJS.Timeout | undefined;
  private readonly ids = new MessageIdCounter();

  constructor(private readonly hooks: RequestQueueHooks) {}

  /** Number of requests waiting (not counting the one in flight). */
  get waiting(): number {
    return this.handshakeItems.length + this.userItems.length;
  }

  /** The msgId issued most recently. */
  get lastMessageId(): number {
    return this.ids.current;
  }

  /** True while a request awaits its reply. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** Queues a request; the promise settles with its reply (undefined for an unanswered `unknown`-kind request). */
  enqueue(request: OutgoingRequest, policy: SendPolicy): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      const { signal, queueTimeoutMs } = policy;
      if (signal?.aborted) {
        reject(abortedError(request, undefined, signal));
        return;
      }
      const finish = () => {
        item.settled = true;
        clearTimeout(item.queueTimer);
        item.queueTimer = undefined;
        signal?.removeEventListener('abort', onAbort);
      };
      const item: QueueItem<R> = {
        request,
        policy,
        settled: false,
        attempts: 0,
        resolve: (value) => {
          finish();
          resolve(value);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => this.giveUp(item, abortedError(request, item.messageId, signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      (policy.lane === 'handshake' ? this.handshakeItems : this.userItems).push(item);
      this.pump();
      // Written at once (the usual case on an idle link): no queue-wait timer needed.
      if (this.inFlight !== item && !item.settled && queueTimeoutMs !== undefined) {
        item.queueTimer = setTimeout(() => {
          item.queueTimer = undefined;
          this.giveUp(
            item,
            new VboxQueueTimeoutError(
              `${request.label} was not sent within ${queueTimeoutMs} ms (the vBox was not ready or the queue was busy); it will never be sent`,
              {
                request: request.label,
                queueTimeout: queueTimeoutMs,
              },
            ),
          );
        }, queueTimeoutMs);
      }
    });
  }

  /**
   * The caller gave up. A waiting request is removed (never written). One in flight settles
   * now with `error` and is not retried; it stays in flight until its reply or its attempt's
   * timeout, so the next request never overlaps it on the wire.
   */
  private giveUp(item: QueueItem<R>, error: Error): void {
    if (item.settled) return;
    for (const list of [this.handshakeItems, this.userItems]) {
      const index = list.indexOf(item);
      if (index >= 0) {
        list.splice(index, 1);
        item.reject(error);
        return;
      }
    }
    if (this.inFlight !== item) return;
    // Between attempts nothing is awaited on the wire: move on at once.
    if (this.retryTimer !== undefined) this.settle(item, () => item.reject(error));
    else item.reject(error);
  }

  /** Chooses which requests may be written; opening a lane starts dispatching. */
  setLane(lane: QueueLane): void {
    this.lane = lane;
    if (lane !== 'closed') {
      // A new connection starts without the previous connection's pause.
      this.clearTimer('gap');
      this.pump();
    }
  }

  /**
   * Offers a received frame (with its decoded form, or the decode error) to the request in
   * flight. Returns true when the frame settled it.
   */
  offer(frame: VboxFrame, response: R | undefined, decodeError?: Error): boolean {
    const item = this.inFlight;
    if (item === undefined || item.messageId === undefined) return false;
    const ackType = response instanceof responses.Acknowledgement ? response.type : undefined;
    // A refusal (an Acknowledgement with a non-ACK type and our msgId) answers any kind of
    // request: a query for a missing node is refused rather than answered.
    const refusal = ackType !== undefined && ackType !== AckType.ACK && frame.messageId === item.messageId;
    if (!refusal && !this.matches(item, frame, response, decodeError !== undefined)) return false;
    if (decodeError !== undefined) {
      this.settle(item, () => item.reject(decodeError));
      return true;
    }
    if (refusal || (item.request.replyKind === 'ack' && ackType !== AckType.ACK)) {
      const type = ackType ?? -1;
      const name = ackType === undefined ? 'EMPTY' : String(enumName(AckType, ackType));
      const error = new VboxNackError(type, name, { request: item.request.label, messageId: item.messageId });
      this.settle(item, () => item.reject(error));
      return true;
    }
    this.settle(item, () => item.resolve(response));
    return true;
  }

  /** Rejects the request in flight (e.g. the link was lost); queued requests stay queued. Handshake requests are dropped too. */
  failInFlight(error: Error): void {
    this.clearTimer('attempt');
    this.clearTimer('retry');
    this.clearTimer('gap');
    const item = this.inFlight;
    this.inFlight = undefined;
    if (item !== undefined) item.reject(error);
    for (const handshake of this.handshakeItems.splice(0)) handshake.reject(error);
  }

  /** Rejects every request, in flight and queued. */
  failAll(error: Error): void {
    this.failInFlight(error);
    for (const item of this.userItems.splice(0)) item.reject(error);
  }

  /** Stops all timers (the client is going away); pending promises are settled by failAll first. */
  dispose(): void {
    this.clearTimer('attempt');
    this.clearTimer('retry');
    this.clearTimer('gap');
  }

  private matches(item: QueueItem<R>, frame: VboxFrame, response: R | undefined, undecodable: boolean): boolean {
    const request = item.request;
    const sameId = frame.messageId === item.messageId;
    if (request.replyKind === 'unknown') return sameId;
    if (!request.replyCommands.includes(frame.command)) return false;
    if (request.replyKind !== 'status') return sameId;
    // §6.1: a status reply must carry the request's node and key, so a push for another key
    // never answers it; an undecodable frame with our msgId fails the request instead.
    if (undecodable) return sameId;
    const target = response as { nodeId?: unknown; keyId?: unknown } | undefined;
    return (sameId || this.hooks.keyStatusAnyMessageId) && target?.nodeId === request.nodeId && target?.keyId === request.keyId;
  }

  /** Writes the next eligible request if nothing is in flight and the pause has passed. */
  private pump(): void {
    if (this.inFlight !== undefined || this.gapTimer !== undefined || this.lane === 'closed') return;
    const source = this.handshakeItems.length > 0 ? this.handshakeItems : this.lane === 'open' ? this.userItems : undefined;
    const item = source?.shift();
    if (item === undefined) return;
    // No longer waiting: the queue-wait limit is over; the attempt timeouts take over.
    clearTimeout(item.queueTimer);
    item.queueTimer = undefined;
    this.inFlight = item;
    try {
      item.messageId = this.ids.next();
      item.frame = item.request.encode(item.messageId);
    } catch (error) {
      // A request that cannot be encoded fails alone; the queue carries on.
      this.inFlight = undefined;
      item.reject(error instanceof Error ? error : new Error(String(error)));
      this.pump();
      return;
    }
    this.attempt(item);
  }

  private attempt(item: QueueItem<R>): void {
    item.attempts += 1;
    this.hooks.log?.('write', { request: item.request.label, messageId: item.messageId, attempt: item.attempts });
    this.hooks.write(item.frame!);
    this.attemptTimer = setTimeout(() => this.onAttemptTimeout(item), item.policy.timeoutMs);
  }

  private onAttemptTimeout(item: QueueItem<R>): void {
    this.attemptTimer = undefined;
    if (this.inFlight !== item) return;
    if (item.settled) {
      // Its caller gave up while it was on the wire: no retry; the next request may go.
      this.settle(item, () => undefined);
      return;
    }
    if (item.request.replyKind === 'unknown' && item.attempts > item.policy.maxRetries) {
      // §10: NodeStatus has no known reply; silence is the normal outcome, not an error.
      this.settle(item, () => item.resolve(undefined));
      return;
    }
    if (item.attempts > item.policy.maxRetries) {
      const error = new VboxTimeoutError(
        `no reply to ${item.request.label} (msgId ${item.messageId}) after ${item.attempts} attempt(s) of ${item.policy.timeoutMs} ms; it was sent, so the vBox may have carried it out`,
        { request: item.request.label, messageId: item.messageId, attempts: item.attempts, timeoutMs: item.policy.timeoutMs, sent: true },
      );
      this.settle(item, () => item.reject(error));
      return;
    }
    // Retry the identical frame (same msgId) after a short back-off; a late reply to the
    // earlier attempt still matches meanwhile because the request stays in flight.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.inFlight === item && this.lane !== 'closed' && !item.settled) this.attempt(item);
    }, retryDelay(item.attempts));
  }

  private settle(item: QueueItem<R>, outcome: () => void): void {
    this.clearTimer('attempt');
    this.clearTimer('retry');
    this.inFlight = undefined;
    outcome();
    const gap = requestGap(this.hooks.requestBuffer, this.hooks.requestBufferVariance, this.hooks.random);
    if (gap > 0) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.pump();
      }, gap);
    } else {
      // Let the settled promise's continuations run before the next write.
      queueMicrotask(() => this.pump());
    }
  }

  private clearTimer(which: 'attempt' | 'retry' | 'gap'): void {
    const key = `${which}Timer` as const;
    const timer = this[key];
    if (timer !== undefined) clearTimeout(timer);
    this[key] = undefined;
  }
}

/** The error for a request whose caller's signal fired; `messageId` is set once it was written. */
function abortedError(request: OutgoingRequest, messageId: number | undefined, signal: AbortSignal): VboxAbortedError {
  const sent = messageId !== undefined;
  const message = sent
    ? `${request.label} (msgId ${messageId}) was aborted after it was sent: the vBox may have carried it out; it is not retried`
    : `${request.label} was aborted before it was sent; it will never be sent`;
  return new VboxAbortedError(message, { request: request.label, sent, ...(sent ? { messageId } : {}) }, { cause: signal.reason });
}
