// Undo and --backup build requests of other types than a row's own (its Delete, Add or Get), often
// in other schema modules. On a fresh schema, where only what was asked for is loaded, every such
// type must be loaded before it is built: for every Add/Modify/Delete of each generated release,
// and for a whole undo plan read from a journal.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inverseRequestType, matchingGet, prepareRelatedTypes, requestKind } from '../../agents/bulk/inverse.js';
import { planUndo, writeUndoPlan } from '../../agents/bulk/undo.js';
import { encodeCommand } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { tempDir } from './helpers.js';

describe.each(OciSchema.releases())('%s: prepareRelatedTypes', (release) => {
  let all: OciSchema;
  beforeAll(async () => {
    all = await OciSchema.load(release, { eager: true });
  }, 60_000);

  it('loads the inverse request and the matching Get of every Add, Modify and Delete held in another module', async () => {
    const moduleOf = (type: string) => all.index.types[type];
    // Only these can fail: a related type in the row type's own module is loaded with it.
    const crossModule = all.requestTypes().filter((type) => {
      if (requestKind(all, type) === 'other') return false;
      return [inverseRequestType(all, type), matchingGet(all, type)].some((related) => related !== undefined && moduleOf(related) !== moduleOf(type));
    });
    expect(crossModule).toEqual(expect.arrayContaining(['UserAddRequest17sp4', 'GroupAddRequest', 'UserModifyRequest17sp4']));
    const notLoaded: string[] = [];
    for (const type of crossModule) {
      const fresh = await OciSchema.open(all.index);
      await prepareRelatedTypes(fresh, [type]);
      for (const related of [inverseRequestType(fresh, type), matchingGet(fresh, type)]) {
        if (related !== undefined && !fresh.isLoaded(related)) notLoaded.push(`${type} → ${related}`);
      }
      // The fresh schema finds the same related types as the fully loaded one.
      expect([inverseRequestType(fresh, type), matchingGet(fresh, type)]).toEqual([inverseRequestType(all, type), matchingGet(all, type)]);
    }
    expect(notLoaded).toEqual([]);
  }, 120_000);

  it('rejects an unknown request type with a typed error', async () => {
    const fresh = await OciSchema.open(all.index);
    await expect(prepareRelatedTypes(fresh, ['UserAddRequestNope'])).rejects.toMatchObject({ code: 'TH_ERR_OCI_UNKNOWN_TYPE' });
  });
});

describe('planUndo on a fresh schema', () => {
  const dir = tempDir();
  const journal = join(dir, 'mixed.jsonl');
  const userBefore = {
    $type: 'UserGetResponse23V2',
    echo: '',
    serviceProviderId: 'sp',
    groupId: 'g',
    userId: 'gone@example.com',
    lastName: 'L',
    firstName: 'F',
    callingLineIdLastName: 'L',
    callingLineIdFirstName: 'F',
    language: 'English',
    timeZone: 'Europe/Paris',
    timeZoneDisplayName: '(GMT+01:00) Europe/Paris',
    defaultAlias: 'gone@example.com',
    accessDeviceEndpoint: {
      accessDevice: { deviceLevel: 'Group', deviceName: 'dev1' },
      linePort: 'gone@example.com',
      staticRegistrationCapable: false,
      useDomain: true,
      supportVisualDeviceManagement: false,
      useHotline: false,
    },
    title: 'Boss',
    countryCode: '33',
    allowVideo: true,
  };
  const groupBefore = {
    $type: 'GroupGetResponse22V5',
    echo: '',
    defaultDomain: 'example.com',
    userLimit: 100,
    userCount: 0,
    timeZone: 'Europe/Paris',
    timeZoneDisplayName: '(GMT+01:00) Europe/Paris',
    serviceProviderId: 'sp',
    groupId: 'gone',
  };
  const rows: Record<string, unknown>[] = [
    { row: 2, command: { $type: 'UserAddRequest17sp4', serviceProviderId: 'sp', groupId: 'g', userId: 'new@example.com', lastName: 'L', firstName: 'F' } },
    { row: 3, command: { $type: 'GroupAddRequest', serviceProviderId: 'sp', groupId: 'new', defaultDomain: 'example.com', userLimit: 10 } },
    { row: 4, command: { $type: 'UserDeleteRequest', userId: 'gone@example.com' }, before: userBefore, beforeRequest: 'UserGetRequest23V2' },
    { row: 5, command: { $type: 'GroupDeleteRequest', serviceProviderId: 'sp', groupId: 'gone' }, before: groupBefore, beforeRequest: 'GroupGetRequest22V5' },
    {
      row: 6,
      command: { $type: 'UserModifyRequest17sp4', userId: 'kept@example.com', title: 'New', lastName: 'New' },
      before: { ...userBefore, userId: 'kept@example.com', title: 'Old' },
      beforeRequest: 'UserGetRequest23V2',
    },
    { row: 7, command: { $type: 'UserDeleteRequest', userId: 'nobackup@example.com' } },
  ];
  const header = {
    kind: 'header',
    version: 2,
    startedAt: '2026-01-01T00:00:00Z',
    input: { path: 'x.csv', sha256: '0', format: 'csv' },
    release: 'R25',
    mode: 'apply',
    options: {},
  };
  const writeJournal = (path: string, journalRows: readonly Record<string, unknown>[]) => {
    const lines = [header, ...journalRows.map((r) => ({ kind: 'row', hash: '0', outcome: 'ok', ...r }))];
    writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    return path;
  };
  beforeAll(() => writeJournal(journal, rows));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans each kind of row alone (its inverse in another module than the row: nothing else loaded it)', async () => {
    const planned: unknown[] = [];
    for (const row of rows) {
      const plan = await planUndo(writeJournal(join(dir, `row-${row.row}.jsonl`), [row]));
      const inverse = plan.steps[0]?.inverse;
      planned.push(inverse?.ok ? inverse.command.$type : inverse?.reason);
    }
    expect(planned).toEqual([
      'UserDeleteRequest',
      'GroupDeleteRequest',
      'UserAddRequest22V2',
      'GroupAddRequest',
      'UserModifyRequest17sp4',
      'no before-image in the journal (run with --backup)',
    ]);
  });

  it('loads every inverse type it builds; each inverse is a valid, encodable request', async () => {
    const schema = await OciSchema.load('R25');
    const plan = await planUndo(journal, { schema });
    expect(plan.steps.map((s) => [s.row, s.inverse.ok ? s.inverse.command.$type : s.inverse.reason])).toEqual([
      [7, 'no before-image in the journal (run with --backup)'],
      [6, 'UserModifyRequest17sp4'],
      [5, 'GroupAddRequest'],
      [4, 'UserAddRequest22V2'],
      [3, 'GroupDeleteRequest'],
      [2, 'UserDeleteRequest'],
    ]);
    for (const step of plan.steps) {
      if (!step.inverse.ok) continue;
      expect(schema.isLoaded(step.inverse.command.$type)).toBe(true);
      expect(encodeCommand(schema, step.inverse.command)).toContain(` xsi:type="${step.inverse.command.$type}">`);
    }
    const byRow = new Map(plan.steps.map((s) => [s.row, s.inverse]));
    // The Delete's Add: the before-image projected onto the Add's types; read-only members are left out and listed.
    expect(byRow.get(4)).toEqual({
      ok: true,
      command: {
        $type: 'UserAddRequest22V2',
        serviceProviderId: 'sp',
        groupId: 'g',
        userId: 'gone@example.com',
        lastName: 'L',
        firstName: 'F',
        callingLineIdLastName: 'L',
        callingLineIdFirstName: 'F',
        language: 'English',
        timeZone: 'Europe/Paris',
        accessDeviceEndpoint: { accessDevice: { deviceLevel: 'Group', deviceName: 'dev1' }, linePort: 'gone@example.com', useHotline: false },
        title: 'Boss',
      },
      dropped: [
        'timeZoneDisplayName',
        'defaultAlias',
        'accessDeviceEndpoint.staticRegistrationCapable',
        'accessDeviceEndpoint.useDomain',
        'accessDeviceEndpoint.supportVisualDeviceManagement',
        'countryCode',
        'allowVideo',
      ],
    });
    expect(byRow.get(5)).toMatchObject({ ok: true, dropped: ['userCount', 'timeZoneDisplayName'] });
    // The Modify goes back to the changed fields' stored values only.
    expect(byRow.get(6)).toEqual({ ok: true, command: { $type: 'UserModifyRequest17sp4', userId: 'kept@example.com', title: 'Old', lastName: 'L' } });

    const out = join(dir, 'plan.jsonl');
    writeUndoPlan(plan, out);
    const written = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written[0]).toEqual({ row: 7, request: 'UserDeleteRequest', reason: 'no before-image in the journal (run with --backup)' });
    expect(written[3]).toMatchObject({ row: 4, command: { $type: 'UserAddRequest22V2' }, dropped: expect.arrayContaining(['accessDeviceEndpoint.useDomain']) });
  });

  it('without a schema loads the journal’s release itself and plans the same', async () => {
    const plan = await planUndo(journal);
    expect(plan.release).toBe('R25');
    expect(plan.steps.filter((s) => s.inverse.ok)).toHaveLength(5);
  });

  it('a Modify goes back to nil only for what the Get answers; a field the Get does not have is never guessed', async () => {
    const { title: _, ...untitled } = userBefore;
    const path = writeJournal(join(dir, 'modify.jsonl'), [
      { row: 2, command: { $type: 'UserModifyRequest22', userId: 'gone@example.com', title: 'New' }, before: untitled },
      {
        row: 3,
        command: { $type: 'UserModifyRequest22', userId: 'gone@example.com', title: 'New', sipAliasList: { sipAlias: ['sip:x@example.com'] } },
        before: userBefore,
      },
    ]);
    const plan = await planUndo(path);
    expect(plan.steps.map((s) => s.inverse)).toEqual([
      { ok: false, reason: 'UserGetResponse23V2 has no sipAliasList: the value before the row cannot be known' },
      { ok: true, command: { $type: 'UserModifyRequest22', userId: 'gone@example.com', title: null } },
    ]);
  });

  it('a before-image that still lacks a required member says what', async () => {
    const partial = join(dir, 'partial.jsonl');
    const { defaultDomain: _, ...withoutDomain } = groupBefore;
    writeJournal(partial, [{ row: 2, command: { $type: 'GroupDeleteRequest', serviceProviderId: 'sp', groupId: 'gone' }, before: withoutDomain }]);
    const plan = await planUndo(partial);
    expect(plan.steps[0]?.inverse).toEqual({ ok: false, reason: 'the before-image does not give a valid GroupAddRequest: defaultDomain: required' });
  });
});
