// Issue 8 regressions for the vBox codec and framer, with frames written by hand as hex.
import { decodeResponse } from '../../runtime/vbox/codec.js';
import { VboxDecodeError, VboxFrameError } from '../../runtime/vbox/errors.js';
import { Direction, encodeFrame, parseFrame, type VboxFrame } from '../../runtime/vbox/frame.js';
import { type InvalidFrameEvent, VboxFramer } from '../../runtime/vbox/framer.js';
import { hex } from './examples.js';

function framed(chunks: Buffer[]): { frames: VboxFrame[]; invalid: InvalidFrameEvent[] } {
  const frames: VboxFrame[] = [];
  const invalid: InvalidFrameEvent[] = [];
  const framer = new VboxFramer({ onFrame: (f) => frames.push(f), onInvalid: (e) => invalid.push(e), partialFrameTimeoutMs: 0 });
  for (const chunk of chunks) framer.push(chunk);
  framer.close();
  return { frames, invalid };
}

describe('bad input 6: UTF-16 text with an odd byte count', () => {
  // RoomMetaData whose name claims 3 bytes: one UTF-16 code unit and a stray byte.
  const frame = parseFrame(hex('5654553c1a000b8700c903009153e69c718a'));

  test('strict decoding refuses it with TH_ERR_VBOX_DECODE naming the field', () => {
    let caught: unknown;
    try {
      decodeResponse(frame, { strict: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VboxDecodeError);
    expect((caught as VboxDecodeError).message).toBe('RoomMetaData.name: length prefix gives 3 byte(s), an odd count for UTF-16LE text (payload offset 3)');
    expect((caught as VboxDecodeError).context).toMatchObject({ field: 'name' });
  });

  test('lenient decoding flags it instead of dropping the byte silently', () => {
    const response = decodeResponse(frame) as unknown as { lengthMismatch?: boolean; problems?: string[]; toJSON(): Record<string, unknown> };
    expect(response.lengthMismatch).toBe(true);
    expect(response.toJSON().problems).toEqual(['name: length prefix gives 3 byte(s), an odd count for UTF-16LE text']);
  });
});

describe('lenient frame parsing names a bad checksum even when the length field is wrong too', () => {
  test('both problems are in the one error (what `hammer vbox decode --lenient` prints)', () => {
    // An Acknowledgement (56 54 55 3C 00 00 03 00 00 3E) with length 5 and checksum 3F.
    for (const lenient of [true, false]) {
      let caught: unknown;
      try {
        parseFrame(hex('5654553c00000500003f'), { lenient });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(VboxFrameError);
      expect((caught as VboxFrameError).code).toBe('TH_ERR_VBOX_LENGTH');
      expect((caught as Error).message).toBe(
        'length field says 5 (a 12-byte frame) but the frame has 10 bytes; the checksum byte is wrong too (3f, expected 40: TH_ERR_VBOX_CHECKSUM)',
      );
      expect((caught as VboxFrameError).context.checksumValid).toBe(false);
    }
    // A wrong length with a right checksum is still tolerated by lenient parsing.
    expect(parseFrame(hex('56 54 55 3C 00 00 05 00 00 40'), { lenient: true }).lengthMismatch).toBe(true);
  });
});

describe('superlinear 4: the framer on `56 54 55 3E 00 1F F0` repeated', () => {
  const unit = hex('5654553e001ff0');
  const hostile = Buffer.concat(Array.from({ length: 3000 }, () => unit));
  const good = encodeFrame(Direction.INCOMING, 0x00, 9, Buffer.from([0x00]));

  // A candidate near the end of the run claims 8 KB that have not arrived; once they have, its
  // checksum fails and the framer moves on (on a quiet line the stall timer drops it instead).
  const flush = Buffer.alloc(9000);

  test('each candidate is dropped as a bad checksum, and a real frame behind the run is still found', () => {
    const { frames, invalid } = framed([hostile, flush, good]);
    expect(frames.map((f) => f.raw)).toEqual([good]);
    // (A candidate over the zeros may even sum right: it is then a valid frame going the other way.)
    expect(invalid.every((e) => e.reason === 'checksum' || e.reason === 'garbage' || e.reason === 'direction')).toBe(true);
    expect(invalid.filter((e) => e.reason === 'checksum').length).toBeGreaterThan(1000);
  });

  test('pushed byte by byte it gives the same frames as in one push', () => {
    const stream = Buffer.concat([good, hostile.subarray(0, 9000), flush, good, hex('00112233'), good]);
    const whole = framed([stream]);
    const bytes = framed([...stream].map((b) => Buffer.from([b])));
    expect(bytes.frames.map((f) => f.raw)).toEqual(whole.frames.map((f) => f.raw));
    const checksums = (events: InvalidFrameEvent[]) => events.filter((e) => e.reason === 'checksum').map((e) => e.bytes.toString('hex'));
    expect(checksums(bytes.invalid)).toEqual(checksums(whole.invalid));
    expect(whole.frames.length).toBe(3);
  });

  test('frames handed out stay intact while later bytes are appended to the same storage', () => {
    const frames: VboxFrame[] = [];
    const framer = new VboxFramer({ onFrame: (f) => frames.push(f), partialFrameTimeoutMs: 0 });
    const first = encodeFrame(Direction.INCOMING, 0x1a, 1, Buffer.from('00c9020041', 'hex'));
    // Start with a partial frame so the framer copies into its own growable storage.
    framer.push(first.subarray(0, 5));
    framer.push(first.subarray(5));
    const copy = Buffer.from(frames[0]!.raw);
    for (let i = 0; i < 50; i++) framer.push(encodeFrame(Direction.INCOMING, 0x00, i, Buffer.from([i])));
    expect(frames[0]!.raw).toEqual(copy);
    expect(frames).toHaveLength(51);
    framer.close();
  });
});
