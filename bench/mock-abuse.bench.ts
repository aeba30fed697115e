// Attack script for both mock servers (issue 8): each mock runs as its own process (`hammer mock
// oci`, `hammer mock vbox`), is attacked over loopback, and the script prints per attack the mock's
// peak RSS (VmRSS sampled from /proc/<pid>/status every 50 ms), its RSS after the attack, and the
// latency (max, p99) a normal client sees meanwhile; then checks the mock serves normally.
//
// Attacks: a no-read flood (up to 1 GB written, replies never read), parallel unterminated
// documents, slow-loris, idle holders, a connection flood and the superlinear payloads of issue 8.
// Short limits are configured (idle/request timeouts of a few seconds) so the run stays short.
//
//   npm run bench -- mock-abuse          (or: node --import tsx bench/mock-abuse.bench.ts)
//
// Targets: < 400 MB RSS during the flood, < 300 MB after it, every normal answer within 1 s, both
// mocks serve normally afterwards. On a shared machine the figures are pessimistic.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { wrapSoapRequest } from '../runtime/oci/transport/soap-envelope.js';
import { OciDocumentSplitter } from '../runtime/oci/transport/framing.js';
import { projectRoot } from '../runtime/paths.js';
import { createRequest } from '../runtime/vbox/codec.js';
import { Direction } from '../runtime/vbox/frame.js';
import { VboxFramer } from '../runtime/vbox/framer.js';

const MB = 1024 * 1024;
const FLOOD_BYTES = 1024 * MB;
/** Short limits so timed-out attackers leave within seconds. */
const IDLE_MS = 4000;
const REQUEST_MS = 4000;
/** The vBox mock's idle limit: above the time its framer needs for 1 MB of the worst-case bytes. */
const VBOX_IDLE_MS = 20_000;
/** A write that does not drain for this long means the mock stopped reading. */
const STALL_MS = 2000;

/** A loopback connection whose errors (resets by the mock) never go unhandled. */
function dial(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  return socket;
}

/** Resolves when the socket closes (events.once would reject on an 'error' that nobody awaits yet). */
function whenClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

// ── the mock as a process ───────────────────────────────────────────────────────────────────

class MockProcess {
  readonly lines: string[] = [];
  private constructor(
    readonly name: string,
    readonly child: ChildProcessWithoutNullStreams,
    readonly ready: Record<string, number>,
  ) {
    let pending = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) if (/refused|forced logout|"refused"/.test(line)) this.lines.push(line);
    });
  }

  static async start(name: string, args: string[]): Promise<MockProcess> {
    const child = spawn(process.execPath, ['bin/hammer.mjs', 'mock', ...args], { cwd: projectRoot });
    // A bench that fails must not leave the mock running.
    process.once('exit', () => child.kill('SIGKILL'));
    let stdout = '';
    const ready = await new Promise<Record<string, number>>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as Record<string, number>);
      });
      child.once('exit', (code) => reject(new Error(`${name} mock exited with ${code} before it was ready`)));
    });
    return new MockProcess(name, child, ready);
  }

  /** Resident set size now and its high-water mark, in MB. */
  memory(): { rss: number; hwm: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  }

  /** Refusals logged so far, by limit name. */
  refusalsByLimit(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of this.lines) {
      const limit = /refused \S+ \((\w+)\)/.exec(line)?.[1] ?? /"limit":"(\w+)"/.exec(line)?.[1];
      if (limit) counts.set(limit, (counts.get(limit) ?? 0) + 1);
    }
    return counts;
  }

  refusals(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line)).length;
  }

  async stop(): Promise<number | null> {
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    return code;
  }
}

/** Samples the mock's RSS every 50 ms while an attack runs. */
class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly mock: MockProcess) {
    this.timer = setInterval(() => this.sample(), 50);
    this.sample();
  }
  sample(): number {
    const { rss } = this.mock.memory();
    this.peak = Math.max(this.peak, rss);
    return rss;
  }
  stop(): number {
    clearInterval(this.timer);
    return this.sample();
  }
}

/** The mock's RSS once it settled: the lowest of the samples over `ms` after an attack. */
async function settledRss(mock: MockProcess, ms = 3000): Promise<number> {
  let lowest = Number.POSITIVE_INFINITY;
  for (const until = Date.now() + ms; Date.now() < until; ) {
    lowest = Math.min(lowest, mock.memory().rss);
    await delay(100);
  }
  return lowest;
}

// ── normal clients ──────────────────────────────────────────────────────────────────────────

interface Probe {
  /** Latencies of the answers received since the last take(), in ms. */
  take(): { count: number; max: number; p99: number; failures: number; longestGapMs: number };
  stop(): Promise<void>;
}

function summarise(latencies: number[], failures: number, longestGapMs: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    p99: sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! : Number.NaN,
    failures,
    longestGapMs,
  };
}

const OCI_ROOT = '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
function ociDocument(sessionId: string, command: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${OCI_ROOT}<sessionId xmlns="">${sessionId}</sessionId>${command}</BroadsoftDocument>\n`;
}
const OCI_LOGIN = (session: string) =>
  ociDocument(session, '<command xsi:type="LoginRequest22V5" xmlns=""><userId>admin</userId><password>admin</password></command>');
const OCI_VERSION = (session: string) => ociDocument(session, '<command xsi:type="SystemSoftwareVersionGetRequest" xmlns=""/>');

/** One OCI-P request in flight over TCP; resolves with the answer text (rejects on close or after 10 s). */
class OciConnection {
  private readonly splitter = new OciDocumentSplitter();
  private waiting: { resolve: (text: string) => void; reject: (error: Error) => void } | undefined;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const doc of this.splitter.push(chunk)) this.waiting?.resolve(doc.toString('latin1'));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.waiting?.reject(new Error('closed')));
  }
  static async open(port: number): Promise<OciConnection> {
    const socket = dial(port);
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new OciConnection(socket);
  }
  request(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
      this.waiting = {
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.socket.write(text);
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

/** A logged-in OCI client asking SystemSoftwareVersionGetRequest every 20 ms. */
async function ociProbe(port: number): Promise<Probe> {
  let latencies: number[] = [];
  let failures = 0;
  let running = true;
  let lastAnswer = performance.now();
  let longestGap = 0;
  const loop = (async () => {
    while (running) {
      let connection: OciConnection | undefined;
      try {
        connection = await OciConnection.open(port);
        const session = `probe-${Date.now()}`;
        if (!(await connection.request(OCI_LOGIN(session))).includes('LoginResponse22V5')) throw new Error('login failed');
        while (running) {
          const started = performance.now();
          const answer = await connection.request(OCI_VERSION(session));
          const now = performance.now();
          if (!answer.includes('SystemSoftwareVersionGetResponse')) throw new Error('unexpected answer');
          latencies.push(now - started);
          longestGap = Math.max(longestGap, now - lastAnswer);
          lastAnswer = now;
          await delay(20);
        }
      } catch {
        failures++;
        await delay(50);
      } finally {
        connection?.close();
      }
    }
  })();
  return {
    take() {
      const result = summarise(latencies, failures, Math.max(longestGap, performance.now() - lastAnswer));
      latencies = [];
      failures = 0;
      longestGap = 0;
      return result;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

const VBOX_LOGIN = createRequest('Login', { username: 'admin', password: 'admin' });
const VBOX_ROOMS = createRequest('RoomCount');

/** The vBox client: holds the one slot, asks RoomCount every 20 ms; reconnects every 100 ms when refused or dropped. */
async function vboxProbe(port: number): Promise<Probe & { release(): Promise<void>; hold(): void }> {
  let latencies: number[] = [];
  let failures = 0;
  let running = true;
  let holding = true;
  let socket: Socket | undefined;
  let lastAnswer = performance.now();
  let longestGap = 0;
  const session = async (): Promise<void> => {
    const s = dial(port);
    socket = s;
    s.setNoDelay(true);
    let answer: (() => void) | undefined;
    const framer = new VboxFramer({ direction: Direction.INCOMING, onFrame: () => answer?.() });
    s.on('data', (chunk: Buffer) => framer.push(chunk));
    s.on('error', () => undefined);
    const closed = whenClosed(s);
    const ask = (bytes: Buffer) =>
      Promise.race([
        new Promise<void>((resolve) => {
          answer = resolve;
          s.write(bytes);
        }),
        closed.then(() => Promise.reject(new Error('closed'))),
      ]);
    try {
      await Promise.race([once(s, 'connect'), closed.then(() => Promise.reject(new Error('refused')))]);
      await ask(VBOX_LOGIN.toBuffer(1));
      for (let id = 2; running && holding; id = id >= 250 ? 2 : id + 1) {
        const started = performance.now();
        await ask(VBOX_ROOMS.toBuffer(id));
        const now = performance.now();
        latencies.push(now - started);
        longestGap = Math.max(longestGap, now - lastAnswer);
        lastAnswer = now;
        await delay(20);
      }
    } finally {
      framer.close();
      s.destroy();
    }
  };
  const loop = (async () => {
    while (running) {
      if (!holding) {
        await delay(20);
        continue;
      }
      try {
        await session();
      } catch {
        failures++;
        await delay(100);
      }
    }
  })();
  return {
    take() {
      const result = summarise(latencies, failures, Math.max(longestGap, performance.now() - lastAnswer));
      latencies = [];
      failures = 0;
      longestGap = 0;
      return result;
    },
    /** Leaves the slot (so an attacker can take it) until hold() is called. */
    async release() {
      holding = false;
      if (socket && !socket.destroyed) {
        const closed = whenClosed(socket);
        socket.destroy();
        await closed;
      }
      await delay(100);
    },
    hold() {
      lastAnswer = performance.now();
      holding = true;
    },
    async stop() {
      running = false;
      socket?.destroy();
      await loop;
    },
  };
}

// ── attackers ───────────────────────────────────────────────────────────────────────────────

/** Writes `total` bytes of `unit` repeated without ever reading; stops when the peer stops reading (stall) or closes. */
async function floodWithoutReading(port: number, unit: Buffer, total: number, idleMs: number): Promise<{ sent: number; closedByMock: boolean }> {
  const socket = dial(port);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.pause(); // replies are never read
  const chunk = Buffer.concat(Array.from({ length: Math.max(1, Math.floor(MB / unit.length)) }, () => unit));
  let sent = 0;
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  while (sent < total && !closed) {
    sent += chunk.length;
    if (!socket.write(chunk)) {
      const drained = await Promise.race([
        once(socket, 'drain').then(
          () => true,
          () => false,
        ),
        whenClosed(socket).then(() => false),
        delay(STALL_MS).then(() => false),
      ]);
      if (!drained) break;
    }
  }
  // The mock stopped reading: wait until it drops the connection (a timeout). The flood is over, so
  // the attacker now reads (a paused socket would not notice the close).
  socket.on('data', () => undefined);
  socket.resume();
  const closedByMock = closed || (await Promise.race([whenClosed(socket).then(() => true), delay(idleMs * 6).then(() => false)]));
  socket.destroy();
  return { sent: sent - socket.writableLength, closedByMock };
}

/** Opens `count` connections, writes `prefix` on each, and waits until the mock closed them all (or `ms`). */
async function holders(port: number, count: number, write: (socket: Socket, index: number) => Promise<void> | void, ms: number): Promise<{ closed: number }> {
  let closed = 0;
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const socket = dial(port);
      socket.on('error', () => undefined);
      socket.once('close', () => closed++);
      socket.on('data', () => undefined);
      await Promise.race([once(socket, 'connect'), whenClosed(socket)]);
      return { socket, index };
    }),
  );
  await Promise.all(sockets.map(({ socket, index }) => (socket.destroyed ? undefined : write(socket, index))));
  const until = Date.now() + ms;
  while (closed < count && Date.now() < until) await delay(50);
  for (const { socket } of sockets) socket.destroy();
  return { closed };
}

/** Writes `body` on a fresh connection, in 1 MiB pieces honouring drain; resolves when the mock closes it. */
async function unterminated(port: number, head: string, filler: string, bytes: number): Promise<void> {
  const socket = dial(port);
  socket.on('error', () => undefined);
  const closed = whenClosed(socket);
  await Promise.race([once(socket, 'connect'), closed]);
  socket.write(head);
  const piece = Buffer.from(filler.repeat(Math.ceil(MB / filler.length)).slice(0, MB));
  for (let sent = 0; sent < bytes && !socket.destroyed; sent += piece.length) {
    if (!socket.write(piece)) await Promise.race([once(socket, 'drain').catch(() => undefined), closed]);
  }
  await Promise.race([closed, delay(REQUEST_MS * 3)]);
  socket.destroy();
}

async function httpPost(port: number, body: string): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/webservice/services/ProvisioningService`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
    body,
  });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, text };
}

// ── running and reporting ───────────────────────────────────────────────────────────────────

interface Row {
  mock: string;
  attack: string;
  peak: number;
  after: number;
  latency: ReturnType<Probe['take']>;
  notes: string;
}
const rows: Row[] = [];
const problems: string[] = [];

async function attack(
  mock: MockProcess,
  probe: Probe,
  name: string,
  run: () => Promise<string>,
  options: { latencyTarget?: boolean; afterTarget?: boolean } = {},
): Promise<void> {
  probe.take();
  const sampler = new RssSampler(mock);
  const before = mock.refusalsByLimit();
  const notes = `${await run()}; refusals: ${
    [...mock.refusalsByLimit()]
      .map(([limit, n]) => [limit, n - (before.get(limit) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([limit, n]) => `${limit} ${n}`)
      .join(', ') || 'none'
  }`;
  const latency = probe.take();
  sampler.stop();
  const after = await settledRss(mock);
  rows.push({ mock: mock.name, attack: name, peak: sampler.peak, after, latency, notes });
  const label = `${mock.name} ${name}`;
  if (sampler.peak >= 400) problems.push(`${label}: peak RSS ${sampler.peak.toFixed(0)} MB ≥ 400 MB`);
  // The issue's memory target: under 300 MB again after the no-read flood (other rows are printed for information).
  if (options.afterTarget && after >= 300) problems.push(`${label}: RSS after ${after.toFixed(0)} MB ≥ 300 MB`);
  if (options.latencyTarget !== false && !(latency.max < 1000)) problems.push(`${label}: normal client max latency ${latency.max.toFixed(0)} ms`);
  console.log(
    `${label.padEnd(34)} peak ${sampler.peak.toFixed(0).padStart(4)} MB  after ${after.toFixed(0).padStart(4)} MB  ` +
      `normal client: ${latency.count} answers, max ${latency.max.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms, ` +
      `longest gap ${latency.longestGapMs.toFixed(0)} ms, failures ${latency.failures}  | ${notes}`,
  );
}

const limitFlags = ['--idle-timeout', String(IDLE_MS), '--request-timeout', String(REQUEST_MS)];

// ── the OCI-P mock ──────────────────────────────────────────────────────────────────────────

{
  const mock = await MockProcess.start('oci', ['oci', '--tcp-port', '0', '--soap-port', '0', ...limitFlags, '--headers-timeout', String(REQUEST_MS)]);
  const tcp = mock.ready.tcp!;
  const soap = mock.ready.soap!;
  console.log(`OCI-P mock pid ${mock.child.pid}: RSS at start ${mock.memory().rss.toFixed(0)} MB (high-water ${mock.memory().hwm.toFixed(0)} MB)`);
  const probe = await ociProbe(tcp);
  await delay(500);

  await attack(
    mock,
    probe,
    'no-read flood (4 × 256 MB)',
    async () => {
      const unit = Buffer.from(OCI_VERSION('flood'));
      const results = await Promise.all(Array.from({ length: 4 }, () => floodWithoutReading(tcp, unit, FLOOD_BYTES / 4, IDLE_MS)));
      const sent = results.reduce((sum, r) => sum + r.sent, 0);
      return `sent ${(sent / MB).toFixed(1)} MB of 1024 before the mock stopped reading; closed by the mock: ${results.filter((r) => r.closedByMock).length}/4`;
    },
    { afterTarget: true },
  );

  await attack(mock, probe, 'parallel unterminated (8 × 70 MB)', async () => {
    const before = mock.refusals(/maxBufferedInputBytes|maxDocumentBytes/);
    const heads = [`${OCI_ROOT}<sessionId xmlns="">`, `${OCI_ROOT}<!--`, `${OCI_ROOT}<![CDATA[`, `${OCI_ROOT}<?pi `];
    await Promise.all(Array.from({ length: 8 }, (_, i) => unterminated(tcp, heads[i % heads.length]!, 'abcdefgh', 70 * MB)));
    return `dropped by budget/size: ${mock.refusals(/maxBufferedInputBytes|maxDocumentBytes/) - before}/8`;
  });

  await attack(mock, probe, 'slow-loris (64 conns, 1 B/100 ms)', async () => {
    const before = mock.refusals(/requestTimeoutMs/);
    const text = OCI_VERSION('loris');
    const { closed } = await holders(
      tcp,
      64,
      async (socket) => {
        for (let i = 0; i < text.length - 2 && !socket.destroyed; i++) {
          socket.write(text[i]!);
          await delay(100);
        }
      },
      REQUEST_MS * 3,
    );
    return `closed by the mock: ${closed}/64; request-timeout refusals ${mock.refusals(/requestTimeoutMs/) - before}`;
  });

  await attack(mock, probe, 'idle holders (64 conns, 1 logged in)', async () => {
    const before = mock.refusals(/idleTimeoutMs/);
    let logoutPushed = false;
    const { closed } = await holders(
      tcp,
      64,
      (socket, index) => {
        if (index !== 0) return;
        socket.on('data', (chunk: Buffer) => {
          if (chunk.includes('Open Client Server Forced Logout')) logoutPushed = true;
        });
        socket.write(OCI_LOGIN('idle-holder'));
      },
      IDLE_MS * 3,
    );
    return `closed by the mock: ${closed}/64; idle refusals ${mock.refusals(/idleTimeoutMs/) - before}; forced LogoutRequest received: ${logoutPushed}`;
  });

  await attack(mock, probe, 'connection flood (400 conns)', async () => {
    const before = mock.refusals(/maxConnections/);
    const { closed } = await holders(tcp, 400, () => undefined, IDLE_MS * 3);
    return `refused at once (maxConnections 256): ${mock.refusals(/maxConnections/) - before}; all closed: ${closed}/400`;
  });

  await attack(mock, probe, 'superlinear payloads', async () => {
    const notes: string[] = [];
    const sessionBomb = 'xsi:type="c:ErrorResponse"'.repeat(Math.ceil(MB / 26));
    const connection = await OciConnection.open(tcp);
    let started = performance.now();
    const bombAnswer = await connection.request(ociDocument(sessionBomb, '<command xsi:type="NoSuchRequest" xmlns=""/>'));
    notes.push(`1 MB ErrorResponse sessionId ${(performance.now() - started).toFixed(0)} ms (${bombAnswer.includes('[Error 6004]') ? '6004' : 'other'})`);
    started = performance.now();
    const control = await connection.request(ociDocument('s', '<command xsi:type="AuthenticationRequest" xmlns=""><userId>a\u0001b</userId></command>'));
    notes.push(
      `control character ${(performance.now() - started).toFixed(0)} ms (${control.includes('[Error 6004]') ? '6004' : control.includes('[Error 6000]') ? '6000!' : 'other'})`,
    );
    connection.close();
    const nested = await httpPost(soap, wrapSoapRequest(`${OCI_ROOT}${'<a>'.repeat((176 * 1024) / 3)}`));
    notes.push(`SOAP 176 KB nested <a> ${nested.ms.toFixed(0)} ms (HTTP ${nested.status})`);
    const declarations = await httpPost(soap, `${'<!x>'.repeat(5345)}${wrapSoapRequest(OCI_VERSION('s'))}`);
    notes.push(`SOAP 5,345 × <!x> ${declarations.ms.toFixed(0)} ms (HTTP ${declarations.status})`);
    return notes.join('; ');
  });

  await probe.stop();
  // Serves normally afterwards: a fresh TCP login and request, and a SOAP request.
  const check = await OciConnection.open(tcp);
  const afterTcp =
    (await check.request(OCI_LOGIN('after'))).includes('LoginResponse22V5') &&
    (await check.request(OCI_VERSION('after'))).includes('SystemSoftwareVersionGetResponse');
  check.close();
  const afterSoap = await httpPost(
    soap,
    wrapSoapRequest(ociDocument('after', '<command xsi:type="AuthenticationRequest" xmlns=""><userId>admin</userId></command>').trim()),
  );
  const servesSoap = afterSoap.status === 200 && afterSoap.text.includes('AuthenticationResponse');
  console.log(
    `OCI-P mock afterwards: TCP login+request ${afterTcp ? 'ok' : 'FAILED'}; SOAP AuthenticationRequest HTTP ${afterSoap.status} ${servesSoap ? 'ok' : 'FAILED'}`,
  );
  if (!afterTcp || !servesSoap) problems.push('OCI-P mock does not serve normally afterwards');
  const code = await mock.stop();
  console.log(`OCI-P mock stopped (exit ${code}); refusal lines logged: ${mock.lines.length}`);
}

// ── the vBox mock ───────────────────────────────────────────────────────────────────────────

{
  const mock = await MockProcess.start('vbox', ['vbox', '--port', '0', '--no-traffic-log', '--idle-timeout', String(VBOX_IDLE_MS)]);
  const port = mock.ready.port!;
  console.log(`\nvBox mock pid ${mock.child.pid}: RSS at start ${mock.memory().rss.toFixed(0)} MB (high-water ${mock.memory().hwm.toFixed(0)} MB)`);
  const probe = await vboxProbe(port);
  await delay(500);

  // The mock admits one client: for the attacks that need the slot, the normal client leaves it,
  // the attacker takes it, and the normal client retries every 100 ms (its longest gap is the wait).
  const asHolder = async (run: () => Promise<string>): Promise<string> => {
    await probe.release();
    const pending = run();
    await delay(300); // the attacker connects first
    probe.hold();
    return pending;
  };

  await attack(
    mock,
    probe,
    'no-read flood as the client (1 GB)',
    () =>
      asHolder(async () => {
        const heartbeat = createRequest('Heartbeat').toBuffer(7);
        const { sent, closedByMock } = await floodWithoutReading(port, heartbeat, FLOOD_BYTES, VBOX_IDLE_MS);
        return `sent ${(sent / MB).toFixed(1)} MB of 1024 before the mock stopped reading; closed by the mock: ${closedByMock}`;
      }),
    { latencyTarget: false, afterTarget: true },
  );

  await attack(
    mock,
    probe,
    'idle holder (the one client)',
    () =>
      asHolder(async () => {
        const before = mock.refusals(/idleTimeoutMs/);
        const { closed } = await holders(port, 1, () => undefined, VBOX_IDLE_MS * 3);
        return `silent client dropped: ${closed === 1}; idle refusals ${mock.refusals(/idleTimeoutMs/) - before}`;
      }),
    { latencyTarget: false },
  );

  await attack(
    mock,
    probe,
    'slow-loris holder (1 B/100 ms)',
    () =>
      asHolder(async () => {
        const frame = createRequest('RoomCount').toBuffer(3);
        const { closed } = await holders(
          port,
          1,
          async (socket) => {
            for (let i = 0; !socket.destroyed; i++) {
              socket.write(frame.subarray(i % (frame.length - 1), (i % (frame.length - 1)) + 1));
              await delay(100);
            }
          },
          VBOX_IDLE_MS * 3,
        );
        return `trickling client dropped: ${closed === 1}`;
      }),
    { latencyTarget: false },
  );

  await attack(mock, probe, 'connection flood + junk (300 conns)', async () => {
    const before = mock.refusals(/"refused"/);
    const junk = Buffer.alloc(64 * 1024, 0x56);
    const { closed } = await holders(port, 300, (socket) => void socket.write(junk), VBOX_IDLE_MS * 3);
    return `refused: ${mock.refusals(/"refused"/) - before}; all closed: ${closed}/300`;
  });

  await attack(
    mock,
    probe,
    'superlinear framer payload (1 MB)',
    async () => {
      await probe.release();
      const socket = dial(port);
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      let answered: (() => void) | undefined;
      const framer = new VboxFramer({ direction: Direction.INCOMING, onFrame: () => answered?.() });
      socket.on('data', (chunk: Buffer) => framer.push(chunk));
      const pattern = Buffer.from('5654553e001ff0', 'hex');
      const payload = Buffer.concat(Array.from({ length: Math.ceil(MB / pattern.length) }, () => pattern));
      const started = performance.now();
      // The garbage's last candidate header may swallow the request behind it: ask again every 250 ms.
      let asks = 0;
      const gotAnswer = await new Promise<boolean>((resolve) => {
        answered = () => resolve(true);
        socket.write(payload);
        const ask = () => {
          if (asks++ > 120 || socket.destroyed) return resolve(false);
          socket.write(VBOX_ROOMS.toBuffer(9));
          setTimeout(ask, 250).unref();
        };
        ask();
      });
      const ms = performance.now() - started;
      framer.close();
      socket.destroy();
      probe.hold();
      // The attacker holds the one slot here, so the answer time is the figure (the framer's cost).
      if (!gotAnswer || ms >= 1000) problems.push(`vbox superlinear framer payload: ${gotAnswer ? `answer after ${ms.toFixed(0)} ms` : 'no answer'} (≥ 1 s)`);
      return `1 MB of 56 54 55 3e 00 1f f0, then RoomCount every 250 ms: ${gotAnswer ? `answered after ${ms.toFixed(0)} ms (${asks} asks)` : 'NO ANSWER'}`;
    },
    { latencyTarget: false },
  );

  await probe.stop();
  // Serves normally afterwards: a fresh client logs in and gets RoomCount.
  const fresh = await vboxProbe(port);
  await delay(1000);
  const afterwards = fresh.take();
  await fresh.stop();
  console.log(`vBox mock afterwards: ${afterwards.count} answers (max ${afterwards.max.toFixed(0)} ms) ${afterwards.count > 0 ? 'ok' : 'FAILED'}`);
  if (afterwards.count === 0) problems.push('vBox mock does not serve normally afterwards');
  const code = await mock.stop();
  console.log(`vBox mock stopped (exit ${code}); refusal lines logged: ${mock.lines.length}`);
}

console.log(problems.length === 0 ? '\nall targets met' : `\ntargets missed:\n  ${problems.join('\n  ')}`);
