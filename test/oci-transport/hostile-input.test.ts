// Issue 8 regressions for the transport's XML scanner, the SOAP unwrap and the stream splitter.
import { OciDocumentSplitter } from '../../runtime/oci/transport/framing.js';
import { unwrapSoapRequest, unwrapSoapResponse, wrapSoapRequest, wrapSoapResponse } from '../../runtime/oci/transport/soap-envelope.js';
import { XmlScanError, XmlScanner } from '../../runtime/oci/transport/xml-scan.js';
import { isThorsHammerError } from '../../runtime/errors.js';

const DOC = '<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">s</sessionId></BroadsoftDocument>';

/** The error `work` throws; fails when it throws nothing or something untyped. */
function typedError(work: () => unknown): { code: string; message: string; context: Record<string, unknown> } {
  try {
    work();
  } catch (error) {
    expect(isThorsHammerError(error)).toBe(true);
    return error as { code: string; message: string; context: Record<string, unknown> };
  }
  throw new Error('no error');
}

describe('crash 4: the SOAP unwrap no longer recurses per declaration, comment or PI', () => {
  test.each([
    ['<!x>', 5345],
    ['<!-- c -->', 50_000],
    ['<?p i?>', 50_000],
  ])('%s × %i before the envelope', (item, count) => {
    const body = Buffer.from(`${item.repeat(count)}${wrapSoapResponse(DOC)}`);
    expect(unwrapSoapResponse(body)).toEqual({ kind: 'document', document: DOC });
    const request = Buffer.from(`${item.repeat(count)}${wrapSoapRequest(DOC)}`);
    expect(unwrapSoapRequest(request)).toBe(DOC);
  });
});

describe('superlinear 2: nested elements', () => {
  test('namespaces resolve per prefix: inner bindings shadow and are restored', () => {
    const scanner = new XmlScanner(Buffer.from('<a xmlns="urn:1" xmlns:p="urn:p"><b xmlns="urn:2"><p:c/></b><d/></a>'));
    const starts: string[] = [];
    for (let t = scanner.next(); t; t = scanner.next()) if (t.type === 'start') starts.push(`${t.localName}@${t.namespace}`);
    expect(starts).toEqual(['a@urn:1', 'b@urn:2', 'c@urn:p', 'd@urn:1']);
  });

  test('deep nesting stops at maxDepth with a typed SOAP error naming the limit', () => {
    const deep = Buffer.from(`${'<a>'.repeat(40_000)}${'</a>'.repeat(40_000)}`);
    const error = typedError(() => unwrapSoapResponse(deep));
    expect(error.code).toBe('TH_ERR_OCI_SOAP_BODY');
    expect(error.message).toMatch(/elements nested deeper than 256 at byte 768/);
    expect(error.context.limit).toBe('maxDepth');
    // Within the limit the scanner is happy.
    const scanner = new XmlScanner(Buffer.from(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`));
    let count = 0;
    for (let t = scanner.next(); t; t = scanner.next()) count++;
    expect(count).toBe(400);
  });

  test('a tag of one long name or of junk without "=" is refused in one pass', () => {
    const junk = Buffer.from(`<a ${'b'.repeat(200_000)}>`);
    expect(() => new XmlScanner(junk).next()).toThrow(/name longer than 1024 bytes/);
    expect(() => new XmlScanner(Buffer.from(`<a ${'b '.repeat(100)}>`)).next()).toThrow(/expected '=' after attribute b/);
    expect(() => new XmlScanner(Buffer.from(`<a b="1" b="2">`)).next()).toThrow(/duplicate attribute b/);
    expect(() => new XmlScanner(Buffer.from(`<a b="<">`)).next()).toThrow(XmlScanError);
    const many = Array.from({ length: 65 }, (_, i) => `a${i}="1"`).join(' ');
    expect(() => new XmlScanner(Buffer.from(`<a ${many}/>`)).next()).toThrow(/more than 64 attributes/);
  });

  test('attribute names such as __proto__ or constructor are plain data', () => {
    const token = new XmlScanner(Buffer.from('<a __proto__="x" constructor="y"/>')).next();
    expect(token).toMatchObject({ type: 'start', attributes: { constructor: 'y' } });
    expect((token as { attributes: Record<string, string> }).attributes.__proto__).toBe('x');
  });
});

describe('memory 5: an unclosed comment, PI or CDATA section is bounded', () => {
  test.each([
    ['comment', '<!--'],
    ['pi', '<?pi '],
    ['cdata', '<![CDATA['],
  ])('%s: TH_ERR_OCI_TRANSPORT_UNTERMINATED after maxUnterminatedBytes, then the splitter is empty', (construct, open) => {
    const splitter = new OciDocumentSplitter({ maxUnterminatedBytes: 1000 });
    const head = Buffer.from(`<BroadsoftDocument>${open}`);
    expect(splitter.push(head)).toEqual([]);
    expect(splitter.push(Buffer.alloc(500, 0x61))).toEqual([]);
    const error = typedError(() => splitter.push(Buffer.alloc(600, 0x61)));
    expect(error.code).toBe('TH_ERR_OCI_TRANSPORT_UNTERMINATED');
    expect(error.context).toMatchObject({ construct, limit: 1000, offset: 19 });
    expect(splitter.pendingBytes).toBe(0);
  });

  test('documents completed before the unterminated construct are delivered first; the error comes next push', () => {
    const splitter = new OciDocumentSplitter({ maxUnterminatedBytes: 100 });
    const documents = splitter.push(Buffer.from(`${DOC}\n<BroadsoftDocument><!--${'x'.repeat(200)}`));
    expect(documents.map(String)).toEqual([DOC]);
    expect(typedError(() => splitter.push(Buffer.from('y'))).code).toBe('TH_ERR_OCI_TRANSPORT_UNTERMINATED');
  });

  test('a construct closed within the limit, across chunks, still frames; pendingBytes reports what is held', () => {
    const splitter = new OciDocumentSplitter({ maxUnterminatedBytes: 100 });
    expect(splitter.push(Buffer.from('<BroadsoftDocument><![CDATA[</BroadsoftDocument>'))).toEqual([]);
    expect(splitter.pendingBytes).toBe(48);
    expect(splitter.push(Buffer.from(']]></BroadsoftDocument>')).map(String)).toEqual([
      '<BroadsoftDocument><![CDATA[</BroadsoftDocument>]]></BroadsoftDocument>',
    ]);
    expect(splitter.pendingBytes).toBe(0);
  });

  test('bad option values are typed errors', () => {
    expect(typedError(() => new OciDocumentSplitter({ maxUnterminatedBytes: 0 })).code).toBe('TH_ERR_OCI_TRANSPORT_ARGUMENT');
    expect(typedError(() => new OciDocumentSplitter({ maxDocumentBytes: -1 })).code).toBe('TH_ERR_OCI_TRANSPORT_ARGUMENT');
  });
});

describe('encodings of SOAP envelopes go through the shared text module', () => {
  test('an ISO-8859-2 envelope is transcoded; an unknown label is a SOAP body error', () => {
    const head = Buffer.from('<?xml version="1.0" encoding="ISO-8859-2"?>');
    const envelope = wrapSoapResponse('<x>\u0105</x>').replace(/^<\?xml[^>]*\?>/, '');
    const bytes = Buffer.concat([head, Buffer.from(envelope.replace('\u0105', '\u0000'), 'latin1')]);
    bytes[bytes.indexOf(0)] = 0xb1; // ą in ISO-8859-2
    expect(unwrapSoapResponse(bytes)).toEqual({ kind: 'document', document: '<x>\u0105</x>' });
    const error = typedError(() => unwrapSoapResponse(Buffer.from(`<?xml version="1.0" encoding="X-NOPE"?>${envelope}`)));
    expect(error.code).toBe('TH_ERR_OCI_SOAP_BODY');
    expect(error.message).toMatch(/unsupported document encoding 'X-NOPE'/);
  });
});
