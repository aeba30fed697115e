/**
 * Loopback servers and documents shared by the transport tests. Every server listens on port 0
 * and is closed by the test that started it (closeAll destroys lingering sockets too).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import { OciDocumentSplitter, decodeDocumentText } from '../../runtime/oci/transport/framing.js';
import { nextLoopTurn } from '../support/wait.js';

/** A small OCI request document with a recognisable marker in its sessionId. */
export function ociRequest(marker: string, encoding = 'UTF-8'): string {
  return (
    `<?xml version="1.0" encoding="${encoding}"?>` +
    '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<sessionId xmlns="">${marker}</sessionId><command xmlns="" xsi:type="UserGetRequest22"><userId>u@example.com</userId></command>` +
    '</BroadsoftDocument>'
  );
}

/** A SuccessResponse in the §4.4 form (ISO-8859-1 declaration, newline after it). */
export function ociResponse(marker: string, encoding = 'ISO-8859-1'): string {
  return (
    `<?xml version="1.0" encoding="${encoding}"?>\n` +
    '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
    `  <sessionId xmlns="">${marker}</sessionId>\n` +
    '  <command echo="" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns=""/>\n' +
    '</BroadsoftDocument>'
  );
}

/** Server-initiated LogoutRequest (§4.7). */
export function serverLogout(marker: string): string {
  return (
    '<?xml version="1.0" encoding="ISO-8859-1"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<sessionId xmlns="">${marker}</sessionId><command xmlns="" xsi:type="LogoutRequest"><userId>u@example.com</userId>` +
    '<reason>Open Client Server Forced Logout</reason></command></BroadsoftDocument>'
  );
}

/** The sessionId text of a document (the tests' correlation marker). */
export function markerOf(document: string): string {
  return /<sessionId[^>]*>([^<]*)<\/sessionId>/.exec(document)?.[1] ?? '';
}

/** Tracks sockets so a test can tear a server down without waiting for keep-alive. */
export interface Closable {
  close(): Promise<void>;
}

function trackSockets(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

export interface OciServerConnection {
  socket: net.Socket;
  /** Writes raw bytes (use for hand-made framing). */
  write(bytes: Buffer | string): void;
}

export interface OciTestServer extends Closable {
  port: number;
  /** Every request document received, in order. */
  received: string[];
  /**
   * Highest number of requests seen outstanding (received, not yet answered) on one socket. Replies
   * are held until pending reads are done, so a client that does not wait for each reply shows up as > 1.
   */
  maxOutstanding: number;
  connections: number;
}

/**
 * An OCI-P loopback server (TCP, or TLS when `tlsOptions` is given). `onDocument` gets each request
 * document; what it returns (string) is sent back followed by `\n`; `undefined` sends nothing.
 */
export async function startOciServer(
  onDocument: (document: string, connection: OciServerConnection) => string | undefined | Promise<string | undefined>,
  tlsOptions?: tls.TlsOptions,
): Promise<OciTestServer> {
  const state = { received: [] as string[], maxOutstanding: 0, connections: 0 };
  const handle = (socket: net.Socket) => {
    state.connections++;
    const splitter = new OciDocumentSplitter();
    let outstanding = 0;
    const connection: OciServerConnection = { socket, write: (bytes) => socket.write(bytes) };
    socket.on('error', () => {});
    socket.on('data', async (chunk: Buffer) => {
      // Every document of the chunk is outstanding from the moment it arrived, not only the one being answered.
      const documents = splitter.push(chunk).map((bytes) => decodeDocumentText(bytes));
      state.received.push(...documents);
      outstanding += documents.length;
      state.maxOutstanding = Math.max(state.maxOutstanding, outstanding);
      for (const document of documents) {
        const reply = await onDocument(document, connection);
        // Answer after the poll phase: whatever the client wrote without waiting for this reply has been read by then.
        await nextLoopTurn();
        outstanding--;
        if (reply !== undefined && !socket.destroyed) socket.write(Buffer.concat([Buffer.from(reply, 'latin1'), Buffer.from('\n')]));
      }
    });
  };
  const server = tlsOptions === undefined ? net.createServer(handle) : tls.createServer(tlsOptions, handle);
  const closeAll = trackSockets(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get received() {
      return state.received;
    },
    get maxOutstanding() {
      return state.maxOutstanding;
    },
    get connections() {
      return state.connections;
    },
    close: closeAll,
  };
}

/** A TCP server that accepts and never says a word (a TLS handshake against it never completes). */
export async function startSilentServer(): Promise<Closable & { port: number }> {
  const server = net.createServer((socket) => socket.on('error', () => {}));
  const closeAll = trackSockets(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: closeAll };
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestCertificate {
  cert: string;
  key: string;
}

let certificate: Promise<TestCertificate> | undefined;
/** A self-signed certificate for `localhost` and 127.0.0.1 (EC, generated once per test file). */
export function localhostCertificate(): Promise<TestCertificate> {
  certificate ??= selfsigned
    .generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    })
    .then((pems) => ({ cert: pems.cert, key: pems.private }));
  return certificate;
}

export interface HttpTestServer extends Closable {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[];
}

/** An HTTP(S) server whose handler gets the fully read request body. */
export async function startHttpServer(
  handler: (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void | Promise<void>,
  tlsOptions?: https.ServerOptions,
): Promise<HttpTestServer> {
  const requests: HttpTestServer['requests'] = [];
  const listener = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      void Promise.resolve(handler(request, body, response)).catch(() => response.destroy());
    });
  };
  const server = tlsOptions === undefined ? http.createServer(listener) : https.createServer(tlsOptions, listener);
  const closeAll = trackSockets(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const scheme = tlsOptions === undefined ? 'http' : 'https';
  return { url: `${scheme}://127.0.0.1:${port}`, requests, close: closeAll };
}

/** Resolves with the rejection of `promise` (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; context?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; context?: Record<string, unknown> };
  }
  throw new Error('expected a rejection, but the promise resolved');
}
