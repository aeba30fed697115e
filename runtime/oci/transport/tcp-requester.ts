/**
 * OCI-P over a raw TCP or TLS socket (oci-protocol §4.5).
 *
 * State machine (`state`):
 *
 * ```text
 *            connect()/request()          TCP connected (+ TLS handshake done)
 *   idle ───────────────────────▶ connecting ──────────────────────────────▶ open
 *    ▲                               │ refused / DNS / TLS error / timeout    │
 *    └───────────────────────────────┘                                        │
 *    ▲   server closed, socket error, request timeout or abort (socket        │
 *    └────────────────────────────────  destroyed; 'close' emitted with error)┘
 *
 *   any state ── close() ──▶ closed (final; queued and in-flight requests get TH_ERR_OCI_TRANSPORT_CLOSED)
 * ```
 *
 * From `idle` the next `connect()` or `request()` opens a new socket. The OCI session does not
 * survive a new socket: the client listens to 'close' and logs in again.
 *
 * Each request writes the encoded document plus `\n`; replies are cut by OciDocumentSplitter and
 * decoded by their own XML declaration. After a request timeout the socket is destroyed, because
 * a late answer would be taken as the reply to the next request.
 */
import net from 'node:net';
import tls from 'node:tls';
import { OciConnectError, OciConnectionLostError, OciConnectTimeoutError, OciTlsError, OciTransportClosedError, OciTransportError } from './errors.js';
import { decodeDocumentText, encodeDocumentText, OciDocumentSplitter } from './framing.js';
import { type ExchangeControl, QueuedRequester } from './queued-requester.js';
import type { RequesterEndpoint, RequesterOptions } from './contract.js';

/** Lifecycle states of a TCP/TLS requester (see the module comment). */
export type TcpRequesterState = 'idle' | 'connecting' | 'open' | 'closed';

/** Error codes OpenSSL / Node use for certificate problems (the TCP part worked). */
const TLS_ERROR_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_|ERR_OSSL_)/;

interface PendingReply {
  resolve(document: string): void;
  reject(error: Error): void;
}

export class TcpRequester extends QueuedRequester {
  readonly kind: 'tcp' | 'tls';
  private stateValue: TcpRequesterState = 'idle';
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private connectingSocket: net.Socket | undefined;
  private pending: PendingReply | undefined;
  private readonly splitter: OciDocumentSplitter;
  private readonly insecure: boolean;

  constructor(
    url: string,
    private readonly endpoint: RequesterEndpoint,
    options: RequesterOptions,
  ) {
    super(url, options);
    this.kind = endpoint.kind === 'tls' ? 'tls' : 'tcp';
    this.splitter = new OciDocumentSplitter({ maxDocumentBytes: options.maxDocumentBytes });
    this.insecure = options.allowInsecureTls === true || options.tls?.rejectUnauthorized === false;
  }

  /** Current lifecycle state. */
  get state(): TcpRequesterState {
    return this.stateValue;
  }

  get connected(): boolean {
    return this.stateValue === 'open';
  }

  async connect(): Promise<void> {
    await this.openSocket();
  }

  resetSession(): void {
    // The OCI session of a TCP connection lives in its sessionId; nothing to drop here.
  }

  protected async exchange(document: string, control: ExchangeControl): Promise<string> {
    // Encode before connecting: a document that cannot be encoded never touches the wire.
    // The line feed that ends the frame is written into the same Buffer (no second string or Buffer).
    const bytes = encodeDocumentText(document, { lineFeed: true });
    control.onAbort((abortReason) => {
      // Timeout, caller abort or close: the reply may still come and would desynchronise the
      // stream, so the socket goes now (synchronously, before the next request can pick it up).
      const reason = abortReason instanceof OciTransportError ? abortReason : new OciConnectionLostError(this.url, abortReason);
      if (this.connectingSocket !== undefined) this.connectingSocket.destroy(reason);
      else if (this.socket !== undefined) this.dropSocket(this.socket, reason);
    });
    let reply: PendingReply | undefined;
    try {
      let socket = await this.openSocket();
      // The socket may have dropped between connecting and now; nothing was sent, so one fresh
      // connection is safe (a request that was written is never resent).
      if (this.socket !== socket) socket = await this.openSocket();
      control.throwIfAborted();
      return await new Promise<string>((resolve, reject) => {
        reply = { resolve, reject };
        this.pending = reply;
        this.logger.debug?.('OCI-P request sent', { url: this.url, bytes: bytes.length });
        socket.write(bytes, (error) => {
          if (error) reject(new OciConnectionLostError(this.url, error));
        });
      });
    } finally {
      if (this.pending === reply) this.pending = undefined;
      control.onAbort(undefined);
    }
  }

  protected async shutdown(): Promise<void> {
    this.stateValue = 'closed';
    this.connectingSocket?.destroy();
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => socket.destroy(), 1000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      socket.end();
    });
  }

  /** Resolves with the open socket, sharing one connect attempt between concurrent callers. */
  private openSocket(): Promise<net.Socket> {
    if (this.stateValue === 'closed') return Promise.reject(new OciTransportClosedError(this.url));
    if (this.stateValue === 'open' && this.socket !== undefined) return Promise.resolve(this.socket);
    this.connecting ??= this.dial().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private dial(): Promise<net.Socket> {
    this.stateValue = 'connecting';
    const { host, port } = this.endpoint;
    const tlsOptions = this.options.tls ?? {};
    this.logger.debug?.('OCI-P connecting', { url: this.url, host, port, tls: this.kind === 'tls' });

    return new Promise<net.Socket>((resolve, reject) => {
      const socket =
        this.kind === 'tls'
          ? tls.connect({
              host,
              port,
              servername: tlsOptions.servername ?? (net.isIP(host) === 0 ? host : undefined),
              rejectUnauthorized: !this.insecure,
              ca: tlsOptions.ca,
              cert: tlsOptions.cert,
              key: tlsOptions.key,
            })
          : net.connect({ host, port });
      this.connectingSocket = socket;
      let tcpConnected = false;

      const finish = (error?: Error) => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        this.connectingSocket = undefined;
        if (error !== undefined) {
          socket.destroy();
          if (this.stateValue === 'connecting') this.stateValue = 'idle';
          this.logger.debug?.('OCI-P connect failed', { url: this.url, code: (error as OciTransportError).code });
          reject(error);
          return;
        }
        if (this.stateValue === 'closed') {
          socket.destroy();
          reject(new OciTransportClosedError(this.url));
          return;
        }
        this.adopt(socket);
        resolve(socket);
      };
      const classify = (error: Error): Error => {
        if (error instanceof OciTransportError) return error;
        if (this.stateValue === 'closed') return new OciTransportClosedError(this.url);
        const code = (error as { code?: unknown }).code;
        const tlsProblem = this.kind === 'tls' && (tcpConnected || (typeof code === 'string' && TLS_ERROR_CODE.test(code)));
        return tlsProblem ? new OciTlsError(this.url, error) : new OciConnectError(this.url, error);
      };
      const onError = (error: Error) => finish(classify(error));
      const onClose = () => finish(classify(new Error('socket closed before the connection was established')));
      const timer = setTimeout(() => {
        const phase = this.kind === 'tls' && tcpConnected ? 'tls-handshake' : 'connect';
        finish(new OciConnectTimeoutError(this.url, phase, this.connectTimeoutMs));
      }, this.connectTimeoutMs);

      socket.on('error', onError);
      socket.on('close', onClose);
      socket.once('connect', () => {
        tcpConnected = true;
        if (this.kind === 'tcp') finish();
      });
      if (socket instanceof tls.TLSSocket) socket.once('secureConnect', () => finish());
    });
  }

  /** Wires an established socket: framing, unsolicited routing, loss detection. */
  private adopt(socket: net.Socket): void {
    this.stateValue = 'open';
    this.socket = socket;
    this.splitter.reset();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000); // long-lived sessions: notice a dead peer eventually
    if (socket instanceof tls.TLSSocket && this.insecure) {
      this.logger.warn?.('TLS certificate verification is disabled (allowInsecureTls); the server identity is not checked', {
        url: this.url,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError === null ? undefined : String(socket.authorizationError),
      });
    }
    this.logger.debug?.('OCI-P connected', { url: this.url });

    let lastError: Error | undefined;
    socket.on('data', (chunk: Buffer) => {
      let documents: Buffer[];
      try {
        documents = this.splitter.push(chunk);
      } catch (error) {
        // Frame too large: the stream cannot be trusted any more.
        this.dropSocket(socket, error instanceof OciTransportError ? error : new OciConnectionLostError(this.url, error));
        return;
      }
      for (const bytes of documents) this.receive(bytes);
    });
    socket.on('error', (error: Error) => {
      lastError = error;
    });
    socket.on('close', () => this.dropSocket(socket, new OciConnectionLostError(this.url, lastError)));
  }

  /**
   * Forgets `socket` (once): back to idle, the pending request rejected with `error`, 'close'
   * emitted unless the requester itself is closing. Synchronous, so no request can be written to
   * a socket that is on its way out.
   */
  private dropSocket(socket: net.Socket, error: OciTransportError): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.splitter.reset();
    const userClosed = this.closed || this.stateValue === 'closed';
    if (!userClosed) this.stateValue = 'idle';
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
    socket.destroy();
    if (!userClosed) {
      this.logger.info?.('OCI-P connection closed', { url: this.url, code: error.code });
      this.safeEmit('close', error);
    }
  }

  /** Routes one received document: to the pending request, or out as 'unsolicited'. */
  private receive(bytes: Buffer): void {
    let document: string;
    try {
      document = decodeDocumentText(bytes);
    } catch (error) {
      // Undecodable: fail the pending request but keep the (still synchronised) stream.
      if (this.pending !== undefined) this.pending.reject(error as Error);
      else this.logger.warn?.('OCI-P undecodable document from the server dropped', { url: this.url, error });
      this.pending = undefined;
      return;
    }
    let kind: 'response' | 'unsolicited' = 'response';
    if (this.options.classify !== undefined) {
      try {
        kind = this.options.classify(document);
      } catch (error) {
        this.logger.warn?.('OCI-P classify() threw; document taken as a response', { url: this.url, error });
      }
    }
    if (kind === 'response' && this.pending !== undefined) {
      const pending = this.pending;
      this.pending = undefined;
      this.logger.debug?.('OCI-P response received', { url: this.url, bytes: bytes.length });
      pending.resolve(document);
      return;
    }
    // Server-initiated, or nothing was asked: never taken as a reply.
    this.logger.debug?.('OCI-P unsolicited document', { url: this.url, bytes: bytes.length });
    this.safeEmit('unsolicited', document);
  }
}
