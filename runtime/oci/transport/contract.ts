/**
 * The types of the transport contract (requester.ts documents it). Kept apart from
 * `createRequester`, which imports the requesters, so that the requesters can import these
 * types without an import cycle.
 */

/** Per-call options of {@link Requester.request}. */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs` for this call. Counted from the moment the request leaves the queue. */
  timeoutMs?: number;
  /** Aborts the call: removed from the queue, or (in flight on TCP/TLS) the socket is destroyed. */
  signal?: AbortSignal;
}

/**
 * One connection's worth of OCI-P document exchange. One document is in flight at a time;
 * concurrent `request` calls queue in FIFO order.
 */
export interface Requester {
  /** The URL given to {@link createRequester}. */
  readonly url: string;
  readonly kind: 'tcp' | 'tls' | 'soap';
  /** TCP/TLS: a socket is open. SOAP: the requester has not been closed. */
  readonly connected: boolean;
  /** Idempotent. TCP/TLS opens the socket (connect timeout covers TCP connect + TLS handshake); SOAP: no-op. */
  connect(): Promise<void>;
  /** Sends one document and resolves with the response document text (connecting first if needed). */
  request(document: string, options?: RequestOptions): Promise<string>;
  /** SOAP: drops the cookie jar, so the next request starts a fresh JSESSIONID. TCP/TLS: no-op. */
  resetSession(): void;
  /** Idempotent. Rejects queued and in-flight requests with TH_ERR_OCI_TRANSPORT_CLOSED. */
  close(): Promise<void>;
  /** Server-initiated documents (TCP/TLS), e.g. a LogoutRequest, as decided by `classify`. */
  on(event: 'unsolicited', listener: (document: string) => void): this;
  /** The connection was lost (with the error) or the requester was closed (no error). */
  on(event: 'close', listener: (error?: Error) => void): this;
}

/** Logging hooks; every method is optional. */
export interface TransportLogger {
  debug?(msg: string, data?: object): void;
  info?(msg: string, data?: object): void;
  warn?(msg: string, data?: object): void;
}

/** TLS settings for `tls://` and `https://`. */
export interface RequesterTlsOptions {
  /** Verify the server certificate (default true). `false` acts like `allowInsecureTls`. */
  rejectUnauthorized?: boolean;
  /** Trusted CA certificate(s) in PEM, e.g. the server's own self-signed certificate. */
  ca?: string | Buffer | (string | Buffer)[];
  /** SNI and verification name; defaults to the URL host unless it is an IP address. */
  servername?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** Options of {@link createRequester}. */
export interface RequesterOptions {
  /** TCP connect plus TLS handshake limit (default 8000 ms). */
  connectTimeoutMs?: number;
  /** Per-request limit (default 30000 ms). On TCP/TLS a timeout destroys the socket. */
  requestTimeoutMs?: number;
  tls?: RequesterTlsOptions;
  /** Explicit opt-out of certificate verification (self-signed/expired/mismatched); logs a warning. */
  allowInsecureTls?: boolean;
  /**
   * TCP/TLS: called for every received document. 'unsolicited' documents (a server LogoutRequest)
   * are emitted as 'unsolicited' instead of being taken as the pending reply. Default: all 'response'.
   */
  classify?: (document: string) => 'response' | 'unsolicited';
  logger?: TransportLogger;
  /** SOAP path when the URL has none (default /webservice/services/ProvisioningService). */
  soapPath?: string;
  /** TCP/TLS: largest accepted response document in bytes (default 64 MiB). */
  maxDocumentBytes?: number;
}

/** A parsed requester URL. */
export interface RequesterEndpoint {
  kind: 'tcp' | 'tls' | 'soap';
  host: string;
  port: number;
  /** SOAP only: full URL of the web service. */
  serviceUrl?: URL;
}
