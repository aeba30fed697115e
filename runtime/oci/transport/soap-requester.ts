/**
 * OCI-P over the BroadWorks provisioning web service (SOAP 1.1, oci-protocol §4.9), on undici.
 *
 * Each request POSTs `processOCIMessage/arg0` with `Content-Type: text/xml; charset=utf-8` and
 * `SOAPAction: ""`. The login lives in the JSESSIONID cookie, so every requester keeps its own
 * cookie jar (filled from Set-Cookie, sent back on each request) until `resetSession()`. Faults
 * are read from the body before any HTTP status is judged, because SOAP 1.1 sends them with 500.
 * Requests are serialised like on TCP: the server session is not meant for concurrent calls.
 */
import { Agent } from 'undici';
import {
  OciConnectError,
  OciConnectionLostError,
  OciConnectTimeoutError,
  OciFrameTooLargeError,
  OciHttpError,
  OciSoapFaultError,
  OciTlsError,
  OciTransportClosedError,
  OciTransportError,
} from './errors.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './framing.js';
import { type ExchangeControl, QueuedRequester } from './queued-requester.js';
import type { RequesterEndpoint, RequesterOptions } from './contract.js';
import { unwrapSoapResponse, wrapSoapRequest } from './soap-envelope.js';

const TLS_ERROR_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_|ERR_OSSL_)/;
const CONNECT_ERROR_CODE = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$/;
/** Escaping can blow text up (`"` → `&quot;`): the envelope limit is a multiple of the document limit. */
const ENVELOPE_SIZE_FACTOR = 6;

export class SoapRequester extends QueuedRequester {
  readonly kind = 'soap' as const;
  private readonly serviceUrl: URL;
  private readonly agent: Agent;
  private readonly maxEnvelopeBytes: number;
  /** Cookie name → value; holds JSESSIONID once the server has set it. */
  private readonly cookies = new Map<string, string>();

  constructor(url: string, endpoint: RequesterEndpoint, options: RequesterOptions) {
    super(url, options);
    if (endpoint.serviceUrl === undefined) throw new Error('SoapRequester needs an http(s) endpoint');
    this.serviceUrl = endpoint.serviceUrl;
    this.maxEnvelopeBytes = (options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES) * ENVELOPE_SIZE_FACTOR;
    const insecure = options.allowInsecureTls === true || options.tls?.rejectUnauthorized === false;
    const tlsOptions = options.tls ?? {};
    this.agent = new Agent({
      connect: {
        timeout: this.connectTimeoutMs,
        rejectUnauthorized: !insecure,
        ca: tlsOptions.ca,
        cert: tlsOptions.cert,
        key: tlsOptions.key,
        ...(tlsOptions.servername === undefined ? {} : { servername: tlsOptions.servername }),
      },
      // Our own per-request timer covers headers and body.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    if (insecure && this.serviceUrl.protocol === 'https:') {
      this.logger.warn?.('TLS certificate verification is disabled (allowInsecureTls); the server identity is not checked', {
        url,
      });
    }
  }

  /** SOAP has no connection to open; true until `close()`. */
  get connected(): boolean {
    return !this.closed;
  }

  async connect(): Promise<void> {
    if (this.closed) throw new OciTransportClosedError(this.url);
  }

  resetSession(): void {
    this.cookies.clear();
    this.logger.debug?.('OCI-P SOAP cookie jar cleared', { url: this.url });
  }

  /** The cookie header value currently sent (for diagnostics and tests). */
  get cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  protected async exchange(document: string, control: ExchangeControl): Promise<string> {
    const envelope = Buffer.from(wrapSoapRequest(document), 'utf8');
    const headers: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '""',
      accept: 'text/xml',
    };
    const cookie = this.cookieHeader;
    if (cookie !== undefined) headers.cookie = cookie;

    let status: number;
    let body: Buffer;
    try {
      const response = await this.agent.request({
        origin: this.serviceUrl.origin,
        path: `${this.serviceUrl.pathname}${this.serviceUrl.search}`,
        method: 'POST',
        headers,
        body: envelope,
        signal: control.signal,
      });
      status = response.statusCode;
      this.storeCookies(response.headers['set-cookie']);
      body = await this.readBody(response.body);
    } catch (error) {
      throw this.mapError(error);
    }
    this.logger.debug?.('OCI-P SOAP response', { url: this.url, status, bytes: body.length });

    if (status >= 200 && status < 300) {
      const reply = unwrapSoapResponse(body);
      if (reply.kind === 'fault') throw new OciSoapFaultError(this.url, reply, status);
      return reply.document;
    }
    // SOAP 1.1: a Fault comes with HTTP 500; look for one before calling it an HTTP error.
    let reply: ReturnType<typeof unwrapSoapResponse> | undefined;
    try {
      reply = unwrapSoapResponse(body);
    } catch {
      reply = undefined;
    }
    if (reply?.kind === 'fault') throw new OciSoapFaultError(this.url, reply, status);
    throw new OciHttpError(this.url, status, body.toString('utf8', 0, Math.min(body.length, 300)));
  }

  protected async shutdown(): Promise<void> {
    await this.agent.destroy();
  }

  private async readBody(stream: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > this.maxEnvelopeBytes) {
        stream.destroy();
        throw new OciFrameTooLargeError(this.maxEnvelopeBytes, total, this.url);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  /** Keeps name=value of each Set-Cookie; a cookie set to expire is removed. */
  private storeCookies(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', raw = ''] = attribute.split('=');
        const lower = key.trim().toLowerCase();
        if (lower === 'max-age') return Number(raw.trim()) <= 0;
        if (lower === 'expires') return Date.parse(raw.trim()) <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Maps undici / socket errors to the transport error catalogue. */
  private mapError(error: unknown): Error {
    if (error instanceof OciTransportError) return error;
    if (this.closed) return new OciTransportClosedError(this.url);
    const code = findCode(error);
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new OciConnectTimeoutError(this.url, 'connect', this.connectTimeoutMs);
    if (code !== undefined && TLS_ERROR_CODE.test(code)) return new OciTlsError(this.url, error);
    if (code !== undefined && CONNECT_ERROR_CODE.test(code)) return new OciConnectError(this.url, error);
    return new OciConnectionLostError(this.url, error);
  }
}

/** The first string `code` along the error's cause chain. */
function findCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (typeof code === 'string') return findCode((current as { cause?: unknown }).cause) ?? code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
