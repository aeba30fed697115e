// Templates (field paths from the schema) and presets, against the real R25 metadata: every
// preset resolves, its defaults and aliases name real fields, and a template's header read
// back by the engine builds the request.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_PRESETS, RowMapper, aliasPath, bulkTemplate, loadPresets, readJournal, runBulk, templateCsv } from '../../agents/bulk/index.js';
import { newestGeneratedRelease } from '../../runtime/oci/client.js';
import { fieldPaths } from '../../runtime/oci/field-paths.js';
import { prepareRequestType } from '../../runtime/oci/request-builder.js';
import { OciSchema } from '../../runtime/oci/schema.js';

let schema: OciSchema;
const dir = mkdtempSync(join(tmpdir(), 'th-bulk-tpl-'));
beforeAll(async () => {
  schema = await OciSchema.load(newestGeneratedRelease());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('field paths', () => {
  it('lists required fields first, nests with dots, repeats with [n], marks choice branches', async () => {
    await schema.ensure('UserAddRequest17sp4');
    const fields = fieldPaths(schema, 'UserAddRequest17sp4');
    const paths = fields.map((f) => f.path);
    expect(paths.slice(0, 7)).toEqual(['serviceProviderId', 'groupId', 'userId', 'lastName', 'firstName', 'callingLineIdLastName', 'callingLineIdFirstName']);
    expect(paths).toContain('address.city');
    expect(paths).toContain('alias[0]');
    expect(paths).toContain('alias[1]');
    expect(paths).not.toContain('alias[2]'); // two repeats by default
    const device = fields.find((f) => f.path.startsWith('accessDeviceEndpoint.'));
    const trunk = fields.find((f) => f.path.startsWith('trunkAddressing.'));
    expect(device?.choice?.id).toBe(trunk?.choice?.id);
    expect(device?.choice?.branch).not.toBe(trunk?.choice?.branch);
    const all = fieldPaths(schema, 'UserAddRequest17sp4', { all: true }).map((f) => f.path);
    expect(all).toContain('alias[2]');
    expect(all.length).toBeGreaterThan(paths.length);
  });

  it('writes a template with a hints row that the reader skips, and the header builds the request', async () => {
    const t = await bulkTemplate(schema, 'UserAddRequest17sp4', { presets: loadPresets(), hints: true });
    expect(t.hints?.[0]).toMatch(/^#string 1\.\.30 \(required\)$/);
    expect(t.hints?.some((h) => h.startsWith('#enum '))).toBe(true);
    const values: Record<string, string> = {
      serviceProviderId: 'sp',
      groupId: 'g',
      userId: 'u@x.example',
      lastName: 'L',
      firstName: 'F',
      callingLineIdLastName: 'L',
      callingLineIdFirstName: 'F',
    };
    const file = join(dir, 'tpl.csv');
    writeFileSync(file, `${templateCsv(t)}${t.header.map((h) => values[h] ?? '').join(',')}\r\n`);
    const summary = await runBulk({ input: file, request: 'UserAddRequest17sp4', schema, journal: false });
    expect(summary.total).toBe(1);
    expect(summary.counts.valid).toBe(1);
  });
});

describe('presets', () => {
  it('every built-in preset resolves, and its defaults and aliases name fields of its request', async () => {
    const names = BUILT_IN_PRESETS.map((p) => p.name);
    for (const op of [
      'user.create',
      'user.modify',
      'device.group.create',
      'hunt.group.create',
      'call.center.create',
      'call.center.update.agent.list',
      'auto.attendant.create',
      'pickup.group.create',
      'group.admin.create',
      'group.admin.modify.policy',
      'service.provider.admin.create',
      'service.provider.admin.modify.policy',
    ]) {
      expect(names).toContain(op);
    }
    for (const preset of BUILT_IN_PRESETS) {
      const { type } = await prepareRequestType(schema, preset.request);
      const known = new Set(fieldPaths(schema, type, { all: true }).map((f) => f.path.replace(/\[\d+\]/g, '')));
      for (const path of Object.keys(preset.defaults ?? {})) expect(`${preset.name}: ${path} ${known.has(path)}`).toBe(`${preset.name}: ${path} true`);
      for (const path of Object.values(preset.aliases ?? {}).map((a) => a.replace('[]', '')))
        expect(`${preset.name}: ${path} ${known.has(path)}`).toBe(`${preset.name}: ${path} true`);
    }
    // user.create sends what mercury sends.
    expect((await prepareRequestType(schema, loadPresets().get('user.create')?.request as string)).type).toBe('UserConsolidatedAddRequest22');
  });

  it('aliases keep the index; user presets from a folder replace built-in ones; bad ones are typed errors', () => {
    expect(aliasPath('alias[1]', { alias: 'sipAliasList.sipAlias' })).toBe('sipAliasList.sipAlias[1]');
    expect(aliasPath('userId', { alias: 'x' })).toBe('userId');
    expect(aliasPath('servicePack[2]', { servicePack: 'servicePack[].servicePackName' })).toBe('servicePack[2].servicePackName');
    expect(aliasPath('servicePack[2].servicePackName', { servicePack: 'servicePack[].servicePackName' })).toBe('servicePack[2].servicePackName');
    const presets = join(dir, 'presets');
    mkdirSync(presets);
    writeFileSync(
      join(presets, 'mine.json'),
      JSON.stringify([
        { name: 'user.create', request: 'UserAddRequest17sp4', defaults: { password: 'x' } },
        { name: 'my.op', request: 'GroupGetRequest' },
      ]),
    );
    const loaded = loadPresets(presets);
    expect(loaded.get('user.create')?.request).toBe('UserAddRequest17sp4');
    expect(loaded.get('my.op')).toBeDefined();
    writeFileSync(join(presets, 'zbad.json'), '{"name":"x"}');
    expect(() => loadPresets(presets)).toThrow(expect.objectContaining({ code: 'TH_ERR_BULK_PRESET' }));
  });

  it('recognises a hints row only when every filled cell starts with #', () => {
    expect(
      RowMapper.isHintsRow([
        { text: '#string', quoted: false },
        { text: '', quoted: false },
      ]),
    ).toBe(true);
    expect(
      RowMapper.isHintsRow([
        { text: '#string', quoted: false },
        { text: 'u1', quoted: false },
      ]),
    ).toBe(false);
  });
});

describe('retries', () => {
  it('retries rows whose connection could not be made, then stops the run: nothing was sent, the rows are not run', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const file = join(dir, 'retry.csv');
    writeFileSync(file, 'serviceProviderId,groupId,userId,lastName,firstName,callingLineIdLastName,callingLineIdFirstName\nsp,g,u@x.example,L,F,L,F\n');
    const rows: { outcome: string; code?: string }[] = [];
    const summary = await runBulk({
      input: file,
      request: 'UserAddRequest17sp4',
      schema,
      apply: true,
      connection: { url: `tcp://127.0.0.1:${port}`, userId: 'admin', password: 'x', maxReconnectAttempts: 1, backoffMs: 1 },
      retries: 3,
      backoffMs: 1,
      journal: join(dir, 'retry.jsonl'),
      onEvent: (e) => {
        if (e.type === 'row') rows.push({ outcome: e.outcome, code: e.error?.code });
      },
    });
    expect(summary.counts).toMatchObject({ failed: 0, notRun: 1 });
    expect(summary.setupFailure).toMatchObject({ kind: 'connect', code: 'TH_ERR_OCI_CONNECT', attempts: 3 });
    // The reason is the run's (summary, setup-failed event), not repeated per row.
    expect(rows).toEqual([{ outcome: 'not-run', code: undefined }]);
    // Nothing was sent: the journal has no `sent` or row line.
    expect(readJournal(join(dir, 'retry.jsonl')).filter((l) => l.kind === 'sent' || l.kind === 'row')).toEqual([]);
  });
});
