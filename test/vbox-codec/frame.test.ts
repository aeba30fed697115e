import { checksum, Direction, encodeFrame, parseFrame, VTU_PREFIX } from '../../runtime/vbox/frame.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { hex, WORKED_EXAMPLES } from './examples.js';

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(isThorsHammerError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('VTU frame', () => {
  test('constants', () => {
    expect(VTU_PREFIX.toString('hex')).toBe('565455');
    expect(Direction).toEqual({ OUTGOING: 0x3e, INCOMING: 0x3c });
  });

  test.each(Object.entries(WORKED_EXAMPLES))('%s parses and re-encodes byte for byte', (_name, text) => {
    const bytes = hex(text);
    const frame = parseFrame(bytes);
    expect(frame.raw.equals(bytes)).toBe(true);
    expect(frame.payload.length).toBe(bytes.length - 9);
    expect(encodeFrame(frame.direction, frame.command, frame.messageId, frame.payload).equals(bytes)).toBe(true);
  });

  test('E1 checksum is the low byte of 0x179', () => {
    const e1 = hex(WORKED_EXAMPLES.E1);
    expect(checksum(e1, 8)).toBe(0x79);
    expect(e1.subarray(0, 8).reduce((a, b) => a + b, 0)).toBe(0x179);
  });

  test('empty payload gives length 00 02 and a 9-byte frame', () => {
    const f = encodeFrame(Direction.OUTGOING, 0x07, 255, Buffer.alloc(0));
    expect(f.length).toBe(9);
    expect(f.readUInt16BE(5)).toBe(2);
  });

  test('bad inputs to encodeFrame are field errors', () => {
    expectCode(() => encodeFrame(0x3e, 256, 1, Buffer.alloc(0)), 'TH_ERR_VBOX_FIELD');
    expectCode(() => encodeFrame(0x3e, 1, -1, Buffer.alloc(0)), 'TH_ERR_VBOX_FIELD');
    expectCode(() => encodeFrame(0x3e, 1, 1.5, Buffer.alloc(0)), 'TH_ERR_VBOX_FIELD');
    expectCode(() => encodeFrame(0x3e, 1, 1, Buffer.alloc(0x10000)), 'TH_ERR_VBOX_LENGTH');
  });

  test('parseFrame rejects each kind of damage with its code', () => {
    const e6 = hex(WORKED_EXAMPLES.E6);
    const badSum = Buffer.from(e6);
    badSum[9] = 0x3f;
    expectCode(() => parseFrame(badSum), 'TH_ERR_VBOX_CHECKSUM');
    expectCode(() => parseFrame(hex('57 54 55 3C 00 00 03 00 00 3F')), 'TH_ERR_VBOX_PREFIX');
    expectCode(() => parseFrame(hex('56 54 55 3D 00 00 03 00 00 3F')), 'TH_ERR_VBOX_DIRECTION');
    expectCode(() => parseFrame(e6, { direction: Direction.OUTGOING }), 'TH_ERR_VBOX_DIRECTION');
    expectCode(() => parseFrame(e6.subarray(0, 8)), 'TH_ERR_VBOX_LENGTH');
    // A frame cut inside its prefix is too short, not a foreign protocol.
    expectCode(() => parseFrame(e6.subarray(0, 3)), 'TH_ERR_VBOX_LENGTH');
    expectCode(() => parseFrame(e6.subarray(0, 1)), 'TH_ERR_VBOX_LENGTH');
    expectCode(() => parseFrame(hex('56 54')), 'TH_ERR_VBOX_LENGTH');
    expectCode(() => parseFrame(hex('56 41')), 'TH_ERR_VBOX_PREFIX');
    expectCode(() => parseFrame(Buffer.concat([e6, Buffer.from([0])])), 'TH_ERR_VBOX_LENGTH');
    expect(parseFrame(e6, { direction: Direction.INCOMING }).command).toBe(0);
  });

  test('a length field 2 too large is an error, or tolerated and flagged in lenient mode', () => {
    // Shape of the reference's unsolicited C8 sample: valid checksum, length field 2 larger than the real size.
    const payload = hex('00 01 00 0D 6F 00 0E FB 96 21');
    const good = encodeFrame(Direction.INCOMING, 0xc8, 0, payload);
    const bad = Buffer.from(good);
    bad.writeUInt16BE(good.readUInt16BE(5) + 2, 5);
    bad[bad.length - 1] = checksum(bad, bad.length - 1);
    expectCode(() => parseFrame(bad), 'TH_ERR_VBOX_LENGTH');
    const frame = parseFrame(bad, { lenient: true });
    expect(frame.lengthMismatch).toBe(true);
    expect(frame.payload.equals(payload)).toBe(true);
  });
});

describe('spec ↔ runtime agreement', () => {
  test('the frame policy generated from the spec matches the runtime constants', async () => {
    const { framePolicy, defaultVersion } = await import('../../generated/vbox/index.js');
    const { DEFAULT_PROTOCOL_VERSION } = await import('../../runtime/vbox/spec-types.js');
    expect(defaultVersion).toBe(DEFAULT_PROTOCOL_VERSION);
    expect(Buffer.from(framePolicy.prefix).equals(VTU_PREFIX)).toBe(true);
    expect(framePolicy.client).toEqual({ sends: Direction.OUTGOING, accepts: Direction.INCOMING });
    expect(framePolicy.vbox).toEqual({ sends: Direction.INCOMING, accepts: Direction.OUTGOING });
    expect(framePolicy.messageId).toEqual({ first: 1, last: 255, wrapTo: 1, acceptZero: true });
    expect(framePolicy.decoding).toBe('lenient');
  });

  test('every vBox codec error code is documented in docs/vbox-spec.md, and the docs list no unknown code', async () => {
    const { readFileSync } = await import('node:fs');
    const { projectRoot } = await import('../../runtime/paths.js');
    const source = readFileSync(`${projectRoot}runtime/vbox/errors.ts`, 'utf8');
    const docs = readFileSync(`${projectRoot}docs/vbox-spec.md`, 'utf8');
    const declared = new Set([...source.matchAll(/'(TH_ERR_VBOX_[A-Z_]+)'/g)].map((m) => m[1]!));
    const documented = new Set([...docs.matchAll(/`(TH_ERR_VBOX_[A-Z_]+)`/g)].map((m) => m[1]!));
    expect(declared.size).toBeGreaterThanOrEqual(9);
    expect([...declared].filter((c) => !documented.has(c))).toEqual([]);
    expect([...documented].filter((c) => !declared.has(c))).toEqual([]);
  });
});
