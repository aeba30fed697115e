import { inspect } from 'node:util';
import { AckType, KeyPowerStatus } from '../../generated/vbox/index.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { VboxClient } from '../../runtime/vbox/client.js';
import { VboxNackError, VboxNotConnectedError } from '../../runtime/vbox/client-errors.js';
import { closeAll, client, eventually, expectNoReconnection, FAST, mock, next, PASS, rejection, USER } from './helpers.js';

// VboxClient against the in-process mock vBox on loopback: real sockets, real frames.

afterEach(closeAll);

describe('handshake', () => {
  test('ToggleHeartbeat then Login, nothing else before the Login ACK; connect() resolves only then', async () => {
    const m = await mock({ faults: { delayMs: 40 } });
    const c = client(m.port);
    const events: string[] = [];
    c.on('connected', () => events.push('connected'));
    c.on('ready', () => events.push('ready'));
    const connecting = c.connect();
    // Submitted before ready: must be held until after the Login ACK.
    const early = c.roomCount();
    expect(c.isReady).toBe(false);
    await connecting;
    expect(c.state).toBe('ready');
    expect(events).toEqual(['connected', 'ready']);
    await early;
    const beforeLogin = m.received.filter((r) => !r.loggedIn);
    expect(beforeLogin.map((r) => r.command)).toEqual([0x08, 0x01]);
    expect(beforeLogin[0]!.fields).toMatchObject({ enable: true, unsolicited: true });
    expect(beforeLogin[1]!.fields).toMatchObject({ username: USER, password: PASS });
    expect(m.received.map((r) => r.command)).toEqual([0x08, 0x01, 0x1d]);
    // msgIds count 1, 2, 3 on this client.
    expect(m.received.map((r) => r.messageId)).toEqual([1, 2, 3]);
  });

  test('a refused Login rejects connect() with VboxAuthError and never reconnects', async () => {
    const m = await mock();
    const c = client(m.port, { password: 'wrong' });
    const reconnections: unknown[] = [];
    c.on('reconnecting', (info) => reconnections.push(info));
    const error = await rejection(c.connect());
    expect(error.code).toBe('TH_ERR_VBOX_AUTH');
    expect(error.message).toContain(USER);
    expect(c.state).toBe('idle');
    expect(reconnections).toEqual([]);
    await expectNoReconnection(m, 1, FAST.reconnectMaxDelay! * 2);
    await expect(c.roomCount()).rejects.toBeInstanceOf(VboxNotConnectedError);
  });

  test('a dead host: connect() rejects with VboxConnectError, no crash, no retry', async () => {
    const m = await mock();
    const port = m.port;
    await m.close();
    const c = client(port);
    const error = await rejection(c.connect());
    expect(error.code).toBe('TH_ERR_VBOX_CONNECT');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(c.state).toBe('idle');
  });

  test('a silent vBox: the handshake times out (with retries of the same msgId)', async () => {
    const m = await mock({ faults: { silence: true } });
    const c = client(m.port, { requestTimeout: 60, maxRetries: 1 });
    const error = await rejection(c.connect());
    expect(error.code).toBe('TH_ERR_VBOX_TIMEOUT');
    expect(m.received.map((r) => [r.command, r.messageId])).toEqual([
      [0x08, 1],
      [0x08, 1],
    ]);
  });
});

describe('send before connect / after close', () => {
  test('rejects with TH_ERR_VBOX_NOT_CONNECTED, never throws synchronously', async () => {
    const m = await mock();
    const c = client(m.port);
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = c.keyStatus(1, 0);
    }).not.toThrow();
    expect((await rejection(promise!)).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    expect((await rejection(c.send(null as never))).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    await c.connect();
    await c.close();
    expect(c.state).toBe('closed');
    const after = await rejection(c.rooms());
    expect(after).toBeInstanceOf(VboxNotConnectedError);
    expect(after.message).toContain('closed');
    await c.close(); // idempotent
  });

  test('close() then connect() at once: both settle, one live socket, the client works', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const closing = c.close();
    const reopening = c.connect();
    await closing;
    await reopening;
    expect(c.state).toBe('ready');
    expect((await c.roomCount()).total).toBe(m.house.rooms.length);
    await eventually(() => m.connectionCount === 2 && m.hasClient);
    expect(m.refusedCount).toBe(0);
  });

  test('close() rejects in-flight and queued requests and never reconnects', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    m.faults.set({ silence: true });
    const reconnections: unknown[] = [];
    c.on('reconnecting', (info) => reconnections.push(info));
    const inFlight = c.roomCount();
    const queued = c.nodeCount();
    await eventually(() => m.received.some((r) => r.command === 0x1d), undefined, 'the in-flight request to reach the mock');
    await c.close();
    expect((await rejection(inFlight)).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    expect((await rejection(queued)).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    expect(reconnections).toEqual([]);
    await eventually(() => !m.hasClient, undefined, 'the mock to see the client leave');
    m.faults.set({ silence: false });
    await expectNoReconnection(m, 1, FAST.reconnectMaxDelay! * 2);
  });
});

describe('queries', () => {
  test('every query answered from the house model', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const rooms = await c.rooms();
    expect(rooms.map((r) => [r.id, r.name])).toEqual(m.house.rooms.map((r) => [r.id, r.name]));
    expect(rooms[0]!.name).toBe('סלון');
    const count = await c.nodeCount();
    expect(count.list).toEqual(m.house.nodes.map((n) => n.id));
    const nodes = await c.nodes();
    expect(nodes).toHaveLength(m.house.nodes.length);
    const first = nodes[0]!;
    expect(first.macAddress).toBe('00:0D:6F:00:0E:FB:96:21');
    expect(first.model).toBe('VT-MW3-SR3-10A');
    expect(first.version).toBe('7.93');
    expect(first.keysList.map((k) => k.id)).toEqual([0, 1, 2]);
    const locked = nodes.find((n) => n.nodeId === 5)!;
    expect(locked.isLocked).toBe(true);
    const status = await c.keyStatus(1, 1);
    expect([status.nodeId, status.keyId, status.isOn]).toEqual([1, 1, true]);
    const parameters = await c.keyParameters(1, 1);
    expect(parameters.name).toBe('תאורה נסתרת');
    const internal = await c.internalUnitStatuses();
    expect(internal.command).toBe(0x60);
    expect(await c.nodeStatus(1)).toBeUndefined(); // §10: silent by default
    m.faults.set({ answerNodeStatus: true });
    const raw = await c.nodeStatus(2);
    expect(raw?.command).toBe(0x23);
    const ack = await c.setNodeStatus(2, 'LOCKED', 'HIGH');
    expect(ack.isOK).toBe(true);
    expect(m.house.nodes.find((n) => n.id === 2)!.lockStatus).toBe(1);
  });

  test('v1 layouts end to end', async () => {
    const m = await mock({ version: 'v1' });
    const c = client(m.port, { version: 'v1' });
    await c.connect();
    const node = await c.nodeMetaData(3);
    expect([node.model, node.roomId, node.totalKeys]).toEqual(['VT-MW3-DM3-400W', 1, 3]);
    expect((await c.keyParameters(3, 0)).name).toBe('Island');
  });

  test('a missing node is refused (NOT_AVAILABLE) with VboxNackError', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const error = await rejection(c.nodeMetaData(200));
    expect(error).toBeInstanceOf(VboxNackError);
    expect((error as VboxNackError).ackType).toBe(AckType.NOT_AVAILABLE);
  });
});

describe('decoding policy and plumbing', () => {
  test.each([
    ['lenient', false],
    ['strict', true],
  ] as const)('%s: a reply whose count disagrees with its ids', async (strictness, strict) => {
    const m = await mock();
    const c = client(m.port, { strictness, requestTimeout: 300, maxRetries: 0 });
    await c.connect();
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    m.faults.once({ silence: true });
    const asked = c.roomCount();
    await eventually(() => m.received.at(-1)?.command === 0x1d, 1000, 'the RoomCount request');
    const { encodeFrame, Direction } = await import('../../runtime/vbox/frame.js');
    m.pushRaw(encodeFrame(Direction.INCOMING, 0x1d, c.lastMessageId, Buffer.from([5, 0, 1])));
    if (strict) {
      expect((await rejection(asked)).code).toBe('TH_ERR_VBOX_DECODE');
    } else {
      const count = await asked;
      expect(count.lengthMismatch).toBe(true);
      expect(count.list).toEqual([0, 1]);
    }
    expect(errors).toHaveLength(0);
  });

  test('socketFactory and logger are used', async () => {
    const m = await mock();
    const { Socket } = await import('node:net');
    const targets: string[] = [];
    const debug: string[] = [];
    const c = client(m.port, {
      socketFactory: ({ host, port }) => {
        targets.push(`${host}:${port}`);
        return new Socket();
      },
      logger: { debug: (message) => debug.push(message) },
    });
    await c.connect();
    expect(targets).toEqual([`127.0.0.1:${m.port}`]);
    expect(debug.some((line) => line.includes('ack'))).toBe(true);
  });

  test('enumerations show as names: logger context, util.inspect of a status, NACK names; error events carry a code', async () => {
    const m = await mock();
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const c = client(m.port, { logger: { debug: (message, context) => logged.push([message, context]) } });
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    const pushed = next(c, 'keyStatus');
    await c.connect();
    await c.toggleKey(1, 0, 'ON');
    const [status, info] = await pushed;
    expect(info.solicited).toBe(false);
    expect(status.power).toBe(KeyPowerStatus.ON); // the value stays the wire number …
    expect(inspect(status)).toContain("power: 'ON'"); // … but console.log shows the name
    expect(inspect(status)).not.toContain('power: 79');
    await eventually(() => logged.some(([message]) => message === 'vbox: key status'), 3000, 'the key status log');
    expect(logged.find(([message]) => message === 'vbox: key status')![1]).toMatchObject({ nodeId: 1, keyId: 0, power: 'ON', solicited: false });
    expect(logged.find(([message]) => message === 'vbox: ack')![1]).toMatchObject({ type: 'ACK', matched: true });
    m.faults.once({ ackType: AckType.NOT_AVAILABLE });
    expect(await rejection(c.toggleKey(1, 0, 'OFF'))).toMatchObject({ ackType: 4, ackTypeName: 'NOT_AVAILABLE' });
    // A throwing listener is reported on 'error' as a ThorsHammerError that keeps the original as its cause.
    const boom = new TypeError('listener bug');
    c.once('heartbeat', () => {
      throw boom;
    });
    const reported = next(c, 'error');
    await c.heartbeat();
    c.emit('heartbeat', { acknowledged: true, misses: 0 });
    const [error] = await reported;
    expect(isThorsHammerError(error)).toBe(true);
    expect(error.code).toBe('TH_ERR_VBOX_REQUEST');
    expect(error.cause).toBe(boom);
    expect(errors).toEqual([error]);
  });

  test('send() accepts any generated request; a malformed one rejects with TH_ERR_VBOX_REQUEST', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const { createRequest } = await import('../../runtime/vbox/codec.js');
    const reply = await c.send(createRequest('KeyParameters', { nodeId: 1, keyId: 0 }));
    expect(reply?.toJSON()).toMatchObject({ name: 'Ceiling', category: 'LIGHT' });
    expect((await rejection(c.send({} as never))).code).toBe('TH_ERR_VBOX_REQUEST');
    expect((await rejection(c.send({ command: 1, replyKind: 'maybe', toBuffer: () => Buffer.alloc(0) } as never))).code).toBe('TH_ERR_VBOX_REQUEST');
  });
});

describe('toggles and pushes', () => {
  test('toggleKey is ACKed, the model changes and the pushed 29 arrives through keyStatus as unsolicited', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const pushes: Array<{ nodeId: number; keyId: number; isOn: boolean; solicited: boolean }> = [];
    const unsubscribe = c.onKeyStatus((s, info) => pushes.push({ nodeId: s.nodeId, keyId: s.keyId, isOn: s.isOn, solicited: info.solicited }));
    const ack = await c.toggleKey(1, 0, 'ON');
    expect(ack.isOK).toBe(true);
    await eventually(() => pushes.length === 1, 1000, 'the push');
    expect(pushes[0]).toEqual({ nodeId: 1, keyId: 0, isOn: true, solicited: false });
    expect(m.house.nodes[0]!.keys[0]!.power).toBe(KeyPowerStatus.ON);
    // Dimmer and timer reach the device.
    await c.toggleKey(3, 0, KeyPowerStatus.ON, { dimmerRatio: 35, timer: 300 });
    expect(m.received.at(-1)!.fields).toMatchObject({ nodeId: 3, keyId: 0, dimmerRatio: 35, timer: 300 });
    expect(m.house.nodes.find((n) => n.id === 3)!.keys[0]!.dimmerRatio).toBe(35);
    await eventually(() => pushes.length === 2, 1000, 'the second push');
    // A solicited status is flagged as such.
    await c.keyStatus(1, 0);
    await eventually(() => pushes.length === 3);
    expect(pushes[2]!.solicited).toBe(true);
    // Unsubscribed callbacks no longer run; wall presses still reach the event.
    unsubscribe();
    const pressed = next(c, 'keyStatus');
    m.press(8, 0);
    const [status, info] = await pressed;
    expect([status.nodeId, status.keyId, status.isOn, info.solicited]).toEqual([8, 0, true, false]);
    expect(pushes).toHaveLength(3);
  });

  test('a bad dimmer ratio is refused before anything is written', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const sent = m.received.length;
    const error = await rejection(c.toggleKey(1, 0, 'ON', { dimmerRatio: 101 }));
    expect(error.code).toBe('TH_ERR_VBOX_FIELD');
    expect(m.received.length).toBe(sent);
  });

  test('KeyStatus is not resolved by a push for another key arriving first', async () => {
    const m = await mock();
    const c = client(m.port, { requestTimeout: 200 });
    await c.connect();
    const seen: string[] = [];
    c.on('keyStatus', (s, info) => seen.push(`${s.nodeId}/${s.keyId}/${info.solicited ? 's' : 'u'}`));
    // The first attempt goes unanswered; pushes for other keys arrive meanwhile, one of them
    // even carrying the request's msgId; only the retry's answer resolves the request.
    m.faults.once({ silence: true });
    const asked = c.keyStatus(1, 2);
    await eventually(() => m.received.at(-1)?.command === 0x29, 1000, 'the KeyStatus request');
    m.press(1, 0, 'ON');
    m.pushKeyStatus(1, 1, { messageId: c.lastMessageId });
    const status = await asked;
    expect([status.nodeId, status.keyId]).toEqual([1, 2]);
    expect(m.received.filter((r) => r.command === 0x29)).toHaveLength(2);
    expect(seen).toEqual(['1/0/u', '1/1/u', '1/2/s']);
  });

  test('a NACK (IN_USE) rejects toggleKey with the AckType and is not retried', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    m.faults.once({ ackType: AckType.IN_USE });
    const error = await rejection(c.toggleKey(1, 0, 'OFF'));
    expect(error).toBeInstanceOf(VboxNackError);
    expect((error as VboxNackError).ackTypeName).toBe('IN_USE');
    expect(error.code).toBe('TH_ERR_VBOX_NACK');
    // One request in flight at a time: a retry of the refused one would reach the mock before the next.
    expect((await c.toggleKey(1, 0, 'OFF')).isOK).toBe(true);
    const toggles = m.received.filter((r) => r.command === 0x28);
    expect(toggles).toHaveLength(2);
    expect(toggles[1]!.messageId).not.toBe(toggles[0]!.messageId);
  });

  test('a throwing listener never breaks dispatch', async () => {
    const m = await mock();
    const c = client(m.port);
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    c.on('keyStatus', () => {
      throw new Error('listener bug');
    });
    const reached: number[] = [];
    c.on('keyStatus', (s) => reached.push(s.keyId));
    await c.connect();
    await c.toggleKey(1, 2, 'ON');
    await eventually(() => reached.length === 1);
    expect(errors[0]?.message).toContain('listener bug');
    expect((await c.keyStatus(1, 2)).isOn).toBe(true);
  });
});

describe('framing faults from the mock', () => {
  test.each([
    ['byte by byte', { split: 'bytes' as const }],
    ['random chunks', { split: 'random' as const }],
    ['merged writes', { merge: true }],
  ])('%s: every reply and push still arrives exactly once', async (_name, faults) => {
    const m = await mock({ faults });
    const c = client(m.port, { requestTimeout: 800 });
    const pushes: number[] = [];
    c.onKeyStatus((s, info) => {
      if (!info.solicited) pushes.push(s.keyId);
    });
    await c.connect();
    expect((await c.rooms()).length).toBe(m.house.rooms.length);
    await c.toggleKey(1, 0, 'ON');
    await c.toggleKey(1, 1, 'OFF');
    expect((await c.keyStatus(1, 1)).isOff).toBe(true);
    await eventually(() => pushes.length === 2, 2000, 'two pushes');
    expect(pushes).toEqual([0, 1]);
    // No request needed a retry.
    expect(new Set(m.received.map((r) => r.messageId)).size).toBe(m.received.length);
  });

  test('a corrupt checksum is dropped as invalidFrame; the retry (same msgId) succeeds', async () => {
    const m = await mock();
    const c = client(m.port);
    const invalid: string[] = [];
    c.on('invalidFrame', (e) => invalid.push(e.reason));
    await c.connect();
    m.faults.once({ corruptChecksum: true });
    const count = await c.roomCount();
    expect(count.total).toBe(m.house.rooms.length);
    expect(invalid).toContain('checksum');
    const roomCounts = m.received.filter((r) => r.command === 0x1d);
    expect(roomCounts).toHaveLength(2);
    expect(roomCounts[0]!.messageId).toBe(roomCounts[1]!.messageId);
    expect(roomCounts[0]!.raw).toEqual(roomCounts[1]!.raw);
  });

  test('an unknown command and a C8 push: the first surfaces as unknownFrame, C8 is ignored', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const unknown: number[] = [];
    c.on('unknownFrame', ({ frame }) => unknown.push(frame.command));
    const { encodeFrame, Direction } = await import('../../runtime/vbox/frame.js');
    m.pushRaw(encodeFrame(Direction.INCOMING, 0xc8, 0, Buffer.from([0, 1, 0, 0x0d, 0x6f, 0, 0x0e, 0xfb, 0x96, 0x21])));
    m.pushRaw(encodeFrame(Direction.INCOMING, 0x65, 0, Buffer.from([1, 2, 3])));
    await eventually(() => unknown.length === 1);
    await c.roomCount();
    expect(unknown).toEqual([0x65]);
  });
});

describe('link loss and reconnection', () => {
  test.each(['fin', 'rst'] as const)('drop (%s): in-flight rejects, queued waits, the client reconnects, replays login and carries on', async (kind) => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    const firstIds = m.received.map((r) => r.messageId);
    const disconnected = next(c, 'disconnected');
    const reconnecting = next(c, 'reconnecting');
    const ready = next(c, 'ready');
    m.faults.once({ dropOnRequest: kind });
    const inFlight = c.roomCount();
    const queued = c.nodeCount();
    const lost = await rejection(inFlight);
    expect(lost.code).toBe('TH_ERR_VBOX_CONNECTION_LOST');
    const [info] = await disconnected;
    expect(info.reason).toBe(kind === 'fin' ? 'end' : 'reset');
    expect(info.willReconnect).toBe(true);
    const [attempt] = await reconnecting;
    expect(attempt.attempt).toBe(1);
    expect(attempt.delay).toBeGreaterThanOrEqual(40);
    expect(attempt.delay).toBeLessThanOrEqual(60);
    const [readyInfo] = await ready;
    expect(readyInfo.reconnect).toBe(true);
    expect((await queued).total).toBe(m.house.nodes.length);
    // Handshake replayed on connection 2; msgIds kept counting.
    const second = m.received.filter((r) => r.connection === 2);
    expect(second.slice(0, 2).map((r) => r.command)).toEqual([0x08, 0x01]);
    expect(second[0]!.messageId).toBeGreaterThan(Math.max(...firstIds));
    // Callbacks survive reconnection.
    const pushed = next(c, 'keyStatus');
    m.press(1, 0);
    await pushed;
  });

  test('the mock goes silent: timeouts with retries of the same msgId, then heartbeat misses → reconnect', async () => {
    const m = await mock();
    const c = client(m.port, { requestTimeout: 80, maxRetries: 1, heartbeatInterval: 60, heartbeatMaxMisses: 2 });
    await c.connect();
    const heartbeats: Array<{ acknowledged: boolean; misses: number }> = [];
    c.on('heartbeat', (h) => heartbeats.push(h));
    await eventually(() => heartbeats.some((h) => h.acknowledged), 2000, 'an acknowledged heartbeat');
    m.faults.set({ silence: true });
    const error = await rejection(c.roomCount());
    expect(error.code).toBe('TH_ERR_VBOX_TIMEOUT');
    const attempts = m.received.filter((r) => r.command === 0x1d);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.raw).toEqual(attempts[1]!.raw);
    const [info] = await next(c, 'disconnected', 3000);
    expect(info.reason).toBe('heartbeat');
    expect(heartbeats.filter((h) => !h.acknowledged).map((h) => h.misses)).toEqual([1, 2]);
    m.faults.clear();
    await next(c, 'ready', 3000);
    expect((await c.roomCount()).total).toBe(m.house.rooms.length);
  });

  test('unacked heartbeats only (everything else answered) still mark the link dead', async () => {
    const m = await mock({ faults: { ignoreHeartbeats: true } });
    const c = client(m.port, { requestTimeout: 60, heartbeatInterval: 40, heartbeatMaxMisses: 3 });
    await c.connect();
    const [info] = await next(c, 'disconnected', 3000);
    expect(info.reason).toBe('heartbeat');
    expect(m.received.filter((r) => r.command === 0x07).length).toBeGreaterThanOrEqual(3);
    await next(c, 'ready', 3000);
  });

  test('reconnection backs off exponentially while the vBox is down, then gives up after maxReconnectAttempts', async () => {
    const m = await mock();
    const c = client(m.port, { maxReconnectAttempts: 3, reconnectBaseDelay: 20, reconnectMaxDelay: 1000, reconnectJitter: 0 });
    await c.connect();
    const delays: number[] = [];
    c.on('reconnecting', (r) => delays.push(r.delay));
    const errors: string[] = [];
    c.on('error', (e) => errors.push((e as { code?: string }).code ?? ''));
    const disconnected = next(c, 'disconnected');
    await m.close();
    const [info] = await disconnected;
    expect(info.willReconnect).toBe(true);
    // Queued while reconnecting: it waits, then fails when the client gives up.
    const duringOutage = rejection(c.roomCount());
    await eventually(() => errors.includes('TH_ERR_VBOX_RECONNECT_GAVE_UP'), 3000, 'give-up');
    expect(delays).toEqual([20, 40, 80]);
    // Attempts 1 and 2 failed and were retried (reported on 'error'); the third gave up.
    expect(errors.filter((e) => e === 'TH_ERR_VBOX_CONNECT')).toHaveLength(2);
    expect((await duringOutage).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    expect(c.state).toBe('idle');
  });

  test('credentials refused on a reconnection: stop at once with VboxAuthError on error', async () => {
    const first = await mock();
    const port = first.port;
    const c = client(port, { reconnectBaseDelay: 20 });
    await c.connect();
    const errors: Array<{ code?: string }> = [];
    c.on('error', (e) => errors.push(e as { code?: string }));
    const lost = next(c, 'disconnected');
    await first.close();
    await lost;
    // The vBox comes back with another password.
    const second = await mock({ port, password: 'changed' });
    await eventually(() => errors.some((e) => e.code === 'TH_ERR_VBOX_AUTH'), undefined, 'the auth error');
    expect(c.state).toBe('idle'); // not 'reconnecting': no attempt is scheduled
    await expectNoReconnection(second, second.connectionCount, FAST.reconnectMaxDelay! * 2, 'changed');
    expect((await rejection(c.roomCount())).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
  });

  test('shouldReconnect: false — a drop ends the client; queued requests fail', async () => {
    const m = await mock();
    const c = client(m.port, { shouldReconnect: false });
    await c.connect();
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    const [info] = await Promise.all([next(c, 'disconnected'), Promise.resolve(m.drop('fin'))]);
    expect(info[0].willReconnect).toBe(false);
    expect(c.state).toBe('idle');
    expect((await rejection(c.roomCount())).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    await expectNoReconnection(m, 1, FAST.reconnectMaxDelay! * 2);
  });

  test('close() during the back-off stops reconnection for good', async () => {
    const m = await mock();
    const c = client(m.port, { reconnectBaseDelay: 150, reconnectMaxDelay: 150 });
    await c.connect();
    const reconnecting = next(c, 'reconnecting');
    m.drop('rst');
    await reconnecting;
    await c.close();
    expect(c.state).toBe('closed');
    await expectNoReconnection(m, 1, 150 * 2);
    expect(c.state).toBe('closed');
  });
});

describe('one connection at a time', () => {
  test('a second client is refused like the real device; the first carries on', async () => {
    const m = await mock();
    const first = client(m.port);
    await first.connect();
    const second = client(m.port, { shouldReconnect: false });
    const error = await rejection(second.connect());
    expect(error.code).toMatch(/TH_ERR_VBOX_CONNECTION_LOST/);
    expect(error.message).toMatch(/one (client|connection)/);
    expect(m.refusedCount).toBe(1);
    expect((await first.roomCount()).total).toBe(m.house.rooms.length);
  });

  test("secondClient: 'replace' hands the device to the newcomer", async () => {
    const m = await mock({ secondClient: 'replace' });
    const first = client(m.port, { shouldReconnect: false });
    await first.connect();
    const dropped = next(first, 'disconnected');
    const second = client(m.port);
    await second.connect();
    await dropped;
    expect((await second.nodeCount()).total).toBe(m.house.nodes.length);
  });

  test('the client never opens a second socket while one is live', async () => {
    const m = await mock();
    const c = client(m.port);
    await Promise.all([c.connect(), c.connect(), c.connect()]);
    await c.connect();
    expect(m.connectionCount).toBe(1);
    expect(m.refusedCount).toBe(0);
  });

  test('message ids are per client', async () => {
    const m = await mock({ secondClient: 'replace' });
    const a = client(m.port, { shouldReconnect: false });
    await a.connect();
    await a.roomCount();
    expect(a.lastMessageId).toBe(3);
    const b = new VboxClient({ host: '127.0.0.1', port: m.port, username: USER, password: PASS, requestBuffer: 0, shouldReconnect: false });
    try {
      await b.connect();
      expect(b.lastMessageId).toBe(2);
    } finally {
      await b.close();
    }
  });
});

describe('hostile bytes from the vBox', () => {
  test('random garbage, truncated and corrupt frames between replies never crash or confuse the client', async () => {
    const fc = await import('fast-check');
    const { encodeFrame, Direction } = await import('../../runtime/vbox/frame.js');
    const m = await mock();
    const c = client(m.port, { requestTimeout: 5000, partialFrameTimeout: 30 });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    const validPush = encodeFrame(Direction.INCOMING, 0x29, 0, Buffer.from([1, 0, 0x4f, 0, 0, 0, 0, 0]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a)),
            fc.constant(Buffer.from([0x56, 0x54, 0x55, 0x3c])), // a lone prefix
            fc.constant(validPush.subarray(0, 7)), // a truncated frame
            fc.integer({ min: 0, max: validPush.length - 1 }).map((i) => {
              const corrupt = Buffer.from(validPush);
              corrupt[i] = (corrupt[i]! + 1) & 0xff;
              return corrupt;
            }),
          ),
          { maxLength: 5 },
        ),
        async (chunks) => {
          // No pause: the request may land behind a partial frame, which the stall timer drops, releasing the reply.
          for (const chunk of chunks) m.pushRaw(chunk);
          const count = await c.nodeCount();
          return count.total === m.house.nodes.length && c.isReady;
        },
      ),
      { numRuns: 25 },
    );
    expect(errors.filter((e) => !('code' in e))).toHaveLength(0);
  }, 30000);
});
