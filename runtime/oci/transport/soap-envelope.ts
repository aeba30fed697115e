/**
 * SOAP 1.1 envelopes of the BroadWorks provisioning web service (oci-protocol §4.9): operation
 * `processOCIMessage` with one string parameter that carries the OCI document as escaped text.
 * Used by the SOAP requester (wrap request, unwrap response) and by the mock server's SOAP
 * endpoint (unwrap request, wrap response or fault).
 */
import { OciDocumentEncodingError } from '../errors.js';
import { escapeText } from '../xml/escape.js';
import { xmlBytesAsUtf8 } from '../xml/text.js';
import { OciSoapBodyError } from './errors.js';
import { type TextToken, unescapeXmlBytes, XmlScanError, XmlScanner } from './xml-scan.js';

/** Namespace of the SOAP 1.1 envelope. */
export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Namespace of the BroadWorks web service elements (`processOCIMessageReturn`). */
export const BROADWORKS_WEBSERVICE_NAMESPACE = 'urn:com:broadsoft:webservice';
/** faultcode used by the BroadWorks (Axis) server for its faults. */
export const DEFAULT_FAULTCODE = 'soapenv:Server.generalException';

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NAMESPACE}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ` +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

/**
 * The request envelope sent by the SOAP requester: `processOCIMessage/arg0` as hand-built clients
 * send it, with the OCI document escaped as text.
 */
export function wrapSoapRequest(document: string): string {
  return (
    `${ENVELOPE_OPEN}<processOCIMessage soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">` +
    '<arg0 xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="soapenc:string">' +
    `${escapeText(document)}</arg0></processOCIMessage>${ENVELOPE_CLOSE}`
  );
}

/**
 * Server side: the OCI document carried by a request envelope, taken from the first child element
 * of `processOCIMessage` (in any namespace) whatever its name (`arg0` from hand-built clients,
 * `in0` from WSDL-driven ones), unescaped. A string body is taken as already-decoded text.
 * @throws OciSoapBodyError when the envelope is malformed, has no `processOCIMessage` or an empty argument.
 */
export function unwrapSoapRequest(body: Buffer | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : toUtf8(body);
  return guard(() => {
    const scanner = new XmlScanner(bytes);
    for (let token = scanner.next(); token !== undefined; token = scanner.next()) {
      if (token.type !== 'start' || token.localName !== 'processOCIMessage') continue;
      if (token.selfClosing) break;
      for (let child = scanner.next(); child !== undefined; child = scanner.next()) {
        if (child.type === 'end') break;
        if (child.type !== 'start') continue;
        const document = child.selfClosing ? '' : collectText(scanner, bytes, child.qname);
        if (document.trim() === '') throw new OciSoapBodyError(`empty <${child.qname}> in processOCIMessage`);
        return document;
      }
      throw new OciSoapBodyError('processOCIMessage has no argument element');
    }
    throw new OciSoapBodyError('no processOCIMessage element in the SOAP body');
  });
}

/**
 * Server side: a response envelope with the document escaped in
 * `{urn:com:broadsoft:webservice}processOCIMessageReturn`, in the form real servers send.
 */
export function wrapSoapResponse(document: string): string {
  return (
    `${ENVELOPE_OPEN}<processOCIMessageResponse xmlns="">` +
    `<ns1:processOCIMessageReturn xmlns:ns1="${BROADWORKS_WEBSERVICE_NAMESPACE}">${escapeText(document, { quotes: true })}` +
    `</ns1:processOCIMessageReturn></processOCIMessageResponse>${ENVELOPE_CLOSE}`
  );
}

/**
 * Server side: a SOAP Fault envelope as BroadWorks sends it (to be served with HTTP 500), e.g.
 * `wrapSoapFault('INVALID_REQUEST', 'Cannot process any request before user is logged in.')`.
 */
export function wrapSoapFault(faultstring: string, detail?: string, faultcode: string = DEFAULT_FAULTCODE): string {
  const detailXml = detail === undefined ? '' : `<detail><string>${escapeText(detail)}</string></detail>`;
  return (
    `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>${escapeText(faultcode)}</faultcode>` +
    `<faultstring>${escapeText(faultstring)}</faultstring><faultactor>ProvisioningService</faultactor>` +
    `${detailXml}</soapenv:Fault>${ENVELOPE_CLOSE}`
  );
}

/** What a SOAP response body carries: the OCI response document, or a Fault. */
export type SoapReply = { kind: 'document'; document: string } | { kind: 'fault'; faultcode: string; faultstring: string; detail?: string };

/**
 * Client side: reads a response envelope. Finds the first
 * `{urn:com:broadsoft:webservice}processOCIMessageReturn` whatever its prefix (both the `ns1:`
 * form and the default-namespace form of §4.9) and unescapes it on the raw bytes; the inner
 * document's own `encoding=` is ignored because the text is already decoded. A `soapenv:Fault`
 * is returned as `kind: 'fault'` (the caller turns it into TH_ERR_OCI_SOAP_FAULT).
 * @throws OciSoapBodyError for malformed XML, a missing or empty `processOCIMessageReturn`.
 */
export function unwrapSoapResponse(body: Buffer): SoapReply {
  const bytes = toUtf8(body);
  return guard(() => {
    const scanner = new XmlScanner(bytes);
    for (let token = scanner.next(); token !== undefined; token = scanner.next()) {
      if (token.type !== 'start') continue;
      if (token.localName === 'Fault' && token.namespace === SOAP_ENVELOPE_NAMESPACE) {
        return token.selfClosing ? { kind: 'fault', faultcode: '', faultstring: '' } : readFault(scanner, bytes);
      }
      if (token.localName === 'processOCIMessageReturn' && token.namespace === BROADWORKS_WEBSERVICE_NAMESPACE) {
        const document = token.selfClosing ? '' : collectText(scanner, bytes, token.qname);
        if (document.trim() === '') throw new OciSoapBodyError('empty processOCIMessageReturn (the server sent no OCI document)');
        return { kind: 'document', document };
      }
    }
    throw new OciSoapBodyError(`no {${BROADWORKS_WEBSERVICE_NAMESPACE}}processOCIMessageReturn and no SOAP Fault in the body`, undefined, {
      bodySnippet: bytes.toString('utf8', 0, Math.min(bytes.length, 200)),
    });
  });
}

/** Reads faultcode / faultstring / detail (children are unqualified; matched by local name). */
function readFault(scanner: XmlScanner, bytes: Buffer): SoapReply {
  const fault: { faultcode: string; faultstring: string; detail?: string } = { faultcode: '', faultstring: '' };
  for (let token = scanner.next(); token !== undefined; token = scanner.next()) {
    if (token.type === 'end') break;
    if (token.type !== 'start') continue;
    const text = token.selfClosing ? '' : collectText(scanner, bytes, token.qname, true);
    if (token.localName === 'faultcode') fault.faultcode = text.trim();
    else if (token.localName === 'faultstring') fault.faultstring = text.trim();
    else if (token.localName === 'detail' && text.trim() !== '') fault.detail = text.trim();
  }
  return { kind: 'fault', ...fault };
}

/**
 * Text content of the element whose start tag was just read. By default any child element is an
 * error (the OCI document is a string parameter); with `descend`, text of descendants is joined by
 * newlines (fault `detail` holds `<string>` and other children).
 */
function collectText(scanner: XmlScanner, bytes: Buffer, qname: string, descend = false): string {
  const ranges: TextToken[] = [];
  scanner.skipElement(
    (token) => ranges.push(token),
    (child) => {
      if (!descend) throw new OciSoapBodyError(`unexpected element <${child.qname}> inside <${qname}>`);
    },
  );
  if (ranges.length === 1 && ranges[0]!.type === 'text') {
    return unescapeXmlBytes(bytes, ranges[0]!.start, ranges[0]!.end).toString('utf8');
  }
  const parts = ranges.map((range) => (range.type === 'text' ? unescapeXmlBytes(bytes, range.start, range.end) : bytes.subarray(range.start, range.end)));
  if (!descend) return Buffer.concat(parts).toString('utf8');
  return parts
    .map((part) => part.toString('utf8').trim())
    .filter((part) => part !== '')
    .join('\n');
}

/** The scanner works on UTF-8; an envelope in another encoding is transcoded first (runtime/oci/xml/text.ts). */
function toUtf8(body: Buffer): Buffer {
  try {
    return xmlBytesAsUtf8(body);
  } catch (error) {
    if (error instanceof OciDocumentEncodingError) throw new OciSoapBodyError(`envelope encoding: ${error.message}`, undefined, { encoding: error.encoding });
    throw error;
  }
}

/** Turns scanner errors into a typed OciSoapBodyError. */
function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof XmlScanError) {
      throw new OciSoapBodyError(`malformed XML: ${error.message}`, undefined, { offset: error.offset, ...(error.limit ? { limit: error.limit } : {}) });
    }
    throw error;
  }
}
