import type { Socket } from 'node:net';
import { OciDocumentSplitter, encodeDocumentText } from '../../../oci/transport/framing.js';
import { garble, takeFault, takeLatency } from '../faults.js';
import { ConnectionSessions } from '../sessions.js';
import type { MockCore } from './core.js';

const NEWLINE = Buffer.from('\n');

/**
 * Serves one TCP or TLS connection: documents are cut with OciDocumentSplitter and answered
 * strictly in order (one response document per request document, each followed by `\n`),
 * with the injected faults applied per response.
 */
export function serveStreamConnection(core: MockCore, socket: Socket, transport: 'tcp' | 'tls'): void {
  // One response per request: Nagle's algorithm would only add latency to each round trip.
  socket.setNoDelay(true);
  const connection = { socket, sessions: new ConnectionSessions(transport) };
  core.connections.add(connection);
  const splitter = new OciDocumentSplitter();
  let queue: Promise<void> = Promise.resolve();
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  core.logger.debug?.(`${transport}: connection from ${peer}`);

  socket.on('data', (chunk: Buffer) => {
    let documents: Buffer[];
    try {
      documents = splitter.push(chunk);
    } catch (error) {
      core.logger.warn?.(`${transport}: closing ${peer}: ${(error as Error).message}`);
      socket.destroy();
      return;
    }
    for (const document of documents) {
      queue = queue
        .then(() => answer(document))
        .catch((error: unknown) => {
          core.logger.warn?.(`${transport}: failed to answer ${peer}: ${(error as Error).message}`);
          socket.destroy();
        });
    }
  });
  socket.on('error', (error) => core.logger.debug?.(`${transport}: ${peer}: ${error.message}`));
  socket.on('close', () => {
    core.connections.delete(connection);
    core.logger.debug?.(`${transport}: ${peer} closed`);
  });

  async function answer(document: Buffer): Promise<void> {
    const parsed = core.engine.parse(document);
    if (takeFault(core.faults, 'silence')) return;
    const latency = takeLatency(core.faults);
    if (latency > 0) await core.sleep(latency);
    if (socket.destroyed || core.closing) return;
    const text = await core.engine.executeAsync(parsed, connection.sessions);
    let bytes = Buffer.concat([encodeDocumentText(text), NEWLINE]);
    if (takeFault(core.faults, 'dropConnectionMidResponse')) {
      socket.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => socket.destroy());
      return;
    }
    if (takeFault(core.faults, 'garbleNextResponse')) bytes = Buffer.concat([garble(bytes), NEWLINE]);
    socket.write(bytes);

    const limit = core.faults.logoutAfter;
    const session = connection.sessions.sessions.get(parsed.sessionKey);
    if (limit !== null && limit !== undefined && session?.user && session.answered >= limit) {
      pushForcedLogout(core, connection, parsed.sessionKey);
    }
  }
}

/** Sends an unsolicited LogoutRequest (`Open Client Server Forced Logout`) for one session and ends it. */
export function pushForcedLogout(core: MockCore, connection: { socket: Socket; sessions: ConnectionSessions }, sessionId: string): boolean {
  const session = connection.sessions.sessions.get(sessionId);
  if (!session?.user) return false;
  const text = core.engine.forcedLogoutDocument(sessionId, session.user.userId);
  session.user = undefined;
  session.nonce = undefined;
  if (!connection.socket.destroyed) connection.socket.write(Buffer.concat([encodeDocumentText(text), NEWLINE]));
  core.logger.info?.(`forced logout of session ${sessionId}`);
  return true;
}
