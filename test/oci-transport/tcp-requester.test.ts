import net from 'node:net';
import fc from 'fast-check';
import { createRequester, type Requester } from '../../runtime/oci/transport/requester.js';
import type { TcpRequester } from '../../runtime/oci/transport/tcp-requester.js';
import { waitFor } from '../support/wait.js';
import { closedPort, markerOf, ociRequest, ociResponse, type OciTestServer, rejectionOf, serverLogout, startOciServer } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends Requester | OciTestServer>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

/** A server answering each request with a SuccessResponse carrying the request's marker. */
function echoServer(): Promise<OciTestServer> {
  return startOciServer((document) => ociResponse(markerOf(document)));
}

describe('TCP requester', () => {
  test('sends a document with a trailing newline and resolves with the decoded ISO-8859-1 response', async () => {
    const server = track(await startOciServer((document) => ociResponse(`${markerOf(document)} Zoë`)));
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    expect(requester.kind).toBe('tcp');
    expect(requester.connected).toBe(false);
    const reply = await requester.request(ociRequest('hello'));
    expect(reply).toBe(ociResponse('hello Zoë'));
    expect(requester.connected).toBe(true);
    expect((requester as TcpRequester).state).toBe('open');
    expect(server.received).toEqual([ociRequest('hello')]);
  });

  test('writes exactly the document in its declared encoding followed by one \\n', async () => {
    const received: Buffer[] = [];
    const raw = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (chunk.includes(0x0a)) socket.write(`${ociResponse('raw')}\n`, 'latin1');
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    const requester = track(createRequester(`tcp://127.0.0.1:${(raw.address() as net.AddressInfo).port}`));
    const document = ociRequest('Zoë', 'ISO-8859-1');
    expect(await requester.request(document)).toBe(ociResponse('raw'));
    expect(Buffer.concat(received).equals(Buffer.concat([Buffer.from(document, 'latin1'), Buffer.from('\n')]))).toBe(true);
  });

  test('connect() is idempotent and concurrent connects share one socket', async () => {
    const server = track(await echoServer());
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    await Promise.all([requester.connect(), requester.connect(), requester.connect()]);
    await requester.connect();
    await requester.request(ociRequest('one'));
    expect(server.connections).toBe(1);
  });

  test('concurrent requests are queued FIFO with never two outstanding on the socket', async () => {
    const server = track(await echoServer());
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    const markers = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const replies = await Promise.all(markers.map((marker) => requester.request(ociRequest(marker))));
    expect(replies.map(markerOf)).toEqual(markers);
    expect(server.received.map(markerOf)).toEqual(markers);
    expect(server.maxOutstanding).toBe(1);
  });

  test('a response split into single bytes, with a newline after the declaration and \\r\\n after the document', async () => {
    const server = track(
      await startOciServer((document, connection) => {
        const bytes = Buffer.from(`${ociResponse(markerOf(document), 'UTF-8').replace('Success', 'Succéss')}\r\n`, 'utf8');
        let i = 0;
        const drip = () => {
          if (i < bytes.length && !connection.socket.destroyed) {
            connection.write(bytes.subarray(i, ++i));
            setImmediate(drip);
          }
        };
        drip();
        return undefined;
      }),
    );
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    expect(await requester.request(ociRequest('drip'))).toBe(ociResponse('drip', 'UTF-8').replace('Success', 'Succéss'));
    expect(await requester.request(ociRequest('drip2'))).toContain('drip2');
  });

  test('replies cut at random points (plus an unsolicited push) still pair with their requests (property)', async () => {
    let cuts: number[] = [];
    let pushFirst = false;
    const server = track(
      await startOciServer((document, connection) => {
        connection.socket.setNoDelay(true);
        const prefix = pushFirst ? `${serverLogout('push')}\r\n` : '';
        const bytes = Buffer.from(`${prefix}${ociResponse(`${markerOf(document)} Zoë`)}\n`, 'latin1');
        const points = [...new Set(cuts.map((cut) => cut % bytes.length))].sort((a, b) => a - b);
        const pieces = [...points, bytes.length].map((point, i, all) => bytes.subarray(i === 0 ? 0 : all[i - 1]!, point));
        const send = (index: number) => {
          if (index >= pieces.length || connection.socket.destroyed) return;
          connection.write(pieces[index]!);
          setImmediate(() => send(index + 1));
        };
        send(0);
        return undefined;
      }),
    );
    const unsolicited: string[] = [];
    const requester = track(
      createRequester(`tcp://127.0.0.1:${server.port}`, {
        classify: (document) => (document.includes('LogoutRequest') ? 'unsolicited' : 'response'),
      }),
    );
    requester.on('unsolicited', (document) => unsolicited.push(document));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (randomCuts, withPush) => {
        cuts = randomCuts;
        pushFirst = withPush;
        const before = unsolicited.length;
        const markers = [`p${run}a`, `p${run}b`];
        run++;
        const replies = await Promise.all(markers.map((marker) => requester.request(ociRequest(marker))));
        expect(replies).toEqual(markers.map((marker) => ociResponse(`${marker} Zoë`)));
        expect(unsolicited.length - before).toBe(withPush ? 2 : 0);
      }),
      { numRuns: 25 },
    );
    expect(server.connections).toBe(1);
  });

  test('connection refused is TH_ERR_OCI_CONNECT and the requester can retry later', async () => {
    const port = await closedPort();
    const requester = track(createRequester(`tcp://127.0.0.1:${port}`, { connectTimeoutMs: 2000 }));
    const error = await rejectionOf(requester.request(ociRequest('x')));
    expect(error.code).toBe('TH_ERR_OCI_CONNECT');
    expect(error.context).toMatchObject({ url: `tcp://127.0.0.1:${port}`, phase: 'connect' });
    expect(error.message).toContain('ECONNREFUSED');
    expect((requester as TcpRequester).state).toBe('idle');
    expect((await rejectionOf(requester.connect())).code).toBe('TH_ERR_OCI_CONNECT');
  });

  test('request timeout is TH_ERR_OCI_TIMEOUT, destroys the socket, and the next request uses a new one', async () => {
    let answer = false;
    const server = track(
      await startOciServer(async (document) => {
        if (!answer) return undefined; // swallow the first request
        return ociResponse(markerOf(document));
      }),
    );
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`, { requestTimeoutMs: 5000 }));
    const closes: (Error | undefined)[] = [];
    requester.on('close', (error) => closes.push(error));
    const error = await rejectionOf(requester.request(ociRequest('slow'), { timeoutMs: 150 }));
    expect(error.code).toBe('TH_ERR_OCI_TIMEOUT');
    expect(error.context).toMatchObject({ phase: 'response', thresholdMs: 150 });
    expect(requester.connected).toBe(false);
    expect(closes.map((e) => (e as { code?: string }).code)).toEqual(['TH_ERR_OCI_TIMEOUT']);
    answer = true;
    expect(markerOf(await requester.request(ociRequest('fresh')))).toBe('fresh');
    expect(server.connections).toBe(2);
  });

  test('a timed-out request does not let its late answer reach the next request', async () => {
    // The late answer is held until the next request arrives, and written (if its socket still lives) before that one's.
    let releaseLate: () => void = () => {};
    const nextArrived = new Promise<void>((resolve) => (releaseLate = resolve));
    let lateWritten: Promise<void> = Promise.resolve();
    const server = track(
      await startOciServer(async (document, connection) => {
        if (markerOf(document) === 'late') {
          lateWritten = nextArrived.then(() => {
            if (!connection.socket.destroyed) connection.write(`${ociResponse('late')}\n`);
          });
          return undefined;
        }
        releaseLate();
        await lateWritten;
        return ociResponse(markerOf(document));
      }),
    );
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    const late = requester.request(ociRequest('late'), { timeoutMs: 100 });
    const next = requester.request(ociRequest('next'));
    expect((await rejectionOf(late)).code).toBe('TH_ERR_OCI_TIMEOUT');
    expect(markerOf(await next)).toBe('next');
  });

  test('server closing mid-response is TH_ERR_OCI_CONNECTION_LOST and the request is not resent', async () => {
    const server = track(
      await startOciServer((document, connection) => {
        if (markerOf(document) !== 'cut') return ociResponse(markerOf(document));
        connection.socket.write(ociResponse('cut').slice(0, 60), () => connection.socket.destroy());
        return undefined;
      }),
    );
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    const lost = new Promise<Error | undefined>((resolve) => requester.on('close', resolve));
    const error = await rejectionOf(requester.request(ociRequest('cut')));
    expect(error.code).toBe('TH_ERR_OCI_CONNECTION_LOST');
    expect(error.context).toMatchObject({ phase: 'response' });
    expect(((await lost) as { code?: string }).code).toBe('TH_ERR_OCI_CONNECTION_LOST');
    // The queue is FIFO: a resend of 'cut' would reach the server before the next request.
    expect(markerOf(await requester.request(ociRequest('after')))).toBe('after');
    expect(server.received.map(markerOf)).toEqual(['cut', 'after']);
  });

  test('unsolicited documents are routed by classify and never taken as the reply', async () => {
    const server = track(
      await startOciServer((document, connection) => {
        connection.write(`${serverLogout('pushed')}\n`); // arrives before the real reply
        return ociResponse(markerOf(document));
      }),
    );
    const unsolicited: string[] = [];
    const requester = track(
      createRequester(`tcp://127.0.0.1:${server.port}`, {
        classify: (document) => (document.includes('xsi:type="LogoutRequest"') ? 'unsolicited' : 'response'),
      }),
    );
    requester.on('unsolicited', (document) => unsolicited.push(document));
    expect(markerOf(await requester.request(ociRequest('asked')))).toBe('asked');
    expect(unsolicited).toEqual([serverLogout('pushed')]);
  });

  test('a document arriving while nothing is pending is emitted as unsolicited', async () => {
    let push: ((text: string) => void) | undefined;
    const server = track(
      await startOciServer((document, connection) => {
        push = (text) => connection.write(`${text}\n`);
        return ociResponse(markerOf(document));
      }),
    );
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    await requester.request(ociRequest('first'));
    const received = new Promise<string>((resolve) => requester.on('unsolicited', resolve));
    push!(serverLogout('idle push'));
    expect(await received).toBe(serverLogout('idle push'));
  });

  test('close() rejects the in-flight and queued requests with TH_ERR_OCI_TRANSPORT_CLOSED and is idempotent', async () => {
    const server = track(await startOciServer(() => undefined));
    const requester = createRequester(`tcp://127.0.0.1:${server.port}`);
    const closeEvents: (Error | undefined)[] = [];
    requester.on('close', (error) => closeEvents.push(error));
    const inFlight = rejectionOf(requester.request(ociRequest('a')));
    const queued = rejectionOf(requester.request(ociRequest('b')));
    await waitFor(() => server.received.length === 1, "'a' to reach the server");
    await Promise.all([requester.close(), requester.close()]);
    expect((await inFlight).code).toBe('TH_ERR_OCI_TRANSPORT_CLOSED');
    expect((await queued).code).toBe('TH_ERR_OCI_TRANSPORT_CLOSED');
    expect((await rejectionOf(requester.request(ociRequest('c')))).code).toBe('TH_ERR_OCI_TRANSPORT_CLOSED');
    expect((await rejectionOf(requester.connect())).code).toBe('TH_ERR_OCI_TRANSPORT_CLOSED');
    expect(closeEvents).toEqual([undefined]);
    expect((requester as TcpRequester).state).toBe('closed');
    expect(server.received.map(markerOf)).toEqual(['a']);
  });

  test('an AbortSignal removes a queued request and aborts an in-flight one', async () => {
    // 'fourth' is never answered: it stays in flight until aborted.
    const server = track(await startOciServer((document) => (markerOf(document) === 'fourth' ? undefined : ociResponse(markerOf(document)))));
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    const first = requester.request(ociRequest('first'));
    const controller = new AbortController();
    const second = requester.request(ociRequest('second'), { signal: controller.signal });
    const third = requester.request(ociRequest('third'));
    controller.abort();
    expect((await rejectionOf(second)).code).toBe('TH_ERR_OCI_TRANSPORT_ABORTED');
    expect(markerOf(await first)).toBe('first');
    expect(markerOf(await third)).toBe('third');
    expect(server.received.map(markerOf)).toEqual(['first', 'third']);

    const inFlight = new AbortController();
    const pending = requester.request(ociRequest('fourth'), { signal: inFlight.signal });
    void waitFor(() => server.received.length === 3, "'fourth' to reach the server").then(() => inFlight.abort());
    expect((await rejectionOf(pending)).code).toBe('TH_ERR_OCI_TRANSPORT_ABORTED');
    expect(requester.connected).toBe(false);
    const already = AbortSignal.abort();
    expect((await rejectionOf(requester.request(ociRequest('x'), { signal: already }))).code).toBe('TH_ERR_OCI_TRANSPORT_ABORTED');
  });

  test('an oversized response is TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE and drops the connection', async () => {
    const server = track(await startOciServer((document) => ociResponse(`${markerOf(document)}${'x'.repeat(5000)}`)));
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`, { maxDocumentBytes: 1000 }));
    expect((await rejectionOf(requester.request(ociRequest('big')))).code).toBe('TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE');
    expect(requester.connected).toBe(false);
  });

  test('bad arguments are coded errors', async () => {
    const server = track(await echoServer());
    const requester = track(createRequester(`tcp://127.0.0.1:${server.port}`));
    expect((await rejectionOf(requester.request(''))).code).toBe('TH_ERR_OCI_TRANSPORT_ARGUMENT');
    expect((await rejectionOf(requester.request(' \n\t\u00a0'))).code).toBe('TH_ERR_OCI_TRANSPORT_ARGUMENT');
    expect((await rejectionOf(requester.request(ociRequest('t'), { timeoutMs: -1 }))).code).toBe('TH_ERR_OCI_TRANSPORT_ARGUMENT');
    expect((await rejectionOf(requester.request('<?xml version="1.0" encoding="UTF-16"?><BroadsoftDocument/>'))).code).toBe('TH_ERR_OCI_TRANSPORT_ENCODING');
    expect(() => createRequester('tcp://127.0.0.1:1', { requestTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_ARGUMENT' }));
    // Nothing bad reached the server; the requester still works.
    expect(markerOf(await requester.request(ociRequest('ok')))).toBe('ok');
    expect(server.received.map(markerOf)).toEqual(['ok']);
  });
});

describe('createRequester URLs', () => {
  test.each([
    ['tcp://ocip.example.com', 'tcp'],
    ['tls://ocip.example.com', 'tls'],
    ['https://ocip.example.com/webservice/services/ProvisioningService', 'soap'],
    ['http://127.0.0.1:8080', 'soap'],
  ])('%s is a %s requester', async (url, kind) => {
    const requester = createRequester(url);
    expect(requester.kind).toBe(kind);
    expect(requester.url).toBe(url);
    await requester.close();
  });

  test.each(['ftp://ocip.example.com', 'ocip.example.com:2208', '', 'tcp://', 'tcp://user:secret@ocip.example.com', 'tls://ocip.example.com:2209/path'])(
    '"%s" is TH_ERR_OCI_TRANSPORT_URL',
    (url) => {
      expect(() => createRequester(url)).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_URL' }));
    },
  );

  test('default ports are 2208 (tcp) and 2209 (tls)', async () => {
    const { parseRequesterUrl } = await import('../../runtime/oci/transport/requester.js');
    expect(parseRequesterUrl('tcp://h')).toMatchObject({ kind: 'tcp', host: 'h', port: 2208 });
    expect(parseRequesterUrl('tls://h')).toMatchObject({ kind: 'tls', host: 'h', port: 2209 });
    expect(parseRequesterUrl('tls://[::1]:3000')).toMatchObject({ host: '::1', port: 3000 });
    expect(parseRequesterUrl('https://h').serviceUrl?.href).toBe('https://h/webservice/services/ProvisioningService');
    expect(parseRequesterUrl('https://h/custom/Path').serviceUrl?.href).toBe('https://h/custom/Path');
  });
});
