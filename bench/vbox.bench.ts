// vBox (VTU) codec benchmark: frames per second for encoding requests, decoding a mixed stream
// of responses, and framing that stream from 1,400-byte TCP-sized chunks. Each figure is printed
// beside a baseline measured in the same run on equivalent data:
//   - encode: JSON.stringify of the same requests' fields;
//   - decode: JSON.parse of the decoded messages' JSON (what a JSON-speaking peer would cost);
//   - framing: a bare length walk (Buffer.readUInt16BE + subarray, no checksum, no resync),
//     the floor any length-driven framer can reach.
//
//   node --import tsx bench/vbox.bench.ts      (or: npm run bench -- vbox)
import { requests } from '../generated/vbox/index.js';
import { decodeResponse, encodeResponse } from '../runtime/vbox/codec.js';
import { parseFrame, type VboxFrame } from '../runtime/vbox/frame.js';
import { VboxFramer } from '../runtime/vbox/framer.js';

const FRAMES = 20_000;
const MIN_MS = 1_000;

/** A realistic mix of vBox→client frames: many ACKs and key-status pushes, some metadata. */
function mixedFrames(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const id = (i % 255) + 1;
    switch (i % 8) {
      case 0:
      case 1:
      case 2:
        out.push(encodeResponse('Acknowledgement', { type: 'ACK' }, id));
        break;
      case 3:
      case 4:
        out.push(encodeResponse('KeyStatus', { nodeId: i % 40, keyId: i % 4, power: i % 2 ? 'ON' : 'OFF', rest: [0, 0, 0, 0, 0] }, id));
        break;
      case 5:
        out.push(
          encodeResponse(
            'NodeMetaData',
            {
              nodeId: i % 40,
              macAddress: '00:0D:6F:00:0E:FB:96:21',
              type: 'VT_MW3_SR3_10A',
              keyTypes: ['TOGGLE', 'DIMMER', 'BLIND'],
              firmware: '7.93',
              roomId: 2,
              rest: [0, 0],
            },
            id,
          ),
        );
        break;
      case 6:
        out.push(encodeResponse('RoomMetaData', { roomId: i % 12, name: i % 2 ? 'Living room' : 'סלון' }, id));
        break;
      default:
        out.push(encodeResponse('RoomCount', { list: [0, 1, 2, 3, 4, 5, 6, 7] }, id));
    }
  }
  return out;
}

/** Frames per second of wall-clock time and per second of this process's CPU time (less distorted on a busy host). */
interface Rate {
  wall: number;
  cpu: number;
}

/** Runs `body` (which handles `perCall` frames) repeatedly for at least MIN_MS. */
function measure(perCall: number, body: () => void): Rate {
  body(); // warm-up
  body();
  let calls = 0;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    body();
    calls++;
    elapsed = performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: (calls * perCall) / (elapsed / 1000), cpu: (calls * perCall) / cpuSeconds };
}

function row(label: string, ours: Rate, baselineLabel: string, baseline: Rate): void {
  const f = (n: number) => `${(n / 1e6).toFixed(2)}`.padStart(6);
  console.log(
    `${label.padEnd(36)}${f(ours.wall)} ${f(ours.cpu)}   ${baselineLabel.padEnd(38)}${f(baseline.wall)} ${f(baseline.cpu)}   ×${(ours.cpu / baseline.cpu).toFixed(2)}`,
  );
}

const frames = mixedFrames(FRAMES);
const stream = Buffer.concat(frames);
const parsed: VboxFrame[] = frames.map((f) => parseFrame(f));
const json = parsed.map((f) => JSON.stringify(decodeResponse(f).toJSON()));
let sink = 0;

console.log(`vBox codec: ${FRAMES} mixed frames (${(stream.length / FRAMES).toFixed(1)} bytes on average), Node ${process.version}`);
console.log('Rates in millions of frames per second: wall clock, then per CPU-second of this process.');
console.log(
  `${'what'.padEnd(36)}${'wall'.padStart(6)} ${'cpu'.padStart(6)}   ${'baseline'.padEnd(38)}${'wall'.padStart(6)} ${'cpu'.padStart(6)}   ours/baseline (cpu)`,
);

// Encoding: build + validate a request object and its frame.
const encodeOurs = measure(FRAMES, () => {
  for (let i = 0; i < FRAMES; i++) {
    sink += new requests.ToggleKeyStatus({ nodeId: i & 63, keyId: i & 3, power: i & 1 ? 'ON' : 'OFF', dimmerRatio: i % 101 }).toBuffer((i % 255) + 1).length;
  }
});
const encodeBase = measure(FRAMES, () => {
  for (let i = 0; i < FRAMES; i++) sink += JSON.stringify({ nodeId: i & 63, keyId: i & 3, power: i & 1 ? 'ON' : 'OFF', dimmerRatio: i % 101, timer: 0 }).length;
});
row('encode ToggleKeyStatus', encodeOurs, 'JSON.stringify of the same fields', encodeBase);

// Decoding: parseFrame (checks) + decodeResponse into a typed object.
const decodeOurs = measure(FRAMES, () => {
  for (let i = 0; i < FRAMES; i++) sink += decodeResponse(parseFrame(frames[i]!)).messageId;
});
const decodeBase = measure(FRAMES, () => {
  for (let i = 0; i < FRAMES; i++) sink += (JSON.parse(json[i]!) as { messageId: number }).messageId;
});
row('decode mixed responses', decodeOurs, 'JSON.parse of the decoded JSON', decodeBase);

// Decoding plus a computed property read (lazy getters are evaluated on access).
const decodeReadOurs = measure(FRAMES, () => {
  for (let i = 0; i < FRAMES; i++) {
    const r = decodeResponse(parsed[i]!) as unknown as { isOK?: boolean; isOn?: boolean; version?: string };
    sink += r.isOK || r.isOn || r.version ? 1 : 0;
  }
});
row('decode (pre-framed) + computed read', decodeReadOurs, 'JSON.parse of the decoded JSON', decodeBase);

// Framing a TCP-like stream in 1,400-byte chunks.
const chunks: Buffer[] = [];
for (let i = 0; i < stream.length; i += 1400) chunks.push(stream.subarray(i, i + 1400));
let delivered = 0;
const framer = new VboxFramer({ partialFrameTimeoutMs: 0, onFrame: () => delivered++ });
const frameOurs = measure(FRAMES, () => {
  for (const chunk of chunks) framer.push(chunk);
});
const frameBase = measure(FRAMES, () => {
  let pos = 0;
  while (pos + 7 <= stream.length) {
    const total = stream.readUInt16BE(pos + 5) + 7;
    sink += stream.subarray(pos, pos + total).length;
    pos += total;
  }
});
framer.close();
row('frame the stream (1,400-byte reads)', frameOurs, 'bare length walk (no checksum/resync)', frameBase);

// Framing + decoding end to end, the client's receive path.
let endToEnd = 0;
const receive = new VboxFramer({ partialFrameTimeoutMs: 0, onFrame: (f) => (endToEnd += decodeResponse(f).messageId) });
const e2eOurs = measure(FRAMES, () => {
  for (const chunk of chunks) receive.push(chunk);
});
receive.close();
row('frame + decode (receive path)', e2eOurs, 'JSON.parse of the decoded JSON', decodeBase);

if (delivered % FRAMES !== 0) throw new Error(`framer delivered ${delivered} frames, not a multiple of ${FRAMES}`);
console.log(`(checksum of results: ${(sink + endToEnd) % 997}; target: > 1,000,000 frames/s decoded)`);
const load = (await import('node:os')).loadavg()[0]!;
console.log(
  `host: ${(await import('node:os')).cpus().length} CPUs, load average ${load.toFixed(1)} (wall-clock rates suffer when the load exceeds the CPU count)`,
);
