// Against the real generated R24 metadata: the release whose XSD spells two element names
// with a trailing space (`permissiveOACDialing `), which the generator collapses.
import { isDeepStrictEqual } from 'node:util';
import { decodeDocument, documentBytes, encodeDocument } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { sampleCommand } from '../../runtime/oci/sample.js';
import { collectIssues } from '../../runtime/oci/validate.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = await OciSchema.load('R24', { eager: true });
}, 60_000);

test('R24: decode(encode(x)) deep-equals x for a sample of every request and response class', () => {
  const types = [...schema.requestTypes(), ...schema.responseTypes()];
  expect(schema.requestTypes().length).toBe(3843);
  const failures: string[] = [];
  for (const type of types) {
    const command = sampleCommand(schema, type, { variant: 1, optional: true, seed: 24 });
    const issues = collectIssues(schema, command);
    if (issues.length > 0) {
      failures.push(`${type}: sample invalid: ${issues[0]!.path}: ${issues[0]!.message}`);
      continue;
    }
    const text = encodeDocument(schema, { sessionId: 'rt', commands: [command] });
    const back = decodeDocument(schema, documentBytes(text)).commands[0];
    if (!isDeepStrictEqual(back, command)) failures.push(`${type}: ${JSON.stringify(command).slice(0, 200)} ≠ ${JSON.stringify(back).slice(0, 200)}`);
  }
  expect(failures.slice(0, 10)).toEqual([]);
}, 60_000);

test('R24: element names spelled with a trailing space are sent and read without it', () => {
  const command = {
    $type: 'SystemDialPlanPolicyGetResponse22V2',
    ...Object.fromEntries(
      Object.entries(sampleCommand(schema, 'SystemDialPlanPolicyGetResponse22V2', { variant: 1, optional: true, seed: 1 })).filter(([k]) => k !== '$type'),
    ),
    permissiveOACDialing: true,
  };
  const text = encodeDocument(schema, { sessionId: 's', commands: [command] });
  expect(text).toContain('<permissiveOACDialing>true</permissiveOACDialing>');
  expect(decodeDocument(schema, documentBytes(text)).commands[0]).toMatchObject({ permissiveOACDialing: true });
});
