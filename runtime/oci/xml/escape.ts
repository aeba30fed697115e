/**
 * Escaping for writing XML and entity decoding for reading it. Only the five predefined
 * entities and numeric character references exist in OCI-P documents: there is no DTD, so
 * any other `&name;` is an error, never a lookup.
 */

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_ALL = /[&<>\r]/g;
const TEXT_SPECIAL_QUOTES = /[&<>"\r]/;
const TEXT_SPECIAL_QUOTES_ALL = /[&<>"\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;
const ATTR_SPECIAL_ALL = /[&<>"\t\n\r]/g;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
const escapeChar = (c: string): string => ESCAPES[c]!;

/** Above this length, text is escaped on its UTF-8 bytes: several times faster than a string replace. */
const BYTE_PATH_LENGTH = 65536;
const BYTE_ESCAPES: (Buffer | undefined)[] = [];
for (const [char, escaped] of Object.entries(ESCAPES)) BYTE_ESCAPES[char.charCodeAt(0)] = Buffer.from(escaped, 'latin1');

/**
 * Escapes character data: `& < >` plus `\r` (as `&#13;`, so a parser's line-end normalisation
 * keeps it); with `quotes`, also `"` as `&quot;` (the form real BroadWorks SOAP replies use).
 * The one XML text escaper of the project: the codec, the SOAP envelopes, the mock and the client use it.
 */
export function escapeText(value: string, options: { quotes?: boolean } = {}): string {
  const quotes = options.quotes === true;
  if (!(quotes ? TEXT_SPECIAL_QUOTES : TEXT_SPECIAL).test(value)) return value;
  if (value.length < BYTE_PATH_LENGTH) return value.replace(quotes ? TEXT_SPECIAL_QUOTES_ALL : TEXT_SPECIAL_ALL, escapeChar);
  const source = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(source.length * 6);
  let o = 0;
  for (let i = 0; i < source.length; i++) {
    const b = source[i]!;
    const escaped = b === 0x22 ? (quotes ? BYTE_ESCAPES[b] : undefined) : b < 0x3f && b !== 0x09 && b !== 0x0a ? BYTE_ESCAPES[b] : undefined;
    if (escaped === undefined) out[o++] = b;
    else for (let k = 0; k < escaped.length; k++) out[o++] = escaped[k]!;
  }
  return out.toString('utf8', 0, o);
}

/** Escapes an attribute value for double quotes: `& < > "` plus tab and line breaks as character references. */
export function escapeAttribute(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  return value.replace(ATTR_SPECIAL_ALL, escapeChar);
}

// Characters XML 1.0 cannot carry at all, not even as character references, and lone surrogates.
const INVALID_XML_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Every code unit that may start a problem: control characters, any surrogate, U+FFFE/U+FFFF.
// Nearly all text has none, and one native regexp scan settles that several times faster than a
// loop over charCodeAt; the precise pattern (surrogate pairs are fine) runs only after a hit.
const SUSPECT_XML_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;

/** Index of the first character XML 1.0 cannot represent, or -1. */
export function findInvalidXmlChar(text: string): number {
  if (!SUSPECT_XML_CHAR.test(text)) return -1;
  const m = INVALID_XML_CHAR.exec(text);
  return m ? m.index : -1;
}

/** True when a numeric character reference names a character XML 1.0 allows. */
export function isXmlCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The character of a predefined entity whose name is `raw[start, end)`, read in place; undefined for any other name. */
function predefinedEntity(raw: string, start: number, end: number): string | undefined {
  const c = raw.charCodeAt(start);
  switch (end - start) {
    case 2:
      if (raw.charCodeAt(start + 1) !== 116 /* t */) return undefined;
      return c === 108 /* l */ ? '<' : c === 103 /* g */ ? '>' : undefined;
    case 3:
      return raw.startsWith('amp', start) ? '&' : undefined;
    case 4:
      return raw.startsWith('quot', start) ? '"' : raw.startsWith('apos', start) ? "'" : undefined;
    default:
      return undefined;
  }
}

/** The character of a numeric reference `#NN` or `#xHH`; undefined when malformed or not an XML character. */
function characterReference(name: string): string | undefined {
  const hex = name.charCodeAt(1) === 120; /* x */
  const digits = name.slice(hex ? 2 : 1);
  const valid = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
  const cp = valid ? Number.parseInt(digits, hex ? 16 : 10) : -1;
  return isXmlCodePoint(cp) ? String.fromCodePoint(cp) : undefined;
}

/** Why an entity reference could not be decoded, and where (index inside the decoded string). */
export interface EntityProblem {
  index: number;
  message: string;
}

/**
 * Decodes `&amp; &lt; &gt; &quot; &apos;` and `&#NN;`/`&#xHH;` in `raw`. Returns the decoded
 * string, or an {@link EntityProblem} for an undefined entity or a malformed/illegal reference.
 */
export function decodeEntities(raw: string): string | EntityProblem {
  let i = raw.indexOf('&');
  if (i === -1) return raw;
  let out = '';
  let last = 0;
  while (i !== -1) {
    const semi = raw.indexOf(';', i + 1);
    if (semi === -1 || semi - i > 12) return { index: i, message: "'&' not starting an entity reference (write &amp;)" };
    const replacement = raw.charCodeAt(i + 1) === 35 /* # */ ? characterReference(raw.slice(i + 1, semi)) : predefinedEntity(raw, i + 1, semi);
    if (replacement === undefined) {
      const name = raw.slice(i + 1, semi);
      return name.charCodeAt(0) === 35
        ? { index: i, message: `invalid character reference &${name};` }
        : { index: i, message: `undefined entity &${name}; (only the five predefined entities exist without a DTD)` };
    }
    out += raw.slice(last, i) + replacement;
    last = semi + 1;
    i = raw.indexOf('&', last);
  }
  return out + raw.slice(last);
}
