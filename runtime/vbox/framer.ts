import { Direction, HEADER_LENGTH, type VboxFrame, VTU_PREFIX } from './frame.js';

/** The prefix bytes, as numbers for the scan below. */
const [P0, P1, P2] = VTU_PREFIX as unknown as [number, number, number];

/**
 * Why bytes were dropped:
 * - `checksum`: a complete candidate frame whose checksum is wrong (`bytes` is the whole candidate; only its first byte is discarded);
 * - `garbage`: bytes that do not start a frame (no `56 54 55` + direction, or an impossible length);
 * - `stalled`: a partial frame that did not complete within `partialFrameTimeoutMs`;
 * - `direction`: a valid frame travelling the other way (e.g. a client→vBox frame reaching the client).
 */
export interface InvalidFrameEvent {
  reason: 'checksum' | 'garbage' | 'stalled' | 'direction';
  bytes: Buffer;
}

/** Options of {@link VboxFramer}. */
export interface VboxFramerOptions {
  /** The direction byte accepted; default `Direction.INCOMING` (`3C`, what a client receives). The mock uses `Direction.OUTGOING`. */
  direction?: number;
  /** Drop a partial frame that has not completed after this many ms; default 1000; 0 = never. */
  partialFrameTimeoutMs?: number;
  /** A declared frame size above this is treated as a corrupt length (not waited for); default 8192 bytes. */
  maxFrameLength?: number;
  /** Called once per valid frame, in stream order. */
  onFrame: (frame: VboxFrame) => void;
  /** Called for every run of dropped bytes. */
  onInvalid?: (event: InvalidFrameEvent) => void;
  /** Receives whatever `onFrame`/`onInvalid` throw (the framer itself carries on); default: ignored. */
  onCallbackError?: (error: unknown) => void;
}

/** Largest declared frame the framer waits for by default (bytes). */
export const DEFAULT_MAX_FRAME_LENGTH = 8192;
const EMPTY = Buffer.alloc(0);

/**
 * Length-driven VTU stream framer (protocol §2.2). Push raw TCP chunks in; complete frames come
 * out through `onFrame`, in order, exactly once. Partial frames are reassembled across pushes,
 * several frames in one push are all delivered, and a payload containing `56 54 55 3C` is never
 * mistaken for a frame boundary because boundaries come from the length field, not from text.
 *
 * A candidate whose checksum fails costs one byte: the framer discards only its first byte and
 * rescans, so a corrupt length field cannot swallow the frames behind it. Bytes that do not
 * start a frame are skipped up to the next `56 54 55` + direction byte. Nothing here throws;
 * every problem is an {@link InvalidFrameEvent}.
 *
 * Frames' `raw`/`payload` are views of the pushed chunks (no copy): don't reuse a chunk buffer after pushing it.
 */
export class VboxFramer {
  private readonly direction: number;
  private readonly stallMs: number;
  private readonly maxFrameLength: number;
  private readonly onFrame: (frame: VboxFrame) => void;
  private readonly onInvalid: ((event: InvalidFrameEvent) => void) | undefined;
  private readonly onCallbackError: ((error: unknown) => void) | undefined;

  /** Unconsumed bytes are `buffer[pos …]`; `buffer` is a view of `store[base … top)`. */
  private buffer: Buffer = EMPTY;
  private pos = 0;
  /**
   * Backing storage: the first chunk itself (no copy), then a buffer with spare capacity that
   * later chunks are appended into, so a frame arriving byte by byte costs O(1) per byte rather
   * than a copy of everything buffered. Bytes once written are never overwritten (a full store is
   * replaced, not reused), so frames handed out as views stay valid.
   */
  private store: Buffer = EMPTY;
  private base = 0;
  private top = 0;
  /**
   * `sums[i]` is the low byte of the sum of `store[0 … i)`, so the checksum of any candidate is
   * one subtraction: a stream of overlapping candidates (`56 54 55 3E 00 1F F0` repeated, each
   * claiming an 8 KB frame) costs O(1) per candidate instead of 8 KB.
   */
  private sums: Uint8Array = new Uint8Array(1);
  /** Stream offset of `buffer[0]`: positions that survive compaction, for the stall timer and de-duplicated reports. */
  private streamOffset = 0;
  /** Stream offset below which dropped bytes were already reported (inside a failed-checksum candidate). */
  private reportedUpTo = 0;
  /** Buffer index where the current run of garbage began, or -1. */
  private junkStart = -1;
  private processing = false;
  /** Bumped by reset() so a pass interrupted by a callback calling reset() stops. */
  private generation = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private stallHead = -1;

  constructor(options: VboxFramerOptions) {
    this.direction = options.direction ?? Direction.INCOMING;
    this.stallMs = options.partialFrameTimeoutMs ?? 1000;
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    this.onFrame = options.onFrame;
    this.onInvalid = options.onInvalid;
    this.onCallbackError = options.onCallbackError;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffer.length - this.pos;
  }

  /** Feeds bytes from the stream. Never throws. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.append(chunk);
    // A push from inside a callback only appends; the running pass picks the bytes up.
    if (this.processing) return;
    this.process();
  }

  private append(chunk: Buffer): void {
    if (this.buffer.length === this.pos) {
      // Nothing pending: the chunk becomes the storage (frames are views of it, no copy).
      this.streamOffset += this.pos;
      this.store = chunk;
      this.ownsStore = false;
      this.base = 0;
      this.top = chunk.length;
      this.sums = new Uint8Array(chunk.length + 1);
      this.extendSums(0);
      this.pos = 0;
    } else if (this.ownsStore && this.top + chunk.length <= this.store.length) {
      chunk.copy(this.store, this.top);
      const from = this.top;
      this.top += chunk.length;
      this.extendSums(from);
    } else {
      // Grow: a fresh store with room to spare; the old one stays intact for views handed out.
      const kept = this.top - this.base;
      const grown = Buffer.allocUnsafe(Math.max(4096, 2 * (kept + chunk.length)));
      this.store.copy(grown, 0, this.base, this.top);
      chunk.copy(grown, kept);
      this.store = grown;
      this.ownsStore = true;
      this.base = 0;
      this.top = kept + chunk.length;
      this.sums = new Uint8Array(grown.length + 1);
      this.extendSums(0);
    }
    this.buffer = this.store.subarray(this.base, this.top);
  }

  /** True when `store` was allocated here (a pushed chunk is never written into). */
  private ownsStore = false;

  /** Fills `sums` for `store[from … top)`. */
  private extendSums(from: number): void {
    const store = this.store;
    const sums = this.sums;
    let acc = sums[from]!;
    for (let i = from; i < this.top; i++) {
      acc = (acc + store[i]!) & 0xff;
      sums[i + 1] = acc;
    }
  }

  /** Drops every buffered byte (e.g. on reconnect) without reporting them. */
  reset(): void {
    this.generation++;
    this.streamOffset += this.buffer.length;
    this.buffer = EMPTY;
    this.store = EMPTY;
    this.ownsStore = false;
    this.base = this.top = 0;
    this.sums = new Uint8Array(1);
    this.pos = 0;
    this.junkStart = -1;
    this.reportedUpTo = this.streamOffset;
    this.clearStallTimer();
  }

  /** Stops the stall timer and drops buffered bytes; call when the stream ends. */
  close(): void {
    this.reset();
  }

  private process(): void {
    const generation = this.generation;
    this.processing = true;
    try {
      this.scan(generation);
    } finally {
      this.processing = false;
    }
    if (generation !== this.generation) return;
    this.compact();
    this.armStallTimer();
  }

  /** The scanning loop: consumes frames and garbage from `pos` until it must wait for more bytes. */
  private scan(generation: number): void {
    while (generation === this.generation) {
      const buf = this.buffer;
      const pos = this.pos;
      if (pos >= buf.length) break;
      const start = findCandidate(buf, pos);
      if (start < 0) {
        // No prefix (not even a partial one at the end): everything is garbage.
        this.skipGarbage(pos, buf.length);
        break;
      }
      if (start > pos) this.skipGarbage(pos, start);
      if (start + HEADER_LENGTH - 1 > buf.length) break; // prefix or length not complete yet: wait
      const declared = (buf[start + 5]! << 8) | buf[start + 6]!;
      const total = declared + 7;
      if (declared < 2 || total > this.maxFrameLength) {
        this.skipGarbage(start, start + 1); // impossible length: not a frame start
        continue;
      }
      if (start + total > buf.length) break; // wait for the rest of the frame
      const end = start + total - 1;
      const sum = this.sums[this.base + end]! - this.sums[this.base + start]!;
      if ((sum & 0xff) !== buf[end]) {
        this.flushGarbage(start);
        this.pos = start + 1;
        this.reportedUpTo = Math.max(this.reportedUpTo, this.streamOffset + start + total);
        this.report('checksum', start, start + total);
        continue;
      }
      this.flushGarbage(start);
      this.pos = start + total;
      this.reportedUpTo = Math.max(this.reportedUpTo, this.streamOffset + this.pos);
      if (buf[start + 3] !== this.direction) {
        this.report('direction', start, start + total);
        continue;
      }
      const frame: VboxFrame = {
        direction: buf[start + 3]!,
        command: buf[start + 4]!,
        messageId: buf[start + 7]!,
        payload: buf.subarray(start + HEADER_LENGTH, end),
        raw: buf.subarray(start, start + total),
      };
      try {
        this.onFrame(frame);
      } catch (error) {
        this.callbackFailed(error);
      }
    }
    if (generation === this.generation) this.flushGarbage(this.pos);
  }

  /** Marks `buffer[from … to)` as garbage; the run is reported as one event when it ends. */
  private skipGarbage(from: number, to: number): void {
    if (this.junkStart < 0) this.junkStart = from;
    this.pos = to;
  }

  /** Reports the pending garbage run, minus bytes already reported inside a failed candidate. */
  private flushGarbage(upTo: number): void {
    if (this.junkStart < 0) return;
    const from = Math.max(this.junkStart, this.reportedUpTo - this.streamOffset);
    this.junkStart = -1;
    if (upTo > from) {
      this.reportedUpTo = this.streamOffset + upTo;
      this.report('garbage', from, upTo);
    }
  }

  /** Reports `buffer[from … to)` (copied: the caller may keep it). */
  private report(reason: InvalidFrameEvent['reason'], from: number, to: number): void {
    if (!this.onInvalid) return;
    try {
      this.onInvalid({ reason, bytes: Buffer.from(this.buffer.subarray(from, to)) });
    } catch (error) {
      this.callbackFailed(error);
    }
  }

  private callbackFailed(error: unknown): void {
    try {
      this.onCallbackError?.(error);
    } catch {
      // A failing error hook must not break framing either.
    }
  }

  /** Forgets consumed bytes (a view, not a copy). */
  private compact(): void {
    if (this.pos === 0) return;
    this.streamOffset += this.pos;
    this.base += this.pos;
    this.buffer = this.store.subarray(this.base, this.top);
    this.pos = 0;
  }

  /** (Re)starts the stall timer when a new partial frame heads the buffer; stops it when nothing is buffered. */
  private armStallTimer(): void {
    if (this.bufferedBytes === 0 || this.stallMs <= 0) {
      this.clearStallTimer();
      return;
    }
    const head = this.streamOffset + this.pos;
    if (this.stallTimer && this.stallHead === head) return;
    this.clearStallTimer();
    this.stallHead = head;
    this.stallTimer = setTimeout(() => this.onStall(), this.stallMs);
    // The timer alone must never keep a process alive.
    this.stallTimer.unref();
  }

  private clearStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.stallHead = -1;
  }

  /** Drops the stalled partial frame (up to the next possible frame start) and rescans what follows it. */
  private onStall(): void {
    this.stallTimer = undefined;
    this.stallHead = -1;
    if (this.bufferedBytes === 0) return;
    const next = findCandidate(this.buffer, this.pos + 1);
    const end = next < 0 ? this.buffer.length : next;
    const from = this.pos;
    this.reportedUpTo = Math.max(this.reportedUpTo, this.streamOffset + end);
    this.pos = end;
    this.report('stalled', from, end);
    this.process();
  }
}

/**
 * Index of the first possible frame start at or after `from`: `56 54 55` + a direction byte, or
 * a prefix of that pattern running into the end of the buffer (which may complete later). -1 if none.
 */
function findCandidate(buf: Buffer, from: number): number {
  const length = buf.length;
  // Fast path: in a healthy stream the next frame starts right here.
  if (from + 3 < length && buf[from] === P0 && buf[from + 1] === P1 && buf[from + 2] === P2) {
    const d = buf[from + 3];
    if (d === Direction.INCOMING || d === Direction.OUTGOING) return from;
  }
  // Near candidates (a hostile stream packs one every few bytes) are found by a short JS loop:
  // a native indexOf call costs more than scanning a few bytes.
  let i = -1;
  const near = Math.min(length, from + 32);
  for (let j = from; j < near; j++) {
    if (buf[j] === P0) {
      i = j;
      break;
    }
  }
  if (i < 0 && near < length) i = buf.indexOf(P0, near);
  while (i >= 0) {
    if (i + 1 >= length) return i;
    if (buf[i + 1] === P1) {
      if (i + 2 >= length) return i;
      if (buf[i + 2] === P2) {
        if (i + 3 >= length) return i;
        const d = buf[i + 3];
        if (d === Direction.INCOMING || d === Direction.OUTGOING) return i;
      }
    }
    i = buf.indexOf(P0, i + 1);
  }
  return -1;
}
