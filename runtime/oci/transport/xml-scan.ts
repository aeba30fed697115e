/**
 * A small namespace-aware XML tokenizer over a UTF-8 Buffer, just enough for SOAP envelopes.
 * The point is speed on the one big text node of a SOAP return (oci-protocol §4.9, stack notes
 * §2.6): tags are decoded one by one, but text is reported as byte ranges so the caller can
 * unescape it on the raw bytes (see {@link unescapeXmlBytes}) without ever building a 13 MB string
 * with entities in it.
 *
 * Why this is not the codec's reader (runtime/oci/xml/reader.ts): that one pulls from a decoded
 * string, which here would mean decoding a 13 MB envelope into a string and then building a second
 * escaped-free copy; this one works on bytes and hands out ranges. Both share the escaping rules
 * (runtime/oci/xml/escape.ts) and the text⇄bytes rules (runtime/oci/xml/text.ts).
 *
 * Hostile input: every loop is iterative (a run of comments or declarations costs no stack), each
 * byte is looked at a bounded number of times, namespace lookup is per prefix (O(1), not a walk of
 * the element stack), and nesting depth, name length and attributes per element are limited.
 */

import { CDATA_CLOSE, CDATA_OPEN, COMMENT_CLOSE, COMMENT_OPEN, GT, LT, PI_CLOSE, SLASH } from './xml-bytes.js';

const AMP = 0x26;
const SEMI = 0x3b;
const CR = 0x0d;
const LF = 0x0a;
const QUOT = 0x22;
const APOS = 0x27;
const EQ = 0x3d;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const GT_BYTES = Buffer.from('>', 'latin1');

/** Limits of {@link XmlScanner}; exceeding one is an {@link XmlScanError} naming it. */
export interface XmlScanLimits {
  /** Deepest element nesting (a SOAP envelope nests about 5 levels); default 256. */
  maxDepth?: number;
  /** Longest element or attribute name; default 1024. */
  maxNameLength?: number;
  /** Most attributes on one element, namespace declarations included; default 64. */
  maxAttributes?: number;
}

/** The defaults of {@link XmlScanLimits}. */
export const DEFAULT_XML_SCAN_LIMITS: Readonly<Required<XmlScanLimits>> = Object.freeze({ maxDepth: 256, maxNameLength: 1024, maxAttributes: 64 });

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
    /** The limit that was exceeded (`maxDepth` …), when that is the problem. */
    readonly limit?: keyof XmlScanLimits,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

function isSpaceByte(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === LF || b === CR;
}

/**
 * Pull tokenizer. Comments, processing instructions and DOCTYPE are skipped. End tags are checked
 * against their start tags. Not a validating parser: entity references inside text are only
 * checked when the caller unescapes them.
 */
export class XmlScanner {
  private pos = 0;
  private readonly limits: Readonly<Required<XmlScanLimits>>;
  private readonly stack: string[] = [];
  // Namespace scope: per prefix a stack of [uri, depth]; `declared` lists the prefixes bound at each depth.
  private readonly scopes = new Map<string, string[]>();
  private readonly declared: string[][] = [];

  constructor(
    readonly bytes: Buffer,
    limits: XmlScanLimits = {},
  ) {
    this.limits = { ...DEFAULT_XML_SCAN_LIMITS, ...limits };
  }

  get depth(): number {
    return this.stack.length;
  }

  next(): XmlToken | undefined {
    const bytes = this.bytes;
    // A loop, not recursion: thousands of comments or declarations in a row cost no stack.
    for (;;) {
      if (this.pos >= bytes.length) {
        if (this.stack.length > 0) throw new XmlScanError(`unclosed element <${this.stack[this.stack.length - 1]!}>`, this.pos);
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
        const third = bytes[lt + 2];
        if (third !== 0x2d /* - */ && third !== 0x5b /* [ */) {
          // `<!DOCTYPE …>` or any other declaration: skipped to its `>` (a tight loop; runs of them are cheap).
          let gt = lt + 2;
          while (gt < bytes.length && bytes[gt] !== GT) gt++;
          if (gt >= bytes.length) throw new XmlScanError('unterminated declaration', lt + 2);
          this.pos = gt + 1;
          continue;
        }
        if (this.startsWith(lt, COMMENT_OPEN)) {
          this.pos = this.after(lt + 4, COMMENT_CLOSE, 'unterminated comment');
          continue;
        }
        if (this.startsWith(lt, CDATA_OPEN)) {
          const end = this.after(lt + 9, CDATA_CLOSE, 'unterminated CDATA section');
          this.pos = end;
          return { type: 'cdata', start: lt + 9, end: end - 3 };
        }
        this.pos = this.after(lt + 2, GT_BYTES, 'unterminated declaration');
        continue;
      }
      if (second === 0x3f /* ? */) {
        this.pos = this.after(lt + 2, PI_CLOSE, 'unterminated processing instruction');
        continue;
      }
      if (second === SLASH) return this.endTag(lt);
      return this.startTag(lt);
    }
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

  private endTag(lt: number): EndTagToken {
    const bytes = this.bytes;
    const gt = bytes.indexOf(GT, lt + 2);
    if (gt < 0) throw new XmlScanError('unterminated end tag', lt);
    if (gt - lt - 2 > this.limits.maxNameLength + 64) throw new XmlScanError('end tag name too long', lt, 'maxNameLength');
    const qname = bytes.toString('utf8', lt + 2, gt).trim();
    const open = this.stack[this.stack.length - 1];
    if (open === undefined || open !== qname) {
      throw new XmlScanError(`end tag </${qname}> does not match <${open ?? '(none)'}>`, lt);
    }
    this.leave();
    this.pos = gt + 1;
    return { type: 'end', qname, depth: this.stack.length + 1 };
  }

  /** Pops the innermost element and the namespace bindings it declared. */
  private leave(): void {
    this.stack.pop();
    const prefixes = this.declared.pop();
    if (prefixes) for (const prefix of prefixes) this.scopes.get(prefix)!.pop();
  }

  private startTag(lt: number): StartTagToken {
    const bytes = this.bytes;
    const end = bytes.length;
    const limits = this.limits;
    let i = lt + 1;
    const nameEnd = this.nameEnd(i);
    if (nameEnd === i) throw new XmlScanError('start tag without a name', lt);
    const qname = bytes.toString('utf8', i, nameEnd);
    i = nameEnd;
    const attributes = Object.create(null) as Record<string, string>;
    let count = 0;
    let prefixes: string[] | undefined;
    let selfClosing = false;
    // One pass over the tag: name, then `name = "value"` pairs, then `>` or `/>`.
    for (;;) {
      const before = i;
      while (isSpaceByte(bytes[i])) i++;
      if (i >= end) throw new XmlScanError('unterminated start tag', lt);
      const b = bytes[i]!;
      if (b === GT) {
        i++;
        break;
      }
      if (b === SLASH && bytes[i + 1] === GT) {
        selfClosing = true;
        i += 2;
        break;
      }
      if (b === LT) throw new XmlScanError("'<' inside a tag", i);
      if (i === before) throw new XmlScanError(`expected whitespace, '>' or '/>' in <${qname}>`, i);
      const attrNameEnd = this.nameEnd(i);
      if (attrNameEnd === i) throw new XmlScanError(`unexpected character in <${qname}>`, i);
      const name = bytes.toString('utf8', i, attrNameEnd);
      i = attrNameEnd;
      while (isSpaceByte(bytes[i])) i++;
      if (bytes[i] !== EQ) throw new XmlScanError(`expected '=' after attribute ${name}`, i);
      i++;
      while (isSpaceByte(bytes[i])) i++;
      const quote = bytes[i];
      if (quote !== QUOT && quote !== APOS) throw new XmlScanError(`attribute ${name} value must be quoted`, i);
      const close = bytes.indexOf(quote, i + 1);
      if (close < 0) throw new XmlScanError(`unterminated value of attribute ${name}`, i);
      const lessThan = bytes.subarray(i + 1, close).indexOf(LT);
      if (lessThan >= 0) throw new XmlScanError("'<' inside a tag", i + 1 + lessThan);
      if (++count > limits.maxAttributes) throw new XmlScanError(`more than ${limits.maxAttributes} attributes on <${qname}>`, i, 'maxAttributes');
      const value = unescapeXmlString(bytes.toString('utf8', i + 1, close));
      i = close + 1;
      if (attributes[name] !== undefined) throw new XmlScanError(`duplicate attribute ${name}`, i);
      attributes[name] = value;
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        let scope = this.scopes.get(prefix);
        if (scope === undefined) this.scopes.set(prefix, (scope = []));
        scope.push(value);
        (prefixes ??= []).push(prefix);
      }
    }
    if (this.stack.length >= limits.maxDepth) throw new XmlScanError(`elements nested deeper than ${limits.maxDepth}`, lt, 'maxDepth');
    this.stack.push(qname);
    this.declared.push(prefixes as string[]);
    this.pos = i;
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const localName = colon < 0 ? qname : qname.slice(colon + 1);
    const namespace = this.resolve(prefix);
    if (namespace === undefined) throw new XmlScanError(`undeclared namespace prefix "${prefix}"`, lt);
    const depth = this.stack.length;
    if (selfClosing) this.leave();
    return { type: 'start', qname, localName, namespace, attributes, selfClosing, depth };
  }

  /** End of the name starting at `from` (bytes up to whitespace, `=`, `>`, `/`, `<` or a quote); checks the length limit. */
  private nameEnd(from: number): number {
    const bytes = this.bytes;
    const max = from + this.limits.maxNameLength;
    let i = from;
    for (; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (isSpaceByte(b) || b === EQ || b === GT || b === SLASH || b === LT || b === QUOT || b === APOS) break;
      if (i >= max) throw new XmlScanError(`name longer than ${this.limits.maxNameLength} bytes`, from, 'maxNameLength');
    }
    return i;
  }

  private resolve(prefix: string): string | undefined {
    if (prefix === 'xml') return XML_NAMESPACE;
    const scope = this.scopes.get(prefix);
    if (scope !== undefined && scope.length > 0) return scope[scope.length - 1];
    return prefix === '' ? '' : undefined;
  }

  /** Byte comparison (no string per check: a run of a million `<!x>` costs no allocation). */
  private startsWith(offset: number, literal: Buffer): boolean {
    const bytes = this.bytes;
    if (offset + literal.length > bytes.length) return false;
    for (let k = 0; k < literal.length; k++) if (bytes[offset + k] !== literal[k]) return false;
    return true;
  }

  /**
   * Offset just past the next `terminator` at or after `from`. A short JS scan first: in a run of
   * small constructs the terminator is a few bytes away, nearer than a native call pays off.
   */
  private after(from: number, terminator: Buffer, problem: string): number {
    const bytes = this.bytes;
    const first = terminator[0]!;
    const near = Math.min(bytes.length, from + 64);
    for (let i = from; i < near; i++) {
      if (bytes[i] === first && this.startsWith(i, terminator)) return i + terminator.length;
    }
    const found = near >= bytes.length ? -1 : bytes.indexOf(terminator, near);
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
