// The signed password of the two-step OCI-P login, checked three independent ways: our function
// against the formula computed here with node:crypto (§4.6 of the protocol notes), the mock against
// hand-written XML, and the client against a hand-written server that expects the documented answer.
import { createHash } from 'node:crypto';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { loadMockSchema, type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import { signedPassword } from '../../runtime/oci/auth.js';
import { OciClient } from '../../runtime/oci/client.js';

/** The documented formula, written out: lowercase_hex(MD5(nonce + ":" + lowercase_hex(SHA1(password)))). */
function byHand(nonce: string, password: string): string {
  const sha1 = createHash('sha1').update(Buffer.from(password, 'utf8')).digest('hex');
  return createHash('md5')
    .update(Buffer.from(`${nonce}:${sha1}`, 'utf8'))
    .digest('hex');
}

/** The protocol notes' known answer (nonce, password, SHA1 of the password, signed password). */
const KNOWN = { nonce: '1234567890123', password: 'password', sha1: '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8', signed: '77e4a6de3a1e00be05e121cf0ebee860' };

test('signed password matches the known answer of the OCI-P hashed login', () => {
  expect(signedPassword(KNOWN.nonce, KNOWN.password)).toBe(KNOWN.signed);
});

test('signed password depends on the nonce', () => {
  expect(signedPassword('1234567890124', 'password')).not.toBe(signedPassword('1234567890123', 'password'));
});

test('the formula computed here gives the notes’ known answer, step by step', () => {
  expect(createHash('sha1').update(KNOWN.password).digest('hex')).toBe(KNOWN.sha1);
  expect(createHash('md5').update(`${KNOWN.nonce}:${KNOWN.sha1}`).digest('hex')).toBe(KNOWN.signed);
  expect(byHand(KNOWN.nonce, KNOWN.password)).toBe(KNOWN.signed);
});

test.each([
  ['1493647455426', 'admin'],
  ['0000000000000', ''],
  ['1700000000000', 'S3cret:with:colons'],
  ['1700000000001', 'pässwörd-€'],
  ['9999999999999', 'x'.repeat(200)],
])('signedPassword(%s, …) equals the formula computed by hand', (nonce, password) => {
  expect(signedPassword(nonce, password)).toBe(byHand(nonce, password));
  expect(signedPassword(nonce, password)).toMatch(/^[0-9a-f]{32}$/);
});

const HEAD = '<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';

/** Sends one hand-written document and resolves with the text of the reply. */
function exchange(socket: Socket, xml: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('</BroadsoftDocument>')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.write(`${xml}\n`);
  });
}

describe('the mock checks the formula (hand-written XML, no codec, no signedPassword())', () => {
  let mock: OciMockServer;
  beforeAll(async () => {
    mock = await startOciMock({ release: 'R25', schema: await loadMockSchema('R25'), tcpPort: 0, users: [{ userId: 'ops', password: 'Tr0ub4dor&3' }] });
  }, 60_000);
  afterAll(async () => {
    await mock?.close();
  });

  async function hashedLogin(passwordForSigning: string): Promise<string> {
    const socket = connect(mock.ports.tcp as number, '127.0.0.1');
    socket.on('error', () => {});
    try {
      const session = '<sessionId xmlns="">hand-1</sessionId>';
      const auth = await exchange(
        socket,
        `${HEAD}${session}<command xsi:type="AuthenticationRequest" xmlns=""><userId>ops</userId></command></BroadsoftDocument>`,
      );
      expect(auth).toContain('<passwordAlgorithm>MD5</passwordAlgorithm>');
      const nonce = /<nonce>(\d+)<\/nonce>/.exec(auth)?.[1];
      expect(nonce).toMatch(/^\d{13}$/);
      const signed = byHand(nonce!, passwordForSigning);
      return await exchange(
        socket,
        `${HEAD}${session}<command xsi:type="LoginRequest14sp4" xmlns=""><userId>ops</userId><signedPassword>${signed}</signedPassword></command></BroadsoftDocument>`,
      );
    } finally {
      socket.destroy();
    }
  }

  test('the right password signed by hand logs in', async () => {
    const reply = await hashedLogin('Tr0ub4dor&3');
    expect(reply).toMatch(/xsi:type="LoginResponse14sp4"/);
    expect(reply).toContain('<loginType>System</loginType>');
  });

  test('a wrong password signed by hand is [Error 4962] Invalid password', async () => {
    const reply = await hashedLogin('Tr0ub4dor&4');
    expect(reply).toMatch(/xsi:type="c:ErrorResponse"/);
    expect(reply).toContain('[Error 4962] Invalid password');
  });
});

test('the client sends the documented signed password to a hand-written server that offers the notes’ nonce', async () => {
  const logins: string[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let pending = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('</BroadsoftDocument>')) >= 0) {
        const request = pending.slice(0, end);
        pending = pending.slice(end + '</BroadsoftDocument>'.length).replace(/^\s+/, '');
        const session = /<sessionId[^>]*>([^<]*)<\/sessionId>/.exec(request)?.[1] ?? '';
        const reply = (command: string) =>
          socket.write(
            `<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">${session}</sessionId>${command}</BroadsoftDocument>\n`,
          );
        if (request.includes('"AuthenticationRequest"')) {
          reply(
            `<command echo="" xsi:type="AuthenticationResponse" xmlns=""><userId>ops</userId><nonce>${KNOWN.nonce}</nonce><passwordAlgorithm>MD5</passwordAlgorithm></command>`,
          );
        } else if (request.includes('"LoginRequest14sp4"')) {
          logins.push(request);
          reply(
            '<command echo="" xsi:type="LoginResponse14sp4" xmlns=""><loginType>System</loginType><locale>en_US</locale><encoding>ISO-8859-1</encoding><isEnterprise>false</isEnterprise><userDomain>example.com</userDomain></command>',
          );
        } else {
          reply('<command echo="" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns=""/>');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new OciClient({
    url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    userId: 'ops',
    password: KNOWN.password,
    release: 'R25',
    login: 'hashed14sp4',
  });
  try {
    await client.connect();
    expect(logins).toHaveLength(1);
    expect(logins[0]).toContain(`<signedPassword>${KNOWN.signed}</signedPassword>`);
    expect(logins[0]).not.toContain(KNOWN.password);
  } finally {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 60_000);
