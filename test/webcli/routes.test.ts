import type { InjectOptions } from 'fastify';
import { SignJWT } from 'jose';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handler } from '../../web/core/types.js';
import { builtinHandlers } from '../../web/core/builtin.js';
import { CONTENT_SECURITY_POLICY } from '../../web/server/app.js';
import { loginAs, startTestServer, type TestServer, waitForAction } from './fixture.js';

/** A handler whose run throws, to check that the server survives and reports it. */
const crashing: Handler = {
  name: 'crash',
  verbs: ['crash'],
  synopsis: 'throws',
  help: '',
  parse: () => ({ request: {}, mutating: false }),
  run: async () => {
    throw new TypeError('boom from the handler');
  },
};

/** A handler that ignores its abort signal until released, to check the cancel grace period. */
let releaseStubborn: (() => void) | undefined;
const stubborn: Handler = {
  name: 'stubborn',
  verbs: ['stubborn'],
  synopsis: 'ignores cancel',
  help: '',
  parse: () => ({ request: {}, mutating: false, timeoutMs: null }),
  run: async (ctx) => {
    await ctx.emit.text('started');
    await new Promise<void>((resolve) => {
      releaseStubborn = resolve;
    });
    await ctx.emit.text('too late'); // rejected: the action has ended
  },
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    handlers: [...builtinHandlers(), crashing, stubborn],
    listen: false,
    env: { THORS_WEBCLI_UPLOADS_MAX_BYTES: '1024', THORS_WEBCLI_SCHEDULER_CANCEL_GRACE: '50ms', THORS_WEBCLI_SCHEDULER_MAX_PER_USER: '1' },
  });
});
afterAll(async () => server.close());

const inject = (options: InjectOptions) => server.web.app.inject(options);

describe('authentication', () => {
  test('bad credentials answer 401, not 500, with one message for unknown email and wrong password', async () => {
    await loginAs(server, 'known@example.com');
    const wrong = await inject({ method: 'POST', url: '/api/login', payload: { email: 'known@example.com', password: 'nope nope' } });
    const unknown = await inject({ method: 'POST', url: '/api/login', payload: { email: 'ghost@example.com', password: 'nope nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().message).toBe(unknown.json().message);
  });

  test('the cookie is HttpOnly, SameSite=Strict, path /, and expires with the token', async () => {
    await loginAs(server, 'cookie@example.com');
    const res = await inject({ method: 'POST', url: '/api/login', payload: { email: 'cookie@example.com', password: 'correct horse' } });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeLessThanOrEqual(12 * 3600);
  });

  test('no, malformed, expired and stale-password-version tokens answer 401', async () => {
    const { cookie, userId } = await loginAs(server, 'tokens@example.com');
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: 'th_session=not.a.jwt' } })).statusCode).toBe(401);
    const key = new Uint8Array(Buffer.from(readFileSync(join(server.home, 'keys/jwt.key'), 'utf8').trim(), 'base64').subarray(0, 32));
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await new SignJWT({ pv: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(userId))
      .setIssuedAt(past - 3600)
      .setExpirationTime(past)
      .sign(key);
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: `th_session=${expired}` } })).statusCode).toBe(401);
    const forged = await new SignJWT({ pv: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(userId))
      .setExpirationTime('1h')
      .sign(new Uint8Array(32));
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: `th_session=${forged}` } })).statusCode).toBe(401);
    // logout-all bumps password_version: the old token is revoked.
    expect((await inject({ method: 'POST', url: '/api/logout-all', headers: { cookie } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
  });

  test('changing the password revokes the old token and sets a new one', async () => {
    const { cookie } = await loginAs(server, 'passwd@example.com');
    const res = await inject({
      method: 'POST',
      url: '/api/me/password',
      headers: { cookie },
      payload: { current: 'correct horse', password: 'battery staple' },
    });
    expect(res.statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
    const fresh = String(res.headers['set-cookie']).split(';')[0]!;
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: fresh } })).statusCode).toBe(200);
  });

  test('logging out revokes the session on the server: its token, and a re-issued token of the same session, answer 401', async () => {
    const { cookie, userId } = await loginAs(server, 'logout@example.com');
    const other = await loginAs(server, 'logout@example.com');
    const token = cookie.slice(cookie.indexOf('=') + 1);
    const { sessionId } = await server.web.service.tokens.verify(token);
    const user = (await server.web.service.store.userById(userId))!;
    // What the server hands out when the token is past half its lifetime: same session, new token.
    const reissued = `th_session=${(await server.web.service.tokens.issue(userId, user.passwordVersion, sessionId)).token}`;
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: reissued } })).statusCode).toBe(200);
    const out = await inject({ method: 'POST', url: '/api/logout', headers: { cookie } });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^th_session=;/);
    for (const stale of [cookie, reissued]) {
      const me = await inject({ method: 'GET', url: '/api/me', headers: { cookie: stale } });
      expect(me.statusCode).toBe(401);
      expect(me.json().code).toBe('TH_ERR_WEB_AUTH');
    }
    // Another login of the same user is another session: it holds.
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: other.cookie } })).statusCode).toBe(200);
    // Logging out again, or without a cookie, is harmless.
    expect((await inject({ method: 'POST', url: '/api/logout', headers: { cookie } })).statusCode).toBe(200);
    expect((await inject({ method: 'POST', url: '/api/logout' })).statusCode).toBe(200);
  });

  test('a logged-out session stays revoked after a restart, until its tokens would have expired', async () => {
    const home = mkdtempSync(join(tmpdir(), 'webcli-logout-'));
    try {
      let first = await startTestServer({ home, listen: false });
      const { cookie } = await loginAs(first, 'restart@example.com');
      expect((await first.web.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie } })).statusCode).toBe(200);
      await first.close();
      first = await startTestServer({ home, listen: false });
      try {
        expect((await first.web.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
        // Nothing to purge yet: the revocation outlives every token of the session.
        expect(await first.web.service.store.purgeExpiredRevocations()).toBe(0);
      } finally {
        await first.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a token without a login session (sid) is refused', async () => {
    const { userId } = await loginAs(server, 'nosid@example.com');
    const key = new Uint8Array(Buffer.from(readFileSync(join(server.home, 'keys/jwt.key'), 'utf8').trim(), 'base64').subarray(0, 32));
    const withoutSid = await new SignJWT({ pv: 1 }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(userId)).setExpirationTime('1h').sign(key);
    expect((await inject({ method: 'GET', url: '/api/me', headers: { cookie: `th_session=${withoutSid}` } })).statusCode).toBe(401);
  });

  test('pages redirect to /login without a session; every answer has the CSP', async () => {
    const res = await inject({ method: 'GET', url: '/threads/1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|https?:/);
    const login = await inject({ method: 'GET', url: '/login' });
    expect(login.statusCode).toBe(404); // the page is not built in this home
    expect(login.body).toMatch(/not built/);
  });
});

describe('threads, actions and validation', () => {
  test('every route validates its body and names the path', async () => {
    const { cookie } = await loginAs(server, 'valid@example.com');
    const bad = await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/title/);
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const patch = await inject({ method: 'PATCH', url: `/api/threads/${thread.id}`, headers: { cookie }, payload: { title: 'plain' } });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().message).toMatch(/title/);
    const move = await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions/1/move`, headers: { cookie }, payload: { direction: 'sideways' } });
    expect(move.statusCode).toBe(400);
    const id = await inject({ method: 'GET', url: '/api/threads/abc', headers: { cookie } });
    expect(id.statusCode).toBe(400);
    expect(id.json().message).toMatch(/params\/id/);
  });

  test('problems the framework finds answer with our codes, never its own', async () => {
    const { cookie } = await loginAs(server, 'codes@example.com');
    const form = await inject({
      method: 'POST',
      url: '/api/threads',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'title=x',
    });
    expect(form.statusCode).toBe(415);
    expect(form.json()).toMatchObject({ error: 'request', code: 'TH_ERR_WEB_REQUEST' });
    const malformed = await inject({ method: 'POST', url: '/api/threads', headers: { cookie, 'content-type': 'application/json' }, payload: '{"title": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('TH_ERR_WEB_REQUEST');
    const empty = await inject({ method: 'POST', url: '/api/threads', headers: { cookie, 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('TH_ERR_WEB_REQUEST');
    const nowhere = await inject({ method: 'GET', url: '/no/such/page' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().code).toBe('TH_ERR_WEB_NOT_FOUND');
    const badUrl = await inject({ method: 'GET', url: '/threads/%E0%A4%A' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().code).toBe('TH_ERR_WEB_REQUEST');
    for (const res of [form, malformed, empty, nowhere, badUrl]) expect(res.body).not.toMatch(/FST_/);
  });

  test('a command that does not parse answers 400 with the position, and nothing is stored', async () => {
    const { cookie, userId } = await loginAs(server, 'parse@example.com');
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const unknown = await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions`, headers: { cookie }, payload: { text: '%nope% x' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('TH_ERR_WEB_UNKNOWN_VERB');
    const oci = await inject({
      method: 'POST',
      url: `/api/threads/${thread.id}/actions`,
      headers: { cookie },
      payload: { text: '%oci% UserGetRequest usrId=x' },
    });
    expect(oci.statusCode).toBe(400);
    expect(oci.json().message).toMatch(/usrId/);
    expect(oci.json().position).toBe('%oci% UserGetRequest '.length);
    expect((await server.web.service.store.getThread(userId, thread.id)).actions).toHaveLength(0);
  });

  test("another user's thread, action and artifact answer 404", async () => {
    const a = await loginAs(server, 'owner@example.com');
    const b = await loginAs(server, 'intruder@example.com');
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie: a.cookie }, payload: { title: 'mine' } })).json();
    const ta = (
      await inject({
        method: 'POST',
        url: `/api/threads/${thread.id}/actions`,
        headers: { cookie: a.cookie },
        payload: { text: '%oci% describe UserGetRequest' },
      })
    ).json();
    await waitForAction(server, a.userId, ta.actionId);
    for (const [method, url, payload] of [
      ['GET', `/api/threads/${thread.id}`],
      ['PATCH', `/api/threads/${thread.id}`, { title: { value: 'x' } }],
      ['DELETE', `/api/threads/${thread.id}`],
      ['POST', `/api/threads/${thread.id}/actions`, { text: '%md%\nx' }],
      ['POST', `/api/threads/${thread.id}/actions`, { text: '%nosuchverb% x' }],
      ['POST', `/api/threads/${thread.id}/actions`, { text: 'no verb at all' }],
      ['GET', `/api/actions/${ta.actionId}`],
      ['POST', `/api/actions/${ta.actionId}/cancel`],
      ['DELETE', `/api/threads/${thread.id}/actions/${ta.actionId}`],
    ] as const) {
      const res = await inject({ method, url, headers: { cookie: b.cookie }, ...(payload ? { payload } : {}) });
      expect([method, url, res.statusCode]).toEqual([method, url, 404]);
    }
    expect((await inject({ method: 'GET', url: '/api/threads', headers: { cookie: b.cookie } })).json()).toEqual([]);
    expect((await inject({ method: 'GET', url: `/api/threads/${thread.id}`, headers: { cookie: a.cookie } })).statusCode).toBe(200);
  });

  test('a handler exception becomes an error chunk and a failed action; the server stays up', async () => {
    const { cookie, userId } = await loginAs(server, 'crash@example.com');
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const res = await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions`, headers: { cookie }, payload: { text: '%crash%' } });
    expect(res.statusCode).toBe(201);
    const action = await waitForAction(server, userId, res.json().actionId);
    expect(action.status).toBe('failed');
    expect(action.errorSummary).toBe('boom from the handler');
    const chunk = action.chunks.find((c) => c.mime === 'application/vnd.webcli.error+json')!;
    expect(JSON.parse(chunk.text!)).toMatchObject({ summary: 'boom from the handler', code: 'TypeError' });
    expect((await inject({ method: 'GET', url: '/api/health' })).json()).toMatchObject({ ok: true, database: 'reachable' });
  });

  test('uploads over the limit answer 413; artifacts download with safe headers', async () => {
    const { cookie } = await loginAs(server, 'upload@example.com');
    const boundary = 'XBOUNDARY';
    const body = (size: number) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="in.csv"\r\nContent-Type: text/csv\r\n\r\n${'a'.repeat(size)}\r\n--${boundary}--\r\n`;
    const headers = { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const ok = await inject({ method: 'POST', url: '/api/uploads', headers, payload: body(100) });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ fileName: 'in.csv', sizeBytes: 100 });
    const big = await inject({ method: 'POST', url: '/api/uploads', headers, payload: body(5000) });
    expect(big.statusCode).toBe(413);
  });

  test('handler configuration over the API: schema errors name the path, secrets are masked and kept', async () => {
    const { cookie, userId } = await loginAs(server, 'cfg@example.com');
    const bad = await inject({
      method: 'PUT',
      url: '/api/handlers/oci/config',
      headers: { cookie },
      payload: { config: { profiles: { lab: { url: 'ftp://x', userId: 'a' } } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/profiles\.lab\.url/);
    const config = { defaultProfile: 'lab', profiles: { lab: { url: 'tcp://127.0.0.1:2208', userId: 'admin', password: 'hunter2' } } };
    const put = await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config } });
    expect(put.json().config.profiles.lab.password).toBe('********');
    const raw = JSON.stringify(await server.web.service.store.getHandlerConfig(userId, 'oci'));
    expect(raw).not.toContain('hunter2');
    // Sending the mask back keeps the secret.
    const again = { ...config, profiles: { lab: { ...config.profiles.lab, password: '********', userId: 'root' } } };
    await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: again } });
    const plain = (await server.web.service.runConfig(userId, server.web.service.registry.get('oci')!)) as typeof config;
    expect(plain.profiles.lab).toEqual({ url: 'tcp://127.0.0.1:2208', userId: 'root', password: 'hunter2' });
    // Decrypted once per stored text: the next action gets the same (frozen) object; a change is seen at once.
    const oci = server.web.service.registry.get('oci')!;
    expect(await server.web.service.runConfig(userId, oci)).toBe(plain);
    expect(Object.isFrozen(plain.profiles.lab)).toBe(true);
    const changed = { ...config, profiles: { lab: { ...config.profiles.lab, password: 'hunter9' } } };
    await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: changed } });
    expect(((await server.web.service.runConfig(userId, oci)) as typeof config).profiles.lab.password).toBe('hunter9');
    expect((await inject({ method: 'DELETE', url: '/api/handlers/oci/config', headers: { cookie } })).json()).toEqual({ deleted: true });
    expect(await server.web.service.runConfig(userId, oci)).toEqual({});
    await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: changed } });
    expect((await inject({ method: 'GET', url: '/api/handlers/nosuch/config', headers: { cookie } })).statusCode).toBe(404);
    const list = (await inject({ method: 'GET', url: '/api/handlers', headers: { cookie } })).json();
    expect(list.map((h: { name: string }) => h.name)).toEqual(expect.arrayContaining(['oci', 'vbox', 'notes', 'config', 'help']));
  });

  test('cancel: a queued action ends at once; a handler ignoring the signal is cancelled after the grace period, its late output dropped', async () => {
    const { cookie, userId } = await loginAs(server, 'cancel@example.com');
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const submitted = async (text: string) =>
      (await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions`, headers: { cookie }, payload: { text } })).json().actionId as number;
    const running = await submitted('%stubborn%');
    const queued = await submitted('%md%\nwaits for the per-user slot');
    expect((await server.web.service.store.getAction(userId, queued)).status).toBe('queued');
    expect((await inject({ method: 'POST', url: `/api/actions/${queued}/cancel`, headers: { cookie } })).statusCode).toBe(202);
    expect((await server.web.service.store.getAction(userId, queued)).status).toBe('cancelled');
    expect((await inject({ method: 'POST', url: `/api/actions/${running}/cancel`, headers: { cookie } })).statusCode).toBe(202);
    const action = await waitForAction(server, userId, running);
    expect(action.status).toBe('cancelled');
    releaseStubborn!();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await server.web.service.store.getAction(userId, running)).chunks.map((c) => c.text)).toEqual(['started']);
  });

  test('%config% set is checked when it runs: a schema error or an unknown handler fails the action with its code', async () => {
    const { cookie, userId } = await loginAs(server, 'cfg-action@example.com');
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const errorOf = async (text: string) => {
      const res = await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions`, headers: { cookie }, payload: { text } });
      expect(res.statusCode).toBe(201);
      const action = await waitForAction(server, userId, res.json().actionId);
      expect(action.status).toBe('failed');
      return JSON.parse(action.chunks.find((c) => c.mime === 'application/vnd.webcli.error+json')!.text!) as { code: string; summary: string };
    };
    const schema = await errorOf('%config% set oci\nprofiles:\n  lab: {url: "ftp://x", userId: a}');
    expect(schema.code).toBe('TH_ERR_WEB_HANDLER_CONFIG');
    expect(schema.summary).toMatch(/profiles\.lab\.url/);
    expect((await errorOf('%config% set nosuch\n{}')).code).toBe('TH_ERR_WEB_UNKNOWN_HANDLER');
    expect((await errorOf('%config% get nosuch')).code).toBe('TH_ERR_WEB_UNKNOWN_HANDLER');
    expect(await server.web.service.store.getHandlerConfig(userId, 'oci')).toBeUndefined();
  });

  test('secrets typed in a command are masked in the stored question, title and request', async () => {
    const { cookie, userId } = await loginAs(server, 'mask@example.com');
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const text = '%config% set oci\nprofiles:\n  lab: {url: "tcp://127.0.0.1:2208", userId: admin, password: hunter3}';
    const res = await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions`, headers: { cookie }, payload: { text } });
    expect(res.statusCode).toBe(201);
    const action = await waitForAction(server, userId, res.json().actionId);
    expect(action.status).toBe('succeeded');
    expect(JSON.stringify(action)).not.toContain('hunter3');
    expect(JSON.stringify(res.json())).not.toContain('hunter3');
    const plain = (await server.web.service.runConfig(userId, server.web.service.registry.get('oci')!)) as { profiles: { lab: { password: string } } };
    expect(plain.profiles.lab.password).toBe('hunter3');
  });
});
