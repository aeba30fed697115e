// `hammer bulk undo` end to end against the mock BroadWorks server in its own process: each CLI
// call is a fresh process with a fresh schema, as users run it, so an inverse request whose type
// was never loaded fails here. An Add run is undone by Deletes; a Delete run kept with --backup
// is undone by Adds built from the before-image, and the object comes back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyUndo, planUndo, runBulk } from '../../agents/bulk/index.js';
import { projectOntoType } from '../../runtime/oci/project.js';
import { uniqueTag } from '../oci-client/helpers.js';
import { DOMAIN, GROUP, PASSWORD, SP, USER_HEADER, hammerBulk, useBulkMock, userRow, writeCsv } from './helpers.js';

const env = useBulkMock();

/** `hammer bulk …` on the mock (the password from the environment, as a user keeps it out of argv). */
const hammer = (args: string[]) => hammerBulk([...args, '--url', env.url, '--user', 'admin'], { OCI_PASSWORD: PASSWORD }).done;

/** The users of the group (this request spells its key `GroupId`, as the XSD does). */
async function usersInGroup(): Promise<string[]> {
  const r = await env.client.send({ $type: 'UserGetListInGroupRequest', serviceProviderId: SP, GroupId: GROUP } as never);
  const table = (r as unknown as { userTable: { colHeading: string[]; row: { col: string[] }[] } }).userTable;
  const col = table.colHeading.indexOf('User Id');
  return table.row.map((row) => row.col[col] as string);
}

/** The response of a Get, or the error it was answered with. */
const read = (command: Record<string, unknown>) =>
  env.client.send(command as never).then(
    (r) => r as unknown as Record<string, unknown>,
    (error: Error) => error,
  );

describe('undo of an Add run', () => {
  it('UserAddRequest17sp4 (deprecated module) → UserDeleteRequest: the users are gone', async () => {
    const tag = `ua${uniqueTag()}`;
    const csv = writeCsv(join(env.dir, `adds-${tag}.csv`), USER_HEADER, [userRow(tag, 0), userRow(tag, 1)]);
    const applied = await hammer(['run', csv, '--request', 'UserAddRequest17sp4', '--apply', '--quiet']);
    expect(applied.code).toBe(0);
    expect((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`))).toHaveLength(2);

    const undone = await hammer(['undo', `${csv}.journal.jsonl`, '--apply']);
    expect(undone.stderr).toBe('');
    expect(undone.stdout).toMatch(/^3 +UserAddRequest17sp4 +\S+ +UserDeleteRequest$/m);
    expect(undone.stdout).toContain('undo: 2 ok, 0 failed');
    expect(undone.code).toBe(0);
    expect((await usersInGroup()).filter((u) => u.startsWith(`${tag}-`))).toEqual([]);
    expect(
      readFileSync(`${csv}.journal.jsonl.undo.jsonl`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { row: 3, command: { $type: 'UserDeleteRequest', userId: `${tag}-1@${DOMAIN}` } },
      { row: 2, command: { $type: 'UserDeleteRequest', userId: `${tag}-0@${DOMAIN}` } },
    ]);
  }, 90_000);

  it('GroupAddRequest → GroupDeleteRequest: the group is gone', async () => {
    const groupId = `ga${uniqueTag()}`;
    const csv = writeCsv(join(env.dir, `group-${groupId}.csv`), ['serviceProviderId', 'groupId', 'defaultDomain', 'userLimit'], [[SP, groupId, DOMAIN, '10']]);
    expect((await hammer(['run', csv, '--request', 'GroupAddRequest', '--apply', '--quiet'])).code).toBe(0);
    expect(await read({ $type: 'GroupGetRequest22V5', serviceProviderId: SP, groupId })).toMatchObject({ userLimit: 10 });

    const undone = await hammer(['undo', `${csv}.journal.jsonl`, '--apply']);
    expect(undone.stderr).toBe('');
    expect(undone.stdout).toMatch(/^2 +GroupAddRequest +\S+ +GroupDeleteRequest$/m);
    expect(undone.code).toBe(0);
    expect(await read({ $type: 'GroupGetRequest22V5', serviceProviderId: SP, groupId })).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE' });
  }, 90_000);
});

describe('undo of a Delete run kept with --backup', () => {
  it('user.delete → UserAddRequest22V2 from the before-image: the user comes back with what the Add carries', async () => {
    const tag = `ud${uniqueTag()}`;
    const userId = `${tag}@${DOMAIN}`;
    const deviceName = `${tag}-dev`;
    await env.client.send({
      $type: 'GroupAccessDeviceAddRequest22V2',
      serviceProviderId: SP,
      groupId: GROUP,
      deviceName,
      deviceType: 'Polycom VVX 400',
    } as never);
    await env.client.send({
      $type: 'UserAddRequest22V2',
      serviceProviderId: SP,
      groupId: GROUP,
      userId,
      lastName: 'Last',
      firstName: 'First',
      callingLineIdLastName: 'CLast',
      callingLineIdFirstName: 'CFirst',
      title: 'Boss',
      alias: [`sip:${tag}-a@${DOMAIN}`],
      address: { city: 'Paris', country: 'France' },
      accessDeviceEndpoint: {
        accessDevice: { deviceLevel: 'Group', deviceName },
        linePort: userId,
        contact: [{ sipContact: 'sip:c@192.0.2.1' }],
        useHotline: false,
      },
    } as never);
    const get = { $type: 'UserGetRequest23V2', userId };
    const original = await read(get);
    // The Get answers members the Add's types do not declare: the undo must leave them out.
    expect(original).toMatchObject({ accessDeviceEndpoint: { staticRegistrationCapable: false, linePort: userId } });

    const csv = writeCsv(join(env.dir, `del-${tag}.csv`), ['userId'], [[userId]]);
    const deleted = await hammer(['run', csv, '--request', 'user.delete', '--backup', '--apply', '--quiet']);
    expect(deleted.code).toBe(0);
    expect(await read(get)).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE' });

    const planned = await hammer(['undo', `${csv}.journal.jsonl`]);
    expect(planned.stdout).toMatch(/^2 +UserDeleteRequest +\S+ +UserAddRequest22V2$/m);
    expect(planned.code).toBe(0);
    const [line] = readFileSync(`${csv}.journal.jsonl.undo.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line?.dropped).toEqual(expect.arrayContaining(['accessDeviceEndpoint.staticRegistrationCapable', 'timeZoneDisplayName']));

    const undone = await hammer(['undo', `${csv}.journal.jsonl`, '--apply']);
    expect(undone.stdout).toContain('undo: 1 ok, 0 failed');
    expect(undone.code).toBe(0);
    const restored = await read(get);
    await env.schema.ensure('UserAddRequest22V2');
    const carried = (response: Record<string, unknown>) => projectOntoType(env.schema, 'UserAddRequest22V2', response).value;
    expect(carried(restored as Record<string, unknown>)).toEqual(carried(original as Record<string, unknown>));
    expect(restored).toMatchObject({
      title: 'Boss',
      alias: [`sip:${tag}-a@${DOMAIN}`],
      address: { city: 'Paris', country: 'France' },
      accessDeviceEndpoint: { accessDevice: { deviceName }, linePort: userId, contact: [{ sipContact: 'sip:c@192.0.2.1' }] },
    });
  }, 90_000);

  it('GroupDeleteRequest → GroupAddRequest (library, fresh schema): the group comes back', async () => {
    const groupId = `gd${uniqueTag()}`;
    await env.client.send({
      $type: 'GroupAddRequest',
      serviceProviderId: SP,
      groupId,
      defaultDomain: DOMAIN,
      userLimit: 25,
      groupName: 'Undo Group',
      callingLineIdName: 'UNDO',
      address: { city: 'Lyon' },
    } as never);
    const get = { $type: 'GroupGetRequest22V5', serviceProviderId: SP, groupId };
    const original = (await read(get)) as Record<string, unknown>;
    const journal = join(env.dir, `gdel-${groupId}.jsonl`);
    const summary = await runBulk({
      input: writeCsv(join(env.dir, `gdel-${groupId}.csv`), ['serviceProviderId', 'groupId'], [[SP, groupId]]),
      request: 'GroupDeleteRequest',
      apply: true,
      backup: true,
      journal,
      connection: { url: env.url, userId: 'admin', password: PASSWORD },
    });
    expect(summary.counts.ok).toBe(1);
    expect(await read(get)).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE' });

    const plan = await planUndo(journal);
    expect(plan.steps[0]?.inverse).toMatchObject({ ok: true, command: { $type: 'GroupAddRequest', groupName: 'Undo Group', userLimit: 25 } });
    const results = await applyUndo(plan, { url: env.url, userId: 'admin', password: PASSWORD });
    expect(results).toEqual([{ row: 2, request: 'GroupAddRequest', ok: true, error: undefined }]);
    const restored = (await read(get)) as Record<string, unknown>;
    await env.schema.ensure('GroupAddRequest');
    const carried = (response: Record<string, unknown>) => projectOntoType(env.schema, 'GroupAddRequest', response).value;
    expect(carried(restored)).toEqual(carried(original));
    expect(restored).toMatchObject({ groupName: 'Undo Group', callingLineIdName: 'UNDO', address: { city: 'Lyon' } });
  }, 90_000);
});
