import type { Socket } from 'node:net';
import { OciFrameTooLargeError } from '../../../oci/transport/errors.js';
import { OciDocumentSplitter, encodeDocumentText } from '../../../oci/transport/framing.js';
import { ReadFlow } from '../../read-flow.js';
import { garble, takeFault, takeLatency } from '../faults.js';
import { ConnectionSessions } from '../sessions.js';
import { type InputHolder, type MockCore, type OciMockRefusal, peerOf } from './core.js';

const NEWLINE = Buffer.from('\n');

/** Request documents cut but not yet answered, per connection; beyond it reading stops until they are. */
const maxQueuedDocuments = 64;

/** Sessions a connection may hold; beyond it the oldest logged-out ones are forgotten. */
const maxSessionsPerConnection = 1000;

/** Documents answered in a row before the connection lets other connections' I/O run (fairness under a flood). */
const documentsPerTurn = 8;

/** Grace for a closing connection to take its last bytes before it is destroyed. */
const closeGraceMs = 1000;

/** A TCP/TLS connection and its sessions (pushLogout and expireSessions reach them through core.connections). */
export interface StreamConnection {
  socket: Socket;
  sessions: ConnectionSessions;
  flow?: ReadFlow;
}

/**
 * Serves one TCP or TLS connection: documents are cut with OciDocumentSplitter and answered
 * strictly in order (one response document per request document, each followed by `\n`),
 * with the injected faults applied per response. Reading stops while the client does not read
 * the replies or too many requests wait; idle and half-sent connections are closed (core.limits).
 */
export function serveStreamConnection(core: MockCore, socket: Socket, transport: 'tcp' | 'tls'): void {
  // One response per request: Nagle's algorithm would only add latency to each round trip.
  socket.setNoDelay(true);
  const flow = new ReadFlow(socket);
  const connection: StreamConnection = { socket, sessions: new ConnectionSessions(transport), flow };
  core.connections.add(connection);
  const { limits } = core;
  const splitter = new OciDocumentSplitter({ maxDocumentBytes: limits.maxDocumentBytes });
  let queue: Promise<void> = Promise.resolve();
  let queuedDocuments = 0;
  let queuedBytes = 0;
  let requestTimer: NodeJS.Timeout | undefined;
  let answeredInARow = 0;
  const peer = peerOf(socket);
  const holder: InputHolder = {
    held: 0,
    evict: () => drop('maxBufferedInputBytes', `the mock holds more than ${limits.maxBufferedInputBytes} request bytes; this connection holds the most`),
  };
  core.logger.debug?.(`${transport}: connection from ${peer}`);

  if (limits.idleTimeoutMs > 0) {
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('timeout', idleLogout);
  }

  socket.on('data', (chunk: Buffer) => {
    let documents: Buffer[];
    try {
      documents = splitter.push(chunk);
    } catch (error) {
      if (error instanceof OciFrameTooLargeError) drop('maxDocumentBytes', (error as Error).message);
      else drop('malformedStream', (error as Error).message);
      return;
    }
    for (const document of documents) {
      queuedDocuments++;
      queuedBytes += document.length;
      queue = queue
        .then(() => answer(document))
        .catch((error: unknown) => {
          core.logger.warn?.(`${transport}: failed to answer ${peer}: ${(error as Error).message}`);
          socket.destroy();
        })
        .finally(() => {
          queuedDocuments--;
          queuedBytes -= document.length;
          account();
          if (queuedDocuments < maxQueuedDocuments) flow.release('queue');
        });
    }
    if (queuedDocuments >= maxQueuedDocuments) flow.hold('queue');
    account();
    watchRequest(documents.length > 0);
  });
  socket.on('error', (error) => core.logger.debug?.(`${transport}: ${peer}: ${error.message}`));
  socket.on('close', () => {
    core.connections.delete(connection);
    core.budget.release(holder);
    clearTimeout(requestTimer);
    splitter.reset();
    core.logger.debug?.(`${transport}: ${peer} closed`);
  });

  /** Tells the budget how many request bytes this connection holds. */
  function account(): void {
    if (!socket.destroyed) core.budget.update(holder, splitter.pendingBytes + queuedBytes);
  }

  /** A started document must be complete within requestTimeoutMs of its first byte (slow-loris). */
  function watchRequest(completedOne: boolean): void {
    if (limits.requestTimeoutMs === 0 || socket.destroyed) return;
    if (splitter.pendingBytes === 0 || completedOne) {
      clearTimeout(requestTimer);
      requestTimer = undefined;
    }
    if (splitter.pendingBytes > 0 && requestTimer === undefined) {
      requestTimer = setTimeout(
        () => drop('requestTimeoutMs', `a request document was not complete within ${limits.requestTimeoutMs} ms (${splitter.pendingBytes} bytes so far)`),
        limits.requestTimeoutMs,
      );
      requestTimer.unref();
    }
  }

  /** Like a real server: an idle client's sessions are logged out (unsolicited LogoutRequest), then the connection closes. */
  function idleLogout(): void {
    if (socket.destroyed) return;
    core.refuse('idleTimeoutMs', peer, `no traffic for ${limits.idleTimeoutMs} ms: forced logout, connection closed`);
    for (const sessionId of [...connection.sessions.sessions.keys()]) pushForcedLogout(core, connection, sessionId);
    socket.end();
    setTimeout(() => socket.destroy(), closeGraceMs).unref();
  }

  function drop(limit: OciMockRefusal, reason: string): void {
    if (socket.destroyed) return;
    core.refuse(limit, peer, reason);
    core.budget.release(holder);
    socket.destroy();
  }

  async function answer(document: Buffer): Promise<void> {
    // Answers run as one chain of promise callbacks; without a pause now and then, a client that
    // sends thousands of documents at once would hold every other client until all are answered.
    if (++answeredInARow >= documentsPerTurn) {
      answeredInARow = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (socket.destroyed || core.closing) return;
    const parsed = core.engine.parse(document);
    if (takeFault(core.faults, 'silence')) return;
    const latency = takeLatency(core.faults);
    if (latency > 0) await core.sleep(latency);
    if (socket.destroyed || core.closing) return;
    const text = await core.engine.executeAsync(parsed, connection.sessions);
    forgetOldSessions(connection.sessions);
    let bytes = encodeDocumentText(text, { lineFeed: true });
    if (takeFault(core.faults, 'dropConnectionMidResponse')) {
      socket.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => socket.destroy());
      return;
    }
    if (takeFault(core.faults, 'garbleNextResponse')) bytes = Buffer.concat([garble(bytes), NEWLINE]);
    flow.write(bytes);

    const limit = core.faults.logoutAfter;
    const session = connection.sessions.sessions.get(parsed.sessionKey);
    if (limit !== null && limit !== undefined && session?.user && session.answered >= limit) {
      pushForcedLogout(core, connection, parsed.sessionKey);
    }
  }
}

/** A client that invents a sessionId per document must not grow the table without end. */
function forgetOldSessions(scope: ConnectionSessions): void {
  if (scope.sessions.size <= maxSessionsPerConnection) return;
  for (const [id, session] of scope.sessions) {
    if (scope.sessions.size <= maxSessionsPerConnection / 2) break;
    if (!session.user) scope.sessions.delete(id);
  }
}

/** Sends an unsolicited LogoutRequest (`Open Client Server Forced Logout`) for one session and ends it. */
export function pushForcedLogout(core: MockCore, connection: StreamConnection, sessionId: string): boolean {
  const session = connection.sessions.sessions.get(sessionId);
  if (!session?.user) return false;
  const text = core.engine.forcedLogoutDocument(sessionId, session.user.userId);
  session.user = undefined;
  session.nonce = undefined;
  const bytes = encodeDocumentText(text, { lineFeed: true });
  if (connection.flow) connection.flow.write(bytes);
  else if (!connection.socket.destroyed) connection.socket.write(bytes);
  core.logger.info?.(`forced logout of session ${sessionId}`);
  return true;
}
