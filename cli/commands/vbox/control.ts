import type { Argv, CommandModule } from 'yargs';
import { KeyType } from '../../../generated/vbox/index.js';
import { VboxClient } from '../../../runtime/vbox/client.js';
import { enumName } from '../../../runtime/vbox/codec.js';
import { VboxRequestError } from '../../../runtime/vbox/client-errors.js';
import type { VboxClientOptions } from '../../../runtime/vbox/options.js';

// `hammer vbox status|rooms|nodes|key|watch`: talk to a real vBox (or `hammer mock vbox`).
// Connection options fall back to the VITREA_VBOX_* environment variables, then defaults.

interface ConnectionArgs {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  protocol?: 'v1' | 'v2';
  timeout?: number;
  json?: boolean;
}

/** Adds the connection options every control command shares. */
function withConnection<T>(y: Argv<T>): Argv<T & ConnectionArgs> {
  return y
    .option('host', { type: 'string', describe: 'vBox address [env VITREA_VBOX_HOST, default 192.168.1.23]' })
    .option('port', { type: 'number', describe: 'vBox app port [env VITREA_VBOX_PORT, default 11501]' })
    .option('username', { type: 'string', describe: 'login user [env VITREA_VBOX_USERNAME, required]' })
    .option('password', { type: 'string', describe: 'login password [env VITREA_VBOX_PASSWORD, required]' })
    .option('protocol', { choices: ['v1', 'v2'] as const, describe: 'response layouts [env VITREA_VBOX_VERSION, default v2]' })
    .option('timeout', { type: 'number', describe: 'ms to wait for each reply [env VITREA_VBOX_REQUEST_TIMEOUT, default 1000]' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' }) as Argv<T & ConnectionArgs>;
}

/** Only options given on the command line are passed, so the environment fills the rest. */
function clientOptions(args: ConnectionArgs, extra: VboxClientOptions = {}): VboxClientOptions {
  const options: VboxClientOptions = { ...extra };
  if (args.host !== undefined) options.host = args.host;
  if (args.port !== undefined) options.port = args.port;
  if (args.username !== undefined) options.username = args.username;
  if (args.password !== undefined) options.password = args.password;
  if (args.protocol !== undefined) options.version = args.protocol;
  if (args.timeout !== undefined) options.requestTimeout = args.timeout;
  return options;
}

/** Connects, runs `work`, and always closes the client (one-shot commands never reconnect). */
async function withClient<T>(args: ConnectionArgs, work: (client: VboxClient) => Promise<T>): Promise<T> {
  const client = new VboxClient(clientOptions(args, { shouldReconnect: false }));
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.close();
  }
}

/** `hammer vbox nodes | head` closes stdout early: end quietly instead of an EPIPE stack trace. */
let stdoutGuarded = false;
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

function print(value: unknown): void {
  guardStdout();
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
}

function plain(value: { toJSON(): unknown } | undefined): unknown {
  return value?.toJSON();
}

const status: CommandModule<object, ConnectionArgs> = {
  command: 'status',
  describe: 'Connect, log in and print a summary (room and node counts)',
  builder: (y) => withConnection(y).example('$0 vbox status --host 127.0.0.1 --username admin --password admin', 'summary of a vBox'),
  handler: async (args) => {
    const summary = await withClient(args, async (client) => {
      const rooms = await client.roomCount();
      const nodes = await client.nodeCount();
      return {
        host: client.options.host,
        port: client.options.port,
        protocol: client.options.version,
        rooms: rooms.total,
        roomIds: rooms.list,
        nodes: nodes.total,
        nodeIds: nodes.list,
      };
    });
    if (args.json) print(summary);
    else {
      print(`vBox ${summary.host}:${summary.port} (protocol ${summary.protocol}): logged in`);
      print(`rooms: ${summary.rooms} (${summary.roomIds.join(', ')})`);
      print(`nodes: ${summary.nodes} (${summary.nodeIds.join(', ')})`);
    }
  },
};

const rooms: CommandModule<object, ConnectionArgs> = {
  command: 'rooms',
  describe: 'List the rooms with their names',
  builder: (y) => withConnection(y),
  handler: async (args) => {
    const list = await withClient(args, (client) => client.rooms());
    if (args.json) print(list.map((room) => ({ id: room.id, name: room.name })));
    else for (const room of list) print(`${String(room.id).padStart(3)}  ${room.name}`);
  },
};

const nodes: CommandModule<object, ConnectionArgs> = {
  command: 'nodes',
  describe: 'List the nodes: model, MAC, room, keys, lock and LED state, firmware',
  builder: (y) => withConnection(y),
  handler: async (args) => {
    const list = await withClient(args, (client) => client.nodes());
    if (args.json) {
      print(list.map((node) => plain(node)));
      return;
    }
    for (const node of list) {
      const keys = node.keysList.map((key) => `${key.id}:${enumName(KeyType, key.type)}`).join(' ');
      print(
        `${String(node.nodeId).padStart(3)}  ${node.model.padEnd(24)} ${node.macAddress}  room ${node.roomId}  ${node.isLocked ? 'locked' : 'unlocked'}  v${node.version}  keys ${keys}`,
      );
    }
  },
};

interface KeyArgs extends ConnectionArgs {
  node: number;
  key: number;
  action: string;
  level?: number;
}

function byteArg(value: unknown, what: string, max = 255): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new VboxRequestError(`${what} must be a whole number 0–${max}; got ${String(value)}`);
  }
  return value;
}

const key: CommandModule<object, KeyArgs> = {
  command: 'key <node> <key> <action> [level]',
  describe: 'Switch a key: on, off, or dim N (0–100); prints the ACK and the pushed status',
  builder: (y) =>
    withConnection(y)
      .positional('node', { type: 'number', demandOption: true, describe: 'node id' })
      .positional('key', { type: 'number', demandOption: true, describe: 'key id (from 0)' })
      .positional('action', { type: 'string', choices: ['on', 'off', 'dim'], demandOption: true, describe: 'on, off or dim' })
      .positional('level', { type: 'number', describe: 'dimmer ratio 0–100 (with dim)' })
      .example('$0 vbox key 1 0 on', 'switch node 1 key 0 on')
      .example('$0 vbox key 3 0 dim 40', 'dim node 3 key 0 to 40 %') as Argv<KeyArgs>,
  handler: async (args) => {
    const nodeId = byteArg(args.node, 'node');
    const keyId = byteArg(args.key, 'key');
    const action = String(args.action).toLowerCase();
    let dimmerRatio: number | undefined;
    if (action === 'dim') {
      if (args.level === undefined) throw new VboxRequestError('dim needs a level 0–100, e.g. `hammer vbox key 3 0 dim 40`');
      dimmerRatio = byteArg(args.level, 'dim level', 100);
    } else if (args.level !== undefined) {
      throw new VboxRequestError(`a level is only allowed with dim, not with ${action}`);
    }
    const power = action === 'off' ? 'OFF' : 'ON';
    const result = await withClient(args, async (client) => {
      // Catch the push that follows the ACK (a device may or may not send one).
      let pushed: unknown;
      const stop = client.onKeyStatus((status) => {
        if (status.nodeId === nodeId && status.keyId === keyId) pushed = plain(status);
      });
      const ack = await client.toggleKey(nodeId, keyId, power, dimmerRatio === undefined ? {} : { dimmerRatio });
      if (pushed === undefined) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(client.options.requestTimeout, 500)));
      }
      stop();
      return { ok: ack.isOK, nodeId, keyId, power, ...(dimmerRatio === undefined ? {} : { dimmerRatio }), status: pushed ?? null };
    });
    if (args.json) print(result);
    else {
      print(`node ${nodeId} key ${keyId}: ${power}${dimmerRatio === undefined ? '' : ` ${dimmerRatio}%`} acknowledged`);
      if (result.status) print(`status pushed: ${JSON.stringify(result.status)}`);
    }
  },
};

interface WatchArgs extends ConnectionArgs {
  count?: number;
}

const watch: CommandModule<object, WatchArgs> = {
  command: 'watch',
  describe: 'Print KeyStatus pushes as they arrive (one line each) until Ctrl-C; reconnects by itself',
  builder: (y) =>
    withConnection(y)
      .option('count', { type: 'number', describe: 'stop after this many pushes' })
      .example('$0 vbox watch --json', 'one JSON line per push') as Argv<WatchArgs>,
  handler: async (args) => {
    if (args.count !== undefined && (!Number.isInteger(args.count) || args.count < 1)) {
      throw new VboxRequestError(`--count must be a whole number ≥ 1; got ${String(args.count)}`);
    }
    const client = new VboxClient(clientOptions(args));
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    client.on('keyStatus', (status, info) => {
      seen += 1;
      const line: Record<string, unknown> = { at: new Date().toISOString(), solicited: info.solicited, ...(plain(status) as Record<string, unknown>) };
      guardStdout();
      if (args.json) process.stdout.write(`${JSON.stringify(line)}\n`);
      else process.stdout.write(`${line.at}  node ${status.nodeId} key ${status.keyId}  ${status.isOn ? 'ON' : status.isOff ? 'OFF' : String(line.power)}\n`);
      if (args.count !== undefined && seen >= args.count) finish();
    });
    client.on('disconnected', ({ reason, willReconnect }) =>
      process.stderr.write(`hammer: disconnected (${reason})${willReconnect ? '; reconnecting' : ''}\n`),
    );
    client.on('reconnecting', ({ attempt, delay }) => process.stderr.write(`hammer: reconnect attempt ${attempt} in ${delay} ms\n`));
    client.on('ready', ({ reconnect }) => process.stderr.write(`hammer: ${reconnect ? 'reconnected' : 'connected'}; watching pushes (Ctrl-C to stop)\n`));
    let failure: Error | undefined;
    client.on('error', (error) => {
      process.stderr.write(`hammer: ${(error as { code?: string }).code ?? 'error'}: ${error.message}\n`);
      if (client.state === 'idle') {
        // Reconnection gave up (or the login was refused): stop watching with that error.
        failure = error;
        finish();
      }
    });
    const stop = () => finish();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await client.connect();
      await finished;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await client.close();
    }
    if (failure) throw failure;
  },
};

/** The vBox control commands, wired under `hammer vbox` by cli/commands/vbox/index.ts. */
const commands: CommandModule[] = [status, rooms, nodes, key, watch] as unknown as CommandModule[];
export default commands;
