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
import type { Requester, RequesterEndpoint, RequesterOptions } from './contract.js';
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

export type { RequestOptions, Requester, RequesterEndpoint, RequesterOptions, RequesterTlsOptions, TransportLogger } from './contract.js';

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
