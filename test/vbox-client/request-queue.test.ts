import { jest } from '@jest/globals';
import { responses } from '../../generated/vbox/index.js';
import { decodeResponse, type VboxResponse } from '../../runtime/vbox/codec.js';
import { Direction, encodeFrame, parseFrame, type VboxFrame } from '../../runtime/vbox/frame.js';
import { type OutgoingRequest, type ReplyKind, RequestQueue, replyCommandsOf } from '../../runtime/vbox/request-queue.js';
import { MessageIdCounter, reconnectDelay, requestGap, retryDelay, withJitter } from '../../runtime/vbox/client/timing.js';

// The queue against real encoded frames, with a fake socket (an array of written frames).

function request(label: string, command: number, replyKind: ReplyKind, payload: number[] = [], extra: Partial<OutgoingRequest> = {}): OutgoingRequest {
  const replyCommands = replyCommandsOf(command, replyKind);
  return { label, command, replyKind, replyCommands, encode: (id) => encodeFrame(Direction.OUTGOING, command, id, Buffer.from(payload)), ...extra };
}

/** A real reply frame and its decoded response, as the client offers them. */
function respond(command: number, messageId: number, payload: number[]): [VboxFrame, VboxResponse] {
  const frame = parseFrame(encodeFrame(Direction.INCOMING, command, messageId, Buffer.from(payload)));
  return [frame, decodeResponse(frame)];
}

function setup(options: { requestBuffer?: number; anyId?: boolean } = {}) {
  const written: Buffer[] = [];
  const queue = new RequestQueue({
    write: (frame) => written.push(frame),
    requestBuffer: options.requestBuffer ?? 0,
    requestBufferVariance: 0,
    keyStatusAnyMessageId: options.anyId ?? false,
  });
  queue.setLane('open');
  return { queue, written };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('timing helpers', () => {
  test('msgIds run 1..255 then wrap to 1, never 0', () => {
    const ids = new MessageIdCounter();
    const seen = Array.from({ length: 600 }, () => ids.next());
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    expect(seen[254]).toBe(255);
    expect(seen[255]).toBe(1);
    expect(seen).not.toContain(0);
    expect(Math.max(...seen)).toBe(255);
  });

  test('gap and jitter stay within ±variance; 0 is exact', () => {
    expect(requestGap(250, 0.15, () => 0)).toBe(213);
    expect(requestGap(250, 0.15, () => 0.999999)).toBe(287);
    expect(requestGap(0, 0.15)).toBe(0);
    expect(requestGap(250, 0)).toBe(250);
    expect(withJitter(100, 1, () => 0)).toBe(0);
  });

  test('retry back-off 50, 100, 200, 250; reconnect back-off exponential and capped', () => {
    expect([1, 2, 3, 4, 5].map(retryDelay)).toEqual([50, 100, 200, 250, 250]);
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((a) => reconnectDelay(a, 1000, 10000, 0.1, mid))).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    expect(reconnectDelay(3, 100, 1000, 0.5, () => 0)).toBe(200);
    expect(reconnectDelay(3, 100, 1000, 0.5, () => 0.999999)).toBe(600);
  });
});

describe('replyCommandsOf: which command ids answer a request, from the generated spec', () => {
  test('ack kinds wait for 00 (and their own id where it decodes as an Acknowledgement); same kinds for their id', () => {
    expect(replyCommandsOf(0x01, 'ack')).toEqual([0x00, 0x01]); // Login
    expect(replyCommandsOf(0x1e, 'ack')).toEqual([0x00, 0x1e]); // ToggleNodeStatus
    expect(replyCommandsOf(0x28, 'ack')).toEqual([0x00]); // ToggleKeyStatus
    expect(replyCommandsOf(0x07, 'ack')).toEqual([0x00]); // Heartbeat
    expect(replyCommandsOf(0x1d, 'same')).toEqual([0x1d]); // RoomCount
    expect(replyCommandsOf(0x29, 'status')).toEqual([0x29]); // KeyStatus
    expect(replyCommandsOf(0x23, 'unknown')).toEqual([]); // NodeStatus: reply unknown, any command with the msgId
  });

  test('a request the spec does not know falls back on its reply kind', () => {
    expect(replyCommandsOf(0x99, 'ack')).toEqual([0x00]);
    expect(replyCommandsOf(0x99, 'same')).toEqual([0x99]);
    expect(replyCommandsOf(0x99, 'unknown')).toEqual([]);
  });
});

describe('RequestQueue', () => {
  test('one in flight, FIFO, each matched by its expected (command, msgId)', async () => {
    const { queue, written } = setup();
    const a = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 1000, maxRetries: 0 });
    const b = queue.enqueue(request('Heartbeat', 0x07, 'ack'), { lane: 'user', timeoutMs: 1000, maxRetries: 0 });
    expect(written).toHaveLength(1);
    expect(written[0]![7]).toBe(1);
    // A frame with the right command but another msgId does not settle it; nor an ACK.
    expect(queue.offer(...respond(0x1d, 9, [0]))).toBe(false);
    expect(queue.offer(...respond(0x00, 1, [0]))).toBe(false);
    expect(queue.offer(...respond(0x1d, 1, [1, 0]))).toBe(true);
    await expect(a).resolves.toMatchObject({ command: 0x1d, messageId: 1, list: [0] });
    await tick();
    expect(written).toHaveLength(2);
    expect(written[1]![4]).toBe(0x07);
    expect(written[1]![7]).toBe(2);
    expect(queue.offer(...respond(0x00, 2, [0]))).toBe(true);
    await expect(b).resolves.toBeInstanceOf(responses.Acknowledgement);
  });

  test('a non-ACK AckType rejects with VboxNackError carrying the type, without retry', async () => {
    const { queue, written } = setup();
    jest.useFakeTimers();
    try {
      const p = queue.enqueue(request('ToggleKeyStatus', 0x28, 'ack'), { lane: 'user', timeoutMs: 50, maxRetries: 3 });
      queue.offer(...respond(0x00, 1, [3]));
      await expect(p).rejects.toMatchObject({ code: 'TH_ERR_VBOX_NACK', ackType: 3, ackTypeName: 'IN_USE' });
      await jest.advanceTimersByTimeAsync(10_000); // far past every timeout and back-off a retry would wait for
      expect(written).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a refusal with our msgId also answers a query (same/status kinds)', async () => {
    const { queue } = setup();
    const p = queue.enqueue(request('NodeMetaData', 0x1f, 'same', [99]), { lane: 'user', timeoutMs: 1000, maxRetries: 0 });
    expect(queue.offer(...respond(0x00, 1, [4]))).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'TH_ERR_VBOX_NACK', ackTypeName: 'NOT_AVAILABLE' });
  });

  test('timeouts are retried with the identical frame (same msgId), then reject naming the attempts', async () => {
    const { queue, written } = setup();
    const p = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 40, maxRetries: 2 });
    await expect(p).rejects.toMatchObject({ code: 'TH_ERR_VBOX_TIMEOUT', context: { attempts: 3, messageId: 1 } });
    expect(written).toHaveLength(3);
    expect(written[1]).toEqual(written[0]);
    expect(written[2]).toEqual(written[0]);
  });

  test('a late reply to an earlier attempt still matches the retry', async () => {
    const { queue, written } = setup();
    jest.useFakeTimers();
    try {
      const p = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 30, maxRetries: 3 });
      await jest.advanceTimersByTimeAsync(30 + retryDelay(1)); // first attempt timed out, retry written
      expect(written).toHaveLength(2);
      queue.offer(...respond(0x1d, 1, [0]));
      await expect(p).resolves.toMatchObject({ command: 0x1d, messageId: 1 });
      await jest.advanceTimersByTimeAsync(10_000);
      expect(written).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  test('KeyStatus is not resolved by a 29 for another key, nor by a push with another msgId', async () => {
    const { queue } = setup();
    const p = queue.enqueue(request('KeyStatus', 0x29, 'status', [1, 2], { nodeId: 1, keyId: 2 }), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
    expect(queue.offer(...respond(0x29, 1, [1, 3, 0x4f, 0, 0, 0, 0, 0]))).toBe(false);
    expect(queue.offer(...respond(0x29, 1, [2, 2, 0x4f, 0, 0, 0, 0, 0]))).toBe(false);
    expect(queue.offer(...respond(0x29, 0, [1, 2, 0x4f, 0, 0, 0, 0, 0]))).toBe(false);
    expect(queue.offer(...respond(0x29, 1, [1, 2, 0x46, 0, 0, 0, 0, 0]))).toBe(true);
    await expect(p).resolves.toMatchObject({ nodeId: 1, keyId: 2, power: 0x46, messageId: 1 });
  });

  test('optional fallback: same node and key with any msgId', async () => {
    const { queue } = setup({ anyId: true });
    const p = queue.enqueue(request('KeyStatus', 0x29, 'status', [1, 2], { nodeId: 1, keyId: 2 }), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
    expect(queue.offer(...respond(0x29, 0, [1, 3, 0x4f, 0, 0, 0, 0, 0]))).toBe(false);
    expect(queue.offer(...respond(0x29, 0, [1, 2, 0x4f, 0, 0, 0, 0, 0]))).toBe(true);
    await expect(p).resolves.toMatchObject({ nodeId: 1, keyId: 2, messageId: 0 });
  });

  test('unknown kind: silence resolves undefined after one attempt; a same-msgId frame of any command is surfaced', async () => {
    const { queue, written } = setup();
    const silent = queue.enqueue(request('NodeStatus', 0x23, 'unknown', [1, 0]), { lane: 'user', timeoutMs: 30, maxRetries: 0 });
    await expect(silent).resolves.toBeUndefined();
    expect(written).toHaveLength(1);
    const answered = queue.enqueue(request('NodeStatus', 0x23, 'unknown', [1, 0]), { lane: 'user', timeoutMs: 300, maxRetries: 0 });
    await tick();
    expect(queue.offer(...respond(0x65, 2, [1, 2, 3]))).toBe(true);
    await expect(answered).resolves.toMatchObject({ command: 0x65, messageId: 2 });
  });

  test('lanes: nothing is written while closed; handshake requests go first and alone', async () => {
    const written: Buffer[] = [];
    const queue = new RequestQueue({ write: (f) => written.push(f), requestBuffer: 0, requestBufferVariance: 0, keyStatusAnyMessageId: false });
    const user = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
    expect(written).toHaveLength(0);
    queue.setLane('handshake');
    expect(written).toHaveLength(0); // user requests wait for the handshake
    const login = queue.enqueue(request('Login', 0x01, 'ack'), { lane: 'handshake', timeoutMs: 500, maxRetries: 0 });
    expect(written.map((f) => f[4])).toEqual([0x01]);
    queue.offer(...respond(0x00, 1, [0]));
    await login;
    await tick();
    expect(written).toHaveLength(1);
    queue.setLane('open');
    expect(written.map((f) => f[4])).toEqual([0x01, 0x1d]);
    queue.offer(...respond(0x1d, 2, [0]));
    await expect(user).resolves.toMatchObject({ command: 0x1d, messageId: 2 });
  });

  test('failInFlight rejects the request in flight and keeps the queued ones; failAll rejects everything', async () => {
    const { queue } = setup();
    const first = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
    const second = queue.enqueue(request('NodeCount', 0x24, 'same'), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
    queue.setLane('closed');
    queue.failInFlight(new Error('lost'));
    await expect(first).rejects.toThrow('lost');
    expect(queue.waiting).toBe(1);
    queue.failAll(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    expect(queue.waiting).toBe(0);
  });

  test('the gap separates requests', async () => {
    jest.useFakeTimers();
    try {
      const { queue, written } = setup({ requestBuffer: 60 });
      const a = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
      const b = queue.enqueue(request('NodeCount', 0x24, 'same'), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
      queue.offer(...respond(0x1d, 1, [0]));
      await a;
      await jest.advanceTimersByTimeAsync(59);
      expect(written).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(written).toHaveLength(2);
      queue.offer(...respond(0x24, 2, [0]));
      await b;
      queue.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  test('a request that cannot be encoded fails alone', async () => {
    const { queue, written } = setup();
    const bad = queue.enqueue(
      {
        label: 'Bad',
        command: 1,
        replyKind: 'ack',
        replyCommands: replyCommandsOf(1, 'ack'),
        encode: () => {
          throw new RangeError('bad field');
        },
      },
      { lane: 'user', timeoutMs: 100, maxRetries: 0 },
    );
    const good = queue.enqueue(request('RoomCount', 0x1d, 'same'), { lane: 'user', timeoutMs: 500, maxRetries: 0 });
    await expect(bad).rejects.toThrow('bad field');
    await tick();
    expect(written).toHaveLength(1);
    queue.offer(...respond(0x1d, written[0]![7]!, [0]));
    await expect(good).resolves.toBeInstanceOf(responses.RoomCount);
  });
});
