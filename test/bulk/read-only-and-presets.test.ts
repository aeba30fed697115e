// The bulk engine against the mock BroadWorks server in its own process: read-only rows (Get
// requests) are sent without --apply while rows that change data stay a dry run, and the
// user.create preset (UserConsolidatedAddRequest, newest version) creates users a Get reads back.
import { join } from 'node:path';
import { type BulkEvent, type BulkRunOptions, isReadOnlyRequest, readJournal, runBulk } from '../../agents/bulk/index.js';
import { uniqueTag } from '../oci-client/helpers.js';
import { DOMAIN, GROUP, PASSWORD, SP, USER_HEADER, hammerBulk, useBulkMock, writeCsv } from './helpers.js';

const env = useBulkMock();

const connection = () => ({ url: env.url, userId: 'admin', password: PASSWORD });
const run = (options: Omit<BulkRunOptions, 'schema'>) => runBulk({ schema: env.schema, ...options });

async function addUser(userId: string, lastName: string): Promise<void> {
  await env.client.send({
    $type: 'UserAddRequest17sp4',
    serviceProviderId: SP,
    groupId: GROUP,
    userId,
    lastName,
    firstName: 'F',
    callingLineIdLastName: lastName,
    callingLineIdFirstName: 'F',
  } as never);
}

/** True when the mock knows the user (a UserGetRequest answers without an ErrorResponse). */
async function userExists(userId: string): Promise<boolean> {
  const [result] = await env.client.sendBatch([{ $type: env.schema.latest('UserGetRequest') as string, userId } as never]);
  return result?.ok === true;
}

describe('read-only requests', () => {
  it('tells Get requests from requests that change data, by the family name', async () => {
    const reads = ['UserGetRequest23V2', 'GroupGetListInServiceProviderRequest', 'UserServiceGetAssignmentListRequest', 'UserVideoAddOnGetRequest'];
    const changes = ['UserAddRequest17sp4', 'UserModifyRequest22', 'UserDeleteRequest', 'GroupAccessDeviceAddRequest22V2'];
    const known = [...reads, ...changes].filter((t) => env.schema.has(t));
    expect(known.length).toBeGreaterThanOrEqual(6);
    await env.schema.ensure(...known);
    for (const type of known) expect([type, isReadOnlyRequest(env.schema, type)]).toEqual([type, reads.includes(type)]);
  });

  it('sends Get rows without --apply; rows that change data stay a dry run', async () => {
    const tag = `r${uniqueTag()}`;
    await addUser(`${tag}-a@${DOMAIN}`, 'Alpha');
    await addUser(`${tag}-b@${DOMAIN}`, 'Beta');
    const header = ['request', 'serviceProviderId', 'groupId', 'userId', 'lastName', 'firstName', 'callingLineIdLastName', 'callingLineIdFirstName'];
    const csv = writeCsv(join(env.dir, `read-only-${tag}.csv`), header, [
      ['UserGetRequest@latest', undefined, undefined, `${tag}-a@${DOMAIN}`],
      ['UserAddRequest17sp4', SP, GROUP, `${tag}-new@${DOMAIN}`, 'New', 'N', 'New', 'N'],
      ['UserGetRequest@latest', undefined, undefined, `${tag}-b@${DOMAIN}`],
      ['UserGetRequest@latest', undefined, undefined, `${tag}-missing@${DOMAIN}`],
    ]);
    const events: Extract<BulkEvent, { type: 'row' }>[] = [];
    const summary = await run({
      input: csv,
      connection: connection(),
      onEvent: (e) => {
        if (e.type === 'row') events.push(e);
      },
    });
    expect(summary.mode).toBe('dry-run');
    expect(summary.counts).toMatchObject({ ok: 2, valid: 1, failed: 1, invalid: 0 });
    const byRow = new Map(events.map((e) => [e.row, e]));
    expect(byRow.get(2)).toMatchObject({ outcome: 'ok', response: { lastName: 'Alpha' } });
    expect(byRow.get(3)).toMatchObject({ outcome: 'valid', request: 'UserAddRequest17sp4' });
    expect(byRow.get(4)).toMatchObject({ outcome: 'ok', response: { lastName: 'Beta' } });
    expect(byRow.get(5)).toMatchObject({ outcome: 'failed', error: { code: 'TH_ERR_OCI_ERROR_RESPONSE' } });
    // The Add was not sent.
    expect(await userExists(`${tag}-new@${DOMAIN}`)).toBe(false);
    const lines = readJournal(summary.journal as string);
    expect(lines.filter((l) => l.kind === 'sent').flatMap((l) => (l.kind === 'sent' ? l.rows : []))).toEqual([2, 4, 5]);
    const add = lines.find((l) => l.kind === 'row' && l.row === 3);
    expect(add).toMatchObject({ outcome: 'valid' });
    expect(add && 'command' in add ? add.command : undefined).toBeUndefined();

    // Without a server, the same file is validated only.
    const offline = await run({ input: csv, journal: false });
    expect(offline.counts).toMatchObject({ ok: 0, valid: 4, failed: 0 });
  }, 60_000);

  it('the CLI sends Get rows when --url is given, without --apply', async () => {
    const tag = `q${uniqueTag()}`;
    await addUser(`${tag}-a@${DOMAIN}`, 'Alpha');
    const csv = writeCsv(join(env.dir, `cli-get-${tag}.csv`), ['userId'], [[`${tag}-a@${DOMAIN}`]]);
    const result = await hammerBulk(['run', csv, '--request', 'UserGetRequest@latest', '--url', env.url, '--user', 'admin', '--quiet'], {
      OCI_PASSWORD: PASSWORD,
    }).done;
    expect(result.stdout).toMatch(/dry run: 1 rows: 0 valid, 1 read-only ok, 0 invalid/);
    expect(result.code).toBe(0);
  }, 60_000);
});

describe('user.create preset', () => {
  it('adds users with UserConsolidatedAddRequest (newest), which UserGetRequest reads back', async () => {
    const tag = `p${uniqueTag()}`;
    // The user columns of the other bulk tests, with the preset's operation first and two more fields.
    const header = ['operation', ...USER_HEADER.filter((c) => c !== 'address.city'), 'title', 'emailAddress', 'address.city'];
    const row = (i: number) => [
      'user.create',
      SP,
      GROUP,
      `${tag}-${i}@${DOMAIN}`,
      `Last${i}`,
      `First${i}`,
      `Last${i}`,
      `First${i}`,
      `Pw-${i}-Secret`,
      'Engineer',
      `${tag}-${i}@mail.example`,
      'Lyon',
    ];
    const csv = writeCsv(join(env.dir, `user-create-${tag}.csv`), header, [row(0), row(1), row(2)]);
    const dry = await run({ input: csv, journal: false });
    expect(dry.counts).toMatchObject({ valid: 3, invalid: 0 });
    const summary = await run({ input: csv, apply: true, connection: connection() });
    expect(summary.counts).toMatchObject({ ok: 3, failed: 0, invalid: 0 });
    const sent = readJournal(summary.journal as string).filter((l) => l.kind === 'row');
    expect(sent.map((l) => (l.kind === 'row' ? l.request : undefined))).toEqual(Array(3).fill(env.schema.latest('UserConsolidatedAddRequest')));
    expect(JSON.stringify(sent)).not.toContain('-Secret');
    for (const i of [0, 1, 2]) {
      const user = (await env.client.send({ $type: env.schema.latest('UserGetRequest'), userId: `${tag}-${i}@${DOMAIN}` } as never)) as Record<string, unknown>;
      expect(user).toMatchObject({
        serviceProviderId: SP,
        groupId: GROUP,
        lastName: `Last${i}`,
        firstName: `First${i}`,
        title: 'Engineer',
        emailAddress: `${tag}-${i}@mail.example`,
        address: { city: 'Lyon' },
      });
    }
  }, 60_000);
});
