/**
 * A small namespace-aware XML tokenizer over a UTF-8 Buffer, just enough for SOAP envelopes.
 * The point is speed on the one big text node of a SOAP return (oci-protocol §4.9, stack notes
 * §2.6): tags are decoded one by one, but text is reported as byte ranges so the caller can
 * unescape it on the raw bytes (see {@link unescapeXmlBytes}) without ever building a 13 MB string
 * with entities in it.
 */

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SEMI = 0x3b;
const CR = 0x0d;
const LF = 0x0a;
const QUOT = 0x22;
const APOS = 0x27;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** A start tag with its name resolved against the in-scope namespace declarations. */
export interface StartTagToken {
  type: 'start';
  qname: string;
  localName: string;
  /** Namespace URI, '' for no namespace. */
  namespace: string;
  attributes: Record<string, string>;
  selfClosing: boolean;
  /** Nesting depth of this element (the document element is 1). */
  depth: number;
}
export interface EndTagToken {
  type: 'end';
  qname: string;
  depth: number;
}
/** Character data as a byte range: `text` still has entity references, `cdata` is literal. */
export interface TextToken {
  type: 'text' | 'cdata';
  start: number;
  end: number;
}
export type XmlToken = StartTagToken | EndTagToken | TextToken;

/** Thrown by the scanner on malformed markup; callers wrap it into their own typed error. */
export class XmlScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

/**
 * Pull tokenizer. Comments, processing instructions and DOCTYPE are skipped. End tags are checked
 * against their start tags. Not a validating parser: entity references inside text are only
 * checked when the caller unescapes them.
 */
export class XmlScanner {
  private pos = 0;
  private readonly stack: { qname: string; bindings: Map<string, string> | undefined }[] = [];

  constructor(readonly bytes: Buffer) {}

  get depth(): number {
    return this.stack.length;
  }

  next(): XmlToken | undefined {
    const bytes = this.bytes;
    if (this.pos >= bytes.length) {
      if (this.stack.length > 0) throw new XmlScanError(`unclosed element <${this.stack[this.stack.length - 1]!.qname}>`, this.pos);
      return undefined;
    }
    if (bytes[this.pos] !== LT) {
      const start = this.pos;
      const lt = bytes.indexOf(LT, start);
      this.pos = lt < 0 ? bytes.length : lt;
      return { type: 'text', start, end: this.pos };
    }
    const lt = this.pos;
    const second = bytes[lt + 1];
    if (second === 0x21 /* ! */) {
      if (this.startsWith(lt, '<!--')) {
        this.pos = this.after(lt + 4, '-->', 'unterminated comment');
        return this.next();
      }
      if (this.startsWith(lt, '<![CDATA[')) {
        const end = this.after(lt + 9, ']]>', 'unterminated CDATA section');
        this.pos = end;
        return { type: 'cdata', start: lt + 9, end: end - 3 };
      }
      this.pos = this.after(lt + 2, '>', 'unterminated declaration');
      return this.next();
    }
    if (second === 0x3f /* ? */) {
      this.pos = this.after(lt + 2, '?>', 'unterminated processing instruction');
      return this.next();
    }
    if (second === 0x2f /* / */) {
      const gt = bytes.indexOf(GT, lt + 2);
      if (gt < 0) throw new XmlScanError('unterminated end tag', lt);
      const qname = bytes.toString('utf8', lt + 2, gt).trim();
      const open = this.stack.pop();
      if (open === undefined || open.qname !== qname) {
        throw new XmlScanError(`end tag </${qname}> does not match <${open?.qname ?? '(none)'}>`, lt);
      }
      this.pos = gt + 1;
      return { type: 'end', qname, depth: this.stack.length + 1 };
    }
    return this.startTag(lt);
  }

  /**
   * Skips the content of the element whose start tag was just returned, up to and including its
   * end tag, calling `onText` for each text/CDATA range at any depth.
   */
  skipElement(onText?: (token: TextToken) => void, onStart?: (token: StartTagToken) => void): void {
    const depth = this.stack.length;
    for (;;) {
      const token = this.next();
      if (token === undefined) throw new XmlScanError('unexpected end of document', this.pos);
      if (token.type === 'end' && token.depth === depth) return;
      if (token.type === 'text' || token.type === 'cdata') onText?.(token);
      else if (token.type === 'start') onStart?.(token);
    }
  }

  private startTag(lt: number): StartTagToken {
    const bytes = this.bytes;
    // Find the closing '>' outside quoted attribute values.
    let i = lt + 1;
    let quote = 0;
    for (; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (quote !== 0) {
        if (b === quote) quote = 0;
      } else if (b === QUOT || b === APOS) quote = b;
      else if (b === GT) break;
      else if (b === LT) throw new XmlScanError("'<' inside a tag", i);
    }
    if (i >= bytes.length) throw new XmlScanError('unterminated start tag', lt);
    this.pos = i + 1;
    let inner = bytes.toString('utf8', lt + 1, i);
    const selfClosing = inner.endsWith('/');
    if (selfClosing) inner = inner.slice(0, -1);
    const nameMatch = /^([^\s/>=]+)/.exec(inner);
    if (nameMatch === null) throw new XmlScanError('start tag without a name', lt);
    const qname = nameMatch[1]!;
    const attributes: Record<string, string> = {};
    let bindings: Map<string, string> | undefined;
    const attributePattern = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
    attributePattern.lastIndex = qname.length;
    for (let match = attributePattern.exec(inner); match !== null; match = attributePattern.exec(inner)) {
      const name = match[1]!;
      const value = unescapeXmlString(match[2] ?? match[3] ?? '');
      attributes[name] = value;
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        bindings ??= new Map();
        bindings.set(name === 'xmlns' ? '' : name.slice(6), value);
      }
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const localName = colon < 0 ? qname : qname.slice(colon + 1);
    const entry = { qname, bindings };
    this.stack.push(entry);
    const namespace = this.resolve(prefix);
    if (namespace === undefined) throw new XmlScanError(`undeclared namespace prefix "${prefix}"`, lt);
    const depth = this.stack.length;
    if (selfClosing) this.stack.pop();
    return { type: 'start', qname, localName, namespace, attributes, selfClosing, depth };
  }

  private resolve(prefix: string): string | undefined {
    if (prefix === 'xml') return XML_NAMESPACE;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const uri = this.stack[i]!.bindings?.get(prefix);
      if (uri !== undefined) return uri;
    }
    return prefix === '' ? '' : undefined;
  }

  private startsWith(offset: number, literal: string): boolean {
    return this.bytes.toString('latin1', offset, offset + literal.length) === literal;
  }

  private after(from: number, terminator: string, problem: string): number {
    const found = this.bytes.indexOf(terminator, from, 'latin1');
    if (found < 0) throw new XmlScanError(problem, from);
    return found + terminator.length;
  }
}

/**
 * Resolves the five predefined entities and numeric character references on raw UTF-8 bytes
 * and normalises line ends (`\r\n` and lone `\r` become `\n`, as an XML parser would). One pass,
 * no intermediate strings: about 30 ms for a 13 MB SOAP return (stack notes §2.6).
 * @throws XmlScanError on an unknown or malformed reference.
 */
export function unescapeXmlBytes(source: Buffer, start = 0, end = source.length): Buffer {
  // The output is never longer than the input: every reference is longer than what it stands for.
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = source[i]!;
    if (b === AMP) {
      // The five predefined entities are matched byte by byte (no string per reference).
      const c1 = source[i + 1];
      const c2 = source[i + 2];
      const c3 = source[i + 3];
      if (c2 === 0x74 /* t */ && c3 === SEMI && (c1 === 0x6c /* l */ || c1 === 0x67) /* g */ && i + 3 < end) {
        out[o++] = c1 === 0x6c ? LT : GT;
        i += 3;
      } else if (c1 === 0x61 /* a */ && c2 === 0x6d /* m */ && c3 === 0x70 /* p */ && source[i + 4] === SEMI && i + 4 < end) {
        out[o++] = AMP;
        i += 4;
      } else if (c1 === 0x71 /* q */ && c2 === 0x75 && c3 === 0x6f && source[i + 4] === 0x74 && source[i + 5] === SEMI && i + 5 < end) {
        out[o++] = QUOT;
        i += 5;
      } else if (c1 === 0x61 /* a */ && c2 === 0x70 && c3 === 0x6f && source[i + 4] === 0x73 && source[i + 5] === SEMI && i + 5 < end) {
        out[o++] = APOS;
        i += 5;
      } else {
        const semi = source.indexOf(SEMI, i + 1);
        if (semi < 0 || semi >= end || semi - i > 32) throw new XmlScanError('unterminated entity reference', i);
        o = writeCharacterReference(source, i + 1, semi, out, o);
        i = semi;
      }
    } else if (b === CR) {
      out[o++] = LF;
      if (i + 1 < end && source[i + 1] === LF) i++;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}

/** `&#NNN;` / `&#xHH;` written as UTF-8; anything else between `&` and `;` is an error. */
function writeCharacterReference(source: Buffer, nameStart: number, nameEnd: number, out: Buffer, o: number): number {
  const reference = source.toString('latin1', nameStart, nameEnd);
  const match = /^#(?:([0-9]+)|x([0-9a-fA-F]+))$/.exec(reference);
  const codePoint = match === null ? Number.NaN : match[1] !== undefined ? Number.parseInt(match[1], 10) : Number.parseInt(match[2]!, 16);
  if (!(codePoint > 0 && codePoint <= 0x10ffff) || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
    const what = match === null ? 'unknown entity reference' : 'invalid character reference';
    throw new XmlScanError(`${what} &${source.toString('utf8', nameStart, nameEnd)};`, nameStart - 1);
  }
  return o + out.write(String.fromCodePoint(codePoint), o, 'utf8');
}

/** String version of {@link unescapeXmlBytes}, for short values such as attributes and fault texts. */
export function unescapeXmlString(text: string): string {
  if (!text.includes('&') && !text.includes('\r')) return text;
  return unescapeXmlBytes(Buffer.from(text, 'utf8')).toString('utf8');
}

/**
 * Escapes text for element content: `&`, `<`, `>`, and `\r` (as `&#13;`, so it survives line-end
 * normalisation); with `quotes`, also `"` as `&quot;` (the form real BroadWorks replies use).
 * Large texts are escaped on UTF-8 bytes, several times faster than string replaces.
 */
export function escapeXmlText(text: string, quotes = false): string {
  const special = quotes ? /[&<>"\r]/g : /[&<>\r]/g;
  if (text.search(special) < 0) return text;
  if (text.length < 65536) return text.replace(special, (char) => ESCAPES[char]!);
  const source = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(source.length * 6);
  let o = 0;
  for (let i = 0; i < source.length; i++) {
    const b = source[i]!;
    const escaped = b < 0x3f ? BYTE_ESCAPES[b] : undefined;
    if (escaped === undefined || (b === QUOT && !quotes)) out[o++] = b;
    else for (let k = 0; k < escaped.length; k++) out[o++] = escaped[k]!;
  }
  return out.toString('utf8', 0, o);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };
const BYTE_ESCAPES: (Buffer | undefined)[] = [];
for (const [char, escaped] of Object.entries(ESCAPES)) BYTE_ESCAPES[char.charCodeAt(0)] = Buffer.from(escaped, 'latin1');
