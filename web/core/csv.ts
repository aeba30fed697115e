/**
 * CSV for artifacts: RFC 4180 (CRLF, quotes doubled), UTF-8, header row. A cell that starts
 * with `=`, `+`, `-` or `@` gets a leading `'` so spreadsheet programs show it as text
 * instead of evaluating it (C.6).
 */
export function toCsv(headings: readonly string[], rows: readonly (readonly (string | null | undefined)[])[]): string {
  const lines = [headings.map(csvCell).join(',')];
  for (const row of rows) lines.push(headings.map((_, i) => csvCell(row[i] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvCell(value: string): string {
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
