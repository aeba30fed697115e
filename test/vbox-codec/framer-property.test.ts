import fc from 'fast-check';
import { Direction, encodeFrame, parseFrame, type VboxFrame } from '../../runtime/vbox/frame.js';
import { type InvalidFrameEvent, VboxFramer } from '../../runtime/vbox/framer.js';
import { waitFor } from '../support/wait.js';

// Property tests (fast-check): the framer against arbitrary splits, merges, garbage and corruption.

const PREFIX_3C = [0x56, 0x54, 0x55, 0x3c];

/** Payload bytes that deliberately contain prefix text and even whole nested frames. */
const payloadArb = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 12 }).map((a) => [...a]),
      fc.constant(PREFIX_3C),
      fc.constant([...PREFIX_3C, 0x00, 0x02]),
      fc.constant([...encodeFrame(Direction.INCOMING, 0x00, 7, Buffer.from([0]))]),
    ),
    { maxLength: 5 },
  )
  .map((parts) => Buffer.from(parts.flat()));

const frameArb = fc
  .record({ command: fc.integer({ min: 0, max: 255 }), messageId: fc.integer({ min: 0, max: 255 }), payload: payloadArb })
  .map(({ command, messageId, payload }) => encodeFrame(Direction.INCOMING, command, messageId, payload));

/** Garbage that contains no complete frame start (56 54 55 + direction). */
const garbageArb = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x56, 0x54, 0x55, 0x3c)), { maxLength: 16 })
  .map((bytes) => Buffer.from(bytes))
  .filter((g) => g.indexOf(Buffer.from('5654553c', 'hex')) < 0 && g.indexOf(Buffer.from('5654553e', 'hex')) < 0);

/** Cuts `stream` at the given points (deduplicated, sorted) into chunks. */
function split(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    if (p > last) chunks.push(stream.subarray(last, p));
    last = Math.max(last, p);
  }
  if (last < stream.length) chunks.push(stream.subarray(last));
  return chunks;
}

function run(chunks: Buffer[], partialFrameTimeoutMs = 0) {
  const frames: VboxFrame[] = [];
  const invalid: InvalidFrameEvent[] = [];
  const framer = new VboxFramer({ partialFrameTimeoutMs, onFrame: (f) => frames.push(f), onInvalid: (e) => invalid.push(e) });
  for (const chunk of chunks) framer.push(Buffer.from(chunk)); // a fresh copy, like a socket read
  return { framer, frames, invalid };
}

const hexOf = (b: Buffer) => b.toString('hex');

describe('VboxFramer properties', () => {
  test('any split of a long valid stream delivers every frame once, in order, with nothing reported', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 60 }), (frames, cuts) => {
        const stream = Buffer.concat(frames);
        const { framer, frames: got, invalid } = run(split(stream, cuts));
        framer.close();
        expect(got.map((f) => hexOf(f.raw))).toEqual(frames.map(hexOf));
        expect(invalid).toEqual([]);
        for (const f of got) expect(hexOf(parseFrame(f.raw).payload)).toBe(hexOf(f.payload));
      }),
      { numRuns: 300 },
    );
  });

  test('one byte at a time and one push for everything give the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 10 }), (frames) => {
        const stream = Buffer.concat(frames);
        const bytewise = run([...stream].map((b) => Buffer.from([b])));
        const whole = run([stream]);
        bytewise.framer.close();
        whole.framer.close();
        expect(bytewise.frames.map((f) => hexOf(f.raw))).toEqual(frames.map(hexOf));
        expect(whole.frames.map((f) => hexOf(f.raw))).toEqual(frames.map(hexOf));
      }),
      { numRuns: 100 },
    );
  });

  test('garbage between frames: every valid frame is still delivered, and every garbage byte reported once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(garbageArb, frameArb), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 40 }), (pairs, cuts) => {
        const stream = Buffer.concat(pairs.flatMap(([g, f]) => [g, f]));
        const { framer, frames, invalid } = run(split(stream, cuts));
        framer.close();
        expect(frames.map((f) => hexOf(f.raw))).toEqual(pairs.map(([, f]) => hexOf(f)));
        expect(invalid.every((e) => e.reason === 'garbage')).toBe(true);
        expect(hexOf(Buffer.concat(invalid.map((e) => e.bytes)))).toBe(hexOf(Buffer.concat(pairs.map(([g]) => g))));
      }),
      { numRuns: 300 },
    );
  });

  test('a corrupted frame (any byte but the length) is dropped and reported; every intact frame still arrives in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(frameArb, fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (items, cuts) => {
          const parts = items.map(([frame, corrupt, at, flip]) => {
            if (!corrupt) return frame;
            const copy = Buffer.from(frame);
            const positions = [...copy.keys()].filter((i) => i !== 5 && i !== 6);
            const i = positions[at % positions.length]!;
            copy[i] = copy[i]! ^ flip;
            return copy;
          });
          const { framer, frames, invalid } = run(split(Buffer.concat(parts), cuts), 1);
          // Let a partial candidate left at the end stall out (1 ms), releasing what is behind it.
          await waitFor(() => framer.bufferedBytes === 0, 'the partial candidate to stall out');
          framer.close();
          const intact = items.filter(([, corrupt]) => !corrupt).map(([f]) => hexOf(f));
          const delivered = frames.map((f) => hexOf(f.raw));
          // Intact frames form a subsequence of what was delivered (a corrupted frame may expose a valid frame nested in its payload).
          let next = 0;
          for (const d of delivered) if (next < intact.length && d === intact[next]) next++;
          expect(next).toBe(intact.length);
          if (items.some(([, corrupt]) => corrupt)) expect(invalid.length).toBeGreaterThan(0);
          for (const f of frames) expect(() => parseFrame(f.raw)).not.toThrow();
        },
      ),
      { numRuns: 150 },
    );
  });

  test('random bytes never make push throw, and whatever is delivered is a valid frame', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const { framer, frames } = run(chunks.map((c) => Buffer.from(c)));
        expect(framer.bufferedBytes).toBeLessThanOrEqual(chunks.reduce((n, c) => n + c.length, 0));
        framer.close();
        expect(framer.bufferedBytes).toBe(0);
        for (const f of frames) expect(() => parseFrame(f.raw, { direction: Direction.INCOMING })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
