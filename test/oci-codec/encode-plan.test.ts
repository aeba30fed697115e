// The codec's planned encoder (runtime/oci/encode-plan.ts) writes, byte for byte, the text of the
// metadata walk it replaced (kept as its fallback and reference: encodeCommandByWalk) for every
// R25 request and data response, in realistic and random variants, with escapes, characters
// beyond Latin-1, nil values, derived types and tables; what the walk refuses, encodeCommand
// refuses with the same typed error. The mock's kept answer texts give the same documents.
import { AnswerTexts } from '../../runtime/mock/oci/answer-texts.js';
import { loadMockSchema } from '../../runtime/mock/oci/index.js';
import { ResponseBuilder } from '../../runtime/mock/oci/respond.js';
import { type OciCommand, encodeCommand, encodeCommandByWalk, encodeDocument } from '../../runtime/oci/codec.js';
import { encodePlanOf } from '../../runtime/oci/encode-plan.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { sampleValue } from '../../runtime/oci/sample.js';

let schema: OciSchema;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

/** The walk's text, or its error. */
function byWalk(command: OciCommand): string | Error {
  try {
    return encodeCommandByWalk(schema, command);
  } catch (error) {
    return error as Error;
  }
}

function compareWithWalk(command: OciCommand): 'planned' | 'walked' | 'refused' {
  const expected = byWalk(command);
  if (expected instanceof Error) {
    // encodeCommand refuses it the same way (the plan declines, the walk throws).
    expect(encodePlanOf(schema).command(command)).toBeUndefined();
    expect(() => encodeCommand(schema, command)).toThrow(expected.constructor as new () => Error);
    expect(() => encodeCommand(schema, command)).toThrow(expected.message);
    return 'refused';
  }
  expect(encodeCommand(schema, command)).toBe(expected);
  const planned = encodePlanOf(schema).command(command);
  if (planned === undefined) return 'walked';
  expect(planned).toBe(expected);
  return 'planned';
}

test('every R25 data response and request, realistic and random, is written as the walk writes it', () => {
  const builder = new ResponseBuilder(schema);
  const counts = { planned: 0, walked: 0, refused: 0 };
  const responses = schema.responseTypes();
  const requests = schema.requestTypes();
  expect(responses.length).toBeGreaterThan(1500);
  expect(requests.length).toBeGreaterThan(1500);
  for (const [i, type] of [...responses, ...requests].entries()) {
    const variants: OciCommand[] = [];
    if (i < responses.length) variants.push(builder.template(type) as OciCommand);
    for (const seed of [i + 1, i + 7919]) variants.push({ ...(sampleValue(schema, type, { seed }) as Record<string, unknown>), $type: type } as OciCommand);
    for (const variant of variants) counts[compareWithWalk(variant)]++;
  }
  // Nearly everything goes through the plan; the rest (numbers that are not safe integers) through the walk.
  expect(counts.planned).toBeGreaterThan((responses.length + requests.length) * 2);
  expect(counts.walked).toBeLessThan(responses.length / 2);
}, 240_000);

test('escapes, characters beyond Latin-1, nil, flags, derived types, tables and several commands: documents as before', () => {
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
  for (const answer of answers) expect(compareWithWalk(answer)).toBe('planned');
  const echoes = ['', 'e"<&>\t\n☃', 'x', 'y'];
  const withEchoes = answers.map((a, i) => ({ ...a, echo: echoes[i] }));
  // The walk's document as it was written before the plan: the whole text, references made at the end.
  const walked = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">sé&lt;ss&gt;ion ☃</sessionId><trackingId xmlns="">t&amp;1</trackingId>${withEchoes.map((c) => encodeCommandByWalk(schema, c)).join('')}</BroadsoftDocument>`;
  const latin1 = walked.replace(/[^\x00-\xff]/gu, (c) => `&#${c.codePointAt(0)};`);
  expect(encodeDocument(schema, { ...identity, commands: withEchoes }, { encoding: 'ISO-8859-1', validate: false })).toBe(latin1);
  expect(encodeDocument(schema, { ...identity, commands: withEchoes }, { encoding: 'UTF-8', validate: false })).toBe(walked.replace('ISO-8859-1', 'UTF-8'));

  // The mock's kept answer texts (each answer written once, then only its echo is new) give the same document.
  const texts = new AnswerTexts(schema);
  for (const again of [echoes, ['1', '2', '3', '4']]) {
    const kept = answers.map((a, i) => texts.withEcho(a, again[i] as string));
    for (const k of kept) expect(k).toBeDefined();
    const reference = encodeDocument(
      schema,
      { ...identity, commands: answers.map((a, i) => ({ ...a, echo: again[i] })) },
      { encoding: 'ISO-8859-1', validate: false },
    );
    expect(encodeDocument(schema, { ...identity, commands: kept as never }, { encoding: 'ISO-8859-1', validate: false })).toBe(reference);
  }
  // An answer the codec refuses, or one carrying its own echo, is not kept: the engine encodes it with its echo.
  expect(texts.withEcho({ $type: 'SuccessResponse', unknownMember: 1 } as OciCommand, '')).toBeUndefined();
  expect(texts.withEcho({ $type: 'SuccessResponse', echo: 'own' } as OciCommand, '')).toBeUndefined();
  expect(texts.prepare({ $type: 'UserGetRequest23V2', userId: 'x' } as OciCommand)).toBe(-1);
});

test('what the walk refuses, the planned encoder refuses with the same typed error', () => {
  const refused: Record<string, unknown>[] = [
    { $type: 'SuccessResponse', unknownMember: 1 },
    { $type: 'ErrorResponse', type: 'Error', summary: 'a\u0001b', summaryEnglish: 'x' },
    { $type: 'GroupGetResponse22V5', userLimit: 1.5 },
    { $type: 'NoSuchRequest' },
    { $type: 'OCIRequest' },
    { $type: 'UserGetRequest23V2', userId: ['x'] },
  ];
  for (const command of refused) expect(compareWithWalk(command as OciCommand)).toBe('refused');
  // Numbers beyond the safe integers are the walk's to write (exactly).
  expect(compareWithWalk({ $type: 'GroupGetResponse22V5', userLimit: 2 ** 60 } as unknown as OciCommand)).not.toBe('planned');
});
