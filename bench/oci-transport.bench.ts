// OCI-P transport benchmarks, each figure printed beside a baseline measured in the same run:
//  1. unwrapping a 13 MB SOAP return: our byte-level unwrap vs fast-xml-parser on the envelope;
//  2. splitting a 13 MB TCP response arriving in 64 KiB chunks: OciDocumentSplitter vs the naive
//     "concatenate and search for the end tag again" reader;
//  3. sequential request/response round trips on loopback: TCP requester vs SOAP requester.
// Run: node --import tsx bench/oci-transport.bench.ts
import http from 'node:http';
import net from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { decodeDocumentText, OciDocumentSplitter } from '../runtime/oci/transport/framing.js';
import { createRequester } from '../runtime/oci/transport/requester.js';
import { unwrapSoapRequest, unwrapSoapResponse, wrapSoapResponse } from '../runtime/oci/transport/soap-envelope.js';

function bigResponse(rows: number): string {
  const row = '<row><col>john.doe@example.com</col><col>Doe</col><col>John &amp; "Co"</col><col/></row>';
  return (
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<sessionId xmlns="">s</sessionId><command echo="" xsi:type="UserGetListInGroupResponse" xmlns=""><userTable>' +
    `<colHeading>User Id</colHeading>${row.repeat(rows)}</userTable></command></BroadsoftDocument>`
  );
}

function best(runs: number, work: () => unknown): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

function line(label: string, ours: string, baseline: string): void {
  console.log(`${label.padEnd(44)} ours ${ours.padStart(14)}   baseline ${baseline.padStart(14)}`);
}

// 1. SOAP unwrap.
{
  const document = bigResponse(85_000);
  const envelope = Buffer.from(wrapSoapResponse(document), 'utf8');
  const ours = best(5, () => {
    const reply = unwrapSoapResponse(envelope);
    if (reply.kind !== 'document' || reply.document.length !== document.length) throw new Error('unwrap mismatch');
  });
  const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: false, processEntities: true, htmlEntities: false });
  const baseline = best(1, () => {
    const parsed = parser.parse(envelope.toString('utf8')) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    const body = parsed['soapenv:Envelope']!['soapenv:Body']!;
    const text = (body.processOCIMessageResponse as Record<string, unknown>)['ns1:processOCIMessageReturn'];
    if (typeof text !== 'object' && typeof text !== 'string') throw new Error('baseline found no return');
  });
  const mb = envelope.length / 1e6;
  line(`SOAP unwrap, ${mb.toFixed(1)} MB envelope`, `${ours.toFixed(0)} ms`, `${baseline.toFixed(0)} ms`);
  console.log(`${''.padEnd(44)} ours ${(mb / (ours / 1000)).toFixed(0).padStart(9)} MB/s   (baseline: fast-xml-parser on the whole envelope)`);
}

// 2. TCP framing of a big response.
{
  const bytes = Buffer.concat([Buffer.from(bigResponse(140_000), 'latin1'), Buffer.from('\n')]);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 65536) chunks.push(bytes.subarray(offset, offset + 65536));
  const ours = best(5, () => {
    const splitter = new OciDocumentSplitter();
    let documents = 0;
    for (const chunk of chunks) documents += splitter.push(chunk).length;
    if (documents !== 1) throw new Error('splitter mismatch');
  });
  const endTag = Buffer.from('</BroadsoftDocument>');
  const baseline = best(2, () => {
    let pending = Buffer.alloc(0);
    let documents = 0;
    for (const chunk of chunks) {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf(endTag);
      if (end >= 0) {
        documents++;
        pending = pending.subarray(end + endTag.length);
      }
    }
    if (documents !== 1) throw new Error('baseline mismatch');
  });
  line(`TCP framing, ${(bytes.length / 1e6).toFixed(1)} MB in 64 KiB chunks`, `${ours.toFixed(0)} ms`, `${baseline.toFixed(0)} ms`);
  console.log(`${''.padEnd(44)} (baseline: concatenate each chunk and search the whole buffer again)`);
}

// 3. Round trips on loopback.
{
  const reply = (marker: string) =>
    `<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">${marker}</sessionId>` +
    '<command echo="" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns="" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></BroadsoftDocument>';
  const request = (i: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">r${i}</sessionId>` +
    '<command xmlns="" xsi:type="UserGetRequest22" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><userId>u@example.com</userId></command></BroadsoftDocument>';
  const markerOf = (document: string) => /<sessionId[^>]*>([^<]*)</.exec(document)?.[1] ?? '';

  const tcpServer = net.createServer((socket) => {
    const splitter = new OciDocumentSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const bytes of splitter.push(chunk)) socket.write(`${reply(markerOf(decodeDocumentText(bytes)))}\n`, 'latin1');
    });
    socket.on('error', () => {});
  });
  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'set-cookie': 'JSESSIONID=bench; Path=/' });
      res.end(wrapSoapResponse(reply(markerOf(unwrapSoapRequest(Buffer.concat(chunks))))));
    });
  });
  await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const tcp = createRequester(`tcp://127.0.0.1:${(tcpServer.address() as net.AddressInfo).port}`);
  const soap = createRequester(`http://127.0.0.1:${(httpServer.address() as net.AddressInfo).port}`);
  const rate = async (requester: typeof tcp, count: number) => {
    for (let i = 0; i < 50; i++) await requester.request(request(i)); // warm-up
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const answer = await requester.request(request(i));
      if (markerOf(answer) !== `r${i}`) throw new Error('round-trip mismatch');
    }
    return count / ((performance.now() - started) / 1000);
  };
  const tcpRate = await rate(tcp, 3000);
  const soapRate = await rate(soap, 1500);
  line('sequential round trips on loopback', `${tcpRate.toFixed(0)} req/s TCP`, `${soapRate.toFixed(0)} req/s SOAP`);
  await Promise.all([tcp.close(), soap.close()]);
  await new Promise((resolve) => tcpServer.close(resolve));
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
}
