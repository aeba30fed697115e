import type http from 'node:http';
import { createRequester, type Requester } from '../../runtime/oci/transport/requester.js';
import { unwrapSoapRequest, wrapSoapFault, wrapSoapResponse } from '../../runtime/oci/transport/soap-envelope.js';
import { waitFor } from '../support/wait.js';
import {
  closedPort,
  type HttpTestServer,
  localhostCertificate,
  markerOf,
  ociRequest,
  ociResponse,
  rejectionOf,
  startHttpServer,
  startSilentServer,
} from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track<T extends Requester | HttpTestServer>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

function reply(response: http.ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', ...headers });
  response.end(body);
}

/** A web service that answers every envelope with the unwrapped document's marker, and sets JSESSIONID once. */
async function echoService(): Promise<HttpTestServer> {
  let sessions = 0;
  return startHttpServer((request, body, response) => {
    const document = unwrapSoapRequest(body);
    const headers: Record<string, string> = {};
    if (!/JSESSIONID=/.test(request.headers.cookie ?? '')) headers['set-cookie'] = `JSESSIONID=S${++sessions}; Path=/webservice; HttpOnly`;
    reply(response, 200, wrapSoapResponse(ociResponse(markerOf(document))), headers);
  });
}

describe('SOAP requester', () => {
  test('POSTs the processOCIMessage envelope with the SOAP headers and returns the unwrapped document', async () => {
    const server = track(await echoService());
    const requester = track(createRequester(server.url));
    expect(requester.kind).toBe('soap');
    await requester.connect(); // no-op
    const document = ociRequest('soap é');
    expect(await requester.request(document)).toBe(ociResponse('soap é'));
    const [sent] = server.requests;
    expect(sent!.method).toBe('POST');
    expect(sent!.url).toBe('/webservice/services/ProvisioningService');
    expect(sent!.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(sent!.headers.soapaction).toBe('""');
    expect(sent!.body.toString('utf8')).toContain('<processOCIMessage');
    expect(unwrapSoapRequest(sent!.body)).toBe(document);
  });

  test('keeps the JSESSIONID cookie across requests and drops it on resetSession()', async () => {
    const server = track(await echoService());
    const requester = track(createRequester(`${server.url}/webservice/services/ProvisioningService`));
    await requester.request(ociRequest('one'));
    await requester.request(ociRequest('two'));
    requester.resetSession();
    await requester.request(ociRequest('three'));
    await requester.request(ociRequest('four'));
    expect(server.requests.map((r) => r.headers.cookie)).toEqual([undefined, 'JSESSIONID=S1', undefined, 'JSESSIONID=S2']);
  });

  test('a cookie the server expires (Max-Age=0) is dropped from the jar', async () => {
    let expire = false;
    const server = track(
      await startHttpServer((_request, body, response) => {
        const cookie = expire ? 'JSESSIONID=gone; Max-Age=0; Path=/' : 'JSESSIONID=live; Path=/';
        reply(response, 200, wrapSoapResponse(ociResponse(markerOf(unwrapSoapRequest(body)))), { 'set-cookie': [cookie, 'lb=node1'] });
      }),
    );
    const requester = track(createRequester(server.url));
    await requester.request(ociRequest('one'));
    expire = true;
    await requester.request(ociRequest('two'));
    await requester.request(ociRequest('three'));
    expect(server.requests.map((r) => r.headers.cookie)).toEqual([undefined, 'JSESSIONID=live; lb=node1', 'lb=node1']);
  });

  test('concurrent requests are serialised FIFO', async () => {
    let outstanding = 0;
    let maxOutstanding = 0;
    const server = track(
      await startHttpServer(async (_request, body, response) => {
        outstanding++;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        await new Promise((resolve) => setTimeout(resolve, 5));
        outstanding--;
        reply(response, 200, wrapSoapResponse(ociResponse(markerOf(unwrapSoapRequest(body)))));
      }),
    );
    const requester = track(createRequester(server.url));
    const markers = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const replies = await Promise.all(markers.map((marker) => requester.request(ociRequest(marker))));
    expect(replies.map(markerOf)).toEqual(markers);
    expect(server.requests.map((r) => markerOf(unwrapSoapRequest(r.body)))).toEqual(markers);
    expect(maxOutstanding).toBe(1);
  });

  test('a Fault with HTTP 500 is TH_ERR_OCI_SOAP_FAULT; "not logged in" is flagged for re-login', async () => {
    const server = track(
      await startHttpServer((_request, _body, response) =>
        reply(response, 500, wrapSoapFault('INVALID_REQUEST', 'Cannot process any request before user is logged in.')),
      ),
    );
    const requester = track(createRequester(server.url));
    const error = (await rejectionOf(requester.request(ociRequest('x')))) as Error & Record<string, unknown>;
    expect(error.code).toBe('TH_ERR_OCI_SOAP_FAULT');
    expect(error).toMatchObject({
      faultcode: 'soapenv:Server.generalException',
      faultstring: 'INVALID_REQUEST',
      detail: 'Cannot process any request before user is logged in.',
      notLoggedIn: true,
      retryable: false,
      status: 500,
    });
    expect(error.context).toMatchObject({ url: server.url, phase: 'http', status: 500 });
  });

  test('NO_OCS_CONNECTION is marked retryable (also when sent with HTTP 200)', async () => {
    let status = 500;
    const server = track(await startHttpServer((_request, _body, response) => reply(response, status, wrapSoapFault('NO_OCS_CONNECTION'))));
    const requester = track(createRequester(server.url));
    for (const code of [500, 200]) {
      status = code;
      const error = (await rejectionOf(requester.request(ociRequest('x')))) as Error & Record<string, unknown>;
      expect(error.code).toBe('TH_ERR_OCI_SOAP_FAULT');
      expect(error).toMatchObject({ faultstring: 'NO_OCS_CONNECTION', retryable: true, notLoggedIn: false, status: code });
    }
  });

  test('a non-2xx status without a Fault is TH_ERR_OCI_HTTP with the status', async () => {
    const server = track(
      await startHttpServer((_request, _body, response) => {
        response.writeHead(503, { 'content-type': 'text/html' });
        response.end('<html><body>Service Unavailable</body></html>');
      }),
    );
    const requester = track(createRequester(server.url));
    const error = (await rejectionOf(requester.request(ociRequest('x')))) as Error & Record<string, unknown>;
    expect(error.code).toBe('TH_ERR_OCI_HTTP');
    expect(error.status).toBe(503);
    expect(error.context).toMatchObject({ status: 503, phase: 'http' });
  });

  test('an empty processOCIMessageReturn is TH_ERR_OCI_SOAP_BODY, not success', async () => {
    const empty =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><processOCIMessageResponse xmlns="">' +
      '<ns1:processOCIMessageReturn xmlns:ns1="urn:com:broadsoft:webservice"></ns1:processOCIMessageReturn></processOCIMessageResponse></soapenv:Body></soapenv:Envelope>';
    const server = track(await startHttpServer((_request, _body, response) => reply(response, 200, empty)));
    const requester = track(createRequester(server.url));
    expect((await rejectionOf(requester.request(ociRequest('x')))).code).toBe('TH_ERR_OCI_SOAP_BODY');
  });

  test('reads the default-namespace response variant', async () => {
    const server = track(
      await startHttpServer((_request, body, response) => {
        const document = ociResponse(markerOf(unwrapSoapRequest(body)), 'ISO-8859-1')
          .replaceAll('&', '&amp;')
          .replaceAll('<', '&lt;')
          .replaceAll('>', '&gt;');
        reply(
          response,
          200,
          '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
            `<processOCIMessageResponse xmlns="urn:com:broadsoft:webservice"><processOCIMessageReturn>${document}</processOCIMessageReturn>` +
            '</processOCIMessageResponse></soapenv:Body></soapenv:Envelope>',
        );
      }),
    );
    const requester = track(createRequester(server.url));
    expect(await requester.request(ociRequest('variant Zoë'))).toBe(ociResponse('variant Zoë', 'ISO-8859-1'));
  });

  test('a large (13 MB) response envelope round-trips', async () => {
    const row = '<row><col>john.doe@example.com</col><col>Doe</col><col>John &amp; Co</col></row>';
    const big = ociResponse('big').replace('<command', `<command>${row.repeat(110_000)}</command><command`);
    const envelope = Buffer.from(wrapSoapResponse(big), 'utf8');
    expect(envelope.length).toBeGreaterThan(13_000_000);
    const server = track(await startHttpServer((_request, _body, response) => reply(response, 200, envelope.toString('utf8'))));
    const requester = track(createRequester(server.url));
    expect((await requester.request(ociRequest('x'))) === big).toBe(true);
  });

  test('connection refused is TH_ERR_OCI_CONNECT', async () => {
    const port = await closedPort();
    const requester = track(createRequester(`http://127.0.0.1:${port}`));
    const error = await rejectionOf(requester.request(ociRequest('x')));
    expect(error.code).toBe('TH_ERR_OCI_CONNECT');
    expect(error.context).toMatchObject({ phase: 'connect' });
  });

  test('an https server that never completes the handshake is TH_ERR_OCI_CONNECT_TIMEOUT', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const requester = track(createRequester(`https://127.0.0.1:${silent.port}`, { connectTimeoutMs: 200 }));
    const error = await rejectionOf(requester.request(ociRequest('x')));
    expect(error.code).toBe('TH_ERR_OCI_CONNECT_TIMEOUT');
    expect(error.context).toMatchObject({ phase: 'connect', thresholdMs: 200 });
  });

  test('the server closing mid-response is TH_ERR_OCI_CONNECTION_LOST', async () => {
    const server = track(
      await startHttpServer((_request, _body, response) => {
        response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': '5000' });
        response.write(wrapSoapResponse(ociResponse('cut')).slice(0, 200), () => response.socket?.destroy());
      }),
    );
    const requester = track(createRequester(server.url));
    expect((await rejectionOf(requester.request(ociRequest('x')))).code).toBe('TH_ERR_OCI_CONNECTION_LOST');
    expect(server.requests).toHaveLength(1);
  });

  test('a slow server is TH_ERR_OCI_TIMEOUT; close() rejects what is queued', async () => {
    const server = track(await startHttpServer(() => undefined /* never answers */));
    const requester = createRequester(server.url, { requestTimeoutMs: 150 });
    const error = await rejectionOf(requester.request(ociRequest('slow')));
    expect(error.code).toBe('TH_ERR_OCI_TIMEOUT');
    expect(error.context).toMatchObject({ thresholdMs: 150 });
    const inFlight = rejectionOf(requester.request(ociRequest('a'), { timeoutMs: 10_000 }));
    const queued = rejectionOf(requester.request(ociRequest('b')));
    await waitFor(() => server.requests.length === 2, "'a' to reach the server");
    await requester.close();
    expect((await inFlight).code).toBe('TH_ERR_OCI_TRANSPORT_CLOSED');
    expect((await queued).code).toBe('TH_ERR_OCI_TRANSPORT_CLOSED');
    expect(requester.connected).toBe(false);
  });

  test('https: untrusted certificate is TH_ERR_OCI_TLS; accepted with ca or allowInsecureTls (with a warning)', async () => {
    const certificate = await localhostCertificate();
    const server = track(await echoService());
    const secure = track(
      await startHttpServer((_request, body, response) => reply(response, 200, wrapSoapResponse(ociResponse(markerOf(unwrapSoapRequest(body))))), {
        cert: certificate.cert,
        key: certificate.key,
      }),
    );
    expect(server.url.startsWith('http://')).toBe(true);
    const url = secure.url.replace('127.0.0.1', 'localhost');
    const strict = track(createRequester(url));
    const error = await rejectionOf(strict.request(ociRequest('x')));
    expect(error.code).toBe('TH_ERR_OCI_TLS');
    expect(error.message).toContain('allowInsecureTls');

    const trusted = track(createRequester(url, { tls: { ca: certificate.cert } }));
    expect(markerOf(await trusted.request(ociRequest('trusted')))).toBe('trusted');

    const mismatch = track(createRequester(secure.url, { tls: { ca: certificate.cert, servername: 'ocip.example.com' } }));
    expect((await rejectionOf(mismatch.request(ociRequest('x')))).code).toBe('TH_ERR_OCI_TLS');

    const warnings: string[] = [];
    const insecure = track(createRequester(url, { allowInsecureTls: true, logger: { warn: (msg) => warnings.push(msg) } }));
    expect(markerOf(await insecure.request(ociRequest('insecure')))).toBe('insecure');
    expect(warnings).toEqual([expect.stringContaining('allowInsecureTls')]);
  });
});
