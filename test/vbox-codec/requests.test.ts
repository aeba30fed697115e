import { CommandId, KeyPowerStatus, requestClasses, requests } from '../../generated/vbox/index.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { createRequest, decodeRequest } from '../../runtime/vbox/codec.js';
import { checksum, parseFrame } from '../../runtime/vbox/frame.js';
import { hex, WORKED_EXAMPLES } from './examples.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isThorsHammerError(error) ? error.code : `not a ThorsHammerError: ${String(error)}`;
  }
  return undefined;
}

const frameHex = (text: string) => hex(text).toString('hex');

describe('vBox requests: exact bytes', () => {
  test('E1 RoomCount, msgId 1D', () => {
    expect(new requests.RoomCount().toBuffer(0x1d).toString('hex')).toBe(frameHex(WORKED_EXAMPLES.E1));
  });

  test("E2 Login('user', 'super'), msgId 01", () => {
    expect(new requests.Login({ username: 'user', password: 'super' }).toBuffer(1).toString('hex')).toBe(frameHex(WORKED_EXAMPLES.E2));
  });

  test('E3 ToggleHeartbeat with its defaults', () => {
    const r = new requests.ToggleHeartbeat();
    expect(r.enable).toBe(true);
    expect(r.unsolicited).toBe(true);
    expect(r.toBuffer(1).toString('hex')).toBe(frameHex(WORKED_EXAMPLES.E3));
  });

  test('E4 ToggleKeyStatus(1, 2, OFF), msgId 79, by enum name and by value', () => {
    expect(new requests.ToggleKeyStatus({ nodeId: 1, keyId: 2, power: 'OFF' }).toBuffer(0x79).toString('hex')).toBe(frameHex(WORKED_EXAMPLES.E4));
    expect(new requests.ToggleKeyStatus({ nodeId: 1, keyId: 2, power: KeyPowerStatus.OFF }).toBuffer(0x79).toString('hex')).toBe(frameHex(WORKED_EXAMPLES.E4));
  });

  test('E5 NodeMetaData for node 1, msgId 34', () => {
    expect(new requests.NodeMetaData({ nodeId: 1 }).toBuffer(0x34).toString('hex')).toBe(frameHex(WORKED_EXAMPLES.E5));
  });

  test('ToggleKeyStatus with a timer but no dimmer: the arithmetically correct checksum (33, not the reference 04)', () => {
    const frame = new requests.ToggleKeyStatus({ nodeId: 1, keyId: 2, power: 'OFF', timer: 6890 }).toBuffer(0x79);
    expect(frame.toString('hex')).toBe('5654553e28000879010246001aea33');
    expect(frame.subarray(0, -1).reduce((sum, b) => sum + b, 0) & 0xff).toBe(0x33);
    expect(frame[frame.length - 1]).toBe(checksum(frame, frame.length - 1));
  });

  test('ToggleKeyStatus with a dimmer ratio', () => {
    expect(new requests.ToggleKeyStatus({ nodeId: 1, keyId: 2, power: 'OFF', dimmerRatio: 99 }).toBuffer(0x79).toString('hex')).toBe(
      '5654553e28000879010246630000' + '92',
    );
  });

  test('every other request (checksums computed independently)', () => {
    expect(new requests.Heartbeat().toBuffer(5).toString('hex')).toBe('5654553e07000205' + '4b');
    expect(new requests.RoomMetaData({ roomId: 3 }).toBuffer(2).toString('hex')).toBe('5654553e1a00030203' + '5f');
    expect(new requests.ToggleNodeStatus({ nodeId: 4, lockStatus: 'LOCKED', ledLevel: 'MAX' }).toBuffer(9).toString('hex')).toBe(
      '5654553e1e0005090401' + '04' + '72',
    );
    expect(new requests.NodeStatus({ nodeId: 4 }).toBuffer(9).toString('hex')).toBe('5654553e230004090400' + '71');
    expect(new requests.NodeCount().toBuffer(0x0a).toString('hex')).toBe('5654553e2400020a' + '6d');
    expect(new requests.KeyStatus({ nodeId: 1, keyId: 0 }).toBuffer(0x48).toString('hex')).toBe('5654553e290004480100' + 'b3');
    expect(new requests.KeyParameters({ nodeId: 1, keyId: 0 }).toBuffer(0x78).toString('hex')).toBe('5654553e2b0004780100' + 'e5');
    expect(new requests.InternalUnitStatuses().toBuffer(1).toString('hex')).toBe('5654553e60000201' + 'a0');
    // Every frame above carries a valid checksum and length.
    for (const cls of Object.values(requestClasses)) {
      const r = createRequest(cls.descriptor.name, sampleFields(cls.descriptor.name));
      const frame = r.toBuffer(200);
      expect(() => parseFrame(frame)).not.toThrow();
    }
  });

  test('Login with non-ASCII text: UTF-16LE, length prefix counts bytes', () => {
    const frame = new requests.Login({ username: 'דני', password: 'pässwörd🔑' }).toBuffer(1);
    const payload = parseFrame(frame).payload;
    expect(payload[0]).toBe(6);
    expect(payload.subarray(1, 7).toString('utf16le')).toBe('דני');
    expect(payload[7]).toBe(Buffer.byteLength('pässwörd🔑', 'utf16le'));
    expect(payload[7]).toBe(20); // 8 BMP chars + one surrogate pair
    expect(payload.subarray(8).toString('utf16le')).toBe('pässwörd🔑');
    expect(decodeRequest(parseFrame(frame)).fields).toEqual({ username: 'דני', password: 'pässwörd🔑' });
  });

  test('message id edge values: 0, 1, 255 encode; 256, -1 and 1.5 are field errors', () => {
    for (const id of [0, 1, 255]) expect(new requests.Heartbeat().toBuffer(id)[7]).toBe(id);
    for (const id of [256, -1, 1.5]) expect(codeOf(() => new requests.Heartbeat().toBuffer(id))).toBe('TH_ERR_VBOX_FIELD');
  });

  test('statics and instance metadata', () => {
    expect(requests.ToggleKeyStatus.command).toBe(0x28);
    expect(requests.ToggleKeyStatus.replyKind).toBe('ack');
    expect(requests.RoomCount.replyKind).toBe('same');
    expect(requests.KeyStatus.replyKind).toBe('status');
    expect(requests.NodeStatus.replyKind).toBe('unknown');
    const r = new requests.ToggleKeyStatus({ nodeId: 1, keyId: 2, power: 'ON' });
    expect(r.command).toBe(0x28);
    expect(r.replyKind).toBe('ack');
    expect(r.toPayload().toString('hex')).toBe('01024f000000');
    expect(r.toPayload('v1').equals(r.toPayload('v2'))).toBe(true);
    expect(r.toJSON()).toEqual({ nodeId: 1, keyId: 2, power: 'ON', dimmerRatio: 0, timer: 0 });
    expect(CommandId.ToggleKeyStatus).toBe(0x28);
    expect(Object.keys(CommandId)).toHaveLength(16);
  });

  test('validation: ranges, required, unknown and wrongly typed fields are TH_ERR_VBOX_FIELD', () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF', dimmerRatio: 101 }],
      ['ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF', dimmerRatio: -1 }],
      ['ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF', timer: 65536 }],
      ['ToggleKeyStatus', { nodeId: 256, keyId: 2, power: 'OFF' }],
      ['ToggleKeyStatus', { nodeId: 1, keyId: 2 }],
      ['ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'DIM' }],
      ['ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF', colour: 'red' }],
      ['ToggleKeyStatus', { nodeId: 'one', keyId: 2, power: 'OFF' }],
      ['ToggleHeartbeat', { enable: 'maybe' }],
      ['Login', { username: 'u' }],
      ['Login', { username: 5, password: 'p' }],
      ['Login', { username: 'x'.repeat(128), password: 'p' }],
      ['NodeStatus', { nodeId: 1, marker: 1 }],
      ['Heartbeat', { anything: 1 }],
    ];
    for (const [name, fields] of bad) {
      expect([name, fields, codeOf(() => createRequest(name, fields))]).toEqual([name, fields, 'TH_ERR_VBOX_FIELD']);
    }
    expect(codeOf(() => createRequest('NoSuchRequest', {}))).toBe('TH_ERR_VBOX_UNKNOWN_MESSAGE');
    try {
      createRequest('ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF', dimmerRatio: 101 });
    } catch (error) {
      expect((error as Error).message).toBe('ToggleKeyStatus.dimmerRatio must be an integer 0–100, got 101');
    }
  });

  test('createRequest accepts text values (CLI), enum names in any case and numbers for unknown enum values', () => {
    const r = createRequest('togglekeystatus', { nodeId: '1', keyId: '0x02', power: 'off', timer: '300' });
    expect(r.toJSON()).toEqual({ nodeId: 1, keyId: 2, power: 'OFF', dimmerRatio: 0, timer: 300 });
    const odd = createRequest('ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 0x41 });
    expect(odd.toJSON().power).toBe(0x41);
    expect(createRequest('ToggleHeartbeat', { enable: '0', unsolicited: false }).toPayload().toString('hex')).toBe('0000');
  });

  test('decodeRequest parses every request back into its fields', () => {
    for (const cls of Object.values(requestClasses)) {
      const name = cls.descriptor.name;
      const request = createRequest(name, sampleFields(name));
      const decoded = decodeRequest(parseFrame(request.toBuffer(77)));
      expect(decoded.name).toBe(name);
      expect(decoded.command).toBe(cls.command);
      expect(decoded.lengthMismatch).toBeUndefined();
      expect(createRequest(name, decoded.fields).toBuffer(77).equals(request.toBuffer(77))).toBe(true);
    }
    const short = decodeRequest({ direction: 0x3e, command: 0x28, messageId: 1, payload: Buffer.from([1, 2]), raw: Buffer.alloc(0) });
    expect(short.lengthMismatch).toBe(true);
    expect(
      codeOf(() => decodeRequest({ direction: 0x3e, command: 0x28, messageId: 1, payload: Buffer.from([1, 2]), raw: Buffer.alloc(0) }, { strict: true })),
    ).toBe('TH_ERR_VBOX_DECODE');
    expect(codeOf(() => decodeRequest({ direction: 0x3e, command: 0x99, messageId: 1, payload: Buffer.alloc(0), raw: Buffer.alloc(0) }))).toBe(
      'TH_ERR_VBOX_UNKNOWN_MESSAGE',
    );
  });
});

/** Plausible fields for each request. */
function sampleFields(name: string): Record<string, unknown> {
  switch (name) {
    case 'Login':
      return { username: 'admin', password: 'sécret' };
    case 'ToggleHeartbeat':
      return { enable: true, unsolicited: false };
    case 'RoomMetaData':
      return { roomId: 7 };
    case 'ToggleNodeStatus':
      return { nodeId: 3, lockStatus: 'UNLOCKED', ledLevel: 'LOW' };
    case 'NodeMetaData':
    case 'NodeStatus':
      return { nodeId: 9 };
    case 'ToggleKeyStatus':
      return { nodeId: 3, keyId: 1, power: 'ON', dimmerRatio: 100, timer: 65535 };
    case 'KeyStatus':
    case 'KeyParameters':
      return { nodeId: 3, keyId: 4 };
    default:
      return {};
  }
}
