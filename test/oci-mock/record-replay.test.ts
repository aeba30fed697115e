// Record and replay: a recording mock proxies to an upstream (another mock with the demo seed)
// through OciClient and writes a JSON Lines cassette with passwords redacted; with the upstream
// stopped, a replaying mock gives the same answers; strict replay refuses what it lacks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { OciClient } from '../../runtime/oci/client.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import { OciError } from '../../runtime/oci/oci-error.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { ThorsHammerError } from '../../runtime/errors.js';

let schema: OciSchema;
let dir: string;
const servers: OciMockServer[] = [];
const clients: OciClient[] = [];

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  dir = mkdtempSync(join(tmpdir(), 'hammer-cassette-'));
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  for (const server of servers) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mock(options: Parameters<typeof startOciMock>[0]): Promise<OciMockServer> {
  const server = await startOciMock({ tcpPort: 0, schema, ...options });
  servers.push(server);
  return server;
}

function client(server: OciMockServer): OciClient {
  const c = new OciClient({ url: server.url('tcp'), userId: 'admin', password: 'admin', schema });
  clients.push(c);
  return c;
}

/** The answers to a fixed script: data responses, successes and errors alike, in order. */
async function runScript(c: OciClient): Promise<unknown[]> {
  const script: OciCommand[] = [
    { $type: 'GroupGetRequest22V5', serviceProviderId: 'acme', groupId: 'acme-hq' },
    { $type: 'UserGetListInGroupRequest', serviceProviderId: 'acme', GroupId: 'acme-hq', responseSizeLimit: 5 },
    { $type: 'UserGetRequest23V2', userId: 'u0003@acme.example' },
    { $type: 'GroupHuntGroupGetInstanceListRequest', serviceProviderId: 'acme', groupId: 'acme-hq' },
    { $type: 'UserModifyRequest22', userId: 'u0003@acme.example', lastName: 'Renamed', newPassword: 'N3w-secret-pw' },
    { $type: 'UserGetRequest23V2', userId: 'u0003@acme.example' },
    { $type: 'UserGetRequest23V2', userId: 'nobody@acme.example' },
    { $type: 'GroupServiceGetAuthorizationListRequest', serviceProviderId: 'acme', groupId: 'acme-hq' },
  ];
  const results = await c.sendBatch(script);
  return results.map((r) =>
    r.ok ? r.response : r.error instanceof OciError ? { error: r.error.errorNumber, summary: r.error.summary } : { failed: r.error.message },
  );
}

test('record through a proxying mock, stop the upstream, replay: the same answers', async () => {
  const upstream = await mock({ seed: 'demo' });
  const cassette = join(dir, 'demo.jsonl');
  const recorder = await mock({ record: { file: cassette, upstream: { url: upstream.url('tcp'), userId: 'admin', password: 'admin' } } });
  const live = await runScript(client(recorder));
  expect(live[2]).toMatchObject({ userId: 'u0003@acme.example', lastName: 'Johnson' });
  expect(live[5]).toMatchObject({ lastName: 'Renamed' });
  expect(live[6]).toEqual({ error: 4008, summary: '[Error 4008] User not found: nobody@acme.example' });
  // The recording mock used no model of its own: the upstream did the work.
  expect(upstream.state.users.get('u0003@acme.example')?.fields.lastName).toBe('Renamed');
  expect(recorder.state.users.size).toBe(0);

  const lines = readFileSync(cassette, 'utf8').trim().split('\n');
  expect(lines).toHaveLength(8);
  expect(readFileSync(cassette, 'utf8')).not.toContain('N3w-secret-pw');
  expect(JSON.parse(lines[4] as string).request).toMatchObject({ $type: 'UserModifyRequest22', newPassword: '********' });
  expect(lines.join('\n')).not.toMatch(/LoginRequest|AuthenticationRequest/);

  await upstream.close();
  const replayer = await mock({ replay: cassette, strict: true });
  const replayed = await runScript(client(replayer));
  expect(replayed).toEqual(live);

  // Strict replay refuses a request the cassette lacks; without strict the model answers.
  const missing: OciCommand = { $type: 'UserGetRequest23V2', userId: 'u0004@acme.example' };
  const [refused] = await clients[clients.length - 1]!.sendBatch([missing]);
  expect(refused?.ok === false && refused.error instanceof OciError ? refused.error.errorNumber : undefined).toBe(4997);
  const lenient = await mock({ replay: cassette, seed: 'demo' });
  const [fromModel] = await client(lenient).sendBatch([missing]);
  expect(fromModel?.ok ? (fromModel.response as Record<string, unknown>).userId : undefined).toBe('u0004@acme.example');
}, 60_000);

test('a malformed cassette is a typed error naming the line', async () => {
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"request":{"$type":"UserGetRequest23V2"},"response":{"$type":"ErrorResponse"}}\nnot json\n');
  await expect(mock({ replay: bad })).rejects.toThrow(ThorsHammerError);
  await expect(mock({ replay: bad })).rejects.toMatchObject({ code: 'TH_ERR_OCI_MOCK_CASSETTE', message: expect.stringContaining('bad.jsonl:2') });
});
