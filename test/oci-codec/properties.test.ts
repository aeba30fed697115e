// Property tests: any text survives escaping and decoding; tables decode identically on the
// fast scanner path and on the generic path.
import fc from 'fast-check';
import { decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { findInvalidXmlChar } from '../../runtime/oci/xml/escape.js';
import { handIndex } from './hand-schema.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = OciSchema.fromIndex(handIndex());
  await schema.ensureAll();
});

// Any string XML can carry: arbitrary code points (surrogate pairs included), XML specials, CR/LF/tab.
const xmlText = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', ']]>', 'é', '€', '𝄞', 'a', ';', '#'), maxLength: 30 }),
  )
  .filter((s) => findInvalidXmlChar(s) === -1);

test('text and attribute values survive encode → decode, in both encodings', () => {
  fc.assert(
    fc.property(xmlText, xmlText, fc.boolean(), (summary, echo, latin1) => {
      const command = { $type: 'ErrorResponse', type: 'Error', echo, summary, summaryEnglish: summary };
      const text = encodeDocument(schema, { sessionId: 's', commands: [command] }, { encoding: latin1 ? 'ISO-8859-1' : 'UTF-8' });
      expect(decodeDocument(schema, text).commands[0]).toEqual(command);
    }),
    { numRuns: 300 },
  );
});

test('tables: the fast scanner and the generic path agree with the encoded value', () => {
  const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
    fc.record({
      colHeading: fc.array(xmlText, { minLength: width, maxLength: width }),
      row: fc.array(fc.record({ col: fc.array(fc.oneof(fc.constant(''), xmlText), { minLength: width, maxLength: width }) }), { maxLength: 6 }),
    }),
  );
  fc.assert(
    fc.property(table, (userTable) => {
      const command = { $type: 'UserGetListInGroupResponse', userTable };
      const text = encodeDocument(schema, { sessionId: 's', commands: [command] });
      expect(decodeDocument(schema, text).commands[0]).toEqual(command);
      // Pretty-printed and commented: forces the generic path, same result.
      const spaced = text.replace(/<row>/g, '\n  <row>').replace(/<col/g, '<!-- c -->\n    <col');
      expect(decodeDocument(schema, spaced).commands[0]).toEqual(command);
    }),
    { numRuns: 200 },
  );
});

test('arbitrary input never crashes the decoder: it decodes or throws a typed error', () => {
  const base = encodeDocument(schema, {
    sessionId: 's',
    commands: [{ $type: 'UserGetListInGroupResponse', userTable: { colHeading: ['A', 'B'], row: [{ col: ['x&y', ''] }] } }],
  });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: base.length }), fc.integer({ min: 0, max: 20 }), fc.string({ maxLength: 8 }), (at, cut, insert) => {
      const mutated = base.slice(0, at) + insert + base.slice(Math.min(base.length, at + cut));
      try {
        decodeDocument(schema, mutated);
      } catch (e) {
        expect((e as { code?: string }).code).toMatch(/^TH_ERR_OCI_(DECODE|HOSTILE_XML|UNKNOWN_TYPE)$/);
      }
    }),
    { numRuns: 500 },
  );
});
