// SOAP over HTTP with a raw HTTP client (cookie, Fault before login, in0/arg0, 404), TLS with
// the generated certificate, and one state shared by all three listeners.
import { XMLValidator } from 'fast-xml-parser';
import { request } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { signedPassword } from '../../runtime/oci/auth.js';
import { type OciCommand, decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { unwrapSoapResponse, wrapSoapRequest } from '../../runtime/oci/transport/soap-envelope.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({ tcpPort: 0, tlsPort: 0, soapPort: 0, schema });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(body: string, headers: Record<string, string> = {}, path = '/webservice/services/ProvisioningService', method = 'POST'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.ports.soap, path, method, headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('response cut short'));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const envelope = (commands: OciCommand[], sessionId = 'soap-session') => wrapSoapRequest(encodeDocument(schema, { sessionId, commands }, { validate: false }));

function commandsOf(reply: HttpReply): OciCommand[] {
  const unwrapped = unwrapSoapResponse(reply.body);
  if (unwrapped.kind !== 'document') throw new Error(`fault: ${unwrapped.faultstring}`);
  return decodeDocument(schema, unwrapped.document).commands;
}

function cookieOf(reply: HttpReply): string {
  const setCookie = reply.headers['set-cookie'];
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const match = /JSESSIONID=([^;]+)/.exec(first ?? '');
  if (!match) throw new Error('no JSESSIONID cookie');
  return `JSESSIONID=${match[1]}`;
}

describe('SOAP', () => {
  test('before login: HTTP 500 Fault INVALID_REQUEST with the verbatim detail, and a JSESSIONID cookie', async () => {
    const reply = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]));
    expect(reply.status).toBe(500);
    expect(cookieOf(reply)).toMatch(/^JSESSIONID=[0-9A-F]{32}$/);
    const fault = unwrapSoapResponse(reply.body);
    expect(fault).toMatchObject({
      kind: 'fault',
      faultcode: 'soapenv:Server.generalException',
      faultstring: 'INVALID_REQUEST',
      detail: 'Cannot process any request before user is logged in.',
    });
  });

  test('hashed login bound to the cookie; `in0` accepted; ErrorResponse comes with HTTP 200; a new cookie is a new session', async () => {
    const first = await post(
      envelope([{ $type: 'AuthenticationRequest', userId: 'admin' }])
        .replace(/<arg0 /, '<in0 ')
        .replace('</arg0>', '</in0>'),
    );
    expect(first.status).toBe(200);
    const cookie = cookieOf(first);
    const [auth] = commandsOf(first);
    expect(auth).toMatchObject({ $type: 'AuthenticationResponse', passwordAlgorithm: 'MD5' });
    const login = await post(envelope([{ $type: 'LoginRequest14sp4', userId: 'admin', signedPassword: signedPassword(String(auth.nonce), 'admin') }]), {
      Cookie: cookie,
    });
    expect(login.headers['set-cookie']).toBeUndefined();
    expect(commandsOf(login)[0]).toMatchObject({ $type: 'LoginResponse14sp4', loginType: 'System' });
    const batch = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }, { $type: 'UserGetRequest23V2', userId: 'ghost' }]), { Cookie: cookie });
    expect(batch.status).toBe(200);
    const [version, missing] = commandsOf(batch);
    expect(version.$type).toBe('SystemSoftwareVersionGetResponse');
    expect(missing.summary).toBe('[Error 4008] User not found: ghost');
    // Without the cookie: a new, logged-out session.
    expect((await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]))).status).toBe(500);
    // expireSessions(): the cookie no longer carries a login.
    server.expireSessions();
    const expired = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie });
    expect(expired.status).toBe(500);
    expect(unwrapSoapResponse(expired.body)).toMatchObject({ kind: 'fault', faultstring: 'INVALID_REQUEST' });
  });

  test('plain login, then injected NO_OCS_CONNECTION (one-shot) and INVALID_REQUEST faults', async () => {
    const login = await post(envelope([{ $type: 'LoginRequest22V5', userId: 'admin', password: 'admin' }]));
    const cookie = cookieOf(login);
    expect(commandsOf(login)[0].$type).toBe('LoginResponse22V5');
    server.faults.soapFault = { fault: 'NO_OCS_CONNECTION', times: 1 };
    const outage = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie });
    expect(outage.status).toBe(500);
    expect(unwrapSoapResponse(outage.body)).toMatchObject({ kind: 'fault', faultstring: 'NO_OCS_CONNECTION' });
    expect(server.faults.soapFault).toBeNull();
    const after = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie });
    expect(commandsOf(after)[0].$type).toBe('SystemSoftwareVersionGetResponse');
    server.faults.soapFault = { fault: 'INVALID_REQUEST', times: 1 };
    const invalid = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie });
    expect(unwrapSoapResponse(invalid.body)).toMatchObject({
      kind: 'fault',
      faultstring: 'INVALID_REQUEST',
      detail: 'Cannot process any request before user is logged in.',
    });
  });

  test('SOAP faults: a body cut short with the connection dropped, a garbled body, latency', async () => {
    const login = await post(envelope([{ $type: 'LoginRequest22V5', userId: 'admin', password: 'admin' }]));
    const cookie = cookieOf(login);
    server.faults.dropConnectionMidResponse = { times: 1 };
    await expect(post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie })).rejects.toThrow(
      /cut short|aborted|socket hang up|ECONNRESET/,
    );
    server.faults.garbleNextResponse = { times: 1 };
    const garbled = await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie });
    expect(garbled.status).toBe(200);
    expect(() => unwrapSoapResponse(garbled.body)).toThrow();
    server.faults.latencyMs = { ms: 150, times: 1 };
    const started = performance.now();
    expect(commandsOf(await post(envelope([{ $type: 'SystemSoftwareVersionGetRequest' }]), { Cookie: cookie }))[0].$type).toBe(
      'SystemSoftwareVersionGetResponse',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('?wsdl describes the service; other paths → 404, other methods → 405, a broken envelope → Fault', async () => {
    expect((await post('x', {}, '/elsewhere')).status).toBe(404);
    expect((await post('', {}, '/webservice/services/ProvisioningService', 'GET')).status).toBe(405);
    const wsdl = await post('', {}, '/webservice/services/ProvisioningService?wsdl', 'GET');
    expect(wsdl.status).toBe(200);
    const text = wsdl.body.toString('utf8');
    expect(text).toContain('<wsdl:operation name="processOCIMessage" parameterOrder="in0">');
    expect(text).toContain(`location="http://127.0.0.1:${server.ports.soap}/webservice/services/ProvisioningService"`);
    expect(text).toContain('<wsdlsoap:operation soapAction=""/>');
    expect(XMLValidator.validate(text)).toBe(true);
    const broken = await post('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>');
    expect(broken.status).toBe(500);
    expect(unwrapSoapResponse(broken.body)).toMatchObject({ kind: 'fault', faultstring: 'INVALID_REQUEST' });
  });
});

describe('TLS and shared state', () => {
  test('TLS with the mock certificate as ca; an unverified client is refused by default', async () => {
    expect(server.certificate).toContain('BEGIN CERTIFICATE');
    expect(server.url('tls')).toBe(`tls://localhost:${server.ports.tls}`);
    const secure = await RawOciConnection.tls(schema, server.ports.tls as number, server.certificate as string);
    try {
      expect((await secure.loginPlain()).$type).toBe('LoginResponse22V5');
    } finally {
      await secure.close();
    }
    const untrusting = tlsConnect({ port: server.ports.tls as number, host: 'localhost', servername: 'localhost' });
    const [error] = (await once(untrusting, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    untrusting.destroy();
  });

  test('TCP, TLS and SOAP see one provisioning state', async () => {
    const tcp = await RawOciConnection.tcp(schema, server.ports.tcp as number);
    const tls = await RawOciConnection.tls(schema, server.ports.tls as number, server.certificate as string);
    try {
      await tcp.loginPlain();
      await tls.loginPlain();
      await tcp.one({
        $type: 'ServiceProviderAddRequest13mp2',
        useCustomRoutingProfile: false,
        serviceProviderId: 'shared-sp',
        defaultDomain: 'shared.example',
      });
      expect(await tls.one({ $type: 'ServiceProviderGetRequest22V4', serviceProviderId: 'shared-sp' })).toMatchObject({
        defaultDomain: 'shared.example',
        useCustomRoutingProfile: false,
      });
      const login = await post(envelope([{ $type: 'LoginRequest22V5', userId: 'admin', password: 'admin' }]));
      const got = await post(envelope([{ $type: 'ServiceProviderGetRequest22V4', serviceProviderId: 'shared-sp' }]), { Cookie: cookieOf(login) });
      expect(commandsOf(got)[0]).toMatchObject({ defaultDomain: 'shared.example' });
      expect(errorNumber(await tcp.one({ $type: 'ServiceProviderGetRequest22V4', serviceProviderId: 'not-there' }))).toBe(4010);
    } finally {
      await tcp.close();
      await tls.close();
    }
  });
});
