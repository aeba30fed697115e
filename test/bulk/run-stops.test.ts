// The run's guards and stops against the mock server as a separate process: a resumed journal must
// be of the same input, the failed-rows file holds every row that did not run, an unknown request
// or an empty input is a usage error before any row, and a refused login or an unreachable server
// stops the run at once (a connection lost later is per-row, as before).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type BulkEvent, type BulkRunOptions, CsvParser, readJournal, resumeState, runBulk } from '../../agents/bulk/index.js';
import { isThorsHammerError } from '../../runtime/errors.js';
import { spawnMock, uniqueTag } from '../oci-client/helpers.js';
import { DOMAIN, GROUP, PASSWORD, SP, USER_HEADER, hammerBulk, useBulkMock, userRow, writeCsv } from './helpers.js';

const env = useBulkMock();

const connection = (password = PASSWORD) => ({ url: env.url, userId: 'admin', password });
const run = (options: Omit<BulkRunOptions, 'schema'>) => runBulk({ schema: env.schema, ...options });

async function usersWithTag(tag: string): Promise<string[]> {
  const r = await env.client.send({ $type: 'UserGetListInGroupRequest', serviceProviderId: SP, GroupId: GROUP } as never);
  const table = (r as unknown as { userTable: { colHeading: string[]; row: { col: string[] }[] } }).userTable;
  const col = table.colHeading.indexOf('User Id');
  return table.row.map((row) => row.col[col] as string).filter((u) => u.startsWith(`${tag}-`));
}

/** The records of a CSV file after its header, as cell texts. */
function csvRows(path: string): string[][] {
  const parser = new CsvParser();
  const records = [...parser.push(readFileSync(path, 'utf8')), ...parser.end()];
  return records.slice(1).map((r) => r.cells.map((c) => c.text));
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isThorsHammerError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

describe('--resume checks the input', () => {
  it("refuses another input's journal before sending or appending anything, naming both files", async () => {
    const tag = `ra${uniqueTag()}`;
    const a = writeCsv(join(env.dir, `a-${tag}.csv`), USER_HEADER, [userRow(tag, 0), userRow(tag, 1)]);
    const b = writeCsv(join(env.dir, `b-${tag}.csv`), USER_HEADER, [userRow(tag, 10), userRow(tag, 11), userRow(tag, 12)]);
    const journal = join(env.dir, `a-${tag}.jsonl`);
    expect((await run({ input: a, request: 'UserAddRequest17sp4', apply: true, connection: connection(), journal })).counts.ok).toBe(2);
    const before = readFileSync(journal, 'utf8');
    const error = await rejection(run({ input: b, request: 'UserAddRequest17sp4', apply: true, connection: connection(), resume: journal }));
    expect(error.code).toBe('TH_ERR_BULK_JOURNAL');
    expect(error.message).toContain(a);
    expect(error.message).toContain(b);
    expect(readFileSync(journal, 'utf8')).toBe(before);
    expect((await usersWithTag(tag)).sort()).toEqual([`${tag}-0@${DOMAIN}`, `${tag}-1@${DOMAIN}`]);
    // The CLI: a usage error.
    const cli = await hammerBulk(['run', b, '--request', 'UserAddRequest17sp4', '--apply', '--url', env.url, '--user', 'admin', '--resume', journal], {
      OCI_PASSWORD: PASSWORD,
    }).done;
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/TH_ERR_BULK_JOURNAL: .*journal of another input/);
    expect(readFileSync(journal, 'utf8')).toBe(before);
  }, 60_000);

  it('resumes the same content at another path, and an edited file by row hash', async () => {
    const tag = `rb${uniqueTag()}`;
    const rows = Array.from({ length: 6 }, (_, i) => userRow(tag, i));
    const original = writeCsv(join(env.dir, `orig-${tag}.csv`), USER_HEADER, rows);
    const journal = join(env.dir, `orig-${tag}.jsonl`);
    const first = await run({ input: original, request: 'UserAddRequest17sp4', apply: true, connection: connection(), journal });
    expect(first.counts.ok).toBe(6);

    // The same bytes under another name: every row is done.
    const copy = join(env.dir, `copy-${tag}.csv`);
    copyFileSync(original, copy);
    const fromCopy = await run({ input: copy, request: 'UserAddRequest17sp4', apply: true, connection: connection(), resume: journal });
    expect(fromCopy.counts).toMatchObject({ skipped: 6, ok: 0, failed: 0 });

    // The file edited in place: its first row removed (every row number moves up), a row changed
    // (city) and one added. Done rows are found by their hash; the changed and the new row run.
    const edited = rows.slice(1).map((r) => [...r]);
    (edited[2] as string[])[USER_HEADER.indexOf('address.city')] = 'Lyon';
    (edited[2] as string[])[USER_HEADER.indexOf('userId')] = `${tag}-changed@${DOMAIN}`;
    edited.push(userRow(tag, 6));
    writeCsv(original, USER_HEADER, edited);
    const resumed = await run({ input: original, request: 'UserAddRequest17sp4', apply: true, connection: connection(), resume: journal });
    expect(resumed.counts).toMatchObject({ skipped: 4, ok: 2, failed: 0, inDoubt: 0 });
    expect((await usersWithTag(tag)).length).toBe(8);
  }, 60_000);

  it('an edited file keeps rows in doubt held back by their row number', async () => {
    const tag = `rd${uniqueTag()}`;
    const rows = Array.from({ length: 4 }, (_, i) => userRow(tag, i));
    const csv = writeCsv(join(env.dir, `rd-${tag}.csv`), USER_HEADER, rows.slice(0, 2));
    const journal = join(env.dir, `rd-${tag}.jsonl`);
    expect((await run({ input: csv, request: 'UserAddRequest17sp4', apply: true, connection: connection(), journal })).counts.ok).toBe(2);
    // As a run killed after writing a document's `sent` line: row 4 was maybe sent.
    writeFileSync(journal, `${readFileSync(journal, 'utf8')}{"kind":"sent","rows":[4]}\n`);
    writeCsv(csv, USER_HEADER, rows);
    const events: { row: number; outcome: string }[] = [];
    const resumed = await run({
      input: csv,
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      resume: journal,
      onEvent: (e) => {
        if (e.type === 'row') events.push({ row: e.row, outcome: e.outcome });
      },
    });
    expect(resumed.counts).toMatchObject({ skipped: 2, ok: 1, inDoubt: 1 });
    expect(events.find((e) => e.row === 4)).toEqual({ row: 4, outcome: 'in-doubt' });
    // Row 4 now holds the third user: held back; the fourth (row 5) was sent.
    expect((await usersWithTag(tag)).sort()).toEqual([0, 1, 3].map((i) => `${tag}-${i}@${DOMAIN}`));
  }, 60_000);
});

describe('--failed-out holds every row that did not run', () => {
  /** 300 rows: rows 10..14 (0-based) name a group that does not exist, row 3 has a last name too long. */
  function sheet(tag: string): string[][] {
    const rows = Array.from({ length: 300 }, (_, i) => userRow(tag, i, i >= 10 && i < 15 ? 'no-such-group' : GROUP));
    (rows[3] as string[])[USER_HEADER.indexOf('lastName')] = 'z'.repeat(40);
    return rows;
  }

  /** Checks the failed-rows file against the summary, fixes it and runs it: every user then exists once. */
  async function checkAndRerun(tag: string, failedOut: string, summary: Awaited<ReturnType<typeof run>>): Promise<void> {
    const c = summary.counts;
    const failedRows = csvRows(failedOut);
    expect(failedRows).toHaveLength(c.invalid + c.failed + c.notRun + c.inDoubt);
    const userCol = USER_HEADER.indexOf('userId');
    const errorCol = USER_HEADER.length;
    const ids = failedRows.map((r) => r[userCol] as string);
    expect(new Set(ids).size).toBe(ids.length);
    const created = await usersWithTag(tag);
    expect(created).toHaveLength(c.ok);
    // Each row of the sheet is either created or in the file, never both.
    for (const id of ids) expect(created).not.toContain(id);
    expect(ids.length + created.length).toBe(300);
    expect(failedRows.filter((r) => (r[errorCol] as string).startsWith('not run: the run ')).length).toBe(c.notRun);

    const fixed = readFileSync(failedOut, 'utf8').replaceAll('no-such-group', GROUP).replace('z'.repeat(40), 'Fixed');
    writeFileSync(failedOut, fixed);
    const again = await run({ input: failedOut, request: 'UserAddRequest17sp4', apply: true, connection: connection() });
    expect(again.counts).toMatchObject({ ok: failedRows.length, failed: 0, invalid: 0, notRun: 0 });
    expect(await usersWithTag(tag)).toHaveLength(300);
  }

  it('after --max-errors', async () => {
    const tag = `fm${uniqueTag()}`;
    const csv = writeCsv(join(env.dir, `fm-${tag}.csv`), USER_HEADER, sheet(tag));
    const failedOut = join(env.dir, `fm-${tag}.failed.csv`);
    const summary = await run({
      input: csv,
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      sessions: 1,
      batchSize: 2,
      maxErrors: 4,
      failedOut,
    });
    expect(summary.stoppedByMaxErrors).toBe(true);
    expect(summary.counts.notRun).toBeGreaterThan(200);
    expect(readFileSync(failedOut, 'utf8')).toMatch(/not run: the run stopped after 4 failed rows/);
    await checkAndRerun(tag, failedOut, summary);
  }, 90_000);

  it('after an abort', async () => {
    const tag = `fa${uniqueTag()}`;
    const csv = writeCsv(join(env.dir, `fa-${tag}.csv`), USER_HEADER, sheet(tag));
    const failedOut = join(env.dir, `fa-${tag}.failed.csv`);
    const controller = new AbortController();
    const summary = await run({
      input: csv,
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      sessions: 1,
      batchSize: 3,
      failedOut,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'row' && e.outcome === 'ok' && e.row > 20) controller.abort();
      },
    });
    expect(summary.aborted).toBe(true);
    expect(summary.counts.notRun).toBeGreaterThan(200);
    expect(readFileSync(failedOut, 'utf8')).toMatch(/not run: the run was aborted/);
    await checkAndRerun(tag, failedOut, summary);
  }, 90_000);
});

describe('unknown requests', () => {
  it('an unknown --request or preset is a usage error before any row, with one "did you mean" list', async () => {
    const tag = `q${uniqueTag()}`;
    const csv = writeCsv(join(env.dir, `q-${tag}.csv`), USER_HEADER, [userRow(tag, 0)]);
    const journal = join(env.dir, `q-${tag}.jsonl`);
    const typo = await rejection(run({ input: csv, request: 'UserAddRequst17sp4', journal }));
    expect(typo.code).toBe('TH_ERR_BULK_OPTIONS');
    expect(typo.message).toMatch(/^unknown request 'UserAddRequst17sp4'.*; did you mean UserAddRequest\b/);
    expect(typo.message.match(/did you mean/g)).toHaveLength(1);
    const preset = await rejection(run({ input: csv, request: 'user.craete', journal }));
    expect(preset.code).toBe('TH_ERR_BULK_OPTIONS');
    expect(preset.message).toMatch(/did you mean user\.create\b/);
    expect(existsSync(journal)).toBe(false);
    const cli = await hammerBulk(['run', csv, '--request', 'user.craete', '--quiet']).done;
    expect(cli.code).toBe(2);
    expect(cli.stdout).toBe('');
    expect(cli.stderr.match(/did you mean/g)).toHaveLength(1);
  }, 60_000);

  it('a request or operation cell naming no request is a row error of that column', async () => {
    const tag = `qc${uniqueTag()}`;
    const header = ['request', 'operation', ...USER_HEADER];
    const csv = writeCsv(join(env.dir, `qc-${tag}.csv`), header, [
      ['UserAddRequst17sp4', undefined, ...userRow(tag, 0)],
      [undefined, 'user.craete', ...userRow(tag, 1)],
      ['UserAddRequest17sp4', undefined, ...userRow(tag, 2)],
    ]);
    const problems: string[] = [];
    const summary = await run({
      input: csv,
      journal: false,
      onEvent: (e: BulkEvent) => {
        if (e.type === 'row' && e.issues) problems.push(...e.issues.map((i) => `row ${e.row}, column ${i.column}: ${i.message}`));
      },
    });
    expect(summary.counts).toMatchObject({ invalid: 2, valid: 1 });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^row 2, column request: unknown request 'UserAddRequst17sp4'/);
    expect(problems[1]).toMatch(/^row 3, column operation: unknown request 'user\.craete'.*did you mean user\.create/);
    for (const p of problems) expect(p.match(/did you mean/g)).toHaveLength(1);
  }, 60_000);
});

describe('empty input', () => {
  it('a 0-byte or whitespace-only file has no header: an input error, no journal', async () => {
    for (const [name, text] of [
      ['empty', ''],
      ['blank', '  \n\n \r\n'],
    ] as const) {
      const csv = join(env.dir, `${name}-${uniqueTag()}.csv`);
      writeFileSync(csv, text);
      const error = await rejection(run({ input: csv, request: 'UserAddRequest17sp4' }));
      expect(error.code).toBe('TH_ERR_BULK_INPUT');
      expect(error.message).toMatch(/no header/);
      expect(existsSync(`${csv}.journal.jsonl`)).toBe(false);
    }
    const csv = join(env.dir, `empty-cli-${uniqueTag()}.csv`);
    writeFileSync(csv, '');
    const cli = await hammerBulk(['run', csv, '--request', 'UserAddRequest17sp4']).done;
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/TH_ERR_BULK_INPUT: .*no header/);
  }, 60_000);
});

describe('setup failures stop the run', () => {
  it('a refused login: one setup-failed event, no row sent or failed, exit code 2; a resume with the right password sends all', async () => {
    const tag = `sl${uniqueTag()}`;
    const csv = writeCsv(
      join(env.dir, `sl-${tag}.csv`),
      USER_HEADER,
      Array.from({ length: 200 }, (_, i) => userRow(tag, i)),
    );
    const journal = join(env.dir, `sl-${tag}.jsonl`);
    const failedOut = join(env.dir, `sl-${tag}.failed.csv`);
    const events: BulkEvent[] = [];
    const summary = await run({
      input: csv,
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection('wrong-Password-1'),
      journal,
      failedOut,
      onEvent: (e) => events.push(e),
    });
    expect(summary.setupFailure).toMatchObject({ kind: 'login', code: 'TH_ERR_OCI_ERROR_RESPONSE', attempts: 1 });
    expect(summary.setupFailure?.message).toMatch(/refused the login of admin at tcp:\/\/127\.0\.0\.1:\d+.*\[Error 4962\] Invalid password/);
    expect(summary.counts).toMatchObject({ notRun: 200, failed: 0, ok: 0 });
    expect(summary.exitCode).toBe(2);
    expect(events.filter((e) => e.type === 'setup-failed')).toEqual([{ type: 'setup-failed', failure: summary.setupFailure }]);
    expect(events.some((e) => e.type === 'row' && e.error !== undefined)).toBe(false);
    expect(csvRows(failedOut)).toHaveLength(200);
    // Nothing was sent before the login: nothing is in doubt.
    const lines = readJournal(journal);
    expect(lines.at(-1)).toMatchObject({ kind: 'summary', setupFailure: summary.setupFailure });
    expect(resumeState(lines).inDoubt.size).toBe(0);
    expect(await usersWithTag(tag)).toHaveLength(0);

    const resumed = await run({ input: csv, request: 'UserAddRequest17sp4', apply: true, connection: connection(), resume: journal });
    expect(resumed.counts).toMatchObject({ ok: 200, failed: 0, inDoubt: 0 });
    expect(resumed.setupFailure).toBeUndefined();
    expect(await usersWithTag(tag)).toHaveLength(200);
  }, 60_000);

  it('a refused login stops a preflight run too', async () => {
    const tag = `sp${uniqueTag()}`;
    const csv = writeCsv(
      join(env.dir, `sp-${tag}.csv`),
      USER_HEADER,
      Array.from({ length: 20 }, (_, i) => userRow(tag, i)),
    );
    const summary = await run({ input: csv, request: 'UserAddRequest17sp4', preflight: true, connection: connection('wrong-Password-1'), journal: false });
    expect(summary.setupFailure).toMatchObject({ kind: 'login', code: 'TH_ERR_OCI_ERROR_RESPONSE' });
    expect(summary.counts).toMatchObject({ notRun: 20, invalid: 0, valid: 0 });
    expect(summary.exitCode).toBe(2);
  }, 60_000);

  it('the CLI exits 2 on a refused login without a line per row', async () => {
    const tag = `sc${uniqueTag()}`;
    const csv = writeCsv(
      join(env.dir, `sc-${tag}.csv`),
      USER_HEADER,
      Array.from({ length: 100 }, (_, i) => userRow(tag, i)),
    );
    const cli = await hammerBulk(['run', csv, '--request', 'UserAddRequest17sp4', '--apply', '--url', env.url, '--user', 'admin', '--quiet'], {
      OCI_PASSWORD: 'wrong-Password-1',
    }).done;
    expect(cli.code).toBe(2);
    expect(cli.stdout).not.toMatch(/^row \d+/m);
    // One line, the runner's setup failure.
    const lines = cli.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hammer: TH_ERR_OCI_ERROR_RESPONSE: .*\[Error 4962\] Invalid password/);
    expect(cli.stdout).not.toMatch(/4962/);
    expect(await usersWithTag(tag)).toHaveLength(0);
  }, 60_000);

  it('a server that cannot be reached: the run stops after the retries', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const tag = `su${uniqueTag()}`;
    const csv = writeCsv(
      join(env.dir, `su-${tag}.csv`),
      USER_HEADER,
      Array.from({ length: 100 }, (_, i) => userRow(tag, i)),
    );
    const journal = join(env.dir, `su-${tag}.jsonl`);
    const summary = await run({
      input: csv,
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: { url: `tcp://127.0.0.1:${port}`, userId: 'admin', password: PASSWORD, maxReconnectAttempts: 1, backoffMs: 1 },
      retries: 3,
      backoffMs: 1,
      journal,
    });
    expect(summary.setupFailure).toMatchObject({ kind: 'connect', code: 'TH_ERR_OCI_CONNECT', attempts: 3 });
    expect(summary.setupFailure?.message).toMatch(new RegExp(`^cannot reach tcp://127\\.0\\.0\\.1:${port}`));
    expect(summary.counts).toMatchObject({ notRun: 100, failed: 0 });
    expect(summary.exitCode).toBe(2);
    // The session was tried 3 times before anything was sent: no `sent` line, no row line, nothing in doubt.
    const lines = readJournal(journal);
    expect(lines.filter((l) => l.kind === 'sent' || l.kind === 'row')).toEqual([]);
    expect(resumeState(lines).inDoubt.size).toBe(0);
  }, 60_000);

  it('a connection lost after the run started stays a failure of the rows it hits', async () => {
    const mock = await spawnMock(['--tcp-port', '0', '--user', `admin:${PASSWORD}`, '--latency', '20']);
    const tag = `sm${uniqueTag()}`;
    const csv = writeCsv(
      join(env.dir, `sm-${tag}.csv`),
      ['userId', 'lastName'],
      Array.from({ length: 100 }, (_, i) => [`${tag}-${i}@${DOMAIN}`, `L${i}`]),
    );
    let stopped: Promise<void> | undefined;
    const codes: string[] = [];
    const summary = await run({
      input: csv,
      request: 'UserModifyRequest22',
      apply: true,
      connection: { url: `tcp://127.0.0.1:${mock.ports.tcp}`, userId: 'admin', password: PASSWORD, maxReconnectAttempts: 1, backoffMs: 1 },
      sessions: 1,
      batchSize: 1,
      retries: 2,
      backoffMs: 1,
      journal: false,
      onEvent: (e) => {
        if (e.type !== 'row') return;
        codes.push(e.error?.code ?? e.outcome);
        stopped ??= mock.stop();
      },
    });
    await stopped;
    expect(summary.setupFailure).toBeUndefined();
    expect(summary.exitCode).toBe(1);
    expect(summary.counts.notRun).toBe(0);
    expect(summary.counts.failed).toBe(100);
    // The first row was answered (4008: no such user); rows after the mock went failed to connect, after their retries.
    expect(codes[0]).toBe('TH_ERR_OCI_ERROR_RESPONSE');
    expect(codes).toContain('TH_ERR_OCI_CONNECT');
  }, 60_000);
});
