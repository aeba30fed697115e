import type { Argv, CommandModule } from 'yargs';
import { enumName, KeyCategory, KeyPowerStatus, KeyType, LEDBackgroundBrightness, LockStatus, type responses } from '../../../generated/vbox/index.js';
import type { VboxClient } from '../../../runtime/vbox/client.js';
import { VboxRequestError } from '../../../runtime/vbox/client-errors.js';
import { type ConnectionArgs, clientOptions, createClient, usageFailure, VboxCliUsageError, withClient, withConnection } from './connection.js';
import { fields, table } from './text.js';
import { exampleRows } from '../../examples.js';

// `hammer vbox status|rooms|nodes|key|watch`: talk to a real vBox (or `hammer mock vbox`).
// Text output is aligned tables and lines with enumeration names; --json prints machine output.

/** Prints lines of text, or a value as indented JSON. */
function print(value: string | string[] | Record<string, unknown> | unknown[]): void {
  const text =
    typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join('\n') : JSON.stringify(value, null, 2);
  process.stdout.write(`${text}\n`);
}

/** The name of an enumeration value from the generated enumerations (the number when unknown). */
const nameOf = (values: Record<string, number>, value: number): string => String(enumName(values, value));

const status: CommandModule<object, ConnectionArgs> = {
  command: 'status',
  describe: 'Connect, log in and print a summary (room and node counts)',
  builder: (y) =>
    usageFailure(withConnection(y), 'vbox status').example(
      exampleRows([['$0 vbox status --host 127.0.0.1 --username admin --password admin', 'summary of a vBox']]),
    ),
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
    else
      print(
        fields([
          ['vBox', `${summary.host}:${summary.port} (logged in)`],
          ['protocol', summary.protocol],
          ['rooms', `${summary.rooms}  (ids ${summary.roomIds.join(', ')})`],
          ['nodes', `${summary.nodes}  (ids ${summary.nodeIds.join(', ')})`],
        ]),
      );
  },
};

const rooms: CommandModule<object, ConnectionArgs> = {
  command: 'rooms',
  describe: 'List the rooms with their names',
  builder: (y) => usageFailure(withConnection(y), 'vbox rooms'),
  handler: async (args) => {
    const list = await withClient(args, (client) => client.rooms());
    if (args.json) print(list.map((room) => ({ id: room.id, name: room.name })));
    else
      print(
        table(
          [{ heading: 'ID', right: true }, { heading: 'NAME' }],
          list.map((room) => [String(room.id), room.name]),
        ),
      );
  },
};

const nodes: CommandModule<object, ConnectionArgs> = {
  command: 'nodes',
  describe: 'List the nodes: model, MAC, room, lock and LED state, firmware, key types',
  builder: (y) => usageFailure(withConnection(y), 'vbox nodes'),
  handler: async (args) => {
    const list = await withClient(args, (client) => client.nodes());
    if (args.json) {
      print(list.map((node) => node.toJSON()));
      return;
    }
    print(
      table(
        [
          { heading: 'ID', right: true },
          { heading: 'MODEL' },
          { heading: 'MAC' },
          { heading: 'ROOM', right: true },
          { heading: 'LOCK' },
          { heading: 'LED' },
          { heading: 'FIRMWARE' },
          { heading: 'KEYS' },
        ],
        list.map((node) => [
          String(node.nodeId),
          node.model,
          node.macAddress,
          String(node.roomId),
          nameOf(LockStatus, node.lockStatus),
          nameOf(LEDBackgroundBrightness, node.ledLevel),
          node.version,
          node.keyTypes.map((type, id) => `${id}:${nameOf(KeyType, type)}`).join(' '),
        ]),
      ),
    );
  },
};

interface KeyArgs extends ConnectionArgs {
  node: number;
  key: number;
  action?: string;
  level?: number;
}

function byteArg(value: unknown, what: string, max = 255): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new VboxCliUsageError(`${what} must be a whole number 0–${max}; got ${String(value)}`);
  }
  return value;
}

/** What `key` can do: every KeyPowerStatus name (from the generated enumeration), `toggle`, and `dim N`. */
const POWER_ACTIONS = Object.keys(KeyPowerStatus).map((name) => name.toLowerCase());
const KEY_ACTIONS = [...POWER_ACTIONS, 'toggle', 'dim'];

/** A key's name, type, parameters and state: NodeMetaData (key type), KeyParameters and KeyStatus. */
async function readKey(client: VboxClient, nodeId: number, keyId: number): Promise<Record<string, unknown>> {
  const node = await client.nodeMetaData(nodeId);
  const type = node.keyTypes[keyId];
  if (type === undefined) {
    throw new VboxRequestError(`node ${nodeId} has no key ${keyId}: its keys are 0–${node.keyTypes.length - 1}`, { context: { nodeId, keyId } });
  }
  const parameters = await client.keyParameters(nodeId, keyId);
  const state = await client.keyStatus(nodeId, keyId);
  return {
    nodeId,
    keyId,
    name: parameters.name,
    type: nameOf(KeyType, type),
    category: nameOf(KeyCategory, parameters.category),
    power: nameOf(KeyPowerStatus, state.power),
    isOn: state.isOn,
    model: node.model,
    roomId: node.roomId,
    parameters: parameters.toJSON(),
    status: state.toJSON(),
  };
}

/** Switches a key and reads its state back (the vBox ACKs before the relay has necessarily moved). */
async function switchKey(
  client: VboxClient,
  nodeId: number,
  keyId: number,
  action: string,
  dimmerRatio: number | undefined,
): Promise<{ ok: boolean; power: string; state: responses.KeyStatus }> {
  let power: string;
  if (action === 'toggle') power = (await client.keyStatus(nodeId, keyId)).isOn ? 'OFF' : 'ON';
  else if (action === 'dim') power = 'ON';
  else power = action.toUpperCase();
  const ack = await client.toggleKey(nodeId, keyId, power as keyof typeof KeyPowerStatus, dimmerRatio === undefined ? {} : { dimmerRatio });
  const state = await client.keyStatus(nodeId, keyId);
  return { ok: ack.isOK, power, state };
}

const key: CommandModule<object, KeyArgs> = {
  command: 'key <node> <key> [action] [level]',
  describe: 'Show a key (name, type, category, state), or switch it: on, off, toggle, dim N (0–100), long, short, released',
  builder: (y) =>
    usageFailure(withConnection(y), 'vbox key')
      .positional('node', { type: 'number', demandOption: true, describe: 'node id' })
      .positional('key', { type: 'number', demandOption: true, describe: 'key id (from 0)' })
      .positional('action', { type: 'string', describe: `${KEY_ACTIONS.join(', ')} (any case); none shows the key` })
      .positional('level', { type: 'number', describe: 'dimmer ratio 0–100 (with dim)' })
      .example(
        exampleRows([
          ['$0 vbox key 1 0', 'show node 1 key 0: name, type, category and state'],
          ['$0 vbox key 1 0 ON', 'switch node 1 key 0 on'],
          ['$0 vbox key 3 0 dim 40', 'dim node 3 key 0 to 40 %'],
        ]),
      ) as Argv<KeyArgs>,
  handler: async (args) => {
    const nodeId = byteArg(args.node, 'node');
    const keyId = byteArg(args.key, 'key');
    if (args.action === undefined) {
      const shown = await withClient(args, (client) => readKey(client, nodeId, keyId));
      if (args.json) print(shown);
      else
        print(
          fields([
            ['node', `${nodeId}  (${String(shown.model)}, room ${String(shown.roomId)})`],
            ['key', String(keyId)],
            ['name', String(shown.name)],
            ['type', String(shown.type)],
            ['category', String(shown.category)],
            ['state', String(shown.power)],
          ]),
        );
      return;
    }
    const action = args.action.toLowerCase();
    if (!KEY_ACTIONS.includes(action)) {
      throw new VboxCliUsageError(`unknown action '${args.action}': use ${KEY_ACTIONS.join(', ')} (any case), or none to show the key`);
    }
    let dimmerRatio: number | undefined;
    if (action === 'dim') {
      if (args.level === undefined) throw new VboxCliUsageError('dim needs a level 0–100, e.g. `hammer vbox key 3 0 dim 40`');
      dimmerRatio = byteArg(args.level, 'dim level', 100);
    } else if (args.level !== undefined) {
      throw new VboxCliUsageError(`a level is only allowed with dim, not with ${action}`);
    }
    const result = await withClient(args, (client) => switchKey(client, nodeId, keyId, action, dimmerRatio));
    const stateName = nameOf(KeyPowerStatus, result.state.power);
    if (args.json) {
      print({
        ok: result.ok,
        nodeId,
        keyId,
        power: result.power,
        ...(dimmerRatio === undefined ? {} : { dimmerRatio }),
        state: stateName,
        status: result.state.toJSON(),
      });
    } else {
      print(`node ${nodeId} key ${keyId}: ${result.power}${dimmerRatio === undefined ? '' : ` ${dimmerRatio}%`} acknowledged; state now ${stateName}`);
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
    usageFailure(withConnection(y), 'vbox watch')
      .option('count', { type: 'number', describe: 'stop after this many pushes' })
      .example(exampleRows([['$0 vbox watch --json', 'one JSON line per push']])) as Argv<WatchArgs>,
  handler: async (args) => {
    if (args.count !== undefined && (!Number.isInteger(args.count) || args.count < 1)) {
      throw new VboxCliUsageError(`--count must be a whole number ≥ 1; got ${String(args.count)}`);
    }
    const client = createClient(clientOptions(args, process.env));
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    client.on('keyStatus', (pushed, info) => {
      seen += 1;
      const at = new Date().toISOString();
      if (args.json) process.stdout.write(`${JSON.stringify({ at, solicited: info.solicited, ...pushed.toJSON() })}\n`);
      else process.stdout.write(`${at}  node ${pushed.nodeId} key ${pushed.keyId}  ${nameOf(KeyPowerStatus, pushed.power)}\n`);
      if (args.count !== undefined && seen >= args.count) finish();
    });
    client.on('disconnected', ({ reason, willReconnect }) =>
      process.stderr.write(`hammer: disconnected (${reason})${willReconnect ? '; reconnecting' : ''}\n`),
    );
    client.on('reconnecting', ({ attempt, delay }) => process.stderr.write(`hammer: reconnect attempt ${attempt} in ${delay} ms\n`));
    client.on('ready', ({ reconnect }) => process.stderr.write(`hammer: ${reconnect ? 'reconnected' : 'connected'}; watching pushes (Ctrl-C to stop)\n`));
    let failure: Error | undefined;
    client.on('error', (error) => {
      process.stderr.write(`hammer: ${error.code}: ${error.message}\n`);
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
