import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unwrapSoapRequest, wrapSoapFault, wrapSoapResponse } from '../../../oci/transport/soap-envelope.js';
import { garble, takeFault, takeLatency, takeSoapFault } from '../faults.js';
import { CookieSession } from '../sessions.js';
import { type InputHolder, type MockCore, peerOf } from './core.js';
import { provisioningWsdl } from './wsdl.js';

/** Where BroadWorks serves OCI-P over SOAP (oci-protocol.md §4.9). */
export const defaultSoapPath = '/webservice/services/ProvisioningService';

/** The verbatim detail of the Fault a real server sends before login. */
export const notLoggedInDetail = 'Cannot process any request before user is logged in.';

/** Most SOAP sessions kept; the oldest is forgotten first (its next call gets the not-logged-in Fault). */
const maxSoapSessions = 10_000;

/**
 * Serves one HTTP request of the SOAP endpoint: `POST <soapPath>` with the OCI document in the
 * first child of `processOCIMessage`; the login lives in the JSESSIONID cookie (set on the
 * first request); Faults come with HTTP 500 like Axis sends them. `GET <soapPath>?wsdl`
 * returns the service description.
 */
export function serveSoapRequest(core: MockCore, soapPath: string, req: IncomingMessage, res: ServerResponse): void {
  const [path, query] = (req.url ?? '/').split('?');
  if (path !== soapPath) {
    plain(res, 404, `Not found: ${path}\n`);
    return;
  }
  if (req.method === 'GET' && query?.toLowerCase() === 'wsdl') {
    const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
    const wsdl = Buffer.from(provisioningWsdl(`http://${host}${soapPath}`), 'utf8');
    res.writeHead(200, { 'Content-Type': 'text/xml;charset=utf-8', 'Content-Length': wsdl.length });
    res.end(wsdl);
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    plain(res, 405, 'Only POST is supported on the OCI-P SOAP endpoint\n');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  const maxBodyBytes = core.limits.maxDocumentBytes;
  const peer = peerOf(req.socket);
  // The body counts against the budget shared with the TCP/TLS connections until it is answered.
  const holder: InputHolder = {
    held: 0,
    evict: () => {
      refused = true;
      chunks.length = 0;
      core.refuse('maxBufferedInputBytes', peer, `the mock holds more than ${core.limits.maxBufferedInputBytes} request bytes; this request holds the most`);
      req.socket.destroy();
    },
  };
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBodyBytes) {
      refused = true;
      chunks.length = 0;
      core.budget.release(holder);
      core.refuse('maxDocumentBytes', peer, `SOAP request body exceeds ${maxBodyBytes} bytes`);
      res.setHeader('Connection', 'close');
      plain(res, 413, 'Request body too large\n');
      // The rest of the body is not read: the connection ends with the answer.
      res.on('finish', () => req.socket.destroy());
      return;
    }
    chunks.push(chunk);
    core.budget.update(holder, size);
  });
  req.on('error', () => res.destroy());
  req.on('close', () => core.budget.release(holder));
  req.on('end', () => {
    if (refused) return;
    const body = Buffer.concat(chunks);
    chunks.length = 0;
    answer(core, req, res, body)
      .catch((error: unknown) => {
        core.logger.warn?.(`soap: failed to answer: ${(error as Error).message}`);
        res.destroy();
      })
      .finally(() => core.budget.release(holder));
  });
}

async function answer(core: MockCore, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  let cookie = cookieValue(req.headers.cookie, 'JSESSIONID');
  let session = cookie ? core.soapSessions.get(cookie) : undefined;
  if (!cookie || !session) {
    cookie = randomBytes(16).toString('hex').toUpperCase();
    session = new CookieSession();
    // Clients that never send the cookie back would otherwise grow the table without end.
    if (core.soapSessions.size >= maxSoapSessions) core.soapSessions.delete(core.soapSessions.keys().next().value as string);
    core.soapSessions.set(cookie, session);
    res.setHeader('Set-Cookie', `JSESSIONID=${cookie}; Path=/webservice; HttpOnly`);
  }
  res.setHeader('Content-Type', 'text/xml;charset=utf-8');

  const injected = takeSoapFault(core.faults);
  if (injected === 'NO_OCS_CONNECTION') return send(res, 500, wrapSoapFault('NO_OCS_CONNECTION'));
  if (injected === 'INVALID_REQUEST') {
    session.state.user = undefined;
    return send(res, 500, wrapSoapFault('INVALID_REQUEST', notLoggedInDetail));
  }

  let document: string;
  try {
    document = unwrapSoapRequest(body);
  } catch (error) {
    return send(res, 500, wrapSoapFault('INVALID_REQUEST', (error as Error).message, 'soapenv:Server.userException'));
  }
  const parsed = core.engine.parse(document);
  if (takeFault(core.faults, 'silence')) return; // the request stays open until the client gives up or the server closes
  if (core.engine.needsLogin(parsed, session)) return send(res, 500, wrapSoapFault('INVALID_REQUEST', notLoggedInDetail));
  const latency = takeLatency(core.faults);
  if (latency > 0) await core.sleep(latency);
  if (core.closing || res.destroyed) return;
  const text = await core.engine.executeAsync(parsed, session);
  let bytes: Buffer = Buffer.from(wrapSoapResponse(text), 'utf8');
  if (takeFault(core.faults, 'dropConnectionMidResponse')) {
    res.writeHead(200, { 'Content-Length': bytes.length });
    res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => res.socket?.destroy());
    return;
  }
  if (takeFault(core.faults, 'garbleNextResponse')) bytes = garble(bytes);
  send(res, 200, bytes);
}

function send(res: ServerResponse, status: number, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'Content-Length': bytes.length });
  res.end(bytes);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
