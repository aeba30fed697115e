// The mock's WSDL through real WSDL-driven SOAP clients, run as child processes against the
// mock on loopback: Python's zeep and PHP's SoapClient each read `?wsdl`, log in and send a Get
// over the same cookie session. A missing client package fails the test with the apt-get line.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { type OciCommand, decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';

const scriptDir = fileURLToPath(new URL('./wsdl-clients/', import.meta.url));
// Debian's python3-zeep lives in the system interpreter; a pyenv or venv `python3` on PATH would not see it.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let schema: OciSchema;
let server: OciMockServer;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({ soapPort: 0, schema, users: [{ userId: 'ops', password: 'wsdl-secret', loginType: 'System' }] });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

function run(program: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { encoding: 'utf8', maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? '') });
    });
  });
}

/** Fails (never skips) with one line naming the Debian packages when the client is not installed. */
async function requireClient(program: string, probe: string[], packages: string): Promise<void> {
  const { code } = await run(program, probe);
  if (code !== 0) throw new Error(`${packages} not installed: apt-get update && apt-get install -y ${packages}`);
}

const documents = () => {
  const doc = (commands: OciCommand[]) => encodeDocument(schema, { sessionId: 'wsdl-client', commands });
  return [doc([{ $type: 'LoginRequest22V5', userId: 'ops', password: 'wsdl-secret' }]), doc([{ $type: 'SystemSoftwareVersionGetRequest' }])];
};

function replies(stdout: string): OciCommand[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => decodeDocument(schema, (JSON.parse(line) as { reply: string }).reply).commands[0] as OciCommand);
}

function expectLoginAndGet(answers: OciCommand[]): void {
  expect(answers.map((a) => a.$type)).toEqual(['LoginResponse22V5', 'SystemSoftwareVersionGetResponse']);
  expect(answers[0]?.loginType).toBe('System');
  expect(answers[1]?.version).toBe('25.0_1.1000');
}

test('zeep (Python) reads the WSDL, logs in and gets', async () => {
  await requireClient(python, ['-c', 'import zeep'], 'python3-zeep');
  const wsdl = `${server.url('soap')}?wsdl`;
  const result = await run(python, [`${scriptDir}zeep-client.py`, wsdl, ...documents()]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expectLoginAndGet(replies(result.stdout));
}, 60_000);

test("PHP's SoapClient reads the WSDL, logs in and gets", async () => {
  await requireClient('php', ['-r', 'exit(class_exists("SoapClient") ? 0 : 1);'], 'php-cli php-soap');
  const wsdl = `${server.url('soap')}?wsdl`;
  const result = await run('php', [`${scriptDir}php-client.php`, wsdl, ...documents()]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expectLoginAndGet(replies(result.stdout));
}, 60_000);
