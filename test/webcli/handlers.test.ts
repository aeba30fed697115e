import { startOciMock, type OciMockServer, startVboxMock, type VboxMock } from '../../runtime/mock/index.js';
import { splitCommand } from '../../web/core/command.js';
import { createEmitter } from '../../web/core/emitter.js';
import { HandlerRegistry } from '../../web/core/registry.js';
import { executeRun } from '../../web/core/run.js';
import { configHandler, helpHandler, notesHandler } from '../../web/core/handlers/system.js';
import { ociHandler, redactOciText, redactOciXml } from '../../web/core/handlers/oci.js';
import { vboxHandler } from '../../web/core/handlers/vbox.js';
import { DEFAULT_LIMITS, type Handler, MIME, type NewChunk, type TablePayload, silentLogger } from '../../web/core/types.js';
import { toCsv } from '../../web/core/csv.js';
import { MemorySink, runCommand, services } from './sink.js';

async function parseWith(handler: Handler, text: string) {
  const registry = new HandlerRegistry([handler]);
  return registry.dispatch(text);
}

describe('command text', () => {
  test('splits verb, shell-like arguments and body, with offsets', () => {
    const c = splitCommand(`%OCI% --profile lab UserGetRequest 'name=a b' "x=\\"q\\""\nline2\nline3`);
    expect(c.verb).toBe('oci');
    expect(c.args).toEqual(['--profile', 'lab', 'UserGetRequest', 'name=a b', 'x="q"']);
    expect(c.argOffsets[2]).toBe(20);
    expect(c.body).toBe('line2\nline3');
  });
  test.each([
    ['no verb', 'hello', /verb between percent signs/],
    ['unterminated quote', "%oci% 'abc", /unterminated single quote/],
    ['glued argument', '%oci%x', /blank after/],
  ])('%s is a syntax error with a position', (_name, text, message) => {
    expect(() => splitCommand(text)).toThrow(message);
    try {
      splitCommand(text);
    } catch (error) {
      expect((error as { position?: number }).position).toEqual(expect.any(Number));
    }
  });
  test('a duplicate verb is a startup error', () => {
    expect(() => new HandlerRegistry([notesHandler(), { ...helpHandler(), name: 'other', verbs: ['md'] }])).toThrow(/claimed by both/);
  });
  test('CSV quotes formula-looking cells and follows RFC 4180', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['=SUM(A1)', 'x,"y"'],
          ['-1', null],
        ],
      ),
    ).toBe('a,b\r\n\'=SUM(A1),"x,""y"""\r\n\'-1,\r\n');
  });
});

describe('notes, config, help', () => {
  test('parse: markdown, md, html need a body and take no arguments', async () => {
    expect((await parseWith(notesHandler(), '%md%\n# hi')).parsed.request).toEqual({ kind: 'markdown', body: '# hi' });
    expect((await parseWith(notesHandler(), '%html%\n<b>x</b>')).parsed.request).toEqual({ kind: 'html', body: '<b>x</b>' });
    await expect(parseWith(notesHandler(), '%markdown%')).rejects.toThrow(/needs a body/);
    await expect(parseWith(notesHandler(), '%html% x\ny')).rejects.toThrow(/takes no arguments/);
  });
  test('run: the body is stored as given (the page sanitises it)', async () => {
    const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const { outcome, sink } = await runCommand(notesHandler(), `%html%\n${payload}`);
    expect(outcome.status).toBe('succeeded');
    expect(sink.chunks).toEqual([expect.objectContaining({ mime: MIME.html, text: payload })]);
  });
  test('parse: config get|set|unset', async () => {
    expect((await parseWith(configHandler(), '%config% get oci')).parsed).toEqual({ request: { op: 'get', handler: 'oci' }, mutating: false });
    const set = await parseWith(configHandler(), '%config% set oci\nprofiles:\n  lab: {url: "tcp://127.0.0.1:2208", userId: a, password: s}');
    expect(set.parsed.request).toMatchObject({ op: 'set', handler: 'oci', config: { profiles: { lab: { password: 's' } } } });
    expect(set.handler.redact!(set.parsed.request)).toEqual({ op: 'set', handler: 'oci', config: '(not stored)' });
    const shown = set.handler.redactText!('%config% set oci\nprofiles:\n  lab: {url: "tcp://127.0.0.1:2208", userId: a, password: s3cr3t}');
    expect(shown).not.toContain('s3cr3t');
    expect(JSON.parse(shown.slice(shown.indexOf('\n') + 1))).toEqual({ profiles: { lab: { url: 'tcp://127.0.0.1:2208', userId: 'a', password: '********' } } });
    await expect(parseWith(configHandler(), '%config% set oci')).rejects.toThrow(/needs the configuration/);
    await expect(parseWith(configHandler(), '%config% frob oci')).rejects.toThrow(/usage/);
    await expect(parseWith(configHandler(), '%config% get')).rejects.toThrow(/needs a handler/);
    await expect(parseWith(configHandler(), '%config% set oci\n{ bad: [')).rejects.toThrow(/neither JSON nor YAML/);
  });
  test('help lists every handler with its availability', async () => {
    const help = helpHandler();
    const registry = new HandlerRegistry([
      help,
      notesHandler(),
      { ...notesHandler(), name: 'broken', verbs: ['broken'], start: () => Promise.reject(new Error('no licence')) },
    ]);
    await registry.start(services(registry));
    await expect(registry.dispatch('%broken%\nx')).rejects.toMatchObject({ code: 'TH_ERR_WEB_HANDLER_UNAVAILABLE' });
    const { parsed } = await registry.dispatch('%help%');
    const sink = new MemorySink();
    const emitter = createEmitter(sink, DEFAULT_LIMITS);
    await executeRun({
      handler: help,
      request: parsed.request,
      context: { actionId: 1, threadId: 1, user: { id: 1, email: 'a@b' }, config: {}, log: silentLogger },
      emitter,
      cancel: new AbortController().signal,
    });
    const table = JSON.parse(sink.chunks[0]!.text!) as TablePayload;
    expect(table.rows.map((r) => r[0])).toEqual(['help', 'notes', 'broken']);
    expect(table.rows[2]![3]).toMatch(/no: no licence/);
  });
});

describe('emitter', () => {
  test('emits are stored in call order and rejected after the end', async () => {
    const sink = new MemorySink();
    const e = createEmitter(sink, DEFAULT_LIMITS);
    await Promise.all(Array.from({ length: 50 }, (_, i) => e.emit.text(`t${i}`)));
    expect(sink.chunks.map((c) => c.text)).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    e.seal();
    await expect(e.emit.text('late')).rejects.toMatchObject({ code: 'TH_ERR_WEB_ACTION_ENDED' });
    expect(sink.chunks).toHaveLength(50);
  });
  test('emits made in one turn reach the sink together (appendMany), in call order; a failed batch rejects each of its emits', async () => {
    const sink = new MemorySink();
    const batches: string[][] = [];
    let failNext = false;
    const batching = {
      append: (chunk: NewChunk) => {
        batches.push([chunk.text!]);
        return sink.append(chunk);
      },
      appendMany: async (chunks: NewChunk[]) => {
        if (failNext) throw new Error('disk full');
        batches.push(chunks.map((c) => c.text!));
        return Promise.all(chunks.map((c) => sink.append(c)));
      },
    };
    const e = createEmitter(batching, DEFAULT_LIMITS);
    const refs = await Promise.all([e.emit.text('a'), e.emit.text('b'), e.emit.text('c')]);
    expect(refs.map((r) => r.chunkId)).toEqual([1, 2, 3]);
    await e.emit.text('d');
    await e.emit.text('e');
    expect(batches).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
    failNext = true;
    const failed = await Promise.allSettled([e.emit.text('x'), e.emit.text('y')]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(sink.chunks.map((c) => c.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  test('a table over the row cap is cut and written whole into a CSV artifact', async () => {
    const sink = new MemorySink();
    const e = createEmitter(sink, { ...DEFAULT_LIMITS, tableRowCap: 3 });
    await e.emit.table({ title: 'T', columns: ['a'], rows: [['1'], ['2'], ['3'], ['4'], ['5']] });
    const [csv, table] = sink.chunks;
    expect(csv!.artifact!.bytes.toString()).toBe('a\r\n1\r\n2\r\n3\r\n4\r\n5\r\n');
    expect(JSON.parse(table!.text!)).toMatchObject({ rows: [['1'], ['2'], ['3']], totalRows: 5, truncated: true, artifactId: 'artifact-1' });
  });
  test('a sink that names artifact ids gets the CSV and its table in one batch, the table linking that id; a failed batch stores neither', async () => {
    const batches: NewChunk[][] = [];
    let failNext = false;
    let ids = 0;
    const sink = {
      append: async (chunk: NewChunk) => {
        batches.push([chunk]);
        return { chunkId: batches.length, artifactId: chunk.artifact?.id ?? null };
      },
      appendMany: async (chunks: NewChunk[]) => {
        if (failNext) throw new Error('disk full');
        batches.push(chunks);
        return chunks.map((c, i) => ({ chunkId: 100 * batches.length + i, artifactId: c.artifact?.id ?? null }));
      },
      newArtifactId: () => `named-${++ids}`,
    };
    const e = createEmitter(sink, DEFAULT_LIMITS);
    const ref = await e.emit.table({ title: 'T', columns: ['a'], rows: [['1'], ['2']] }, { csv: 't.csv' });
    expect(batches).toHaveLength(1);
    const [csv, table] = batches[0]!;
    expect(csv!.artifact).toMatchObject({ id: 'named-1', fileName: 't.csv' });
    expect(csv!.artifact!.bytes.toString()).toBe('a\r\n1\r\n2\r\n');
    expect(JSON.parse(table!.text!)).toMatchObject({ rows: [['1'], ['2']], artifactId: 'named-1' });
    expect(ref.artifactId).toBeNull(); // the table chunk itself has no artifact
    failNext = true;
    await expect(e.emit.table({ title: 'U', columns: ['a'], rows: [['1']] }, { csv: 'u.csv' })).rejects.toThrow('disk full');
    expect(batches).toHaveLength(1);
  });
  test('progress is replaced in place and coalesced; the last update is kept', async () => {
    const sink = new MemorySink();
    const e = createEmitter(sink, DEFAULT_LIMITS);
    for (let i = 1; i <= 100; i++) void e.emit.progress({ key: 'k', done: i, total: 100, label: 'x' });
    await e.flush();
    const stored = sink.ofMime(MIME.progress);
    expect(stored.length).toBeLessThan(100);
    expect(stored.every((c) => c.replaceKey === 'progress:k')).toBe(true);
    expect(JSON.parse(stored.at(-1)!.text!).done).toBe(100);
  });
  test('a timeout fails the run with a timeout error chunk', async () => {
    const slow: Handler = {
      name: 's',
      verbs: ['slow'],
      synopsis: '',
      help: '',
      parse: () => ({ request: {}, mutating: false, timeoutMs: 20 }),
      run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    };
    const { outcome, sink } = await runCommand(slow, '%slow%');
    expect(outcome).toEqual({ status: 'failed', errorSummary: 'timed out after 20 ms' });
    expect(JSON.parse(sink.ofMime(MIME.error)[0]!.text!)).toMatchObject({ code: 'TH_ERR_WEB_TIMEOUT' });
  });
});

describe('%oci% against the mock OCI-P server', () => {
  let mock: OciMockServer;
  let oci: ReturnType<typeof ociHandler>;
  let config: object;
  beforeAll(async () => {
    mock = await startOciMock({ tcpPort: 0, seed: 'test/fixtures/mock/seed.json' });
    oci = ociHandler();
    await oci.start!(services(new HandlerRegistry()) as never, {});
    config = { defaultProfile: 'lab', profiles: { lab: { url: mock.url('tcp'), userId: 'admin', password: 'admin' } } };
  });
  afterAll(async () => {
    await oci.stop!();
    await mock.close();
  });

  test('parse: request names and fields are checked by the bindings', async () => {
    const ok = await parseWith(oci, '%oci% --profile lab UserGetRequest userId=alice@acme.example');
    expect(ok.parsed.mutating).toBe(false);
    expect(ok.parsed.request).toMatchObject({ op: 'send', profile: 'lab', command: { userId: 'alice@acme.example' } });
    expect((await parseWith(oci, '%oci% GroupDeleteRequest serviceProviderId=a groupId=b')).parsed.mutating).toBe(true);
    await expect(parseWith(oci, '%oci% UserGetRequst userId=x')).rejects.toThrow(/UserGetRequest/); // a suggestion
    await expect(parseWith(oci, '%oci% UserGetRequest usrId=x')).rejects.toMatchObject({ position: 21 });
    await expect(parseWith(oci, '%oci% UserGetRequest userId')).rejects.toThrow(/key=value/);
    await expect(parseWith(oci, '%oci% --bogus x UserGetRequest')).rejects.toThrow(/unknown option --bogus/);
    await expect(parseWith(oci, '%oci%')).rejects.toThrow(/usage/);
    // A YAML body: null is nil, command-line fields win.
    const body = await parseWith(oci, '%oci% UserModifyRequest22 userId=alice@acme.example\nuserId: other@acme.example\nlastName: Smith\ntitle: null');
    expect(body.parsed.request).toMatchObject({ command: { userId: 'alice@acme.example', lastName: 'Smith', title: null } });
    expect((await parseWith(oci, '%oci% profiles')).parsed.request).toEqual({ op: 'profiles' });
    expect((await parseWith(oci, '%oci% describe UserGetRequest')).parsed.request).toMatchObject({ op: 'describe' });
    await expect(parseWith(oci, '%oci% describe')).rejects.toThrow(/usage/);
  });

  test('a table response gives a table chunk, its CSV and the redacted XML; the login is reused', async () => {
    const before = oci.stats.logins;
    const { outcome, sink } = await runCommand(oci, '%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq', config);
    expect(outcome.status).toBe('succeeded');
    expect(sink.ofMime(MIME.xml)[0]!.text).toMatch(/UserGetListInGroupRequest/);
    const table = JSON.parse(sink.ofMime(MIME.table).at(-1)!.text!) as TablePayload;
    expect(table.columns.map((c) => c.label)).toContain('User Id');
    const userCol = table.columns.findIndex((c) => c.label === 'User Id');
    expect(table.rows.map((r) => r[userCol])).toEqual(expect.arrayContaining(['alice@acme.example', 'bob@acme.example']));
    const csv = sink.ofMime(MIME.csv)[0]!;
    expect(csv.artifact!.bytes.toString()).toMatch(/alice@acme\.example/);
    expect(table.artifactId).toBe(`artifact-${csv.id}`);
    const second = await runCommand(oci, '%oci% UserGetRequest userId=alice@acme.example', config);
    expect(second.outcome.status).toBe('succeeded');
    const fields = JSON.parse(second.sink.ofMime(MIME.table)[0]!.text!) as TablePayload;
    expect(fields.rows).toEqual(expect.arrayContaining([['lastName', 'Smith']]));
    expect(oci.stats.logins - before).toBeLessThanOrEqual(1);
    expect(oci.sessionsOpen()).toBe(1);
  });

  test('after a forced logout the next action logs in again', async () => {
    await runCommand(oci, '%oci% ping', config);
    const before = oci.stats.logins;
    expect(mock.pushLogout()).toBeGreaterThan(0);
    const { outcome } = await runCommand(oci, '%oci% UserGetRequest userId=alice@acme.example', config);
    expect(outcome).toEqual({ status: 'succeeded', errorSummary: null });
    expect(oci.stats.logins).toBe(before + 1);
  });

  test('an ErrorResponse fails the action with an error chunk carrying the OCI-P error number', async () => {
    const { outcome, sink } = await runCommand(oci, '%oci% UserGetRequest userId=nobody@acme.example', config);
    expect(outcome.status).toBe('failed');
    const error = JSON.parse(sink.ofMime(MIME.error)[0]!.text!);
    expect(error.code).toMatch(/^OCI-P \d+$/);
    expect(sink.ofMime(MIME.xml)[0]!.text).toMatch(/ErrorResponse/);
  });

  test('passwords never reach a chunk or the stored request', async () => {
    const text = '%oci% UserModifyRequest22 userId=alice@acme.example newPassword=Sup3r-S3cret';
    const { sink, parsed } = await runCommand(oci, text, config);
    for (const c of sink.chunks) expect(c.text ?? '').not.toContain('Sup3r-S3cret');
    expect(JSON.stringify(oci.redact!(parsed.request as never))).not.toContain('Sup3r-S3cret');
    expect(redactOciText(text)).toBe('%oci% UserModifyRequest22 userId=alice@acme.example newPassword=********');
    expect(redactOciText("%oci% X 'newPassword=a b' passcode:='\"1 2\"'\nuserId: a\npassword: hunter2")).toBe(
      '%oci% X newPassword=******** \'passcode:="********"\'\nuserId: a\npassword: ********',
    );
    expect(redactOciXml('<newPassword>abc</newPassword><userPassword a="1">x</userPassword>')).toBe(
      '<newPassword>********</newPassword><userPassword a="1">********</userPassword>',
    );
  });

  test('no profile, or an unknown one, is a clear error chunk', async () => {
    expect((await runCommand(oci, '%oci% ping', {})).outcome.errorSummary).toMatch(/no OCI-P profile configured/);
    expect((await runCommand(oci, '%oci% --profile prod ping', config)).outcome.errorSummary).toMatch(/no OCI-P profile named prod/);
  });
});

describe('%vbox% against the mock vBox', () => {
  let mock: VboxMock;
  let vbox: Handler;
  let config: object;
  beforeAll(async () => {
    mock = await startVboxMock({ port: 0 });
    vbox = vboxHandler();
    await vbox.start!(services(new HandlerRegistry()) as never, { requestBuffer: 0 });
    config = { boxes: { home: { host: '127.0.0.1', port: mock.port, username: 'admin', password: 'admin' } } };
  });
  afterAll(async () => {
    await vbox.stop!();
    await mock.close();
  });

  test('parse: every verb and its errors', async () => {
    expect((await parseWith(vbox, '%vbox% key 1/0 on')).parsed.request).toMatchObject({ op: 'key', target: { node: 1, key: 0 }, action: 'on' });
    expect((await parseWith(vbox, '%vbox% key 3/0 dim 40')).parsed.request).toMatchObject({ action: 'dim', level: 40 });
    expect((await parseWith(vbox, '%vbox% blind 2/0 up --box home')).parsed.request).toMatchObject({ op: 'blind', box: 'home', action: 'up' });
    expect((await parseWith(vbox, '%vbox% scenario Garden')).parsed.request).toMatchObject({ op: 'scenario', target: 'Garden' });
    expect((await parseWith(vbox, '%vbox% status')).parsed.mutating).toBe(false);
    expect((await parseWith(vbox, '%vbox% watch --for 2m --filter node=12')).parsed).toMatchObject({
      request: { forMs: 120_000, filterNode: 12 },
      timeoutMs: null,
    });
    await expect(parseWith(vbox, '%vbox% key 1 on')).rejects.toThrow(/<node>\/<key>/);
    await expect(parseWith(vbox, '%vbox% key 1/0 dim 140')).rejects.toThrow(/0 to 100/);
    await expect(parseWith(vbox, '%vbox% blind 2/0 50')).rejects.toThrow(/no position target/);
    await expect(parseWith(vbox, '%vbox% watch --for soon')).rejects.toThrow(/duration/);
    await expect(parseWith(vbox, '%vbox% status --for 1s')).rejects.toThrow(/belongs to %vbox% watch/);
    await expect(parseWith(vbox, '%vbox% fly')).rejects.toThrow(/unknown %vbox% command/);
  });

  test('key shows the acknowledgement and the state read back', async () => {
    const { outcome, sink } = await runCommand(vbox, '%vbox% key 1/0 on', config);
    expect(outcome.status).toBe('succeeded');
    expect(sink.chunks.map((c) => c.text)).toEqual(['1/0 ON: ACK', '1/0 is now ON']);
  });

  test('a negative acknowledgement fails with an error chunk naming the ack type', async () => {
    const { outcome, sink } = await runCommand(vbox, '%vbox% key 9/9 on', config);
    expect(outcome.status).toBe('failed');
    expect(JSON.parse(sink.ofMime(MIME.error)[0]!.text!).summary).toMatch(/NOT_AVAILABLE/);
  });

  test('a second configuration with other credentials for the connected box is refused', async () => {
    const other = { boxes: { home: { host: '127.0.0.1', port: mock.port, username: 'admin', password: 'other' } } };
    const { outcome, sink } = await runCommand(vbox, '%vbox% status', other, { userId: 2 });
    expect(outcome.status).toBe('failed');
    expect(JSON.parse(sink.ofMime(MIME.error)[0]!.text!).code).toBe('TH_ERR_WEB_VBOX_BOX_IN_USE');
  });

  test('watch updates one table in place when the box pushes, until cancelled', async () => {
    const sink = new MemorySink();
    const cancel = new AbortController();
    const running = runCommand(vbox, '%vbox% watch --for 5m', config, { sink, cancel: cancel.signal });
    await sink.waitFor((c) => c.replaceKey === 'table:watch');
    expect(mock.press(1, 2, 'ON')).toBeDefined();
    const updated = await sink.waitFor((c) => c.replaceKey === 'table:watch' && (JSON.parse(c.text!) as TablePayload).rows.length > 0);
    expect((JSON.parse(updated.text!) as TablePayload).rows[0]!.slice(0, 2)).toEqual(['1/2', 'ON']);
    cancel.abort();
    const { outcome } = await running;
    expect(outcome.status).toBe('cancelled');
    expect(sink.chunks.filter((c) => c.mime === MIME.table).every((c) => c.replaceKey === 'table:watch')).toBe(true);
  });
});
