import { dispatch, enumName, KeyType, NodeType, responses } from '../../generated/vbox/index.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { decodeResponse, encodeResponse, type ProtocolVersion } from '../../runtime/vbox/codec.js';
import { checksum, Direction, encodeFrame, parseFrame, type VboxFrame } from '../../runtime/vbox/frame.js';
import { hex, REFERENCE_SAMPLES, WORKED_EXAMPLES } from './examples.js';

const incoming = (command: number, payload: number[] | Buffer, messageId = 1): VboxFrame =>
  parseFrame(encodeFrame(Direction.INCOMING, command, messageId, Buffer.isBuffer(payload) ? payload : Buffer.from(payload)));

const utf16 = (text: string) => [...Buffer.from(text, 'utf16le')];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isThorsHammerError(error) ? error.code : `not a ThorsHammerError: ${String(error)}`;
  }
  return undefined;
}

describe('vBox responses: decoding', () => {
  test('E6: the smallest reply, Acknowledgement ACK, msgId 00', () => {
    const frame = parseFrame(hex(WORKED_EXAMPLES.E6));
    const ack = decodeResponse(frame) as responses.Acknowledgement;
    expect(ack).toBeInstanceOf(responses.Acknowledgement);
    expect(ack.type).toBe(0);
    expect(ack.isOK).toBe(true);
    expect(ack.command).toBe(0);
    expect(ack.messageId).toBe(0);
    expect(ack.raw.equals(frame.raw)).toBe(true);
    expect(ack.lengthMismatch).toBeUndefined();
    expect(ack.toJSON()).toEqual({ response: 'Acknowledgement', command: 0, messageId: 0, type: 'ACK', rest: '', isOK: true });
    const nack = decodeResponse(incoming(0x00, [1])) as responses.Acknowledgement;
    expect([nack.isOK, nack.toJSON().type]).toEqual([false, 'NACK']);
  });

  test('incoming 01 and 1E decode as Acknowledgement, keeping their command id', () => {
    for (const cmd of [0x01, 0x1e]) {
      const r = decodeResponse(incoming(cmd, [3], 9));
      expect(r).toBeInstanceOf(responses.Acknowledgement);
      expect(r.command).toBe(cmd);
      expect((r as responses.Acknowledgement).toJSON().type).toBe('IN_USE');
    }
  });

  test('E7: RoomCount, count 8, rooms 0–7', () => {
    const r = decodeResponse(parseFrame(hex(WORKED_EXAMPLES.E7))) as responses.RoomCount;
    expect(r).toBeInstanceOf(responses.RoomCount);
    expect([r.count, r.list, r.total, r.messageId]).toEqual([8, [0, 1, 2, 3, 4, 5, 6, 7], 8, 0x1e]);
    const nodes = decodeResponse(incoming(0x24, [2, 5, 9])) as responses.NodeCount;
    expect(nodes).toBeInstanceOf(responses.NodeCount);
    expect([nodes.count, nodes.list, nodes.total]).toEqual([2, [5, 9], 2]);
  });

  test('E8: NodeMetaData in the V2 layout (the default)', () => {
    const r = decodeResponse(parseFrame(hex(WORKED_EXAMPLES.E8))) as responses.NodeMetaDataV2;
    expect(r).toBeInstanceOf(responses.NodeMetaDataV2);
    expect(r).toBeInstanceOf(responses.NodeMetaData);
    expect(r.nodeId).toBe(1);
    expect(r.macAddress).toBe('00:0D:6F:00:0E:FB:96:21');
    expect(r.reserved1).toBe(2);
    expect(r.type).toBe(NodeType.VT_MW3_SR3_10A);
    expect(r.model).toBe('VT-MW3-SR3-10A');
    expect(r.totalKeys).toBe(3);
    expect(r.keyTypes).toEqual([KeyType.TOGGLE, KeyType.TOGGLE, KeyType.TOGGLE]);
    expect(r.keysList).toEqual([
      { id: 0, type: 2 },
      { id: 1, type: 2 },
      { id: 2, type: 2 },
    ]);
    expect([r.lockStatus, r.isLocked, r.ledLevel]).toEqual([0, false, 2]);
    expect(r.version).toBe('7.93');
    expect(r.roomId).toBe(0);
    expect(r.rest.toString('hex')).toBe('0000');
    expect(r.lengthMismatch).toBeUndefined();
    const json = r.toJSON();
    expect(json).toMatchObject({ response: 'NodeMetaDataV2', type: 'VT_MW3_SR3_10A', ledLevel: 'NORMAL', lockStatus: 'UNLOCKED', version: '7.93' });
    expect(json.keysList).toEqual([
      { id: 0, type: 'TOGGLE' },
      { id: 1, type: 'TOGGLE' },
      { id: 2, type: 'TOGGLE' },
    ]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(json);
  });

  test('the reference V1 NodeMetaData sample reads sequentially in V1 and consistently in V2', () => {
    const frame = parseFrame(hex(REFERENCE_SAMPLES.nodeMetaDataV1));
    const v1 = decodeResponse(frame, { version: 'v1' }) as responses.NodeMetaDataV1;
    expect(v1).toBeInstanceOf(responses.NodeMetaDataV1);
    expect(v1.macAddress).toBe('00:15:8D:00:00:69:C4:FF');
    expect([v1.type, v1.totalKeys, v1.keyTypes, v1.lockStatus, v1.ledLevel, v1.version, v1.roomId]).toEqual([2, 2, [1, 2], 0, 2, '1.74', 7]);
    expect(v1.keysList).toEqual([
      { id: 0, type: KeyType.NOT_ACTIVE },
      { id: 1, type: KeyType.TOGGLE },
    ]);
    expect('reserved1' in v1).toBe(false);
    const v2 = decodeResponse(frame, { version: 'v2' }) as responses.NodeMetaDataV2;
    expect([v2.reserved1, v2.type, v2.totalKeys, v2.keyTypes, v2.version, v2.roomId, v2.lengthMismatch]).toEqual([2, 2, 1, [2], '1.74', 7, undefined]);
  });

  test('KeyStatus: power, the three flags, 5 trailing bytes kept as rest', () => {
    const r = decodeResponse(parseFrame(hex(REFERENCE_SAMPLES.keyStatusOff))) as responses.KeyStatus;
    expect(r).toBeInstanceOf(responses.KeyStatus);
    expect([r.nodeId, r.keyId, r.power, r.isOff, r.isOn, r.isReleased]).toEqual([1, 0, 0x46, true, false, false]);
    expect(r.rest.toString('hex')).toBe('0000004100');
    expect(responses.KeyStatus.unsolicited).toBe(true);
    const on = decodeResponse(incoming(0x29, [2, 1, 0x4f, 50, 0, 0, 0, 0])) as responses.KeyStatus;
    expect([on.isOn, on.isOff]).toEqual([true, false]);
    const released = decodeResponse(incoming(0x29, [2, 1, 0x52])) as responses.KeyStatus;
    expect([released.isReleased, released.rest.length]).toEqual([true, 0]);
  });

  test('KeyParameters V2 (reference sample) and V1 (8 vs 7 reserved bytes)', () => {
    const v2 = decodeResponse(parseFrame(hex(REFERENCE_SAMPLES.keyParametersV2))) as responses.KeyParametersV2;
    expect(v2).toBeInstanceOf(responses.KeyParametersV2);
    expect([v2.nodeId, v2.keyId, v2.marker, v2.category, v2.name]).toEqual([1, 0, 0xff, 1, 'Dining Room Toilet']);
    expect(v2.reserved.length).toBe(8);
    expect(v2.toJSON().category).toBe('LIGHT');
    const v1Payload = [4, 2, 0xff, 6, 1, 2, 3, 4, 5, 6, 7, 6, ...utf16('Fan')];
    const v1 = decodeResponse(incoming(0x2b, v1Payload), { version: 'v1' }) as responses.KeyParametersV1;
    expect(v1).toBeInstanceOf(responses.KeyParametersV1);
    expect([v1.nodeId, v1.keyId, v1.category, v1.name, v1.reserved.toString('hex'), v1.lengthMismatch]).toEqual([4, 2, 6, 'Fan', '01020304050607', undefined]);
    // The name sits at abs 20 in V1 and abs 21 in V2.
    expect(
      encodeResponse('KeyParameters', { nodeId: 4, keyId: 2, category: 'FAN', name: 'Fan' }, 1, { version: 'v1' }).indexOf(Buffer.from('Fan', 'utf16le')),
    ).toBe(20);
    expect(
      encodeResponse('KeyParameters', { nodeId: 4, keyId: 2, category: 'FAN', name: 'Fan' }, 1, { version: 'v2' }).indexOf(Buffer.from('Fan', 'utf16le')),
    ).toBe(21);
  });

  test('RoomMetaData: English sample; Hebrew names with nameLen honoured', () => {
    const entrance = decodeResponse(parseFrame(hex(REFERENCE_SAMPLES.roomEntrance))) as responses.RoomMetaData;
    expect([entrance.roomId, entrance.id, entrance.name, entrance.lengthMismatch]).toEqual([0, 0, 'Entrance', undefined]);
    // The reference sample is truncated (no checksum byte); its payload, read with nameLen = 10, ends in a space.
    const truncated = hex(REFERENCE_SAMPLES.roomHebrewTruncated);
    expect(() => parseFrame(truncated)).toThrow();
    const payload = truncated.subarray(8);
    const kitchen = decodeResponse({ direction: 0x3c, command: 0x1a, messageId: 6, payload, raw: truncated }) as responses.RoomMetaData;
    expect(kitchen.name).toBe('מטבח ');
    expect(kitchen.roomId).toBe(1);
    // A complete frame with a Hebrew name, and bytes after the name kept as rest.
    const full = decodeResponse(incoming(0x1a, [2, 0, 8, ...utf16('סלון'), 0xaa])) as responses.RoomMetaData;
    expect([full.name, full.rest.toString('hex'), full.lengthMismatch]).toEqual(['סלון', 'aa', undefined]);
  });

  test('unknown enum values pass through as numbers', () => {
    const payload = [9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 44, 2, 99, 2, 7, 9, 0, 1, 2, 3, 0, 5];
    const r = decodeResponse(incoming(0x1f, payload)) as responses.NodeMetaDataV2;
    expect([r.type, r.model, r.keyTypes, r.lockStatus, r.isLocked, r.ledLevel]).toEqual([44, 'Unknown-44', [99, 2], 7, false, 9]);
    expect(r.toJSON()).toMatchObject({ type: 44, model: 'Unknown-44', keyTypes: [99, 'TOGGLE'], lockStatus: 7, ledLevel: 9 });
    expect(enumName(NodeType, 228)).toBe('VT_BW1_02206_D2B0S2_02');
    expect(enumName(NodeType, 150)).toBe(150);
    expect(Object.keys(NodeType)).toHaveLength(162);
    const ack = decodeResponse(incoming(0x00, [0x77])) as responses.Acknowledgement;
    expect([ack.type, ack.isOK, ack.toJSON().type]).toEqual([0x77, false, 0x77]);
  });

  test('count and length mismatches: lenient decodes what is there and flags it; strict throws TH_ERR_VBOX_DECODE', () => {
    const cases: Array<[string, VboxFrame]> = [
      ['count above the ids present', incoming(0x1d, [9, 0, 1, 2])],
      ['ids beyond the count', incoming(0x1d, [2, 0, 1, 2])],
      ['nameLen beyond the payload', incoming(0x1a, [1, 0, 20, ...utf16('abc')])],
      ['truncated fixed fields', incoming(0x29, [1])],
      ['keys beyond the payload', incoming(0x1f, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 9, 2])],
      ['wrong const byte', incoming(0x2b, [1, 0, 0xfe, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
      ['empty Acknowledgement', incoming(0x00, [])],
    ];
    for (const [label, frame] of cases) {
      const lenient = decodeResponse(frame);
      expect([label, lenient.lengthMismatch, (lenient.problems ?? []).length > 0]).toEqual([label, true, true]);
      expect([label, codeOf(() => decodeResponse(frame, { strict: true }))]).toEqual([label, 'TH_ERR_VBOX_DECODE']);
    }
    const over = decodeResponse(cases[0]![1]) as responses.RoomCount;
    expect([over.count, over.list, over.total]).toEqual([9, [0, 1, 2], 3]);
    const under = decodeResponse(cases[1]![1]) as responses.RoomCount;
    expect([under.count, under.list]).toEqual([2, [0, 1]]);
    const name = decodeResponse(cases[2]![1]) as responses.RoomMetaData;
    expect(name.name).toBe('abc');
    expect(name.toJSON().lengthMismatch).toBe(true);
  });

  test('the C8 frame whose length field is 2 too large: rejected strictly, decoded leniently with lengthMismatch', () => {
    const payload = hex('00 01 00 0D 6F 00 0E FB 96 21');
    const bytes = Buffer.from(encodeFrame(Direction.INCOMING, 0xc8, 0, payload));
    bytes.writeUInt16BE(bytes.readUInt16BE(5) + 2, 5);
    bytes[bytes.length - 1] = checksum(bytes, bytes.length - 1);
    expect(codeOf(() => parseFrame(bytes))).toBe('TH_ERR_VBOX_LENGTH');
    const r = decodeResponse(parseFrame(bytes, { lenient: true })) as responses.NodeExistenceStatus;
    expect(r).toBeInstanceOf(responses.NodeExistenceStatus);
    expect(r.lengthMismatch).toBe(true);
    expect(r.data.equals(payload)).toBe(true);
    expect(responses.NodeExistenceStatus.unsolicited).toBe(true);
  });

  test('opaque 60 and 65, and unknown command ids (not an error)', () => {
    const curtain = decodeResponse(parseFrame(hex(REFERENCE_SAMPLES.opaque65))) as responses.Opaque65;
    expect(curtain).toBeInstanceOf(responses.Opaque65);
    expect(curtain.data.subarray(3).toString('utf16le')).toBe('Curtain');
    const units = decodeResponse(incoming(0x60, [1, 2, 3])) as responses.InternalUnitStatuses;
    expect(units.data.toString('hex')).toBe('010203');
    const unknown = decodeResponse(incoming(0x77, [0xde, 0xad], 5)) as responses.Unknown;
    expect(unknown).toBeInstanceOf(responses.Unknown);
    expect([unknown.command, unknown.messageId, unknown.payload.toString('hex')]).toEqual([0x77, 5, 'dead']);
    expect(unknown.toJSON()).toMatchObject({ response: 'Unknown', command: 0x77, payload: 'dead' });
  });

  test('the dispatch table covers every vBox→client id in both versions', () => {
    for (const version of ['v1', 'v2'] as ProtocolVersion[]) {
      expect(Object.keys(dispatch[version]).map(Number)).toEqual([0x00, 0x01, 0x1a, 0x1d, 0x1e, 0x1f, 0x24, 0x29, 0x2b, 0x60, 0x65, 0xc8]);
    }
    expect(dispatch.v1[0x1f]).toBe(responses.NodeMetaDataV1);
    expect(dispatch.v2[0x1f]).toBe(responses.NodeMetaDataV2);
    expect(dispatch.v1[0x29]).toBe(dispatch.v2[0x29]);
    expect(codeOf(() => decodeResponse(incoming(0, [0]), { version: 'v3' as ProtocolVersion }))).toBe('TH_ERR_VBOX_UNKNOWN_MESSAGE');
  });
});

describe('vBox responses: encodeResponse (for mocks)', () => {
  test('rebuilds the worked examples byte for byte', () => {
    expect(encodeResponse('Acknowledgement', { type: 'ACK' }, 0).equals(hex(WORKED_EXAMPLES.E6))).toBe(true);
    expect(encodeResponse('RoomCount', { list: [0, 1, 2, 3, 4, 5, 6, 7] }, 0x1e).equals(hex(WORKED_EXAMPLES.E7))).toBe(true);
    const e8 = {
      nodeId: 1,
      macAddress: '00:0D:6F:00:0E:FB:96:21',
      reserved1: 2,
      type: 'VT_MW3_SR3_10A',
      keyTypes: ['TOGGLE', 'TOGGLE', 'TOGGLE'],
      lockStatus: 'UNLOCKED',
      ledLevel: 'NORMAL',
      reserved2: 0x83,
      firmware: '7.93',
      roomId: 0,
      rest: [0, 0],
    };
    expect(encodeResponse('NodeMetaData', e8, 0x34).equals(hex(WORKED_EXAMPLES.E8))).toBe(true);
    expect(encodeResponse('NodeMetaDataV2', { ...e8, firmware: [7, 9, 3] }, 0x34).equals(hex(WORKED_EXAMPLES.E8))).toBe(true);
    expect(encodeResponse('KeyStatus', { nodeId: 1, keyId: 0, power: 'OFF', rest: '0000004100' }, 0x48).equals(hex(REFERENCE_SAMPLES.keyStatusOff))).toBe(true);
    expect(encodeResponse('RoomMetaData', { roomId: 0, name: 'Entrance' }, 0x1f).equals(hex(REFERENCE_SAMPLES.roomEntrance))).toBe(true);
  });

  test('every response kind round-trips through decodeResponse and toJSON in both versions', () => {
    const samples: Array<[string, Record<string, unknown>]> = [
      ['Acknowledgement', { type: 'NOT_AVAILABLE' }],
      ['RoomCount', { list: [1, 4] }],
      ['NodeCount', { count: 3, list: [1, 2, 3] }],
      ['RoomMetaData', { roomId: 4, name: 'חדר שינה' }],
      ['KeyStatus', { nodeId: 3, keyId: 1, power: 'ON', rest: [50, 0, 0, 0, 0] }],
      ['KeyParameters', { nodeId: 3, keyId: 1, category: 'SCENARIO', name: 'Evening' }],
      ['NodeMetaData', { nodeId: 7, macAddress: '01:02:03:04:05:06:07:08', type: 5, keyTypes: ['DIMMER', 'BLIND'], firmware: { a: 8, b: 1, c: 2 }, roomId: 3 }],
      ['InternalUnitStatuses', { data: 'cafe' }],
      ['Opaque65', { data: [1, 2] }],
      ['NodeExistenceStatus', { data: Buffer.from([9]) }],
    ];
    for (const version of ['v1', 'v2'] as ProtocolVersion[]) {
      for (const [name, fields] of samples) {
        const frame = encodeResponse(name, fields, 42, { version });
        const decoded = decodeResponse(parseFrame(frame), { version, strict: true });
        expect([name, decoded.descriptor.message]).toEqual([name, name]);
        expect(decoded.messageId).toBe(42);
        // toJSON output (names, hex, computed properties) encodes back to the same bytes.
        expect([name, version, encodeResponse(name, decoded.toJSON(), 42, { version }).equals(frame)]).toEqual([name, version, true]);
      }
    }
    const node = decodeResponse(parseFrame(encodeResponse('NodeMetaData', samples[6]![1], 1))) as responses.NodeMetaData;
    expect([node.totalKeys, node.version, node.model, node.lockStatus, node.ledLevel]).toEqual([2, '8.12', 'VT-MW4-SR4-10A', 0, 2]);
  });

  test('command override (an ACK sent as 01) and field errors', () => {
    const frame = parseFrame(encodeResponse('Acknowledgement', { type: 0 }, 3, { command: 0x01 }));
    expect([frame.command, frame.direction]).toEqual([0x01, Direction.INCOMING]);
    expect(codeOf(() => encodeResponse('NodeMetaData', { nodeId: 1, macAddress: '00:01', type: 1, keyTypes: [], firmware: '1.00', roomId: 0 }, 1))).toBe(
      'TH_ERR_VBOX_FIELD',
    );
    expect(
      codeOf(() => encodeResponse('NodeMetaData', { nodeId: 1, macAddress: '00:01:02:03:04:05:06:07', type: 1, keyTypes: [], firmware: 'v1', roomId: 0 }, 1)),
    ).toBe('TH_ERR_VBOX_FIELD');
    expect(codeOf(() => encodeResponse('Nope', {}, 1))).toBe('TH_ERR_VBOX_UNKNOWN_MESSAGE');
    expect(codeOf(() => encodeResponse('KeyStatus', { nodeId: 1, keyId: 1 }, 1))).toBe('TH_ERR_VBOX_FIELD');
  });
});
