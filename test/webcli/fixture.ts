import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinHandlers } from '../../web/core/builtin.js';
import type { Handler, WebLogger } from '../../web/core/types.js';
import { createWebCli, loadConfig, prepareStorage, type WebCli } from '../../web/server/index.js';
import { freePort } from '../support/free-port.js';

/** Logs nothing but keeps errors, so a test can assert that none happened. */
export function quietLogger(): WebLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (m, d) => errors.push(`${m} ${JSON.stringify(d ?? {})}`) };
}

export interface TestServer {
  web: WebCli;
  url: string;
  origin: string;
  home: string;
  close(): Promise<void>;
}

/**
 * A real Web CLI on 127.0.0.1 (a free port) over a fresh SQLite file in a temporary home. The
 * public URL is fixed before the port is known, so a port is reserved first.
 */
export async function startTestServer(
  options: { handlers?: Handler[]; env?: Record<string, string>; listen?: boolean; home?: string } = {},
): Promise<TestServer> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'webcli-test-'));
  const port = options.listen === false ? 8000 : await freePort();
  const config = loadConfig({ home, env: { THORS_WEBCLI_LISTEN_PORT: String(port), THORS_WEBCLI_PAGE_DIST: join(home, 'no-page'), ...(options.env ?? {}) } });
  const { db } = await prepareStorage(config, true);
  await db.destroy();
  const web = await createWebCli(config, { handlers: options.handlers ?? builtinHandlers(), log: quietLogger() });
  const url = options.listen === false ? config.publicUrl : await web.listen();
  return {
    web,
    url,
    origin: config.publicUrl,
    home,
    async close() {
      await web.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Creates a user and logs in through the API; returns the cookie header value. */
export async function loginAs(server: TestServer, email: string, password = 'correct horse'): Promise<{ cookie: string; userId: number }> {
  const user = (await server.web.service.store.userByEmail(email)) ?? (await server.web.service.createUser(email, password));
  const res = await server.web.app.inject({ method: 'POST', url: '/api/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const setCookie = res.headers['set-cookie'];
  const raw = Array.isArray(setCookie) ? setCookie[0]! : String(setCookie);
  return { cookie: raw.split(';')[0]!, userId: user.id };
}

/** Waits until every queued and running action has ended (the scheduler's own promises, not the clock). */
export async function waitForAction(server: TestServer, userId: number, actionId: number) {
  await server.web.service.idle();
  return server.web.service.store.getAction(userId, actionId);
}
