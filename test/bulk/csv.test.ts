import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CsvRecord, CsvParser, csvEncoding, csvLine, readCsvFile } from '../../agents/bulk/csv.js';
import { BulkInputError } from '../../agents/bulk/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'th-bulk-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parseAll(text: string, chunk = text.length, parser = new CsvParser()): CsvRecord[] {
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...parser.push(text.slice(i, i + chunk)));
  out.push(...parser.end());
  return out;
}

const SAMPLE = '\ufeffuserId,title,note\r\nu1,,"a, ""quoted"" note"\r\nu2,"","line one\nline two"\r\n\r\nu3,null,plain\n';

describe('CsvParser (RFC 4180)', () => {
  it('keeps empty, quoted-empty and quoted cells apart, strips the BOM, skips blank lines', () => {
    const records = parseAll(SAMPLE);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3, 5]);
    expect(records[0]?.cells.map((c) => c.text)).toEqual(['userId', 'title', 'note']);
    expect(records[1]?.cells).toEqual([
      { text: 'u1', quoted: false },
      { text: '', quoted: false },
      { text: 'a, "quoted" note', quoted: true },
    ]);
    expect(records[2]?.cells[1]).toEqual({ text: '', quoted: true });
    expect(records[2]?.cells[2]?.text).toBe('line one\nline two');
    expect(records[3]?.cells.map((c) => c.text)).toEqual(['u3', 'null', 'plain']);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = parseAll(SAMPLE);
    for (const size of [1, 2, 3, 7]) expect(parseAll(SAMPLE, size)).toEqual(whole);
  });

  it('reads a last record without a line break', () => {
    expect(parseAll('a,b\n1,"2"').at(-1)?.cells).toEqual([
      { text: '1', quoted: false },
      { text: '2', quoted: true },
    ]);
  });

  it('refuses a file that ends inside quotes, and text after a closing quote', () => {
    expect(() => parseAll('a\n"open')).toThrow(BulkInputError);
    expect(() => parseAll('a\n"x"y\n')).toThrow(/text after a closing quote/);
  });

  it('counts the records a parser yields (numbers, blank lines, errors) without keeping cells', () => {
    const texts = [SAMPLE, 'a,b\n1,"2"', 'a\n""\n\n"",\n,\n', 'x\r\n\r\n\ny\r', '"a""b"\n"""",x', '\n\n', ''];
    for (const text of texts) {
      for (const size of [1, 3, text.length || 1]) {
        const counted = parseAll(text, size, CsvParser.counter());
        expect([text, size, counted.map((r) => r.row)]).toEqual([text, size, parseAll(text, size).map((r) => r.row)]);
        expect(counted.every((r) => r.cells.length === 0)).toBe(true);
      }
    }
    expect(() => parseAll('a\n"open', 8, CsvParser.counter())).toThrow(BulkInputError);
    expect(() => parseAll('a\n"x"y\n', 8, CsvParser.counter())).toThrow(/text after a closing quote/);
  });

  it('writes cells back so they read the same', () => {
    const cells = ['plain', '', 'a,b', 'say "hi"', 'two\nlines'];
    const [record] = parseAll(`${csvLine(cells)}\n`);
    expect(record?.cells.map((c) => c.text)).toEqual(cells);
    expect(record?.cells[1]?.quoted).toBe(true);
    expect(csvLine(['x', undefined])).toBe('x,');
  });
});

describe('readCsvFile', () => {
  it('streams UTF-8 and ISO-8859-1 files', async () => {
    const utf8 = join(dir, 'utf8.csv');
    writeFileSync(utf8, 'lastName\nMüller\n');
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('lastName\nM\xfcller\n', 'latin1'));
    const read = async (path: string, encoding?: string) => {
      const out: string[] = [];
      for await (const r of readCsvFile(path, { encoding: csvEncoding(encoding) })) out.push(r.cells[0]?.text ?? '');
      return out;
    };
    expect(await read(utf8)).toEqual(['lastName', 'Müller']);
    expect(await read(latin1, 'ISO-8859-1')).toEqual(['lastName', 'Müller']);
    await expect(read(latin1)).rejects.toThrow(/not valid UTF-8/);
    await expect(read(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'TH_ERR_BULK_INPUT' });
    expect(() => csvEncoding('ebcdic')).toThrow(/unknown encoding/);
  });
});
