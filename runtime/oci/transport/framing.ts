/**
 * OCI-P stream framing (oci-protocol §4.5). TCP carries no length prefix: a document ends at
 * `</BroadsoftDocument>`, usually followed by `\n` (sometimes `\r\n`). The splitter buffers bytes,
 * cuts after each end tag, swallows the line terminator and keeps the remainder as the start of
 * the next document. It never splits on newlines, because responses may contain a newline right
 * after the XML declaration. Comments, CDATA sections and processing instructions are skipped, so
 * an error `detail` quoting `</BroadsoftDocument>` inside CDATA does not cut a document short.
 *
 * Used by the TCP/TLS requester (responses) and by the mock server (requests).
 */
import { OciDocumentEncodingError } from '../errors.js';
import { decodeXmlBytes, encodeXmlText, type XmlTextEncodeOptions } from '../xml/text.js';
import { OciEncodingError, OciFrameTooLargeError, OciTransportError, OciTransportErrorCode, OciUnterminatedMarkupError } from './errors.js';
import { CDATA_CLOSE, CDATA_OPEN, COMMENT_CLOSE, COMMENT_OPEN, GT, LT, PI_CLOSE, SLASH } from './xml-bytes.js';

const BANG = 0x21; // !
const QUESTION = 0x3f; // ?
const ROOT_NAME_BYTES = Buffer.from('BroadsoftDocument', 'latin1');

/** Default limit of one document (or of an unfinished remainder): 64 MiB. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
/** Default limit of one comment, CDATA section or processing instruction left open: 1 MiB. */
export const DEFAULT_MAX_UNTERMINATED_BYTES = 1024 * 1024;

/** What the scanner is inside of while it looks for the next `<`. */
type ScanMode = 'markup' | 'comment' | 'cdata' | 'pi';

/** Options of {@link OciDocumentSplitter}. */
export interface OciDocumentSplitterOptions {
  /**
   * Largest accepted document in bytes, which is also the most input held while a document is
   * incomplete (see `pendingBytes`); beyond it `push` throws TH_ERR_OCI_TRANSPORT_FRAME_TOO_LARGE.
   * Default {@link DEFAULT_MAX_DOCUMENT_BYTES} (64 MiB).
   */
  maxDocumentBytes?: number;
  /**
   * Most bytes a comment, CDATA section or processing instruction may run without its end
   * (`-->`, `]]>`, `?>`); beyond it `push` throws TH_ERR_OCI_TRANSPORT_UNTERMINATED instead of
   * waiting forever. Default {@link DEFAULT_MAX_UNTERMINATED_BYTES} (1 MiB).
   */
  maxUnterminatedBytes?: number;
}

/**
 * Incremental splitter of a byte stream into complete OCI-P documents.
 *
 * ```ts
 * const splitter = new OciDocumentSplitter();
 * socket.on('data', (chunk) => { for (const doc of splitter.push(chunk)) handle(decodeDocumentText(doc)); });
 * ```
 *
 * Bytes are appended to one growable buffer (amortised copying) and scanned with `indexOf`
 * from where the previous push stopped, so a large document arriving in many chunks costs O(n).
 * After a too-large error the splitter has been reset; the stream should be dropped anyway.
 */
export class OciDocumentSplitter {
  private readonly maxDocumentBytes: number;
  private readonly maxUnterminatedBytes: number;
  /** Buffer index where the open comment / CDATA / PI began (valid while mode !== 'markup'). */
  private constructStart = 0;
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes [start, end) of `buffer` are pending. */
  private start = 0;
  private end = 0;
  /** Next byte to scan, and what it is inside of. */
  private scanPos = 0;
  private mode: ScanMode = 'markup';
  /** Set when a limit was exceeded after complete documents were found; the next push throws it. */
  private deferred: Error | undefined;
  /** Cached `indexOf` answers (root name, `<!`, `<?`), valid during one push. */
  private readonly searchCache = [0, 1, 2].map(() => ({ from: 0, found: UNSEARCHED }));

  constructor(options: OciDocumentSplitterOptions = {}) {
    const max = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    if (!Number.isInteger(max) || max <= 0) {
      throw badOption('maxDocumentBytes', max);
    }
    this.maxDocumentBytes = max;
    const open = options.maxUnterminatedBytes ?? DEFAULT_MAX_UNTERMINATED_BYTES;
    if (!Number.isInteger(open) || open <= 0) throw badOption('maxUnterminatedBytes', open);
    this.maxUnterminatedBytes = open;
  }

  /** Number of buffered bytes that do not yet form a complete document. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /** Drops everything buffered (for example after the connection was replaced). */
  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.start = 0;
    this.end = 0;
    this.scanPos = 0;
    this.mode = 'markup';
    this.deferred = undefined;
  }

  /**
   * Appends `chunk` and returns every document it completes, in order (each a fresh Buffer
   * holding exactly the bytes from the document's first byte to the `>` of its end tag).
   * @throws OciFrameTooLargeError when a document grows beyond `maxDocumentBytes`.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.deferred !== undefined) this.throwNow(this.deferred);
    const documents: Buffer[] = [];
    if (chunk.length === 0) return documents;
    this.append(chunk);
    for (const cached of this.searchCache) cached.found = UNSEARCHED;
    this.skipInterDocumentWhitespace();

    for (;;) {
      const documentEnd = this.findDocumentEnd();
      if (documentEnd === UNTERMINATED) {
        const error = new OciUnterminatedMarkupError(this.mode as 'comment' | 'cdata' | 'pi', this.maxUnterminatedBytes, this.constructStart - this.start);
        if (documents.length === 0) this.throwNow(error);
        this.deferred = error;
        return documents;
      }
      if (documentEnd < 0) break;
      if (documentEnd - this.start > this.maxDocumentBytes) return this.tooLarge(documents, documentEnd - this.start);
      documents.push(Buffer.from(this.buffer.subarray(this.start, documentEnd)));
      this.start = documentEnd;
      // Swallows the \r?\n terminator (also when it arrives with the next chunk).
      this.skipInterDocumentWhitespace();
      this.scanPos = this.start;
      this.mode = 'markup';
    }

    if (this.end - this.start > this.maxDocumentBytes) return this.tooLarge(documents, this.end - this.start);
    this.compact();
    return documents;
  }

  /**
   * Documents completed before the oversized one are still delivered; the error then comes with
   * the next push. Without any, it is thrown at once.
   */
  private tooLarge(documents: Buffer[], seenBytes: number): Buffer[] {
    const error = new OciFrameTooLargeError(this.maxDocumentBytes, seenBytes);
    if (documents.length === 0) this.throwNow(error);
    this.deferred = error;
    return documents;
  }

  /** Drops everything buffered (the stream cannot be resynchronised) and throws. */
  private throwNow(error: Error): never {
    this.reset();
    throw error;
  }

  private append(chunk: Buffer): void {
    if (this.end + chunk.length > this.buffer.length) {
      const needed = this.end - this.start + chunk.length;
      const capacity = Math.max(needed, Math.min(this.buffer.length * 2, needed + 16 * 1024 * 1024), 4096);
      const grown = Buffer.allocUnsafe(capacity);
      this.buffer.copy(grown, 0, this.start, this.end);
      this.scanPos -= this.start;
      this.constructStart -= this.start;
      this.end -= this.start;
      this.start = 0;
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.end);
    this.end += chunk.length;
  }

  /** Moves the remainder to the front once the consumed prefix dominates, keeping appends cheap. */
  private compact(): void {
    if (this.start === this.end) {
      this.start = this.end = this.scanPos = 0;
      // Let a very large buffer go once nothing is pending.
      if (this.buffer.length > 1024 * 1024) this.buffer = Buffer.alloc(0);
      return;
    }
    if (this.start > this.buffer.length / 2) {
      this.buffer.copy(this.buffer, 0, this.start, this.end);
      this.scanPos -= this.start;
      this.constructStart -= this.start;
      this.end -= this.start;
      this.start = 0;
    }
  }

  /** Whitespace between documents (the `\n` after each one, stray blank lines) belongs to no document. */
  private skipInterDocumentWhitespace(): void {
    while (this.start < this.end) {
      const byte = this.buffer[this.start];
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) break;
      this.start++;
    }
    if (this.scanPos < this.start) this.scanPos = this.start;
  }

  /**
   * Scans from `scanPos` for the root end tag; returns the offset just past its `>`, or -1 when
   * more bytes are needed (scanPos/mode then remember where to resume).
   *
   * Rather than visiting every `<` (millions in a big table), it jumps with native `indexOf` to the
   * next occurrence of the root name and to the next `<!` / `<?` (comment, CDATA, PI: rare), and
   * only looks closely at those.
   */
  private findDocumentEnd(): number {
    const view = this.buffer.subarray(0, this.end);
    let pos = this.scanPos;
    for (;;) {
      if (this.mode !== 'markup') {
        const close = this.mode === 'cdata' ? CDATA_CLOSE : this.mode === 'comment' ? COMMENT_CLOSE : PI_CLOSE;
        const found = view.indexOf(close, pos);
        if (found < 0) {
          if (this.end - this.constructStart > this.maxUnterminatedBytes) return UNTERMINATED;
          // Resume a little before the end so a terminator split across chunks is still found.
          this.scanPos = Math.max(pos, this.end - close.length + 1);
          return -1;
        }
        pos = found + close.length;
        this.mode = 'markup';
        continue;
      }
      const name = this.search(0, view, ROOT_NAME_BYTES, pos);
      const bang = this.searchMarkup(1, view, BANG, pos);
      const question = this.searchMarkup(2, view, QUESTION, pos);
      const special = bang < 0 ? question : question < 0 ? bang : Math.min(bang, question);

      if (special >= 0 && (name < 0 || special < name)) {
        this.constructStart = special;
        if (view[special + 1] === QUESTION) {
          this.mode = 'pi';
          pos = special + 2;
        } else if (startsWithAt(view, special, COMMENT_OPEN)) {
          this.mode = 'comment';
          pos = special + COMMENT_OPEN.length;
        } else if (startsWithAt(view, special, CDATA_OPEN)) {
          this.mode = 'cdata';
          pos = special + CDATA_OPEN.length;
        } else if (isPrefixAt(view, special, COMMENT_OPEN) || isPrefixAt(view, special, CDATA_OPEN)) {
          this.scanPos = special; // too few bytes to tell a comment from CDATA yet
          return -1;
        } else {
          pos = special + 2; // <!DOCTYPE …> or similar: nothing to track
        }
        continue;
      }
      if (name < 0) {
        // Keep the tail that could hold the start of a split root name or `<!`.
        this.scanPos = Math.max(pos, this.end - ROOT_NAME_BYTES.length);
        return -1;
      }
      const tagEnd = rootEndTagAt(view, name);
      if (tagEnd === WAIT) {
        this.scanPos = name;
        return -1;
      }
      if (tagEnd !== NOT_AN_END_TAG) return tagEnd;
      pos = name + 1;
    }
  }

  /** `indexOf` with a per-push cache: the answer stays valid while `from` moves up to it. */
  private search(slot: number, view: Buffer, needle: Buffer | number, from: number): number {
    const cached = this.searchCache[slot]!;
    if (cached.found !== UNSEARCHED && cached.from <= from && (cached.found === -1 || cached.found >= from)) return cached.found;
    cached.from = from;
    cached.found = typeof needle === 'number' ? view.indexOf(needle, from) : nearIndexOf(view, needle, from);
    return cached.found;
  }

  /**
   * Offset of the next `<!` or `<?` (by `marker`) at or after `from`. Searching the rare single
   * byte and checking the `<` before it is several times faster than searching the pair.
   */
  private searchMarkup(slot: number, view: Buffer, marker: number, from: number): number {
    for (let at = from + 1; ; ) {
      const found = this.search(slot, view, marker, at);
      if (found < 0) return -1;
      if (view[found - 1] === LT) return found - 1;
      at = found + 1;
    }
  }
}

function badOption(name: string, value: unknown): OciTransportError {
  return new OciTransportError(OciTransportErrorCode.argument, `${name} must be a positive integer, got ${String(value)}`, { phase: 'options' });
}

const UNSEARCHED = -2;
/** findDocumentEnd: a comment / CDATA / PI has run past maxUnterminatedBytes. */
const UNTERMINATED = -3;
const WAIT = -1;
const NOT_AN_END_TAG = -2;
const COLON = 0x3a;

/**
 * Given the root name at `nameStart`: the offset past `>` when it is an end tag (`</Name>`,
 * `</prefix:Name >`), NOT_AN_END_TAG when it is not (a start tag, `BroadsoftDocumentX`), or WAIT
 * when the bytes after the name have not arrived yet. Text cannot hold `</` (it would be `&lt;/`),
 * so a `</` in front is enough once comments, CDATA and PIs are skipped.
 */
function rootEndTagAt(view: Buffer, nameStart: number): number {
  let p = nameStart - 1;
  if (p >= 0 && view[p] === COLON) {
    p--;
    while (p >= 0 && nameStart - p < 256 && isPrefixByte(view[p]!)) p--;
  }
  if (!(p >= 1 && view[p] === SLASH && view[p - 1] === LT)) return NOT_AN_END_TAG;
  let q = nameStart + ROOT_NAME_BYTES.length;
  while (q < view.length && (view[q] === 0x20 || view[q] === 0x09 || view[q] === 0x0a || view[q] === 0x0d)) q++;
  if (q >= view.length) return WAIT;
  return view[q] === GT ? q + 1 : NOT_AN_END_TAG;
}

/**
 * `view.indexOf(needle, from)`, looking at the next 64 bytes in JS first: when the root name
 * repeats every few bytes (a hostile stream), a native call per occurrence costs more than the scan.
 */
function nearIndexOf(view: Buffer, needle: Buffer, from: number): number {
  const first = needle[0]!;
  const near = Math.min(view.length - needle.length + 1, from + 64);
  for (let i = from; i < near; i++) {
    if (view[i] !== first) continue;
    let k = 1;
    while (k < needle.length && view[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return near >= view.length - needle.length + 1 ? -1 : view.indexOf(needle, near);
}

function isPrefixByte(byte: number): boolean {
  return byte > 0x20 && byte !== LT && byte !== GT && byte !== SLASH && byte !== COLON && byte !== 0x22 && byte !== 0x27;
}

function startsWithAt(buffer: Buffer, offset: number, needle: Buffer): boolean {
  if (offset + needle.length > buffer.length) return false;
  return buffer.compare(needle, 0, needle.length, offset, offset + needle.length) === 0;
}

/** True when the bytes from `offset` to the end of `buffer` are a proper prefix of `needle`. */
function isPrefixAt(buffer: Buffer, offset: number, needle: Buffer): boolean {
  const available = buffer.length - offset;
  if (available >= needle.length) return false;
  return buffer.compare(needle, 0, available, offset, buffer.length) === 0;
}

/** The encoding named by the XML declaration at the start of `head`, or undefined (runtime/oci/xml/text.ts). */
export { declaredEncoding } from '../xml/text.js';

/**
 * Decodes one document's bytes by its byte order mark and XML declaration: UTF-8 (also when
 * nothing is declared), ISO-8859-x, windows-125x, UTF-16 with a byte order mark, any label the
 * platform's TextDecoder knows. The rules live in runtime/oci/xml/text.ts, shared with the codec.
 * @throws OciEncodingError (TH_ERR_OCI_TRANSPORT_ENCODING) for an unknown label or invalid bytes.
 */
export function decodeDocumentText(bytes: Buffer): string {
  try {
    return decodeXmlBytes(bytes);
  } catch (error) {
    if (error instanceof OciDocumentEncodingError) throw new OciEncodingError(error.encoding ?? 'UTF-8', 'decode', error.message);
    throw error;
  }
}

/**
 * Encodes document text into bytes by its own declaration (default UTF-8). Under ISO-8859-1 (or
 * US-ASCII) characters the encoding cannot hold go out as numeric character references, which is
 * what BroadWorks expects (§4.1) and is valid in text and attribute values.
 * With `lineFeed`, the bytes end with the `\n` that ends a TCP frame (one Buffer, no copy of the text).
 * @throws OciEncodingError for a declared encoding other than UTF-8, ISO-8859-1 or US-ASCII.
 */
export function encodeDocumentText(text: string, options: XmlTextEncodeOptions = {}): Buffer {
  try {
    return encodeXmlText(text, options);
  } catch (error) {
    if (error instanceof OciDocumentEncodingError) throw new OciEncodingError(error.encoding ?? '', 'encode', error.message);
    throw error;
  }
}
