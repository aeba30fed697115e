/**
 * The transport contract of the OCI-P client: a `Requester` moves one OCI document (text) to the
 * server and returns the response document (text). It never parses OCI commands; the codec does.
 *
 * `createRequester(url)` picks the transport from the URL scheme:
 * - `tcp://host[:2208]`: plain TCP (oci-protocol §4.5);
 * - `tls://host[:2209]`: TLS with certificate and hostname verification (SNI);
 * - `https://host[/path]` (or `http://` for tests and the mock): SOAP to the provisioning web
 *   service, path `/webservice/services/ProvisioningService` unless the URL names one (§4.9).
 */
import { DEFAULT_SOAP_PATH, DEFAULT_TCP_PORT, DEFAULT_TLS_PORT } from './defaults.js';
import { OciUrlError } from './errors.js';
import { SoapRequester } from './soap-requester.js';
import { TcpRequester } from './tcp-requester.js';

export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SOAP_PATH,
  DEFAULT_TCP_PORT,
  DEFAULT_TLS_PORT,
} from './defaults.js';

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

/**
 * Parses and checks a requester URL.
 * @throws OciUrlError for anything but tcp://, tls://, http:// and https:// with a host.
 */
export function parseRequesterUrl(url: string, soapPath: string = DEFAULT_SOAP_PATH): RequesterEndpoint {
  if (typeof url !== 'string' || url.trim() === '') throw new OciUrlError(String(url), 'expected a non-empty URL string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OciUrlError(url, 'not a valid URL (expected tcp://host:2208, tls://host:2209 or https://host/…)');
  }
  // WHATWG URL keeps [brackets] around IPv6 hosts; sockets want them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new OciUrlError(url, 'missing host');
  if (parsed.username !== '' || parsed.password !== '') {
    throw new OciUrlError(url, 'credentials do not belong in the URL; the client logs in with OCI-P');
  }
  switch (parsed.protocol) {
    case 'tcp:':
    case 'tls:': {
      const kind = parsed.protocol === 'tcp:' ? 'tcp' : 'tls';
      const port = parsed.port === '' ? (kind === 'tcp' ? DEFAULT_TCP_PORT : DEFAULT_TLS_PORT) : Number(parsed.port);
      if (parsed.pathname !== '' && parsed.pathname !== '/') throw new OciUrlError(url, `${kind}:// URLs take no path`);
      return { kind, host, port };
    }
    case 'http:':
    case 'https:': {
      const serviceUrl = new URL(parsed.href);
      if (serviceUrl.pathname === '' || serviceUrl.pathname === '/') serviceUrl.pathname = soapPath;
      const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
      return { kind: 'soap', host, port, serviceUrl };
    }
    default:
      throw new OciUrlError(url, `unsupported scheme "${parsed.protocol}" (use tcp://, tls://, https:// or http://)`);
  }
}

/**
 * Creates the requester for `url` (nothing is opened until `connect` or the first `request`).
 * @throws OciUrlError for an unsupported or malformed URL.
 */
export function createRequester(url: string, options: RequesterOptions = {}): Requester {
  const endpoint = parseRequesterUrl(url, options.soapPath ?? DEFAULT_SOAP_PATH);
  return endpoint.kind === 'soap' ? new SoapRequester(url, endpoint, options) : new TcpRequester(url, endpoint, options);
}
