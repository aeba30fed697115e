import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable, pipeline } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { SaxesParser } from 'saxes';
import type ExcelJS from 'exceljs';
import type { Cell, CsvRecord } from './csv.js';
import { BulkInputError } from './errors.js';

/**
 * Streams the records of one worksheet of an XLSX workbook (the first in tab order, or the one
 * named by `sheet`) in the same shape as the CSV reader (readCsvChunks): one chunk per piece of
 * the sheet's XML read, whose records are parsed as they are iterated (so only the current one is
 * alive; iterate them all before asking for the next chunk). Memory stays bounded by the
 * shared-strings table, whatever the row count.
 * Typed spreadsheet values are turned back into text, which the schema then types: numbers as
 * written, booleans as true/false, dates as ISO 8601, formulas by their cached result, rich text
 * joined. An empty cell is an empty (omitted) cell; a cell holding an empty string counts as
 * quoted `""`. Rows without a value are skipped; record numbers are the sheet's row numbers.
 */
export async function* readXlsxChunks(path: string, options: { sheet?: string } = {}): AsyncGenerator<Iterable<CsvRecord>> {
  yield* streamSheet(path, options.sheet, false);
}

/** Reads every record of a worksheet (small workbooks: tests, tools); {@link readXlsxChunks} streams them. */
export async function readXlsxFile(path: string, options: { sheet?: string } = {}): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const chunk of readXlsxChunks(path, options)) for (const record of chunk) records.push(record);
  return records;
}

/**
 * Counts the records of a worksheet in one streaming pass, by the reader's own rules (so the
 * count is the number of records the run gets). The sheet's `<dimension>` is not used: it is
 * optional, some writers leave it stale, and it counts empty rows.
 */
export async function countXlsxRecords(path: string, options: { sheet?: string } = {}): Promise<number> {
  let records = 0;
  for await (const chunk of streamSheet(path, options.sheet, true)) for (const _ of chunk) records++;
  return records;
}

/**
 * exceljs's streaming reader (`stream.xlsx.WorkbookReader`) parses the workbook's small parts:
 * the list of sheets and their relationships, and the styles (which numbers are dates). Its own
 * walk of the zip is not used: it takes the entries in the order they are stored, but needs
 * those parts before a worksheet. Excel stores the styles and shared strings after the sheets
 * (exceljs then copies each sheet to a temporary file first); with the shared strings before a
 * sheet and `xl/workbook.xml` after it, exceljs fails ("Cannot read properties of undefined
 * (reading 'sheets')"); and it inflates every sheet stored before the chosen one. So the zip's
 * central directory is read here, each part is inflated from its offset and handed to the
 * reader's parser of that part, in the order it needs, and the chosen worksheet is inflated and
 * parsed here as a stream ({@link SheetParser}): exceljs's streamed rows lose what a cell's type
 * says of a formula's result (a boolean, an error) and an empty shared string. The shared strings
 * are read here too ({@link readSharedStrings}): exceljs's reader keeps a string's phonetic
 * reading (Japanese workbooks) instead of the string.
 *
 * `counting`: records without cells; neither styles nor shared strings are read.
 */
async function* streamSheet(path: string, sheet: string | undefined, counting: boolean): AsyncGenerator<Iterable<CsvRecord>> {
  const entries = await zipEntries(path);
  if (!entries.has(WORKBOOK_PART)) throw new BulkInputError(`${path}: not an XLSX workbook (the zip has no ${WORKBOOK_PART})`, { path });
  /** Parses a part of the workbook, when the zip has it, with one of the reader's parsers. */
  const parse = async (name: string, parser: (content: Readable) => Promise<void>): Promise<void> => {
    const entry = entries.get(name);
    if (!entry) return;
    const content = await entryData(path, entry);
    try {
      await parser(content);
    } finally {
      content.destroy();
    }
  };
  const reader = new (await excel()).stream.xlsx.WorkbookReader(path, { styles: 'cache' }) as unknown as WorkbookParts;
  const strings = new SharedStrings();
  try {
    await parse(RELS_PART, (content) => reader._parseRels(content));
    await parse(WORKBOOK_PART, (content) => reader._parseWorkbook(content));
    if (!counting) {
      await parse(STYLES_PART, (content) => reader._parseStyles(content));
      await parse(SHARED_STRINGS_PART, (content) => readSharedStrings(content, strings));
    }
    strings.end();
  } catch (error) {
    throw notReadable(path, error);
  }

  // The worksheets in tab order (a chart sheet is listed too, but is no worksheet).
  const worksheets = (reader.model?.sheets ?? []).flatMap((s) => {
    const relation = reader.workbookRels?.find((r) => r.Id === s.rId);
    return relation?.Type?.endsWith('/worksheet') ? [{ name: s.name, part: partName(relation.Target) }] : [];
  });
  const chosen = sheet === undefined ? worksheets[0] : worksheets.find((w) => w.name === sheet);
  if (!chosen) {
    const names = worksheets.map((w) => w.name);
    throw new BulkInputError(
      sheet === undefined ? `${path}: the workbook has no worksheet` : `${path}: no worksheet named '${sheet}' (sheets: ${names.join(', ')})`,
      { path, sheets: names },
    );
  }
  const entry = entries.get(chosen.part);
  if (!entry) throw new BulkInputError(`${path}: not an XLSX workbook (no ${chosen.part} for the worksheet '${chosen.name}')`, { path });
  const parser = new SheetParser(counting ? undefined : cellReading(reader, strings));
  const sax = saxParser(parser);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of await entryData(path, entry)) yield parsedRows(path, sax, parser, decoder.decode(chunk, { stream: true }));
  } catch (error) {
    throw notReadable(path, error);
  }
  yield parsedRows(path, sax, parser, decoder.decode(), true);
}

/**
 * The records of a piece of a sheet's XML, each parsed when it is asked for: the XML is given to
 * the SAX parser a row at a time. Made all at once, a chunk's records would all be alive at each
 * young-generation collection, and V8 would then allocate every later cell in the old generation.
 */
function* parsedRows(path: string, sax: SaxesParser, parser: SheetParser, xml: string, last = false): Generator<CsvRecord> {
  try {
    for (let at = 0; at < xml.length; ) {
      // Cut after a row's end tag (`</row>`, `</x:row>`): any cut is valid XML-wise, this one is a record's.
      const end = xml.indexOf('row>', at);
      const next = end === -1 ? xml.length : end + 4;
      sax.write(xml.slice(at, next));
      at = next;
      yield* parser.take();
    }
    if (last) sax.close();
  } catch (error) {
    throw notReadable(path, error);
  }
  yield* parser.take();
}

function notReadable(path: string, error: unknown): BulkInputError {
  if (error instanceof BulkInputError) return error;
  return new BulkInputError(`${path}: not a readable XLSX workbook (${(error as Error).message})`, { path }, error);
}

/** A relationship's target (relative to `xl/`, or absolute from the zip's root) as a zip entry name. */
function partName(target: string): string {
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
}

/** The parts the reader reads, in the order it needs them. */
const RELS_PART = 'xl/_rels/workbook.xml.rels';
const WORKBOOK_PART = 'xl/workbook.xml';
const STYLES_PART = 'xl/styles.xml';
const SHARED_STRINGS_PART = 'xl/sharedStrings.xml';

/**
 * What is used of exceljs's streaming workbook reader beyond its typings: its parsers of the
 * workbook's parts (each takes the part's inflated content as a stream) and what they fill.
 */
interface WorkbookParts {
  _parseRels(part: Readable): Promise<void>;
  _parseWorkbook(part: Readable): Promise<void>;
  _parseStyles(part: Readable): Promise<void>;
  model?: { sheets?: { name: string; rId: string }[] };
  workbookRels?: { Id: string; Type?: string; Target: string }[];
  properties?: { model?: { date1904?: boolean } };
  styles: { getStyleModel(id: number): { numFmt?: string } | null };
}

/**
 * The shared-strings table, packed: a workbook of 1,000,000 users has millions of distinct
 * strings, and one JavaScript string each costs several times its text. Strings are joined by
 * blocks into long strings, with each one's offset in a typed array.
 */
class SharedStrings {
  private static readonly BLOCK = 1024;
  private readonly blocks: string[] = [];
  private pending: string[] = [];
  private offsets = new Uint32Array(SharedStrings.BLOCK);
  private count = 0;

  add(text: string): void {
    if (this.count === this.offsets.length) {
      const wider = new Uint32Array(this.offsets.length * 2);
      wider.set(this.offsets);
      this.offsets = wider;
    }
    const index = this.count++;
    const inBlock = index % SharedStrings.BLOCK;
    this.offsets[index] = inBlock === 0 ? 0 : (this.offsets[index - 1] as number) + (this.pending[inBlock - 1] as string).length;
    this.pending.push(text);
    if (this.pending.length === SharedStrings.BLOCK) this.end();
  }

  /** The string at `index` ('' when there is none). Call {@link end} first. */
  get(index: number): string {
    if (!(index >= 0 && index < this.count)) return '';
    const block = this.blocks[Math.floor(index / SharedStrings.BLOCK)] as string;
    const last = index % SharedStrings.BLOCK === SharedStrings.BLOCK - 1 || index === this.count - 1;
    return block.slice(this.offsets[index], last ? block.length : this.offsets[index + 1]);
  }

  /** Joins the pending strings into a block (the last block, once all are added). */
  end(): void {
    if (this.pending.length === 0) return;
    this.blocks.push(this.pending.join(''));
    this.pending = [];
  }
}

/** A SAX parser that feeds `sheet`. */
function saxParser(sheet: SheetParser): SaxesParser {
  const sax = new SaxesParser();
  sax.on('opentag', (tag) => sheet.open(localName(tag.name), tag.attributes));
  sax.on('text', (text) => sheet.text(text));
  sax.on('cdata', (text) => sheet.text(text));
  sax.on('closetag', (tag) => sheet.close(localName(tag.name)));
  return sax;
}

/**
 * Reads the shared-strings part into `strings`: each `<si>`'s text, its `<t>` runs joined (rich
 * text), its phonetic runs (`<rPh>`) left out. An `<si>` without text is an empty string.
 */
async function readSharedStrings(content: AsyncIterable<Buffer>, strings: SharedStrings): Promise<void> {
  const sax = new SaxesParser();
  let text = '';
  let inText = false;
  let inPhonetic = false;
  sax.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (name === 'si') text = '';
    else if (name === 't') inText = !inPhonetic;
    else if (name === 'rPh') inPhonetic = true;
  });
  const addText = (piece: string) => {
    if (inText) text += piece;
  };
  sax.on('text', addText);
  sax.on('cdata', addText);
  sax.on('closetag', (tag) => {
    const name = localName(tag.name);
    if (name === 't') inText = false;
    else if (name === 'rPh') inPhonetic = false;
    else if (name === 'si') strings.add(text);
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of content) sax.write(decoder.decode(chunk, { stream: true }));
  sax.write(decoder.decode()).close();
}

/** A tag's name without its namespace prefix (`x:row` is `row`). */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** What turns a cell's stored text into its value: the shared strings, and which styles are dates. */
interface CellReading {
  sharedString(index: number): string;
  dateStyle(style: number): boolean;
  date1904: boolean;
}

function cellReading(reader: WorkbookParts, strings: SharedStrings): CellReading {
  // exceljs's own test of a number format, so dates are told as its whole-workbook reader tells them.
  const utils = createRequire(import.meta.url)('exceljs/lib/utils/utils.js') as { isDateFmt(format: string | undefined): boolean };
  const dateStyles = new Map<number, boolean>();
  return {
    sharedString: (index) => strings.get(index),
    dateStyle: (style) => {
      let date = dateStyles.get(style);
      if (date === undefined) dateStyles.set(style, (date = utils.isDateFmt(reader.styles.getStyleModel(style)?.numFmt)));
      return date;
    },
    date1904: reader.properties?.model?.date1904 === true,
  };
}

/** The cells of a record that is only counted. */
const NO_CELLS: Cell[] = [];

/**
 * Turns a worksheet's SAX events into records. A cell's value is its `<v>` (or the `<t>` runs of
 * an inline string, phonetic runs left out) read by its type `t`: `s` shared string, `str`
 * string (a formula's text result), `inlineStr`, `b` boolean, `e` error, `d` ISO date, else a
 * number (a date when its style's number format is one). A formula counts by its cached result
 * only. Without `reading`, records are only counted (no cells). Fed by {@link saxParser}.
 */
class SheetParser {
  private records: CsvRecord[] = [];
  private row = 0;
  private cells: Cell[] = [];
  private hasValue = false;
  private column = 0;
  private type = 'n';
  private style = 0;
  /** The current cell's text: its `<v>`, or its inline string's `<t>` runs. */
  private value: string | undefined;
  /** Inside a `<v>`, or a `<t>` of an inline string. */
  private collecting = false;
  private inPhonetic = false;

  constructor(private readonly reading: CellReading | undefined) {}

  /** The records completed since the last call. */
  take(): CsvRecord[] {
    const records = this.records;
    this.records = [];
    return records;
  }

  text(text: string): void {
    if (this.collecting) this.value = (this.value ?? '') + text;
  }

  open(name: string, attributes: Record<string, string>): void {
    if (name === 'c') {
      this.column = attributes.r === undefined ? this.column + 1 : Math.max(1, columnOf(attributes.r));
      this.type = attributes.t ?? 'n';
      this.style = attributes.s === undefined ? 0 : Number.parseInt(attributes.s, 10);
      this.value = undefined;
    } else if (name === 'v' || (name === 't' && !this.inPhonetic)) {
      this.collecting = true;
      this.value ??= '';
    } else if (name === 'rPh') this.inPhonetic = true;
    else if (name === 'row') {
      this.row = attributes.r === undefined ? this.row + 1 : Number.parseInt(attributes.r, 10);
      this.column = 0;
      this.hasValue = false;
      this.cells = this.reading ? [] : NO_CELLS;
    }
  }

  close(name: string): void {
    if (name === 'v' || name === 't') this.collecting = false;
    else if (name === 'rPh') this.inPhonetic = false;
    else if (name === 'c') this.endCell();
    else if (name === 'row' && this.hasValue) this.records.push({ row: this.row, cells: this.reading ? trimmed(this.cells) : NO_CELLS });
  }

  private endCell(): void {
    // No value: a styled empty cell, a formula never calculated, an empty `<v/>` or `<is>`.
    if (this.value === undefined || this.value === '') return;
    this.hasValue = true;
    if (!this.reading) return;
    const cell = cellOf(this.valueOf(this.value, this.reading));
    while (this.cells.length < this.column - 1) this.cells.push({ text: '', quoted: false });
    this.cells[this.column - 1] = cell;
  }

  private valueOf(text: string, reading: CellReading): ExcelJS.CellValue {
    switch (this.type) {
      case 's':
        return reading.sharedString(Number.parseInt(text, 10));
      case 'str':
      case 'inlineStr':
        return text;
      case 'b':
        return Number.parseInt(text, 10) !== 0;
      case 'e':
        return { error: text as ExcelJS.CellErrorValue['error'] };
      case 'd': {
        const date = new Date(text);
        return Number.isNaN(date.getTime()) ? text : date;
      }
      default: {
        const number = Number.parseFloat(text);
        return reading.dateStyle(this.style) ? excelDate(number, reading.date1904) : number;
      }
    }
  }
}

/** 1-based column of a cell reference (`C7` is 3). */
function columnOf(reference: string): number {
  let column = 0;
  for (let i = 0; i < reference.length; i++) {
    const code = reference.charCodeAt(i);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return column;
}

/** A date from a spreadsheet serial number (days since 1899-12-30, or since 1904-01-01). */
function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** The cells without the trailing empty ones (one is kept). */
function trimmed(cells: Cell[]): Cell[] {
  while (cells.length > 1 && cells[cells.length - 1]?.text === '' && !cells[cells.length - 1]?.quoted) cells.pop();
  return cells;
}

function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return { text: '', quoted: false };
  if (typeof value === 'string') return { text: value, quoted: value === '' };
  if (typeof value === 'number') return { text: String(value), quoted: false };
  if (typeof value === 'boolean') return { text: value ? 'true' : 'false', quoted: false };
  if (value instanceof Date) return { text: value.toISOString(), quoted: false };
  if (typeof value === 'object' && 'error' in value) return { text: String(value.error), quoted: false };
  return { text: String(value), quoted: false };
}

/** A zip entry, from the central directory. */
interface ZipEntry {
  name: string;
  /** Where its local header starts. */
  start: number;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
}

const LOCAL_SIGNATURE = 0x04034b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
/** The end-of-central-directory record is 22 bytes plus a comment of up to 65,535 bytes. */
const EOCD_SEARCH = 22 + 0xffff;
/** A 32-bit field that says "see the ZIP64 extra field". */
const ZIP64_MARK = 0xffffffff;

/** Reads from a file, or throws a "not a workbook" error when the bytes lie outside it (a truncated file). */
type ByteReader = (position: number, length: number) => Promise<Buffer>;

async function withFile<T>(path: string, use: (read: ByteReader, size: number) => Promise<T>): Promise<T> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new BulkInputError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(error as Error).message})`, { path }, error);
  }
  try {
    const size = (await file.stat()).size;
    return await use(async (position, length) => {
      if (position < 0 || length < 0 || position + length > size) throw notZip(path, 'a part lies outside the file: truncated?');
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, position);
      return buffer;
    }, size);
  } finally {
    await file.close();
  }
}

function notZip(path: string, why: string): BulkInputError {
  return new BulkInputError(`${path}: not an XLSX workbook (${why})`, { path });
}

/** Reads a zip's central directory (at its end): each entry's name, compression and place. */
function zipEntries(path: string): Promise<Map<string, ZipEntry>> {
  return withFile(path, async (read, size) => {
    const tailStart = Math.max(0, size - EOCD_SEARCH);
    const tail = await read(tailStart, size - tailStart);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0 && eocd === -1; i--) if (tail.readUInt32LE(i) === EOCD_SIGNATURE) eocd = i;
    if (eocd === -1) throw notZip(path, 'no zip end record: not a zip file, or a truncated one');
    let count = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryStart = tail.readUInt32LE(eocd + 16);
    if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) {
      const record = await read(Number(tail.readBigUInt64LE(eocd - 20 + 8)), 56);
      if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw notZip(path, 'a broken ZIP64 end record');
      count = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryStart = Number(record.readBigUInt64LE(48));
    }
    const directory = await read(directoryStart, directorySize);
    const entries = new Map<string, ZipEntry>();
    for (let at = 0, i = 0; i < count; i++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw notZip(path, 'a broken central directory');
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
      // ZIP64: the fields that are 0xffffffff here are in the extra field, in this order.
      const wide = zip64Fields(extra);
      const uncompressedSize = directory.readUInt32LE(at + 24);
      if (uncompressedSize === ZIP64_MARK) wide.shift();
      let compressedSize = directory.readUInt32LE(at + 20);
      if (compressedSize === ZIP64_MARK) compressedSize = wide.shift() ?? Number.NaN;
      let start = directory.readUInt32LE(at + 42);
      if (start === ZIP64_MARK) start = wide.shift() ?? Number.NaN;
      if (Number.isNaN(compressedSize) || Number.isNaN(start)) throw notZip(path, 'a ZIP64 entry without its sizes');
      const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
      entries.set(name, { name, start, method: directory.readUInt16LE(at + 10), compressedSize });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  });
}

/** The 64-bit values of a ZIP64 extra field (id 1), if any. */
function zip64Fields(extra: Buffer): number[] {
  for (let i = 0; i + 4 <= extra.length; i += 4 + extra.readUInt16LE(i + 2)) {
    if (extra.readUInt16LE(i) !== 0x0001) continue;
    const values: number[] = [];
    for (let at = i + 4; at + 8 <= Math.min(extra.length, i + 4 + extra.readUInt16LE(i + 2)); at += 8) values.push(Number(extra.readBigUInt64LE(at)));
    return values;
  }
  return [];
}

/** An entry's content as a stream (inflated when deflated), from its compressed bytes after the local header. */
async function entryData(path: string, entry: ZipEntry): Promise<Readable> {
  const header = await withFile(path, (read) => read(entry.start, 30));
  if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw notZip(path, `a broken entry ${entry.name}`);
  const start = entry.start + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (entry.compressedSize === 0) return Readable.from([]);
  const stored = createReadStream(path, { start, end: start + entry.compressedSize - 1, highWaterMark: 64 * 1024 });
  if (entry.method === 0) return stored;
  if (entry.method !== 8) throw notZip(path, `${entry.name} uses compression method ${entry.method}`);
  // pipeline: a read error destroys the inflater with it, so the reader sees every error.
  return pipeline(stored, createInflateRaw(), () => undefined);
}

/** Writes rows of text to a one-sheet XLSX workbook (templates, failed rows). */
export async function writeXlsxFile(path: string, rows: readonly (readonly string[])[], sheetName = 'bulk'): Promise<void> {
  const workbook = new (await excel()).Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow([...row]);
  await workbook.xlsx.writeFile(path);
}

/** exceljs is large: load it only when a workbook is read or written. */
async function excel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}
