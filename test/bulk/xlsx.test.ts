// The streamed XLSX reader against real workbooks: written by exceljs (its whole-workbook
// writer, and its streaming writer for a large sheet), and built part by part here where a case
// needs XML or an entry order that exceljs does not write (inline strings, phonetic runs, shared
// strings after the sheet, data descriptors, broken zips). Every case is read through the same
// reader the bulk run uses; the dry runs check the run's total and counts.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { CsvRecord } from '../../agents/bulk/csv.js';
import { runBulk } from '../../agents/bulk/index.js';
import { countXlsxRecords, readXlsxChunks, readXlsxFile, writeXlsxFile } from '../../agents/bulk/xlsx.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { newestGeneratedRelease } from '../../runtime/oci/client.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USER_HEADER = ['serviceProviderId', 'groupId', 'userId', 'lastName', 'firstName', 'callingLineIdLastName', 'callingLineIdFirstName'];
const userRow = (i: number) => ['sp', 'g', `u${i}@x.example`, `Lást${i}`, `名前${i}`, `Lást${i}`, `名前${i}`];
const texts = (records: readonly CsvRecord[]) => records.map((r) => r.cells.map((c) => (c.quoted ? `"${c.text}"` : c.text)));

async function expectInputError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isThorsHammerError(error) && error.code).toBe('TH_ERR_BULK_INPUT');
  expect((error as Error).message).toMatch(message);
}

describe('a large sheet', () => {
  const rows = 20_000;
  const path = join(dir, 'large.xlsx');
  let schema: OciSchema;
  beforeAll(async () => {
    schema = await OciSchema.load(newestGeneratedRelease());
    // exceljs's streaming writer with shared strings, as Excel stores text.
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
    const sheet = workbook.addWorksheet('users');
    sheet.addRow(USER_HEADER).commit();
    for (let i = 0; i < rows; i++) sheet.addRow(userRow(i)).commit();
    sheet.commit();
    await workbook.commit();
  }, 60_000);

  it('comes in many chunks with every record, in order, with its row number', async () => {
    let chunks = 0;
    let count = 0;
    let first: CsvRecord | undefined;
    let last: CsvRecord | undefined;
    let ordered = true;
    for await (const chunk of readXlsxChunks(path)) {
      chunks++;
      for (const record of chunk) {
        if (record.row !== count + 1) ordered = false;
        count++;
        first ??= record;
        if (count === 2) expect(texts([record])).toEqual([userRow(0)]);
        last = record;
      }
    }
    expect(count).toBe(rows + 1);
    expect(ordered).toBe(true);
    expect(chunks).toBeGreaterThan(10);
    expect(texts([first as CsvRecord])).toEqual([USER_HEADER]);
    expect(last?.row).toBe(rows + 1);
    expect(texts([last as CsvRecord])).toEqual([userRow(rows - 1)]);
    expect(await countXlsxRecords(path)).toBe(rows + 1);
  }, 60_000);

  it('dry-runs with the right total and every row valid', async () => {
    const summary = await runBulk({ input: path, request: 'UserAddRequest17sp4', schema, journal: join(dir, 'large.jsonl') });
    expect(summary.total).toBe(rows);
    expect(summary.counts).toMatchObject({ valid: rows, invalid: 0, notRun: 0 });
  }, 60_000);

  it('dry-runs the sheet named by --sheet (the second of the workbook)', async () => {
    const workbook = join(dir, 'two-sheets.xlsx');
    const excel = new ExcelJS.Workbook();
    excel.addWorksheet('notes').addRows([
      ['not', 'users'],
      ['x', 'y'],
    ]);
    excel.addWorksheet('users').addRows([USER_HEADER, userRow(1), userRow(2), ['sp', 'g', 'not-an-email']]);
    await excel.xlsx.writeFile(workbook);
    const summary = await runBulk({ input: workbook, sheet: 'users', request: 'UserAddRequest17sp4', schema, journal: join(dir, 'two-sheets.jsonl') });
    expect(summary.total).toBe(3);
    expect(summary.counts).toMatchObject({ valid: 2, invalid: 1, notRun: 0 });
  }, 60_000);
});

describe('cell values', () => {
  const path = join(dir, 'types.xlsx');
  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('first');
    sheet.addRow(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    sheet.addRow([
      42,
      3.25,
      true,
      false,
      new Date(Date.UTC(2024, 0, 15, 10, 30)),
      { formula: 'A2*2', result: 84 },
      { richText: [{ text: 'ri', font: { bold: true } }, { text: 'ch' }] },
      { text: 'link', hyperlink: 'https://x.example' },
      { error: '#N/A' },
      '',
    ]);
    sheet.addRow(['x', null, null, 'y', '', null]);
    sheet.addRow([]);
    sheet.addRow([
      'after a gap',
      { formula: 'A1&"z"', result: 'az' },
      'a&lt;b <c> & "q"',
      1e21,
      { formula: 'TRUE()', result: true },
      { formula: 'NA()', result: { error: '#N/A' } },
      { formula: 'DATE(2020,1,2)', result: new Date(Date.UTC(2020, 0, 2)) },
    ]);
    sheet.getCell('G5').numFmt = 'yyyy-mm-dd';
    sheet.addRow(['trailing', '', null, '']);
    sheet.getCell('A7').numFmt = '0.00'; // a styled cell without a value: no row
    workbook.addWorksheet('second').addRow(['only']);
    await workbook.xlsx.writeFile(path);
  });

  it('turns typed cells back into text, as exceljs stored them', async () => {
    const records = await readXlsxFile(path);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3, 5, 6]);
    expect(texts(records)).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
      ['42', '3.25', 'true', 'false', '2024-01-15T10:30:00.000Z', '84', 'rich', 'link', '#N/A', '""'],
      ['x', '', '', 'y', '""'],
      ['after a gap', 'az', 'a&lt;b <c> & "q"', '1e+21', 'true', '#N/A', '2020-01-02T00:00:00.000Z'],
      ['trailing', '""', '', '""'],
    ]);
  });

  it('reads the sheet named by --sheet, and names the sheets when there is no such sheet', async () => {
    expect(texts(await readXlsxFile(path, { sheet: 'second' }))).toEqual([['only']]);
    await expectInputError(readXlsxFile(path, { sheet: 'third' }), /no worksheet named 'third' \(sheets: first, second\)/);
    await expectInputError(countXlsxRecords(path, { sheet: 'third' }), /no worksheet named 'third'/);
  });
});

/** One part of a hand-built zip. */
interface Part {
  name: string;
  text: string;
  /** Stored without compression (method 0). */
  stored?: boolean;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip with the parts in the given order; `descriptors`: sizes after each entry's data (bit 3), as streaming writers do. */
function writeZip(path: string, parts: readonly Part[], descriptors = false): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const data = Buffer.from(part.text);
    const packed = part.stored ? data : deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(descriptors ? 0x08 : 0, 6);
    local.writeUInt16LE(part.stored ? 0 : 8, 8);
    if (!descriptors) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(packed.length, 18);
      local.writeUInt32LE(data.length, 22);
    }
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(descriptors ? 16 : 0);
    if (descriptors) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(packed.length, 8);
      descriptor.writeUInt32LE(data.length, 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(descriptors ? 0x08 : 0, 8);
    central.writeUInt16LE(part.stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed, descriptor);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length + descriptor.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...locals, directory, end]));
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts of a workbook whose sheets have the given XML (their `<sheetData>`), named as given. */
function workbookParts(sheets: Record<string, string>, options: { sharedStrings?: string[]; date1904?: boolean } = {}): Record<string, Part> {
  const names = Object.keys(sheets);
  const parts: Record<string, Part> = {
    workbook: {
      name: 'xl/workbook.xml',
      text: `<workbook ${NS} ${R_NS}>${options.date1904 ? '<workbookPr date1904="1"/>' : ''}<sheets>${names
        .map((n, i) => `<sheet name="${n}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</sheets></workbook>`,
    },
    rels: {
      name: 'xl/_rels/workbook.xml.rels',
      text: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${names
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join('')}<Relationship Id="rIdS" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    },
    // Style 1 shows a date (built-in number format 14).
    styles: {
      name: 'xl/styles.xml',
      text: `<styleSheet ${NS}><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>`,
    },
  };
  names.forEach((n, i) => {
    parts[`sheet${i + 1}`] = { name: `xl/worksheets/sheet${i + 1}.xml`, text: `<worksheet ${NS}><sheetData>${sheets[n]}</sheetData></worksheet>` };
  });
  if (options.sharedStrings) {
    parts.sharedStrings = { name: 'xl/sharedStrings.xml', text: `<sst ${NS}>${options.sharedStrings.map((s) => `<si>${s}</si>`).join('')}</sst>` };
  }
  return parts;
}

describe('workbooks as other writers store them', () => {
  it('reads shared strings (rich, phonetic, empty) and styles stored after the sheet, and the workbook part last (Excel, exceljs)', async () => {
    const p = workbookParts(
      {
        data: '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>45306</v></c></row><row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="s"><v>4</v></c></row>',
      },
      {
        sharedStrings: [
          '<t>name</t>',
          '<t>when</t>',
          '<r><t>Zoë</t></r><r><rPr><b/></rPr><t> &amp; co</t></r>',
          '<t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh>',
          '<t/>',
        ],
      },
    );
    const path = join(dir, 'order.xlsx');
    // Excel's order (the sheet first), then one where exceljs's own streaming reader fails (the
    // relationships and shared strings before the sheet, the workbook part after it).
    const orders = [
      [p.sheet1, p.sharedStrings, p.styles, p.rels, p.workbook],
      [p.rels, p.sharedStrings, p.sheet1, p.styles, p.workbook],
    ] as Part[][];
    for (const [order, descriptors] of [
      [orders[0], false],
      [orders[0], true],
      [orders[1], false],
    ] as [Part[], boolean][]) {
      writeZip(path, order, descriptors);
      expect(texts(await readXlsxFile(path))).toEqual([
        ['name', 'when'],
        ['Zoë & co', '2024-01-15T00:00:00.000Z'],
        ['漢字', '""'],
      ]);
      expect(await countXlsxRecords(path)).toBe(3);
    }
  });

  it('reads inline strings, string results, CDATA, ISO dates, phonetic runs, 1904 dates, stored entries and prefixed tags', async () => {
    const sheet = [
      '<row r="1"><c r="A1" t="inlineStr"><is><t>plain</t></is></c><c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><t xml:space="preserve">ch </t></r></is></c>',
      '<c r="C1" t="inlineStr"><is><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></is></c><c r="D1" t="str"><f>X</f><v>&amp;lt;kept&amp;gt;</v></c><c r="E1" t="inlineStr"><is><t><![CDATA[<cd>]]></t></is></c></row>',
      '<row r="3"><c r="A3" t="d"><v>2024-02-03T04:05:06Z</v></c><c r="B3" s="1"><v>0</v></c><c r="C3" t="b"><f>Y</f><v>0</v></c><c r="D3" t="e"><f>Z</f><v>#DIV/0!</v></c></row>',
      '<row r="4"><c r="A4"><f>NEVER()</f></c><c r="B4" s="1"/></row>', // no value: no record
      '<row><c t="inlineStr"><is><t>no refs</t></is></c><c><v>7</v></c></row>', // row and cell numbers follow on
    ].join('');
    const p = workbookParts({ data: sheet }, { date1904: true });
    const path = join(dir, 'inline.xlsx');
    writeZip(path, [{ ...p.workbook, stored: true }, p.rels, p.styles, p.sheet1] as Part[]);
    const records = await readXlsxFile(path);
    expect(records.map((r) => r.row)).toEqual([1, 3, 5]);
    expect(texts(records)).toEqual([
      ['plain', 'rich ', '漢字', '&lt;kept&gt;', '<cd>'],
      ['2024-02-03T04:05:06.000Z', '1904-01-01T00:00:00.000Z', 'false', '#DIV/0!'],
      ['no refs', '7'],
    ]);
    expect(await countXlsxRecords(path)).toBe(3);

    const prefixed = join(dir, 'prefixed.xlsx');
    const q = workbookParts({ data: '' });
    writeZip(prefixed, [
      q.workbook as Part,
      q.rels as Part,
      {
        name: 'xl/worksheets/sheet1.xml',
        text: `<x:worksheet xmlns:x="${NS.slice(7, -1)}"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
      },
    ]);
    const read = await readXlsxFile(prefixed);
    expect(read.map((r) => r.row)).toEqual([2]);
    expect(texts(read)).toEqual([['', 'p']]);
  });

  it('keeps multi-byte text whole across the chunks of a long sheet', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>été ${i} 日本語 😀</t></is></c></row>`);
    const p = workbookParts({ data: rows.join('') });
    const path = join(dir, 'utf8.xlsx');
    writeZip(path, [p.workbook, p.rels, p.sheet1] as Part[]);
    const records = await readXlsxFile(path);
    expect(records).toHaveLength(3000);
    expect(records.every((r, i) => r.cells[0]?.text === `été ${i} 日本語 😀`)).toBe(true);
  });
});

describe('input that is no readable workbook', () => {
  it('gives TH_ERR_BULK_INPUT for a missing file, garbage, a truncated file, a broken sheet, a zip without a workbook', async () => {
    await expectInputError(readXlsxFile(join(dir, 'absent.xlsx')), /no such file/);

    const garbage = join(dir, 'garbage.xlsx');
    writeFileSync(garbage, 'serviceProviderId,groupId\nsp,g\n');
    await expectInputError(readXlsxFile(garbage), /not an XLSX workbook \(no zip end record/);
    writeFileSync(garbage, Buffer.alloc(0));
    await expectInputError(readXlsxFile(garbage), /not an XLSX workbook/);

    const whole = join(dir, 'whole.xlsx');
    await writeXlsxFile(whole, [USER_HEADER, ...Array.from({ length: 500 }, (_, i) => userRow(i))]);
    const bytes = readFileSync(whole);
    const truncated = join(dir, 'truncated.xlsx');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectInputError(readXlsxFile(truncated), /not an XLSX workbook/);

    // The central directory intact, the sheet's compressed data overwritten.
    const p = workbookParts({ data: Array.from({ length: 400 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`).join('') });
    const corrupt = join(dir, 'corrupt.xlsx');
    writeZip(corrupt, [p.workbook, p.rels, p.sheet1] as Part[]);
    const damaged = readFileSync(corrupt);
    const sheetAt = damaged.indexOf('xl/worksheets/sheet1.xml') + 'xl/worksheets/sheet1.xml'.length;
    damaged.fill(0xff, sheetAt + 20, sheetAt + 60);
    writeFileSync(corrupt, damaged);
    await expectInputError(readXlsxFile(corrupt), /not a readable XLSX workbook/);
    await expectInputError(countXlsxRecords(corrupt), /not a readable XLSX workbook/);

    const unclosed = join(dir, 'unclosed.xlsx');
    writeZip(unclosed, [
      p.workbook as Part,
      p.rels as Part,
      { name: 'xl/worksheets/sheet1.xml', text: `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>1</v></c>` },
    ]);
    await expectInputError(readXlsxFile(unclosed), /not a readable XLSX workbook/);

    const noWorkbook = join(dir, 'document.xlsx');
    writeZip(noWorkbook, [{ name: 'word/document.xml', text: '<document/>' }]);
    await expectInputError(readXlsxFile(noWorkbook), /no xl\/workbook.xml/);

    const noSheetPart = join(dir, 'no-sheet-part.xlsx');
    writeZip(noSheetPart, [p.workbook, p.rels] as Part[]);
    await expectInputError(readXlsxFile(noSheetPart), /no xl\/worksheets\/sheet1.xml for the worksheet 'data'/);
  });

  it('stops a run before its journal with the same error', async () => {
    const garbage = join(dir, 'run-garbage.xlsx');
    writeFileSync(garbage, 'not a zip');
    const schema = await OciSchema.load(newestGeneratedRelease());
    const journal = join(dir, 'run-garbage.jsonl');
    await expectInputError(runBulk({ input: garbage, request: 'UserAddRequest17sp4', schema, journal }), /not an XLSX workbook/);
    expect(existsSync(journal)).toBe(false);
    const workbook = join(dir, 'run-sheets.xlsx');
    await writeXlsxFile(workbook, [USER_HEADER, userRow(0)]);
    await expectInputError(
      runBulk({ input: workbook, sheet: 'nope', request: 'UserAddRequest17sp4', schema, journal }),
      /no worksheet named 'nope' \(sheets: bulk\)/,
    );
  }, 60_000);
});
