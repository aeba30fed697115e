// Automations, ours beside the one-command-at-a-time way, in the same run. The mock runs in its
// own process (`hammer mock oci`) with a seed of one 5,000-user group (numbers, a device per
// user, hunt groups, a call center).
// 1. audit-group on the 5,000-user group.
// 2. user-digest for 500 users.
// "ours" = 15 commands per document over a pool of 4 sessions; "sequential" = the same
// requests, one command per document, one after another, on one session (batchSize 1,
// concurrency 1). Both runs must give the same result.
//
// Two passes: plain loopback (the mock's CPU dominates), then with --latency 1 ms per response
// document (a LAN round trip; real servers are farther away), since round trips are what
// batching and the pool save.
//
// `--repeat N` then runs ours N more times per automation on the loopback pass and prints the
// client's CPU per command each time: the figure once the JIT and the heap have settled (the
// measured run above still pays for some of that, on the main thread and V8's helper threads).
//
//   npm run bench -- agents        (or: node --import tsx bench/agents.bench.ts [--users 5000] [--digests 500] [--sessions 4] [--latency 1] [--repeat 0])
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { type AgentEvent, type AgentOptions, auditGroup, userDigests } from '../agents/automations/index.js';
import { huntGroupSettings } from '../runtime/mock/oci/seed-demo.js';
import { OciClient } from '../runtime/oci/client.js';
import { OciSchema } from '../runtime/oci/schema.js';
import { spawnMock } from '../test/support/mock-process.js';
import { processCpuSeconds, speedUpCeiling } from './process-cpu.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const USERS = arg('--users', 5_000);
const DIGESTS = arg('--digests', 500);
const SESSIONS = arg('--sessions', 4);
/** Added per response document in the second pass: a LAN round trip to a real server. */
const LATENCY = arg('--latency', 1);
/** Extra runs of ours per automation after the loopback comparison (steady-state client CPU). */
const REPEAT = arg('--repeat', 0);
const USER = 'bench';
const PASSWORD = 'bench-Pa55';
const SP = 'bench-sp';
const GROUP = 'big';
const DOMAIN = 'bench.example';
const FIRST = 3035500000;

function seed(): unknown {
  const users = Array.from({ length: USERS }, (_, i) => {
    const id = `b${String(i).padStart(5, '0')}`;
    return {
      userId: `${id}@${DOMAIN}`,
      firstName: `First${i}`,
      lastName: `Last${i}`,
      callingLineIdFirstName: `First${i}`,
      callingLineIdLastName: `Last${i}`,
      phoneNumber: String(FIRST + i),
      extension: String(10000 + i),
      password: `Pw-${id}-secret`,
      services: ['Voice Messaging User', 'Call Forwarding Always', 'Do Not Disturb'],
      accessDeviceEndpoint: { accessDevice: { deviceLevel: 'Group', deviceName: `dev-${id}` }, linePort: `${id}_lp@${DOMAIN}` },
    };
  });
  const devices = users.map((u, i) => ({
    deviceName: `dev-b${String(i).padStart(5, '0')}`,
    deviceType: 'Polycom VVX 500',
    macAddress: `0004F3${i.toString(16).toUpperCase().padStart(6, '0')}`,
  }));
  const ids = users.map((u) => u.userId);
  const serviceInstances = [
    ...Array.from({ length: 10 }, (_, i) => ({
      kind: 'HuntGroup',
      serviceUserId: `hg-${i}@${DOMAIN}`,
      serviceInstanceProfile: { name: `Hunt ${i}`, callingLineIdLastName: `Hunt ${i}`, callingLineIdFirstName: 'Service', extension: String(20000 + i) },
      policy: 'Regular',
      agentUserId: ids.slice(i * 10, i * 10 + 10),
      ...huntGroupSettings,
    })),
    {
      kind: 'CallCenter',
      serviceUserId: `cc@${DOMAIN}`,
      serviceInstanceProfile: { name: 'Center', callingLineIdLastName: 'Center', callingLineIdFirstName: 'Service', extension: '29999' },
      type: 'Basic',
      policy: 'Circular',
      enableVideo: false,
      queueLength: 10,
      agentUserId: ids.slice(0, 20),
    },
  ];
  return {
    serviceProviders: [
      {
        serviceProviderId: SP,
        defaultDomain: DOMAIN,
        groups: [
          { groupId: 'warmup', defaultDomain: DOMAIN, userLimit: 10, groupServices: ['Hunt Group', 'Call Pickup'] },
          {
            groupId: GROUP,
            defaultDomain: DOMAIN,
            userLimit: USERS * 2,
            phoneNumbers: [{ minPhoneNumber: String(FIRST), maxPhoneNumber: String(FIRST + USERS + 99) }],
            groupServices: ['Hunt Group', 'Call Pickup'],
            devices,
            users,
            serviceInstances,
          },
        ],
      },
    ],
  };
}

interface Run<T> {
  ms: number;
  /** CPU time of both processes (this one and the mock), ms: what the machine's load does not inflate much. */
  cpuMs: number | undefined;
  /** CPU time of this process (the automation, the client, the codec), ms. */
  clientCpuMs: number;
  /** The mock's share of cpuMs. */
  mockCpuMs: number | undefined;
  commands: number;
  documents: number;
  result: T;
}

async function timed<T>(run: (options: AgentOptions) => Promise<T>, options: AgentOptions, mockPid: number): Promise<Run<T>> {
  let end: Extract<AgentEvent, { type: 'end' }> | undefined;
  const mockCpuMs = processCpuSeconds(mockPid) * 1000;
  const ownCpu = process.cpuUsage();
  const started = performance.now();
  const result = await run({
    ...options,
    onEvent: (e) => {
      if (e.type === 'end') end = e;
    },
  });
  const ms = performance.now() - started;
  const own = process.cpuUsage(ownCpu);
  const mockMs = processCpuSeconds(mockPid) * 1000 - mockCpuMs;
  const clientCpuMs = (own.user + own.system) / 1000;
  const cpuMs = mockMs + clientCpuMs;
  return {
    ms,
    cpuMs: Number.isNaN(cpuMs) ? undefined : cpuMs,
    clientCpuMs,
    mockCpuMs: Number.isNaN(mockMs) ? undefined : mockMs,
    commands: end?.commands ?? 0,
    documents: end?.documents ?? 0,
    result,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'th-agents-bench-'));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed()));
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  for (const [i, latency] of [0, LATENCY].entries()) await pass(seedFile, load, latency, i === 0 ? REPEAT : 0);
  rmSync(dir, { recursive: true, force: true });
}

async function pass(seedFile: string, load: string, latency: number, repeat: number): Promise<void> {
  const mock = await spawnMock(['--tcp-port', '0', '--user', `${USER}:${PASSWORD}`, '--seed', seedFile, '--latency', String(latency)], {
    nodeArgs: process.env.BENCH_MOCK_NODE_ARGS ? process.env.BENCH_MOCK_NODE_ARGS.split(' ') : [],
  });
  const mockPid = mock.child.pid as number;
  try {
    const schema = await OciSchema.load(mock.release);
    const connection = { url: `tcp://127.0.0.1:${mock.ports.tcp}`, userId: USER, password: PASSWORD };
    const ours: AgentOptions = { connection, schema, sessions: SESSIONS, batchSize: 15 };
    // The mock keeps its answers to reads until the data changes (docs/oci-mock.md). A change
    // before every measured run, so no run is answered from what the warm-up or the other way
    // read before it: each one costs the mock what a first read costs.
    const admin = new OciClient({ ...connection, schema });
    let changes = 0;
    const freshState = async () => {
      await admin.send({ $type: 'GroupModifyRequest', serviceProviderId: SP, groupId: 'warmup', groupName: `Warm-up ${++changes}` } as never);
    };
    const sequential: AgentOptions = { connection, schema, sessions: 1, batchSize: 1, concurrency: 1 };
    const digestIds = Array.from({ length: DIGESTS }, (_, i) => `b${String(i).padStart(5, '0')}@${DOMAIN}`);
    const audit = (o: AgentOptions) => auditGroup(SP, GROUP, o);
    const digest = (o: AgentOptions) => userDigests(digestIds, o);

    // Warm-up, unmeasured: the schema's types are loaded on first use, the JIT of both processes,
    // and the mock's first answers on the big group (its indexes over 5,000 users). Without it the
    // first measured run (ours) paid for all of that and the second (one by one) for none. Each
    // round starts after a change, as the measured runs do, so the mock's first-read path warms.
    await auditGroup(SP, 'warmup', ours);
    await userDigests(digestIds.slice(0, 20), sequential);
    for (let round = 0; round < 2; round++) {
      await freshState();
      await audit(ours);
      await freshState();
      await digest(ours);
    }

    console.log(
      `agents: mock in its own process, ${latency === 0 ? 'loopback, no added latency' : `${latency} ms added per response document (hammer mock oci --latency ${latency})`}; ${availableParallelism()} CPUs, load ${load}`,
    );
    for (const [name, job] of [
      [`audit-group, ${USERS} users`, audit],
      [`user-digest x ${DIGESTS}`, digest],
    ] as const) {
      await freshState();
      const pooled = await timed(job as (o: AgentOptions) => Promise<{ warnings: unknown[] }>, ours, mockPid);
      await freshState();
      const oneByOne = await timed(job as (o: AgentOptions) => Promise<{ warnings: unknown[] }>, sequential, mockPid);
      const same = isDeepStrictEqual(pooled.result, oneByOne.result);
      console.log(`${name}:`);
      console.log(
        `  ours (batches of 15, ${SESSIONS} sessions): ${Math.round(pooled.ms)} ms, ${pooled.commands} commands in ${pooled.documents} documents, ${pooled.result.warnings.length} warnings`,
      );
      console.log(
        `  one command per document, one after another: ${Math.round(oneByOne.ms)} ms, ${oneByOne.commands} commands in ${oneByOne.documents} documents`,
      );
      const cpu = (r: Run<unknown>) =>
        r.cpuMs === undefined || r.mockCpuMs === undefined
          ? 'n/a'
          : `${Math.round(r.cpuMs)} ms (client ${Math.round(r.clientCpuMs)} ms = ${Math.round((r.clientCpuMs * 1000) / r.commands)} µs per command, mock ${Math.round(r.mockCpuMs)} ms = ${Math.round((r.mockCpuMs * 1000) / r.commands)} µs per command)`;
      console.log(`  CPU of both processes: ours ${cpu(pooled)}, one by one ${cpu(oneByOne)}`);
      console.log(`  speed-up: ${(oneByOne.ms / pooled.ms).toFixed(1)}x (target >= 5x); same result: ${same}`);
      if (pooled.cpuMs !== undefined) console.log(`  ${speedUpCeiling(oneByOne.ms, pooled.cpuMs, pooled.commands, 'command', availableParallelism())}`);
      if (!same) process.exitCode = 1;
    }
    for (const [name, job] of [
      ['audit-group', audit],
      ['user-digest', digest],
    ] as const) {
      const perCommand: string[] = [];
      for (let i = 0; i < repeat; i++) {
        await freshState();
        const again = await timed(job as (o: AgentOptions) => Promise<{ warnings: unknown[] }>, ours, mockPid);
        perCommand.push(((again.clientCpuMs * 1000) / again.commands).toFixed(1));
      }
      if (repeat > 0) console.log(`${name}, ours again ${repeat} times: client CPU per command ${perCommand.join(', ')} µs`);
    }
    await admin.close();
  } finally {
    await mock.stop();
  }
}

await main();
