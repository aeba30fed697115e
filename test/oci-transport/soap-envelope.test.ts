import fc from 'fast-check';
import { unwrapSoapRequest, unwrapSoapResponse, wrapSoapFault, wrapSoapRequest, wrapSoapResponse } from '../../runtime/oci/transport/soap-envelope.js';
import { ociRequest, ociResponse } from './fixtures.js';

const ENV =
  'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

describe('SOAP request envelope', () => {
  test('wrapSoapRequest produces the processOCIMessage/arg0 envelope with the document escaped as text', () => {
    const document = ociRequest('a&b <c>');
    const envelope = wrapSoapRequest(document);
    expect(envelope.startsWith('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope')).toBe(true);
    expect(envelope).toContain('<soapenv:Body><processOCIMessage soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">');
    expect(envelope).toContain('<arg0 xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="soapenc:string">&lt;?xml version="1.0"');
    expect(envelope).toContain('a&amp;b &lt;c&gt;&lt;/sessionId&gt;');
    expect(envelope).not.toContain('<BroadsoftDocument');
    expect(unwrapSoapRequest(envelope)).toBe(document);
    expect(unwrapSoapRequest(Buffer.from(envelope, 'utf8'))).toBe(document);
  });

  test('unwrapSoapRequest takes the first child whatever its name (in0 from WSDL clients) and namespace', () => {
    const document = ociRequest('zeep é');
    const envelope =
      `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>` +
      `<ns0:processOCIMessage xmlns:ns0="urn:com:broadsoft:webservice"><in0>${escape(document)}</in0></ns0:processOCIMessage>` +
      '</soap-env:Body></soap-env:Envelope>';
    expect(unwrapSoapRequest(Buffer.from(envelope, 'utf8'))).toBe(document);
  });

  test('round trip keeps any text, including CR and characters outside the BMP (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
        const document = ociRequest(clean);
        expect(unwrapSoapRequest(wrapSoapRequest(document))).toBe(document);
        const reply = unwrapSoapResponse(Buffer.from(wrapSoapResponse(document), 'utf8'));
        expect(reply).toEqual({ kind: 'document', document });
      }),
      { numRuns: 200 },
    );
  });

  test('bad request envelopes are TH_ERR_OCI_SOAP_BODY', () => {
    const cases = [
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
      `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessage><arg0></arg0></processOCIMessage></soapenv:Body></soapenv:Envelope>`,
      `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessage></processOCIMessage></soapenv:Body></soapenv:Envelope>`,
      `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessage><arg0>&bogus;</arg0></processOCIMessage></soapenv:Body></soapenv:Envelope>`,
      `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessage><arg0>x</wrong></processOCIMessage></soapenv:Body></soapenv:Envelope>`,
      'not xml at all',
    ];
    for (const body of cases) {
      expect(() => unwrapSoapRequest(body)).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_SOAP_BODY' }));
    }
  });
});

describe('SOAP response envelope', () => {
  test('reads the real ns1:-prefixed response (newline after the inner declaration kept, inner encoding ignored)', () => {
    const document = ociResponse('ns1 ë', 'UTF-8');
    const body =
      `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessageResponse xmlns="">` +
      `<ns1:processOCIMessageReturn xmlns:ns1="urn:com:broadsoft:webservice">${escape(document)}</ns1:processOCIMessageReturn>` +
      '</processOCIMessageResponse></soapenv:Body></soapenv:Envelope>';
    expect(unwrapSoapResponse(Buffer.from(body, 'utf8'))).toEqual({ kind: 'document', document });
  });

  test('reads the default-namespace variant whose inner declaration says ISO-8859-1', () => {
    const document = ociResponse('default ns Zoë', 'ISO-8859-1');
    const body =
      `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessageResponse xmlns="urn:com:broadsoft:webservice">` +
      `<processOCIMessageReturn>${escape(document)}</processOCIMessageReturn></processOCIMessageResponse></soapenv:Body></soapenv:Envelope>`;
    // The envelope is UTF-8: "ë" arrives as two bytes and must come back as one character.
    expect(unwrapSoapResponse(Buffer.from(body, 'utf8'))).toEqual({ kind: 'document', document });
  });

  test('matches the return element by namespace, not by name or prefix', () => {
    const document = ociResponse('ns');
    const wrongNamespace =
      `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessageResponse xmlns="">` +
      `<processOCIMessageReturn>${escape(document)}</processOCIMessageReturn></processOCIMessageResponse></soapenv:Body></soapenv:Envelope>`;
    expect(() => unwrapSoapResponse(Buffer.from(wrongNamespace))).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_SOAP_BODY' }));
    const otherPrefix = wrongNamespace
      .replaceAll('processOCIMessageReturn', 'bw:processOCIMessageReturn')
      .replace('<bw:processOCIMessageReturn>', '<bw:processOCIMessageReturn xmlns:bw="urn:com:broadsoft:webservice">');
    expect(unwrapSoapResponse(Buffer.from(otherPrefix))).toEqual({ kind: 'document', document });
  });

  test('character references, CDATA and CRLF line ends are decoded like an XML parser would', () => {
    const body =
      `<soapenv:Envelope ${ENV}><soapenv:Body><r:processOCIMessageReturn xmlns:r="urn:com:broadsoft:webservice">` +
      '&lt;BroadsoftDocument&gt;&#233;&#x20AC;&#128512;\r\n&apos;<![CDATA[<x>&amp;</x>]]>&lt;/BroadsoftDocument&gt;' +
      '</r:processOCIMessageReturn></soapenv:Body></soapenv:Envelope>';
    expect(unwrapSoapResponse(Buffer.from(body))).toEqual({
      kind: 'document',
      document: "<BroadsoftDocument>é€😀\n'<x>&amp;</x></BroadsoftDocument>",
    });
  });

  test('an ISO-8859-1 envelope is decoded by its declaration', () => {
    const document = ociResponse('Zoë');
    const body = `<?xml version="1.0" encoding="ISO-8859-1"?>${wrapSoapResponse(document).replace(/^<\?xml[^>]*>/, '')}`;
    expect(unwrapSoapResponse(Buffer.from(body, 'latin1'))).toEqual({ kind: 'document', document });
  });

  test('an empty processOCIMessageReturn is a bad response, not success', () => {
    for (const inner of [
      '<ns1:processOCIMessageReturn xmlns:ns1="urn:com:broadsoft:webservice"/>',
      '<ns1:processOCIMessageReturn xmlns:ns1="urn:com:broadsoft:webservice">  </ns1:processOCIMessageReturn>',
    ]) {
      const body = `<soapenv:Envelope ${ENV}><soapenv:Body><processOCIMessageResponse xmlns="">${inner}</processOCIMessageResponse></soapenv:Body></soapenv:Envelope>`;
      expect(() => unwrapSoapResponse(Buffer.from(body))).toThrow(
        expect.objectContaining({ code: 'TH_ERR_OCI_SOAP_BODY', message: expect.stringContaining('empty processOCIMessageReturn') }),
      );
    }
  });

  test('reads the real BroadWorks Fault and what wrapSoapFault writes', () => {
    const real =
      `<soapenv:Envelope ${ENV}><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server.generalException</faultcode>` +
      '<faultstring>INVALID_REQUEST</faultstring><faultactor>ProvisioningService</faultactor>' +
      '<detail><string>Cannot process any request before user is logged in.</string></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    const expected = {
      kind: 'fault',
      faultcode: 'soapenv:Server.generalException',
      faultstring: 'INVALID_REQUEST',
      detail: 'Cannot process any request before user is logged in.',
    };
    expect(unwrapSoapResponse(Buffer.from(real))).toEqual(expected);
    expect(unwrapSoapResponse(Buffer.from(wrapSoapFault('INVALID_REQUEST', 'Cannot process any request before user is logged in.')))).toEqual(expected);
    expect(unwrapSoapResponse(Buffer.from(wrapSoapFault('NO_OCS_CONNECTION', undefined, 'soapenv:Server')))).toEqual({
      kind: 'fault',
      faultcode: 'soapenv:Server',
      faultstring: 'NO_OCS_CONNECTION',
    });
  });

  test('garbage, truncated and unrelated bodies are TH_ERR_OCI_SOAP_BODY', () => {
    const truncated = wrapSoapResponse(ociResponse('t')).slice(0, 300);
    for (const body of ['', '<html><body>502 Bad Gateway</body></html>', truncated, '<a:b>x</a:b>']) {
      expect(() => unwrapSoapResponse(Buffer.from(body))).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_SOAP_BODY' }));
    }
  });

  test('entities declared in a DOCTYPE are never expanded (entity-expansion attack) → TH_ERR_OCI_SOAP_BODY', () => {
    const body =
      '<?xml version="1.0"?><!DOCTYPE soapenv:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
      `<soapenv:Envelope ${ENV}><soapenv:Body><ns1:processOCIMessageReturn xmlns:ns1="urn:com:broadsoft:webservice">&b;&b;&b;` +
      '</ns1:processOCIMessageReturn></soapenv:Body></soapenv:Envelope>';
    expect(() => unwrapSoapResponse(Buffer.from(body))).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_SOAP_BODY' }));
  });

  // How fast: bench/oci-transport.bench.ts (timing claims live in the benchmarks, not in tests).
  test('unwraps a 13 MB envelope with 1.7 M entities', () => {
    const row = '<row><col>john.doe@example.com</col><col>Doe</col><col>John &amp; "Co"</col><col/></row>';
    const document = ociResponse('big').replace('<command', `<command>${row.repeat(120_000)}</command><command`);
    const body = Buffer.from(wrapSoapResponse(document), 'utf8');
    expect(body.length).toBeGreaterThan(13_000_000);
    const reply = unwrapSoapResponse(body);
    expect(reply.kind === 'document' && reply.document === document).toBe(true);
  });
});
