// Web CLI benchmark: USERS users, each with its own websocket, each submitting ACTIONS `%oci%`
// requests (a table response, so each action stores an XML chunk, a CSV artifact and a table
// chunk) against the mock OCI-P server, one after the other as an operator would. The server
// runs as its own process (`hammer webcli start`) with the default scheduler limits, so its
// RSS is its own; so does the mock (`hammer mock oci`). Prints p50/p99 of submit → first chunk and submit → completion (as the
// browser sees them on the websocket), the throughput, and the server's RSS (current and peak).
// Checks that no chunk is lost or out of order: every action's chunks arrive on the socket with
// seq 1..n, and match what the API returns afterwards.
// Each user first runs WARMUP warm-up actions (the first also opens its OCI-P session to the
// mock) and waits for every other user's: the figures are the steady state of a running server
// (its code optimised by the JIT), and the cold first wave is printed on its own line.
//
//   node --import tsx bench/webcli.bench.ts      (or: npm run bench -- webcli)
//   BENCH_USERS, BENCH_ACTIONS, BENCH_THINK_MS (pause before each submit; default 0, the server saturated),
//   BENCH_WARMUP (warm-up actions per user, default 5; with 1, the JIT still compiles during the first measured second)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { createService, loadConfig, prepareStorage } from '../web/server/index.js';
import { processCpuSeconds } from './process-cpu.js';
import { freePort } from '../test/support/free-port.js';

const USERS = Number(process.env.BENCH_USERS ?? 50);
const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 20);
/** BENCH_THINK_MS: a pause before each measured submit (an operator reading the answer); 0, the default, saturates the server. */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 0);
/**
 * BENCH_WARMUP: actions each user runs before the measured ones. With one, the first second of the
 * load still ran code the JIT had not optimised yet (its first actions took about twice as long
 * as the later ones); five (250 actions in all) give the steady state of a running server.
 */
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? 5));
const TARGET_P99_FIRST_CHUNK_MS = 100;
const root = fileURLToPath(new URL('..', import.meta.url));
const COMMAND = '%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq';

// The mock OCI-P server runs as its own process too, so the clients, the server and the mock do not share one event loop.
const mockProcess = spawn(
  process.execPath,
  [join(root, 'bin/hammer.mjs'), 'mock', 'oci', '--tcp-port', '0', '--seed', join(root, 'test/fixtures/mock/seed.json')],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const mockUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  mockProcess.stdout!.on('data', (d) => {
    out += String(d);
    const ready = /\{"ready":true[^\n]*"tcp":(\d+)/.exec(out);
    if (ready) resolve(`tcp://127.0.0.1:${ready[1]}`);
  });
  mockProcess.once('exit', (code) => reject(new Error(`mock exited with ${code}`)));
});
const home = mkdtempSync(join(tmpdir(), 'webcli-bench-'));
const port = await freePort();
const config = loadConfig({ home, env: {}, listen: { host: '127.0.0.1', port } });
// The server process inherits this environment, so THORS_WEBCLI_SCHEDULER_* changes its limits.
const { scheduler } = loadConfig({ home, env: process.env, listen: { host: '127.0.0.1', port } });

// Users and their OCI-P profiles, written before the server starts.
const { db } = await prepareStorage(config, true);
const setup = createService(config, db, { handlers: [] as never[] });
const password = 'bench password';
const emails = Array.from({ length: USERS }, (_, i) => `bench${i}@example.com`);
for (const email of emails) {
  const user = await setup.createUser(email, password);
  await setup.store.setHandlerConfig(user.id, 'oci', {
    profiles: { mock: { url: mockUrl, userId: 'admin', password: new (await import('../web/server/auth.js')).SecretBox(readKey()).seal('admin') } },
  });
}
await db.destroy();

function readKey(): Buffer {
  return Buffer.from(readFileSync(join(home, config.secrets.keyFile), 'utf8').trim(), 'base64').subarray(0, 32);
}

// BENCH_SERVER_NODE_ARGS: extra node flags for the server process (e.g. --cpu-prof).
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(process.execPath, [...serverNodeArgs, join(root, 'bin/hammer.mjs'), 'webcli', 'start', '--home', home, '--port', String(port)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d) => {
    out += String(d);
    if (out.includes('listening on')) resolve();
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
// One keep-alive connection per user through undici's Pool (request(), not fetch: the clients share
// the machine's two cores with the server, so they should spend as little CPU as they can).
const http = new Pool(`http://127.0.0.1:${port}`, { connections: USERS, pipelining: 1 });

async function call(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
  const res = await http.request({ method, path, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

interface Timing {
  submitted: number;
  firstChunk?: number;
  done?: number;
  seqs: number[];
  chunkIds: number[];
  /** A warm-up action (the first `BENCH_WARMUP` of each user): not counted in the load's figures; the first of them feeds `coldFirstChunkMs`. */
  warmUp: boolean;
}

const firstChunkMs: number[] = [];
/**
 * Each user's first action, before the measured 20: it runs on a freshly started server (code not
 * yet optimised by the JIT) and opens that user's OCI-P session to the mock (connect and login),
 * all 50 at once. It is printed on its own line; the load's figures are the steady state after the warm-up.
 */
const coldFirstChunkMs: number[] = [];
let warmUpsLeft = USERS;
let warmUpsDone!: () => void;
const allWarm = new Promise<void>((resolve) => (warmUpsDone = resolve));
/** The same spans from the server's stored timestamps (created → first chunk stored, created → finished): the server alone, without the clients. */
const serverFirstChunkMs: number[] = [];
const serverCompletionMs: number[] = [];
const completionMs: number[] = [];
let problems = 0;
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, rssOf(server));
}, 200);

async function runUser(email: string): Promise<void> {
  const login = await call('POST', '/api/login', { 'content-type': 'application/json' }, { email, password });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const json = { cookie, 'content-type': 'application/json' };
  const thread = (await call('POST', '/api/threads', json, { title: 'bench' })).json as { id: number };
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie, origin: config.publicUrl } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const timings = new Map<number, Timing>();
  const early = new Map<number, { type: string; at: number; seq?: number; id?: number; status?: string }[]>();
  let wake: (() => void) | undefined;
  socket.on('message', (data) => {
    const at = performance.now();
    const m = JSON.parse(String(data)) as { type: string; actionId?: number; status?: string; chunk?: { actionId: number; seq: number; id: number } };
    const actionId = m.chunk?.actionId ?? m.actionId;
    if (actionId === undefined) return;
    const event = { type: m.type, at, seq: m.chunk?.seq, id: m.chunk?.id, status: m.status };
    const t = timings.get(actionId);
    if (!t) {
      // The event beat the HTTP answer that names the action: keep it for when it is known.
      early.set(actionId, [...(early.get(actionId) ?? []), event]);
      return;
    }
    apply(t, event);
  });
  const apply = (t: Timing, e: { type: string; at: number; seq?: number; id?: number; status?: string }) => {
    if (e.type === 'chunk') {
      t.firstChunk ??= e.at;
      t.seqs.push(e.seq!);
      t.chunkIds.push(e.id!);
    } else if (e.type === 'action-status' && (e.status === 'succeeded' || e.status === 'failed' || e.status === 'cancelled')) {
      t.done = e.at;
      if (e.status !== 'succeeded') problems++;
      wake?.();
    }
  };
  socket.send(JSON.stringify({ type: 'subscribe', threadId: thread.id }));
  const runAction = async (warmUp: boolean): Promise<Timing & { firstChunk: number; done: number }> => {
    const submitted = performance.now();
    const res = await call('POST', `/api/threads/${thread.id}/actions`, json, { text: COMMAND });
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.json)}`);
    const { actionId } = res.json as { actionId: number };
    const t: Timing = { submitted, seqs: [], chunkIds: [], warmUp };
    timings.set(actionId, t);
    for (const e of early.get(actionId) ?? []) apply(t, e);
    early.delete(actionId);
    while (t.done === undefined) await new Promise<void>((resolve) => (wake = resolve));
    return t as Timing & { firstChunk: number; done: number };
  };
  const warm = await runAction(true);
  coldFirstChunkMs.push(warm.firstChunk - warm.submitted);
  for (let i = 1; i < WARMUP; i++) await runAction(true);
  if (--warmUpsLeft === 0) warmUpsDone();
  await allWarm; // the measured load starts for every user at once
  for (let i = 0; i < ACTIONS; i++) {
    if (THINK_MS > 0) await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    const t = await runAction(false);
    firstChunkMs.push(t.firstChunk - t.submitted);
    completionMs.push(t.done - t.submitted);
  }
  socket.close();
  loopsLeft--;
  if (loopsLeft === 0) loadDone();
  await allLoopsDone;
  // No chunk lost or out of order: the socket saw seq 1..n, and the stored action has the same
  // chunks (read back once per user, as the thread, after every user's loop has ended).
  const storedThread = (await call('GET', `/api/threads/${thread.id}`, { cookie })).json as {
    actions: { actionId: number; action: { createdAt: string; finishedAt: string; chunks: { id: number; seq: number; createdAt: string }[] } }[];
  };
  const storedActions = new Map(storedThread.actions.map((a) => [a.actionId, a.action]));
  for (const [actionId, t] of timings) {
    const stored = storedActions.get(actionId) ?? { createdAt: '', finishedAt: '', chunks: [] };
    const created = Date.parse(stored.createdAt);
    if (!t.warmUp) {
      if (stored.chunks[0]) serverFirstChunkMs.push(Date.parse(stored.chunks[0].createdAt) - created);
      serverCompletionMs.push(Date.parse(stored.finishedAt) - created);
    }
    const inOrder = t.seqs.every((s, i) => s === i + 1);
    const same = JSON.stringify(stored.chunks.map((c) => c.id)) === JSON.stringify(t.chunkIds);
    if (!inOrder || !same || t.seqs.length === 0) {
      problems++;
      console.error(`action ${actionId}: socket seqs ${t.seqs.join(',')} ids ${t.chunkIds.join(',')}; stored ${stored.chunks.map((c) => c.id).join(',')}`);
    }
  }
}

// The CPU figures cover the load (every user's closed loop), not the read-back checks after it.
let loopsLeft = USERS;
let loadDone!: () => void;
const allLoopsDone = new Promise<void>((resolve) => (loadDone = resolve));
let cpuAtLoadEnd: { server: number; mock: number; clients: NodeJS.CpuUsage } | undefined;
let elapsed = 0;
void allLoopsDone.then(() => {
  elapsed = performance.now() - started;
  cpuAtLoadEnd = {
    server: processCpuSeconds(server.pid!) * 1000,
    mock: processCpuSeconds(mockProcess.pid!) * 1000,
    clients: process.cpuUsage(cpuBefore.clients),
  };
});

let started = 0;
let cpuBefore!: { server: number; mock: number; clients: NodeJS.CpuUsage };
void allWarm.then(() => {
  started = performance.now();
  cpuBefore = { server: processCpuSeconds(server.pid!) * 1000, mock: processCpuSeconds(mockProcess.pid!) * 1000, clients: process.cpuUsage() };
});
await Promise.all(emails.map(runUser));
const atEnd = cpuAtLoadEnd!;
const cpuPerAction = {
  server: (atEnd.server - cpuBefore.server) / (USERS * ACTIONS),
  mock: (atEnd.mock - cpuBefore.mock) / (USERS * ACTIONS),
  clients: (atEnd.clients.user + atEnd.clients.system) / 1000 / (USERS * ACTIONS),
};
clearInterval(rssTimer);
const rss = rssOf(server);
peakRss = Math.max(peakRss, rss);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const total = USERS * ACTIONS;
console.log(
  `${USERS} users × ${ACTIONS} actions = ${total} %oci% actions (each: XML + CSV + table chunks; after ${WARMUP} warm-up action${WARMUP > 1 ? 's' : ''} per user${THINK_MS > 0 ? `; ${THINK_MS} ms pause before each submit` : ', no pause between them'}), server limits: ${scheduler.maxRunning} running, ${scheduler.maxPerUser} per user`,
);
console.log(
  `submit → first chunk:  p50 ${pct(firstChunkMs, 50).toFixed(1)} ms   p99 ${pct(firstChunkMs, 99).toFixed(1)} ms   (target p99 < ${TARGET_P99_FIRST_CHUNK_MS} ms)`,
);
console.log(`submit → completion:   p50 ${pct(completionMs, 50).toFixed(1)} ms   p99 ${pct(completionMs, 99).toFixed(1)} ms`);
console.log(
  `cold first action of each user (before the load; fresh server, OCI-P login to the mock, all ${USERS} at once): first chunk p50 ${pct(coldFirstChunkMs, 50).toFixed(1)} ms, max ${Math.max(...coldFirstChunkMs).toFixed(1)} ms`,
);
console.log(
  `server side (stored timestamps, ms resolution): first chunk p50 ${pct(serverFirstChunkMs, 50)} ms, p99 ${pct(serverFirstChunkMs, 99)} ms; completion p50 ${pct(serverCompletionMs, 50)} ms, p99 ${pct(serverCompletionMs, 99)} ms`,
);
console.log(`throughput: ${(total / (elapsed / 1000)).toFixed(0)} actions/s over ${(elapsed / 1000).toFixed(1)} s`);
console.log(
  `CPU per action (user+system, during the load, without the read-back checks): server ${cpuPerAction.server.toFixed(2)} ms, mock ${cpuPerAction.mock.toFixed(2)} ms, bench clients ${cpuPerAction.clients.toFixed(2)} ms`,
);
console.log(`server RSS: ${(rss / 1048576).toFixed(0)} MiB at the end, ${(peakRss / 1048576).toFixed(0)} MiB peak (sampled every 200 ms)`);
console.log(`chunks lost or out of order: ${problems === 0 ? 'none' : problems}`);

await http.close();
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
mockProcess.kill('SIGTERM');
await new Promise((resolve) => mockProcess.once('exit', resolve));
rmSync(home, { recursive: true, force: true });
if (problems > 0 || firstChunkMs.length !== total) process.exit(1);
if (pct(firstChunkMs, 99) >= TARGET_P99_FIRST_CHUNK_MS)
  console.log(`note: p99 to the first chunk is above the ${TARGET_P99_FIRST_CHUNK_MS} ms target on this machine`);

function rssOf(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
