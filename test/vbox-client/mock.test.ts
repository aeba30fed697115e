import { connect, type Socket } from 'node:net';
import { buildHouse, DEFAULT_HOUSE, loadHouseFile, startVboxMock, type VboxMock } from '../../runtime/mock/vbox/index.js';
import { Direction, encodeFrame, parseFrame, type VboxFrame } from '../../runtime/vbox/frame.js';
import { VboxFramer } from '../../runtime/vbox/framer.js';
import { createRequest } from '../../runtime/vbox/codec.js';
import { KeyType, NodeType } from '../../generated/vbox/index.js';
import { isThorsHammerError } from '../../runtime/errors.js';

// The mock vBox at byte level, through a raw TCP socket (no VboxClient involved).

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const mocks: VboxMock[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const m of mocks.splice(0)) await m.close();
});

async function start(options: Parameters<typeof startVboxMock>[0] = {}): Promise<VboxMock> {
  const m = await startVboxMock({ port: 0, username: 'user', password: 'super', ...options });
  mocks.push(m);
  return m;
}

/** A raw connection: write bytes, collect every frame (and each TCP chunk) that comes back. */
async function raw(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  const frames: VboxFrame[] = [];
  const chunks: Buffer[] = [];
  const framer = new VboxFramer({
    direction: Direction.INCOMING,
    onFrame: (f) => frames.push({ ...f, raw: Buffer.from(f.raw), payload: Buffer.from(f.payload) }),
  });
  let closed = false;
  let error: NodeJS.ErrnoException | undefined;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    framer.push(chunk);
  });
  socket.on('error', (e) => (error = e));
  socket.on('close', () => {
    closed = true;
    framer.close();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const until = async (predicate: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    socket,
    frames,
    chunks,
    get closed() {
      return closed;
    },
    get error() {
      return error;
    },
    until,
    /** Writes bytes and waits for `count` more frames. */
    async exchange(bytes: Buffer, count = 1) {
      const before = frames.length;
      socket.write(bytes);
      await until(() => frames.length >= before + count);
      return frames.slice(before, before + count);
    },
  };
}

const login = (id = 2) => createRequest('Login', { username: 'user', password: 'super' }).toBuffer(id);

describe('protocol byte for byte', () => {
  test('worked examples: E3 ToggleHeartbeat and E2 Login are ACKed with the same msgId (E6 shape)', async () => {
    const m = await start();
    const c = await raw(m.port);
    const [toggleAck] = await c.exchange(hex('56 54 55 3E 08 00 04 01 01 01 4C'));
    expect(toggleAck!.raw).toEqual(hex('56 54 55 3C 00 00 03 01 00 3F'));
    const [loginAck] = await c.exchange(hex('56 54 55 3E 01 00 16 01 08 75 00 73 00 65 00 72 00 0A 73 00 75 00 70 00 65 00 72 00 55'));
    expect(loginAck!.raw).toEqual(hex('56 54 55 3C 00 00 03 01 00 3F'));
    // E1 RoomCount (msgId 1D): same command, same msgId, direction 3C, valid checksum.
    const [rooms] = await c.exchange(hex('56 54 55 3E 1D 00 02 1D 79'));
    expect([rooms!.direction, rooms!.command, rooms!.messageId]).toEqual([0x3c, 0x1d, 0x1d]);
    expect(() => parseFrame(rooms!.raw, { direction: 0x3c })).not.toThrow();
    expect([...rooms!.payload]).toEqual([5, 0, 1, 2, 3, 4]);
    expect(m.received.map((r) => r.name)).toEqual(['ToggleHeartbeat', 'Login', 'RoomCount']);
  });

  test('msgId 0 is accepted and echoed', async () => {
    const m = await start();
    const c = await raw(m.port);
    const [ack] = await c.exchange(createRequest('Heartbeat').toBuffer(0));
    expect([ack!.command, ack!.messageId, ack!.payload[0]]).toEqual([0, 0, 0]);
  });

  test('login enforced: NACK before login (or silence), NACK for wrong credentials', async () => {
    const m = await start();
    const c = await raw(m.port);
    const [early] = await c.exchange(createRequest('NodeCount').toBuffer(5));
    expect([early!.command, early!.messageId, early!.payload[0]]).toEqual([0, 5, 1]);
    const [wrong] = await c.exchange(createRequest('Login', { username: 'user', password: 'nope' }).toBuffer(6));
    expect([wrong!.command, wrong!.payload[0]]).toEqual([0, 1]);
    const [right] = await c.exchange(login(7));
    expect([right!.command, right!.payload[0]]).toEqual([0, 0]);
    const [nodes] = await c.exchange(createRequest('NodeCount').toBuffer(8));
    expect(nodes!.command).toBe(0x24);

    const quiet = await start({ preLogin: 'silence' });
    const q = await raw(quiet.port);
    q.socket.write(createRequest('RoomCount').toBuffer(1));
    // Replies come in request order: an answer to RoomCount would arrive before the Login ACK.
    const [loginAck] = await q.exchange(login(2));
    expect([loginAck!.command, loginAck!.messageId]).toEqual([0, 2]);
    expect(q.frames).toHaveLength(1);
    expect(quiet.received.map((r) => r.name)).toEqual(['RoomCount', 'Login']);

    const open = await start({ enforceLogin: false });
    const o = await raw(open.port);
    const [answered] = await o.exchange(createRequest('RoomCount').toBuffer(1));
    expect(answered!.command).toBe(0x1d);
  });

  test('ToggleKeyStatus: ACK, then an unsolicited 29 (msgId 0) with the new state, when pushes are enabled', async () => {
    const m = await start();
    const c = await raw(m.port);
    await c.exchange(createRequest('ToggleHeartbeat', { enable: true, unsolicited: true }).toBuffer(1));
    await c.exchange(login(2));
    // E4: ToggleKeyStatus(node 1, key 2, OFF), msgId 79 — byte for byte from the reference.
    const [ack, push] = await c.exchange(hex('56 54 55 3E 28 00 08 79 01 02 46 00 00 00 2F'), 2);
    expect([ack!.command, ack!.messageId, ack!.payload[0]]).toEqual([0, 0x79, 0]);
    expect([push!.command, push!.messageId, ...push!.payload.subarray(0, 3)]).toEqual([0x29, 0, 1, 2, 0x46]);
    expect(push!.payload).toHaveLength(8); // node, key, power + 5 trailing bytes
    expect(m.house.nodes[0]!.keys[2]!.power).toBe(0x46);
  });

  test('no pushes when ToggleHeartbeat disabled them; press() then reaches nobody', async () => {
    const m = await start();
    const c = await raw(m.port);
    await c.exchange(createRequest('ToggleHeartbeat', { enable: true, unsolicited: false }).toBuffer(1));
    await c.exchange(login(2));
    const frames = await c.exchange(createRequest('ToggleKeyStatus', { nodeId: 1, keyId: 0, power: 'ON' }).toBuffer(3));
    expect(frames[0]!.command).toBe(0);
    // A push follows its ACK at once; the reply to a later request proves none came in between.
    await c.exchange(createRequest('Heartbeat').toBuffer(4));
    expect(c.frames.map((f) => [f.command, f.messageId])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [0, 4],
    ]);
    expect(m.press(1, 0).power).toBe(0x46);
    expect(m.pushKeyStatus(1, 0)).toBe(false);
  });

  test('pushIntervalMs simulates wall presses', async () => {
    const m = await start({ pushIntervalMs: 20 });
    const c = await raw(m.port);
    await c.exchange(createRequest('ToggleHeartbeat').toBuffer(1));
    await c.exchange(login(2));
    await c.until(() => c.frames.filter((f) => f.command === 0x29).length >= 3);
    const pushes = c.frames.filter((f) => f.command === 0x29);
    expect(pushes.every((f) => f.messageId === 0)).toBe(true);
    expect(new Set(pushes.map((f) => `${f.payload[0]}/${f.payload[1]}`)).size).toBe(pushes.length);
  });
});

describe('one client at a time', () => {
  test('a second connection is closed at once; the first is unaffected', async () => {
    const m = await start();
    const first = await raw(m.port);
    await first.exchange(login(1));
    const second = await raw(m.port);
    await second.until(() => second.closed);
    expect(second.frames).toHaveLength(0);
    expect(m.refusedCount).toBe(1);
    const [rooms] = await first.exchange(createRequest('RoomCount').toBuffer(2));
    expect(rooms!.command).toBe(0x1d);
  });

  test("'replace' drops the first client", async () => {
    const m = await start({ secondClient: 'replace' });
    const first = await raw(m.port);
    await first.exchange(login(1));
    const second = await raw(m.port);
    await first.until(() => first.closed);
    await second.exchange(login(1));
    expect(m.connectionCount).toBe(2);
  });
});

describe('faults', () => {
  test('times-limited faults revert by themselves; once() affects exactly one request', async () => {
    const m = await start();
    const c = await raw(m.port);
    await c.exchange(login(1));
    m.faults.set({ ackType: 3 }, { times: 2 });
    const a = await c.exchange(createRequest('Heartbeat').toBuffer(2));
    const b = await c.exchange(createRequest('Heartbeat').toBuffer(3));
    const d = await c.exchange(createRequest('Heartbeat').toBuffer(4));
    expect([a[0]!.payload[0], b[0]!.payload[0], d[0]!.payload[0]]).toEqual([3, 3, 0]);
    m.faults.once({ ignoreHeartbeats: true });
    c.socket.write(createRequest('Heartbeat').toBuffer(5));
    const [after] = await c.exchange(createRequest('Heartbeat').toBuffer(6));
    expect(after!.messageId).toBe(6);
    expect(c.frames.some((f) => f.messageId === 5)).toBe(false);
    expect(() => m.faults.set({ silence: true }, { times: 0 })).toThrow(RangeError);
  });

  test('corruptChecksum: the reply fails its checksum', async () => {
    const m = await start({ faults: { corruptChecksum: true } });
    const c = await raw(m.port);
    c.socket.write(login(1));
    await c.until(() => c.chunks.length > 0);
    const bytes = Buffer.concat(c.chunks);
    expect(() => parseFrame(bytes)).toThrow(expect.objectContaining({ code: 'TH_ERR_VBOX_CHECKSUM' }));
  });

  test("split 'bytes' writes one byte per TCP chunk; merge coalesces an ACK and its push", async () => {
    const m = await start({ faults: { split: 'bytes' } });
    const c = await raw(m.port);
    const [ack] = await c.exchange(login(1));
    expect(ack!.raw).toHaveLength(10);
    expect(c.chunks.length).toBeGreaterThanOrEqual(5); // loopback may still coalesce a few
    m.faults.set({ split: 'off', merge: true });
    await c.exchange(createRequest('ToggleHeartbeat').toBuffer(2));
    const chunksBefore = c.chunks.length;
    await c.exchange(createRequest('ToggleKeyStatus', { nodeId: 1, keyId: 0, power: 'ON' }).toBuffer(3), 2);
    expect(c.chunks.length - chunksBefore).toBe(1);
  });

  test("dropOnRequest 'rst' resets the connection; 'fin' closes it cleanly", async () => {
    const m = await start();
    const c = await raw(m.port);
    m.faults.once({ dropOnRequest: 'rst' });
    c.socket.write(login(1));
    await c.until(() => c.closed);
    expect(c.error?.code).toBe('ECONNRESET');
    const d = await raw(m.port);
    m.faults.once({ dropOnRequest: 'fin' });
    d.socket.write(login(1));
    await d.until(() => d.closed);
    expect(d.error).toBeUndefined();
    expect(d.frames).toHaveLength(0);
  });

  test('delayMs delays replies; silence answers nothing; answerNodeStatus answers 23', async () => {
    const m = await start({ enforceLogin: false });
    const c = await raw(m.port);
    m.faults.once({ delayMs: 120 });
    const started = Date.now();
    await c.exchange(createRequest('RoomCount').toBuffer(1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    m.faults.once({ silence: true });
    c.socket.write(createRequest('RoomCount').toBuffer(2));
    c.socket.write(createRequest('NodeStatus', { nodeId: 1 }).toBuffer(3)); // silent by default
    await c.until(() => m.received.length === 3);
    m.faults.once({ answerNodeStatus: true });
    const [status] = await c.exchange(createRequest('NodeStatus', { nodeId: 1 }).toBuffer(4));
    expect([status!.command, status!.messageId]).toEqual([0x23, 4]);
    expect(c.frames.map((f) => f.messageId)).toEqual([1, 4]);
  });

  test('garbage and client frames with a bad checksum are skipped; the next good frame is answered', async () => {
    const m = await start({ enforceLogin: false, log: () => undefined });
    const c = await raw(m.port);
    const bad = Buffer.from(createRequest('RoomCount').toBuffer(1));
    bad[bad.length - 1] ^= 0xff;
    const [answer] = await c.exchange(Buffer.concat([hex('00 11 22 56 54'), bad, createRequest('NodeCount').toBuffer(2)]));
    expect([answer!.command, answer!.messageId]).toEqual([0x24, 2]);
    expect(m.received.map((r) => r.name)).toEqual(['NodeCount']);
  });
});

describe('house model', () => {
  test('the built-in house has real node types and one key of every KeyType', () => {
    const house = buildHouse(DEFAULT_HOUSE);
    const keyTypes = new Set(house.nodes.flatMap((n) => n.keys.map((k) => k.type)));
    for (const [name, value] of Object.entries(KeyType)) {
      if (name !== 'ALL_NODES') expect(keyTypes.has(value)).toBe(true);
    }
    const knownTypes = new Set<number>(Object.values(NodeType));
    expect(house.nodes.every((n) => knownTypes.has(n.type))).toBe(true);
    expect(house.rooms.some((r) => /[\u0590-\u05FF]/.test(r.name))).toBe(true);
  });

  test('the fixture house loads; enum names and numbers both work', () => {
    const house = loadHouseFile('test/fixtures/vbox/house.json');
    expect(house.rooms.map((r) => r.id)).toEqual([0, 1, 7]);
    expect(house.nodes[2]!.type).toBe(NodeType.TemperatureSensor);
    expect(house.nodes[2]!.ledLevel).toBe(3);
    expect(house.nodes[1]!.version).toEqual([8, 0, 1]);
  });

  test.each([
    [{ rooms: [], nodes: [{ id: 1, type: 'NOPE', roomId: 0, keys: [] }] }, 'nodes[0].type'],
    [{ rooms: [], nodes: [{ id: 1, type: 3, roomId: 0, keys: [{ type: 'TOGGLE', dimmerRatio: 120 }] }] }, 'nodes[0].keys[0].dimmerRatio'],
    [
      {
        rooms: [
          { id: 1, name: 'a' },
          { id: 1, name: 'b' },
        ],
        nodes: [],
      },
      'id 1 twice',
    ],
    [{ rooms: [{ id: 300, name: 'a' }], nodes: [] }, 'rooms[0].id'],
    [{ rooms: [], nodes: [{ id: 1, type: 3, roomId: 0, mac: 'xyz', keys: [] }] }, 'nodes[0].mac'],
    [{ rooms: [], nodes: [{ id: 1, type: 3, roomId: 0, version: '7', keys: [] }] }, 'nodes[0].version'],
    [{ rooms: {} }, 'rooms must be an array'],
    ['nonsense', 'must be an object'],
  ])('an invalid house is refused with its JSON path (%#)', (definition, where) => {
    try {
      buildHouse(definition);
      throw new Error('expected an error');
    } catch (error) {
      expect(isThorsHammerError(error) && error.code).toBe('TH_ERR_VBOX_MOCK');
      expect((error as Error).message).toContain(where);
    }
  });

  test('a house file that is not JSON names the file', () => {
    expect(() => loadHouseFile('docs/vbox-client.md')).toThrow(/docs\/vbox-client\.md is not valid JSON/);
  });

  test('a port in use is a clear TH_ERR_VBOX_MOCK', async () => {
    const m = await start();
    await expect(startVboxMock({ port: m.port })).rejects.toMatchObject({ code: 'TH_ERR_VBOX_MOCK' });
  });

  test('every frame the mock writes is well formed (checked across a session)', async () => {
    const m = await start();
    const c = await raw(m.port);
    const session = [
      createRequest('ToggleHeartbeat').toBuffer(1),
      login(2),
      createRequest('RoomCount').toBuffer(3),
      ...m.house.rooms.map((r, i) => createRequest('RoomMetaData', { roomId: r.id }).toBuffer(4 + i)),
      ...m.house.nodes.map((n, i) => createRequest('NodeMetaData', { nodeId: n.id }).toBuffer(20 + i)),
      createRequest('KeyParameters', { nodeId: 3, keyId: 0 }).toBuffer(40),
      createRequest('KeyStatus', { nodeId: 3, keyId: 0 }).toBuffer(41),
      createRequest('InternalUnitStatuses').toBuffer(42),
    ];
    for (const frame of session) await c.exchange(frame);
    expect(c.frames).toHaveLength(session.length);
    for (const [i, frame] of c.frames.entries()) {
      expect(frame.messageId).toBe(session[i]![7]);
      expect(() => parseFrame(frame.raw, { direction: Direction.INCOMING })).not.toThrow();
    }
    expect(encodeFrame).toBeDefined();
  });
});
