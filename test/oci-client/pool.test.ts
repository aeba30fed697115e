// OciSessionPool against the in-process mock: bounded concurrency over several logged-in
// sessions, FIFO hand-out, batches spread over sessions with results in order, clean close.
import { loadMockSchema, type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import fc from 'fast-check';
import { OciClient } from '../../runtime/oci/client.js';
import { OciSessionPool } from '../../runtime/oci/client/pool.js';
import type { OciSchema } from '../../runtime/oci/schema.js';

let mock: OciMockServer;
let schema: OciSchema;
const pools: OciSessionPool[] = [];

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  mock = await startOciMock({ release: 'R25', schema, tcpPort: 0, soapPort: 0, users: [{ userId: 'admin', password: 'pool-pw' }] });
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await mock?.close();
});

afterEach(() => {
  mock.faults.latencyMs = 0;
});

function pool(size: number, kind: 'tcp' | 'soap' = 'tcp'): OciSessionPool {
  const p = new OciSessionPool({ size, url: mock.url(kind), userId: 'admin', password: 'pool-pw', schema });
  pools.push(p);
  return p;
}

test('runs commands concurrently over at most `size` sessions, each logged in on its own connection', async () => {
  const p = pool(4);
  await p.connect();
  expect(p.sessions).toBe(4);
  expect(p.stats.logins).toBe(4);
  mock.faults.latencyMs = 200;
  const started = Date.now();
  const responses = await Promise.all(Array.from({ length: 8 }, () => p.send({ $type: 'SystemSoftwareVersionGetRequest' })));
  const elapsed = Date.now() - started;
  expect(responses.every((r) => r.$type === 'SystemSoftwareVersionGetResponse')).toBe(true);
  // 8 commands × 200 ms over 4 sessions ≈ 400 ms; one session would need ≥ 1,600 ms.
  expect(elapsed).toBeGreaterThanOrEqual(390);
  expect(elapsed).toBeLessThan(1_200);
  expect(p.sessions).toBe(4);
});

test('hands work out in arrival order (FIFO) and never opens more than `size` sessions', async () => {
  const p = pool(2);
  mock.faults.latencyMs = 20;
  const order: number[] = [];
  const jobs = Array.from({ length: 10 }, (_, i) =>
    p.use(async (client) => {
      order.push(i);
      await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
    }),
  );
  expect(p.pending).toBe(8);
  await Promise.all(jobs);
  expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(p.sessions).toBe(2);
  expect(p.stats.logins).toBe(2);
});

test('sendBatch spreads documents of 15 over the sessions and returns per-position results in order', async () => {
  const p = pool(3, 'soap');
  const requests = Array.from({ length: 100 }, (_, i) =>
    i % 10 === 5 ? { $type: 'UserGetRequest23V2', userId: `missing${i}@example.com` } : { $type: 'SystemSoftwareVersionGetRequest' },
  );
  const results = await p.sendBatch(requests);
  expect(results).toHaveLength(100);
  results.forEach((r, i) => {
    if (i % 10 === 5) expect(r).toMatchObject({ ok: false, error: { errorNumber: 4008, message: expect.stringContaining(`missing${i}@`) } });
    else expect(r).toMatchObject({ ok: true, response: { $type: 'SystemSoftwareVersionGetResponse' } });
  });
  expect(p.stats.documents - p.stats.logins * 2).toBe(7); // ceil(100 / 15) command documents (+ 2 login documents per session)
  expect(p.sessions).toBe(3);
});

test('close rejects waiting work with CLIENT_CLOSED, lets running work finish, and logs every session out', async () => {
  const p = pool(1);
  await p.connect();
  const logoutsBefore = mock.stats.byType.get('LogoutRequest') ?? 0;
  mock.faults.latencyMs = 100;
  const running = p.send({ $type: 'SystemSoftwareVersionGetRequest' });
  const waiting = p.send({ $type: 'SystemSoftwareVersionGetRequest' });
  await new Promise((r) => setTimeout(r, 20));
  const closed = p.close();
  await expect(waiting).rejects.toMatchObject({ code: 'TH_ERR_OCI_CLIENT_CLOSED' });
  await expect(running).resolves.toMatchObject({ $type: 'SystemSoftwareVersionGetResponse' });
  await closed;
  expect((mock.stats.byType.get('LogoutRequest') ?? 0) - logoutsBefore).toBe(1);
  await expect(p.send({ $type: 'SystemSoftwareVersionGetRequest' })).rejects.toMatchObject({ code: 'TH_ERR_OCI_CLIENT_CLOSED' });
  await p.close(); // idempotent
});

test('bad pool options are typed errors', () => {
  expect(() => new OciSessionPool({ size: 0, url: 'tcp://127.0.0.1:1', userId: 'a', password: 'b', schema })).toThrow(
    expect.objectContaining({ code: 'TH_ERR_OCI_CLIENT_OPTIONS' }),
  );
  expect(() => new OciSessionPool({ size: 2, url: 'tcp://127.0.0.1:1', userId: 'a', password: 'b', login: 'plain22V5', schema })).toThrow(
    expect.objectContaining({ code: 'TH_ERR_OCI_INSECURE_LOGIN' }),
  );
});

test('property: for any mix of good, failing and invalid commands, every position gets its own result, on a client and on a pool', async () => {
  const kinds = ['ok', 'missing', 'invalid'] as const;
  const command = (kind: (typeof kinds)[number], i: number) =>
    kind === 'ok'
      ? { $type: 'SystemSoftwareVersionGetRequest' }
      : kind === 'missing'
        ? { $type: 'UserGetRequest23V2', userId: `nobody${i}@example.com` }
        : { $type: 'UserGetRequest23V2', userId: '' };
  const p = pool(3);
  const single = new OciClient({ url: mock.url('tcp'), userId: 'admin', password: 'pool-pw', schema });
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...kinds), { maxLength: 50 }), fc.boolean(), async (plan, usePool) => {
        const requests = plan.map(command);
        const results = await (usePool ? p.sendBatch(requests) : single.sendBatch(requests));
        expect(results).toHaveLength(plan.length);
        plan.forEach((kind, i) => {
          const r = results[i];
          if (kind === 'ok') expect(r).toMatchObject({ ok: true, response: { $type: 'SystemSoftwareVersionGetResponse' } });
          else if (kind === 'missing') expect(r).toMatchObject({ ok: false, error: { errorNumber: 4008, message: expect.stringContaining(`nobody${i}@`) } });
          else expect(r).toMatchObject({ ok: false, error: { code: 'TH_ERR_OCI_VALIDATION' } });
        });
      }),
      { numRuns: 25 },
    );
  } finally {
    await single.close();
  }
});

test('a task that throws synchronously rejects its own promise and frees the session', async () => {
  const p = pool(1);
  await expect(
    p.use(() => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  await expect(p.send({ $type: 'SystemSoftwareVersionGetRequest' })).resolves.toMatchObject({ $type: 'SystemSoftwareVersionGetResponse' });
});

test('bad client input gives typed errors, never a crash', async () => {
  expect(() => new OciClient({ url: '', userId: 'a', password: 'b' })).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_CLIENT_OPTIONS' }));
  expect(() => new OciClient({ url: 'tcp://x', userId: '', password: 'b' })).toThrow(/userId is required/);
  const badUrl = new OciClient({ url: 'ftp://127.0.0.1', userId: 'a', password: 'b', schema });
  await expect(badUrl.connect()).rejects.toMatchObject({ code: 'TH_ERR_OCI_TRANSPORT_URL' });
  await badUrl.close();
  const c = new OciClient({ url: mock.url('tcp'), userId: 'admin', password: 'pool-pw', schema });
  try {
    const results = await c.sendBatch([null as never, { $type: 42 } as never, { $type: 'SystemSoftwareVersionGetRequest' }]);
    expect(results.map((r) => (r.ok ? r.response.$type : (r.error as { code?: string }).code))).toEqual([
      'TH_ERR_OCI_CLIENT_OPTIONS',
      'TH_ERR_OCI_CLIENT_OPTIONS',
      'SystemSoftwareVersionGetResponse',
    ]);
    await expect(c.call('NoSuchFamilyRequest', {})).rejects.toMatchObject({ code: 'TH_ERR_OCI_UNKNOWN_TYPE' });
    await expect(c.send({ $type: 'UserGetRequest23V2', userId: 'x', bogus: 1 })).rejects.toMatchObject({
      code: expect.stringMatching(/^TH_ERR_OCI_(VALIDATION|ENCODE)$/),
    });
  } finally {
    await c.close();
  }
});
