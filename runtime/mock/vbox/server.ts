import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { AckType, KeyPowerStatus } from '../../../generated/vbox/index.js';
import { decodeRequest, encodeResponse } from '../../vbox/codec.js';
import { Direction, encodeFrame, type VboxFrame } from '../../vbox/frame.js';
import { DEFAULT_MAX_FRAME_LENGTH, VboxFramer } from '../../vbox/framer.js';
import { VboxMockError } from '../../vbox/client-errors.js';
import { ReadFlow } from '../read-flow.js';
import type { VboxProtocolVersion } from '../../vbox/options.js';
import { VboxMockFaults, type VboxMockFaultSettings } from './faults.js';
import { buildHouse, DEFAULT_HOUSE, findKey, loadHouseFile, type MockHouse, type MockKey, type VboxHouseDefinition } from './house.js';

/**
 * A mock Vitrea vBox on TCP: speaks VTU byte for byte (frames its input with the client's
 * framer, direction `3E`; answers with direction `3C` and valid checksums), holds a simulated
 * house, enforces login, admits one client at a time, pushes KeyStatus changes, and injects
 * faults on demand. Start it with `startVboxMock({ port: 0 })`.
 */

/** Options of {@link startVboxMock}. */
export interface VboxMockOptions {
  /** TCP port; 0 picks a free one (read it back from `mock.port`). Default 0. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** The house: a definition object, a JSON file path, or a built model. Default: the built-in house. */
  house?: VboxHouseDefinition | MockHouse | string;
  /** Credentials Login must carry. Default `admin` / `admin`. */
  username?: string;
  password?: string;
  /** Refuse everything but ToggleHeartbeat, Heartbeat and Login until Login succeeds. Default true. */
  enforceLogin?: boolean;
  /** What a request before login gets: a NACK (default) or silence. */
  preLogin?: 'nack' | 'silence';
  /** Response layouts (NodeMetaData, KeyParameters). Default `v2`. */
  version?: VboxProtocolVersion;
  /** Every this many ms, simulate a wall press (toggle a key) and push its KeyStatus. Default off. */
  pushIntervalMs?: number;
  /** A second client while one is connected: `refuse` (closed at once, default) or `replace` the first. */
  secondClient?: 'refuse' | 'replace';
  /** Initial faults. */
  faults?: VboxMockFaultSettings;
  /** Receives one structured entry per event (requests, replies, pushes, connections). */
  log?: (entry: VboxMockLogEntry) => void;
  /** Limits against hostile or broken clients; see {@link VboxMockLimits} for the defaults. */
  limits?: Partial<VboxMockLimits>;
}

/**
 * Limits that keep a long-running mock alive under hostile or broken clients. Each refusal is
 * logged (`refused`, with `limit` and `reason`) and counted in `mock.refusals`. Documented in
 * docs/vbox-client.md, "Limits and hostile input".
 */
export interface VboxMockLimits {
  /**
   * The connected client is dropped after sending no complete request for this long, so a silent
   * (or byte-trickling) client cannot lock the device. Clients send Heartbeat every few seconds. 0 = never.
   */
  idleTimeoutMs: number;
  /** Open sockets (the client, plus newcomers about to be refused or to replace it); one more is closed at once. */
  maxConnections: number;
  /** A partial frame that does not complete within this is dropped (an unterminated frame cannot hold the stream). */
  partialFrameTimeoutMs: number;
  /** A declared frame length above this is treated as a corrupt length, never waited for. */
  maxFrameLength: number;
  /** Replies and pushes the client has not read; beyond it the client is dropped (reading stops long before: backpressure). */
  maxUnreadReplyBytes: number;
}

/** The defaults of {@link VboxMockLimits}. */
export const defaultVboxMockLimits: Readonly<VboxMockLimits> = Object.freeze({
  idleTimeoutMs: 60_000,
  maxConnections: 16,
  partialFrameTimeoutMs: 2000,
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
  maxUnreadReplyBytes: 1024 * 1024,
});

/** Why a connection was refused or dropped (a limit's name, or `secondClient`: one client at a time), or partial input dropped (`partialFrameTimeoutMs`). */
export type VboxMockRefusal = 'secondClient' | 'maxConnections' | 'idleTimeoutMs' | 'maxUnreadReplyBytes' | 'partialFrameTimeoutMs';

/** One structured log entry. */
export interface VboxMockLogEntry {
  event: 'listening' | 'connection' | 'refused' | 'replaced' | 'request' | 'reply' | 'push' | 'invalid' | 'disconnect' | 'drop' | 'closed';
  [key: string]: unknown;
}

/** A request the mock received, for assertions. */
export interface VboxMockRequestRecord {
  /** 1-based number of the connection it arrived on. */
  connection: number;
  command: number;
  messageId: number;
  /** Request name (e.g. `Login`), or `Unknown`. */
  name: string;
  fields: Record<string, unknown>;
  /** Whether Login had succeeded on this connection when it arrived. */
  loggedIn: boolean;
  raw: Buffer;
}

const ACTIONS_ACKED = new Set(['Heartbeat', 'ToggleHeartbeat', 'ToggleNodeStatus', 'ToggleKeyStatus']);
const ALLOWED_BEFORE_LOGIN = new Set(['Login', 'Heartbeat', 'ToggleHeartbeat']);
const NODE_STATUS_COMMAND = 0x23;
/** How many received requests `received` keeps at least (trimmed in batches, so at most twice this). */
const MAX_RECORDS = 10_000;

/** Per-connection state. */
class MockConnection {
  loggedIn = false;
  pushesEnabled = false;
  /** Serialises writes so delays and splits keep frame order. */
  output: Promise<void> = Promise.resolve();
  mergeBuffer: Buffer[] = [];
  mergeTimer: NodeJS.Timeout | undefined;
  /** Fires when the client has sent no complete request for idleTimeoutMs. */
  idleTimer: NodeJS.Timeout | undefined;
  readonly framer: VboxFramer;
  readonly flow: ReadFlow;
  constructor(
    readonly number: number,
    readonly socket: Socket,
    limits: VboxMockLimits,
    onFrame: (frame: VboxFrame) => void,
    onInvalid: (reason: string, bytes: Buffer) => void,
  ) {
    this.flow = new ReadFlow(socket);
    this.framer = new VboxFramer({
      direction: Direction.OUTGOING,
      partialFrameTimeoutMs: limits.partialFrameTimeoutMs,
      maxFrameLength: limits.maxFrameLength,
      onFrame,
      onInvalid: (event) => onInvalid(event.reason, event.bytes),
    });
  }
  /** Stops the timers and drops buffered input. */
  dispose(): void {
    this.framer.close();
    clearTimeout(this.mergeTimer);
    clearTimeout(this.idleTimer);
    this.mergeBuffer = [];
  }
  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }
}

/** The running mock; returned by {@link startVboxMock}. */
export class VboxMock extends EventEmitter {
  /** The live house model; tests may read and change it. */
  readonly house: MockHouse;
  /** Runtime fault switchboard. */
  readonly faults = new VboxMockFaults();
  /** Every request received, in order, across connections (at least the latest 10,000; at most 20,000). */
  readonly received: VboxMockRequestRecord[] = [];
  /** Number of connections accepted so far (refused ones not counted). */
  connectionCount = 0;
  /** Number of connections refused because another client was connected. */
  refusedCount = 0;
  /** The limits in force. */
  readonly limits: Readonly<VboxMockLimits>;
  /** Connections refused or dropped, by cause (each is also logged as a `refused` entry). */
  readonly refusals: Record<VboxMockRefusal, number> = {
    secondClient: 0,
    idleTimeoutMs: 0,
    maxConnections: 0,
    partialFrameTimeoutMs: 0,
    maxUnreadReplyBytes: 0,
  };
  private readonly server: Server;
  private current: MockConnection | undefined;
  private readonly sockets = new Set<Socket>();
  private pushTimer: NodeJS.Timeout | undefined;
  private pressCursor = 0;
  private closed = false;
  private portValue = 0;
  private readonly settings: Required<Pick<VboxMockOptions, 'host' | 'username' | 'password' | 'enforceLogin' | 'preLogin' | 'version' | 'secondClient'>>;

  constructor(private readonly options: VboxMockOptions = {}) {
    super();
    this.house = resolveHouse(options.house);
    this.settings = {
      host: options.host ?? '127.0.0.1',
      username: options.username ?? 'admin',
      password: options.password ?? 'admin',
      enforceLogin: options.enforceLogin ?? true,
      preLogin: options.preLogin ?? 'nack',
      version: options.version ?? 'v2',
      secondClient: options.secondClient ?? 'refuse',
    };
    this.limits = resolveVboxLimits(options.limits);
    if (options.faults) this.faults.set(options.faults);
    this.server = createServer((socket) => this.onConnection(socket));
  }

  /** The port it listens on (useful with port 0). */
  get port(): number {
    return this.portValue;
  }

  /** The address it listens on. */
  get host(): string {
    return this.settings.host;
  }

  /** True while the mock has stopped reading from the client because it does not read the replies (backpressure). */
  get readingPaused(): boolean {
    return this.current?.flow.paused ?? false;
  }

  /** True while a client is connected. */
  get hasClient(): boolean {
    return this.current !== undefined;
  }

  /** Starts listening. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        reject(new VboxMockError(`mock vBox cannot listen on ${this.settings.host}:${this.options.port ?? 0}: ${error.message}`, { cause: error }));
      };
      this.server.once('error', onError);
      this.server.listen(this.options.port ?? 0, this.settings.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    // Later server errors are logged, never thrown.
    this.server.on('error', (error) => this.log({ event: 'invalid', problem: 'server error', message: error.message }));
    const address = this.server.address();
    this.portValue = typeof address === 'object' && address !== null ? address.port : 0;
    if (this.options.pushIntervalMs !== undefined && this.options.pushIntervalMs > 0) {
      this.pushTimer = setInterval(() => this.simulateWallPress(), this.options.pushIntervalMs);
    }
    this.log({ event: 'listening', host: this.settings.host, port: this.portValue });
    return this;
  }

  /**
   * Simulates a press on a wall switch: sets the key (toggles ON↔OFF when `power` is omitted)
   * and pushes an unsolicited KeyStatus to the connected client (if it enabled pushes).
   */
  press(nodeId: number, keyId: number, power?: number | keyof typeof KeyPowerStatus): MockKey {
    const found = findKey(this.house, nodeId, keyId);
    if (!found) throw new VboxMockError(`the mock house has no node ${nodeId} key ${keyId}`, { context: { nodeId, keyId } });
    found.key.power =
      power === undefined
        ? found.key.power === KeyPowerStatus.ON
          ? KeyPowerStatus.OFF
          : KeyPowerStatus.ON
        : typeof power === 'number'
          ? power
          : KeyPowerStatus[power];
    this.pushKeyStatus(nodeId, keyId);
    return found.key;
  }

  /** Pushes the KeyStatus of one key now (msgId 0 by default). Returns false when no client gets it. */
  pushKeyStatus(nodeId: number, keyId: number, options: { messageId?: number; force?: boolean } = {}): boolean {
    const connection = this.current;
    const found = findKey(this.house, nodeId, keyId);
    if (!connection || !found || !connection.loggedIn || (!connection.pushesEnabled && !options.force)) return false;
    if (this.faults.current.silence) return false; // a silent device pushes nothing either
    const frame = this.keyStatusFrame(found.key, nodeId, options.messageId ?? 0);
    this.log({ event: 'push', command: 0x29, nodeId, keyId, power: found.key.power });
    this.writeFrames(connection, [frame], this.faults.current);
    return true;
  }

  /** Writes arbitrary bytes to the connected client (e.g. a C8 frame or garbage). */
  pushRaw(bytes: Buffer): boolean {
    const connection = this.current;
    if (!connection) return false;
    this.log({ event: 'push', raw: bytes.toString('hex') });
    this.writeFrames(connection, [bytes], this.faults.current);
    return true;
  }

  /** Drops the connected client now: `fin` closes it cleanly, `rst` resets it. */
  drop(kind: 'fin' | 'rst' = 'fin'): boolean {
    const connection = this.current;
    if (!connection) return false;
    this.dropConnection(connection, kind);
    return true;
  }

  /** Stops listening and closes every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pushTimer) clearInterval(this.pushTimer);
    this.pushTimer = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.current?.dispose();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.log({ event: 'closed' });
  }

  // ── connections ───────────────────────────────────────────────────────────────────────

  private onConnection(socket: Socket): void {
    if (!this.closed && this.sockets.size >= this.limits.maxConnections) {
      this.refuse('maxConnections', socket, `${this.sockets.size} connections are open already`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('error', () => undefined); // resets from clients are normal; 'close' follows
    socket.on('close', () => this.sockets.delete(socket));
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.current !== undefined) {
      // Decide one loop turn later: a client that closed and reconnected at once has its FIN
      // and its new connection in the same batch of events, and the FIN must count first.
      setImmediate(() => this.admit(socket));
      return;
    }
    this.admit(socket);
  }

  /** Admits, refuses or lets a connection replace the current one. */
  private admit(socket: Socket): void {
    if (this.closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (this.current !== undefined && !this.current.open) this.current = undefined; // already leaving
    if (this.current !== undefined) {
      if (this.settings.secondClient === 'refuse') {
        // Like the real device: one connection at a time; the newcomer is closed at once.
        this.refusedCount += 1;
        this.refuse('secondClient', socket, 'another client is connected');
        socket.destroy();
        return;
      }
      this.log({ event: 'replaced', connection: this.current.number });
      this.dropConnection(this.current, 'fin');
    }
    this.connectionCount += 1;
    const connection: MockConnection = new MockConnection(
      this.connectionCount,
      socket,
      this.limits,
      (frame) => this.onRequest(connection, frame),
      (reason, bytes) => {
        if (reason === 'stalled') this.refusals.partialFrameTimeoutMs += 1;
        this.log({ event: 'invalid', connection: connection.number, reason, bytes: bytes.toString('hex') });
      },
    );
    this.current = connection;
    socket.setNoDelay(true);
    const idleMs = this.limits.idleTimeoutMs;
    if (idleMs > 0) {
      connection.idleTimer = setTimeout(() => {
        if (!connection.open) return;
        this.refuse('idleTimeoutMs', socket, `no complete request for ${idleMs} ms`, connection.number);
        this.dropConnection(connection, 'fin');
      }, idleMs);
    }
    socket.on('data', (chunk: Buffer) => connection.framer.push(chunk));
    socket.on('close', () => {
      connection.dispose();
      if (this.current === connection) this.current = undefined;
      this.log({ event: 'disconnect', connection: connection.number });
      this.emit('disconnect', connection.number);
    });
    this.log({ event: 'connection', connection: connection.number, remote: `${socket.remoteAddress}:${socket.remotePort}` });
    this.emit('connection', connection.number);
  }

  private dropConnection(connection: MockConnection, kind: 'fin' | 'rst'): void {
    this.log({ event: 'drop', connection: connection.number, kind });
    if (this.current === connection) this.current = undefined;
    connection.dispose();
    if (kind === 'rst') connection.socket.resetAndDestroy();
    else {
      connection.socket.end();
      // A client that never closes its side must not hold the mock open.
      setTimeout(() => connection.socket.destroy(), 200).unref();
    }
  }

  // ── requests ──────────────────────────────────────────────────────────────────────────

  private onRequest(connection: MockConnection, frame: VboxFrame): void {
    // Only a whole request counts as activity: a client trickling bytes cannot hold the device.
    connection.idleTimer?.refresh();
    let name = 'Unknown';
    let fields: Record<string, unknown> = {};
    try {
      const decoded = decodeRequest(frame);
      name = decoded.name;
      fields = decoded.fields;
    } catch (error) {
      fields = { error: (error as Error).message };
    }
    const record: VboxMockRequestRecord = {
      connection: connection.number,
      command: frame.command,
      messageId: frame.messageId,
      name,
      fields,
      loggedIn: connection.loggedIn,
      raw: Buffer.from(frame.raw),
    };
    this.received.push(record);
    // A long-running mock (hammer mock vbox) must not grow without bound: keep the latest records
    // (trimmed in batches: trimming one by one would move 10,000 entries per request).
    if (this.received.length >= 2 * MAX_RECORDS) this.received.splice(0, this.received.length - MAX_RECORDS);
    this.log({
      event: 'request',
      connection: connection.number,
      command: frame.command,
      name,
      messageId: frame.messageId,
      loggedIn: connection.loggedIn,
      fields: printable(fields),
    });
    this.emit('request', record);

    const faults = this.faults.consume();
    if (faults.dropOnRequest) {
      this.dropConnection(connection, faults.dropOnRequest);
      return;
    }
    if (faults.silence) return;

    const replies = this.answer(connection, name, fields, frame, faults);
    if (replies.length > 0) this.writeFrames(connection, replies, faults);
  }

  /** The frames answering one request (possibly none). */
  private answer(connection: MockConnection, name: string, fields: Record<string, unknown>, frame: VboxFrame, faults: VboxMockFaultSettings): Buffer[] {
    const id = frame.messageId;
    const ack = (type: number) => this.response('Acknowledgement', { type }, id);
    if (this.settings.enforceLogin && !connection.loggedIn && !ALLOWED_BEFORE_LOGIN.has(name)) {
      return this.settings.preLogin === 'silence' ? [] : [ack(AckType.NACK)];
    }
    switch (name) {
      case 'Login': {
        const ok = fields.username === this.settings.username && fields.password === this.settings.password;
        if (ok) connection.loggedIn = true;
        return [ack(ok ? AckType.ACK : AckType.NACK)];
      }
      case 'Heartbeat':
        return faults.ignoreHeartbeats ? [] : [ack(faults.ackType ?? AckType.ACK)];
      case 'ToggleHeartbeat':
        connection.pushesEnabled = Boolean(fields.unsolicited);
        return [ack(faults.ackType ?? AckType.ACK)];
      case 'RoomCount':
        return [this.response('RoomCount', countFields(this.house.rooms.map((r) => r.id)), id)];
      case 'NodeCount':
        return [this.response('NodeCount', countFields(this.house.nodes.map((n) => n.id)), id)];
      case 'RoomMetaData': {
        const room = this.house.rooms.find((r) => r.id === fields.roomId);
        return [room ? this.response('RoomMetaData', { roomId: room.id, name: room.name }, id) : ack(AckType.NOT_AVAILABLE)];
      }
      case 'NodeMetaData': {
        const node = this.house.nodes.find((n) => n.id === fields.nodeId);
        if (!node) return [ack(AckType.NOT_AVAILABLE)];
        return [
          this.response(
            'NodeMetaData',
            {
              nodeId: node.id,
              macAddress: node.mac,
              type: node.type,
              totalKeys: node.keys.length,
              keyTypes: node.keys.map((k) => k.type),
              lockStatus: node.lockStatus,
              ledLevel: node.ledLevel,
              firmware: { a: node.version[0], b: node.version[1], c: node.version[2] },
              roomId: node.roomId,
            },
            id,
          ),
        ];
      }
      case 'KeyStatus': {
        const found = findKey(this.house, fields.nodeId as number, fields.keyId as number);
        return [found ? this.keyStatusFrame(found.key, found.node.id, id) : ack(AckType.NOT_AVAILABLE)];
      }
      case 'KeyParameters': {
        const found = findKey(this.house, fields.nodeId as number, fields.keyId as number);
        if (!found) return [ack(AckType.NOT_AVAILABLE)];
        return [this.response('KeyParameters', { nodeId: found.node.id, keyId: found.key.id, category: found.key.category, name: found.key.name }, id)];
      }
      case 'ToggleKeyStatus': {
        const found = findKey(this.house, fields.nodeId as number, fields.keyId as number);
        if (!found) return [ack(AckType.NOT_AVAILABLE)];
        const type = faults.ackType ?? AckType.ACK;
        if (type !== AckType.ACK) return [ack(type)];
        found.key.power = fields.power as number;
        found.key.dimmerRatio = (fields.dimmerRatio as number | undefined) ?? found.key.dimmerRatio;
        found.key.timer = (fields.timer as number | undefined) ?? 0;
        const replies = [ack(AckType.ACK)];
        // The change is pushed like a wall press, after the ACK (msgId 0: unsolicited).
        if (connection.pushesEnabled) {
          replies.push(this.keyStatusFrame(found.key, found.node.id, 0));
          this.log({ event: 'push', command: 0x29, nodeId: found.node.id, keyId: found.key.id, power: found.key.power });
        }
        return replies;
      }
      case 'ToggleNodeStatus': {
        const node = this.house.nodes.find((n) => n.id === fields.nodeId);
        if (!node) return [ack(AckType.NOT_AVAILABLE)];
        const type = faults.ackType ?? AckType.ACK;
        if (type === AckType.ACK) {
          node.lockStatus = fields.lockStatus as number;
          node.ledLevel = fields.ledLevel as number;
        }
        return [ack(type)];
      }
      case 'NodeStatus':
        // §10: the real reply is unknown; silent unless asked to answer.
        return faults.answerNodeStatus ? [encodeFrame(Direction.INCOMING, NODE_STATUS_COMMAND, id, Buffer.from([Number(fields.nodeId ?? 0), 0]))] : [];
      case 'InternalUnitStatuses':
        return [this.response('InternalUnitStatuses', { data: Buffer.from([0x00, 0x01, 0x00, 0x00]) }, id)];
      default:
        return [ack(AckType.NACK)];
    }
  }

  private keyStatusFrame(key: MockKey, nodeId: number, messageId: number): Buffer {
    // Trailing 5 bytes (§10): probably dimmer u8 + timer u16be + 2 unknown bytes.
    const rest = Buffer.from([key.dimmerRatio, (key.timer >> 8) & 0xff, key.timer & 0xff, 0, 0]);
    return this.response('KeyStatus', { nodeId, keyId: key.id, power: key.power, rest }, messageId);
  }

  private response(name: string, fields: Record<string, unknown>, messageId: number): Buffer {
    return encodeResponse(name, fields, messageId, { version: this.settings.version });
  }

  // ── output ────────────────────────────────────────────────────────────────────────────

  /** Writes frames through the output faults: corrupt, delay, merge, split. Order is kept. */
  private writeFrames(connection: MockConnection, frames: Buffer[], faults: VboxMockFaultSettings): void {
    const bytes = frames.map((frame) => {
      if (!faults.corruptChecksum) return frame;
      const copy = Buffer.from(frame);
      copy[copy.length - 1] = (copy[copy.length - 1]! + 1) & 0xff;
      return copy;
    });
    // The log shows the bytes as sent (corrupted ones included).
    for (const frame of bytes)
      this.log({ event: 'reply', connection: connection.number, hex: frame.toString('hex'), ...(faults.corruptChecksum ? { corrupted: true } : {}) });
    if (connection.socket.writableLength > this.limits.maxUnreadReplyBytes) {
      this.refuse('maxUnreadReplyBytes', connection.socket, `${connection.socket.writableLength} bytes of replies not read`, connection.number);
      this.dropConnection(connection, 'rst');
      return;
    }
    connection.output = connection.output
      .then(async () => {
        if (faults.delayMs) await sleep(faults.delayMs);
        if (!connection.open) return;
        if (faults.merge) {
          connection.mergeBuffer.push(...bytes);
          if (!connection.mergeTimer) {
            connection.mergeTimer = setTimeout(() => {
              connection.mergeTimer = undefined;
              const merged = Buffer.concat(connection.mergeBuffer.splice(0));
              if (connection.open) connection.flow.write(merged);
            }, faults.mergeWindowMs ?? 25);
          }
          return;
        }
        const all = Buffer.concat(bytes);
        if (!faults.split || faults.split === 'off') {
          connection.flow.write(all);
          return;
        }
        for (let offset = 0; offset < all.length && connection.open; ) {
          const size = faults.split === 'bytes' ? 1 : 1 + Math.floor(Math.random() * 7);
          connection.flow.write(all.subarray(offset, offset + size));
          offset += size;
          await sleep(1);
        }
      })
      .catch((error: unknown) => this.log({ event: 'invalid', problem: 'write failed', message: (error as Error).message }));
  }

  /** Toggles the next switchable key in the house, round robin, as if someone pressed it. */
  private simulateWallPress(): void {
    const keys = this.house.nodes.flatMap((node) => node.keys.filter((k) => k.type !== 0 && k.type !== 1).map((key) => ({ node, key })));
    if (keys.length === 0 || !this.current?.loggedIn) return;
    const { node, key } = keys[this.pressCursor++ % keys.length]!;
    this.press(node.id, key.id);
  }

  /** Logs and counts a refused or dropped connection. */
  private refuse(limit: VboxMockRefusal, socket: Socket, reason: string, connection?: number): void {
    this.refusals[limit] += 1;
    this.log({ event: 'refused', limit, reason, remote: `${socket.remoteAddress}:${socket.remotePort}`, ...(connection === undefined ? {} : { connection }) });
  }

  private log(entry: VboxMockLogEntry): void {
    try {
      this.options.log?.(entry);
    } catch {
      // A failing logger must not take the mock down.
    }
  }
}

/** Starts a mock vBox and resolves once it listens. */
export async function startVboxMock(options: VboxMockOptions = {}): Promise<VboxMock> {
  return new VboxMock(options).listen();
}

/** Checks and completes a partial set of limits. */
export function resolveVboxLimits(limits: Partial<VboxMockLimits> = {}): VboxMockLimits {
  const resolved = { ...defaultVboxMockLimits };
  for (const [name, value] of Object.entries(limits) as [keyof VboxMockLimits, unknown][]) {
    if (!(name in defaultVboxMockLimits)) throw new VboxMockError(`unknown mock limit ${name}`);
    if (value === undefined) continue;
    const zeroAllowed = name === 'idleTimeoutMs' || name === 'partialFrameTimeoutMs';
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (zeroAllowed ? 0 : 1)) {
      throw new VboxMockError(`mock limit ${name} must be a whole number ${zeroAllowed ? '≥ 0 (0 = never)' : '≥ 1'}; got ${String(value)}`);
    }
    resolved[name] = value;
  }
  return resolved;
}

function resolveHouse(house: VboxMockOptions['house']): MockHouse {
  if (house === undefined) return buildHouse(DEFAULT_HOUSE, 'built-in house');
  if (typeof house === 'string') return loadHouseFile(house);
  return buildHouse(toDefinition(house), 'house');
}

/** Accepts a built model as well as a definition (a model's Buffers become MAC strings). */
function toDefinition(house: VboxHouseDefinition | MockHouse): unknown {
  return JSON.parse(
    JSON.stringify(house, (key, value: unknown) => {
      if (key === 'mac' && typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Buffer') {
        return Buffer.from((value as { data: number[] }).data).toString('hex');
      }
      return value;
    }),
  );
}

function countFields(ids: number[]): Record<string, unknown> {
  return { count: ids.length, list: ids };
}

function printable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = key === 'password' ? '***' : Buffer.isBuffer(value) ? value.toString('hex') : value;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
