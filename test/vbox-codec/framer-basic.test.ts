import { Direction, encodeFrame, type VboxFrame } from '../../runtime/vbox/frame.js';
import { type InvalidFrameEvent, VboxFramer } from '../../runtime/vbox/framer.js';
import { waitFor } from '../support/wait.js';

function collect(options: Partial<ConstructorParameters<typeof VboxFramer>[0]> = {}) {
  const frames: VboxFrame[] = [];
  const invalid: InvalidFrameEvent[] = [];
  const framer = new VboxFramer({
    partialFrameTimeoutMs: 0,
    ...options,
    onFrame: (f) => frames.push(f),
    onInvalid: (e) => invalid.push(e),
  });
  return { framer, frames, invalid };
}

const incoming = (cmd: number, id: number, payload: number[] | Buffer) =>
  encodeFrame(Direction.INCOMING, cmd, id, Buffer.isBuffer(payload) ? payload : Buffer.from(payload));

describe('VboxFramer basics', () => {
  test('a payload containing 56 54 55 3C is not split', () => {
    const { framer, frames, invalid } = collect();
    const tricky = incoming(0x1a, 9, [0x56, 0x54, 0x55, 0x3c, 0x00, 0x02, 0x01]);
    framer.push(Buffer.concat([tricky, tricky]));
    expect(frames.map((f) => f.raw.toString('hex'))).toEqual([tricky.toString('hex'), tricky.toString('hex')]);
    expect(invalid).toEqual([]);
    framer.close();
  });

  test('a bad checksum costs one byte, so a corrupt length cannot swallow the next frame', () => {
    const { framer, frames, invalid } = collect();
    const victim = incoming(0x29, 1, [1, 2, 0x4f, 0, 0, 0, 0, 0]);
    const corrupt = Buffer.from(incoming(0x00, 2, [0]));
    corrupt.writeUInt16BE(0x0010, 5); // claims 16 bytes after the length: reaches into `victim`
    framer.push(Buffer.concat([corrupt, victim, incoming(0x00, 3, [0])]));
    expect(frames.map((f) => f.messageId)).toEqual([1, 3]);
    expect(invalid.map((e) => e.reason)).toEqual(['checksum']);
    expect(invalid[0]!.bytes.subarray(0, 10).equals(corrupt)).toBe(true);
    framer.close();
  });

  test('the C8 sample shape (length field 2 too large, valid checksum) costs no following frame', () => {
    const { framer, frames, invalid } = collect();
    const c8 = Buffer.from(incoming(0xc8, 0, [0, 1, 0, 0x0d, 0x6f, 0, 0x0e, 0xfb, 0x96, 0x21]));
    c8.writeUInt16BE(c8.readUInt16BE(5) + 2, 5);
    c8[c8.length - 1] = 0;
    c8[c8.length - 1] = c8.subarray(0, -1).reduce((sum, b) => sum + b, 0) & 0xff;
    const reply = incoming(0x29, 5, [1, 0, 0x4f, 0, 0, 0, 0, 0]);
    for (const b of Buffer.concat([c8, reply, incoming(0x00, 6, [0])])) framer.push(Buffer.from([b]));
    expect(frames.map((f) => [f.command, f.messageId])).toEqual([
      [0x29, 5],
      [0x00, 6],
    ]);
    expect(invalid.map((e) => e.reason)).toEqual(['checksum']);
    framer.close();
  });

  test('garbage before, between and after frames is reported once per run', () => {
    const { framer, frames, invalid } = collect();
    const a = incoming(0x00, 1, [0]);
    const b = incoming(0x24, 2, [1, 7]);
    framer.push(Buffer.concat([Buffer.from('hello'), a, Buffer.from([0x56, 0x54, 0x00]), b, Buffer.from([1, 2, 3])]));
    expect(frames.map((f) => f.messageId)).toEqual([1, 2]);
    expect(invalid.map((e) => [e.reason, e.bytes.toString('hex')])).toEqual([
      ['garbage', Buffer.from('hello').toString('hex')],
      ['garbage', '565400'],
      ['garbage', '010203'],
    ]);
    framer.close();
  });

  test('frames of the other direction are reported, not delivered', () => {
    const { framer, frames, invalid } = collect();
    framer.push(Buffer.concat([encodeFrame(Direction.OUTGOING, 0x07, 1, Buffer.alloc(0)), incoming(0, 1, [0])]));
    expect(frames.length).toBe(1);
    expect(invalid.map((e) => e.reason)).toEqual(['direction']);
    const mock = collect({ direction: Direction.OUTGOING });
    mock.framer.push(encodeFrame(Direction.OUTGOING, 0x07, 0, Buffer.alloc(0)));
    expect(mock.frames.map((f) => f.messageId)).toEqual([0]);
    mock.framer.close();
    framer.close();
  });

  test('a throwing onFrame neither escapes push nor corrupts the state', () => {
    const seen: number[] = [];
    const errors: unknown[] = [];
    const framer = new VboxFramer({
      onFrame: (f) => {
        seen.push(f.messageId);
        if (f.messageId === 1) throw new Error('boom');
      },
      onCallbackError: (e) => errors.push(e),
    });
    const stream = Buffer.concat([incoming(0, 1, [0]), incoming(0, 2, [0]), incoming(0, 3, [0]).subarray(0, 4)]);
    expect(() => framer.push(stream)).not.toThrow();
    framer.push(incoming(0, 3, [0]).subarray(4));
    expect(seen).toEqual([1, 2, 3]);
    expect(errors.length).toBe(1);
    expect(framer.bufferedBytes).toBe(0);
    framer.close();
  });

  test('reset drops buffered bytes, also from inside a callback', () => {
    const { framer, frames } = collect();
    framer.push(incoming(0, 1, [0]).subarray(0, 5));
    expect(framer.bufferedBytes).toBe(5);
    framer.reset();
    expect(framer.bufferedBytes).toBe(0);
    framer.push(incoming(0, 2, [0]));
    expect(frames.map((f) => f.messageId)).toEqual([2]);

    const got: number[] = [];
    const resetting: VboxFramer = new VboxFramer({
      onFrame: (f) => {
        got.push(f.messageId);
        resetting.reset();
      },
    });
    resetting.push(Buffer.concat([incoming(0, 1, [0]), incoming(0, 2, [0])]));
    expect(got).toEqual([1]);
    expect(resetting.bufferedBytes).toBe(0);
    resetting.close();
    framer.close();
  });

  test('a partial frame that stalls is dropped after the timeout, and what follows it still parses', async () => {
    const { framer, frames, invalid } = collect({ partialFrameTimeoutMs: 30 });
    const whole = incoming(0x29, 4, [1, 2, 0x46, 0, 0, 0, 0, 0]);
    framer.push(whole.subarray(0, 10));
    expect(framer.bufferedBytes).toBe(10);
    await waitFor(() => invalid.length > 0, 'the stalled partial frame to be dropped');
    expect(framer.bufferedBytes).toBe(0);
    expect(invalid.map((e) => [e.reason, e.bytes.length])).toEqual([['stalled', 10]]);
    framer.push(whole);
    expect(frames.map((f) => f.messageId)).toEqual([4]);
    framer.close();
  });

  test('a stalled over-long length releases the complete frames buffered behind it', async () => {
    const { framer, frames, invalid } = collect({ partialFrameTimeoutMs: 30 });
    const liar = Buffer.from(incoming(0x00, 1, [0]));
    liar.writeUInt16BE(200, 5);
    framer.push(Buffer.concat([liar, incoming(0, 2, [0]), incoming(0, 3, [0])]));
    expect(frames.length).toBe(0);
    await waitFor(() => invalid.length > 0, 'the stalled over-long frame to be dropped');
    expect(frames.map((f) => f.messageId)).toEqual([2, 3]);
    expect(invalid[0]!.reason).toBe('stalled');
    expect(framer.bufferedBytes).toBe(0);
    framer.close();
  });

  test('an impossible length (< 2 or above maxFrameLength) is garbage, not waited for', () => {
    const { framer, frames, invalid } = collect({ maxFrameLength: 64 });
    const tooShort = Buffer.from([0x56, 0x54, 0x55, 0x3c, 0x00, 0x00, 0x01]);
    const tooLong = Buffer.from([0x56, 0x54, 0x55, 0x3c, 0x00, 0x10, 0x00]);
    framer.push(Buffer.concat([tooShort, tooLong, incoming(0, 7, [0])]));
    expect(frames.map((f) => f.messageId)).toEqual([7]);
    expect(invalid.map((e) => e.reason)).toEqual(['garbage']);
    expect(invalid[0]!.bytes.length).toBe(14);
    framer.close();
  });
});
