// Shared by the codec benches (not a bench itself): the synthetic UserGetListInGroupResponse
// document and fast-xml-parser in its OCI-correct configuration, the baseline both benches use.
import { XMLParser } from 'fast-xml-parser';

const HEADINGS = ['User Id', 'Last Name', 'First Name', 'Department', 'Phone Number', 'Phone Number Activated', 'Email Address', 'Extension'];
const LAST = ['Smith', 'Müller', 'Ørsted', 'García', 'Nguyen', "O'Neil", 'Brown', 'Johansson', 'Lefèvre', 'Kowalski'];
const FIRST = ['Anna', 'José', 'Zoë', 'Peter', 'Linh', 'Seán', 'Mary', 'Björn', 'Chloé', 'Jan'];

/**
 * A UserGetListInGroupResponse document of `rows` rows (deterministic): a third of the cells
 * `<col/>`, about one row in three with `&amp;`/`&apos;`, Latin-1 names.
 */
export function buildDocument(rows: number): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '<sessionId xmlns="">bench-session</sessionId><command echo="" xsi:type="UserGetListInGroupResponse" xmlns=""><userTable>',
  ];
  for (const h of HEADINGS) parts.push(`<colHeading>${h}</colHeading>`);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&apos;');
  for (let r = 0; r < rows; r++) {
    let row = '<row>';
    const values = [
      `user.account${r}@example.com`,
      LAST[r % 10]!,
      FIRST[(r * 7) % 10]!,
      r % 4 === 0 ? 'Sales & Marketing' : '',
      r % 3 === 0 ? '' : `+1-555-${String(r).padStart(7, '0')}`,
      r % 3 === 0 ? '' : 'true',
      r % 3 === 1 ? '' : `u${r}@mail.corp-example.com`,
      r % 2 === 0 ? '' : String(1000 + (r % 9000)),
    ];
    for (const v of values) {
      row += v === '' ? '<col/>' : `<col>${esc(v)}</col>`;
    }
    parts.push(`${row}</row>`);
  }
  parts.push('</userTable></command></BroadsoftDocument>');
  return parts.join('');
}

/** fast-xml-parser 5.12.1 configured correctly for OCI (stack notes §2.4). */
export function fxpParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    htmlEntities: true,
    jPath: false,
    isArray: (name: string) => name === 'row' || name === 'col' || name === 'colHeading' || name === 'command',
    // Explicit options object, limits raised to fit the document (stack notes §2.5).
    processEntities: { enabled: true, maxTotalExpansions: 10_000_000, maxExpandedLength: 100_000_000, maxEntityCount: 1000 },
  });
}

export type Table = { colHeading: string[]; row: { col: string[] }[] };

/** fast-xml-parser's parse of the table document, extracted into the same shape as ours (`<col/>` as ''). */
export function fxpDecode(parser: XMLParser, text: string): Table {
  const doc = parser.parse(text) as Record<string, any>;
  const t = doc.BroadsoftDocument.command[0].userTable;
  return {
    colHeading: t.colHeading.map(String),
    row: (t.row ?? []).map((r: { col: unknown[] }) => ({ col: r.col.map((c) => (typeof c === 'string' ? c : '')) })),
  };
}
