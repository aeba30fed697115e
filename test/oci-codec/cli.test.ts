// `hammer oci encode` / `hammer oci decode` through the real CLI entry point.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function hammer(args: string[], stdin: string | Buffer): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hammer.mjs', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.end(stdin);
  });
}

test('encode (family name, ISO-8859-1 bytes) then decode back', async () => {
  const input = JSON.stringify({ sessionId: 's1', commands: [{ $type: 'UserGetRequest', userId: 'müller€@example.com' }] });
  const enc = await hammer(['oci', 'encode', '--release', 'R25', '--encoding', 'ISO-8859-1'], input);
  expect(enc.stderr).toBe('');
  expect(enc.code).toBe(0);
  const text = enc.stdout.toString('latin1');
  expect(text).toBe(
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<sessionId xmlns="">s1</sessionId><command xmlns="" xsi:type="UserGetRequest23V2"><userId>müller&#8364;@example.com</userId></command></BroadsoftDocument>\n',
  );
  expect(enc.stdout.includes(Buffer.from([0x6d, 0xfc]))).toBe(true); // "mü" as one Latin-1 byte
  const dec = await hammer(['oci', 'decode', '--release', 'R25'], enc.stdout);
  expect(dec.code).toBe(0);
  expect(JSON.parse(dec.stdout.toString('utf8'))).toEqual({
    protocol: 'OCI',
    sessionId: 's1',
    commands: [{ $type: 'UserGetRequest23V2', userId: 'müller€@example.com' }],
  });
}, 60_000);

test('bad input exits 1 with one clear line', async () => {
  const invalid = await hammer(
    ['oci', 'encode'],
    JSON.stringify({ sessionId: 's', commands: [{ $type: 'LogoutRequest', userId: 'u', reason: 'Connection close' }] }),
  );
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toBe(
    "hammer: TH_ERR_OCI_VALIDATION: LogoutRequest.reason: 'Connection close' is not one of: Client Logout, Server Connection Failure, Open Client Server Forced Logout\n",
  );
  const notJson = await hammer(['oci', 'encode'], 'nope\n');
  expect(notJson.code).toBe(1);
  expect(notJson.stderr).toMatch(/^hammer: TH_ERR_OCI_CLI_INPUT: stdin is not valid JSON: [^\n]*\n$/);
  const unknown = await hammer(['oci', 'encode'], JSON.stringify({ sessionId: 's', commands: [{ $type: 'FrobnicateRequest' }] }));
  expect(unknown.stderr).toMatch(/^hammer: TH_ERR_OCI_UNKNOWN_TYPE: unknown OCI-P type 'FrobnicateRequest'[^\n]*\n$/);
  const malformed = await hammer(['oci', 'decode'], '<BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">s</sessionId>');
  expect(malformed.code).toBe(1);
  expect(malformed.stderr).toMatch(/^hammer: TH_ERR_OCI_DECODE: unexpected end of document inside <BroadsoftDocument> at line 1[^\n]*\n$/);
}, 60_000);
