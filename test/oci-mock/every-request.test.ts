// Schema-driven: one synthesised valid request of EVERY request type of R25 goes through TCP
// to the mock in documents of 15; every answer must decode, validate against the schema, and
// be the paired data response, SuccessResponse, or an ErrorResponse of the modelled kind.
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { type OciCommand, encodeDocument } from '../../runtime/oci/codec.js';
import { sampleCommand } from '../../runtime/oci/sample.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { collectIssues } from '../../runtime/oci/validate.js';
import { RawOciConnection, errorNumber } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({ tcpPort: 0, schema });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

test('every R25 request type gets a decodable, schema-valid answer of the right kind', async () => {
  const requestTypes = schema.requestTypes();
  // 3,989 types derive from OCIRequest; the two CallCenterAgent ones are data types, not commands (oci-protocol.md §2.4).
  expect(requestTypes.length).toBe(3987);
  const connection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  try {
    expect((await connection.loginPlain()).$type).toBe('LoginResponse22V5');
    // LogoutRequest ends the session: it goes last, alone.
    const ordered = [...requestTypes.filter((t) => t !== 'LogoutRequest'), 'LogoutRequest'];
    // A few samples cannot be written by the codec (same-named members in two choice branches,
    // oci-protocol.md §2.8): they are counted and listed, not sent.
    const samples = new Map<string, OciCommand>();
    const unencodable: string[] = [];
    ordered.forEach((type, i) => {
      const command = { ...sampleCommand(schema, type, { seed: i }), echo: String(i) };
      try {
        encodeDocument(schema, { sessionId: 'probe', commands: [command] }, { validate: false });
        samples.set(type, command);
      } catch {
        unencodable.push(type);
      }
    });
    const sendable = ordered.filter((t) => samples.has(t));
    const counts = { data: 0, success: 0, modelledError: 0 };
    const errorNumbers = new Map<number, number>();
    const problems: string[] = [];
    for (let i = 0; i < sendable.length; i += 15) {
      const batch = sendable.slice(i, i + 15);
      const commands = batch.map((type) => samples.get(type) as OciCommand);
      const reply = await connection.send(commands);
      expect(reply.doc.commands).toHaveLength(batch.length);
      reply.doc.commands.forEach((response: OciCommand, j: number) => {
        const requestType = batch[j];
        const expected = schema.responseTypeOf(requestType);
        if (response.echo !== commands[j].echo) problems.push(`${requestType}: echo ${String(response.echo)}`);
        if (response.$type === 'ErrorResponse') {
          const n = errorNumber(response);
          // 6004 would mean the mock rejected a valid request; 6000 a handler crash.
          if (n === undefined || n === 6004 || n === 6000) problems.push(`${requestType}: ${String(response.summary)} ${String(response.detail ?? '')}`);
          else {
            counts.modelledError++;
            errorNumbers.set(n, (errorNumbers.get(n) ?? 0) + 1);
          }
          return;
        }
        if (response.$type === 'SuccessResponse' && expected === 'SuccessResponse') counts.success++;
        else if (response.$type === expected) counts.data++;
        else problems.push(`${requestType}: answered ${response.$type}, expected ${expected}`);
        const issues = collectIssues(schema, response);
        if (issues.length > 0) problems.push(`${requestType}: invalid ${response.$type}: ${issues[0].path}: ${issues[0].message}`);
      });
    }
    expect(problems).toEqual([]);
    const total = counts.data + counts.success + counts.modelledError;
    expect(total).toBe(sendable.length);
    expect(total + unencodable.length).toBe(3987);
    expect(unencodable.length).toBeLessThan(40);
    // The figures quoted in docs/oci-mock.md.
    process.stdout.write(
      `every-request: ${total} requests sent: ${counts.data} data responses, ${counts.success} SuccessResponse, ${counts.modelledError} modelled ErrorResponse` +
        ` (${[...errorNumbers].map(([n, c]) => `${n}×${c}`).join(', ')})` +
        `${unencodable.length ? `; ${unencodable.length} samples the codec cannot encode: ${unencodable.join(', ')}` : ''}\n`,
    );
    // The mock starts empty and the samples name random objects: modelled requests answer the
    // real "not found" errors (user, group, service provider, device, instance, …), the rest data.
    expect(counts.data).toBeGreaterThan(1000);
    const notFound = [4008, 4152, 4010, 4221, 4401, 4402, 4640, 4642, 4644, 4999];
    const other = [...errorNumbers].filter(([n]) => !notFound.includes(n));
    expect(other).toEqual([]);
  } finally {
    await connection.close();
  }
}, 120_000);
