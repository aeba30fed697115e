// Plain-text output of the `hammer vbox` commands: aligned tables and `label  value` lines.

/** Display width of a cell: code points, so Hebrew room names align like Latin ones. */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return right ? fill + text : text + fill;
}

/** A column: its heading, and whether its cells are right-aligned (numbers). */
export interface Column {
  heading: string;
  right?: boolean;
}

/** Lines of an aligned table with a heading row; columns are separated by two spaces, trailing blanks trimmed. */
export function table(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = columns.map((c, i) => Math.max(width(c.heading), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => pad(cells[i] ?? '', widths[i]!, c.right === true))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.heading)), ...rows.map(line)];
}

/** `label  value` lines, labels padded to the longest. */
export function fields(entries: ReadonlyArray<readonly [string, string]>): string[] {
  const to = Math.max(...entries.map(([label]) => width(label)));
  return entries.map(([label, value]) => `${pad(label, to, false)}  ${value}`);
}
