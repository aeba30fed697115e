// The one request-name resolver (runtime/oci/names.ts) against the real R24 and R25 releases.
import fc from 'fast-check';
import { decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import { OciUnknownTypeError } from '../../runtime/oci/errors.js';
import {
  nearestNames,
  newestOfFamily,
  requestClassNames,
  requestFamilyNames,
  requireTypeName,
  resolveRequestName,
  suggestFieldNames,
  suggestTypeNames,
} from '../../runtime/oci/names.js';
import { sampleCommand } from '../../runtime/oci/sample.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { OciClient } from '../../runtime/oci/client.js';

let r25: OciSchema;
let r24: OciSchema;

beforeAll(async () => {
  [r25, r24] = await Promise.all([OciSchema.load('R25'), OciSchema.load('R24')]);
}, 60_000);

/** Families whose unversioned name is itself a class, and whose newest version is another class. */
function shadowedFamilies(schema: OciSchema): string[] {
  return requestFamilyNames(schema).filter((f) => schema.has(f) && newestOfFamily(schema, f) !== f);
}

test('the issue example: a class that is also a family name means exactly that class, with its newer version named', () => {
  const resolved = resolveRequestName(r25, 'UserVoiceMessagingUserModifyVoiceManagementRequest');
  expect(resolved).toEqual({
    type: 'UserVoiceMessagingUserModifyVoiceManagementRequest',
    family: 'UserVoiceMessagingUserModifyVoiceManagementRequest',
    viaFamily: false,
    deprecated: true,
    newer: 'UserVoiceMessagingUserModifyVoiceManagementRequest23',
  });
  expect(resolveRequestName(r25, 'UserVoiceMessagingUserModifyVoiceManagementRequest@latest')).toMatchObject({
    type: 'UserVoiceMessagingUserModifyVoiceManagementRequest23',
    viaFamily: true,
  });
});

test.each([
  ['R25', () => r25],
  ['R24', () => r24],
])(
  'exact class round trip for every %s family whose unversioned name is a class',
  async (_release, get) => {
    const schema = get();
    const families = shadowedFamilies(schema);
    expect(families.length).toBeGreaterThan(100);
    await schema.ensure(...families);
    for (const family of families) {
      const resolved = resolveRequestName(schema, family);
      expect(resolved.type).toBe(family);
      expect(resolved.viaFamily).toBe(false);
      expect(resolved.newer).toBe(newestOfFamily(schema, family));
      const command = sampleCommand(schema, family);
      const xml = encodeDocument(schema, { sessionId: 's', commands: [command] });
      expect(xml).toContain(`xsi:type="${family}"`);
      expect(decodeDocument(schema, xml).commands[0]?.$type).toBe(family);
    }
  },
  120_000,
);

test('a family that is not a class, and Family@latest, mean the newest version', () => {
  expect(r25.has('UserGetRequest')).toBe(false);
  expect(resolveRequestName(r25, 'UserGetRequest')).toEqual({ type: 'UserGetRequest23V2', family: 'UserGetRequest', viaFamily: true, deprecated: false });
  expect(resolveRequestName(r25, 'UserGetRequest@latest').type).toBe('UserGetRequest23V2');
  expect(resolveRequestName(r25, 'UserGetRequest22V5')).toMatchObject({ type: 'UserGetRequest22V5', viaFamily: false, newer: 'UserGetRequest23V2' });
  expect(resolveRequestName(r25, 'UserGetRequest23V2')).toEqual({ type: 'UserGetRequest23V2', family: 'UserGetRequest', viaFamily: false, deprecated: false });
});

test('unknown names throw OciUnknownTypeError with suggestions: nearest names, case-only differences, the family newest', () => {
  const typo = catchUnknown(() => resolveRequestName(r25, 'UserGetRequst'));
  expect(typo.code).toBe('TH_ERR_OCI_UNKNOWN_TYPE');
  expect(typo.suggestions[0]).toBe('UserGetRequest');
  expect(typo.message).toMatch(/did you mean UserGetRequest\b/);
  expect(catchUnknown(() => resolveRequestName(r25, 'usergetrequest23v2')).suggestions[0]).toBe('UserGetRequest23V2');
  // A version the release does not have: the family's newest first.
  expect(catchUnknown(() => resolveRequestName(r25, 'UserGetRequest99')).suggestions[0]).toBe('UserGetRequest23V2');
  expect(catchUnknown(() => resolveRequestName(r25, 'NoSuchThingAtAllRequest')).suggestions).toEqual([]);
  expect(catchUnknown(() => resolveRequestName(r25, 'NoSuchFamilyRequest@latest')).message).toMatch(/no request family/);
  expect(suggestTypeNames(r25, 'GroupGetListInServiceProviderRequst')).toContain('GroupGetListInServiceProviderRequest');
});

test('requireTypeName (codec, send, sendBatch) takes classes only and points a family to its newest class and to call()', () => {
  expect(requireTypeName(r25, 'UserGetRequest22V5')).toBe('UserGetRequest22V5');
  const family = catchUnknown(() => requireTypeName(r25, 'UserGetRequest'));
  expect(family.suggestions).toEqual(['UserGetRequest23V2']);
  expect(family.message).toMatch(/UserGetRequest is a request family, not a class: send \$type 'UserGetRequest23V2'.*call\('UserGetRequest', fields\)/);
  expect(() => encodeDocument(r25, { sessionId: 's', commands: [{ $type: 'UserGetRequest', userId: 'u' }] })).toThrow(/call\('UserGetRequest'/);
});

test('send and sendBatch accept what encode accepts: a family name fails before any round trip and points to call()', async () => {
  // Port 9 on loopback: nothing listens, and nothing is ever sent because the command is refused first.
  const client = new OciClient({ url: 'tcp://127.0.0.1:9', userId: 'u', password: 'p', schema: r25 });
  const [result] = await client.sendBatch([{ $type: 'UserGetRequest', userId: 'u' }]);
  expect(result?.ok).toBe(false);
  expect(result && !result.ok && result.error).toMatchObject({ code: 'TH_ERR_OCI_UNKNOWN_TYPE', suggestions: ['UserGetRequest23V2'] });
  await expect(client.send({ $type: 'UserGetRequst', userId: 'u' })).rejects.toMatchObject({ suggestions: expect.arrayContaining(['UserGetRequest']) });
  expect(client.stats.documents).toBe(0);
  await client.close();
});

test('suggestFieldNames: case-only differences first, then near names', () => {
  expect(suggestFieldNames(['serviceProviderId', 'GroupId', 'responseSizeLimit'], 'groupId')).toEqual(['GroupId']);
  expect(suggestFieldNames(['serviceProviderId', 'groupId'], 'serviceProvider')).toEqual(['serviceProviderId']);
  expect(suggestFieldNames(['a', 'b'], 'completelyDifferent')).toEqual([]);
});

test('requestClassNames and requestFamilyNames read the index only (nothing loaded)', async () => {
  const fresh = await OciSchema.load('R25');
  const classes = requestClassNames(fresh);
  expect(classes).toContain('UserGetRequest23V2');
  expect(classes).toContain('UserVoiceMessagingUserModifyVoiceManagementRequest');
  expect(classes).not.toContain('UserGetResponse23V2');
  expect(classes.every((c) => c.includes('Request'))).toBe(true);
  expect(requestFamilyNames(fresh)).toContain('UserGetRequest');
  expect(fresh.isLoaded('UserGetRequest23V2')).toBe(false);
});

test('nearestNames keeps exactly the candidates within the distance bound, closest first (property, against a plain Levenshtein)', () => {
  const levenshtein = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 12 });
  fc.assert(
    fc.property(fc.uniqueArray(word, { maxLength: 20 }), word, (candidates, name) => {
      const bound = Math.max(2, Math.floor(name.length / 3));
      const expected = candidates
        .map((n) => ({ n, d: levenshtein(n, name) }))
        .filter((x) => x.d <= bound)
        .sort((x, y) => x.d - y.d || x.n.localeCompare(y.n))
        .map((x) => x.n);
      expect(nearestNames(candidates, name, 100)).toEqual(expected);
    }),
    { numRuns: 500 },
  );
});

function catchUnknown(run: () => unknown): OciUnknownTypeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OciUnknownTypeError);
    return error as OciUnknownTypeError;
  }
  throw new Error('expected OciUnknownTypeError');
}
