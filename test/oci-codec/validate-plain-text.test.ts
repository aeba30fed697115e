// The validator's one-pass check of plain text (validate.ts plainText) settles only values that
// pass every check; anything else gets the full treatment, so these edge cases report exactly
// what the facets and XML rules say, whichever path decided.
import { OciSchema } from '../../runtime/oci/schema.js';
import { checkSimpleValue } from '../../runtime/oci/validate.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = await OciSchema.load(OciSchema.newestRelease());
  await schema.ensure('UserAddRequest17sp4', 'GroupHuntGroupAddInstanceRequest20');
});

const emoji = '\u{1F600}';
it.each([
  ['LastName', 'Smith', []],
  ['LastName', 'x'.repeat(30), []],
  ['LastName', 'x'.repeat(31), ['longer than 30']],
  ['LastName', '', ['shorter than 1']],
  // xs:token collapses white space before the length is counted.
  ['LastName', `  ${'x'.repeat(30)}  `, []],
  ['LastName', `x  ${'y'.repeat(28)}`, []],
  ['LastName', `${'x'.repeat(15)}\t${'y'.repeat(15)}`, ['longer than 30']],
  ['LastName', '   ', ['shorter than 1']],
  // A surrogate pair is one character.
  ['LastName', emoji.repeat(30), []],
  ['LastName', emoji.repeat(31), ['longer than 30']],
  ['LastName', 'a\u0001b', ['character U+0001 cannot be sent in XML']],
  ['LastName', 'a\ud800b', ['character U+d800 cannot be sent in XML']],
  ['LastName', 'caf\u00e9 \ue000', []],
  ['HuntPolicy', 'Regular', []],
  ['HuntPolicy', ' Regular ', []],
  ['HuntPolicy', 'regular', ["'regular' is not one of: Circular, Regular, Simultaneous, Uniform, Weighted"]],
  ['xs:date', '2026-12-07', []],
  ['xs:date', '2026-13-07', ["'2026-13-07' is not a valid xs:date value"]],
  ['xs:string', ' keeps  spaces ', []],
])('%s %j', (type, value, messages) => {
  expect(checkSimpleValue(schema, type as string, value, 'p').map((i) => i.message)).toEqual(messages);
});
