// Resume after `hammer bulk run --apply` is killed mid-run: no row is ever sent twice. The bulk
// run is the separate process here (it is the one killed); the mock runs in this process so its
// counters can be read.
import { existsSync, readFileSync, rmSync, watch } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJournal, resumeState, runBulk } from '../../agents/bulk/index.js';
import { OciClient } from '../../runtime/oci/client.js';
import { type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import { uniqueTag } from '../oci-client/helpers.js';
import { DOMAIN, GROUP, PASSWORD, SP, USER_HEADER, hammerBulk, tempDir, userRow, writeCsv, writeSeed } from './helpers.js';

let server: OciMockServer;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  server = await startOciMock({ tcpPort: 0, users: [{ userId: 'admin', password: PASSWORD, loginType: 'System' }], seed: writeSeed(dir) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once the journal holds at least `rows` outcome lines (checked on each change of the folder). */
function journalRows(path: string, rows: number, exited: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (existsSync(path) && (readFileSync(path, 'utf8').match(/"kind":"row"/g)?.length ?? 0) >= rows) {
        watcher.close();
        resolve();
      }
    };
    const watcher = watch(dirname(path), check);
    void exited.then(() => {
      watcher.close();
      reject(new Error('the bulk run ended before it could be killed'));
    });
    check();
  });
}

it('a killed run resumes without sending any row twice', async () => {
  const tag = `k${uniqueTag()}`;
  const total = 400;
  const csv = writeCsv(
    join(dir, `kill-${tag}.csv`),
    USER_HEADER,
    Array.from({ length: total }, (_, i) => userRow(tag, i)),
  );
  const journal = join(dir, `kill-${tag}.jsonl`);
  server.faults.latencyMs = 15; // slow enough to be caught mid-run
  const before = server.stats.byType.get('UserAddRequest17sp4') ?? 0;
  const url = server.url('tcp');
  const first = hammerBulk(
    ['run', csv, '--request', 'UserAddRequest17sp4', '--apply', '--url', url, '--user', 'admin', '--journal', journal, '--sessions', '2', '--quiet'],
    { OCI_PASSWORD: PASSWORD },
  );
  await journalRows(journal, 45, first.done);
  first.child.kill('SIGKILL');
  const killed = await first.done;
  expect(killed.signal).toBe('SIGKILL');
  server.faults.latencyMs = 0;

  const state = resumeState(readJournal(journal));
  expect(state.done.size).toBeGreaterThanOrEqual(45);
  expect(state.done.size).toBeLessThan(total);

  const resumed = await runBulk({
    input: csv,
    request: 'UserAddRequest17sp4',
    apply: true,
    resume: journal,
    connection: { url, userId: 'admin', password: PASSWORD },
  });
  expect(resumed.counts.skipped).toBe(state.done.size);
  expect(resumed.counts.inDoubt).toBe(state.inDoubt.size);
  expect(resumed.counts.failed).toBe(0);
  expect(resumed.counts.skipped + resumed.counts.ok + resumed.counts.inDoubt).toBe(total);

  // The mock's counters: each row went out at most once. Rows in doubt were sent by the killed
  // run (or were still queued in it); every other row was received exactly once.
  const received = (server.stats.byType.get('UserAddRequest17sp4') ?? 0) - before;
  expect(received).toBeLessThanOrEqual(total);
  expect(received).toBeGreaterThanOrEqual(total - state.inDoubt.size);
  expect(resumed.counts.ok).toBe(total - state.done.size - state.inDoubt.size);
  const client = new OciClient({ url, userId: 'admin', password: PASSWORD });
  const list = (await client.send({ $type: 'UserGetListInGroupRequest', serviceProviderId: SP, GroupId: GROUP } as never)) as unknown as {
    userTable: { colHeading: string[]; row: { col: string[] }[] };
  };
  await client.close();
  const col = list.userTable.colHeading.indexOf('User Id');
  const created = new Set(list.userTable.row.map((r) => r.col[col] as string).filter((u) => u.startsWith(`${tag}-`)));
  for (let i = 0; i < total; i++) if (!state.inDoubt.has(i + 2)) expect(created.has(`${tag}-${i}@${DOMAIN}`)).toBe(true);
  // A second resume has nothing left to send.
  const again = await runBulk({
    input: csv,
    request: 'UserAddRequest17sp4',
    apply: true,
    resume: journal,
    connection: { url, userId: 'admin', password: PASSWORD },
  });
  expect(again.counts.ok).toBe(0);
  expect((server.stats.byType.get('UserAddRequest17sp4') ?? 0) - before).toBe(received);
}, 120_000);

it('an abort finishes the documents in flight, writes the journal and reports; a resume sends the rest', async () => {
  const tag = `a${uniqueTag()}`;
  const total = 300;
  const csv = writeCsv(
    join(dir, `abort-${tag}.csv`),
    USER_HEADER,
    Array.from({ length: total }, (_, i) => userRow(tag, i)),
  );
  const journal = join(dir, `abort-${tag}.jsonl`);
  const connection = { url: server.url('tcp'), userId: 'admin', password: PASSWORD };
  server.faults.latencyMs = 10;
  const controller = new AbortController();
  const summary = await runBulk({
    input: csv,
    request: 'UserAddRequest17sp4',
    apply: true,
    connection,
    journal,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'row' && e.outcome === 'ok') controller.abort();
    },
  });
  server.faults.latencyMs = 0;
  expect(summary.aborted).toBe(true);
  expect(summary.counts.ok).toBeGreaterThan(0);
  expect(summary.counts.failed + summary.counts.inDoubt).toBe(0); // what was sent got its answer
  expect(summary.counts.notRun).toBe(total - summary.counts.ok);
  expect(summary.exitCode).toBe(1);
  const lines = readJournal(journal);
  expect(lines.at(-1)).toMatchObject({ kind: 'summary', aborted: true });
  expect(resumeState(lines).inDoubt.size).toBe(0);
  const resumed = await runBulk({ input: csv, request: 'UserAddRequest17sp4', apply: true, connection, resume: journal });
  expect(resumed.counts).toMatchObject({ skipped: summary.counts.ok, ok: total - summary.counts.ok, failed: 0 });
}, 60_000);
