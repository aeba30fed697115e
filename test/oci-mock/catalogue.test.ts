// The error catalogue and the documentation agree: every ErrorResponse number the mock can
// produce, and every TH_ERR_OCI_MOCK_* code it can throw, has a row in docs/oci-mock.md.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mockErrors } from '../../runtime/mock/oci/index.js';
import { projectRoot } from '../../runtime/paths.js';

const docs = readFileSync(join(projectRoot, 'docs', 'oci-mock.md'), 'utf8');

test('every ErrorResponse of the catalogue is documented with its number and summary', () => {
  const entries = Object.entries(mockErrors) as [string, (...args: string[]) => { errorNumber: number; text: string }][];
  expect(entries.length).toBeGreaterThan(15);
  for (const [name, make] of entries) {
    const rejection = make('<a>', '<b>', '<c>');
    const row = docs.split('\n').find((line) => line.startsWith(`| ${rejection.errorNumber} |`));
    expect({ name, documented: row !== undefined }).toEqual({ name, documented: true });
    // The fixed start of the summary (before any placeholder) is quoted in the row.
    const fixedStart = rejection.text
      .split('<')[0]
      .replace(/[:(]\s*$/, '')
      .trim();
    expect({ name, row, quoted: row?.includes(fixedStart) }).toEqual({ name, row, quoted: true });
  }
});

test('every TH_ERR_OCI_MOCK_* code used in the sources is documented', () => {
  const dir = join(projectRoot, 'runtime', 'mock', 'oci');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const codes = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/'(TH_ERR_OCI_MOCK_[A-Z_]+)'/g)) codes.add(match[1]);
  }
  expect(codes.size).toBeGreaterThanOrEqual(5);
  for (const code of codes) expect({ code, documented: docs.includes(`\`${code}\``) }).toEqual({ code, documented: true });
});
