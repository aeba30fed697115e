/**
 * Errors raised by the OCI-P transports (TCP, TLS, SOAP). Every error carries a stable
 * `code` and a `context` with at least the requester `url` and the `phase` it failed in,
 * so callers (and the retry / re-login logic of the client) match on `code`, never on text.
 */
import { ThorsHammerError } from '../../errors.js';

/** Phases a transport error can name in its context. */
export type TransportPhase =
  | 'parse-url'
  | 'options'
  | 'connect'
  | 'tls-handshake'
  | 'write'
  | 'response'
  | 'framing'
  | 'decode'
  | 'encode'
  | 'http'
  | 'soap-body'
  | 'close';

/** Context common to every transport error. */
export interface TransportErrorContext extends Record<string, unknown> {
  url?: string;
  phase: TransportPhase;
}

/** Every stable code this module raises (also the error catalogue of docs/oci-transport.md). */
export const OciTransportErrorCode = {
  url: 'TH_ERR_OCI_TRANSPORT_URL',
  argument: 'TH_ERR_OCI_TRANSPORT_ARGUMENT',
  connect: 'TH_ERR_OCI_CONNECT',
  connectTimeout: 'TH_ERR_OCI_CONNECT_TIMEOUT',
  tls: 'TH_ERR_OCI_TLS',
  timeout: 'TH_ERR_OCI_TIMEOUT',
  aborted: 'TH_ERR_OCI_TRANSPORT_ABORTED',
  connectionLost: 'TH_ERR_OCI_CONNECTION_LOST',
  closed: 'TH_ERR_OCI_TRANSPORT_CLOSED',
  frameTooLarge: 'TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE',
  unterminated: 'TH_ERR_OCI_TRANSPORT_UNTERMINATED',
  encoding: 'TH_ERR_OCI_TRANSPORT_ENCODING',
  soapFault: 'TH_ERR_OCI_SOAP_FAULT',
  soapBody: 'TH_ERR_OCI_SOAP_BODY',
  http: 'TH_ERR_OCI_HTTP',
} as const;

export type OciTransportErrorCode = (typeof OciTransportErrorCode)[keyof typeof OciTransportErrorCode];

/** Base class of all transport errors; `context.phase` names where it happened. */
export class OciTransportError extends ThorsHammerError {
  declare readonly context: TransportErrorContext;
  constructor(code: OciTransportErrorCode, message: string, context: TransportErrorContext, cause?: unknown) {
    super(code, message, { context, cause });
  }
}

/** The requester URL is not tcp://, tls://, http:// or https:// (or is malformed). */
export class OciUrlError extends OciTransportError {
  constructor(url: string, reason: string) {
    super(OciTransportErrorCode.url, `Invalid OCI-P URL "${url}": ${reason}`, { url, phase: 'parse-url' });
  }
}

/** Connection refused, DNS failure, or any other socket error while connecting. */
export class OciConnectError extends OciTransportError {
  constructor(url: string, cause: unknown) {
    const reason = describeCause(cause);
    super(OciTransportErrorCode.connect, `Cannot connect to ${url}: ${reason}`, { url, phase: 'connect', reason }, cause);
  }
}

/** The TCP connect or the TLS handshake did not finish within the connect timeout. */
export class OciConnectTimeoutError extends OciTransportError {
  constructor(url: string, phase: 'connect' | 'tls-handshake', thresholdMs: number) {
    const what = phase === 'connect' ? `Connecting to ${url}` : `TLS handshake with ${url}`;
    super(OciTransportErrorCode.connectTimeout, `${what} timed out after ${thresholdMs} ms (connectTimeoutMs)`, {
      url,
      phase,
      thresholdMs,
    });
  }
}

/** TLS failure: untrusted, self-signed or expired certificate, hostname mismatch, protocol error. */
export class OciTlsError extends OciTransportError {
  constructor(url: string, cause: unknown) {
    const reason = describeCause(cause);
    const tlsCode = (cause as { code?: unknown } | undefined)?.code;
    super(
      OciTransportErrorCode.tls,
      `TLS connection to ${url} failed: ${reason}. Give the server's CA with tls.ca, or, only for a server you trust, ` +
        'set allowInsecureTls: true to skip certificate verification',
      { url, phase: 'tls-handshake', reason, tlsCode: typeof tlsCode === 'string' ? tlsCode : undefined },
      cause,
    );
  }
}

/** No response within the per-request timeout. On TCP/TLS the socket has been destroyed. */
export class OciTimeoutError extends OciTransportError {
  constructor(url: string, thresholdMs: number) {
    super(OciTransportErrorCode.timeout, `No OCI-P response from ${url} within ${thresholdMs} ms (requestTimeoutMs)`, {
      url,
      phase: 'response',
      thresholdMs,
    });
  }
}

/** The caller's AbortSignal fired before the response arrived. */
export class OciAbortedError extends OciTransportError {
  constructor(url: string, reason: unknown) {
    super(OciTransportErrorCode.aborted, `OCI-P request to ${url} was aborted`, { url, phase: 'response' }, reason);
  }
}

/** The connection closed or failed while a request was waiting for its response. Never resent. */
export class OciConnectionLostError extends OciTransportError {
  constructor(url: string, cause?: unknown) {
    const reason = cause === undefined ? 'the server closed the connection' : describeCause(cause);
    super(
      OciTransportErrorCode.connectionLost,
      `Connection to ${url} lost while waiting for a response (${reason}); the request was not resent`,
      { url, phase: 'response', reason },
      cause,
    );
  }
}

/** The requester was closed; queued and in-flight requests are rejected with this. */
export class OciTransportClosedError extends OciTransportError {
  constructor(url: string) {
    super(OciTransportErrorCode.closed, `Requester for ${url} is closed`, { url, phase: 'close' });
  }
}

/** A received document (or the unfinished remainder) exceeded `maxDocumentBytes`. */
export class OciFrameTooLargeError extends OciTransportError {
  constructor(maxDocumentBytes: number, seenBytes: number, url?: string) {
    super(OciTransportErrorCode.frameTooLarge, `OCI-P document exceeds the ${maxDocumentBytes}-byte limit (${seenBytes} bytes without </BroadsoftDocument>)`, {
      url,
      phase: 'framing',
      maxDocumentBytes,
      seenBytes,
    });
  }
}

/** The document declares an encoding this runtime cannot decode or encode. */
export class OciEncodingError extends OciTransportError {
  constructor(encoding: string, phase: 'decode' | 'encode', detail?: string) {
    super(OciTransportErrorCode.encoding, detail ?? `Unsupported XML encoding "${encoding}" in the OCI-P document declaration`, {
      phase,
      encoding,
    });
  }
}

/** Details of a SOAP Fault as sent by the server. */
export interface SoapFaultDetails {
  faultcode: string;
  faultstring: string;
  detail?: string;
}

/**
 * A SOAP Fault from the provisioning web service. `retryable` is true for NO_OCS_CONNECTION
 * (the web server lost its OCS link; retry later); `notLoggedIn` is true for INVALID_REQUEST
 * "… before user is logged in" (log in again with a fresh cookie jar).
 */
export class OciSoapFaultError extends OciTransportError {
  readonly faultcode: string;
  readonly faultstring: string;
  readonly detail?: string;
  readonly retryable: boolean;
  readonly notLoggedIn: boolean;
  readonly status?: number;

  constructor(url: string, fault: SoapFaultDetails, status?: number) {
    const retryable = fault.faultstring.trim() === 'NO_OCS_CONNECTION';
    const notLoggedIn = fault.faultstring.trim() === 'INVALID_REQUEST' && /\blogged\s+in\b/i.test(`${fault.detail ?? ''} ${fault.faultstring}`);
    super(OciTransportErrorCode.soapFault, `SOAP fault from ${url}: ${fault.faultstring}${fault.detail ? ` (${fault.detail})` : ''} [${fault.faultcode}]`, {
      url,
      phase: 'http',
      status,
      ...fault,
      retryable,
      notLoggedIn,
    });
    this.faultcode = fault.faultcode;
    this.faultstring = fault.faultstring;
    this.detail = fault.detail;
    this.retryable = retryable;
    this.notLoggedIn = notLoggedIn;
    this.status = status;
  }
}

/** The SOAP body is not a usable envelope (no processOCIMessageReturn, empty return, bad XML). */
export class OciSoapBodyError extends OciTransportError {
  constructor(reason: string, url?: string, extra: Record<string, unknown> = {}) {
    super(OciTransportErrorCode.soapBody, `Bad SOAP body${url ? ` from ${url}` : ''}: ${reason}`, {
      url,
      phase: 'soap-body',
      reason,
      ...extra,
    });
  }
}

/** HTTP non-2xx status whose body carried no SOAP Fault. */
export class OciHttpError extends OciTransportError {
  readonly status: number;
  constructor(url: string, status: number, bodySnippet: string) {
    super(OciTransportErrorCode.http, `HTTP ${status} from ${url} without a SOAP fault`, {
      url,
      phase: 'http',
      status,
      bodySnippet,
    });
    this.status = status;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

/**
 * A comment, CDATA section or processing instruction left open for more than
 * `maxUnterminatedBytes` (OciDocumentSplitter): the stream is not OCI-P any more; drop it.
 */
export class OciUnterminatedMarkupError extends OciTransportError {
  constructor(construct: 'comment' | 'cdata' | 'pi', limit: number, offset: number) {
    const name = construct === 'cdata' ? 'CDATA section' : construct === 'pi' ? 'processing instruction' : 'comment';
    super(OciTransportErrorCode.unterminated, `unterminated ${name}: more than ${limit} bytes without its end (limit maxUnterminatedBytes)`, {
      phase: 'framing',
      construct,
      limit,
      offset,
    });
  }
}
