import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { AckType, CommandId, enumName, framePolicy, KeyPowerStatus, requests, type responses } from '../../generated/vbox/index.js';
import { decodeResponse, type VboxResponse } from './codec.js';
import type { VboxFrame } from './frame.js';
import { ThorsHammerError } from '../errors.js';
import type { RequestDescriptor } from './spec-types.js';
import { type InvalidFrameEvent, VboxFramer } from './framer.js';
import {
  VboxAuthError,
  VboxConnectError,
  VboxConnectionLostError,
  VboxNackError,
  VboxNotConnectedError,
  VboxReconnectGaveUpError,
  VboxRequestError,
  VboxTimeoutError,
} from './client-errors.js';
import { checkVboxOption, type ResolvedVboxOptions, resolveVboxOptions, type VboxClientOptions } from './options.js';
import { type OutgoingRequest, type ReplyKind, RequestQueue, replyCommandsOf } from './request-queue.js';
import { type RandomSource, reconnectDelay } from './client/timing.js';

/**
 * VboxClient: one TCP connection to a Vitrea vBox speaking VTU (protocol reference §6).
 *
 * Lifecycle (a state machine; `state` tells where it is):
 *
 *   idle ──connect()──▶ connecting ──TCP up──▶ handshaking ──08 ACK, 01 ACK──▶ ready
 *     ▲                     │                        │                           │
 *     │          failure (first connect: connect() rejects; later: back-off)     │ link lost
 *     └─── gave up / auth ◀─┴──── reconnecting ◀─────┴───────────────────────────┘
 *   close() from anywhere ──▶ closed (never reconnects)
 *
 * Nothing is written before ToggleHeartbeat and Login are ACKed except those two; user
 * requests wait in the queue. Every failure is caught, turned into an event or a rejection,
 * and can never become an unhandled rejection or an uncaught exception.
 */

/** Where the client is in its lifecycle. */
export type VboxClientState = 'idle' | 'connecting' | 'handshaking' | 'ready' | 'reconnecting' | 'closed';

/** Why a connection ended. */
export type VboxDisconnectReason =
  | 'end' // the vBox closed the connection (FIN)
  | 'reset' // ECONNRESET / EPIPE (RST)
  | 'error' // another socket error
  | 'connect-failed' // the TCP connection could not be opened
  | 'handshake-failed' // ToggleHeartbeat or Login went unanswered
  | 'auth' // Login was refused
  | 'heartbeat' // too many consecutive unanswered heartbeats
  | 'closed'; // close() was called

/** Events and their arguments. */
export interface VboxClientEvents {
  /** TCP connection opened (the handshake follows). */
  connected: [info: { host: string; port: number; reconnect: boolean }];
  /** Handshake done; requests flow. */
  ready: [info: { host: string; port: number; reconnect: boolean }];
  /** The connection ended; `willReconnect` says whether a reconnection is scheduled. */
  disconnected: [info: { reason: VboxDisconnectReason; error?: Error; willReconnect: boolean }];
  /** A reconnection attempt is scheduled after `delay` ms. */
  reconnecting: [info: { attempt: number; delay: number }];
  /**
   * A problem not tied to a caller's promise (failed reconnection, gave up, decode error,
   * throwing listener). Always a ThorsHammerError, so `error.code` is there to match on.
   */
  error: [error: ThorsHammerError];
  /** Every KeyStatus (29) frame, solicited (the reply to keyStatus()) or unsolicited (a push). */
  keyStatus: [status: responses.KeyStatus, info: { solicited: boolean }];
  /** A valid frame that answered nothing (C8 is ignored silently). */
  unknownFrame: [info: { frame: VboxFrame; response?: VboxResponse }];
  /** Bytes the framer dropped (bad checksum, garbage, stalled partial frame, wrong direction). */
  invalidFrame: [event: InvalidFrameEvent];
  /** A heartbeat finished: acknowledged, or missed (with the count of consecutive misses). */
  heartbeat: [info: { acknowledged: boolean; misses: number }];
  /** Aliases of unknownFrame / invalidFrame under the reference's documented names. */
  'frame:unknown': [info: { frame: VboxFrame; response?: VboxResponse }];
  'frame:invalid': [event: InvalidFrameEvent];
}

/** Key power words accepted by toggleKey(). */
export type KeyPowerInput = 'ON' | 'OFF' | 'LONG' | 'SHORT' | 'RELEASED' | number;

/** A room with its metadata, as returned by rooms(). */
export interface VboxRoom {
  id: number;
  name: string;
  metaData: responses.RoomMetaData;
}

/** Code-only extras (tests pin the random source of the jitter). */
export interface VboxClientInternals {
  random?: RandomSource;
}

/**
 * Per-request options of send() and the convenience methods. A request given up (signal
 * aborted, queue-wait limit passed, client closed) before it was written is removed from the
 * queue and never written later, even when the link comes back.
 */
export interface VboxSendOptions {
  /** Gives the request up when aborted (rejects with VboxAbortedError, whose `sent` says whether it was written). */
  signal?: AbortSignal;
  /** Longest wait in ms before the request is written; overrides the client's `queueTimeout`. */
  queueTimeout?: number;
}

/** Anything that looks like a generated request: `command`, `replyKind` and `toBuffer(msgId)`. */
export interface VboxRequestLike {
  readonly command: number;
  readonly replyKind: ReplyKind;
  toBuffer(messageId: number): Buffer;
  /** The generated metadata (names the paired response); looked up by `command` when absent. */
  readonly descriptor?: RequestDescriptor;
  readonly nodeId?: number;
  readonly keyId?: number;
}

/** Turns anything thrown into a ThorsHammerError, so `error` listeners always get a `code`. */
function asThorsHammerError(error: unknown, what: string): ThorsHammerError {
  if (error instanceof ThorsHammerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new VboxRequestError(`${what}: ${message}`, { cause: error });
}

/**
 * A client for one vBox. Create it, `await connect()`, then call the convenience methods
 * (`rooms()`, `nodes()`, `toggleKey()`, …) or `send(request)`. Subscribe to pushes with
 * `onKeyStatus(cb)` or the `keyStatus` event. `close()` ends it for good.
 */
export class VboxClient extends EventEmitter<VboxClientEvents> {
  /** The resolved options (explicit → default; the environment is never read). */
  readonly options: ResolvedVboxOptions;
  private stateValue: VboxClientState = 'idle';
  private socket: Socket | undefined;
  /** A socket close() is still tearing down. */
  private closingSocket: Socket | undefined;
  private socketConnected = false;
  /** Why we are destroying the socket ourselves, so its close handler can report it. */
  private plannedCloseReason: VboxDisconnectReason | undefined;
  private plannedCloseError: Error | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatOutstanding = false;
  private heartbeatMisses = 0;
  private reconnectAttempt = 0;
  private everReady = false;
  /** The connect() promise still waiting for its first ready, if any. */
  private pendingConnect: { resolve: () => void; reject: (error: Error) => void; promise: Promise<void> } | undefined;
  private readonly queue: RequestQueue<VboxResponse>;
  private readonly framer: VboxFramer;
  private readonly random: RandomSource;

  constructor(options: VboxClientOptions = {}, internals: VboxClientInternals = {}) {
    super();
    // Throws VboxConfigError synchronously: a misconfigured client is a programming error.
    this.options = resolveVboxOptions(options);
    this.random = internals.random ?? Math.random;
    this.queue = new RequestQueue<VboxResponse>({
      write: (frame) => this.write(frame),
      requestBuffer: this.options.requestBuffer,
      requestBufferVariance: this.options.requestBufferVariance,
      keyStatusAnyMessageId: this.options.keyStatusAnyMessageId,
      random: this.random,
      log: (message, context) => this.options.logger.debug?.(`vbox: ${message}`, context),
    });
    this.framer = new VboxFramer({
      direction: framePolicy.client.accepts,
      partialFrameTimeoutMs: this.options.partialFrameTimeout,
      onFrame: (frame) => this.onFrame(frame),
      onCallbackError: (error) => this.options.logger.error?.('vbox: frame dispatch failed', { error }),
      onInvalid: (event) => {
        this.options.logger.warn?.('vbox: invalid bytes dropped', { reason: event.reason, bytes: event.bytes.length });
        this.emit('invalidFrame', event);
        this.emit('frame:invalid', event);
      },
    });
  }

  /** Current lifecycle state. */
  get state(): VboxClientState {
    return this.stateValue;
  }

  /** True when requests are being written (handshake done). */
  get isReady(): boolean {
    return this.stateValue === 'ready';
  }

  /** The msgId issued most recently (1..255; 0 before the first request). */
  get lastMessageId(): number {
    return this.queue.lastMessageId;
  }

  /**
   * Opens the connection and performs the handshake: ToggleHeartbeat(1, 1), then Login.
   * Resolves once Login is ACKed. Rejects with VboxConnectError (TCP), VboxTimeoutError
   * (handshake unanswered) or VboxAuthError (Login refused); the first connection is not
   * retried automatically, later losses are. Calling it again while connecting or ready
   * returns the same promise / resolves at once.
   */
  connect(): Promise<void> {
    if (this.stateValue === 'ready') return Promise.resolve();
    if (this.pendingConnect !== undefined) return this.pendingConnect.promise;
    if (this.stateValue === 'reconnecting' || this.stateValue === 'connecting' || this.stateValue === 'handshaking') {
      // A reconnection is under way: wait for it.
      return this.waitForReady();
    }
    this.everReady = false;
    this.reconnectAttempt = 0;
    const pending = this.waitForReady();
    this.openSocket();
    return pending;
  }

  /**
   * Closes the connection for good: no reconnection, in-flight and queued requests reject
   * with VboxNotConnectedError. Resolves when the socket is fully closed. Idempotent.
   */
  close(): Promise<void> {
    const socket = this.socket;
    const wasConnected = this.socketConnected;
    // Detach the socket at once: its close handler is then stale, and a connect() right after
    // close() waits for this socket to be gone before opening the next one.
    this.socket = undefined;
    this.socketConnected = false;
    this.stateValue = 'closed';
    this.clearTimer('reconnect');
    this.clearTimer('heartbeat');
    this.clearTimer('connect');
    this.heartbeatOutstanding = false;
    const error = new VboxNotConnectedError('the vBox client was closed');
    this.queue.setLane('closed');
    this.queue.failAll(error);
    this.queue.dispose();
    this.failPendingConnect(error);
    this.framer.reset();
    if (wasConnected) this.emit('disconnected', { reason: 'closed', willReconnect: false });
    if (socket === undefined || socket.closed) return Promise.resolve();
    this.closingSocket = socket;
    return new Promise<void>((resolve) => {
      socket.once('close', () => {
        if (this.closingSocket === socket) this.closingSocket = undefined;
        resolve();
      });
      // destroy() rather than end(): the device serves one connection, so free it at once.
      socket.destroy();
    });
  }

  /** Alias of close(), under the reference's name. */
  disconnect(): Promise<void> {
    return this.close();
  }

  /**
   * Sends a request and resolves with its decoded reply (undefined when an `unknown`-kind
   * request such as NodeStatus gets no answer). Never throws synchronously; before
   * connect() or after close() it rejects with VboxNotConnectedError.
   */
  send<R extends VboxResponse = VboxResponse>(request: VboxRequestLike, options: VboxSendOptions = {}): Promise<R | undefined> {
    if (this.stateValue === 'idle' || this.stateValue === 'closed') {
      const message =
        this.stateValue === 'closed'
          ? 'the vBox client is closed; create a new one or call connect() again'
          : 'the vBox client is not connected; call connect() first';
      return Promise.reject(new VboxNotConnectedError(message, { state: this.stateValue }));
    }
    let outgoing: OutgoingRequest;
    try {
      outgoing = this.describe(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const queueTimeout = options.queueTimeout ?? this.options.queueTimeout;
    try {
      // The client option's own spec: a number of ms > 0 that a timer can hold.
      checkVboxOption('queueTimeout', queueTimeout, 'queueTimeout');
    } catch (error) {
      return Promise.reject(new VboxRequestError((error as Error).message, { cause: error, context: { queueTimeout } }));
    }
    const unknownKind = outgoing.replyKind === 'unknown';
    return this.queue.enqueue(outgoing, {
      queueTimeoutMs: queueTimeout,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      lane: 'user',
      // §10: an `unknown`-kind request (NodeStatus) gets one short attempt.
      timeoutMs: unknownKind ? Math.min(this.options.requestTimeout, 500) : this.options.requestTimeout,
      maxRetries: unknownKind ? 0 : this.options.maxRetries,
    }) as Promise<R | undefined>;
  }

  /** Subscribes to every KeyStatus frame (pushes and replies); returns the unsubscribe function. Survives reconnection. */
  onKeyStatus(callback: (status: responses.KeyStatus, info: { solicited: boolean }) => void): () => void {
    this.on('keyStatus', callback);
    return () => {
      this.off('keyStatus', callback);
    };
  }

  // ── convenience methods ───────────────────────────────────────────────────────────────

  /** RoomCount: how many rooms and their ids. */
  roomCount(options: VboxSendOptions = {}): Promise<responses.RoomCount> {
    return this.sendExpecting(() => new requests.RoomCount({}), options);
  }

  /** RoomMetaData for one room. */
  roomMetaData(roomId: number, options: VboxSendOptions = {}): Promise<responses.RoomMetaData> {
    return this.sendExpecting(() => new requests.RoomMetaData({ roomId }), options);
  }

  /** Every room: RoomCount, then RoomMetaData for each id, in order. */
  async rooms(options: VboxSendOptions = {}): Promise<VboxRoom[]> {
    const count = await this.roomCount(options);
    const rooms: VboxRoom[] = [];
    for (const roomId of count.list) {
      const metaData = await this.roomMetaData(roomId, options);
      rooms.push({ id: roomId, name: metaData.name, metaData });
    }
    return rooms;
  }

  /** NodeCount: how many nodes and their ids. */
  nodeCount(options: VboxSendOptions = {}): Promise<responses.NodeCount> {
    return this.sendExpecting(() => new requests.NodeCount({}), options);
  }

  /** NodeMetaData (V1 or V2 layout by `version`) for one node. */
  nodeMetaData(nodeId: number, options: VboxSendOptions = {}): Promise<responses.NodeMetaData> {
    return this.sendExpecting(() => new requests.NodeMetaData({ nodeId }), options);
  }

  /** Every node's metadata: NodeCount, then NodeMetaData for each id, in order. */
  async nodes(options: VboxSendOptions = {}): Promise<responses.NodeMetaData[]> {
    const count = await this.nodeCount(options);
    const nodes: responses.NodeMetaData[] = [];
    for (const nodeId of count.list) nodes.push(await this.nodeMetaData(nodeId, options));
    return nodes;
  }

  /** KeyStatus of one key; resolved only by a 29 for that node and key (§6.1). */
  keyStatus(nodeId: number, keyId: number, options: VboxSendOptions = {}): Promise<responses.KeyStatus> {
    return this.sendExpecting(() => new requests.KeyStatus({ nodeId, keyId }), options);
  }

  /** KeyParameters (category and name) of one key. */
  keyParameters(nodeId: number, keyId: number, options: VboxSendOptions = {}): Promise<responses.KeyParameters> {
    return this.sendExpecting(() => new requests.KeyParameters({ nodeId, keyId }), options);
  }

  /**
   * ToggleKeyStatus: switch a key ON/OFF (or LONG/SHORT/RELEASED), optionally with a dimmer
   * ratio (0–100) and a timer. Resolves with the ACK; a NACK rejects with VboxNackError.
   */
  toggleKey(
    nodeId: number,
    keyId: number,
    power: KeyPowerInput,
    extra: { dimmerRatio?: number; timer?: number } = {},
    options: VboxSendOptions = {},
  ): Promise<responses.Acknowledgement> {
    return this.sendExpecting(
      () =>
        new requests.ToggleKeyStatus({
          nodeId,
          keyId,
          power: power as never,
          ...(extra.dimmerRatio === undefined ? {} : { dimmerRatio: extra.dimmerRatio }),
          ...(extra.timer === undefined ? {} : { timer: extra.timer }),
        }),
      options,
    );
  }

  /** ToggleNodeStatus: lock/unlock a node and set its LED background level. */
  setNodeStatus(
    nodeId: number,
    lockStatus: number | 'LOCKED' | 'UNLOCKED',
    ledLevel: number | string,
    options: VboxSendOptions = {},
  ): Promise<responses.Acknowledgement> {
    return this.sendExpecting(() => new requests.ToggleNodeStatus({ nodeId, lockStatus: lockStatus as never, ledLevel: ledLevel as never }), options);
  }

  /** NodeStatus (23): its reply is unknown (§10); resolves with whatever same-msgId frame arrives, or undefined. */
  nodeStatus(nodeId: number, options: VboxSendOptions = {}): Promise<VboxResponse | undefined> {
    try {
      return this.send(new requests.NodeStatus({ nodeId }), options);
    } catch (error) {
      return Promise.reject(this.asRequestError(error, 'NodeStatus'));
    }
  }

  /** InternalUnitStatuses (60): an opaque payload. */
  internalUnitStatuses(options: VboxSendOptions = {}): Promise<responses.InternalUnitStatuses> {
    return this.sendExpecting(() => new requests.InternalUnitStatuses({}), options);
  }

  /** Sends one Heartbeat now (normally automatic). */
  heartbeat(options: VboxSendOptions = {}): Promise<responses.Acknowledgement> {
    return this.sendExpecting(() => new requests.Heartbeat({}), options);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────

  /**
   * Emits to every listener even if one throws; a throwing listener is reported on
   * `error` (or the logger, for `error` itself) and never breaks dispatch. An `error`
   * with no listener is never thrown (a background failure must not crash the application):
   * it goes to `logger.error`, or, with no logger, to a Node process warning, once per code.
   */
  override emit<K extends keyof VboxClientEvents>(event: K, ...args: VboxClientEvents[K]): boolean;
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const listeners = this.rawListeners(event as keyof VboxClientEvents) as Array<(...a: unknown[]) => void>;
    if (listeners.length === 0) {
      if (event === 'error') this.reportUnheardError(args[0] as ThorsHammerError);
      return false;
    }
    for (const listener of listeners) {
      try {
        listener.apply(this, args);
      } catch (error) {
        if (event === 'error') this.options.logger.error?.('vbox: an error listener threw', { error });
        else this.emit('error', new VboxRequestError(`a '${String(event)}' listener threw: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
      }
    }
    return true;
  }

  /** Codes already reported as process warnings (a reconnecting client would repeat them). */
  private readonly warnedCodes = new Set<string>();

  private reportUnheardError(error: ThorsHammerError): void {
    const message = `vbox: ${error.message}`;
    if (this.options.logger.error !== undefined) {
      this.options.logger.error(message, { code: error.code, error });
      return;
    }
    if (this.warnedCodes.has(error.code)) return;
    this.warnedCodes.add(error.code);
    process.emitWarning(`${message} (no 'error' listener on the VboxClient; further ${error.code} are not repeated)`, {
      type: 'VboxClientWarning',
      code: error.code,
    });
  }

  /** Builds a request and sends it, turning construction errors (bad ids, ranges) into rejections. */
  private sendExpecting<R>(build: () => VboxRequestLike, options: VboxSendOptions): Promise<R> {
    let request: VboxRequestLike;
    try {
      request = build();
    } catch (error) {
      return Promise.reject(this.asRequestError(error, 'request'));
    }
    return this.send(request, options) as Promise<R>;
  }

  private asRequestError(error: unknown, label: string): Error {
    if (error instanceof Error && 'code' in error) return error;
    return new VboxRequestError(`could not build ${label}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  /** Turns a request object into the queue's view of it, validating its shape. */
  private describe(request: VboxRequestLike): OutgoingRequest {
    if (request === null || typeof request !== 'object' || typeof request.toBuffer !== 'function') {
      throw new VboxRequestError('send() needs a vBox request object (e.g. new requests.RoomCount({}))');
    }
    const kind = request.replyKind;
    if (kind !== 'ack' && kind !== 'same' && kind !== 'status' && kind !== 'unknown') {
      throw new VboxRequestError(`request has no valid replyKind: ${String(kind)}`);
    }
    const label = request.descriptor?.name ?? (request.constructor as { name?: string })?.name ?? `command ${request.command}`;
    return {
      label,
      command: request.command,
      replyKind: kind,
      replyCommands: replyCommandsOf(request.command, kind, request.descriptor),
      nodeId: request.nodeId,
      keyId: request.keyId,
      encode: (messageId) => request.toBuffer(messageId),
    };
  }

  private waitForReady(): Promise<void> {
    if (this.pendingConnect !== undefined) return this.pendingConnect.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pendingConnect = { promise, resolve, reject };
    return promise;
  }

  private failPendingConnect(error: Error): void {
    const pending = this.pendingConnect;
    this.pendingConnect = undefined;
    pending?.reject(error);
  }

  /** Opens a new socket; never while another is live. */
  private openSocket(): void {
    if (this.socket !== undefined && !this.socket.destroyed) return;
    const { host, port, connectTimeout } = this.options;
    this.stateValue = 'connecting';
    const closing = this.closingSocket;
    if (closing !== undefined && !closing.closed) {
      // close() is still tearing the previous socket down: open the next one only after it.
      closing.once('close', () => {
        if (this.stateValue === 'connecting' && this.socket === undefined) this.openSocket();
      });
      return;
    }
    this.socketConnected = false;
    this.plannedCloseReason = undefined;
    this.plannedCloseError = undefined;
    this.framer.reset();
    let socket: Socket;
    try {
      socket = this.options.socketFactory ? this.options.socketFactory({ host, port }) : new Socket();
    } catch (error) {
      // A throwing factory counts as a failed connect, reported asynchronously like one.
      queueMicrotask(() => this.onConnectionEnded(undefined, 'connect-failed', error as Error));
      return;
    }
    this.socket = socket;
    let lastError: Error | undefined;
    socket.setNoDelay(true);
    socket.on('error', (error) => {
      lastError = error;
    });
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.once('connect', () => {
      this.clearTimer('connect');
      this.socketConnected = true;
      this.onTcpConnected(socket);
    });
    socket.once('close', () => {
      const reason = this.plannedCloseReason ?? this.classify(lastError);
      this.onConnectionEnded(socket, reason, this.plannedCloseError ?? lastError);
    });
    this.connectTimer = setTimeout(() => {
      this.connectTimer = undefined;
      this.plannedCloseReason = 'connect-failed';
      this.plannedCloseError = new VboxConnectError(`timed out connecting to ${host}:${port} after ${connectTimeout} ms`, {
        context: { host, port, timeoutMs: connectTimeout },
      });
      socket.destroy();
    }, connectTimeout);
    socket.connect({ host, port });
  }

  private classify(error: Error | undefined): VboxDisconnectReason {
    if (!this.socketConnected) return 'connect-failed';
    if (error === undefined) return 'end';
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ECONNRESET' || code === 'EPIPE' ? 'reset' : 'error';
  }

  /** TCP is up: replay the handshake (§6.3) through the queue's handshake lane. */
  private onTcpConnected(socket: Socket): void {
    if (this.socket !== socket || this.stateValue === 'closed') return;
    const reconnect = this.everReady;
    const { host, port } = this.options;
    this.stateValue = 'handshaking';
    this.emit('connected', { host, port, reconnect });
    this.queue.setLane('handshake');
    // The returned promise never rejects: every failure is handled inside.
    void this.handshake(socket);
  }

  /** ToggleHeartbeat(1, 1), then Login, one after the other; Login is written only after the first ACK. */
  private async handshake(socket: Socket): Promise<void> {
    const policy = { lane: 'handshake' as const, timeoutMs: this.options.requestTimeout, maxRetries: this.options.maxRetries };
    let step = 'ToggleHeartbeat';
    try {
      await this.queue.enqueue(this.describe(new requests.ToggleHeartbeat({ enable: true, unsolicited: true })), policy);
      if (this.socket !== socket || this.stateValue !== 'handshaking') return;
      step = 'Login';
      await this.queue.enqueue(this.describe(new requests.Login({ username: this.options.username, password: this.options.password })), policy);
    } catch (error) {
      this.onHandshakeFailed(socket, step, error);
      return;
    }
    this.onHandshakeDone(socket);
  }

  private onHandshakeDone(socket: Socket): void {
    if (this.socket !== socket || this.stateValue !== 'handshaking') return;
    const reconnect = this.everReady;
    this.stateValue = 'ready';
    this.everReady = true;
    this.reconnectAttempt = 0;
    this.heartbeatMisses = 0;
    this.heartbeatOutstanding = false;
    this.queue.setLane('open');
    this.scheduleHeartbeat();
    const pending = this.pendingConnect;
    this.pendingConnect = undefined;
    this.emit('ready', { host: this.options.host, port: this.options.port, reconnect });
    pending?.resolve();
  }

  private onHandshakeFailed(socket: Socket, step: string, error: unknown): void {
    if (this.socket !== socket || this.stateValue !== 'handshaking') return;
    if (error instanceof VboxNackError) {
      // Refused: retrying cannot help (wrong credentials, or a device that rejects the handshake).
      this.plannedCloseReason = 'auth';
      this.plannedCloseError = new VboxAuthError(
        step === 'Login'
          ? `the vBox refused the login of user ${JSON.stringify(this.options.username)}: ${error.ackTypeName}`
          : `the vBox refused ${step} before login: ${error.ackTypeName}`,
        { username: this.options.username, step, ackType: error.ackType },
      );
    } else if (error instanceof VboxTimeoutError) {
      this.plannedCloseReason = 'handshake-failed';
      this.plannedCloseError = new VboxTimeoutError(`the vBox did not answer the handshake: ${error.message}`, { ...error.context, step });
    } else if (!(error instanceof VboxConnectionLostError) && !(error instanceof VboxNotConnectedError)) {
      // A request that could not even be built (e.g. a username too long for its length byte).
      this.plannedCloseReason = 'auth';
      this.plannedCloseError = error instanceof Error ? error : new Error(String(error));
    } else {
      return; // The socket is already going down; its close handler reports it.
    }
    socket.destroy();
  }

  /** Every way a connection (or a connection attempt) ends comes through here exactly once. */
  private onConnectionEnded(socket: Socket | undefined, reason: VboxDisconnectReason, error: Error | undefined): void {
    if (socket !== undefined && this.socket !== socket) return; // a stale socket
    this.socket = undefined;
    const wasConnected = this.socketConnected;
    this.socketConnected = false;
    this.clearTimer('connect');
    this.clearTimer('heartbeat');
    this.heartbeatOutstanding = false;
    this.framer.reset();
    this.queue.setLane('closed');

    if (this.stateValue === 'closed') {
      this.queue.failAll(new VboxNotConnectedError('the vBox client was closed'));
      this.queue.dispose();
      if (wasConnected) this.emit('disconnected', { reason: 'closed', willReconnect: false });
      return;
    }

    const { host, port } = this.options;
    const failure = this.describeFailure(reason, error);
    this.queue.failInFlight(
      new VboxConnectionLostError(
        `the connection to the vBox at ${host}:${port} was lost (${reason}) with the request in flight: it was sent, so the vBox may have carried it out`,
        { cause: error, context: { host, port, reason, sent: true } },
      ),
    );

    const fatal = reason === 'auth';
    const canRetry = this.everReady && !fatal && this.options.shouldReconnect && this.reconnectAttempt < this.options.maxReconnectAttempts;
    if (wasConnected) this.emit('disconnected', { reason, ...(error ? { error } : {}), willReconnect: canRetry });

    if (canRetry) {
      if (this.reconnectAttempt > 0 && !wasConnected) this.emit('error', failure);
      this.scheduleReconnect();
      return;
    }

    // No (more) reconnection: settle everything that waits for a ready state.
    this.stateValue = 'idle';
    let finalError: ThorsHammerError = failure;
    if (this.everReady && !fatal && this.options.shouldReconnect) {
      finalError = new VboxReconnectGaveUpError(this.reconnectAttempt, { cause: failure });
    }
    const queued = new VboxNotConnectedError(`the vBox client is not connected: ${finalError.message}`, { reason });
    this.queue.failAll(queued);
    if (this.pendingConnect !== undefined) this.failPendingConnect(finalError);
    else this.emit('error', finalError);
  }

  /** The error a caller sees for a failed connection. */
  private describeFailure(reason: VboxDisconnectReason, error: Error | undefined): ThorsHammerError {
    const { host, port } = this.options;
    if (error instanceof VboxAuthError || error instanceof VboxTimeoutError || error instanceof VboxConnectError) return error;
    if (!this.everReady && (reason === 'end' || reason === 'reset')) {
      // The device serves one connection at a time and drops newcomers at once.
      return new VboxConnectionLostError(
        `the vBox at ${host}:${port} closed the connection during the handshake (${reason}); a vBox serves one connection at a time — is another client connected?`,
        { cause: error, context: { host, port, reason } },
      );
    }
    if (reason === 'connect-failed') {
      return new VboxConnectError(`could not connect to the vBox at ${host}:${port}: ${error?.message ?? 'connection closed'}`, {
        cause: error,
        context: { host, port },
      });
    }
    return new VboxConnectionLostError(`the connection to the vBox at ${host}:${port} ended (${reason})`, {
      cause: error,
      context: { host, port, reason },
    });
  }

  private scheduleReconnect(): void {
    this.reconnectAttempt += 1;
    const { reconnectBaseDelay, reconnectMaxDelay, reconnectJitter } = this.options;
    const delay = reconnectDelay(this.reconnectAttempt, reconnectBaseDelay, reconnectMaxDelay, reconnectJitter, this.random);
    this.stateValue = 'reconnecting';
    this.emit('reconnecting', { attempt: this.reconnectAttempt, delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stateValue === 'reconnecting') this.openSocket();
    }, delay);
  }

  /** Writes to the live socket; every write postpones the heartbeat (§6.4). */
  private write(frame: Buffer): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed || !socket.writable) return; // the close handler settles things
    socket.write(frame);
    if (this.stateValue === 'ready') this.scheduleHeartbeat();
  }

  /** (Re)arms the idle timer; fires a Heartbeat when nothing was written for heartbeatInterval ms. */
  private scheduleHeartbeat(): void {
    this.clearTimer('heartbeat');
    if (this.options.heartbeatInterval <= 0 || this.stateValue !== 'ready') return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.sendHeartbeat();
    }, this.options.heartbeatInterval);
    // The socket keeps the process alive while connected; the heartbeat timer need not.
    this.heartbeatTimer.unref();
  }

  private sendHeartbeat(): void {
    if (this.stateValue !== 'ready' || this.heartbeatOutstanding) return;
    this.heartbeatOutstanding = true;
    const socket = this.socket;
    this.queue
      .enqueue(this.describe(new requests.Heartbeat({})), { lane: 'user', timeoutMs: this.options.requestTimeout, maxRetries: 0 })
      .then(
        () => {
          this.heartbeatMisses = 0;
          this.emit('heartbeat', { acknowledged: true, misses: 0 });
        },
        (error: unknown) => {
          if (error instanceof VboxNackError) {
            // The link is alive even if the vBox dislikes the heartbeat.
            this.heartbeatMisses = 0;
            this.emit('heartbeat', { acknowledged: true, misses: 0 });
          } else if (error instanceof VboxTimeoutError) {
            this.heartbeatMisses += 1;
            this.emit('heartbeat', { acknowledged: false, misses: this.heartbeatMisses });
            if (this.heartbeatMisses >= this.options.heartbeatMaxMisses && this.socket === socket && socket !== undefined) {
              this.options.logger.warn?.('vbox: link dead (heartbeats unanswered); reconnecting', { misses: this.heartbeatMisses });
              this.plannedCloseReason = 'heartbeat';
              this.plannedCloseError = new VboxTimeoutError(`${this.heartbeatMisses} consecutive heartbeats went unanswered`, {
                misses: this.heartbeatMisses,
              });
              socket.destroy();
            }
          }
          // Connection-lost and not-connected errors need nothing: the close handler runs.
        },
      )
      .finally(() => {
        this.heartbeatOutstanding = false;
        if (this.stateValue === 'ready' && this.heartbeatTimer === undefined) this.scheduleHeartbeat();
      });
  }

  /** Every valid frame from the framer. */
  private onFrame(frame: VboxFrame): void {
    let response: VboxResponse | undefined;
    let decodeError: ThorsHammerError | undefined;
    try {
      response = decodeResponse(frame, { version: this.options.version, strict: this.options.strictness === 'strict' });
    } catch (error) {
      decodeError = asThorsHammerError(error, `could not decode a frame with command ${enumName(CommandId, frame.command)}`);
    }
    const settled = this.queue.offer(frame, response, decodeError);
    if (frame.command === CommandId.Acknowledgement && !this.options.ignoreAckLogs) {
      const type = frame.payload.length > 0 ? enumName(AckType, frame.payload[0]!) : 'EMPTY';
      this.options.logger.debug?.('vbox: ack', { messageId: frame.messageId, type, matched: settled });
    }
    if (decodeError !== undefined) {
      if (!settled) this.emit('error', decodeError);
      return;
    }
    if (frame.command === CommandId.KeyStatus) {
      const status = response as responses.KeyStatus;
      this.options.logger.debug?.('vbox: key status', {
        nodeId: status.nodeId,
        keyId: status.keyId,
        power: enumName(KeyPowerStatus, status.power),
        solicited: settled,
      });
      this.emit('keyStatus', status, { solicited: settled });
      return;
    }
    if (settled || frame.command === CommandId.NodeExistenceStatus) return;
    const info = { frame, ...(response ? { response } : {}) };
    this.emit('unknownFrame', info);
    this.emit('frame:unknown', info);
  }

  private clearTimer(which: 'connect' | 'reconnect' | 'heartbeat'): void {
    const key = `${which}Timer` as const;
    const timer = this[key];
    if (timer !== undefined) clearTimeout(timer);
    this[key] = undefined;
  }
}
