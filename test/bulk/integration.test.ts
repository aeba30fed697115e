// The bulk engine end to end against the mock BroadWorks server running as a separate process
// (spawned through the CLI, as users run it): dry run, apply, mixed requests, mercury files,
// XLSX, max-errors, failed rows, backup and undo.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BulkRunOptions, planUndo, applyUndo, readJournal, runBulk, writeXlsxFile } from '../../agents/bulk/index.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { uniqueTag } from '../oci-client/helpers.js';
import { DOMAIN, GROUP, PASSWORD, SP, USER_HEADER, hammerBulk, useBulkMock, userRow, writeCsv } from './helpers.js';

const env = useBulkMock();

const connection = () => ({ url: env.url, userId: 'admin', password: PASSWORD });
const run = (options: Omit<BulkRunOptions, 'schema'>) => runBulk({ schema: env.schema, ...options });

async function usersInGroup(group = GROUP): Promise<string[]> {
  const r = await env.client.send({ $type: 'UserGetListInGroupRequest', serviceProviderId: SP, GroupId: group } as never);
  const table = (r as unknown as { userTable: { colHeading: string[]; row: { col: string[] }[] } }).userTable;
  const col = table.colHeading.indexOf('User Id');
  return table.row.map((row) => row.col[col] as string);
}

describe('2,000 users from one CSV', () => {
  const tag = `u${uniqueTag()}`;
  let csv: string;
  const planted = new Map<number, string>(); // spreadsheet row → the column at fault

  beforeAll(() => {
    const rows: (string | undefined)[][] = [];
    for (let i = 0; i < 2000; i++) rows.push(userRow(tag, i));
    const set = (i: number, column: string, value: string | undefined) => {
      (rows[i] as (string | undefined)[])[USER_HEADER.indexOf(column)] = value;
      planted.set(i + 2, column);
    };
    set(15, 'address.city', 'x'.repeat(81)); // spreadsheet row 17
    set(399, 'lastName', undefined); // required, left empty
    set(1200, 'firstName', 'y'.repeat(31));
    set(1998, 'callingLineIdFirstName', ''); // written as "": an empty string, shorter than 1
    csv = writeCsv(join(env.dir, `users-${tag}.csv`), USER_HEADER, rows);
  });

  it('dry run: reports every planted error with its row and column, sends nothing', async () => {
    const problems: string[] = [];
    const summary = await run({
      input: csv,
      request: 'UserAddRequest17sp4',
      onEvent: (e) => {
        if (e.type === 'row' && e.issues) for (const i of e.issues) problems.push(`row ${e.row}, column ${i.column}: ${i.message}`);
      },
    });
    expect(summary.mode).toBe('dry-run');
    expect(summary.total).toBe(2000);
    expect(summary.counts).toMatchObject({ valid: 1996, invalid: 4, ok: 0 });
    expect(summary.exitCode).toBe(1);
    for (const [row, column] of planted) expect(problems.some((p) => p.startsWith(`row ${row}, column ${column}:`))).toBe(true);
    expect(problems.find((p) => p.startsWith('row 17,'))).toMatch(/^row 17, column address\.city: longer than \d+/);
    expect(await usersInGroup()).not.toContain(`${tag}-0@${DOMAIN}`);
    // The journal has a header and one line per row, and never a password.
    const journal = readFileSync(summary.journal as string, 'utf8');
    expect(journal).not.toContain('secret');
    const lines = readJournal(summary.journal as string);
    expect(lines[0]).toMatchObject({ kind: 'header', mode: 'dry-run', release: env.schema.release });
    expect(lines.filter((l) => l.kind === 'row')).toHaveLength(2000);
  }, 120_000);

  it('apply: creates exactly the valid rows, which a list confirms', async () => {
    const summary = await run({ input: csv, request: 'UserAddRequest17sp4', apply: true, connection: connection(), sessions: 2 });
    expect(summary.counts).toMatchObject({ ok: 1996, invalid: 4, failed: 0 });
    const listed = new Set((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`)));
    expect(listed.size).toBe(1996);
    for (const row of planted.keys()) expect(listed.has(`${tag}-${row - 2}@${DOMAIN}`)).toBe(false);
    const journal = readFileSync(summary.journal as string, 'utf8');
    expect(journal).toContain(`"url":"${env.url}`);
    expect(journal).not.toMatch(/Pw-\d+-secret/);
    expect(journal).toContain('"password":"***"');
  }, 120_000);
});

describe('request per row', () => {
  it('runs a file that mixes requests, keeping rows of one group in order', async () => {
    const tag = `m${uniqueTag()}`;
    const header = [
      'request',
      'group',
      'serviceProviderId',
      'groupId',
      'deviceName',
      'deviceType',
      'userId',
      'lastName',
      'firstName',
      'callingLineIdLastName',
      'callingLineIdFirstName',
      'title',
    ];
    const device = (i: number) => [
      'GroupAccessDeviceAddRequest22V2',
      `g${i}`,
      SP,
      GROUP,
      `${tag}-dev${i}`,
      'Polycom VVX 400',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ];
    const user = (i: number) => ['UserAddRequest17sp4', `g${i}`, SP, GROUP, undefined, undefined, `${tag}-${i}@${DOMAIN}`, 'L', 'F', 'L', 'F', undefined];
    // The modify follows the add of the same user: the group keeps them in file order.
    const modify = (i: number) => [
      'UserModifyRequest22',
      `g${i}`,
      undefined,
      undefined,
      undefined,
      undefined,
      `${tag}-${i}@${DOMAIN}`,
      `Changed${i}`,
      undefined,
      undefined,
      undefined,
      'Engineer',
    ];
    const rows = [];
    for (let i = 0; i < 20; i++) rows.push(device(i), user(i), modify(i));
    const csv = writeCsv(join(env.dir, `mixed-${tag}.csv`), header, rows);
    const summary = await run({ input: csv, apply: true, connection: connection(), sessions: 3, batchSize: 4 });
    expect(summary.counts).toMatchObject({ ok: 60, failed: 0, invalid: 0 });
    const got = (await env.client.send({ $type: 'UserGetRequest23V2', userId: `${tag}-7@${DOMAIN}` } as never)) as Record<string, unknown>;
    expect(got).toMatchObject({ lastName: 'Changed7', title: 'Engineer' });
    const devices = await env.client.send({ $type: 'GroupAccessDeviceGetListRequest', serviceProviderId: SP, groupId: GROUP } as never);
    expect(JSON.stringify(devices)).toContain(`${tag}-dev19`);
  }, 60_000);

  it('runs a mercury-format file with its operation column and dot/bracket headers', async () => {
    const tag = `o${uniqueTag()}`;
    const header = [
      'operation',
      'serviceProviderId',
      'groupId',
      'deviceName',
      'deviceType',
      'accessDeviceCredentials.userName',
      'accessDeviceCredentials.password',
      'serviceUserId',
      'serviceInstanceProfile.name',
      'serviceInstanceProfile.callingLineIdLastName',
      'serviceInstanceProfile.callingLineIdFirstName',
      'agentUserId[0]',
      'agentUserId[1]',
    ];
    const rows = [
      [
        'device.group.create',
        SP,
        GROUP,
        `${tag}-a`,
        'Polycom VVX 400',
        'sipuser',
        'sip-Secret-9',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ],
      ['device.group.create', SP, GROUP, `${tag}-b`, 'Yealink T46S', undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
      [
        'hunt.group.create',
        SP,
        GROUP,
        undefined,
        undefined,
        undefined,
        undefined,
        `${tag}-hg@${DOMAIN}`,
        'Sales',
        'Sales',
        'Line',
        `${tag}-x@${DOMAIN}`,
        `${tag}-y@${DOMAIN}`,
      ],
    ];
    const csv = writeCsv(join(env.dir, `mercury-${tag}.csv`), header, rows);
    // The hunt group's agents must exist (the mock checks them, as a server does).
    for (const agent of ['x', 'y']) {
      await env.client.send({
        $type: 'UserAddRequest17sp4',
        serviceProviderId: SP,
        groupId: GROUP,
        userId: `${tag}-${agent}@${DOMAIN}`,
        lastName: 'Agent',
        firstName: agent,
        callingLineIdLastName: 'Agent',
        callingLineIdFirstName: agent,
      } as never);
    }
    const summary = await run({ input: csv, apply: true, connection: connection() });
    expect(summary.counts).toMatchObject({ ok: 3, failed: 0, invalid: 0 });
    const journal = readJournal(summary.journal as string).filter((l) => l.kind === 'row');
    expect(journal.map((l) => (l.kind === 'row' ? l.request : ''))).toEqual([
      env.schema.latest('GroupAccessDeviceAddRequest'),
      env.schema.latest('GroupAccessDeviceAddRequest'),
      env.schema.latest('GroupHuntGroupAddInstanceRequest'),
    ]);
    // The preset's defaults filled what the file left out.
    const hg = journal[2];
    expect(hg?.kind === 'row' && hg.command).toMatchObject({
      policy: 'Regular',
      noAnswerNumberOfRings: 5,
      agentUserId: [`${tag}-x@${DOMAIN}`, `${tag}-y@${DOMAIN}`],
    });
    expect(JSON.stringify(journal)).not.toContain('sip-Secret-9');
    const devices = JSON.stringify(await env.client.send({ $type: 'GroupAccessDeviceGetListRequest', serviceProviderId: SP, groupId: GROUP } as never));
    expect(devices).toContain(`${tag}-a`);
    expect(devices).toContain(`${tag}-b`);
  }, 60_000);

  it('reads XLSX input (typed cells back to text, the schema types them)', async () => {
    const tag = `x${uniqueTag()}`;
    const path = join(env.dir, `users-${tag}.xlsx`);
    await writeXlsxFile(path, [USER_HEADER, ...Array.from({ length: 5 }, (_, i) => userRow(tag, i))]);
    const summary = await run({ input: path, request: 'UserAddRequest17sp4', apply: true, connection: connection() });
    expect(summary.counts).toMatchObject({ ok: 5, invalid: 0, failed: 0 });
    expect((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`))).toHaveLength(5);
  }, 60_000);
});

describe('preflight', () => {
  it("checks each row's targets against the server, counting what earlier rows add", async () => {
    const tag = `p${uniqueTag()}`;
    await run({
      input: writeCsv(join(env.dir, `pre-seed-${tag}.csv`), USER_HEADER, [userRow(tag, 0)]),
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      journal: false,
    });
    const header = [
      'request',
      'serviceProviderId',
      'groupId',
      'defaultDomain',
      'userLimit',
      'userId',
      'lastName',
      'firstName',
      'callingLineIdLastName',
      'callingLineIdFirstName',
    ];
    const user = (id: string, group: string) => ['UserAddRequest17sp4', SP, group, undefined, undefined, `${tag}-${id}@${DOMAIN}`, 'L', 'F', 'L', 'F'];
    const rows = [
      user('0', GROUP), // already exists
      user('1', `${tag}-nogroup`), // no such group
      ['GroupAddRequest', SP, `${tag}-new`, DOMAIN, '10', undefined, undefined, undefined, undefined, undefined],
      user('2', `${tag}-new`), // its group is added by the row above
      ['UserModifyRequest22', undefined, undefined, undefined, undefined, `${tag}-ghost@${DOMAIN}`, 'X', undefined, undefined, undefined],
    ];
    const plan = new Map<number, string>();
    const problems: string[] = [];
    const summary = await run({
      input: writeCsv(join(env.dir, `pre-${tag}.csv`), header, rows),
      preflight: true,
      connection: connection(),
      onEvent: (e) => {
        if (e.type !== 'row') return;
        if (e.plan) plan.set(e.row, `${e.plan.action} ${e.plan.target}`);
        for (const i of e.issues ?? []) problems.push(`row ${e.row}: ${i.message}`);
      },
    });
    expect(summary.counts).toMatchObject({ valid: 2, invalid: 3 });
    expect(problems).toEqual([
      `row 2: user ${tag}-0@${DOMAIN} already exists`,
      `row 3: group ${SP}:${tag}-nogroup not found`,
      `row 6: user ${tag}-ghost@${DOMAIN} not found`,
    ]);
    expect(plan.get(4)).toBe(`add group group ${SP}:${tag}-new`);
    expect(plan.get(5)).toBe(`add user user ${tag}-2@${DOMAIN}`);
    // Read-only: nothing was created.
    expect(await usersInGroup(`${tag}-new`).catch(() => 'no group')).toBe('no group');
  }, 60_000);
});

describe('errors', () => {
  it('--max-errors stops sending new rows; the rest are reported as not run', async () => {
    const tag = `e${uniqueTag()}`;
    const rows = [];
    for (let i = 0; i < 60; i++) rows.push(userRow(tag, i, i < 6 ? 'no-such-group' : GROUP));
    const csv = writeCsv(join(env.dir, `maxerr-${tag}.csv`), USER_HEADER, rows);
    const summary = await run({ input: csv, request: 'UserAddRequest17sp4', apply: true, connection: connection(), sessions: 1, batchSize: 1, maxErrors: 3 });
    expect(summary.stoppedByMaxErrors).toBe(true);
    expect(summary.counts.failed).toBeGreaterThanOrEqual(3);
    expect(summary.counts.notRun).toBeGreaterThan(0);
    expect(summary.counts.ok + summary.counts.failed + summary.counts.notRun).toBe(60);
    expect(summary.exitCode).toBe(1);
    expect((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`))).toHaveLength(summary.counts.ok);
  }, 60_000);

  it('the failed-rows CSV runs cleanly once fixed', async () => {
    const tag = `f${uniqueTag()}`;
    const rows = [];
    for (let i = 0; i < 30; i++) rows.push(userRow(tag, i, i % 10 === 3 ? 'no-such-group' : GROUP));
    (rows[5] as string[])[3] = 'z'.repeat(40); // lastName too long: invalid offline
    const csv = writeCsv(join(env.dir, `failed-${tag}.csv`), USER_HEADER, rows);
    const failedOut = join(env.dir, `failed-${tag}.out.csv`);
    const first = await run({ input: csv, request: 'UserAddRequest17sp4', apply: true, connection: connection(), failedOut });
    expect(first.counts).toMatchObject({ ok: 26, failed: 3, invalid: 1 });
    const text = readFileSync(failedOut, 'utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toBe(`${USER_HEADER.join(',')},error`);
    expect(lines).toHaveLength(5);
    expect(text).toMatch(/Group not found/);
    expect(text).toMatch(/lastName/);
    // Fix: the right group, a shorter name; the error column is ignored on input.
    writeFileSync(failedOut, text.replaceAll('no-such-group', GROUP).replace('z'.repeat(40), 'Fixed'));
    const second = await run({ input: failedOut, request: 'UserAddRequest17sp4', apply: true, connection: connection() });
    expect(second.counts).toMatchObject({ ok: 4, failed: 0, invalid: 0 });
    expect(second.exitCode).toBe(0);
    expect((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`))).toHaveLength(30);
  }, 60_000);

  it('the CLI exits 1 on row errors and 2 on usage errors', async () => {
    const tag = `c${uniqueTag()}`;
    const csv = writeCsv(join(env.dir, `cli-${tag}.csv`), USER_HEADER, [userRow(tag, 0), [SP, GROUP, `${tag}-1@${DOMAIN}`, 'x'.repeat(31)]]);
    const bad = await hammerBulk(['run', csv, '--request', 'UserAddRequest17sp4', '--quiet']).done;
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/row 3, column lastName: /);
    expect(bad.stdout).toMatch(/dry run: 2 rows: 1 valid, 1 invalid/);
    const usage = await hammerBulk(['run', csv, '--quiet']).done;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/TH_ERR_BULK_OPTIONS: name the request/);
    const missing = await hammerBulk(['run', join(env.dir, 'nope.csv'), '--request', 'UserAddRequest17sp4']).done;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/TH_ERR_BULK_INPUT: .*nope\.csv: no such file/);
    expect(existsSync(join(env.dir, 'nope.csv.journal.jsonl'))).toBe(false);
  }, 90_000);
});

describe('backup and undo', () => {
  it('undo of a Modify run restores the previous values', async () => {
    const tag = `b${uniqueTag()}`;
    const adds = Array.from({ length: 4 }, (_, i) => userRow(tag, i));
    await run({
      input: writeCsv(join(env.dir, `undo-add-${tag}.csv`), USER_HEADER, adds),
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      journal: false,
    });
    await env.client.send({ $type: 'UserModifyRequest22', userId: `${tag}-0@${DOMAIN}`, title: 'Before' } as never);
    const header = ['userId', 'lastName', 'title'];
    const mods = Array.from({ length: 4 }, (_, i) => [`${tag}-${i}@${DOMAIN}`, `New${i}`, 'After']);
    const journal = join(env.dir, `undo-${tag}.jsonl`);
    const applied = await run({
      input: writeCsv(join(env.dir, `undo-mod-${tag}.csv`), header, mods),
      request: 'UserModifyRequest',
      apply: true,
      backup: true,
      journal,
      connection: connection(),
    });
    expect(applied.counts.ok).toBe(4);
    expect(await env.client.send({ $type: 'UserGetRequest23V2', userId: `${tag}-0@${DOMAIN}` } as never)).toMatchObject({ lastName: 'New0', title: 'After' });
    const plan = await planUndo(journal, { schema: env.schema });
    expect(plan.steps.map((s) => s.row)).toEqual([5, 4, 3, 2]);
    expect(plan.steps.every((s) => s.inverse.ok)).toBe(true);
    const results = await applyUndo(plan, connection(), env.schema);
    expect(results.every((r) => r.ok)).toBe(true);
    const zero = (await env.client.send({ $type: 'UserGetRequest23V2', userId: `${tag}-0@${DOMAIN}` } as never)) as Record<string, unknown>;
    expect(zero).toMatchObject({ lastName: 'Last0', title: 'Before' });
    const one = (await env.client.send({ $type: 'UserGetRequest23V2', userId: `${tag}-1@${DOMAIN}` } as never)) as Record<string, unknown>;
    expect(one.lastName).toBe('Last1');
    expect(one.title).toBeUndefined(); // it had none: the undo cleared it
  }, 90_000);

  it('--backup reads the before-image with a Get from another schema module (a fresh schema)', async () => {
    const tag = `m${uniqueTag()}`;
    await run({
      input: writeCsv(join(env.dir, `backup-add-${tag}.csv`), USER_HEADER, [userRow(tag, 0), userRow(tag, 1)]),
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      journal: false,
    });
    // UserModifyRequest17sp4 is in the deprecated module; its Get, UserGetRequest23V2, is not.
    const fresh = await OciSchema.open(env.schema.index);
    const journal = join(env.dir, `backup-${tag}.jsonl`);
    const applied = await runBulk({
      schema: fresh,
      input: writeCsv(
        join(env.dir, `backup-mod-${tag}.csv`),
        ['userId', 'lastName'],
        [
          [`${tag}-0@${DOMAIN}`, 'Changed0'],
          [`${tag}-1@${DOMAIN}`, 'Changed1'],
        ],
      ),
      request: 'UserModifyRequest17sp4',
      apply: true,
      backup: true,
      journal,
      connection: connection(),
    });
    expect(applied.counts).toMatchObject({ ok: 2, failed: 0 });
    const rows = readJournal(journal).filter((l) => l.kind === 'row');
    expect(rows.map((l) => (l.kind === 'row' ? [l.beforeRequest, l.before?.lastName] : []))).toEqual([
      ['UserGetRequest23V2', 'Last0'],
      ['UserGetRequest23V2', 'Last1'],
    ]);
  }, 60_000);

  it('undo of an Add run plans Deletes', async () => {
    const tag = `d${uniqueTag()}`;
    const journal = join(env.dir, `undo-adds-${tag}.jsonl`);
    await run({
      input: writeCsv(join(env.dir, `adds-${tag}.csv`), USER_HEADER, [userRow(tag, 0), userRow(tag, 1)]),
      request: 'UserAddRequest17sp4',
      apply: true,
      connection: connection(),
      journal,
    });
    const plan = await planUndo(journal, { schema: env.schema });
    expect(plan.steps.map((s) => (s.inverse.ok ? s.inverse.command : s.inverse.reason))).toEqual([
      { $type: 'UserDeleteRequest', userId: `${tag}-1@${DOMAIN}` },
      { $type: 'UserDeleteRequest', userId: `${tag}-0@${DOMAIN}` },
    ]);
    await applyUndo(plan, connection(), env.schema);
    expect((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`))).toHaveLength(0);
  }, 60_000);
});
