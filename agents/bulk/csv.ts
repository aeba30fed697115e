import { createReadStream } from 'node:fs';
import { BulkInputError } from './errors.js';

/**
 * A streaming RFC 4180 reader. It keeps, for each cell, whether the cell was quoted in the
 * file, because the bulk cell rules tell `""` (an empty string) from an empty cell (omitted).
 * Memory stays bounded by the longest record, whatever the file size.
 */

/** One cell as written in the file. */
export interface Cell {
  text: string;
  /** True when the cell was written in double quotes (so `""` is an empty string, not an empty cell). */
  quoted: boolean;
}

/** One record (row) and its 1-based record number in the file (the header is record 1). */
export interface CsvRecord {
  row: number;
  cells: Cell[];
}

export type CsvEncoding = 'utf-8' | 'latin1';

/** Normalises the `--encoding` spellings users type. */
export function csvEncoding(name: string | undefined): CsvEncoding {
  const key = (name ?? 'utf-8').toLowerCase().replace(/[^a-z0-9]/g, '');
  if (key === 'utf8') return 'utf-8';
  if (key === 'latin1' || key === 'iso88591') return 'latin1';
  throw new BulkInputError(`unknown encoding '${name}': use utf-8 or iso-8859-1`, { encoding: name });
}

/** The cells of the records a counting parser yields (none). */
const NO_CELLS: Cell[] = [];

/**
 * Incremental parser: feed text chunks, collect the completed records. A counting parser
 * ({@link CsvParser.counter}) walks the same rules and yields the same records (numbers,
 * blank lines skipped, errors) without their cells, so counting a file costs no cell text.
 */
export class CsvParser {
  private cells: Cell[] = [];
  private field = '';
  /** Counting: cells of the current record, and whether its first cell is blank (empty, unquoted). */
  private cellCount = 0;
  private firstBlank = false;
  private quoted = false;
  /** Inside a quoted field. */
  private inQuotes = false;
  /** A quote seen inside a quoted field: either the end of the field or the first half of `""`. */
  private quotePending = false;
  /** The last character was `\r` (a following `\n` belongs to the same line break). */
  private afterCr = false;
  private started = false;
  private record = 0;

  constructor(
    private readonly delimiter = ',',
    private readonly counting = false,
  ) {}

  /** A parser whose records have no cells (`cells` is empty): for counting records. */
  static counter(delimiter = ','): CsvParser {
    return new CsvParser(delimiter, true);
  }

  /** Adds text to the current field (counting: only whether it holds any, which is all the rules ask). */
  private append(piece: string): void {
    this.field = this.counting ? ' ' : this.field + piece;
  }

  /** Parses `text`, returning every record it completes. */
  push(text: string): CsvRecord[] {
    return [...this.feed(text)];
  }

  /** Parses `text`, yielding each record as soon as it is complete (so only the current one is alive). */
  *feed(text: string): Generator<CsvRecord> {
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // UTF-8 BOM
    }
    const d = this.delimiter;
    let nextDelimiter = 0;
    let nextLf = 0;
    let nextCr = 0;
    let nextQuote = 0;
    for (; i < text.length; i++) {
      const c = text[i] as string;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.append('"');
            continue;
          }
          this.inQuotes = false; // the quote closed the field; handle c below
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          // Fast path: copy up to the next quote in one slice.
          const next = text.indexOf('"', i);
          const end = next === -1 ? text.length : next;
          this.append(this.counting ? '' : text.slice(i, end));
          i = end - 1;
          continue;
        }
      }
      if (this.afterCr) {
        this.afterCr = false;
        if (c === '\n') continue;
      }
      if (c === d) {
        this.endCell();
      } else if (c === '\n' || c === '\r') {
        this.afterCr = c === '\r';
        const record = this.endRecord();
        if (record) yield record;
      } else if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
      } else {
        // Unquoted text: take the run up to the next special character in one slice. Where the
        // next delimiter, line feed, carriage return and quote are is found by indexOf (a native
        // scan) and kept while it lies ahead; -1: none in the rest of the text.
        if (nextDelimiter !== -1 && nextDelimiter <= i) nextDelimiter = text.indexOf(d, i + 1);
        if (nextLf !== -1 && nextLf <= i) nextLf = text.indexOf('\n', i + 1);
        if (nextCr !== -1 && nextCr <= i) nextCr = text.indexOf('\r', i + 1);
        if (nextQuote !== -1 && nextQuote <= i) nextQuote = text.indexOf('"', i + 1);
        let end = text.length;
        if (nextDelimiter !== -1 && nextDelimiter < end) end = nextDelimiter;
        if (nextLf !== -1 && nextLf < end) end = nextLf;
        if (nextCr !== -1 && nextCr < end) end = nextCr;
        if (nextQuote !== -1 && nextQuote < end) end = nextQuote;
        if (this.quoted) {
          throw new BulkInputError(`record ${this.record + 1}: text after a closing quote`, { row: this.record + 1 });
        }
        this.append(this.counting ? '' : text.slice(i, end));
        i = end - 1;
        if (text[end] === '"') {
          // RFC 4180 does not allow a quote inside an unquoted field; keep it as text (lenient, as spreadsheets are).
          this.append('"');
          i = end;
        }
      }
    }
  }

  /** Ends the input: returns the last record when the file does not end with a line break. */
  end(): CsvRecord[] {
    if (this.inQuotes && !this.quotePending) {
      throw new BulkInputError(`record ${this.record + 1}: the file ends inside a quoted cell`, { row: this.record + 1 });
    }
    this.inQuotes = false;
    this.quotePending = false;
    const record = this.cells.length > 0 || this.cellCount > 0 || this.field !== '' || this.quoted ? this.endRecord() : undefined;
    return record ? [record] : [];
  }

  private endCell(): void {
    if (this.counting) {
      if (this.cellCount++ === 0) this.firstBlank = this.field === '' && !this.quoted;
    } else this.cells.push({ text: this.field, quoted: this.quoted });
    this.field = '';
    this.quoted = false;
  }

  private endRecord(): CsvRecord | undefined {
    this.endCell();
    this.record++;
    if (this.counting) {
      const blank = this.cellCount === 1 && this.firstBlank;
      this.cellCount = 0;
      return blank ? undefined : { row: this.record, cells: NO_CELLS };
    }
    const cells = this.cells;
    this.cells = [];
    // A blank line is no record (but keeps its number, so row numbers match the file's lines).
    if (cells.length === 1 && cells[0]?.text === '' && !cells[0].quoted) return undefined;
    return { row: this.record, cells };
  }
}

/** Streams the records of a CSV file. */
export async function* readCsvFile(path: string, options: { encoding?: CsvEncoding; delimiter?: string } = {}): AsyncGenerator<CsvRecord> {
  for await (const records of readCsvChunks(path, options)) yield* records;
}

/**
 * Streams the records of a CSV file, the records of each chunk read (32 KiB) together: one
 * asynchronous step per chunk rather than per record, for readers that go through every row.
 * Each chunk's records are parsed as they are iterated (so only the current one is alive);
 * iterate them all before asking for the next chunk.
 */
export async function* readCsvChunks(path: string, options: { encoding?: CsvEncoding; delimiter?: string } = {}): AsyncGenerator<Iterable<CsvRecord>> {
  const decoder = new TextDecoder(options.encoding ?? 'utf-8', { fatal: options.encoding !== 'latin1', ignoreBOM: true });
  const parser = new CsvParser(options.delimiter);
  let stream: AsyncIterable<Buffer>;
  try {
    stream = createReadStream(path, { highWaterMark: 32 * 1024 });
    for await (const chunk of stream) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (error) {
        throw new BulkInputError(`${path}: not valid UTF-8 (give --encoding iso-8859-1 for Latin-1 files)`, { path }, error);
      }
      yield parser.feed(text);
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new BulkInputError(`${path}: no such file`, { path }, error);
    throw error;
  }
  const rest = [...parser.push(decoder.decode()), ...parser.end()];
  if (rest.length > 0) yield rest;
}

/** Quotes a cell for CSV output when it needs it. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (without the line break). An `undefined` cell is written empty (unquoted). */
export function csvLine(cells: readonly (string | undefined)[]): string {
  return cells.map((c) => (c === undefined ? '' : csvCell(c))).join(',');
}
