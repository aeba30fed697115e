import fc from 'fast-check';
import { decodeDocumentText, encodeDocumentText, OciDocumentSplitter } from '../../runtime/oci/transport/framing.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { ociRequest, ociResponse } from './fixtures.js';

/** Feeds `stream` to a fresh splitter cut at `cuts` and returns the decoded documents. */
function splitAt(stream: Buffer, cuts: number[], splitter = new OciDocumentSplitter()): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
  const documents: string[] = [];
  let previous = 0;
  for (const point of [...points, stream.length]) {
    documents.push(...splitter.push(stream.subarray(previous, point)).map(decodeDocumentText));
    previous = point;
  }
  expect(splitter.pendingBytes).toBe(0);
  return documents;
}

const latin1Doc = ociResponse('Zoë Ångström', 'ISO-8859-1');
const utf8Doc = ociResponse('Zoë 日本語 😀', 'UTF-8');
// An ErrorResponse whose CDATA detail quotes markup, including the root end tag.
const cdataDoc =
  '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="OCI" xmlns="C"><sessionId xmlns="">s</sessionId>' +
  '<command type="Error" echo="" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns="" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  '<summary>[Error 6004] OCI XML Request validation error</summary><detail><![CDATA[Invalid xsi:type qname\n<command x="a>b"/></BroadsoftDocument>]]></detail>' +
  '<!-- a comment with </BroadsoftDocument> --></command></BroadsoftDocument>';

describe('OciDocumentSplitter', () => {
  test('cuts documents at </BroadsoftDocument> under any split of a coalesced stream (property)', () => {
    const documents = [latin1Doc, utf8Doc, cdataDoc, ociRequest('plain')];
    const terminators = ['\n', '\r\n', '', '\n\n'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ index: fc.nat(documents.length - 1), terminator: fc.nat(terminators.length - 1) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (picks, cuts) => {
          const expected = picks.map((pick) => documents[pick.index]!);
          const stream = Buffer.concat(
            picks.map((pick) => Buffer.concat([encodeDocumentText(documents[pick.index]!), Buffer.from(terminators[pick.terminator]!)])),
          );
          expect(splitAt(stream, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('one byte at a time gives the same documents as one big chunk', () => {
    const stream = Buffer.concat([encodeDocumentText(utf8Doc), Buffer.from('\r\n'), encodeDocumentText(cdataDoc), Buffer.from('\n')]);
    const splitter = new OciDocumentSplitter();
    const documents: string[] = [];
    for (let i = 0; i < stream.length; i++) documents.push(...splitter.push(stream.subarray(i, i + 1)).map(decodeDocumentText));
    expect(documents).toEqual([utf8Doc, cdataDoc]);
    expect(splitAt(stream, [])).toEqual([utf8Doc, cdataDoc]);
  });

  test('never cuts at a newline: a newline after the XML declaration stays inside the document', () => {
    const splitter = new OciDocumentSplitter();
    const [first, ...rest] = ociResponse('nl').split('\n');
    expect(splitter.push(Buffer.from(`${first}\n`))).toEqual([]);
    expect(splitter.pendingBytes).toBe(first!.length + 1);
    const out = splitter.push(Buffer.from(`${rest.join('\n')}\n`));
    expect(out.map(decodeDocumentText)).toEqual([ociResponse('nl')]);
  });

  test('keeps the remainder of a chunk as the start of the next document', () => {
    const splitter = new OciDocumentSplitter();
    const second = encodeDocumentText(ociRequest('two'));
    const chunk = Buffer.concat([encodeDocumentText(ociRequest('one')), Buffer.from('\r\n'), second.subarray(0, 25)]);
    expect(splitter.push(chunk).map(decodeDocumentText)).toEqual([ociRequest('one')]);
    expect(splitter.pendingBytes).toBe(25);
    expect(splitter.push(second.subarray(25)).map(decodeDocumentText)).toEqual([ociRequest('two')]);
    expect(splitter.pendingBytes).toBe(0);
  });

  test('accepts a prefixed root end tag and whitespace before ">"', () => {
    const doc = '<oci:BroadsoftDocument xmlns:oci="C" protocol="OCI"><sessionId>x</sessionId></oci:BroadsoftDocument >';
    const splitter = new OciDocumentSplitter();
    expect(splitter.push(Buffer.from(`${doc}\n${doc}`)).map(decodeDocumentText)).toEqual([doc, doc]);
  });

  test('an element merely named like the root (BroadsoftDocumentX) does not end the document', () => {
    const doc = '<BroadsoftDocument xmlns="C"><BroadsoftDocumentX/></BroadsoftDocumentX></BroadsoftDocument>';
    expect(new OciDocumentSplitter().push(Buffer.from(doc)).map(decodeDocumentText)).toEqual([doc]);
  });

  test('rejects a document beyond maxDocumentBytes with TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE and resets', () => {
    const splitter = new OciDocumentSplitter({ maxDocumentBytes: 100 });
    expect(splitter.push(Buffer.alloc(60, 0x61))).toEqual([]);
    let caught: unknown;
    try {
      splitter.push(Buffer.alloc(60, 0x61));
    } catch (error) {
      caught = error;
    }
    expect(isThorsHammerError(caught) && caught.code).toBe('TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE');
    expect(splitter.pendingBytes).toBe(0);
    // A complete but oversized document is refused as well.
    expect(() => splitter.push(encodeDocumentText(ociResponse('x'.repeat(200))))).toThrow(
      expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE' }),
    );
    // Documents completed before the oversized one are delivered; the error follows on the next push.
    const small = encodeDocumentText('<BroadsoftDocument>ok</BroadsoftDocument>');
    expect(splitter.push(Buffer.concat([small, Buffer.from('\n'), Buffer.alloc(150, 0x61)])).map(decodeDocumentText)).toEqual([
      '<BroadsoftDocument>ok</BroadsoftDocument>',
    ]);
    expect(() => splitter.push(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE' }));
    // After the reset, normal documents go through again.
    expect(splitter.push(Buffer.from('<BroadsoftDocument></BroadsoftDocument>\n'))).toHaveLength(1);
  });

  test('random bytes never throw anything but a coded error and never hang (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const splitter = new OciDocumentSplitter({ maxDocumentBytes: 300 });
        const stream = Buffer.from(bytes);
        const points = [...cuts.map((cut) => cut % (stream.length + 1)), stream.length].sort((a, b) => a - b);
        let previous = 0;
        let total = 0;
        for (const point of points) {
          try {
            for (const doc of splitter.push(stream.subarray(previous, point))) total += doc.length;
          } catch (error) {
            expect(isThorsHammerError(error) && error.code).toBe('TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE');
          }
          previous = point;
        }
        expect(total).toBeLessThanOrEqual(stream.length);
      }),
      { numRuns: 300 },
    );
  });

  // How fast: bench/oci-transport.bench.ts (timing claims live in the benchmarks, not in tests).
  test('splits a 13 MB document arriving in 64 KiB chunks', () => {
    const row = '<row><col>john.doe@example.com</col><col>Doe</col><col>John &amp; Co</col></row>';
    const big = encodeDocumentText(ociResponse('big').replace('<command', `<command>${row.repeat(170_000)}</command><command`));
    expect(big.length).toBeGreaterThan(13_000_000);
    const splitter = new OciDocumentSplitter();
    const out: Buffer[] = [];
    for (let offset = 0; offset < big.length; offset += 65536) out.push(...splitter.push(big.subarray(offset, offset + 65536)));
    out.push(...splitter.push(Buffer.from('\n')));
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(big)).toBe(true);
  });
});

describe('decodeDocumentText / encodeDocumentText', () => {
  test('ISO-8859-1 documents are decoded as Latin-1 bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><BroadsoftDocument><x>'),
      Buffer.from([0xe9, 0x80]),
      Buffer.from('</x></BroadsoftDocument>'),
    ]);
    // 0x80 is a C1 control in ISO-8859-1 (windows-1252 would make it "€").
    expect(decodeDocumentText(bytes)).toContain('<x>é\u0080</x>');
  });

  test('UTF-8 and undeclared documents are decoded as UTF-8; a BOM is dropped', () => {
    expect(decodeDocumentText(Buffer.from(utf8Doc, 'utf8'))).toBe(utf8Doc);
    expect(decodeDocumentText(Buffer.from('<BroadsoftDocument>é</BroadsoftDocument>', 'utf8'))).toBe('<BroadsoftDocument>é</BroadsoftDocument>');
    expect(decodeDocumentText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8Doc)]))).toBe(utf8Doc);
  });

  test('encoding follows the text declaration; non-Latin-1 characters become character references', () => {
    const doc = ociRequest('Zoë € 😀', 'ISO-8859-1');
    const bytes = encodeDocumentText(doc);
    expect(bytes.includes(Buffer.from([0xeb]))).toBe(true); // ë as one Latin-1 byte
    expect(decodeDocumentText(bytes)).toBe(ociRequest('Zoë &#8364; &#128512;', 'ISO-8859-1'));
    expect(encodeDocumentText(ociRequest('Zoë', 'UTF-8')).equals(Buffer.from(ociRequest('Zoë', 'UTF-8'), 'utf8'))).toBe(true);
    expect(encodeDocumentText('<BroadsoftDocument>ë</BroadsoftDocument>').equals(Buffer.from('<BroadsoftDocument>ë</BroadsoftDocument>', 'utf8'))).toBe(true);
  });

  test("with lineFeed, the same bytes end with the frame's line feed, in one Buffer", () => {
    const docs = [
      ociRequest('Zoë € 😀', 'ISO-8859-1'),
      ociRequest('Zoë € 😀', 'UTF-8'),
      `\ufeff${ociRequest('Zoë', 'UTF-8')}`,
      ociRequest('Zoë € 😀', 'US-ASCII'),
      '<BroadsoftDocument>ë</BroadsoftDocument>',
      'x'.repeat(70_000),
    ];
    for (const doc of docs) {
      const framed = encodeDocumentText(doc, { lineFeed: true });
      expect(framed.equals(Buffer.concat([encodeDocumentText(doc), Buffer.from('\n')]))).toBe(true);
    }
    expect(() => encodeDocumentText('<?xml version="1.0" encoding="UTF-16"?><a/>', { lineFeed: true })).toThrow(
      expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_ENCODING' }),
    );
  });

  test('an unknown declared encoding is a coded error', () => {
    expect(() => decodeDocumentText(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><a/>'))).toThrow(
      expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_ENCODING' }),
    );
    expect(() => encodeDocumentText('<?xml version="1.0" encoding="UTF-16"?><a/>')).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_TRANSPORT_ENCODING' }));
  });
});
