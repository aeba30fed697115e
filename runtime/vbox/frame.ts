import { framePolicy } from '../../generated/vbox/frame-policy.js';
import { VboxFieldError, VboxFrameError } from './errors.js';

/**
 * VTU frame layout (see docs/vbox-spec.md):
 *
 * `56 54 55` · direction · command u8 · length u16be · msgId u8 · payload · checksum
 *
 * `length` counts the bytes after itself (msgId + payload + checksum, i.e. payload + 2), and the
 * checksum is the low byte of the sum of every byte before it, prefix included.
 */

/** The three prefix bytes "VTU" every frame starts with (from the generated spec). */
export const VTU_PREFIX: Buffer = Buffer.from(framePolicy.prefix);
const [PREFIX_0, PREFIX_1, PREFIX_2] = framePolicy.prefix;

/** Direction byte: `OUTGOING` ('>') client→vBox, `INCOMING` ('<') vBox→client (from the generated spec). */
export const Direction = { OUTGOING: framePolicy.client.sends, INCOMING: framePolicy.client.accepts } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Bytes before the payload: prefix (3), direction, command, length (2), msgId. */
export const HEADER_LENGTH = 8;
/** The smallest frame: header plus checksum, empty payload. */
export const MIN_FRAME_LENGTH = HEADER_LENGTH + 1;
/** The largest payload the u16 length field can describe (length = payload + 2). */
export const MAX_PAYLOAD_LENGTH = 0xffff - 2;

/** One frame, split into its parts. `payload` and `raw` may share memory with the bytes it was parsed from. */
export interface VboxFrame {
  direction: number;
  command: number;
  messageId: number;
  payload: Buffer;
  /** The whole frame, prefix through checksum. */
  raw: Buffer;
  /** Set by a lenient `parseFrame` when the length field disagrees with the real size (e.g. the `C8` sample, 2 too large). */
  lengthMismatch?: boolean;
}

/** sum8: the low byte of the sum of `bytes[0] … bytes[end - 1]`. */
export function checksum(bytes: Buffer, end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += bytes[i]!;
  return sum & 0xff;
}

function checkByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new VboxFieldError(`${what} must be an integer 0–255, got ${String(value)}`, { field: what, value });
  }
}

/**
 * Allocates a frame for a payload of `payloadLength` bytes and writes its header; the caller
 * writes the payload at `HEADER_LENGTH` and then calls {@link sealFrame}.
 */
export function allocFrame(direction: number, command: number, messageId: number, payloadLength: number): Buffer {
  checkByte(direction, 'direction');
  checkByte(command, 'command');
  checkByte(messageId, 'messageId');
  if (payloadLength > MAX_PAYLOAD_LENGTH) {
    throw new VboxFrameError('TH_ERR_VBOX_LENGTH', `payload of ${payloadLength} bytes exceeds the ${MAX_PAYLOAD_LENGTH}-byte maximum`, {
      payloadLength,
    });
  }
  const frame = Buffer.allocUnsafe(MIN_FRAME_LENGTH + payloadLength);
  frame[0] = PREFIX_0;
  frame[1] = PREFIX_1;
  frame[2] = PREFIX_2;
  frame[3] = direction;
  frame[4] = command;
  frame[5] = (payloadLength + 2) >> 8;
  frame[6] = (payloadLength + 2) & 0xff;
  frame[7] = messageId;
  return frame;
}

/** Writes the checksum byte over everything before it. */
export function sealFrame(frame: Buffer): Buffer {
  const end = frame.length - 1;
  frame[end] = checksum(frame, end);
  return frame;
}

/** Builds one frame. The checksum is computed over the final bytes, whatever the payload holds. */
export function encodeFrame(direction: number, command: number, messageId: number, payload: Buffer): Buffer {
  const frame = allocFrame(direction, command, messageId, payload.length);
  payload.copy(frame, HEADER_LENGTH);
  return sealFrame(frame);
}

/** True for the two legal direction bytes. */
export function isDirection(value: number): boolean {
  return value === Direction.OUTGOING || value === Direction.INCOMING;
}

/**
 * Parses exactly one frame. Throws a {@link VboxFrameError}: `TH_ERR_VBOX_PREFIX`, `TH_ERR_VBOX_DIRECTION`
 * (not `3E`/`3C`, or not `options.direction`), `TH_ERR_VBOX_LENGTH` (length field ≠ byte count) or
 * `TH_ERR_VBOX_CHECKSUM`.
 *
 * With `lenient: true` a length field that disagrees with the byte count is tolerated when the
 * last byte is a valid checksum of the bytes before it; the frame then has `lengthMismatch: true`.
 */
export function parseFrame(bytes: Buffer, options: { direction?: number; lenient?: boolean } = {}): VboxFrame {
  if (bytes.length < 4 && bytes.equals(VTU_PREFIX.subarray(0, bytes.length))) {
    // A cut-off frame is "too short", not "the wrong protocol".
    throw new VboxFrameError('TH_ERR_VBOX_LENGTH', `a frame has at least ${MIN_FRAME_LENGTH} bytes, got ${bytes.length}`, {
      actual: bytes.length,
    });
  }
  if (bytes.length < 4 || bytes[0] !== PREFIX_0 || bytes[1] !== PREFIX_1 || bytes[2] !== PREFIX_2) {
    throw new VboxFrameError('TH_ERR_VBOX_PREFIX', 'frame does not start with the VTU prefix 56 54 55', {
      start: bytes.subarray(0, 4).toString('hex'),
    });
  }
  const direction = bytes[3]!;
  if (!isDirection(direction) || (options.direction !== undefined && direction !== options.direction)) {
    throw new VboxFrameError(
      'TH_ERR_VBOX_DIRECTION',
      options.direction === undefined
        ? `direction byte ${hex2(direction)} is neither 3e (client→vBox) nor 3c (vBox→client)`
        : `direction byte ${hex2(direction)} is not the expected ${hex2(options.direction)}`,
      { direction, expected: options.direction },
    );
  }
  if (bytes.length < MIN_FRAME_LENGTH) {
    throw new VboxFrameError('TH_ERR_VBOX_LENGTH', `a frame has at least ${MIN_FRAME_LENGTH} bytes, got ${bytes.length}`, {
      actual: bytes.length,
    });
  }
  const declared = bytes.readUInt16BE(5);
  const end = bytes.length - 1;
  let lengthMismatch = false;
  if (declared + 7 !== bytes.length) {
    const sum = checksum(bytes, end);
    const sumMatches = sum === bytes[end];
    if (!options.lenient || !sumMatches) {
      // Both problems are named: a lenient reader must not learn of the length and miss the checksum.
      const alsoChecksum = sumMatches ? '' : `; the checksum byte is wrong too (${hex2(bytes[end]!)}, expected ${hex2(sum)}: TH_ERR_VBOX_CHECKSUM)`;
      throw new VboxFrameError(
        'TH_ERR_VBOX_LENGTH',
        `length field says ${declared} (a ${declared + 7}-byte frame) but the frame has ${bytes.length} bytes${alsoChecksum}`,
        { declared, expectedBytes: declared + 7, actual: bytes.length, checksumValid: sumMatches },
      );
    }
    lengthMismatch = true;
  }
  const expected = checksum(bytes, end);
  if (expected !== bytes[end]) {
    throw new VboxFrameError('TH_ERR_VBOX_CHECKSUM', `checksum byte is ${hex2(bytes[end]!)}, expected ${hex2(expected)}`, {
      actual: bytes[end],
      expected,
    });
  }
  const frame: VboxFrame = {
    direction,
    command: bytes[4]!,
    messageId: bytes[7]!,
    payload: bytes.subarray(HEADER_LENGTH, end),
    raw: bytes,
  };
  if (lengthMismatch) frame.lengthMismatch = true;
  return frame;
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
