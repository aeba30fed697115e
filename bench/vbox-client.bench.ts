// vBox client benchmark, against the in-process mock vBox on loopback:
//   - round trips per second through VboxClient (queue, msgId matching, decode, events) with the
//     pause between requests set to 0, beside a baseline in the same run: a bare socket that
//     writes the same pre-encoded RoomCount frame and waits for each reply with the framer only;
//   - time from a dropped connection (FIN) to `ready` again (reconnect + ToggleHeartbeat + Login),
//     with reconnectBaseDelay 0 so only the work itself is measured.
// The real device is the bottleneck in practice (the default pause is 250 ms); this shows the
// client adds little on top of the wire.
//
//   node --import tsx bench/vbox-client.bench.ts      (or: npm run bench -- vbox-client)
import { connect } from 'node:net';
import { createRequest } from '../runtime/vbox/codec.js';
import { Direction } from '../runtime/vbox/frame.js';
import { VboxFramer } from '../runtime/vbox/framer.js';
import { startVboxMock } from '../runtime/mock/vbox/index.js';
import { VboxClient } from '../runtime/vbox/client.js';

const ROUND_TRIPS = 4000;
const RECONNECTS = 20;
const USER = 'bench';
const PASS = 'bench';

const mock = await startVboxMock({ port: 0, username: USER, password: PASS, enforceLogin: false, secondClient: 'replace' });

/** Baseline: raw socket, one pre-encoded request at a time, replies framed but not decoded. */
async function rawRoundTrips(count: number): Promise<number> {
  const socket = connect({ host: '127.0.0.1', port: mock.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const frame = createRequest('RoomCount').toBuffer(1);
  let pending: (() => void) | undefined;
  const framer = new VboxFramer({ direction: Direction.INCOMING, onFrame: () => pending?.() });
  socket.on('data', (chunk: Buffer) => framer.push(chunk));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => {
      pending = resolve;
      socket.write(frame);
    });
  }
  const ms = performance.now() - started;
  socket.destroy();
  framer.close();
  return ms;
}

async function clientRoundTrips(count: number): Promise<number> {
  const client = new VboxClient({ host: '127.0.0.1', port: mock.port, username: USER, password: PASS, requestBuffer: 0, heartbeatInterval: 0 });
  await client.connect();
  const started = performance.now();
  for (let i = 0; i < count; i++) await client.roomCount();
  const ms = performance.now() - started;
  await client.close();
  return ms;
}

async function reconnectTimes(count: number): Promise<number[]> {
  const client = new VboxClient({
    host: '127.0.0.1',
    port: mock.port,
    username: USER,
    password: PASS,
    requestBuffer: 0,
    heartbeatInterval: 0,
    reconnectBaseDelay: 0,
    reconnectMaxDelay: 0,
  });
  await client.connect();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const started = performance.now();
    mock.drop('fin');
    await ready;
    times.push(performance.now() - started);
  }
  await client.close();
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// Warm-up, then measure each side three times and keep the median.
await rawRoundTrips(500);
await clientRoundTrips(500);
const raw: number[] = [];
const viaClient: number[] = [];
for (let run = 0; run < 3; run++) {
  raw.push(await rawRoundTrips(ROUND_TRIPS));
  viaClient.push(await clientRoundTrips(ROUND_TRIPS));
}
const rawMs = median(raw);
const clientMs = median(viaClient);
const reconnect = await reconnectTimes(RECONNECTS);
await mock.close();

const perSecond = (ms: number) => Math.round((ROUND_TRIPS / ms) * 1000).toLocaleString('en-US');
console.log(`round trips (RoomCount, loopback, mock in process, pause 0), ${ROUND_TRIPS} sequential, median of 3:`);
console.log(`  VboxClient            ${perSecond(clientMs).padStart(8)} /s   ${((clientMs / ROUND_TRIPS) * 1000).toFixed(0)} µs each`);
console.log(`  raw socket + framer   ${perSecond(rawMs).padStart(8)} /s   ${((rawMs / ROUND_TRIPS) * 1000).toFixed(0)} µs each   (baseline)`);
console.log(`  client / baseline     ${(rawMs / clientMs).toFixed(2)}× the baseline's rate`);
console.log(
  `reconnect after FIN to ready (TCP + ToggleHeartbeat + Login), ${RECONNECTS} runs: median ${median(reconnect).toFixed(1)} ms, max ${Math.max(...reconnect).toFixed(1)} ms`,
);
