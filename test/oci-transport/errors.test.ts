import { readFileSync } from 'node:fs';
import { isThorsHammerError, ThorsHammerError } from '../../runtime/errors.js';
import {
  OciAbortedError,
  OciConnectError,
  OciConnectionLostError,
  OciConnectTimeoutError,
  OciEncodingError,
  OciFrameTooLargeError,
  OciHttpError,
  OciSoapBodyError,
  OciSoapFaultError,
  OciTimeoutError,
  OciTlsError,
  OciTransportClosedError,
  OciTransportErrorCode,
  OciUnterminatedMarkupError,
  OciUrlError,
} from '../../runtime/oci/transport/errors.js';
import { projectRoot } from '../../runtime/paths.js';

const url = 'tls://as.example.com:2209';

describe('transport error catalogue', () => {
  const samples: [string, ThorsHammerError][] = [
    ['TH_ERR_OCI_TRANSPORT_URL', new OciUrlError('ftp://x', 'unsupported scheme')],
    ['TH_ERR_OCI_CONNECT', new OciConnectError(url, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))],
    ['TH_ERR_OCI_CONNECT_TIMEOUT', new OciConnectTimeoutError(url, 'tls-handshake', 8000)],
    ['TH_ERR_OCI_TLS', new OciTlsError(url, Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }))],
    ['TH_ERR_OCI_TIMEOUT', new OciTimeoutError(url, 30000)],
    ['TH_ERR_OCI_TRANSPORT_ABORTED', new OciAbortedError(url, 'user')],
    ['TH_ERR_OCI_CONNECTION_LOST', new OciConnectionLostError(url)],
    ['TH_ERR_OCI_TRANSPORT_CLOSED', new OciTransportClosedError(url)],
    ['TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE', new OciFrameTooLargeError(100, 101, url)],
    ['TH_ERR_OCI_TRANSPORT_ENCODING', new OciEncodingError('UTF-16', 'decode')],
    ['TH_ERR_OCI_TRANSPORT_UNTERMINATED', new OciUnterminatedMarkupError('cdata', 1024, 17)],
    ['TH_ERR_OCI_SOAP_FAULT', new OciSoapFaultError(url, { faultcode: 'soapenv:Server', faultstring: 'NO_OCS_CONNECTION' }, 500)],
    ['TH_ERR_OCI_HTTP', new OciHttpError(url, 502, '<html>')],
    ['TH_ERR_OCI_SOAP_BODY', new OciSoapBodyError('empty processOCIMessageReturn', url)],
  ];

  test.each(samples)('%s is a branded ThorsHammerError with a phase and a clear message', (code, error) => {
    expect(error.code).toBe(code);
    expect(isThorsHammerError(error)).toBe(true);
    expect(error).toBeInstanceOf(ThorsHammerError);
    expect(typeof error.context.phase).toBe('string');
    expect(error.message.length).toBeGreaterThan(15);
    expect(error.name).toMatch(/^Oci\w+Error$/);
  });

  test('the TLS error names the cause and the allowInsecureTls opt-out; the timeout names phase and threshold', () => {
    const tls = samples.find(([code]) => code === 'TH_ERR_OCI_TLS')![1];
    expect(tls.message).toContain('CERT_HAS_EXPIRED');
    expect(tls.message).toContain('allowInsecureTls');
    expect(tls.context).toMatchObject({ url, phase: 'tls-handshake', tlsCode: 'CERT_HAS_EXPIRED' });
    const timeout = samples.find(([code]) => code === 'TH_ERR_OCI_CONNECT_TIMEOUT')![1];
    expect(timeout.message).toContain('TLS handshake');
    expect(timeout.message).toContain('8000 ms');
  });

  test('fault flags: NO_OCS_CONNECTION retryable, INVALID_REQUEST before login means notLoggedIn', () => {
    const busy = new OciSoapFaultError(url, { faultcode: 'soapenv:Server', faultstring: 'NO_OCS_CONNECTION' });
    expect([busy.retryable, busy.notLoggedIn]).toEqual([true, false]);
    const login = new OciSoapFaultError(url, {
      faultcode: 'soapenv:Server.generalException',
      faultstring: 'INVALID_REQUEST',
      detail: 'Cannot process any request before user is logged in.',
    });
    expect([login.retryable, login.notLoggedIn]).toEqual([false, true]);
    const other = new OciSoapFaultError(url, { faultcode: 'soapenv:Server', faultstring: 'INVALID_REQUEST', detail: 'bad document' });
    expect([other.retryable, other.notLoggedIn]).toEqual([false, false]);
  });

  test('every code is in the catalogue, has a sample here, and is documented in docs/oci-transport.md (and nothing else is)', () => {
    const catalogue = Object.values(OciTransportErrorCode).sort();
    expect(
      samples
        .map(([code]) => code)
        .concat('TH_ERR_OCI_TRANSPORT_ARGUMENT')
        .sort(),
    ).toEqual(catalogue);
    const docs = readFileSync(`${projectRoot}/docs/oci-transport.md`, 'utf8');
    const documented = [...new Set([...docs.matchAll(/^\| `(TH_ERR_[A-Z_]+)` \|/gm)].map((match) => match[1]!))].sort();
    expect(documented).toEqual(catalogue);
  });
});
