import { once } from 'node:events';
import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import { type Server as TlsServer, createServer as createTlsServer } from 'node:tls';
import { OciSchema } from '../../oci/schema.js';
import { CassettePlayer, CassetteRecorder, type UpstreamOptions } from './cassette.js';
import { localhostCertificate } from './certificate.js';
import { OciMockEngine, type OciMockLogger, type OciMockStats } from './engine.js';
import { OciMockError } from './errors.js';
import { type OciMockFaults, resolveFaults } from './faults.js';
import { InputBudget, type MockCore, type OciMockLimits, type OciMockRefusal, Timers, emptyRefusals, peerOf, resolveLimits } from './listeners/core.js';
import { defaultSoapPath, serveSoapRequest } from './listeners/soap.js';
import { type StreamConnection, pushForcedLogout, serveStreamConnection } from './listeners/stream.js';
import type { OciMockState } from './model.js';
import { type SeedFile, loadSeedFile, stateFromSeed } from './seed.js';
import type { ConnectionSessions, CookieSession } from './sessions.js';
import { type MockUser, defaultUsers, loadUsersFile, resolveUsers } from './users.js';

export type { OciMockFaults, FaultSwitch, SoapFaultName } from './faults.js';
export type { OciMockLogger, OciMockStats } from './engine.js';
export type { MockUser, LoginType } from './users.js';
export type { SeedFile } from './seed.js';
export { OciMockState } from './model.js';
export { OciMockError } from './errors.js';
export { mockErrors } from './error-catalogue.js';
export { CassettePlayer, CassetteRecorder, redactSecrets, requestKey, type CassetteEntry, type UpstreamOptions } from './cassette.js';
export { buildDemoSeed, demoPlantedProblems } from './seed-demo.js';
export { defaultOciMockLimits, type OciMockLimits, type OciMockRefusal } from './listeners/core.js';

/** Options of startOciMock. At least one of tcpPort, tlsPort, soapPort is required (0 = an ephemeral port). */
export interface OciMockOptions {
  /** OCI-P release whose metadata drives validation and answers (default: the newest generated). */
  release?: string;
  /** Plain TCP listener (real servers: 2208). */
  tcpPort?: number;
  /** TLS listener (real servers: 2209). */
  tlsPort?: number;
  /** Plain-HTTP SOAP listener (`POST /webservice/services/ProvisioningService`). */
  soapPort?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Certificate and key (PEM) for the TLS listener; default: a self-signed certificate for localhost/127.0.0.1. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Accounts that may log in, or a JSON file holding them (default: `admin` / `admin`, loginType System). */
  users?: MockUser[] | string;
  /** Initial provisioning data, or a JSON file holding it (see seed.ts). */
  seed?: SeedFile | string;
  /** Limits against hostile or broken clients (connections, buffered bytes, timeouts); see {@link OciMockLimits} for the defaults. */
  limits?: Partial<OciMockLimits>;
  /** Initial fault settings (all off by default); change them later through `server.faults`. */
  faults?: Partial<OciMockFaults>;
  logger?: OciMockLogger;
  /** Where generated bindings live (default: the project's generated/). */
  generatedDir?: string;
  /** An already loaded schema of the release (saves the load when starting many mocks in one process). */
  schema?: OciSchema;
  /**
   * Refuse data-changing requests the model does not cover with `[Error 4998]` instead of
   * answering SuccessResponse (either way they are counted in `state.unmodelled`). Default false.
   */
  strict?: boolean;
  /**
   * Record mode: every command but login/logout is forwarded to `upstream` (a real server,
   * through OciClient with its own account) and each request/response pair is appended to the
   * JSON Lines cassette `file`, passwords redacted. The model is not used.
   */
  record?: { file: string; upstream: UpstreamOptions };
  /**
   * Replay mode: a cassette file (or a loaded CassettePlayer); commands it holds are answered
   * from it, others from the model, or with `[Error 4997]` when `strict`.
   */
  replay?: string | CassettePlayer;
}

/** A running mock OCI-P server. */
export interface OciMockServer {
  readonly release: string;
  /** Bound ports of the listeners that were asked for. */
  readonly ports: { tcp?: number; tls?: number; soap?: number };
  /** Client URL of a listener: `tcp://127.0.0.1:N`, `tls://localhost:N`, `http://127.0.0.1:N/webservice/services/ProvisioningService`. */
  url(kind: 'tcp' | 'tls' | 'soap'): string;
  /** PEM certificate of the TLS listener (pass it as `ca` to trust it). */
  readonly certificate?: string;
  /** The provisioning model, shared by all listeners; tests may read and change it directly. */
  readonly state: OciMockState;
  /** Fault settings, mutable at runtime. */
  readonly faults: OciMockFaults;
  /** Documents and commands received (by type). */
  readonly stats: OciMockStats;
  /** The limits in force. */
  readonly limits: Readonly<OciMockLimits>;
  /** Connections refused or dropped, by the limit that caused it (each is also logged as a warning). */
  readonly refusals: Readonly<Record<OciMockRefusal, number>>;
  /** Open connections across all listeners, request bytes buffered across them, and TCP/TLS connections whose reading is stopped (backpressure). */
  readonly load: { readonly connections: number; readonly bufferedInputBytes: number; readonly pausedConnections: number };
  /** Pushes an unsolicited LogoutRequest to the session (or every logged-in TCP/TLS session) and ends it; SOAP sessions just end. Returns how many sessions were logged out. */
  pushLogout(sessionId?: string): number;
  /** Forgets every login: the next command of any session gets the not-logged-in answer. */
  expireSessions(): void;
  /** Stops the listeners and drops every connection. Idempotent. */
  close(): Promise<void>;
}

const schemaCache = new Map<string, Promise<OciSchema>>();

/** Loads (once per process and release) the fully loaded schema the mock needs. */
export function loadMockSchema(release: string, generatedDir?: string): Promise<OciSchema> {
  const key = `${generatedDir ?? ''}\u0000${release}`;
  let schema = schemaCache.get(key);
  if (!schema) {
    schema = OciSchema.load(release, { generatedDir, eager: true });
    schema.catch(() => schemaCache.delete(key));
    schemaCache.set(key, schema);
  }
  return schema;
}

/** The newest release with generated bindings ({@link OciSchema.newestRelease}, with the mock's error code). */
export function newestRelease(generatedDir?: string): string {
  try {
    return OciSchema.newestRelease(generatedDir);
  } catch (error) {
    throw new OciMockError('TH_ERR_OCI_MOCK_RELEASE', (error as Error).message, { cause: error });
  }
}

/** Starts a mock BroadWorks OCI-P server (TCP, TLS and/or SOAP over one shared state). */
export async function startOciMock(options: OciMockOptions = {}): Promise<OciMockServer> {
  const host = options.host ?? '127.0.0.1';
  const wanted = { tcp: options.tcpPort, tls: options.tlsPort, soap: options.soapPort };
  for (const [kind, port] of Object.entries(wanted)) {
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', `${kind}Port must be an integer from 0 to 65535, got ${String(port)}`);
    }
  }
  if (wanted.tcp === undefined && wanted.tls === undefined && wanted.soap === undefined) {
    throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', 'give at least one of tcpPort, tlsPort, soapPort (0 picks a free port)');
  }
  let faults: OciMockFaults;
  try {
    faults = resolveFaults(options.faults);
  } catch (error) {
    throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', `faults: ${(error as Error).message}`);
  }
  let limits: OciMockLimits;
  try {
    limits = resolveLimits(options.limits);
  } catch (error) {
    throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', `limits: ${(error as Error).message}`);
  }
  const users =
    typeof options.users === 'string' ? loadUsersFile(options.users) : options.users ? resolveUsers(options.users) : defaultUsers.map((u) => ({ ...u }));
  const seed = typeof options.seed === 'string' ? loadSeedFile(options.seed) : options.seed;
  const state = stateFromSeed(seed, typeof options.seed === 'string' ? options.seed : 'seed');

  const release = options.schema?.release ?? options.release ?? newestRelease(options.generatedDir);
  if (options.schema && options.release && options.release !== options.schema.release) {
    throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', `release ${options.release} does not match the given schema (${options.schema.release})`);
  }
  let schema: OciSchema;
  try {
    schema = options.schema ?? (await loadMockSchema(release, options.generatedDir));
  } catch (error) {
    throw new OciMockError('TH_ERR_OCI_MOCK_RELEASE', (error as Error).message, { cause: error, context: { release } });
  }
  if (options.schema) await schema.ensureAll();

  const logger = options.logger ?? {};
  const engine = new OciMockEngine(schema, state, users, logger);
  engine.strict = options.strict === true;
  if (options.record && options.replay) throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', 'record and replay go one at a time');
  if (options.replay) engine.replay = typeof options.replay === 'string' ? CassettePlayer.load(options.replay) : options.replay;
  if (options.record) engine.recorder = new CassetteRecorder(options.record.file, options.record.upstream, schema);
  const timers = new Timers();
  let closing = false;
  const refusals = emptyRefusals();
  const refuse = (limit: OciMockRefusal, peer: string, reason: string): void => {
    refusals[limit]++;
    logger.warn?.(`refused ${peer} (${limit}): ${reason}`);
  };
  const core: MockCore = {
    engine,
    faults,
    logger,
    limits,
    budget: new InputBudget(limits.maxBufferedInputBytes, () => undefined),
    refuse,
    connections: new Set<{ socket: Socket; sessions: ConnectionSessions }>(),
    soapSessions: new Map<string, CookieSession>(),
    sleep: (ms) => timers.sleep(ms),
    get closing() {
      return closing;
    },
  };

  // Every accepted socket of every listener counts against maxConnections.
  let openConnections = 0;
  const admit = (socket: Socket, kind: string): boolean => {
    if (closing || openConnections >= limits.maxConnections) {
      if (!closing) refuse('maxConnections', peerOf(socket), `${openConnections} ${kind} connections are open already`);
      socket.destroy();
      return false;
    }
    openConnections++;
    socket.once('close', () => openConnections--);
    return true;
  };

  const servers: (NetServer | TlsServer | HttpServer)[] = [];
  const ports: { tcp?: number; tls?: number; soap?: number } = {};
  let certificate: string | undefined;
  const listen = async (server: NetServer | TlsServer | HttpServer, port: number, kind: string): Promise<number> => {
    servers.push(server);
    server.listen(port, host);
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
    } catch (error) {
      throw new OciMockError('TH_ERR_OCI_MOCK_LISTEN', `cannot listen for ${kind} on ${host}:${port}: ${(error as Error).message}`, {
        cause: error,
        context: { kind, host, port },
      });
    }
    server.on('error', (error) => logger.warn?.(`${kind} listener: ${error.message}`));
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  };

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    timers.clear();
    await engine.recorder?.close().catch(() => undefined);
    for (const { socket } of core.connections) socket.destroy();
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            if (!server.listening) return resolve();
            server.close(() => resolve());
          }),
      ),
    );
  };

  try {
    if (wanted.tcp !== undefined) {
      const server = createNetServer((socket) => {
        if (admit(socket, 'tcp')) serveStreamConnection(core, socket, 'tcp');
      });
      ports.tcp = await listen(server, wanted.tcp, 'tcp');
    }
    if (wanted.tls !== undefined) {
      const material = options.tls ?? (await localhostCertificate());
      certificate = material.cert.toString();
      const server = createTlsServer({ cert: material.cert, key: material.key, handshakeTimeout: limits.headersTimeoutMs || 120_000 }, (socket) =>
        serveStreamConnection(core, socket, 'tls'),
      );
      // The raw socket is counted before its handshake, so half-open handshakes count too.
      server.on('connection', (socket: Socket) => admit(socket, 'tls'));
      server.on('tlsClientError', (error, socket) => {
        if (/timed? ?out/i.test(error.message)) refuse('headersTimeoutMs', peerOf(socket), `TLS handshake not complete within ${limits.headersTimeoutMs} ms`);
        else logger.debug?.(`tls handshake failed: ${error.message}`);
        // With a listener here, Node leaves the failed socket open: close it.
        socket.destroy();
      });
      ports.tls = await listen(server, wanted.tls, 'tls');
    }
    if (wanted.soap !== undefined) {
      const server = createSoapServer(core, limits, (socket) => admit(socket, 'soap'));
      ports.soap = await listen(server, wanted.soap, 'soap');
    }
  } catch (error) {
    await close();
    throw error;
  }

  const clientHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  logger.info?.(`OCI-P mock (${release}) listening`, ports);
  return {
    release,
    ports,
    certificate,
    // Whoever reaches the state from outside may change it in place: answers kept for an
    // unchanged state (read-answers.ts, respondShared) and the read indexes are then rebuilt.
    get state() {
      state.generation++;
      return state;
    },
    faults,
    stats: core.engine.stats,
    limits,
    refusals,
    load: {
      get connections() {
        return openConnections;
      },
      get bufferedInputBytes() {
        return core.budget.total;
      },
      get pausedConnections() {
        let paused = 0;
        for (const connection of core.connections) if ((connection as StreamConnection).flow?.paused) paused++;
        return paused;
      },
    },
    url(kind) {
      const port = ports[kind];
      if (port === undefined) throw new OciMockError('TH_ERR_OCI_MOCK_OPTIONS', `no ${kind} listener was started`);
      if (kind === 'tcp') return `tcp://${clientHost}:${port}`;
      if (kind === 'tls') return `tls://${clientHost === '127.0.0.1' ? 'localhost' : clientHost}:${port}`;
      return `http://${clientHost}:${port}${defaultSoapPath}`;
    },
    pushLogout(sessionId) {
      let count = 0;
      for (const connection of core.connections) {
        for (const id of connection.sessions.sessions.keys()) {
          if ((sessionId === undefined || id === sessionId) && pushForcedLogout(core, connection, id)) count++;
        }
      }
      for (const session of core.soapSessions.values()) {
        if (session.state.user && sessionId === undefined) {
          session.state.user = undefined;
          count++;
        }
      }
      return count;
    },
    expireSessions() {
      for (const connection of core.connections) {
        for (const session of connection.sessions.sessions.values()) {
          session.user = undefined;
          session.nonce = undefined;
        }
      }
      for (const session of core.soapSessions.values()) {
        session.state.user = undefined;
        session.state.nonce = undefined;
      }
    },
    close,
  };
}

/** The SOAP listener: Node's own header/request/idle timers, with each refusal logged and counted. */
function createSoapServer(core: MockCore, limits: OciMockLimits, admit: (socket: Socket) => boolean): HttpServer {
  const timeouts = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0);
  const server = createHttpServer(
    {
      // Node refuses a headers timeout above the request timeout.
      headersTimeout:
        limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node checks those two (its default, 30 s, would let short timeouts run long).
      connectionsCheckingInterval: timeouts.length > 0 ? Math.max(10, Math.min(1000, Math.floor(Math.min(...timeouts) / 4))) : 30_000,
    },
    (req, res) => serveSoapRequest(core, defaultSoapPath, req, res),
  );
  server.timeout = limits.idleTimeoutMs;
  server.on('connection', (socket: Socket) => admit(socket));
  server.on('timeout', (socket: Socket) => {
    core.refuse('idleTimeoutMs', peerOf(socket), `no traffic for ${limits.idleTimeoutMs} ms: connection closed`);
    socket.destroy();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) {
      core.refuse(
        'requestTimeoutMs',
        peerOf(socket),
        `HTTP request not complete within its time (headers ${limits.headersTimeoutMs} ms, request ${limits.requestTimeoutMs} ms)`,
      );
    } else if (error.code !== 'ECONNRESET') {
      core.refuse('malformedStream', peerOf(socket), `bad HTTP request: ${error.message}`);
    }
    if (socket.writable && !socket.destroyed) {
      socket.end(timedOut ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    }
    socket.destroy();
  });
  return server;
}
