// Wire behaviour of the mock over raw TCP: envelope form, both login flows with the real
// hashing, login errors, sessions, and [Error 6004] validation of every kind.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { RawOciConnection, collectUntil, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;
let connection: RawOciConnection;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({
    tcpPort: 0,
    schema,
    users: [
      { userId: 'admin', password: 'admin' },
      { userId: 'known@example.com', password: 'password', loginType: 'Provisioning' },
    ],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

beforeEach(async () => {
  connection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
});

afterEach(async () => {
  await connection.close();
});

const ROOT = '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">raw-1</sessionId>';

describe('envelope', () => {
  test('answers like a real server: ISO-8859-1 declaration, c:-prefixed core responses, echo and sessionId echoed, trailing newline', async () => {
    const socket = connect(server.ports.tcp as number, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `<?xml version="1.0" encoding="UTF-8"?>${ROOT}<command xmlns="" xsi:type="LogoutRequest" echo="e-1"><userId>admin</userId><reason>Client Logout</reason></command></BroadsoftDocument>\n`,
    );
    const bytes = await collectUntil(socket, (received) => received.includes('</BroadsoftDocument>\n'));
    socket.destroy();
    const text = bytes.toString('latin1');
    expect(text.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>')).toBe(true);
    expect(text.endsWith('</BroadsoftDocument>\n')).toBe(true);
    expect(text).toContain('<sessionId xmlns="">raw-1</sessionId>');
    expect(text).toMatch(/<command echo="e-1" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns=""\/>/);
  });

  test('echo is present (empty) when the request had none, and trackingId comes back', async () => {
    const reply = await connection.sendRaw(
      `${ROOT.replace('</sessionId>', '</sessionId><trackingId xmlns="">track-9</trackingId>')}<command xmlns="" xsi:type="AuthenticationRequest"><userId>admin</userId></command></BroadsoftDocument>`,
    );
    const text = reply.toString('latin1');
    expect(text).toContain('<trackingId xmlns="">track-9</trackingId>');
    expect(text).toMatch(/<command echo="" xsi:type="AuthenticationResponse"/);
  });

  test('accepts the mercury-ocip form (XSI bound to the prefix C on the command), ISO-8859-1 bytes and \\r\\n', async () => {
    const doc = Buffer.from(
      `<?xml version="1.0" encoding="ISO-8859-1"?><BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">raw-2</sessionId><command xmlns="" xmlns:C="http://www.w3.org/2001/XMLSchema-instance" C:type="AuthenticationRequest"><userId>admin</userId></command></BroadsoftDocument>\r`,
      'latin1',
    );
    const reply = await connection.sendRaw(doc);
    expect(reply.toString('latin1')).toContain('xsi:type="AuthenticationResponse"');
  });
});

describe('login', () => {
  test('two-stage hashed login: fresh 13-digit nonce, MD5, signedPassword checked with the §4.6 formula', async () => {
    const auth = await connection.one({ $type: 'AuthenticationRequest', userId: 'known@example.com' });
    expect(auth).toMatchObject({ $type: 'AuthenticationResponse', userId: 'known@example.com', passwordAlgorithm: 'MD5' });
    const nonce = String(auth.nonce);
    expect(nonce).toMatch(/^\d{13}$/);
    expect(Math.abs(Number(nonce) - Date.now())).toBeLessThan(60_000);
    // An independent implementation of the formula, checked against the known answer first.
    const sign = (n: string, p: string) =>
      createHash('md5')
        .update(`${n}:${createHash('sha1').update(p).digest('hex')}`)
        .digest('hex');
    expect(sign('1234567890123', 'password')).toBe('77e4a6de3a1e00be05e121cf0ebee860');
    const login = await connection.one({ $type: 'LoginRequest14sp4', userId: 'known@example.com', signedPassword: sign(nonce, 'password') });
    expect(login).toMatchObject({ $type: 'LoginResponse14sp4', loginType: 'Provisioning', encoding: 'ISO-8859-1', userDomain: 'example.com' });
    expect((await connection.one({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
  });

  test('each AuthenticationRequest gets a new nonce', async () => {
    const a = await connection.one({ $type: 'AuthenticationRequest', userId: 'admin' });
    const b = await connection.one({ $type: 'AuthenticationRequest', userId: 'admin' });
    expect(a.nonce).not.toBe(b.nonce);
  });

  test('single-step LoginRequest22V5 with the plain password', async () => {
    const login = await connection.loginPlain('admin', 'admin');
    expect(login).toMatchObject({ $type: 'LoginResponse22V5', loginType: 'System', encoding: 'ISO-8859-1' });
  });

  test('wrong password → [Error 4962] Invalid password, on both flows, and the session stays logged out', async () => {
    const hashed = await connection.loginHashed('admin', 'wrong');
    expect(hashed.summary).toBe('[Error 4962] Invalid password');
    expect(hashed.summaryEnglish).toBe(hashed.summary);
    expect(hashed.errorCode).toBeUndefined();
    const plain = await connection.loginPlain('admin', 'wrong');
    expect(errorNumber(plain)).toBe(4962);
    expect(errorNumber(await connection.one({ $type: 'SystemSoftwareVersionGetRequest' }))).toBe(4003);
  });

  test('a signed login without a preceding AuthenticationRequest is refused', async () => {
    const login = await connection.one({ $type: 'LoginRequest14sp4', userId: 'admin', signedPassword: '77e4a6de3a1e00be05e121cf0ebee860' });
    expect(errorNumber(login)).toBe(4962);
  });

  test('LoginRequest22V5 with only a signedPassword is refused (AS data mode needs password)', async () => {
    const login = await connection.one({ $type: 'LoginRequest22V5', userId: 'admin', signedPassword: 'abc' });
    expect(errorNumber(login)).toBe(4962);
  });

  test('unknown user → [Error 4008] User not found: <id>', async () => {
    expect((await connection.one({ $type: 'AuthenticationRequest', userId: 'ghost@example.com' })).summary).toBe(
      '[Error 4008] User not found: ghost@example.com',
    );
    expect((await connection.loginPlain('ghost@example.com', 'x')).summary).toBe('[Error 4008] User not found: ghost@example.com');
  });

  test('commands before login get a not-logged-in ErrorResponse; login then lets them through', async () => {
    const before = await connection.one({ $type: 'SystemSoftwareVersionGetRequest' });
    expect(before.$type).toBe('ErrorResponse');
    expect(before.summary).toMatch(/^\[Error 4003\] Not logged in/);
    await connection.loginPlain();
    expect((await connection.one({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
  });

  test('sessions are keyed by sessionId: another sessionId on the same socket is not logged in', async () => {
    await connection.loginPlain();
    const other = await connection.send([{ $type: 'SystemSoftwareVersionGetRequest' }], { sessionId: 'someone-else' });
    expect(other.doc.sessionId).toBe('someone-else');
    expect(errorNumber(other.doc.commands[0])).toBe(4003);
  });

  test('LogoutRequest with a valid reason → SuccessResponse and the session ends; an invalid reason is a 6004', async () => {
    await connection.loginPlain();
    const bad = await connection.one({ $type: 'LogoutRequest', userId: 'admin', reason: 'Connection close' });
    expect(errorNumber(bad)).toBe(6004);
    expect(String(bad.detail)).toContain('reason');
    const logout = await connection.one({ $type: 'LogoutRequest', userId: 'admin', reason: 'Client Logout' });
    expect(logout.$type).toBe('SuccessResponse');
    expect(errorNumber(await connection.one({ $type: 'SystemSoftwareVersionGetRequest' }))).toBe(4003);
  });
});

describe('[Error 6004] validation', () => {
  beforeEach(async () => {
    await connection.loginPlain();
  });

  test('unknown xsi:type: verbatim detail, and the other commands of the batch still run in order', async () => {
    const reply = await connection.sendRaw(
      `${ROOT.replace('raw-1', 'test-session')}<command xmlns="" xsi:type="SystemSoftwareVersionGetRequest" echo="1"/><command xmlns="" xsi:type="LoginRequest" echo="2"><userId>a</userId></command><command xmlns="" xsi:type="SystemSoftwareVersionGetRequest" echo="3"/></BroadsoftDocument>`,
    );
    const text = reply.toString('latin1');
    expect(text).toContain(
      '<summary>[Error 6004] OCI XML Request validation error</summary><summaryEnglish>[Error 6004] OCI XML Request validation error</summaryEnglish><detail><![CDATA[Invalid xsi:type qname: \'LoginRequest\' in element BroadsoftDocument@C\n<command xmlns="" xsi:type="LoginRequest" echo="2">',
    );
    const { commands } = (await import('../../runtime/oci/codec.js')).decodeDocument(schema, reply);
    expect(commands.map((c) => [c.$type, c.echo])).toEqual([
      ['SystemSoftwareVersionGetResponse', '1'],
      ['ErrorResponse', '2'],
      ['SystemSoftwareVersionGetResponse', '3'],
    ]);
  });

  test('a facet violation names the path, e.g. an empty userId (minLength 1)', async () => {
    const reply = await connection.send([{ $type: 'UserGetRequest23V2', userId: '' }, { $type: 'SystemSoftwareVersionGetRequest' }]);
    const [bad, good] = reply.doc.commands;
    expect(errorNumber(bad)).toBe(6004);
    expect(String(bad.detail)).toMatch(/UserGetRequest23V2\.userId/);
    expect(reply.text).toContain('<detail><![CDATA[UserGetRequest23V2.userId');
    expect(good.$type).toBe('SystemSoftwareVersionGetResponse');
  });

  test('a missing required element and an invalid enumeration value are 6004s', async () => {
    const reply = await connection.send([
      { $type: 'GroupGetRequest22V5', serviceProviderId: 'sp' },
      { $type: 'UserGetListInSystemRequest', searchCriteriaUserLastName: [{ mode: 'Ends With', value: 'x', isCaseInsensitive: true }] },
    ]);
    expect(reply.doc.commands.map(errorNumber)).toEqual([6004, 6004]);
  });

  test('more than 15 commands → one 6004', async () => {
    const reply = await connection.send(Array.from({ length: 16 }, () => ({ $type: 'SystemSoftwareVersionGetRequest' })).slice(0, 15));
    expect(reply.doc.commands).toHaveLength(15);
    const sixteen = `${ROOT}${'<command xmlns="" xsi:type="SystemSoftwareVersionGetRequest"/>'.repeat(16)}</BroadsoftDocument>`;
    const text = (await connection.sendRaw(sixteen)).toString('latin1');
    expect(text.match(/<command /g)).toHaveLength(1);
    expect(text).toContain('[Error 6004] OCI XML Request validation error');
    expect(text).toContain('1 to 15 commands');
  });

  test('zero commands → one 6004', async () => {
    const text = (await connection.sendRaw(`${ROOT}</BroadsoftDocument>`)).toString('latin1');
    expect(text.match(/<command /g)).toHaveLength(1);
    expect(text).toContain('[Error 6004]');
  });

  test('malformed XML → one 6004 and the connection keeps working', async () => {
    for (const broken of [
      `${ROOT}<command xmlns="" xsi:type="SystemSoftwareVersionGetRequest"></commnd></BroadsoftDocument>`,
      `${ROOT}<command xmlns="" xsi:type="SystemSoftwareVersionGetRequest"><<</BroadsoftDocument>`,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><BroadsoftDocument protocol="OCI" xmlns="C">&a;</BroadsoftDocument>',
      'not xml at all </BroadsoftDocument>',
    ]) {
      const text = (await connection.sendRaw(broken)).toString('latin1');
      expect(text).toContain('[Error 6004] OCI XML Request validation error');
    }
    expect((await connection.one({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
  });

  test('an unknown element inside a known command is a 6004 for that command only', async () => {
    const text = (
      await connection.sendRaw(
        `${ROOT.replace('raw-1', 'test-session')}<command xmlns="" xsi:type="UserGetRequest23V2"><userId>a</userId><bogus>1</bogus></command><command xmlns="" xsi:type="SystemSoftwareVersionGetRequest"/></BroadsoftDocument>`,
      )
    ).toString('latin1');
    expect(text).toContain('[Error 6004]');
    expect(text).toContain('SystemSoftwareVersionGetResponse');
  });
});

describe('other setups', () => {
  test('release R24 is served with its own metadata', async () => {
    const r24 = await loadMockSchema('R24');
    const old = await startOciMock({ tcpPort: 0, schema: r24 });
    const raw = await RawOciConnection.tcp(r24, old.ports.tcp as number);
    try {
      expect(old.release).toBe('R24');
      expect((await raw.loginHashed()).$type).toBe('LoginResponse14sp4');
      const userGet = r24.latest('UserGetRequest') as string;
      expect(errorNumber(await raw.one({ $type: userGet, userId: 'nobody' }))).toBe(4008);
      // Major version 25 exists only in R25: an R24 server does not know it.
      const reply = await raw.sendRaw(
        `${ROOT.replace('raw-1', 'test-session')}<command xmlns="" xsi:type="SystemAdviceOfChargeGetRequest25"/></BroadsoftDocument>`,
      );
      expect(reply.toString('latin1')).toContain("Invalid xsi:type qname: 'SystemAdviceOfChargeGetRequest25'");
    } finally {
      await raw.close();
      await old.close();
    }
  }, 60_000);

  test('accounts from a JSON users file, with their login types', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oci-mock-users-'));
    const file = join(dir, 'users.json');
    writeFileSync(
      file,
      JSON.stringify({ users: [{ userId: 'sp-admin@example.net', password: 'pw', loginType: 'Service Provider', serviceProviderId: 'sp1' }] }),
    );
    const withFile = await startOciMock({ tcpPort: 0, schema, users: file });
    const raw = await RawOciConnection.tcp(schema, withFile.ports.tcp as number);
    try {
      expect(await raw.loginPlain('sp-admin@example.net', 'pw')).toMatchObject({
        loginType: 'Service Provider',
        serviceProviderId: 'sp1',
        userDomain: 'example.net',
      });
      expect(errorNumber(await raw.loginPlain('admin', 'admin'))).toBe(4008);
    } finally {
      await raw.close();
      await withFile.close();
      rmSync(dir, { recursive: true, force: true });
    }
    writeFileSync(join(tmpdir(), 'oci-mock-bad-users.json'), '[{"userId": "x", "password": "y", "loginType": "Boss"}]');
    await expect(startOciMock({ tcpPort: 0, schema, users: join(tmpdir(), 'oci-mock-bad-users.json') })).rejects.toMatchObject({
      code: 'TH_ERR_OCI_MOCK_USERS',
      message: expect.stringContaining('loginType'),
    });
    rmSync(join(tmpdir(), 'oci-mock-bad-users.json'), { force: true });
  });
});
