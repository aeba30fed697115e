import type ExcelJS from 'exceljs';
import type { Cell, CsvRecord } from './csv.js';
import { BulkInputError } from './errors.js';

/**
 * Reads the records of one worksheet of an XLSX workbook (the first, or the one named by
 * `sheet`) into the same shape as the CSV reader. Typed spreadsheet values are turned back
 * into text, which the schema then types: numbers as written, booleans as true/false, dates
 * as ISO 8601, formulas by their cached result. An empty cell is an empty (omitted) cell; a
 * cell holding an empty string counts as quoted `""`.
 */
export async function readXlsxFile(path: string, options: { sheet?: string } = {}): Promise<CsvRecord[]> {
  const workbook = new (await excel()).Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new BulkInputError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: not a readable XLSX workbook (${(error as Error).message})`,
      { path },
      error,
    );
  }
  const sheet = options.sheet === undefined ? workbook.worksheets[0] : workbook.getWorksheet(options.sheet);
  if (!sheet) {
    const names = workbook.worksheets.map((w) => w.name);
    throw new BulkInputError(
      options.sheet === undefined ? `${path}: the workbook has no worksheet` : `${path}: no worksheet named '${options.sheet}' (sheets: ${names.join(', ')})`,
      { path, sheets: names },
    );
  }
  const records: CsvRecord[] = [];
  const width = sheet.columnCount;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellOf(row.getCell(c).value));
    while (cells.length > 1 && cells[cells.length - 1]?.text === '' && !cells[cells.length - 1]?.quoted) cells.pop();
    records.push({ row: rowNumber, cells });
  });
  return records;
}

function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return { text: '', quoted: false };
  if (typeof value === 'string') return { text: value, quoted: value === '' };
  if (typeof value === 'number') return { text: String(value), quoted: false };
  if (typeof value === 'boolean') return { text: value ? 'true' : 'false', quoted: false };
  if (value instanceof Date) return { text: value.toISOString(), quoted: false };
  if (typeof value === 'object') {
    if ('richText' in value) return { text: value.richText.map((r) => r.text).join(''), quoted: false };
    if ('result' in value) return cellOf((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value) return { text: String(value.text), quoted: false };
    if ('error' in value) return { text: String(value.error), quoted: false };
  }
  return { text: String(value), quoted: false };
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
