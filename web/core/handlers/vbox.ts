import { createHash } from 'node:crypto';
import { KeyPowerStatus, KeyType } from '../../../generated/vbox/index.js';
import { VboxClient, type VboxSendOptions } from '../../../runtime/vbox/client.js';
import { enumName } from '../../../runtime/vbox/fields.js';
import { parseDuration, takeOptions } from '../command.js';
import { WebCommandError, WebVboxBoxInUseError } from '../errors.js';
import { pickNamed } from './named.js';
import type { CommandText, Handler, ParsedCommand, RunContext } from '../types.js';

/**
 * `%vbox%` (C.9): Vitrea vBox controllers named in the user's configuration. A controller
 * serves one TCP connection at a time, so there is one connection per box (host and port),
 * shared by every action and every user; other credentials for a connected box are refused.
 * Every request carries the action's signal (fired by cancel and by the action's timeout) and
 * the client's queue-wait limit, so a request given up is never carried out later and a box
 * that is down does not hold an action until its timeout.
 */

export interface VboxBox {
  host: string;
  port?: number;
  version?: 'v1' | 'v2';
  username: string;
  /** Secret: encrypted at rest, never shown. */
  password: string;
}

export interface VboxUserConfig {
  defaultBox?: string;
  boxes?: Record<string, VboxBox>;
}

/** Static configuration (webcli.yaml `handlers.vbox.config`). */
export interface VboxStaticConfig {
  /** Longest `watch` in ms (default 10 min). */
  maxWatchMs?: number;
  /** Pause between two requests to a box, in ms (the client's requestBuffer; default the client's). */
  requestBuffer?: number;
  requestTimeout?: number;
  /** Longest wait of a request for a box that is not ready, in ms (the client's queueTimeout; default the client's). */
  queueTimeout?: number;
}

export const vboxConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultBox: { type: 'string', minLength: 1 },
    boxes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['host', 'username', 'password'],
        properties: {
          host: { type: 'string', minLength: 1 },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          version: { enum: ['v1', 'v2'] },
          username: { type: 'string' },
          password: { type: 'string' },
        },
      },
    },
  },
} as const;

type KeyRef = { node: number; key: number };
type VboxRequest =
  | { op: 'status'; box: string | null }
  | { op: 'key'; box: string | null; target: KeyRef; action: 'on' | 'off' | 'toggle' | 'dim'; level?: number }
  | { op: 'blind'; box: string | null; target: KeyRef; action: 'up' | 'down' | 'stop' }
  | { op: 'scenario'; box: string | null; target: KeyRef | string }
  | { op: 'watch'; box: string | null; forMs: number; filterNode: number | null };

/** Blind commands as the protocol's key power words (the spec defines no position target). */
const BLIND_POWER = { up: 'ON', down: 'OFF', stop: 'RELEASED' } as const;

const DEFAULT_WATCH_MS = 60_000;

function parseKeyRef(text: string | undefined, offset: number | undefined): KeyRef {
  const m = text === undefined ? null : /^(\d{1,3})\/(\d{1,3})$/.exec(text);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255)
    throw new WebCommandError(`expected <node>/<key> (numbers 0-255), got '${text ?? ''}'`, { position: offset });
  return { node: Number(m[1]), key: Number(m[2]) };
}

function powerName(power: number): string {
  return String(enumName(KeyPowerStatus, power));
}

interface BoxConnection {
  client: VboxClient;
  credentials: string;
  label: string;
}

export function vboxHandler(): Handler<VboxRequest, VboxUserConfig> {
  const connections = new Map<string, BoxConnection>();
  let settings: VboxStaticConfig = {};

  function boxOf(config: VboxUserConfig, wanted: string | null): { name: string; box: VboxBox } {
    const { name, entry: box } = pickNamed(config.boxes, wanted, config.defaultBox, {
      noun: 'vBox',
      plural: 'boxes',
      defaultKey: 'defaultBox',
      option: 'box',
      noneConfigured:
        'no vBox configured: run %config% set vbox with {"boxes": {"home": {"host": "127.0.0.1", "port": 11501, "username": "admin", "password": "…"}}}',
    });
    return { name, box };
  }

  /** Closes a connection and forgets it (unless it was already replaced). */
  function dropConnection(key: string, conn: BoxConnection): void {
    if (connections.get(key) === conn) connections.delete(key);
    void conn.client.close().catch(() => undefined);
  }

  /** True when the client no longer tries to connect: it gave up, was refused, or was closed. */
  function gaveUp(client: VboxClient): boolean {
    return client.state === 'idle' || client.state === 'closed';
  }

  /** Settles like `promise`, or rejects with the signal's reason as soon as it fires. */
  function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * The shared client for a box. Only a client that gave up holds the box no longer: its state is
   * back to 'idle' after a refused login, a failed first connect, or giving up reconnecting (or it
   * was closed). Other credentials (e.g. the operator saved the box's new password) replace such a
   * client; while it connects, handshakes, is ready or reconnects, they get BOX_IN_USE, so no user
   * can close another's working connection. A client that is reconnecting is used as it is: its
   * requests wait in its queue, bounded by the queue-wait limit and the action's signal.
   */
  async function connectionFor(box: VboxBox, signal: AbortSignal): Promise<VboxClient> {
    const port = box.port ?? 11501;
    const key = `${box.host}:${port}`;
    const credentials = createHash('sha256')
      .update(JSON.stringify([box.username, box.password, box.version ?? 'v2']))
      .digest('hex');
    let conn = connections.get(key);
    if (conn && conn.credentials !== credentials) {
      if (!gaveUp(conn.client)) throw new WebVboxBoxInUseError(key);
      dropConnection(key, conn);
      conn = undefined;
    }
    if (!conn) {
      const client = new VboxClient({
        host: box.host,
        port,
        username: box.username,
        password: box.password,
        version: box.version ?? 'v2',
        ...(settings.requestBuffer !== undefined ? { requestBuffer: settings.requestBuffer } : {}),
        ...(settings.requestTimeout !== undefined ? { requestTimeout: settings.requestTimeout } : {}),
        ...(settings.queueTimeout !== undefined ? { queueTimeout: settings.queueTimeout } : {}),
      });
      client.on('error', () => undefined); // failures reach the awaiting action; the event must not crash the server
      conn = { client, credentials, label: key };
      connections.set(key, conn);
    }
    const { client } = conn;
    // Connecting or reconnecting: do not wait for the box here; the requests queue with their
    // own limits (and fail at once if this connection attempt is the last).
    if (client.state === 'idle') {
      // A first connection (or one after giving up) is bounded by the connect and handshake timeouts.
      const connecting = client.connect();
      try {
        await untilAborted(connecting, signal);
      } catch (error) {
        // A connection that failed is dropped, so the next action (maybe with new credentials) starts afresh.
        connecting.then(
          () => undefined,
          () => {
            if (!client.isReady && connections.get(key) === conn) dropConnection(key, conn!);
          },
        );
        throw error;
      }
    }
    return client;
  }

  /**
   * Awaits a request already queued; when the box is not ready, first tells the operator why
   * the command waits and for how long at most.
   */
  async function queued<T>(context: RunContext, client: VboxClient, boxName: string, pending: Promise<T>): Promise<T> {
    if (!client.isReady) {
      pending.catch(() => undefined); // awaited below; it must not count as unhandled meanwhile
      await context.emit.text(
        `box ${boxName} is ${client.state}: the command waits up to ${client.options.queueTimeout} ms for it; once cancelled or timed out it is never sent`,
      );
    }
    return pending;
  }

  async function runStatus(context: RunContext, client: VboxClient, boxName: string): Promise<void> {
    const send: VboxSendOptions = { signal: context.signal };
    const rooms = await queued(context, client, boxName, client.rooms(send));
    const roomName = new Map(rooms.map((r) => [r.id, r.name]));
    const nodes = await client.nodes(send);
    const rows: string[][] = [];
    const snapshot: unknown[] = [];
    for (const node of nodes) {
      const n = node as unknown as { nodeId: number; roomId: number; keysList: { id: number; type: number }[]; model?: string };
      for (const k of n.keysList) {
        context.signal.throwIfAborted();
        if (k.type === KeyType.NOT_EXIST || k.type === KeyType.NOT_ACTIVE) continue;
        const status = await client.keyStatus(n.nodeId, k.id, send);
        const state = powerName(status.power as number);
        rows.push([roomName.get(n.roomId) ?? String(n.roomId), `${n.nodeId}`, `${n.nodeId}/${k.id}`, String(enumName(KeyType, k.type)), state]);
        snapshot.push({ room: roomName.get(n.roomId) ?? null, node: n.nodeId, key: k.id, type: enumName(KeyType, k.type), state });
      }
    }
    await context.emit.table({ title: 'vBox status', columns: ['room', 'node', 'key', 'type', 'state'], rows });
    await context.emit.file(
      'vbox-status.json',
      'application/json',
      JSON.stringify({ rooms: rooms.map((r) => ({ id: r.id, name: r.name })), keys: snapshot }, null, 2),
    );
  }

  async function runWatch(context: RunContext, client: VboxClient, forMs: number, filterNode: number | null): Promise<void> {
    const seen = new Map<string, [string, string, string]>();
    const started = Date.now();
    const showTable = () =>
      context.emit.table({ title: 'vBox key changes', columns: ['key', 'state', 'last change'], rows: [...seen.values()] }, { key: 'watch' });
    await showTable();
    let pending = Promise.resolve();
    const stop = client.onKeyStatus((status, info) => {
      if (info.solicited || (filterNode !== null && status.nodeId !== filterNode)) return;
      seen.set(`${status.nodeId}/${status.keyId}`, [`${status.nodeId}/${status.keyId}`, powerName(status.power as number), new Date().toISOString()]);
      pending = pending.then(showTable).then(
        () => undefined,
        () => undefined,
      );
    });
    try {
      await new Promise<void>((resolve) => {
        const end = () => {
          clearInterval(tick);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(end, forMs);
        const tick = setInterval(() => {
          const done = Date.now() - started;
          void context.emit
            .progress({ key: 'watch', done: Math.min(done, forMs), total: forMs, label: `watching; ${Math.max(0, Math.ceil((forMs - done) / 1000))} s left` })
            .catch(() => undefined);
        }, 1000);
        context.signal.addEventListener('abort', end, { once: true });
      });
    } finally {
      stop();
      await pending;
    }
    context.signal.throwIfAborted();
    await context.emit.progress({ key: 'watch', done: forMs, total: forMs, label: `watched ${Math.round(forMs / 1000)} s; ${seen.size} key(s) changed` });
  }

  return {
    name: 'vbox',
    verbs: ['vbox'],
    synopsis:
      '%vbox% status | key <node>/<key> on|off|toggle|dim <0-100> | blind <node>/<key> up|down|stop | scenario <node>/<key> | watch [--for 60s] [--filter node=N]  [--box b]',
    help: [
      'Commands for a Vitrea vBox controller named in your configuration (`%config% set vbox` with `{"boxes": {"home": {"host": "…", "port": 11501, "username": "…", "password": "…"}}}`).',
      '',
      '- `status`: every key with its type and state, plus the snapshot as JSON.',
      '- `key 1/0 on|off|toggle|dim 40`: switches a key, shows the acknowledgement and the state read back.',
      '- `blind 2/0 up|down|stop`: moves a cover (sent as ON, OFF, RELEASED); the position is never inferred from the answer.',
      '- `scenario 5/1` (or the key name shown by `status`): triggers a scenario key.',
      '- `watch [--for 60s] [--filter node=12]`: a table of key changes pushed by the controller, updated in place, until the time is up or you cancel.',
      '',
      'One connection per box is shared by every action; other credentials for a box are refused while its connection connects, works or reconnects; only a connection that gave up (refused login, failed connect, reconnection given up) is replaced.',
      'While a box is unreachable, commands fail after the queue-wait limit; a command cancelled or timed out before it reached the box is never sent later.',
    ].join('\n'),
    configSchema: vboxConfigSchema as unknown as Record<string, unknown>,
    secretKeys: ['password'],
    mayMutate: true,
    defaultTimeoutMs: 60_000,
    start(_services, staticConfig) {
      settings = (staticConfig ?? {}) as VboxStaticConfig;
    },
    async stop() {
      const all = [...connections.values()];
      connections.clear();
      await Promise.all(all.map((c) => c.client.close().catch(() => undefined)));
    },
    parse(command: CommandText): ParsedCommand<VboxRequest> {
      const { options, positional, positionalOffsets } = takeOptions(command, { box: 'string', for: 'string', filter: 'string' });
      const box = typeof options.box === 'string' ? options.box : null;
      const [op, ...rest] = positional;
      const restAt = (i: number) => positionalOffsets[i + 1] ?? command.raw.length;
      const noMore = (n: number) => {
        if (rest.length > n) throw new WebCommandError(`unexpected argument '${rest[n]}'`, { position: restAt(n) });
      };
      const onlyFor = (allowed: string[]) => {
        for (const name of ['for', 'filter'])
          if (options[name] !== undefined && !allowed.includes(name)) throw new WebCommandError(`--${name} belongs to %vbox% watch`);
      };
      switch (op) {
        case 'status':
          onlyFor([]);
          noMore(0);
          return { request: { op: 'status', box }, mutating: false };
        case 'key': {
          onlyFor([]);
          const target = parseKeyRef(rest[0], restAt(0));
          const action = rest[1];
          if (action !== 'on' && action !== 'off' && action !== 'toggle' && action !== 'dim') {
            throw new WebCommandError(`expected on, off, toggle or dim <0-100>, got '${action ?? ''}'`, { position: restAt(1) });
          }
          if (action === 'dim') {
            const level = Number(rest[2]);
            if (rest[2] === undefined || !/^\d+$/.test(rest[2]) || level > 100)
              throw new WebCommandError(`dim needs a level from 0 to 100, got '${rest[2] ?? ''}'`, { position: restAt(2) });
            noMore(3);
            return { request: { op: 'key', box, target, action, level }, mutating: true };
          }
          noMore(2);
          return { request: { op: 'key', box, target, action }, mutating: true };
        }
        case 'blind': {
          onlyFor([]);
          const target = parseKeyRef(rest[0], restAt(0));
          const action = rest[1];
          if (action !== 'up' && action !== 'down' && action !== 'stop') {
            const hint = /^\d+$/.test(action ?? '') ? ': the protocol defines no position target' : '';
            throw new WebCommandError(`expected up, down or stop, got '${action ?? ''}'${hint}`, { position: restAt(1) });
          }
          noMore(2);
          return { request: { op: 'blind', box, target, action }, mutating: true };
        }
        case 'scenario': {
          onlyFor([]);
          if (!rest[0]) throw new WebCommandError('usage: %vbox% scenario <node>/<key> or <key name>', { position: restAt(0) });
          noMore(1);
          const target = /^\d+\/\d+$/.test(rest[0]) ? parseKeyRef(rest[0], restAt(0)) : rest[0];
          return { request: { op: 'scenario', box, target }, mutating: true };
        }
        case 'watch': {
          noMore(0);
          const forMs = options.for === undefined ? DEFAULT_WATCH_MS : parseDuration(String(options.for));
          if (forMs === undefined || forMs <= 0) throw new WebCommandError(`--for takes a duration such as 60s or 5m, got '${String(options.for)}'`);
          let filterNode: number | null = null;
          if (options.filter !== undefined) {
            const m = /^node=(\d{1,3})$/.exec(String(options.filter));
            if (!m) throw new WebCommandError(`--filter takes node=<id>, got '${String(options.filter)}'`);
            filterNode = Number(m[1]);
          }
          // Watch ends by its own --for (capped by the server), not by the handler timeout.
          return { request: { op: 'watch', box, forMs, filterNode }, mutating: false, timeoutMs: null };
        }
        default:
          throw new WebCommandError(`unknown %vbox% command '${op ?? ''}' (status, key, blind, scenario, watch)`, {
            position: positionalOffsets[0] ?? command.raw.length,
          });
      }
    },
    async run(context: RunContext<VboxUserConfig>, request: VboxRequest): Promise<void> {
      const { name, box } = boxOf(context.config, request.box);
      const client = await connectionFor(box, context.signal);
      const send: VboxSendOptions = { signal: context.signal };
      context.log.debug('vbox', { box: name });
      switch (request.op) {
        case 'status':
          return runStatus(context, client, name);
        case 'watch':
          return runWatch(context, client, Math.min(request.forMs, settings.maxWatchMs ?? 600_000), request.filterNode);
        case 'key': {
          const { node, key } = request.target;
          let power: 'ON' | 'OFF' = request.action === 'off' ? 'OFF' : 'ON';
          if (request.action === 'toggle')
            power = (await queued(context, client, name, client.keyStatus(node, key, send))).power === KeyPowerStatus.ON ? 'OFF' : 'ON';
          const ack = await queued(
            context,
            client,
            name,
            client.toggleKey(node, key, power, request.action === 'dim' ? { dimmerRatio: request.level } : {}, send),
          );
          await context.emit.text(`${node}/${key} ${power}${request.action === 'dim' ? ` ${request.level}%` : ''}: ${ack.isOK ? 'ACK' : String(ack.type)}`);
          const status = await client.keyStatus(node, key, send);
          await context.emit.text(`${node}/${key} is now ${powerName(status.power as number)}`);
          return;
        }
        case 'blind': {
          const { node, key } = request.target;
          const ack = await queued(context, client, name, client.toggleKey(node, key, BLIND_POWER[request.action], {}, send));
          await context.emit.text(`${node}/${key} ${request.action}: ${ack.isOK ? 'ACK' : String(ack.type)}`);
          return;
        }
        case 'scenario': {
          let target = request.target;
          if (typeof target === 'string') {
            const wanted = target.toLowerCase();
            let found: KeyRef | undefined;
            for (const node of await queued(context, client, name, client.nodes(send))) {
              const n = node as unknown as { nodeId: number; keysList: { id: number }[] };
              for (const k of n.keysList) {
                let params: unknown;
                try {
                  params = await client.keyParameters(n.nodeId, k.id, send);
                } catch (error) {
                  // A key without parameters is skipped; a cancelled or expired action is not.
                  if (context.signal.aborted) throw error;
                }
                if ((params as { name?: string } | undefined)?.name?.toLowerCase() === wanted) found = { node: n.nodeId, key: k.id };
                if (found) break;
              }
              if (found) break;
            }
            if (!found) throw new WebCommandError(`no key named '${request.target}' on the box`);
            target = found;
          }
          const ack = await queued(context, client, name, client.toggleKey(target.node, target.key, 'ON', {}, send));
          await context.emit.text(`scenario ${target.node}/${target.key}: ${ack.isOK ? 'ACK' : String(ack.type)}`);
          return;
        }
      }
    },
  };
}
