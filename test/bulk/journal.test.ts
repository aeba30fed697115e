// Journal lines, secret masking and row hashes: the fast paths give exactly what the generic
// ones gave, and a journal of version 1 (SHA-256 row hashes) still resumes.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JournalRow, maskSecrets, rowLineText } from '../../agents/bulk/journal.js';
import { readJournal, redactSecrets, rowHash, runBulk } from '../../agents/bulk/index.js';
import type { FieldAssignment } from '../../runtime/oci/request-builder.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { USER_HEADER, tempDir, userRow, writeCsv } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('row lines', () => {
  const lines: JournalRow[] = [
    { kind: 'row', row: 2, hash: '0123456789abcdef', request: 'UserAddRequest17sp4', outcome: 'ok', ms: 4, attempts: 1, command: { $type: 'X', a: 'é"\\\n' } },
    { kind: 'row', row: 3, hash: 'h', outcome: 'invalid', code: 'bad-path', error: 'row 3, column "x": \u0001 bad' },
    { kind: 'row', row: 5, hash: 'a"b\\c', request: 'R\u2028\ud800', outcome: 'failed', code: 'TH_\u001f', error: '\ud83d\ude00 ok' },
    {
      kind: 'row',
      row: 4,
      hash: 'h',
      request: 'R',
      outcome: 'failed',
      code: undefined,
      error: undefined,
      ms: Number.NaN,
      attempts: undefined,
      command: undefined,
      before: { userId: 'u', list: [1, null, { x: true }] },
      beforeRequest: 'UserGetRequest23V2',
    },
  ];
  it.each(lines.map((l) => [l.row, l]))('row %i is written as JSON.stringify writes it', (_, line) => {
    expect(rowLineText(line)).toBe(JSON.stringify(line));
  });
  it('writes a command given as JSON text where the line has none', () => {
    const command = { $type: 'X', password: '***', a: 'b' };
    const line: JournalRow = { kind: 'row', row: 6, hash: 'h', request: 'X', outcome: 'ok', ms: 1, attempts: 1 };
    expect(rowLineText(line, JSON.stringify(command))).toBe(JSON.stringify({ ...line, command }));
  });
});

describe('secret masking', () => {
  const command = {
    $type: 'UserAddRequest17sp4',
    userId: 'u',
    password: 'Pw-1',
    address: { city: 'Paris' },
    accessDeviceEndpoint: { accessDevice: { deviceName: 'd' }, contact: ['a'] },
    sipAuthenticationData: { userName: 'n', password: 'p2' },
    list: [{ passcode: '1234' }, { keep: 'x' }],
    newPassword: null,
  };
  it('masks what redactSecrets masks, copying only the way to a secret and never changing the input', () => {
    const before = JSON.stringify(command);
    const masked = maskSecrets(command);
    expect(JSON.stringify(masked)).toBe(JSON.stringify(redactSecrets(command)));
    expect(JSON.stringify(masked)).not.toMatch(/Pw-1|p2|1234/);
    expect(JSON.stringify(command)).toBe(before);
    expect(masked).not.toBe(command);
    expect(masked.address).toBe(command.address);
    expect(masked.accessDeviceEndpoint).toBe(command.accessDeviceEndpoint);
    expect(masked.list[1]).toBe(command.list[1]);
    expect(masked.newPassword).toBeNull();
  });
  it('returns a value without secrets as it is', () => {
    const plain = { $type: 'X', userId: 'u', address: { city: 'Paris' }, alias: ['a', 'b'] };
    expect(maskSecrets(plain)).toBe(plain);
  });
});

describe('row hashes', () => {
  const text = (t: string): FieldAssignment => ({ path: 'lastName', value: { kind: 'text', text: t } });
  it('version 2: 16 hex digits, stable, changed by any change of the type, a path, a value or its kind', () => {
    const base = rowHash('UserAddRequest17sp4', [text('Smith')]);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    // Pinned: journals written today must resume with tomorrow's code.
    expect(base).toBe('b11e41b978ebe786');
    const variants = [
      rowHash('UserAddRequest22', [text('Smith')]),
      rowHash('UserAddRequest17sp4', [text('Smiti')]),
      rowHash('UserAddRequest17sp4', [{ path: 'firstName', value: { kind: 'text', text: 'Smith' } }]),
      rowHash('UserAddRequest17sp4', [{ path: 'lastName', value: { kind: 'json', value: 'Smith' } }]),
      rowHash('UserAddRequest17sp4', [{ path: 'lastName', value: { kind: 'nil' } }]),
      rowHash('UserAddRequest17sp4', [text('Smith'), text('')]),
      rowHash('UserAddRequest17sp4', []),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
  it('version 2: no collision among 20,000 rows that differ in a few characters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(rowHash('UserAddRequest17sp4', [text(`Last${i}`), { path: 'userId', value: { kind: 'text', text: `u${i}@x` } }]));
    expect(seen.size).toBe(20_000);
  });
  it('version 1: the first 16 hex digits of SHA-256 over the row text', () => {
    const expected = createHash('sha256').update('UserAddRequest17sp4\u0000lastName\u0001tSmith').digest('hex').slice(0, 16);
    expect(rowHash('UserAddRequest17sp4', [text('Smith')], 1)).toBe(expected);
  });
});

describe('resume of a version 1 journal', () => {
  it('skips the rows it shows done with their SHA-256 hash, and keeps writing version 1', async () => {
    const schema = await OciSchema.load(OciSchema.newestRelease());
    const csv = writeCsv(join(dir, 'v1.csv'), USER_HEADER, [userRow('v1', 0), userRow('v1', 1)]);
    const first = await runBulk({ input: csv, request: 'UserAddRequest17sp4', schema, journal: join(dir, 'v2.jsonl') });
    expect(first.counts.valid).toBe(2);
    const written = readJournal(join(dir, 'v2.jsonl'));
    expect(written[0]).toMatchObject({ kind: 'header', version: 2 });
    // A journal as version 1 wrote it: row 2 done, with its SHA-256 row hash.
    const assignments: FieldAssignment[] = USER_HEADER.map((path, i) => ({ path, value: { kind: 'text', text: userRow('v1', 0)[i] as string } }));
    const sha = rowHash('UserAddRequest17sp4', assignments, 1);
    const old = join(dir, 'v1.jsonl');
    writeFileSync(
      old,
      `${JSON.stringify({ ...written[0], version: 1 })}\n${JSON.stringify({ kind: 'row', row: 2, hash: sha, request: 'UserAddRequest17sp4', outcome: 'ok' })}\n`,
    );
    const resumed = await runBulk({ input: csv, request: 'UserAddRequest17sp4', schema, resume: old });
    expect(resumed.counts).toMatchObject({ skipped: 1, valid: 1 });
    const lines = readFileSync(old, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; version?: number; row?: number; hash?: string });
    expect(lines.filter((l) => l.kind === 'header').map((l) => l.version)).toEqual([1, 1]);
    expect(lines.find((l) => l.kind === 'row' && l.row === 2 && l !== lines[1])?.hash).toBe(sha);
  });
});
