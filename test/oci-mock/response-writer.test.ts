// The mock's response writer gives, byte for byte, the text of the codec's encodeDocument (the
// reference) for every R25 data response, in realistic and random variants, with escapes,
// characters beyond Latin-1, nil values, derived types and tables; what it declines, the codec
// writes. Each answer object is written once: served again, only its echo is new.
import { loadMockSchema } from '../../runtime/mock/oci/index.js';
import { ResponseBuilder } from '../../runtime/mock/oci/respond.js';
import { type DocumentIdentity, ResponseWriter, WriterDeclined } from '../../runtime/mock/oci/response-writer.js';
import { type OciCommand, encodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { sampleValue } from '../../runtime/oci/sample.js';

let schema: OciSchema;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

/** The reference: what the engine sent before it had its own writer. */
function reference(identity: DocumentIdentity, answers: OciCommand[], echoes: string[]): string {
  return encodeDocument(
    schema,
    { protocol: 'OCI', ...identity, commands: answers.map((a, i) => ({ ...a, echo: echoes[i] })) },
    { encoding: 'ISO-8859-1', validate: false },
  );
}

/** The writer's text, or undefined when it declines. */
function written(writer: ResponseWriter, identity: DocumentIdentity, answers: OciCommand[], echoes: string[]): string | undefined {
  try {
    return writer.document(identity, answers, echoes);
  } catch (error) {
    if (error instanceof WriterDeclined) return undefined;
    throw error;
  }
}

test('every R25 data response, realistic and random, is written as the codec writes it', () => {
  const writer = new ResponseWriter(schema);
  const builder = new ResponseBuilder(schema);
  const types = schema.responseTypes();
  expect(types.length).toBeGreaterThan(1500);
  let compared = 0;
  let declined = 0;
  for (const [i, type] of types.entries()) {
    const variants: OciCommand[] = [builder.template(type) as OciCommand];
    for (const seed of [i + 1, i + 7919]) variants.push({ ...(sampleValue(schema, type, { seed }) as Record<string, unknown>), $type: type } as OciCommand);
    for (const answer of variants) {
      let expected: string;
      try {
        expected = reference({ sessionId: 's' }, [answer], ['e']);
      } catch {
        // A random value the codec refuses: the writer must not produce text for it either.
        expect(written(writer, { sessionId: 's' }, [answer], ['e'])).toBeUndefined();
        continue;
      }
      const text = written(writer, { sessionId: 's' }, [answer], ['e']);
      if (text === undefined) declined++;
      else {
        expect(text).toBe(expected);
        compared++;
      }
    }
  }
  // Nearly everything goes through the writer; the rest (numbers that are not safe integers) through the codec.
  expect(compared).toBeGreaterThan(types.length * 2);
  expect(declined).toBeLessThan(types.length / 2);
}, 120_000);

test('escapes, characters beyond Latin-1, nil, flags, derived types, tables and several commands match the codec', () => {
  const writer = new ResponseWriter(schema);
  const identity = { sessionId: 'sé<ss>ion ☃', trackingId: 't&1' };
  const answers: OciCommand[] = [
    { $type: 'SuccessResponse' },
    { $type: 'ErrorResponse', type: 'Error', summary: '[Error 4008] a < b & "c" ☃', summaryEnglish: 'x\ry', detail: 'd' },
    {
      $type: 'UserGetResponse23V2',
      serviceProviderId: 'sp',
      groupId: 'g',
      lastName: 'Łast 😀',
      firstName: 'Fïrst',
      callingLineIdLastName: 'a>b',
      callingLineIdFirstName: '',
      hiraganaLastName: 'ひらがな',
      language: 'English',
      timeZone: 'America/New_York',
      defaultAlias: 'x@y',
      countryCode: '1',
      allowVideo: true,
      extension: null,
    } as unknown as OciCommand,
    {
      $type: 'GroupAccessDeviceGetUserListResponse21sp1',
      deviceUserTable: { colHeading: ['Last Name', 'First Name'], row: [{ col: ['a&b', ''] }, { col: ['ü', '☃'] }] },
    } as unknown as OciCommand,
  ];
  const echoes = ['', 'e"<&>\t\n☃', 'x', 'y'];
  expect(written(writer, identity, answers, echoes)).toBe(reference(identity, answers, echoes));
  // The same answers again (now from the writer's memory) with other echoes.
  const again = ['1', '2', '3', '4'];
  expect(written(writer, identity, answers, again)).toBe(reference(identity, answers, again));
  // A session-less identity.
  expect(written(writer, { userId: 'u@x' }, answers.slice(0, 1), [''])).toBe(reference({ userId: 'u@x' }, answers.slice(0, 1), ['']));
});

test('what the codec refuses or writes in its own way is declined', () => {
  const writer = new ResponseWriter(schema);
  const declinedOn = (identity: DocumentIdentity, answer: Record<string, unknown>) => {
    expect(() => writer.document(identity, [answer as OciCommand], [''])).toThrow(WriterDeclined);
  };
  declinedOn({ sessionId: 's' }, { $type: 'SuccessResponse', unknownMember: 1 });
  declinedOn({ sessionId: 's' }, { $type: 'ErrorResponse', type: 'Error', summary: 'a\u0001b', summaryEnglish: 'x' });
  declinedOn({ sessionId: 's' }, { $type: 'GroupGetResponse22V5', userLimit: 1.5 });
  declinedOn({ sessionId: 's' }, { $type: 'UserGetRequest23V2', userId: 'x' });
  declinedOn({ sessionId: 's', userId: 'u' }, { $type: 'SuccessResponse' });
  expect(() => writer.document({ sessionId: 's' }, [], [])).toThrow(WriterDeclined);
});
