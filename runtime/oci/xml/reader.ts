/**
 * A small, strict, namespace-aware XML pull reader for OCI-P documents.
 *
 * It exists instead of a general-purpose parser for two reasons: security (no DTD is ever
 * processed: a DOCTYPE or entity declaration is refused with {@link OciHostileXmlError}, and
 * only the five predefined entities plus numeric references are decoded) and speed (the
 * decoder drives it element by element from the schema, and OCITable content goes through
 * {@link XmlReader.scanTable}, an `indexOf` scanner). It checks well-formedness as it goes:
 * names, quoting, matching end tags, unbound prefixes, duplicate attributes, text outside
 * the root, nesting depth. Every problem is an {@link OciDecodeError} carrying the offset.
 */
import { OciDecodeError, OciHostileXmlError, type OciLimitCode, OciLimitError } from '../errors.js';
import { decodeEntities } from './escape.js';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/**
 * Limits of the reader, each a named option with its own error code (docs/oci-codec.md,
 * "Limits and hostile input"). They bound the time and memory a hostile document can cost.
 */
export interface XmlLimits {
  /** Deepest element nesting (OCI-P documents nest fewer than 10 levels). Code TH_ERR_OCI_LIMIT_DEPTH. */
  maxDepth?: number;
  /** Most attributes on one element, namespace declarations included. Code TH_ERR_OCI_LIMIT_ATTRIBUTES. */
  maxAttributes?: number;
  /** Longest element or attribute name, prefix included (the longest OCI-P name has under 100). Code TH_ERR_OCI_LIMIT_NAME_LENGTH. */
  maxNameLength?: number;
  /** Largest document, in characters (in bytes for a Buffer, checked before decoding). Code TH_ERR_OCI_LIMIT_DOCUMENT_SIZE. */
  maxDocumentLength?: number;
  /** Longest text of one element or attribute value, in characters. Code TH_ERR_OCI_LIMIT_STRING_LENGTH. */
  maxStringLength?: number;
}

/** The defaults of {@link XmlLimits}. */
export const DEFAULT_XML_LIMITS: Readonly<Required<XmlLimits>> = Object.freeze({
  maxDepth: 256,
  maxAttributes: 64,
  maxNameLength: 1024,
  maxDocumentLength: 64 * 1024 * 1024,
  maxStringLength: 32 * 1024 * 1024,
});

const LIMIT_CODES: Record<keyof XmlLimits, OciLimitCode> = {
  maxDepth: 'TH_ERR_OCI_LIMIT_DEPTH',
  maxAttributes: 'TH_ERR_OCI_LIMIT_ATTRIBUTES',
  maxNameLength: 'TH_ERR_OCI_LIMIT_NAME_LENGTH',
  maxDocumentLength: 'TH_ERR_OCI_LIMIT_DOCUMENT_SIZE',
  maxStringLength: 'TH_ERR_OCI_LIMIT_STRING_LENGTH',
};

// Limits objects this module resolved (the defaults included): a reader given one uses it as is.
const resolvedLimits = new WeakSet<object>([DEFAULT_XML_LIMITS]);
// Callers pass the same options object document after document: each is resolved once.
const resolvedFor = new WeakMap<XmlLimits, Readonly<Required<XmlLimits>>>();

/** Whether `limits` still gives `resolved` (the caller may have changed its object since). */
function sameLimits(limits: XmlLimits, resolved: Readonly<Required<XmlLimits>>): boolean {
  for (const key of Object.keys(LIMIT_CODES) as (keyof XmlLimits)[]) {
    if ((limits[key] ?? DEFAULT_XML_LIMITS[key]) !== resolved[key]) return false;
  }
  return true;
}

/**
 * `limits` over the defaults, each checked to be a positive integer. The result is frozen and
 * remembered per `limits` object, so passing the same object again costs a lookup.
 */
export function resolveXmlLimits(limits?: XmlLimits): Readonly<Required<XmlLimits>> {
  if (limits === undefined || resolvedLimits.has(limits)) return (limits as Readonly<Required<XmlLimits>> | undefined) ?? DEFAULT_XML_LIMITS;
  const known = resolvedFor.get(limits);
  if (known !== undefined && sameLimits(limits, known)) return known;
  const out = { ...DEFAULT_XML_LIMITS };
  for (const key of Object.keys(LIMIT_CODES) as (keyof XmlLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new OciDecodeError(`limit ${key} must be a positive integer, got ${String(value)}`, { limit: key });
    }
    out[key] = value;
  }
  const frozen = Object.freeze(out);
  resolvedLimits.add(frozen);
  resolvedFor.set(limits, frozen);
  return frozen;
}

/** Throws the {@link OciLimitError} of `limit`. */
export function limitExceeded(limit: keyof XmlLimits, max: number, message: string, context: { offset?: number; path?: string } = {}): never {
  throw new OciLimitError(LIMIT_CODES[limit], limit, max, message, context);
}

export interface XmlAttribute {
  readonly qname: string;
  readonly local: string;
  /** Namespace URI; '' for unprefixed attributes. */
  readonly ns: string;
  readonly value: string;
}

export interface StartTag {
  readonly qname: string;
  readonly local: string;
  /** Namespace URI of the element; '' for no namespace. */
  readonly ns: string;
  /** Attributes other than namespace declarations. */
  readonly attrs: readonly XmlAttribute[];
  readonly selfClosing: boolean;
  /** Offset of the `<`. */
  readonly offset: number;
}

/** Shared by every start tag without attributes (most of them): one allocation less per element. */
const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);

const enum Ch {
  Tab = 9,
  Lf = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Apos = 39,
  Slash = 47,
  Colon = 58,
  Lt = 60,
  Eq = 61,
  Gt = 62,
}

// ASCII name characters by code: 2 may start a name (letters, '_', ':'), 1 may only follow (digits, '-', '.').
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_NAME[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === Ch.Colon ? 2 : (c >= 48 && c <= 57) || c === 45 || c === 46 ? 1 : 0;
}

function isNameStart(c: number): boolean {
  return c < 128 ? ASCII_NAME[c] === 2 : c >= 0xc0 && c !== 0xd7 && c !== 0xf7;
}

function isNameChar(c: number): boolean {
  return c < 128 ? ASCII_NAME[c] !== 0 : (c >= 0xc0 && c !== 0xd7 && c !== 0xf7) || c === 0xb7;
}

function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Lf || c === Ch.Tab || c === Ch.Cr;
}

const XML_DECLARATION = /<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1/y;

/** Attribute values up to this length are first checked by {@link isPlainValue}. */
const SHORT_VALUE = 64;

/** True when `s[start, end)` has no '<', '&', tab, line feed or carriage return: the value is its own text. */
function isPlainValue(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === Ch.Lt || c === 38 /* & */ || c === Ch.Tab || c === Ch.Lf || c === Ch.Cr) return false;
  }
  return true;
}

/** Whether `</row>` is at `p` (character codes compared in place: cheaper than `startsWith` on every row). */
function isRowEnd(s: string, p: number): boolean {
  return (
    s.charCodeAt(p) === Ch.Lt &&
    s.charCodeAt(p + 1) === Ch.Slash &&
    s.charCodeAt(p + 2) === 114 /* r */ &&
    s.charCodeAt(p + 3) === 111 /* o */ &&
    s.charCodeAt(p + 4) === 119 /* w */ &&
    s.charCodeAt(p + 5) === Ch.Gt
  );
}

/**
 * What to build of a table (decode selections, codec.ts): the columns headed by one of
 * `columns` (every column when absent), and only the rows whose cell under each heading of
 * `where` holds its value (a heading the table lacks keeps no row).
 */
export interface TablePart {
  readonly columns?: readonly string[];
  readonly where?: Readonly<Record<string, string>>;
}

/** A {@link TablePart} against a table's headings: kept columns by index, and the value wanted per column index. */
interface TablePlan {
  keep?: boolean[];
  wanted?: (string | undefined)[];
  rowsKept: boolean;
}

function tablePlan(headings: readonly string[], part: TablePart): TablePlan {
  const columns = part.columns;
  const keep = columns === undefined ? undefined : headings.map((h) => columns.includes(h));
  if (part.where === undefined) return { keep, rowsKept: true };
  const wanted: (string | undefined)[] = new Array(headings.length).fill(undefined);
  let rowsKept = true;
  for (const [heading, value] of Object.entries(part.where)) {
    const i = headings.indexOf(heading);
    if (i === -1) rowsKept = false;
    else if (wanted[i] === undefined) wanted[i] = value;
    else if (wanted[i] !== value) rowsKept = false;
  }
  return { keep, wanted, rowsKept };
}

/** `table` narrowed by `part` the way {@link XmlReader.scanTable} narrows it (the decoder's generic path). */
export function narrowTable(table: { colHeading: string[]; row: { col: string[] }[] }, part: TablePart): { colHeading: string[]; row: { col: string[] }[] } {
  const { keep, wanted, rowsKept } = tablePlan(table.colHeading, part);
  const rows = !rowsKept
    ? []
    : wanted === undefined
      ? table.row
      : table.row.filter((r) => wanted.every((value, i) => value === undefined || (r.col[i] ?? '') === value));
  if (keep === undefined) return { colHeading: table.colHeading, row: rows };
  const pick = (cells: string[]) => cells.filter((_, i) => keep[i] === true);
  return { colHeading: pick(table.colHeading), row: rows.map((r) => ({ col: pick(r.col) })) };
}

/** Pull reader over one already decoded document string. */
export class XmlReader {
  readonly src: string;
  readonly limits: Readonly<Required<XmlLimits>>;
  pos = 0;
  private depth = 0;
  // Namespace scope: one stack of URIs per prefix (lookup is O(1) however many bindings are in
  // scope), plus the bindings in declaration order so leaving an element pops exactly its own.
  private readonly scopes = new Map<string, string[]>([
    ['xml', [XML_NS]],
    ['', ['']],
  ]);
  // The bindings in declaration order, as two parallel stacks (no object per binding: most
  // commands carry xmlns=""): the prefix, and the depth of the element that declared it.
  private readonly boundPrefixes: string[] = [];
  private readonly boundDepths: number[] = [];
  // A start tag's attributes as read, before namespace processing (reused: no object per attribute).
  private readonly rawNames: string[] = [];
  private readonly rawValues: string[] = [];
  private readonly rawOffsets: number[] = [];
  // The default namespace's stack of `scopes` (never empty), read directly for every unprefixed element.
  private readonly defaultScope = this.scopes.get('')!;
  // Cached position of the next '&' at or after the table scanner's position (amortised O(n) scanning).
  private nextAmp = -2;
  // The headings of the last table scanned, and the plan of the last part asked for on them.
  private readonly lastHeadings: string[] = [];
  private lastPart: TablePart | undefined;
  private lastPlan: TablePlan | undefined;
  // Reused by scanTable: the positions of a row's kept cells, and their texts.
  private readonly cellStarts: number[] = [];
  private readonly cellEnds: number[] = [];
  private readonly cellScratch: string[] = [];

  constructor(src: string, limits?: XmlLimits | Readonly<Required<XmlLimits>>) {
    this.src = src;
    this.limits = resolveXmlLimits(limits);
    if (src.length > this.limits.maxDocumentLength) {
      const max = this.limits.maxDocumentLength;
      limitExceeded('maxDocumentLength', max, `document of ${src.length} characters is too large (limit maxDocumentLength = ${max})`, { offset: 0 });
    }
  }

  /** Line and column (1-based) of `offset`. */
  where(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(offset, this.src.length);
    for (let i = this.src.indexOf('\n'); i !== -1 && i < end; i = this.src.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: end - lineStart + 1 };
  }

  /** Throws the {@link OciLimitError} of `limit`, located like {@link fail}. */
  private overLimit(limit: keyof XmlLimits, message: string, offset = this.pos, path?: string): never {
    const { line, column } = this.where(offset);
    const max = this.limits[limit];
    limitExceeded(limit, max, `${path ? `${path}: ` : ''}${message} (limit ${limit} = ${max}) at line ${line}, column ${column} (offset ${offset})`, {
      offset,
      path,
    });
  }

  /** Throws an {@link OciDecodeError} for `offset`, with line and column. */
  fail(message: string, offset = this.pos, path?: string): never {
    const { line, column } = this.where(offset);
    throw new OciDecodeError(`${path ? `${path}: ` : ''}${message} at line ${line}, column ${column} (offset ${offset})`, { offset, path, line, column });
  }

  private hostile(what: string, offset: number): never {
    throw new OciHostileXmlError(`${what} refused at offset ${offset}: OCI-P documents never carry a DTD, and entities are never expanded`, offset);
  }

  /** Skips the XML declaration, comments, processing instructions and whitespace before the root; stops at its `<`. */
  readProlog(): void {
    const s = this.src;
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (s.startsWith('<?xml', this.pos) && isSpace(s.charCodeAt(this.pos + 5))) {
      const end = s.indexOf('?>', this.pos);
      if (end === -1) this.fail('unterminated XML declaration');
      // Matched in place (sticky), not on a slice: the pattern cannot run past the first '?>'.
      XML_DECLARATION.lastIndex = this.pos;
      if (!XML_DECLARATION.test(s)) this.fail('malformed XML declaration');
      this.pos = end + 2;
    }
    this.skipMisc();
    if (this.pos >= s.length) this.fail(s.trim() === '' ? 'empty document' : 'no root element');
    if (s.charCodeAt(this.pos) !== Ch.Lt || !isNameStart(s.charCodeAt(this.pos + 1))) this.fail('expected the root element');
  }

  /** After the root element: only whitespace, comments and processing instructions may follow. */
  readEpilog(): void {
    this.skipMisc();
    if (this.pos < this.src.length) this.fail('content after the end of the document element');
  }

  private skipMisc(): void {
    const s = this.src;
    for (;;) {
      while (this.pos < s.length && isSpace(s.charCodeAt(this.pos))) this.pos++;
      if (s.charCodeAt(this.pos) !== Ch.Lt) return;
      if (s.startsWith('<!--', this.pos)) this.skipComment();
      else if (s.startsWith('<?', this.pos)) this.skipPI();
      else if (s.startsWith('<!', this.pos)) this.refuseDeclaration();
      else return;
    }
  }

  private refuseDeclaration(): never {
    const s = this.src;
    const at = this.pos;
    if (s.startsWith('<!DOCTYPE', at)) this.hostile('DOCTYPE declaration', at);
    if (s.startsWith('<!ENTITY', at)) this.hostile('entity declaration', at);
    this.fail(`unexpected markup '${s.slice(at, at + 10)}'`, at);
  }

  private skipComment(): void {
    const end = this.src.indexOf('-->', this.pos + 4);
    if (end === -1) this.fail('unterminated comment');
    this.pos = end + 3;
  }

  private skipPI(): void {
    const s = this.src;
    const end = s.indexOf('?>', this.pos + 2);
    if (end === -1) this.fail('unterminated processing instruction');
    // The target `xml` (any case) is reserved: a second XML declaration, or one not at the very start.
    let p = this.pos + 2;
    while (p < end && isNameChar(s.charCodeAt(p))) p++;
    if (p - this.pos === 5 && s.slice(this.pos + 2, p).toLowerCase() === 'xml') {
      this.fail('an XML declaration is only allowed once, at the very start of the document');
    }
    this.pos = end + 2;
  }

  private readName(): string {
    const s = this.src;
    const start = this.pos;
    if (!isNameStart(s.charCodeAt(start))) {
      if (start >= s.length) this.fail('unexpected end of document inside a tag');
      this.fail(`invalid character '${s[start]}' where a name was expected`);
    }
    let p = start + 1;
    while (p < s.length && isNameChar(s.charCodeAt(p))) p++;
    if (p - start > this.limits.maxNameLength) this.overLimit('maxNameLength', `name of ${p - start} characters`, start);
    this.pos = p;
    return s.slice(start, p);
  }

  /** Resolves a prefix in the current scope; throws for an unbound one. */
  lookup(prefix: string, offset = this.pos): string {
    const scope = this.scopes.get(prefix);
    if (scope !== undefined && scope.length > 0) return scope[scope.length - 1]!;
    if (prefix === 'xmlns') return 'http://www.w3.org/2000/xmlns/';
    return this.fail(`unbound namespace prefix '${prefix}'`, offset);
  }

  private bind(prefix: string, uri: string): void {
    let scope = this.scopes.get(prefix);
    if (scope === undefined) this.scopes.set(prefix, (scope = []));
    scope.push(uri);
    this.boundPrefixes.push(prefix);
    this.boundDepths.push(this.depth);
  }

  /** Leaves the namespace scope of the element at the current depth. */
  private unbindDepth(): void {
    const depths = this.boundDepths;
    while (depths.length > 0 && depths[depths.length - 1] === this.depth) {
      depths.pop();
      this.scopes.get(this.boundPrefixes.pop()!)!.pop();
    }
  }

  /** Resolves a QName value (such as an `xsi:type`) in the scope of the element just read: `[namespace, local]`. */
  resolveQName(value: string, offset: number): [string, string] {
    const v = value.trim();
    const colon = v.indexOf(':');
    if (colon === -1) return [this.lookup('', offset), v];
    return [this.lookup(v.slice(0, colon), offset), v.slice(colon + 1)];
  }

  /** Reads the start tag at `pos` (which must be at `<`), declaring its namespaces. */
  readStartTag(): StartTag {
    const s = this.src;
    const offset = this.pos;
    if (++this.depth > this.limits.maxDepth) this.overLimit('maxDepth', `elements nested deeper than ${this.limits.maxDepth}`);
    this.pos++;
    const qname = this.readName();
    const rawNames = this.rawNames;
    const rawValues = this.rawValues;
    const rawOffsets = this.rawOffsets;
    let count = 0;
    let selfClosing = false;
    for (;;) {
      const before = this.pos;
      while (isSpace(s.charCodeAt(this.pos))) this.pos++;
      const c = s.charCodeAt(this.pos);
      if (c === Ch.Gt) {
        this.pos++;
        break;
      }
      if (c === Ch.Slash) {
        if (s.charCodeAt(this.pos + 1) !== Ch.Gt) this.fail("expected '/>'");
        this.pos += 2;
        selfClosing = true;
        break;
      }
      if (Number.isNaN(c)) this.fail(`unterminated start tag <${qname}>`, offset);
      if (this.pos === before) this.fail(`expected whitespace, '>' or '/>' in <${qname}>`);
      const attrOffset = this.pos;
      const name = this.readName();
      while (isSpace(s.charCodeAt(this.pos))) this.pos++;
      if (s.charCodeAt(this.pos) !== Ch.Eq) this.fail(`expected '=' after attribute ${name}`);
      this.pos++;
      while (isSpace(s.charCodeAt(this.pos))) this.pos++;
      const quote = s.charCodeAt(this.pos);
      if (quote !== Ch.Quote && quote !== Ch.Apos) this.fail(`attribute ${name} value must be quoted`);
      const end = s.indexOf(quote === Ch.Quote ? '"' : "'", this.pos + 1);
      if (end === -1) this.fail(`unterminated value of attribute ${name}`, attrOffset);
      if (end - this.pos - 1 > this.limits.maxStringLength)
        this.overLimit('maxStringLength', `value of attribute ${name} has ${end - this.pos - 1} characters`, attrOffset);
      const rawValue = s.slice(this.pos + 1, end);
      // Most values are short and plain (`xmlns=""`, `xsi:type`, `echo`): one pass over their
      // characters tells that; anything else goes the general way below.
      const value = end - this.pos <= SHORT_VALUE && isPlainValue(s, this.pos + 1, end) ? rawValue : this.attributeValue(rawValue, name);
      this.pos = end + 1;
      if (count >= this.limits.maxAttributes) this.overLimit('maxAttributes', `more than ${this.limits.maxAttributes} attributes on <${qname}>`, attrOffset);
      for (let i = 0; i < count; i++) if (rawNames[i] === name) this.fail(`duplicate attribute ${name}`, attrOffset);
      rawNames[count] = name;
      rawValues[count] = value;
      rawOffsets[count++] = attrOffset;
    }
    let attrs = NO_ATTRIBUTES as XmlAttribute[];
    if (count > 0) {
      let declarations = 0;
      for (let i = 0; i < count; i++) {
        const name = rawNames[i] as string;
        if (name === 'xmlns') this.bind('', rawValues[i] as string);
        else if (name.startsWith('xmlns:')) {
          if (rawValues[i] === '') this.fail(`namespace prefix ${name.slice(6)} bound to an empty name`, rawOffsets[i]);
          this.bind(name.slice(6), rawValues[i] as string);
        } else continue;
        declarations++;
      }
      if (declarations < count) attrs = [];
      for (let i = 0; i < count && declarations < count; i++) {
        const name = rawNames[i] as string;
        const value = rawValues[i] as string;
        if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
        const colon = name.indexOf(':');
        attrs.push(
          colon === -1
            ? { qname: name, local: name, ns: '', value }
            : { qname: name, local: name.slice(colon + 1), ns: this.lookup(name.slice(0, colon), rawOffsets[i]), value },
        );
      }
    }
    const colon = qname.indexOf(':');
    const ns = colon === -1 ? this.defaultScope[this.defaultScope.length - 1]! : this.lookup(qname.slice(0, colon), offset);
    return { qname, local: colon === -1 ? qname : qname.slice(colon + 1), ns, attrs, selfClosing, offset };
  }

  /** An attribute value with markup characters or whitespace to handle: checked, entity-decoded, normalised. */
  private attributeValue(rawValue: string, name: string): string {
    const lt = rawValue.indexOf('<');
    if (lt !== -1) this.fail(`'<' in the value of attribute ${name}`, this.pos + 1 + lt);
    const decoded = decodeEntities(rawValue);
    if (typeof decoded !== 'string') this.fail(decoded.message, this.pos + 1 + decoded.index);
    // Attribute-value normalisation: literal whitespace characters become spaces (character references stay).
    return /[\t\n\r]/.test(rawValue) ? this.normaliseAttribute(rawValue) : decoded;
  }

  private normaliseAttribute(rawValue: string): string {
    const decoded = decodeEntities(rawValue.replace(/[\t\n\r]/g, ' '));
    return typeof decoded === 'string' ? decoded : this.fail(decoded.message);
  }

  /**
   * In element content: skips whitespace, comments and PIs and returns the next child's start
   * tag, or null when the parent's end tag comes next. Text other than whitespace is an error.
   */
  nextChild(parent: StartTag, path?: string): StartTag | null {
    if (parent.selfClosing) return null;
    const s = this.src;
    for (;;) {
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) this.fail(`unexpected end of document inside <${parent.qname}>`, s.length, path);
      for (let p = this.pos; p < lt; p++) {
        if (!isSpace(s.charCodeAt(p))) this.fail(`unexpected text inside <${parent.qname}>`, p, path);
      }
      this.pos = lt;
      const c = s.charCodeAt(lt + 1);
      if (c === Ch.Slash) return null;
      if (isNameStart(c)) return this.readStartTag(); // the usual case: no comment, PI or CDATA to rule out
      if (s.startsWith('<!--', lt)) this.skipComment();
      else if (c === 63 /* ? */) this.skipPI();
      else if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt);
        if (end === -1) this.fail('unterminated CDATA section', lt, path);
        if (s.slice(lt + 9, end).trim() !== '') this.fail(`unexpected text inside <${parent.qname}>`, lt, path);
        this.pos = end + 3;
      } else if (c === 33 /* ! */) this.refuseDeclaration();
      else return this.readStartTag();
    }
  }

  /** Reads the character data of a simple-valued element up to (not including) its end tag. */
  readText(parent: StartTag, path?: string): string {
    if (parent.selfClosing) return '';
    const s = this.src;
    let out = '';
    for (;;) {
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) this.fail(`unexpected end of document inside <${parent.qname}>`, s.length, path);
      if (lt > this.pos) {
        const raw = s.slice(this.pos, lt);
        const decoded = decodeEntities(raw);
        if (typeof decoded !== 'string') this.fail(decoded.message, this.pos + decoded.index, path);
        out = out === '' ? decoded : out + decoded;
        if (out.length > this.limits.maxStringLength) this.overLimit('maxStringLength', `text of <${parent.qname}> is longer`, this.pos, path);
      }
      this.pos = lt;
      const c = s.charCodeAt(lt + 1);
      if (c === Ch.Slash) return out;
      if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt + 9);
        if (end === -1) this.fail('unterminated CDATA section', lt, path);
        out += s.slice(lt + 9, end);
        if (out.length > this.limits.maxStringLength) this.overLimit('maxStringLength', `text of <${parent.qname}> is longer`, lt, path);
        this.pos = end + 3;
      } else if (s.startsWith('<!--', lt)) this.skipComment();
      else if (c === 63 /* ? */) this.skipPI();
      else if (c === 33 /* ! */) this.refuseDeclaration();
      else this.fail(`element not allowed inside the simple value <${parent.qname}>`, lt, path);
    }
  }

  /**
   * The text of a simple-valued element and its end tag, as {@link readText} then
   * {@link finishElement}; the usual `text</name>` is settled in place.
   */
  readTextAndFinish(tag: StartTag, path?: string): string {
    const usual = this.tryTextAndFinish(tag);
    if (usual !== undefined) return usual;
    const text = this.readText(tag, path);
    this.finishElement(tag, path);
    return text;
  }

  /**
   * {@link readTextAndFinish} for the usual `text</name>` (or a self-closing tag) only, which
   * cannot fail: anything else gives undefined with nothing consumed, and readTextAndFinish
   * then reads it, or names the problem. It needs no path, so its caller builds none.
   */
  tryTextAndFinish(tag: StartTag): string | undefined {
    if (tag.selfClosing) {
      this.unbindDepth();
      this.depth--;
      return '';
    }
    const lt = this.plainTextEnd(tag);
    if (lt === -1) return undefined;
    const raw = this.src.slice(this.pos, lt);
    const text = raw.indexOf('&') === -1 ? raw : decodeEntities(raw);
    if (typeof text !== 'string') return undefined;
    this.pos = lt + 3 + tag.qname.length;
    this.unbindDepth();
    this.depth--;
    return text;
  }

  /**
   * Where the text of `tag` ends when its own end tag follows it at once, within the length
   * limit (the usual simple member: `text</name>`), else -1; the end tag then ends at `lt + 3 + qname.length`.
   */
  private plainTextEnd(tag: StartTag): number {
    const s = this.src;
    const lt = s.indexOf('<', this.pos);
    const name = tag.qname;
    if (
      lt === -1 ||
      s.charCodeAt(lt + 1) !== Ch.Slash ||
      s.charCodeAt(lt + 2 + name.length) !== Ch.Gt ||
      !s.startsWith(name, lt + 2) ||
      lt - this.pos > this.limits.maxStringLength
    ) {
      return -1;
    }
    return lt;
  }

  /**
   * Skips an element left out of a decode selection in the usual form, a self-closing tag or
   * `text</name>` whose text is within the limits and decodes; false (nothing consumed) for
   * anything else, which {@link skipChecked} then reads or names.
   */
  trySkipSimple(tag: StartTag): boolean {
    if (!tag.selfClosing) {
      const lt = this.plainTextEnd(tag);
      if (lt === -1 || (this.hasAmpersand(this.pos, lt) && typeof decodeEntities(this.src.slice(this.pos, lt)) !== 'string')) return false;
      this.pos = lt + 3 + tag.qname.length;
    }
    this.unbindDepth();
    this.depth--;
    return true;
  }

  /**
   * Content of an element that must be empty (`xsi:nil="true"`): whitespace, comments and PIs
   * only, then its end tag. Text or a child element is an error, never silently dropped.
   */
  finishEmpty(tag: StartTag, path: string | undefined, why: string): void {
    if (!tag.selfClosing) {
      const s = this.src;
      for (;;) {
        const lt = s.indexOf('<', this.pos);
        if (lt === -1) this.fail(`unexpected end of document inside <${tag.qname}>`, s.length, path);
        for (let p = this.pos; p < lt; p++) {
          if (!isSpace(s.charCodeAt(p))) this.fail(`text inside <${tag.qname}>, which must be empty (${why})`, p, path);
        }
        this.pos = lt;
        const c = s.charCodeAt(lt + 1);
        if (c === Ch.Slash) break;
        if (s.startsWith('<!--', lt)) this.skipComment();
        else if (c === 63 /* ? */) this.skipPI();
        else if (c === 33 /* ! */ && !s.startsWith('<![CDATA[', lt)) this.refuseDeclaration();
        else this.fail(`content inside <${tag.qname}>, which must be empty (${why})`, lt, path);
      }
    }
    this.finishElement(tag, path);
  }

  /** Consumes the end tag of `tag` (nothing for a self-closing one) and leaves its namespace scope. */
  finishElement(tag: StartTag, path?: string): void {
    if (!tag.selfClosing) {
      const s = this.src;
      const at = this.pos;
      if (s.charCodeAt(at) !== Ch.Lt || s.charCodeAt(at + 1) !== Ch.Slash) this.fail(`expected </${tag.qname}>`, at, path);
      this.pos = at + 2;
      // The usual case, the right name, is matched in place (no string cut per end tag).
      const end = this.pos + tag.qname.length;
      const same = s.startsWith(tag.qname, this.pos) && !isNameChar(s.charCodeAt(end));
      const name = same ? tag.qname : this.pos < s.length && isNameStart(s.charCodeAt(this.pos)) ? this.readName() : '';
      if (same) this.pos = end;
      else if (name !== tag.qname) {
        if (this.pos >= s.length) this.fail(`unexpected end of document, expected </${tag.qname}>`, at, path);
        this.fail(`mismatched end tag </${name}>, expected </${tag.qname}>`, at, path);
      }
      while (isSpace(s.charCodeAt(this.pos))) this.pos++;
      if (s.charCodeAt(this.pos) !== Ch.Gt) this.fail(`unterminated end tag </${name}>`, at, path);
      this.pos++;
    }
    this.unbindDepth();
    this.depth--;
  }

  /** Skips the whole content of `tag` (markup still checked for well-formedness) and consumes its end tag. */
  skipElement(tag: StartTag, path?: string): void {
    const s = this.src;
    const open: StartTag[] = [tag];
    while (open.length > 0) {
      const current = open[open.length - 1]!;
      if (current.selfClosing) {
        this.finishElement(current, path);
        open.pop();
        continue;
      }
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) this.fail(`unexpected end of document inside <${current.qname}>`, s.length, path);
      this.pos = lt;
      if (s.charCodeAt(lt + 1) === Ch.Slash) {
        this.finishElement(current, path);
        open.pop();
      } else if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt + 9);
        if (end === -1) this.fail('unterminated CDATA section', lt, path);
        this.pos = end + 3;
      } else if (s.startsWith('<!--', lt)) this.skipComment();
      else if (s.charCodeAt(lt + 1) === 63 /* ? */) this.skipPI();
      else if (s.charCodeAt(lt + 1) === 33 /* ! */) this.refuseDeclaration();
      else {
        const child = this.readStartTag();
        // An empty element ends here: no need to stack it.
        if (child.selfClosing) this.finishElement(child, path);
        else open.push(child);
      }
    }
  }

  /**
   * Skips the whole content of `tag` and consumes its end tag without building anything, still
   * checking what {@link readText} and {@link nextChild} check: well-formed markup and end tags,
   * entity references, the depth and string-length limits. For the members a decode selection
   * leaves out (codec.ts); unlike {@link skipElement} (xs:anyType), text is checked too.
   */
  skipChecked(tag: StartTag, path?: string): void {
    if (tag.selfClosing) {
      this.finishElement(tag, path);
      return;
    }
    const s = this.src;
    // The usual member left out, a simple value: its text, then its end tag.
    const first = s.indexOf('<', this.pos);
    if (first !== -1 && s.charCodeAt(first + 1) === Ch.Slash) {
      if (first > this.pos) this.checkText(this.pos, first, tag, path);
      this.pos = first;
      this.finishElement(tag, path);
      return;
    }
    const open: StartTag[] = [tag];
    while (open.length > 0) {
      const current = open[open.length - 1]!;
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) this.fail(`unexpected end of document inside <${current.qname}>`, s.length, path);
      if (lt > this.pos) this.checkText(this.pos, lt, current, path);
      this.pos = lt;
      const c = s.charCodeAt(lt + 1);
      if (c === Ch.Slash) {
        this.finishElement(current, path);
        open.pop();
      } else if (isNameStart(c)) {
        const child = this.readStartTag();
        if (child.selfClosing) this.finishElement(child, path);
        else open.push(child);
      } else if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt + 9);
        if (end === -1) this.fail('unterminated CDATA section', lt, path);
        if (end - lt - 9 > this.limits.maxStringLength) this.overLimit('maxStringLength', `text of <${current.qname}> is longer`, lt, path);
        this.pos = end + 3;
      } else if (s.startsWith('<!--', lt)) this.skipComment();
      else if (c === 63 /* ? */) this.skipPI();
      else if (c === 33 /* ! */) this.refuseDeclaration();
      else this.readStartTag(); // fails with the precise message
    }
  }

  /** Checks the character data `s[start, end)` of `parent` as {@link readText} would read it: its length and its entity references. */
  private checkText(start: number, end: number, parent: StartTag, path?: string): void {
    if (end - start > this.limits.maxStringLength) this.overLimit('maxStringLength', `text of <${parent.qname}> is longer`, start, path);
    if (!this.hasAmpersand(start, end)) return;
    const decoded = decodeEntities(this.src.slice(start, end));
    if (typeof decoded !== 'string') this.fail(decoded.message, start + decoded.index, path);
  }

  /** Whether `s[start, end)` holds a '&', from the cached position of the next one (the reader only moves forward). */
  private hasAmpersand(start: number, end: number): boolean {
    if (this.nextAmp !== -1 && this.nextAmp < start) this.nextAmp = this.src.indexOf('&', start);
    return this.nextAmp !== -1 && this.nextAmp < end;
  }

  /**
   * Fast path for an OCITable element whose start tag was just read: scans
   * `<colHeading>…</colHeading>* (<row>(<col>…</col>|<col/>)+</row>)*` with `indexOf` and
   * consumes the end tag. Returns null (position unchanged) at anything unusual (attributes,
   * comments, CDATA, prefixes, odd spacing) so the caller can take the generic path, which
   * gives the same result or the precise error. `part` narrows what is built (every cell is
   * still checked): only the columns headed by one of `part.columns`, only the rows whose
   * cells under the headings of `part.where` hold those values.
   */
  scanTable(tag: StartTag, part?: TablePart): { colHeading: string[]; row: { col: string[] }[] } | null {
    if (tag.selfClosing) return null;
    const s = this.src;
    const colHeading: string[] = [];
    const row: { col: string[] }[] = [];
    let p = this.pos;
    while (isSpace(s.charCodeAt(p))) p++;
    // The commands of a document are mostly of one type, with the same headings: a heading equal
    // to the previous table's at its place is that string again (not a new one), and the same
    // headings and part give the same plan.
    const previous = this.lastHeadings;
    let same = true;
    while (s.startsWith('<colHeading>', p)) {
      p += 12;
      const lt = s.indexOf('<', p);
      if (lt === -1 || !s.startsWith('</colHeading>', lt)) return null;
      const known = same ? previous[colHeading.length] : undefined;
      let text: string | null;
      if (known !== undefined && lt - p === known.length && s.startsWith(known, p) && !this.hasAmpersand(p, lt)) text = known;
      else {
        same = false;
        text = this.cellText(p, lt);
        if (text === null) return null;
      }
      colHeading.push(text);
      p = lt + 13;
      while (isSpace(s.charCodeAt(p))) p++;
    }
    if (colHeading.length === 0) return null;
    if (colHeading.length !== previous.length) same = false;
    if (!same) {
      previous.length = colHeading.length;
      for (let i = 0; i < colHeading.length; i++) previous[i] = colHeading[i] as string;
      this.lastPart = undefined;
    }
    let plan: TablePlan | undefined;
    if (part !== undefined) {
      if (part !== this.lastPart) {
        this.lastPlan = tablePlan(colHeading, part);
        this.lastPart = part;
      }
      plan = this.lastPlan;
    }
    const keep = plan?.keep;
    const wanted = plan?.wanted;
    // Kept cells are noted by position (start, end; -1 for `<col/>`) and cut out once their row is
    // known to be kept, into a reused scratch array: slicing it gives each row an exactly sized
    // array (a growing array would reserve 17 slots per row: ~20% more young-generation
    // allocation and slower scavenges on 50k-row tables).
    const starts = this.cellStarts;
    const ends = this.cellEnds;
    const scratch = this.cellScratch;
    // Hot loop: plain character-code comparisons, no closures (about 450k elements for 50k rows).
    while (
      s.charCodeAt(p) === Ch.Lt &&
      s.charCodeAt(p + 1) === 114 /* r */ &&
      s.charCodeAt(p + 2) === 111 &&
      s.charCodeAt(p + 3) === 119 &&
      s.charCodeAt(p + 4) === Ch.Gt
    ) {
      p += 5;
      let cells = 0;
      let column = 0;
      let rowKept = plan === undefined || plan.rowsKept;
      for (;;) {
        let c = s.charCodeAt(p);
        while (c === Ch.Space || c === Ch.Lf || c === Ch.Tab || c === Ch.Cr) c = s.charCodeAt(++p);
        // `<col` then `>` or `/>`
        if (c !== Ch.Lt || s.charCodeAt(p + 1) !== 99 /* c */ || s.charCodeAt(p + 2) !== 111 || s.charCodeAt(p + 3) !== 108) break;
        const after = s.charCodeAt(p + 4);
        let cellStart = -1;
        let cellEnd = -1;
        if (after === Ch.Gt) {
          p += 5;
          const lt = s.indexOf('<', p);
          // must be `</col>`
          if (
            lt === -1 ||
            s.charCodeAt(lt + 1) !== Ch.Slash ||
            s.charCodeAt(lt + 2) !== 99 ||
            s.charCodeAt(lt + 3) !== 111 ||
            s.charCodeAt(lt + 4) !== 108 ||
            s.charCodeAt(lt + 5) !== Ch.Gt
          ) {
            return null;
          }
          cellStart = p;
          cellEnd = lt;
          p = lt + 6;
        } else if (after === Ch.Slash && s.charCodeAt(p + 5) === Ch.Gt) p += 6;
        else return null;
        // Every cell is checked, kept or not: an entity that cannot be decoded sends the table the generic way.
        const entities = cellStart !== -1 && this.hasAmpersand(cellStart, cellEnd);
        if (entities && typeof decodeEntities(s.slice(cellStart, cellEnd)) !== 'string') return null;
        if (keep === undefined || keep[column] === true) {
          starts[cells] = cellStart;
          // A cell with entities is noted by its end negated (the '&' cache only moves forward).
          ends[cells++] = entities ? -cellEnd : cellEnd;
        }
        if (wanted !== undefined && wanted[column] !== undefined && rowKept) rowKept = this.cellIs(cellStart, cellEnd, wanted[column] as string);
        column++;
      }
      if (column === 0 || !isRowEnd(s, p)) return null;
      p += 6;
      // A wanted cell past the row's last one reads '' (as in the row's record).
      if (rowKept && wanted !== undefined) for (let i = column; i < wanted.length; i++) if (wanted[i] !== undefined && wanted[i] !== '') rowKept = false;
      if (rowKept) {
        for (let k = 0; k < cells; k++) {
          const start = starts[k] as number;
          const end = ends[k] as number;
          scratch[k] = start === -1 ? '' : end >= 0 ? s.slice(start, end) : (decodeEntities(s.slice(start, -end)) as string);
        }
        row.push({ col: scratch.slice(0, cells) });
      }
      while (isSpace(s.charCodeAt(p))) p++;
    }
    const close = `</${tag.qname}>`;
    if (!s.startsWith(close, p)) return null;
    this.pos = p + close.length;
    // Leave the table element's namespace scope, as finishElement does.
    this.unbindDepth();
    this.depth--;
    return { colHeading: keep === undefined ? colHeading : colHeading.filter((_, i) => keep[i]), row };
  }

  /** Whether the cell `s[start, end)` (start -1: `<col/>`) reads `value`, compared in place when it has no entity. */
  private cellIs(start: number, end: number, value: string): boolean {
    if (start === -1) return value === '';
    if (!this.hasAmpersand(start, end)) return end - start === value.length && this.src.startsWith(value, start);
    return decodeEntities(this.src.slice(start, end)) === value;
  }

  /** Cell text between `start` and `end` (the next '<'), entity-decoded; null when it cannot be decoded here. */
  private cellText(start: number, end: number): string | null {
    const s = this.src;
    if (this.nextAmp !== -1 && this.nextAmp < start) this.nextAmp = s.indexOf('&', start);
    if (this.nextAmp === -1 || this.nextAmp >= end) return s.slice(start, end);
    const decoded = decodeEntities(s.slice(start, end));
    return typeof decoded === 'string' ? decoded : null;
  }
}
