import { spawn } from 'node:child_process';
import { projectRoot } from '../../runtime/paths.js';
import { VboxClient } from '../../runtime/vbox/client.js';
import { VboxAbortedError, VboxQueueTimeoutError } from '../../runtime/vbox/client-errors.js';
import { client, closeAll, FAST, mock, next, PASS, rejection, USER } from './helpers.js';
import { cleanEnv, type MockProcess, loggedInRequests, spawnMock } from './spawn.js';

// A request whose caller gave up (its signal aborted, its queue-wait limit passed, the client
// closed) is removed and never written later; one already written settles at once as
// "outcome unknown" and is not retried.

const HOUSE = 'test/fixtures/vbox/house.json';

describe('requests given up while the box is down (mock as a separate process)', () => {
  const mocks: MockProcess[] = [];
  let c: VboxClient | undefined;
  afterAll(async () => {
    await c?.close();
    for (const m of mocks) await m.kill();
  });

  test('timed-out and aborted requests never reach the restarted box; fresh ones do', async () => {
    const first = await spawnMock(['--port', '0', '--username', USER, '--password', PASS, '--house', HOUSE]);
    mocks.push(first);
    c = new VboxClient({ host: '127.0.0.1', port: first.port, username: USER, password: PASS, ...FAST, requestTimeout: 1000 });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    expect((await c.toggleKey(1, 0, 'OFF')).isOK).toBe(true);

    const lost = next(c, 'disconnected', 10_000);
    await first.kill('SIGKILL');
    expect((await lost)[0].willReconnect).toBe(true);
    expect(c.state).not.toBe('ready');

    // 1. The queue-wait limit passes while the client reconnects.
    const expired = await rejection(c.toggleKey(1, 0, 'ON', {}, { queueTimeout: 100 }));
    expect(expired).toBeInstanceOf(VboxQueueTimeoutError);
    expect(expired.code).toBe('TH_ERR_VBOX_QUEUE_TIMEOUT');
    expect(expired.context).toMatchObject({ request: 'ToggleKeyStatus', sent: false, queueTimeout: 100 });
    expect(expired.message).toMatch(/never be sent/);

    // 2. The client's default limit (requestTimeout × (maxRetries + 1)) applies without an option.
    expect(c.options.queueTimeout).toBe(1000 * (FAST.maxRetries! + 1));
    const byDefault = await rejection(c.toggleKey(1, 1, 'ON'));
    expect(byDefault.code).toBe('TH_ERR_VBOX_QUEUE_TIMEOUT');

    // 3. Aborted by the caller while queued, and already aborted when asked.
    const controller = new AbortController();
    const aborting = c.toggleKey(2, 0, 'ON', {}, { signal: controller.signal, queueTimeout: 60_000 });
    controller.abort(new Error('operator cancelled'));
    const aborted = await rejection(aborting);
    expect(aborted).toBeInstanceOf(VboxAbortedError);
    expect((aborted as VboxAbortedError).sent).toBe(false);
    expect(aborted.message).toMatch(/before it was sent; it will never be sent/);
    expect((aborted.cause as Error).message).toBe('operator cancelled');
    const pre = await rejection(c.keyStatus(2, 0, { signal: AbortSignal.abort() }));
    expect(pre.code).toBe('TH_ERR_VBOX_ABORTED');

    // Restart the box on the same port; the client reconnects by itself.
    const second = await spawnMock(['--port', String(first.port), '--username', USER, '--password', PASS, '--house', HOUSE]);
    mocks.push(second);
    await next(c, 'ready', 30_000);

    // A fresh request works. The queue is FIFO with one request in flight, so anything still
    // queued from the outage would have been written before it: the mock's log is complete.
    expect((await c.toggleKey(1, 2, 'ON')).isOK).toBe(true);
    expect(loggedInRequests(second)).toEqual(['ToggleKeyStatus 1/2']);
    expect(errors.every((e) => (e as { code?: string }).code !== undefined)).toBe(true);
  }, 120_000);
});

describe('giving up a request in flight or behind one (in-process mock)', () => {
  afterEach(closeAll);

  test('abort after the write: settles at once as sent (outcome unknown), is not retried; the queued one behind it is never written', async () => {
    const m = await mock();
    const c = client(m.port, { requestTimeout: 300, maxRetries: 3 });
    await c.connect();
    m.faults.set({ silence: true });
    const controller = new AbortController();
    const written = new Promise<void>((resolve) => m.once('request', () => resolve()));
    const inFlight = c.toggleKey(1, 0, 'ON', {}, { signal: controller.signal });
    const behind = new AbortController();
    const queued = c.toggleKey(1, 1, 'ON', {}, { signal: behind.signal });
    await written;
    controller.abort();
    behind.abort();
    const error = await rejection(inFlight);
    expect(error).toBeInstanceOf(VboxAbortedError);
    expect((error as VboxAbortedError).sent).toBe(true);
    expect(error.context).toMatchObject({ request: 'ToggleKeyStatus', sent: true, messageId: c.lastMessageId });
    expect(error.message).toMatch(/may have carried it out/);
    expect((await rejection(queued)).context).toMatchObject({ sent: false });

    // The next request goes after the abandoned attempt's timeout, with no retry in between.
    m.faults.clear();
    expect((await c.keyStatus(1, 0)).nodeId).toBe(1);
    const afterLogin = m.received.filter((r) => r.loggedIn).map((r) => `${r.name} ${String(r.fields.keyId)}`);
    expect(afterLogin).toEqual(['ToggleKeyStatus 0', 'KeyStatus 0']);
  });

  test('abort between attempts moves on at once; a timeout after writes says the request was sent', async () => {
    const m = await mock();
    const c = client(m.port, { requestTimeout: 100, maxRetries: 0 });
    await c.connect();
    m.faults.set({ silence: true });
    const timedOut = await rejection(c.toggleKey(1, 0, 'ON'));
    expect(timedOut.code).toBe('TH_ERR_VBOX_TIMEOUT');
    expect(timedOut.context).toMatchObject({ sent: true });
    expect(timedOut.message).toMatch(/it was sent/);
  });

  test('close() rejects queued requests; none is written by a later connect()', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    m.faults.set({ silence: true });
    const first = c.toggleKey(1, 0, 'ON');
    const second = c.toggleKey(1, 1, 'ON');
    await new Promise<void>((resolve) => m.once('request', () => resolve()));
    await c.close();
    expect((await rejection(second)).code).toBe('TH_ERR_VBOX_NOT_CONNECTED');
    await rejection(first);
    m.faults.clear();
    await c.connect();
    expect((await c.keyStatus(1, 2)).keyId).toBe(2);
    expect(m.received.filter((r) => r.loggedIn).map((r) => `${r.name} ${String(r.fields.keyId)}`)).toEqual(['ToggleKeyStatus 0', 'KeyStatus 2']);
  });

  test('behind a slow request, one that outwaits its queue limit is removed; the slow one is unaffected', async () => {
    const m = await mock();
    const c = client(m.port, { requestTimeout: 2000, maxRetries: 0 });
    await c.connect();
    m.faults.once({ delayMs: 300 });
    const slow = c.keyStatus(1, 0, { queueTimeout: 10 }); // written at once: its queue limit is over
    const behind = c.toggleKey(1, 1, 'ON', {}, { queueTimeout: 50 });
    expect((await rejection(behind)).code).toBe('TH_ERR_VBOX_QUEUE_TIMEOUT');
    expect((await slow).nodeId).toBe(1);
    expect((await c.roomCount()).list.length).toBeGreaterThan(0);
    expect(m.received.filter((r) => r.loggedIn).map((r) => r.name)).toEqual(['KeyStatus', 'RoomCount']);
  });

  test('an invalid per-request queueTimeout is a typed rejection', async () => {
    const m = await mock();
    const c = client(m.port);
    await c.connect();
    expect((await rejection(c.roomCount({ queueTimeout: 0 }))).code).toBe('TH_ERR_VBOX_REQUEST');
    expect((await rejection(c.roomCount({ queueTimeout: Number.NaN }))).code).toBe('TH_ERR_VBOX_REQUEST');
    // Above a timer's limit the wait would end after 1 ms: refused by the option's own range.
    const tooLong = await rejection(c.roomCount({ queueTimeout: 2 ** 31 }));
    expect([tooLong.code, tooLong.message]).toEqual(['TH_ERR_VBOX_REQUEST', 'queueTimeout must be a number > 0 and ≤ 2147483647; got 2147483648']);
    // The largest valid limit waits: queued behind another request, it is written and answered.
    const [first, behind] = await Promise.all([c.roomCount(), c.roomCount({ queueTimeout: 2 ** 31 - 1 })]);
    expect(behind.list).toEqual(first.list);
    expect(behind.messageId).toBe(first.messageId + 1);
  });
});

describe("'error' with no listener", () => {
  afterEach(closeAll);

  test('goes to logger.error when a logger is given', async () => {
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const c = client(1, { logger: { error: (message, context) => logged.push([message, context]) } });
    c.emit('error', new VboxQueueTimeoutError('lonely', { request: 'X' }));
    expect(logged).toEqual([['vbox: lonely', expect.objectContaining({ code: 'TH_ERR_VBOX_QUEUE_TIMEOUT' })]]);
  });

  test('without a logger becomes one Node process warning per code, never a throw (a separate node process)', async () => {
    const script = [
      "import { VboxClient } from './runtime/vbox/client.ts';",
      "import { VboxQueueTimeoutError } from './runtime/vbox/client-errors.ts';",
      "const c = new VboxClient({ host: '127.0.0.1', port: 1, username: 'u', password: 'p' });",
      "c.emit('error', new VboxQueueTimeoutError('first', {}));",
      "c.emit('error', new VboxQueueTimeoutError('second', {}));",
      "console.log('still running');",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('still running\n');
    const warnings = stderr.split('\n').filter((line) => line.includes('VboxClientWarning'));
    expect(warnings).toEqual([expect.stringContaining("[TH_ERR_VBOX_QUEUE_TIMEOUT] VboxClientWarning: vbox: first (no 'error' listener")]);
  });
});
