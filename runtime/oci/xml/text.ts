/**
 * Text ⇄ bytes for XML documents: the one place that reads an XML declaration's `encoding=` and
 * turns bytes into text (decoding) or text into bytes (encoding). The codec, the TCP/TLS framing,
 * the SOAP envelope reader and the mock all use it, so they follow the same rules:
 *
 * - Decoding: a byte order mark decides first (UTF-8, or UTF-16 LE/BE); otherwise the declared
 *   label, read by the platform's TextDecoder (ISO-8859-x, windows-125x, KOI8, UTF-8 …), and
 *   UTF-8 when nothing is declared. ISO-8859-1, Latin-1 and US-ASCII are read as true Latin-1
 *   (WHATWG maps those labels to windows-1252, which would turn 0x80–0x9F into other characters).
 *   Bytes invalid in the encoding are an error, never a replacement character. UTF-16 without a
 *   byte order mark, and labels the platform does not know, are refused.
 * - Encoding: only UTF-8 and ISO-8859-1 (and its subset US-ASCII) are written; characters the
 *   declared encoding cannot hold become numeric character references, as BroadWorks expects.
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { OciDocumentEncodingError } from '../errors.js';

/** Labels read and written as single bytes 0x00–0xFF (ASCII is a subset of Latin-1). */
const LATIN1_LABELS: ReadonlySet<string> = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii']);
const UTF8_LABELS: ReadonlySet<string> = new Set(['utf-8', 'utf8']);
const UTF16_LABELS: ReadonlySet<string> = new Set(['utf-16', 'utf16', 'utf-16le', 'utf-16be', 'ucs-2', 'iso-10646-ucs-2']);

/** How far into a document the declaration is looked for (it must come first; this is generous). */
const DECLARATION_WINDOW = 256;
const DECLARATION_PATTERN = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;

/** The encoding label named by the XML declaration at the start of `head` (text or Latin-1 view of bytes), or undefined. */
export function declaredEncoding(head: string): string | undefined {
  return DECLARATION_PATTERN.exec(head.length > DECLARATION_WINDOW ? head.slice(0, DECLARATION_WINDOW) : head)?.[1];
}

/**
 * The WHATWG single-byte encodings, decoded through a 256-entry table built once per encoding
 * from the platform decoder byte by byte. Node 20's TextDecoder decodes windows-1252 (and the
 * labels WHATWG maps to it: latin1, us-ascii …) as ISO-8859-1, turning 0x80 into U+0080 instead
 * of €; the table takes 0x80–0x9F from the standard instead. A byte the code page leaves
 * undefined is an error, never a silently dropped or replaced character.
 */
const SINGLE_BYTE = /^(?:ibm866|iso-8859-\d+|koi8-[ru]|macintosh|windows-874|windows-125\d|x-mac-cyrillic)$/;

/** windows-1252 0x80–0x9F (WHATWG index-windows-1252; the platform decoder drops them). */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** Byte → UTF-16 code unit (-1 for a byte the encoding does not define). */
const byteTables = new Map<string, Int32Array>();

function byteTable(encoding: string): Int32Array {
  let table = byteTables.get(encoding);
  if (table !== undefined) return table;
  table = new Int32Array(256).fill(-1);
  const decoder = new TextDecoder(encoding);
  for (let b = 0; b < 256; b++) {
    const c = decoder.decode(Uint8Array.of(b));
    if (encoding === 'windows-1252' && b >= 0x80 && b <= 0x9f) table[b] = WINDOWS_1252_C1[b - 0x80]!;
    else if (c.length === 1 && c !== '\ufffd') table[b] = c.charCodeAt(0);
    else if (encoding.startsWith('iso-8859-') && b >= 0x80 && b <= 0x9f) table[b] = b; // C1 controls in every ISO-8859 part
  }
  byteTables.set(encoding, table);
  return table;
}

function decodeSingleByte(bytes: Buffer, encoding: string, label: string): string {
  const table = byteTable(encoding);
  const out = Buffer.allocUnsafe(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const c = table[bytes[i]!]!;
    if (c < 0) {
      throw new OciDocumentEncodingError(`byte 0x${bytes[i]!.toString(16)} at offset ${i} is not defined in ${label}`, { offset: i, encoding: label });
    }
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out.toString('utf16le');
}

const decoders = new Map<string, TextDecoder>();

/** A fatal TextDecoder for `label`, or undefined when the platform does not know it. */
function decoderFor(label: string): TextDecoder | undefined {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label, { fatal: true });
    } catch {
      return undefined;
    }
    // The WHATWG "replacement" decoder (ISO-2022-KR and friends) decodes everything to U+FFFD.
    if (decoder.encoding === 'replacement') return undefined;
    decoders.set(label, decoder);
  }
  return decoder;
}

/** Multi-byte encodings (UTF-8, UTF-16, the CJK ones): the platform decoder, fatal on invalid bytes. */
function decodeWith(decoder: TextDecoder, bytes: Buffer, label: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new OciDocumentEncodingError(`invalid ${label} bytes in the document (its declared or default encoding)`, { offset: 0, encoding: label });
  }
}

/**
 * Decodes a document's bytes by its byte order mark and XML declaration (rules above).
 * @throws OciDocumentEncodingError (TH_ERR_OCI_DECODE_ENCODING) for an unknown label, UTF-16 without a
 *   byte order mark, a label that contradicts the byte order mark, or bytes invalid in the encoding.
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (input.length >= 2 && ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe))) {
    const label = input[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = decodeWith(decoderFor(label)!, input.subarray(2), 'UTF-16');
    const declared = declaredEncoding(text)?.toLowerCase();
    if (declared !== undefined && !UTF16_LABELS.has(declared)) {
      throw new OciDocumentEncodingError(`the document starts with a UTF-16 byte order mark but declares ${declared}`, { offset: 0, encoding: declared });
    }
    return text;
  }
  const bom = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
  const body = bom ? input.subarray(3) : input;
  const label = declaredEncoding(body.toString('latin1', 0, Math.min(body.length, DECLARATION_WINDOW)));
  const lower = label?.toLowerCase() ?? 'utf-8';
  if (bom && !UTF8_LABELS.has(lower)) {
    throw new OciDocumentEncodingError(`the document starts with a UTF-8 byte order mark but declares ${label}`, { offset: 0, encoding: label });
  }
  if (LATIN1_LABELS.has(lower)) return body.toString('latin1');
  if (UTF8_LABELS.has(lower)) return decodeWith(decoderFor('utf-8')!, body, 'UTF-8');
  if (UTF16_LABELS.has(lower)) {
    throw new OciDocumentEncodingError(`the document declares ${label} but has no byte order mark (UTF-16 needs one)`, { offset: 0, encoding: label });
  }
  const decoder = decoderFor(lower);
  if (decoder === undefined) {
    throw new OciDocumentEncodingError(`unsupported document encoding '${label}' (the platform's TextDecoder does not know it)`, {
      offset: 0,
      encoding: label,
    });
  }
  return SINGLE_BYTE.test(decoder.encoding) ? decodeSingleByte(body, decoder.encoding, label!) : decodeWith(decoder, body, label!);
}

/** The encodings documents are written in. */
export type XmlOutputEncoding = 'UTF-8' | 'ISO-8859-1';

/** The output encoding `label` stands for, or undefined when documents are never written in it. */
export function outputEncoding(label: string | undefined): XmlOutputEncoding | 'US-ASCII' | undefined {
  const lower = label?.toLowerCase() ?? 'utf-8';
  if (UTF8_LABELS.has(lower)) return 'UTF-8';
  if (lower === 'us-ascii' || lower === 'ascii') return 'US-ASCII';
  return LATIN1_LABELS.has(lower) ? 'ISO-8859-1' : undefined;
}

// The tests need no `u` flag (any code unit beyond is a hit; faster on long text); the replacements
// have it, so that a surrogate pair becomes one reference.
const BEYOND_LATIN1 = /[^\x00-\xff]/;
const BEYOND_LATIN1_ALL = /[^\x00-\xff]/gu;
const BEYOND_ASCII = /[^\x00-\x7f]/;
const BEYOND_ASCII_ALL = /[^\x00-\x7f]/gu;

/** Replaces every character beyond `max` (0xFF or 0x7F) by a numeric character reference. */
export function referenceBeyond(text: string, max: 0xff | 0x7f = 0xff): string {
  const test = max === 0xff ? BEYOND_LATIN1 : BEYOND_ASCII;
  if (!test.test(text)) return text;
  return text.replace(max === 0xff ? BEYOND_LATIN1_ALL : BEYOND_ASCII_ALL, (c) => `&#${c.codePointAt(0)};`);
}

/** Options of {@link encodeXmlText}. */
export interface XmlTextEncodeOptions {
  /** End the bytes with a line feed (the TCP frame's end), written into the same Buffer: no second string or Buffer. */
  lineFeed?: boolean;
}

/**
 * Encodes document text into bytes by its own declaration (UTF-8 when none). Under ISO-8859-1 or
 * US-ASCII, characters beyond the encoding go out as numeric character references (valid in
 * character data and attribute values, the only places such characters can be).
 * @throws OciDocumentEncodingError for any other declared encoding.
 */
export function encodeXmlText(text: string, options: XmlTextEncodeOptions = {}): Buffer {
  const label = declaredEncoding(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const encoding = outputEncoding(label);
  const lineFeed = options.lineFeed === true;
  if (encoding === 'UTF-8') return bytesOf(text, 'utf8', lineFeed);
  if (encoding === 'ISO-8859-1') return bytesOf(referenceBeyond(text, 0xff), 'latin1', lineFeed);
  if (encoding === 'US-ASCII') return bytesOf(referenceBeyond(text, 0x7f), 'latin1', lineFeed);
  throw new OciDocumentEncodingError(`documents are written in UTF-8 or ISO-8859-1, not '${label}'`, { encoding: label });
}

function bytesOf(text: string, encoding: 'utf8' | 'latin1', lineFeed: boolean): Buffer {
  if (!lineFeed) return Buffer.from(text, encoding);
  const length = Buffer.byteLength(text, encoding);
  const bytes = Buffer.allocUnsafe(length + 1);
  bytes.write(text, 0, length, encoding);
  bytes[length] = 0x0a;
  return bytes;
}

/**
 * Number of Unicode code points in `text` (a surrogate pair counts once), counted in place: no
 * array of code points is built, so a 50 MB string costs no extra memory. Stops counting past `stopAfter`.
 */
export function codePointLength(text: string, stopAfter = Number.POSITIVE_INFINITY): number {
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++count > stopAfter) return count;
  }
  return count;
}

/**
 * The document as UTF-8 bytes, for byte-level scanners (the SOAP envelope reader): the same bytes
 * (minus a byte order mark) when they already are valid UTF-8 and declared so or undeclared —
 * no copy of a 13 MB envelope — otherwise decoded by {@link decodeXmlBytes} and re-encoded.
 * @throws OciDocumentEncodingError as {@link decodeXmlBytes}.
 */
export function xmlBytesAsUtf8(bytes: Buffer): Buffer {
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const isUtf16 = body.length >= 2 && ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe));
  if (!isUtf16) {
    const label = declaredEncoding(body.toString('latin1', 0, Math.min(body.length, DECLARATION_WINDOW)))?.toLowerCase();
    if ((label === undefined || UTF8_LABELS.has(label)) && isUtf8(body)) return body;
  }
  return Buffer.from(decodeXmlBytes(bytes), 'utf8');
}
