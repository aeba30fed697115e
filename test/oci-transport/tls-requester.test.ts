import tls from 'node:tls';
import selfsigned from 'selfsigned';
import { createRequester, type Requester } from '../../runtime/oci/transport/requester.js';
import {
  localhostCertificate,
  markerOf,
  ociRequest,
  ociResponse,
  type OciTestServer,
  rejectionOf,
  startOciServer,
  startSilentServer,
  type TestCertificate,
} from './fixtures.js';

let certificate: TestCertificate;
let server: OciTestServer;
const requesters: Requester[] = [];

beforeAll(async () => {
  certificate = await localhostCertificate();
  server = await startOciServer((document) => ociResponse(markerOf(document)), { cert: certificate.cert, key: certificate.key });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  for (const requester of requesters.splice(0)) await requester.close();
});

function tlsRequester(host: string, options: Parameters<typeof createRequester>[1] = {}): Requester {
  const requester = createRequester(`tls://${host}:${server.port}`, options);
  requesters.push(requester);
  return requester;
}

describe('TLS requester', () => {
  test('an untrusted self-signed certificate is rejected by default with TH_ERR_OCI_TLS naming the opt-out', async () => {
    const requester = tlsRequester('localhost');
    const error = await rejectionOf(requester.request(ociRequest('x')));
    expect(error.code).toBe('TH_ERR_OCI_TLS');
    expect(error.context).toMatchObject({ phase: 'tls-handshake', url: `tls://localhost:${server.port}` });
    expect(error.message).toMatch(/self[- ]signed/i);
    expect(error.message).toContain('allowInsecureTls');
    expect(requester.connected).toBe(false);
  });

  test('the certificate is accepted when its CA is given, with SNI from the host name', async () => {
    const requester = tlsRequester('localhost', { tls: { ca: certificate.cert } });
    expect(requester.kind).toBe('tls');
    expect(markerOf(await requester.request(ociRequest('trusted')))).toBe('trusted');
    expect(requester.connected).toBe(true);
  });

  test('an IP address host is verified against the IP SAN (no SNI)', async () => {
    const requester = tlsRequester('127.0.0.1', { tls: { ca: certificate.cert } });
    expect(markerOf(await requester.request(ociRequest('by ip')))).toBe('by ip');
  });

  test('a hostname mismatch is rejected with TH_ERR_OCI_TLS even with the right CA', async () => {
    const requester = tlsRequester('127.0.0.1', { tls: { ca: certificate.cert, servername: 'ocip.example.com' } });
    const error = await rejectionOf(requester.request(ociRequest('x')));
    expect(error.code).toBe('TH_ERR_OCI_TLS');
    expect(error.message).toMatch(/ocip\.example\.com|altnames|Hostname/i);
  });

  test('allowInsecureTls accepts the self-signed certificate and logs a warning', async () => {
    const warnings: { msg: string; data?: object }[] = [];
    const requester = tlsRequester('localhost', { allowInsecureTls: true, logger: { warn: (msg, data) => warnings.push({ msg, data }) } });
    expect(markerOf(await requester.request(ociRequest('insecure')))).toBe('insecure');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('allowInsecureTls');
    expect(warnings[0]!.data).toMatchObject({ authorized: false });
  });

  test('queueing works over TLS too (one outstanding request)', async () => {
    const counting = await startOciServer((document) => ociResponse(markerOf(document)), { cert: certificate.cert, key: certificate.key });
    try {
      const requester = createRequester(`tls://localhost:${counting.port}`, { tls: { ca: certificate.cert } });
      requesters.push(requester);
      const markers = ['t1', 't2', 't3', 't4', 't5'];
      const replies = await Promise.all(markers.map((marker) => requester.request(ociRequest(marker))));
      expect(replies.map(markerOf)).toEqual(markers);
      expect(counting.received.map(markerOf)).toEqual(markers);
      expect(counting.maxOutstanding).toBe(1);
    } finally {
      await counting.close();
    }
  });

  test('the test server does see a client that sends without waiting for replies (so the check above can fail)', async () => {
    const counting = await startOciServer((document) => ociResponse(markerOf(document)), { cert: certificate.cert, key: certificate.key });
    const socket = tls.connect({ host: '127.0.0.1', port: counting.port, ca: certificate.cert });
    try {
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      let replies = '';
      const answered = new Promise<void>((resolve) =>
        socket.setEncoding('latin1').on('data', (text: string) => {
          replies += text;
          if (markerOf(replies.split('</BroadsoftDocument>')[2] ?? '') === 'c3') resolve();
        }),
      );
      // Three separate writes in one go, as a requester without a queue would make them.
      for (const marker of ['c1', 'c2', 'c3']) socket.write(`${ociRequest(marker)}\n`);
      await answered;
      expect(counting.maxOutstanding).toBe(3);
    } finally {
      socket.destroy();
      await counting.close();
    }
  });

  test('a server that never answers the handshake is TH_ERR_OCI_CONNECT_TIMEOUT in the tls-handshake phase', async () => {
    const silent = await startSilentServer();
    try {
      const requester = createRequester(`tls://127.0.0.1:${silent.port}`, { connectTimeoutMs: 200 });
      requesters.push(requester);
      const error = await rejectionOf(requester.connect());
      expect(error.code).toBe('TH_ERR_OCI_CONNECT_TIMEOUT');
      expect(error.context).toMatchObject({ phase: 'tls-handshake', thresholdMs: 200 });
      expect(error.message).toContain('TLS handshake');
      expect(error.message).toContain('200 ms');
    } finally {
      await silent.close();
    }
  });

  test('an expired certificate is rejected (TH_ERR_OCI_TLS) even when trusted, accepted with allowInsecureTls; SNI is sent', async () => {
    const expired = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - 3 * 86400_000),
      notAfterDate: new Date(Date.now() - 86400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    const serverNames: string[] = [];
    const context = tls.createSecureContext({ cert: expired.cert, key: expired.private });
    const expiredServer = await startOciServer((document) => ociResponse(markerOf(document)), {
      SNICallback: (name, callback) => {
        serverNames.push(name);
        callback(null, context);
      },
    });
    try {
      const strict = createRequester(`tls://localhost:${expiredServer.port}`, { tls: { ca: expired.cert } });
      requesters.push(strict);
      const error = await rejectionOf(strict.request(ociRequest('x')));
      expect(error.code).toBe('TH_ERR_OCI_TLS');
      expect(error.message).toMatch(/expired/i);
      const warnings: string[] = [];
      const lenient = createRequester(`tls://localhost:${expiredServer.port}`, { allowInsecureTls: true, logger: { warn: (msg) => warnings.push(msg) } });
      requesters.push(lenient);
      expect(markerOf(await lenient.request(ociRequest('expired ok')))).toBe('expired ok');
      expect(warnings).toHaveLength(1);
      expect(serverNames).toEqual(['localhost', 'localhost']);
    } finally {
      await expiredServer.close();
    }
  });

  test('mutual TLS: the client certificate and key are presented to a server that requires them', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
      ],
      clientCertificate: { cn: 'hammer-client', keyType: 'ec' },
    });
    const peers: string[] = [];
    const mutual = await startOciServer(
      (document, connection) => {
        const peer = (connection.socket as tls.TLSSocket).getPeerCertificate();
        peers.push(String(peer.subject?.CN));
        return ociResponse(markerOf(document));
      },
      { cert: pems.cert, key: pems.private, requestCert: true, rejectUnauthorized: true, ca: pems.cert },
    );
    try {
      const requester = createRequester(`tls://localhost:${mutual.port}`, {
        tls: { ca: pems.cert, cert: pems.clientcert!, key: pems.clientprivate! },
      });
      requesters.push(requester);
      expect(markerOf(await requester.request(ociRequest('mutual')))).toBe('mutual');
      expect(peers).toEqual(['hammer-client']);
    } finally {
      await mutual.close();
    }
  });
});
