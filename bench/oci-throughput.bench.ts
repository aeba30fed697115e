// OCI-P client throughput against the mock server running in a separate process (started
// through `hammer mock oci`), so client and server CPU are measured apart: the client with
// process.cpuUsage(), the server from /proc/<pid>/stat. Scenarios: a raw-socket baseline that
// replays one pre-encoded 15-command document (no encode, no decode, no validation), one
// OciClient TCP session with 15-command batches, OciSessionPool of 1/2/4/8 sessions, and SOAP.
//
//   node --import tsx bench/oci-throughput.bench.ts [--seconds 3]
import { connect } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { signedPassword } from '../runtime/oci/auth.js';
import { OciClient } from '../runtime/oci/client.js';
import { OciSessionPool } from '../runtime/oci/client/pool.js';
import { type OciCommand, decodeDocument, encodeDocument } from '../runtime/oci/codec.js';
import { OciSchema } from '../runtime/oci/schema.js';
import { OciDocumentSplitter } from '../runtime/oci/transport/framing.js';
import { spawnMock } from '../test/support/mock-process.js';
import { processCpuSeconds } from './process-cpu.js';

const SECONDS = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;
const USER = 'bench';
const PASSWORD = 'bench-Pa55';
const COMMAND: OciCommand = { $type: 'SystemSoftwareVersionGetRequest' };
const BATCH = 15;

interface Measurement {
  name: string;
  commands: number;
  seconds: number;
  clientCpu: number; // seconds
  serverCpu: number; // seconds
}

async function main(): Promise<void> {
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const mock = await spawnMock(['--tcp-port', '0', '--soap-port', '0', '--user', `${USER}:${PASSWORD}`]);
  const mockPid = mock.child.pid as number;
  try {
    const schema = await OciSchema.load('R25');
    await schema.ensure('SystemSoftwareVersionGetRequest', 'SystemSoftwareVersionGetResponse');
    const results: Measurement[] = [];
    const tcpUrl = `tcp://127.0.0.1:${mock.ports.tcp}`;
    const soapUrl = `http://127.0.0.1:${mock.ports.soap}`;

    // Warm both processes up (JIT, lazy module loading) before measuring.
    await oneSession(schema, tcpUrl, 1);

    results.push(await measure('baseline: raw socket, pre-encoded 15-command document', mockPid, () => rawSocket(schema, mock.ports.tcp)));
    results.push(await measure('OciClient, 1 TCP session, batches of 15', mockPid, () => oneSession(schema, tcpUrl, SECONDS)));
    for (const size of [1, 2, 4, 8]) {
      results.push(await measure(`OciSessionPool size ${size} (TCP), batches of 15`, mockPid, () => pooled(schema, tcpUrl, size)));
    }
    results.push(await measure('OciClient, 1 SOAP session (HTTP), batches of 15', mockPid, () => oneSession(schema, soapUrl, SECONDS)));
    results.push(await measure('OciClient, 1 TCP session, single commands', mockPid, () => singles(schema, tcpUrl)));

    console.log(`OCI-P throughput (${SECONDS}s per scenario, command ${COMMAND.$type}, ${availableParallelism()} CPUs, mock in pid ${mockPid})`);
    console.log('µs/cmd: CPU time per command, the figure least affected by other load on the host.');
    console.log(
      `CPU share: CPU seconds per wall second (1.00 = one core busy). Load average before/after: ${loadBefore} / ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (other processes on the host skew the figures).\n`,
    );
    const header = ['scenario', 'commands/s', 'client CPU', 'server CPU', 'total CPU', 'client µs/cmd', 'server µs/cmd'];
    const rows = results.map((r) => [
      r.name,
      Math.round(r.commands / r.seconds).toLocaleString('en-US'),
      (r.clientCpu / r.seconds).toFixed(2),
      (r.serverCpu / r.seconds).toFixed(2),
      ((r.clientCpu + r.serverCpu) / r.seconds).toFixed(2),
      ((r.clientCpu * 1e6) / r.commands).toFixed(1),
      ((r.serverCpu * 1e6) / r.commands).toFixed(1),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(line(row));
    const single = results[1] as Measurement;
    const baseline = results[0] as Measurement;
    console.log(
      `\none TCP session with batches of 15: ${Math.round(single.commands / single.seconds).toLocaleString('en-US')} commands/s ` +
        `(target ≥ 5,000; ${((single.commands / single.seconds / (baseline.commands / baseline.seconds)) * 100).toFixed(0)}% of the raw-socket baseline)`,
    );
  } finally {
    await mock.stop();
  }
}

/** Runs a scenario and records wall time, client CPU and server CPU. */
async function measure(name: string, serverPid: number, run: () => Promise<number>): Promise<Measurement> {
  const serverBefore = processCpuSeconds(serverPid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const commands = await run();
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  return {
    name,
    commands,
    seconds,
    clientCpu: (client.user + client.system) / 1e6,
    serverCpu: processCpuSeconds(serverPid) - serverBefore,
  };
}

/** One OciClient session sending batches of 15 for `seconds`. */
async function oneSession(schema: OciSchema, url: string, seconds: number): Promise<number> {
  const client = new OciClient({ url, userId: USER, password: PASSWORD, schema });
  await client.connect();
  const batch = Array.from({ length: BATCH }, () => COMMAND);
  let commands = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const results = await client.sendBatch(batch);
    if (!results.every((r) => r.ok)) throw new Error('a command failed');
    commands += results.length;
  }
  await client.close();
  return commands;
}

/** One OciClient session sending single commands. */
async function singles(schema: OciSchema, url: string): Promise<number> {
  const client = new OciClient({ url, userId: USER, password: PASSWORD, schema });
  await client.connect();
  let commands = 0;
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    await client.send(COMMAND);
    commands++;
  }
  await client.close();
  return commands;
}

/** A pool kept busy: 2 × size workers each send batches of 15 back to back, so no session waits for work. */
async function pooled(schema: OciSchema, url: string, size: number): Promise<number> {
  const pool = new OciSessionPool({ size, url, userId: USER, password: PASSWORD, schema });
  await pool.connect();
  const batch = Array.from({ length: BATCH }, () => COMMAND);
  let commands = 0;
  const until = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const results = await pool.sendBatch(batch);
      if (!results.every((r) => r.ok)) throw new Error('a command failed');
      commands += results.length;
    }
  };
  await Promise.all(Array.from({ length: size * 2 }, worker));
  await pool.close();
  return commands;
}

/**
 * Baseline: a bare socket that logs in, then replays one pre-encoded 15-command document and
 * only finds the end of each answer (no encoding, decoding, validation or queueing).
 */
async function rawSocket(schema: OciSchema, port: number | undefined): Promise<number> {
  const socket = connect(port as number, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setNoDelay(true);
  const splitter = new OciDocumentSplitter();
  const waiting: ((document: Buffer) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const document of splitter.push(chunk)) waiting.shift()?.(document);
  });
  const exchange = (bytes: Buffer) =>
    new Promise<Buffer>((resolve) => {
      waiting.push(resolve);
      socket.write(bytes);
    });
  const sessionId = 'bench-raw-socket';
  const doc = (commands: OciCommand[]) => Buffer.from(`${encodeDocument(schema, { sessionId, commands }, { validate: false })}\n`, 'utf8');
  await schema.ensure('AuthenticationRequest', 'AuthenticationResponse', 'LoginRequest14sp4', 'LoginResponse14sp4');
  const auth = decodeDocument(schema, await exchange(doc([{ $type: 'AuthenticationRequest', userId: USER }]))).commands[0] as unknown as { nonce: string };
  const login = decodeDocument(
    schema,
    await exchange(doc([{ $type: 'LoginRequest14sp4', userId: USER, signedPassword: signedPassword(auth.nonce, PASSWORD) }])),
  ).commands[0];
  if (login?.$type !== 'LoginResponse14sp4') throw new Error(`raw login failed: ${JSON.stringify(login)}`);

  const batch = doc(Array.from({ length: BATCH }, () => COMMAND));
  let commands = 0;
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    await exchange(batch);
    commands += BATCH;
  }
  socket.destroy();
  return commands;
}

await main();
