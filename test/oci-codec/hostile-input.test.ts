// Issue 8 regressions for the OCI-P decoder, the table helpers and the text⇄bytes module: every
// case names the defect it pins down. Documents are written by hand; bytes in other encodings too.
import { decodeDocument, documentText, encodeDocument, ociJsonReplacer } from '../../runtime/oci/codec.js';
import { OciDecodeError, OciDocumentEncodingError, OciLimitError, OciReleaseNameError, OciValidationError } from '../../runtime/oci/errors.js';
import { isReleaseName } from '../../runtime/oci/release-name.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { camelKey, column, type OciTable, OciTableError, tableToCsv, tableToJson, toRecords } from '../../runtime/oci/table.js';
import { validateCommand } from '../../runtime/oci/validate.js';
import { DEFAULT_XML_LIMITS, resolveXmlLimits, type XmlLimits } from '../../runtime/oci/xml/reader.js';
import { codePointLength, decodeXmlBytes, encodeXmlText } from '../../runtime/oci/xml/text.js';
import { handIndex } from './hand-schema.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = OciSchema.fromIndex(handIndex());
  await schema.ensureAll();
});

const ROOT = '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n${ROOT}`;
const doc = (body: string) => `${HEAD}<sessionId xmlns="">s</sessionId>${body}</BroadsoftDocument>`;
const tableDoc = (inner: string) => doc(`<command echo="" xsi:type="UserGetListInGroupResponse" xmlns=""><userTable>${inner}</userTable></command>`);
const logout = '<command xmlns="" xsi:type="LogoutRequest"><userId>u</userId></command>';

/** The typed error decoding `input` throws (fails the test when it decodes or throws anything untyped). */
function decodeError(input: string | Buffer, limits?: XmlLimits): OciDecodeError {
  try {
    decodeDocument(schema, input, { limits });
  } catch (error) {
    expect(error).toBeInstanceOf(OciDecodeError);
    return error as OciDecodeError;
  }
  throw new Error('decoding succeeded');
}

describe('untyped crashes (issue 8, crashes 1–3)', () => {
  test('1: <row xsi:nil="true"/> in a table is a typed error naming the path', () => {
    const error = decodeError(tableDoc('<colHeading>User Id</colHeading><row xsi:nil="true"/>'));
    expect(error.code).toBe('TH_ERR_OCI_DECODE');
    expect(error.message).toMatch(/userTable\.row\[0\]: <row> is not nillable/);
    expect(error.message).toMatch(/line 2, column \d+/);
  });

  test('2: <colHeading xsi:nil="true"/> is refused, so no null heading reaches toRecords', () => {
    const error = decodeError(tableDoc('<colHeading xsi:nil="true"/><row><col>a</col></row>'));
    expect(error.message).toMatch(/colHeading\[0\]: <colHeading> is not nillable/);
  });

  test('3: table helpers check every row and cell of a table built in JavaScript', () => {
    const bad: [unknown, RegExp][] = [
      [{ colHeading: ['A'], row: [null] }, /row\[0\] is null/],
      [{ colHeading: ['A'], row: [{}] }, /row\[0\]\.col is missing/],
      [{ colHeading: ['A'], row: [{ col: [1] }] }, /row\[0\]\.col\[0\] is a number/],
      [{ colHeading: [null], row: [] }, /colHeading\[0\] is null/],
      [{ colHeading: ['A'], row: [{ col: ['x'] }, { col: 'x' }] }, /row\[1\]\.col is a string/],
      [null, /not an OCI table/],
    ];
    const helpers: ((t: OciTable) => unknown)[] = [(t) => column(t, 'A'), (t) => toRecords(t, { keys: 'camel' }), (t) => toRecords(t), tableToCsv, tableToJson];
    for (const [table, message] of bad) {
      for (const helper of helpers) {
        let caught: unknown;
        try {
          helper(table as OciTable);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(OciTableError);
        expect((caught as OciTableError).code).toBe('TH_ERR_OCI_TABLE_SHAPE');
        expect((caught as Error).message).toMatch(message);
      }
    }
    expect(toRecords({ colHeading: ['User Id'], row: [{ col: ['u1'] }] }, { keys: 'camel' })).toEqual([{ userId: 'u1' }]);
    expect(camelKey('Line/Port')).toBe('linePort');
  });
});

describe('bad input accepted as valid (issue 8, 1–5)', () => {
  test('1: a root whose < is replaced by another character', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\nX${ROOT.slice(1)}<sessionId xmlns="">s</sessionId>${logout}</BroadsoftDocument>`;
    expect(decodeError(text).message).toMatch(/expected the root element at line 2, column 1/);
  });

  test('2: the envelope is checked: order, exactly one identity', () => {
    const envelope = (body: string) => `${HEAD}${body}</BroadsoftDocument>`;
    expect(decodeError(envelope(`${logout}<sessionId xmlns="">s</sessionId>`)).message).toMatch(/<command> before the identity/);
    expect(decodeError(envelope(`<sessionId xmlns="">s</sessionId><userId xmlns="">u</userId>${logout}`)).message).toMatch(
      /<userId> after <sessionId>: a document carries exactly one of/,
    );
    expect(decodeError(envelope(logout)).message).toMatch(/<command> before the identity/);
    expect(decodeError(envelope('')).message).toMatch(/BroadsoftDocument has no sessionId/);
    expect(decodeError(envelope(`<trackingId xmlns="">t</trackingId><sessionId xmlns="">s</sessionId>${logout}`)).message).toMatch(
      /<trackingId> before the identity/,
    );
    expect(decodeError(envelope(`<sessionId xmlns="">s</sessionId>${logout}<trackingId xmlns="">t</trackingId>`)).message).toMatch(
      /<trackingId> after a command/,
    );
    // The legal orders still decode.
    const ok = decodeDocument(schema, envelope(`<userId xmlns="">u</userId><trackingId xmlns="">t</trackingId>${logout}`));
    expect(ok).toEqual({ protocol: 'OCI', userId: 'u', trackingId: 't', commands: [{ $type: 'LogoutRequest', userId: 'u' }] });
  });

  test('3: a nil element with content, or with an unrelated xsi:type', () => {
    const modify = (inner: string) => doc(`<command xmlns="" xsi:type="UserModifyRequest22"><userId>u</userId>${inner}</command>`);
    expect(decodeError(modify('<locationDialingCode xsi:nil="true">12</locationDialingCode>')).message).toMatch(
      /locationDialingCode: text inside <locationDialingCode>, which must be empty \(xsi:nil="true"\)/,
    );
    expect(decodeError(modify('<department xsi:type="GroupDepartmentKey" xsi:nil="true"><name>x</name></department>')).message).toMatch(
      /content inside <department>, which must be empty/,
    );
    expect(decodeError(modify('<department xsi:type="StreetAddress" xsi:nil="true"/>')).message).toMatch(/xsi:type StreetAddress is not a DepartmentKey/);
    // Nil done right: empty, with a subtype of the declared type (or none), whitespace allowed.
    const ok = decodeDocument(schema, modify('<department xsi:type="GroupDepartmentKey" xsi:nil="true"> </department><locationDialingCode xsi:nil="true"/>'));
    expect(ok.commands[0]).toEqual({ $type: 'UserModifyRequest22', userId: 'u', department: null, locationDialingCode: null });
  });

  test('4: integers, foreign attributes, xsi:type on a simple element, a second XML declaration', () => {
    const error = (errorCode: string) =>
      doc(
        `<command xmlns="" xsi:type="c:ErrorResponse" xmlns:c="C" type="Error"><errorCode>${errorCode}</errorCode><summary>s</summary><summaryEnglish>s</summaryEnglish></command>`,
      );
    expect(decodeError(error('1.5')).message).toMatch(/'1.5' is not an integer \(xs:int\)/);
    expect(decodeError(error('1e400')).message).toMatch(/'1e400' is not an integer/);
    expect(decodeError(error('2147483648')).message).toMatch(/outside the xs:int range/);
    expect((decodeDocument(schema, error(' -2147483648 ')).commands[0] as unknown as { errorCode: number }).errorCode).toBe(-2147483648);
    expect(decodeError(doc('<command xmlns="" xmlns:f="urn:f" f:x="1" xsi:type="LogoutRequest"><userId>u</userId></command>')).message).toMatch(
      /attribute f:x \(namespace urn:f\) is not allowed on <command>/,
    );
    expect(decodeError(doc('<command xmlns="" xsi:type="LogoutRequest"><userId xml:lang="en">u</userId></command>')).message).toMatch(
      /attribute xml:lang .* is not allowed on <userId>/,
    );
    expect(decodeError(doc('<command xmlns="" xsi:type="LogoutRequest"><userId xsi:type="UserId">u</userId></command>')).message).toMatch(
      /xsi:type on <userId>, which has a simple type/,
    );
    expect(decodeError(doc(`<?xml version="1.0"?>${logout}`)).message).toMatch(/an XML declaration is only allowed once/);
    expect(decodeError(`<?xml version="1.0"?><?xml version="1.0"?>${ROOT}<sessionId xmlns="">s</sessionId>${logout}</BroadsoftDocument>`).message).toMatch(
      /an XML declaration is only allowed once/,
    );
  });

  test('5: NaN and infinities of xs:float print as their XML forms in JSON, never as null, and encode back', () => {
    const ratio = (text: string) => doc(`<command xmlns="" xsi:type="SystemCPEConfigParametersModifyRequest"><ratio>${text}</ratio></command>`);
    const decoded = ['NaN', 'INF', '-INF'].map((text) => decodeDocument(schema, ratio(text)).commands[0]!);
    const json = JSON.stringify(decoded, ociJsonReplacer);
    expect(json).not.toMatch(/null/);
    const parsed = JSON.parse(json) as { ratio: string }[];
    expect(parsed.map((c) => c.ratio)).toEqual(['NaN', 'INF', '-INF']);
    for (const command of parsed as unknown as { $type: string }[]) validateCommand(schema, command);
    const text = encodeDocument(schema, { sessionId: 's', commands: parsed as unknown as { $type: string }[] });
    expect(text).toContain('<ratio>NaN</ratio>');
    expect(text).toContain('<ratio>-INF</ratio>');
    expect(JSON.stringify({ nil: null, n: 1.5 }, ociJsonReplacer)).toBe('{"nil":null,"n":1.5}');
  });

  test('8: a release name that is a path is refused as a bad release name', async () => {
    await expect(OciSchema.load('../../etc')).rejects.toThrow(OciReleaseNameError);
    await expect(OciSchema.load('../../etc')).rejects.toMatchObject({ code: 'TH_ERR_OCI_RELEASE_NAME' });
    for (const bad of ['', '..', 'R25/../x', '/etc', 'R25\\x', '.hidden']) expect(isReleaseName(bad)).toBe(false);
    for (const good of ['R25', 'R24sp1', 'R26-beta', '26.0']) expect(isReleaseName(good)).toBe(true);
  });
});

describe('limits are named options, each with its own code', () => {
  const cases: [string, XmlLimits, string, RegExp][] = [
    ['maxDepth', { maxDepth: 2 }, doc(logout), /TH_ERR_OCI_LIMIT_DEPTH/],
    ['maxAttributes', { maxAttributes: 3 }, doc('<command xmlns="" xsi:type="LogoutRequest" a="1" b="2" c="3"><userId>u</userId></command>'), /ATTRIBUTES/],
    ['maxNameLength', { maxNameLength: 20 }, doc(`<command xmlns="" xsi:type="LogoutRequest"><${'n'.repeat(21)}/></command>`), /NAME_LENGTH/],
    ['maxDocumentLength', { maxDocumentLength: 100 }, doc(logout), /DOCUMENT_SIZE/],
    [
      'maxStringLength',
      { maxStringLength: 10 },
      doc(`<command xmlns="" xsi:type="LogoutRequest"><userId>${'u'.repeat(11)}</userId></command>`),
      /STRING_LENGTH/,
    ],
  ];
  test.each(cases)('%s', (limit, limits, text) => {
    const error = decodeError(text, limits);
    expect(error).toBeInstanceOf(OciLimitError);
    expect((error as OciLimitError).limit).toBe(limit);
    expect(error.code).toMatch(cases.find((c) => c[0] === limit)![3]);
    expect(error.message).toContain(`limit ${limit} = ${(limits as Record<string, number>)[limit]}`);
  });

  test('a Buffer is measured before it is decoded; a bad limit value is refused', () => {
    expect(decodeError(Buffer.from(doc(logout)), { maxDocumentLength: 100 }).code).toBe('TH_ERR_OCI_LIMIT_DOCUMENT_SIZE');
    expect(() => decodeDocument(schema, doc(logout), { limits: { maxDepth: 0 } })).toThrow(/maxDepth must be a positive integer/);
  });

  test('one limits object reused across documents: resolved once, and a change to it still takes effect', () => {
    const limits: XmlLimits = { maxStringLength: 100 };
    const long = doc(`<command xmlns="" xsi:type="LogoutRequest"><userId>${'u'.repeat(11)}</userId></command>`);
    expect(resolveXmlLimits(limits)).toBe(resolveXmlLimits(limits));
    expect(Object.isFrozen(resolveXmlLimits(limits))).toBe(true);
    expect(decodeDocument(schema, long, { limits }).commands[0]).toEqual({ $type: 'LogoutRequest', userId: 'u'.repeat(11) });
    limits.maxStringLength = 10;
    expect(decodeError(long, limits).code).toBe('TH_ERR_OCI_LIMIT_STRING_LENGTH');
    limits.maxStringLength = -1;
    expect(() => decodeDocument(schema, long, { limits })).toThrow(/maxStringLength must be a positive integer/);
    // A resolved set is taken as it is, and the defaults when none is given.
    expect(resolveXmlLimits(resolveXmlLimits({ maxDepth: 5 })).maxDepth).toBe(5);
    expect(resolveXmlLimits()).toBe(DEFAULT_XML_LIMITS);
  });

  test('namespace scopes stay right under many bindings per level (the lookup is per prefix, not a walk)', () => {
    const bindings = Array.from({ length: 60 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ');
    const text = doc(
      `<command xmlns="" ${bindings} xmlns:q="http://www.w3.org/2001/XMLSchema-instance" q:type="LogoutRequest"><userId ${bindings}>u</userId></command>`,
    );
    expect(decodeDocument(schema, text).commands).toEqual([{ $type: 'LogoutRequest', userId: 'u' }]);
    // A prefix bound on an inner element is gone after it ends.
    const leaked = doc('<command xmlns="" xsi:type="LogoutRequest"><userId xmlns:z="urn:z">u</userId><z:x/></command>');
    expect(decodeError(leaked).message).toMatch(/unbound namespace prefix 'z'/);
  });
});

describe('encodings (issue 9.2): bytes written by hand', () => {
  const latinDoc = (encoding: string, name: number[]) =>
    Buffer.concat([
      Buffer.from(
        `<?xml version="1.0" encoding="${encoding}"?>${ROOT}<sessionId xmlns="">s</sessionId><command xmlns="" xsi:type="LogoutRequest"><userId>`,
        'latin1',
      ),
      Buffer.from(name),
      Buffer.from('</userId></command></BroadsoftDocument>', 'latin1'),
    ]);
  const userIdOf = (bytes: Buffer) => (decodeDocument(schema, bytes).commands[0] as unknown as { userId: string }).userId;

  test('ISO-8859-2: 0xB1 is ą, 0xE8 is č, 0xB9 is š', () => {
    expect(userIdOf(latinDoc('ISO-8859-2', [0xb1, 0xe8, 0xb9]))).toBe('ąčš');
  });

  test('windows-1252: 0x80 is €, 0x9C is œ, 0xE9 is é; ISO-8859-1 keeps 0x80 as U+0080', () => {
    expect(userIdOf(latinDoc('windows-1252', [0x80, 0x9c, 0xe9]))).toBe('€œé');
    expect(userIdOf(latinDoc('ISO-8859-1', [0x80, 0xe9]))).toBe('\u0080é');
    // Node 20's own windows-1252 decoder reads 0x80 as U+0080; ISO-8859-x 0x80 really is U+0080.
    expect(decodeXmlBytes(Buffer.from([...Buffer.from('<?xml version="1.0" encoding="ISO-8859-15"?>'), 0x80, 0xa4]))).toMatch(/\u0080€$/);
    expect(() => decodeXmlBytes(Buffer.from([...Buffer.from('<?xml version="1.0" encoding="windows-1253"?>'), 0xd2]))).toThrow(
      /byte 0xd2 at offset \d+ is not defined in windows-1253/,
    );
  });

  test('UTF-16 with a byte order mark (LE and BE); without one it is refused', () => {
    const text = `<?xml version="1.0" encoding="UTF-16"?>${ROOT}<sessionId xmlns="">s</sessionId><command xmlns="" xsi:type="LogoutRequest"><userId>ü€</userId></command></BroadsoftDocument>`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(userIdOf(le)).toBe('ü€');
    expect(userIdOf(be)).toBe('ü€');
    const error = decodeError(Buffer.from(text, 'utf16le').subarray(0));
    expect(error.code).toMatch(/TH_ERR_OCI_DECODE/);
    expect(() => decodeXmlBytes(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a/>'))).toThrow(/has no byte order mark/);
  });

  test('unknown labels, and bytes invalid in the declared encoding, are typed errors', () => {
    for (const bytes of [
      Buffer.from('<?xml version="1.0" encoding="EBCDIC-XYZ"?><a/>'),
      Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('<?xml version="1.0" encoding="ISO-8859-2"?><a/>')]),
    ]) {
      let caught: unknown;
      try {
        documentText(bytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OciDocumentEncodingError);
      expect((caught as OciDocumentEncodingError).code).toBe('TH_ERR_OCI_DECODE_ENCODING');
    }
    expect(() => documentText(Buffer.from([...Buffer.from('<a>'), 0xc3, 0x28]))).toThrow(/invalid UTF-8 bytes/);
  });

  test('encoding stays UTF-8 or ISO-8859-1 (beyond Latin-1 as character references)', () => {
    expect(encodeXmlText('<?xml version="1.0" encoding="ISO-8859-1"?><a>é€</a>').toString('latin1')).toBe(
      '<?xml version="1.0" encoding="ISO-8859-1"?><a>é&#8364;</a>',
    );
    expect(encodeXmlText('<a>€</a>')).toEqual(Buffer.from('<a>€</a>', 'utf8'));
    expect(() => encodeXmlText('<?xml version="1.0" encoding="ISO-8859-2"?><a/>')).toThrow(OciDocumentEncodingError);
  });
});

describe('memory 3: string lengths are counted without an array of code points', () => {
  test('surrogate pairs count once; the validator uses the count', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud800x')).toBe(2);
    const long = '😀'.repeat(81);
    expect(() =>
      validateCommand(schema, { $type: 'UserAddRequest17sp4', serviceProviderId: 'sp', groupId: 'g', userId: 'u', lastName: long, firstName: 'f' }),
    ).toThrow(OciValidationError);
  });
});
