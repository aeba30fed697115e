// Property test: whatever a client sends (mutated documents, random bytes), the mock answers
// each framed document with exactly one well-formed response document and keeps serving.
import fc from 'fast-check';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { collectIssues } from '../../runtime/oci/validate.js';
import { RawOciConnection } from './raw-client.js';

let schema: OciSchema;
let server: OciMockServer;
let connection: RawOciConnection;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  server = await startOciMock({ tcpPort: 0, schema });
  connection = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  await connection.loginPlain();
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await server?.close();
});

const END = '</BroadsoftDocument>';

/** A valid multi-command document without an XML declaration (a mutation must not leave an unterminated `<?`). */
function baseDocument(): string {
  const text = encodeDocument(schema, {
    sessionId: 'test-session',
    commands: [
      {
        $type: 'UserAddRequest22V2',
        serviceProviderId: 'sp',
        groupId: 'g',
        userId: 'u@x.example',
        lastName: 'Last & <Name>',
        firstName: 'Fïrst',
        callingLineIdLastName: 'L',
        callingLineIdFirstName: 'F',
        extension: '1234',
      },
      {
        $type: 'UserModifyRequest22',
        userId: 'u@x.example',
        phoneNumber: null,
        department: { $type: 'GroupDepartmentKey', serviceProviderId: 'sp', groupId: 'g', name: 'Sales' },
      },
      { $type: 'SystemSoftwareVersionGetRequest', echo: 'e' },
    ],
  });
  return text.slice(text.indexOf('<BroadsoftDocument'));
}

// Mutations stay away from `!` and `?`: an unterminated comment, CDATA or PI would make any
// reader (a real server too) wait for more bytes instead of answering.
const junk = fc.string({ unit: fc.constantFrom(...'<>/&;="\' abcxyz:\n\t\u00e9\u05d0\u0000'.split('')), maxLength: 12 });
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: junk }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 60 }) }),
);

function mutate(text: string, mutations: { kind: 'delete' | 'insert' | 'duplicate'; at: number; length?: number; text?: string }[]): string {
  let out = text;
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + (m.length ?? 1));
    else if (m.kind === 'insert') out = out.slice(0, at) + (m.text ?? '') + out.slice(at);
    else out = out.slice(0, at) + out.slice(at, at + (m.length ?? 1)) + out.slice(at);
  }
  // Exactly one frame per case: drop every root end tag the mutations left, then end the frame.
  return `${out.split(END).join('')}${END}`;
}

test('mutated documents each get exactly one well-formed answer; the session keeps working', async () => {
  const base = baseDocument();
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
      const reply = await connection.sendRaw(mutate(base, mutations));
      const doc = decodeDocument(schema, reply);
      expect(doc.commands.length).toBeGreaterThanOrEqual(1);
      expect(doc.commands.length).toBeLessThanOrEqual(15);
      for (const response of doc.commands) expect(collectIssues(schema, response)).toEqual([]);
    }),
    { numRuns: 300, seed: 20261122 },
  );
  expect(connection.unsolicited).toEqual([]);
  expect((await connection.one({ $type: 'SystemSoftwareVersionGetRequest' })).$type).toBe('SystemSoftwareVersionGetResponse');
}, 60_000);

test('random bytes ending in the root end tag get one [Error 6004] each', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      // Keep `!`/`?` out for the same reason as above.
      const body = Buffer.from(bytes.map((b) => (b === 0x21 || b === 0x3f ? 0x20 : b)));
      const reply = await connection.sendRaw(Buffer.concat([Buffer.from('x'), body, Buffer.from(END)]));
      const doc = decodeDocument(schema, reply);
      expect(doc.commands).toHaveLength(1);
      expect(String(doc.commands[0].summary)).toBe('[Error 6004] OCI XML Request validation error');
    }),
    { numRuns: 150, seed: 7 },
  );
}, 60_000);
