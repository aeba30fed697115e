// Malformed and hostile XML: each case must end in a typed error, without expansion (speed: bench/).
import { decodeDocument } from '../../runtime/oci/codec.js';
import { OciDecodeError, OciHostileXmlError, type OciLimitError } from '../../runtime/oci/errors.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { decodeEntities, escapeAttribute, escapeText } from '../../runtime/oci/xml/escape.js';
import type { XmlLimits } from '../../runtime/oci/xml/reader.js';
import { handIndex } from './hand-schema.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = OciSchema.fromIndex(handIndex());
  await schema.ensureAll();
});

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const doc = (body: string) => `${HEAD}<sessionId xmlns="">s</sessionId>${body}</BroadsoftDocument>`;
const table = (rows: string) =>
  doc(`<command echo="" xsi:type="UserGetListInGroupResponse" xmlns=""><userTable><colHeading>User Id</colHeading>${rows}</userTable></command>`);

function failure(input: string | Buffer, limits?: XmlLimits): Error {
  try {
    decodeDocument(schema, input, { limits });
  } catch (e) {
    return e as Error;
  }
  throw new Error('decoding succeeded');
}

describe('hostile XML is refused, never expanded', () => {
  test('billion laughs', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
      '<BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">&lol3;</sessionId></BroadsoftDocument>';
    const e = failure(laughs);
    expect(e).toBeInstanceOf(OciHostileXmlError);
    expect((e as OciHostileXmlError).code).toBe('TH_ERR_OCI_HOSTILE_XML');
    expect(e.message).toMatch(/DOCTYPE declaration refused at offset 21/);
  });

  test('external entity (XXE)', () => {
    const xxe =
      '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">&xxe;</sessionId></BroadsoftDocument>';
    expect(failure(xxe)).toBeInstanceOf(OciHostileXmlError);
    expect(failure(Buffer.from(xxe))).toBeInstanceOf(OciHostileXmlError);
  });

  test('a DOCTYPE inside content and an undefined entity reference', () => {
    expect(failure(doc('<!DOCTYPE x><command/>'))).toBeInstanceOf(OciHostileXmlError);
    const e = failure(doc('<command xmlns="" xsi:type="LogoutRequest"><userId>&xxe;</userId></command>'));
    expect(e).toBeInstanceOf(OciDecodeError);
    expect(e.message).toMatch(/undefined entity &xxe;/);
  });

  test('regression: thousands of ordinary entity references decode (no expansion cap trips)', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `<row><col>A&amp;B &apos;${i}&apos; &#233;&#x20AC;</col></row>`).join('');
    const result = decodeDocument(schema, table(rows));
    const t = result.commands[0]!.userTable as { row: { col: string[] }[] };
    expect(t.row.length).toBe(5000);
    expect(t.row[4321]!.col[0]).toBe("A&B '4321' é€");
  });
});

describe('malformed XML gives OciDecodeError with an offset', () => {
  const cases: [string, string, RegExp][] = [
    ['truncated', doc('<command xmlns="" xsi:type="LogoutRequest"><userId>u</userId></command>').slice(0, 200), /unexpected end of document|unterminated/],
    ['mismatched tags', doc('<command xmlns="" xsi:type="LogoutRequest"><userId>u</userid></command>'), /mismatched end tag <\/userid>, expected <\/userId>/],
    ['unterminated start tag', `${HEAD}<sessionId xmlns=""`, /unterminated start tag <sessionId>|unexpected end/],
    ['unquoted attribute', '<BroadsoftDocument protocol=OCI xmlns="C"/>', /must be quoted/],
    ['duplicate attribute', '<BroadsoftDocument protocol="OCI" protocol="OCI" xmlns="C"/>', /duplicate attribute protocol/],
    ['unbound prefix', doc('<command xmlns="" xsi:type="q:LogoutRequest"/>'), /unbound namespace prefix 'q'/],
    ['invalid character', doc('<command xmlns="" xsi:type="LogoutRequest"><userId>a\u0001b</userId></command>'), /U\+0001 is not allowed/],
    ['bad character reference', doc('<command xmlns="" xsi:type="LogoutRequest"><userId>&#0;</userId></command>'), /invalid character reference/],
    ['bare ampersand', doc('<command xmlns="" xsi:type="LogoutRequest"><userId>a & b</userId></command>'), /'&' not starting an entity reference/],
    ['text after the root', `${doc('')}junk`, /content after the end of the document element/],
    ['wrong root', '<Envelope/>', /root element must be BroadsoftDocument in namespace C/],
    ['empty document', '', /empty document/],
    ['unterminated CDATA', table('<row><col><![CDATA[abc</col></row>'), /unterminated CDATA section/],
    ['unterminated comment', table('<!-- abc'), /unterminated comment/],
    [
      'element inside a simple value',
      doc('<command xmlns="" xsi:type="LogoutRequest"><userId>a<b/></userId></command>'),
      /element not allowed inside the simple value <userId>/,
    ],
  ];
  test.each(cases)('%s', (_name, input, message) => {
    const e = failure(input);
    expect(e).toBeInstanceOf(OciDecodeError);
    expect((e as OciDecodeError).code).toBe('TH_ERR_OCI_DECODE');
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/offset \d+/);
    expect((e as OciDecodeError).offset).toBeGreaterThanOrEqual(0);
  });

  test('100,000-deep nesting fails fast without exhausting the stack', () => {
    const deep = `${HEAD}<sessionId xmlns="">s</sessionId><command xmlns="" xsi:type="SystemCPEConfigParametersModifyRequest"><fileRebuildImmediate>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</fileRebuildImmediate></command></BroadsoftDocument>`;
    const e = failure(deep);
    expect(e).toBeInstanceOf(OciDecodeError);
    expect(e.message).toMatch(/nested deeper than 256/);
    const unknownDeep = doc(`<command xmlns="" xsi:type="LogoutRequest">${'<x>'.repeat(100_000)}</command>`);
    expect(failure(unknownDeep).message).toMatch(/unknown element <x> in LogoutRequest/);
  });

  test('a table row without cells keeps the table shape (generic path)', () => {
    const t = decodeDocument(schema, table('<row></row><row><col>x</col></row>')).commands[0]!.userTable;
    expect(t).toEqual({ colHeading: ['User Id'], row: [{ col: [] }, { col: ['x'] }] });
  });

  test('huge attribute values and an unterminated huge attribute', () => {
    const huge = doc(`<command xmlns="" xsi:type="LogoutRequest" echo="${'x'.repeat(2_000_000)}"><userId>u</userId></command>`);
    const error = failure(huge, { maxStringLength: 1 << 20 }) as OciLimitError;
    expect(error.code).toBe('TH_ERR_OCI_LIMIT_STRING_LENGTH');
    expect(error.message).toMatch(/value of attribute echo has 2000000 characters \(limit maxStringLength = 1048576\) at line 2, column \d+/);
    const open = `${HEAD}<sessionId xmlns="" a="${'y'.repeat(3_000_000)}`;
    expect(failure(open).message).toMatch(/unterminated value of attribute a/);
  });

  test('invalid UTF-8 bytes and unsupported encodings', () => {
    const bytes = Buffer.concat([Buffer.from(HEAD), Buffer.from([0xc3, 0x28]), Buffer.from('</BroadsoftDocument>')]);
    expect(failure(bytes).message).toMatch(/invalid UTF-8/);
    expect(failure(Buffer.from('<?xml version="1.0" encoding="EBCDIC"?><BroadsoftDocument/>')).message).toMatch(/unsupported document encoding 'EBCDIC'/);
  });
});

describe('simple values: text then end tag, in every form', () => {
  const logout = (userId: string) => doc(`<command xmlns="" xsi:type="LogoutRequest">${userId}</command>`);
  test.each([
    ['plain', '<userId>u1</userId>', 'u1'],
    ['empty', '<userId></userId>', ''],
    ['self-closing', '<userId/>', ''],
    ['entities', '<userId>a&amp;b&#x41;</userId>', 'a&bA'],
    ['split by a comment', '<userId>a<!-- c -->b</userId>', 'ab'],
    ['CDATA', '<userId><![CDATA[<x>]]>y</userId>', '<x>y'],
    ['space before >', '<userId>u</userId >', 'u'],
  ])('%s', (_, body, value) => {
    expect(decodeDocument(schema, logout(body)).commands[0]).toEqual({ $type: 'LogoutRequest', userId: value });
  });

  test.each([
    ['a longer end tag', '<userId>u</userIdx>', /mismatched end tag <\/userIdx>, expected <\/userId>/],
    ['a bad entity', '<userId>a&bogus;</userId>', /undefined entity &bogus;/],
    ['no end tag', '<userId>u', /LogoutRequest\.userId: mismatched end tag <\/command>, expected <\/userId>/],
  ])('%s is refused', (_, body, message) => {
    expect(() => decodeDocument(schema, logout(body))).toThrow(message);
  });

  test('the string limit counts decoded characters, exactly at the limit and one over', () => {
    // 50 is above the envelope's longest attribute value (the XSI namespace, 41 characters).
    const limits = { maxStringLength: 50 };
    const atLimit = `a&amp;${'c'.repeat(48)}`; // 54 characters written, 50 decoded
    expect(decodeDocument(schema, logout(`<userId>${atLimit}</userId>`), { limits }).commands[0]).toEqual({
      $type: 'LogoutRequest',
      userId: `a&${'c'.repeat(48)}`,
    });
    expect((failure(logout(`<userId>${'c'.repeat(51)}</userId>`), limits) as OciLimitError).code).toBe('TH_ERR_OCI_LIMIT_STRING_LENGTH');
  });
});

describe('escaping', () => {
  test('text and attributes', () => {
    expect(escapeText('a & b < c > d "e" \'f\'')).toBe('a &amp; b &lt; c &gt; d "e" \'f\'');
    expect(escapeAttribute('say "x" & <y>\n')).toBe('say &quot;x&quot; &amp; &lt;y&gt;&#10;');
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;')).toBe('<>&"\'AB');
    expect(decodeEntities('&#x110000;')).toEqual({ index: 0, message: 'invalid character reference &#x110000;' });
  });

  test('names near a predefined entity are undefined entities, wherever they stand', () => {
    for (const name of ['lg', 'gl', 'Lt', 'am', 'amq', 'quo', 'quox', 'apox', 'aposs', 'ampx', '']) {
      expect(decodeEntities(`ok &amp; x&${name};`)).toEqual({
        index: 10,
        message: `undefined entity &${name}; (only the five predefined entities exist without a DTD)`,
      });
    }
    expect(decodeEntities('a&amp;&amp;b&lt;&gt;&quot;&apos;&#x20AC;&#8364;z')).toBe('a&&b<>"\'€€z');
    expect(decodeEntities('&#;')).toEqual({ index: 0, message: 'invalid character reference &#;' });
  });
});
