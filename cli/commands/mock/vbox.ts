import type { Argv, CommandModule } from 'yargs';
import { type VboxMockFaultSettings, type VboxMockLimits, defaultVboxMockLimits, startVboxMock } from '../../../runtime/mock/vbox/index.js';
import { VboxMockError } from '../../../runtime/vbox/client-errors.js';
import { exampleRows } from '../../examples.js';

// `hammer mock vbox`: a mock Vitrea vBox on TCP. The first stdout line is
// {"ready":true,"port":N} (so scripts and tests can use --port 0); logs go to stderr as JSON lines.

interface MockVboxArgs {
  port: number;
  host: string;
  house?: string;
  username?: string;
  password?: string;
  protocol: 'v1' | 'v2';
  'push-interval'?: number;
  'second-client': 'refuse' | 'replace';
  'enforce-login': boolean;
  quiet: boolean;
  'traffic-log': boolean;
  // Faults (runtime/mock/vbox/faults.ts), for pipelines that start the mock as a process.
  silence?: boolean;
  'ignore-heartbeats'?: boolean;
  'ack-type'?: number;
  'corrupt-checksum'?: boolean;
  split?: 'off' | 'bytes' | 'random';
  merge?: boolean;
  'merge-window'?: number;
  delay?: number;
  'drop-on-request'?: 'fin' | 'rst';
  'answer-node-status'?: boolean;
  'fault-times'?: number;
  // Limits (VboxMockLimits).
  'idle-timeout'?: number;
  'max-connections'?: number;
  'partial-frame-timeout'?: number;
  'max-frame-length'?: number;
  'max-unread-replies'?: number;
}

/** Log entries left out by --no-traffic-log. */
const TRAFFIC_EVENTS = new Set(['request', 'reply', 'push', 'invalid']);

const FAULTS = 'Faults (all off by default; they apply to every request unless --fault-times is given):';
const LIMITS = 'Limits against hostile clients:';

const command: CommandModule<object, MockVboxArgs> = {
  command: 'vbox',
  describe: 'Run a mock Vitrea vBox (VTU on TCP) over a simulated house',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', default: 11501, describe: 'TCP port (0 = any free port; printed on the first stdout line)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('house', { type: 'string', describe: 'house JSON file (rooms, nodes, keys); default: the built-in house' })
      .option('username', { type: 'string', describe: 'Login user [env VITREA_VBOX_USERNAME, default admin]' })
      .option('password', { type: 'string', describe: 'Login password [env VITREA_VBOX_PASSWORD, default admin]' })
      .option('protocol', { choices: ['v1', 'v2'] as const, default: 'v2' as const, describe: 'response layouts' })
      .option('push-interval', { type: 'number', describe: 'simulate a wall press and push its KeyStatus every MS milliseconds' })
      .option('second-client', { choices: ['refuse', 'replace'] as const, default: 'refuse' as const, describe: 'what a second simultaneous client gets' })
      .option('enforce-login', { type: 'boolean', default: true, describe: 'NACK requests before Login (--no-enforce-login to allow them)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no logs on stderr' })
      .option('traffic-log', {
        type: 'boolean',
        default: true,
        describe: 'log every request, reply, push and invalid input (--no-traffic-log: connections, drops and refusals only)',
      })
      .option('silence', { type: 'boolean', group: FAULTS, describe: 'read requests, answer nothing, push nothing' })
      .option('ignore-heartbeats', { type: 'boolean', group: FAULTS, describe: 'never acknowledge Heartbeat (07)' })
      .option('ack-type', { type: 'number', group: FAULTS, describe: 'AckType for actions instead of ACK (1 NACK, 3 IN_USE, …)' })
      .option('corrupt-checksum', { type: 'boolean', group: FAULTS, describe: 'send replies with a wrong checksum' })
      .option('split', { choices: ['off', 'bytes', 'random'] as const, group: FAULTS, describe: 'write replies byte by byte or in random small chunks' })
      .option('merge', { type: 'boolean', group: FAULTS, describe: 'coalesce frames written within --merge-window into one write' })
      .option('merge-window', { type: 'number', group: FAULTS, describe: 'merge window in ms [default 25]' })
      .option('delay', { type: 'number', group: FAULTS, describe: 'delay every reply by MS milliseconds' })
      .option('drop-on-request', {
        choices: ['fin', 'rst'] as const,
        group: FAULTS,
        describe: 'close (fin) or reset (rst) the connection instead of answering',
      })
      .option('answer-node-status', { type: 'boolean', group: FAULTS, describe: 'answer NodeStatus (23) with a same-msgId 23 frame' })
      .option('fault-times', { type: 'number', group: FAULTS, describe: 'apply the fault flags to the first N requests only' })
      .option('idle-timeout', {
        type: 'number',
        group: LIMITS,
        describe: `drop the client after MS milliseconds without a complete request from it; 0 = never [default ${defaultVboxMockLimits.idleTimeoutMs}]`,
      })
      .option('max-connections', {
        type: 'number',
        group: LIMITS,
        describe: `open sockets at most (the client plus newcomers) [default ${defaultVboxMockLimits.maxConnections}]`,
      })
      .option('partial-frame-timeout', {
        type: 'number',
        group: LIMITS,
        describe: `drop a partial frame not completed within MS; 0 = never [default ${defaultVboxMockLimits.partialFrameTimeoutMs}]`,
      })
      .option('max-frame-length', {
        type: 'number',
        group: LIMITS,
        describe: `larger declared frames are corrupt lengths [default ${defaultVboxMockLimits.maxFrameLength}]`,
      })
      .option('max-unread-replies', {
        type: 'number',
        group: LIMITS,
        describe: `drop a client with more reply bytes unread [default ${defaultVboxMockLimits.maxUnreadReplyBytes}]`,
      })
      .example(
        exampleRows([
          ['$0 mock vbox --port 11501 --house house.json --push-interval 5000', 'a mock that flips a key every 5 s'],
          ['$0 mock vbox --port 0', 'any free port; read it from {"ready":true,"port":N}'],
          ['$0 mock vbox --port 0 --corrupt-checksum --fault-times 3', 'the first three requests get replies with a bad checksum'],
          ['$0 mock vbox --port 0 --idle-timeout 5000', 'drop a client that sends no request for 5 s'],
        ]),
      ) as unknown as Argv<MockVboxArgs>,
  handler: async (args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw new VboxMockError(`--port must be a whole number 0–65535; got ${String(args.port)}`);
    }
    const pushInterval = args['push-interval'];
    if (pushInterval !== undefined && (!Number.isFinite(pushInterval) || pushInterval <= 0)) {
      throw new VboxMockError(`--push-interval must be a positive number of milliseconds; got ${String(pushInterval)}`);
    }
    const faults = faultsFrom(args);
    const times = args['fault-times'];
    if (times !== undefined && (!Number.isInteger(times) || times < 1)) {
      throw new VboxMockError(`--fault-times must be a whole number ≥ 1; got ${String(times)}`);
    }
    const limits: Partial<VboxMockLimits> = {
      idleTimeoutMs: args['idle-timeout'],
      maxConnections: args['max-connections'],
      partialFrameTimeoutMs: args['partial-frame-timeout'],
      maxFrameLength: args['max-frame-length'],
      maxUnreadReplyBytes: args['max-unread-replies'],
    };
    const envOrDefault = (value: string | undefined, variable: string) => value ?? (process.env[variable] || 'admin');
    const mock = await startVboxMock({
      port: args.port,
      host: args.host,
      house: args.house,
      username: envOrDefault(args.username, 'VITREA_VBOX_USERNAME'),
      password: envOrDefault(args.password, 'VITREA_VBOX_PASSWORD'),
      version: args.protocol,
      pushIntervalMs: pushInterval,
      secondClient: args['second-client'],
      enforceLogin: args['enforce-login'],
      limits,
      log: args.quiet
        ? undefined
        : (entry) => {
            if (!args['traffic-log'] && TRAFFIC_EVENTS.has(entry.event)) return;
            process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
          },
    });
    if (Object.keys(faults).length > 0) mock.faults.set(faults, times === undefined ? {} : { times });
    // The handlers go in before the ready line: a supervisor may signal as soon as it reads it.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write(`${JSON.stringify({ ready: true, port: mock.port })}\n`);
    await stopped;
    await mock.close();
  },
};
export default command;

/** The fault flags given on the command line, as mock fault settings. */
function faultsFrom(args: MockVboxArgs): VboxMockFaultSettings {
  const faults: VboxMockFaultSettings = {};
  const milliseconds = (value: number | undefined, flag: string): number | undefined => {
    if (value !== undefined && (!Number.isFinite(value) || value < 0))
      throw new VboxMockError(`${flag} must be a number of milliseconds ≥ 0; got ${String(value)}`);
    return value;
  };
  if (args.silence) faults.silence = true;
  if (args['ignore-heartbeats']) faults.ignoreHeartbeats = true;
  if (args['ack-type'] !== undefined) {
    const type = args['ack-type'];
    if (!Number.isInteger(type) || type < 0 || type > 255) throw new VboxMockError(`--ack-type must be a byte value 0–255; got ${String(type)}`);
    faults.ackType = type;
  }
  if (args['corrupt-checksum']) faults.corruptChecksum = true;
  if (args.split !== undefined && args.split !== 'off') faults.split = args.split;
  if (args.merge) faults.merge = true;
  if (args['merge-window'] !== undefined) faults.mergeWindowMs = milliseconds(args['merge-window'], '--merge-window');
  if (args.delay !== undefined) faults.delayMs = milliseconds(args.delay, '--delay');
  if (args['drop-on-request'] !== undefined) faults.dropOnRequest = args['drop-on-request'];
  if (args['answer-node-status']) faults.answerNodeStatus = true;
  return faults;
}
