/**
 * The Web CLI in a real browser: playwright-core drives Debian's chromium (never a downloaded
 * one) against the built page, a real server on 127.0.0.1, and the mock OCI-P and mock vBox
 * running as their own processes. `npm test` makes sure chromium is there (scripts/ensure-test-tools.mjs);
 * without it this suite fails with the command to run, it is never skipped.
 */
import { jest } from '@jest/globals';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { INSTALL_COMMAND, findChromium } from '../../scripts/chromium-path.mjs';
import { type TestServer, startTestServer } from './fixture.js';

// Page-side globals of the evaluate() callbacks (they run in the browser; this file is checked without the DOM lib).
declare const document: {
  querySelector(selector: string): (PageElement & { value: string }) | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: { __xss?: unknown };
interface PageElement {
  tagName: string;
  attributes: Iterable<{ name: string }>;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pageDist = join(root, 'web', 'page', 'dist');
const screenshot = join(root, 'docs', 'webcli-thread.png');
/** Part D's launch flags for Debian's chromium in a container. */
const LAUNCH_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

jest.setTimeout(90_000);

/** A mock started as `hammer mock …`; its first stdout line is a JSON "ready" record. */
async function startMock(args: string[]): Promise<{ child: ChildProcess; ready: Record<string, number> }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'hammer.mjs'), 'mock', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Record<string, number>>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`hammer mock ${args[0]} exited with ${code}: ${stderr}`)));
  });
  return { child, ready };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const USER_A = { email: 'operator-a@example.com', password: 'browser pass A' };
const USER_B = { email: 'operator-b@example.com', password: 'browser pass B' };

let ociMock: { child: ChildProcess; ready: Record<string, number> } | undefined;
let vboxMock: { child: ChildProcess; ready: Record<string, number> } | undefined;
let server: TestServer;
let browser: Browser;
let contextA: BrowserContext;
let pageA: Page;
let threadUrl: string;
let csvHref: string;
const cspViolations: string[] = [];

beforeAll(async () => {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`The browser test needs Debian's chromium on the PATH: run ${INSTALL_COMMAND} (or set CHROMIUM_PATH).`);
  if (!existsSync(join(pageDist, 'index.html'))) {
    const built = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-web-page.mjs')], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the Web CLI page did not build (npm run build:web)');
  }
  [ociMock, vboxMock] = await Promise.all([
    startMock(['oci', '--tcp-port', '0', '--seed', 'test/fixtures/mock/seed.json']),
    startMock(['vbox', '--port', '0', '--quiet']),
  ]);
  server = await startTestServer({ env: { THORS_WEBCLI_PAGE_DIST: pageDist } });
  const { service } = server.web;
  const a = await service.createUser(USER_A.email, USER_A.password);
  await service.createUser(USER_B.email, USER_B.password);
  await service.configStore.set(a.id, 'oci', {
    defaultProfile: 'lab',
    profiles: { lab: { url: `tcp://127.0.0.1:${ociMock.ready.tcp}`, userId: 'admin', password: 'admin' } },
  });
  await service.configStore.set(a.id, 'vbox', { boxes: { home: { host: '127.0.0.1', port: vboxMock.ready.port, username: 'admin', password: 'admin' } } });
  // The plain launch makes its own throw-away profile (a fresh user-data directory per run).
  browser = await chromium.launch({ executablePath, headless: true, args: LAUNCH_FLAGS });
  contextA = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  pageA = await contextA.newPage();
  pageA.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all([stop(ociMock?.child), stop(vboxMock?.child)]);
});

async function logIn(page: Page, user: { email: string; password: string }, base = server.url): Promise<void> {
  await page.goto(`${base}/threads`);
  await page.waitForURL(/\/login$/); // the server redirects a page without a session
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/threads$/);
}

/** Types a command, submits it with Ctrl+Enter, and returns the new action's section. */
async function submit(page: Page, text: string): Promise<Locator> {
  const before = await page.locator('section.action').count();
  await page.fill('textarea.command-input', text);
  await page.press('textarea.command-input', 'Control+Enter');
  const section = page.locator('section.action').nth(before);
  await section.waitFor();
  // Accepted: the input box empties (the action may show first, announced on the websocket).
  await page.waitForFunction(() => document.querySelector('textarea.command-input')?.value === '');
  return section;
}

const status = (section: Locator, value: string) => section.locator(`.badge[data-status=${value}]`).waitFor();

test('log in and create a thread', async () => {
  await logIn(pageA, USER_A);
  await pageA.fill('input[aria-label="new thread title"]', 'Lab session');
  await pageA.click('form.new-thread button[type=submit]');
  await pageA.waitForURL(/\/threads\/\d+$/);
  threadUrl = pageA.url();
  await pageA.locator('.feed-live').waitFor();
  expect(await pageA.locator('h1 .thread-title').textContent()).toBe('Lab session');
  // The description is edited inline and kept by the server.
  await pageA.click('.thread-description .editable');
  await pageA.fill('.thread-description textarea', 'Checking the acme group and the living-room lights.');
  await pageA.press('.thread-description textarea', 'Control+Enter');
  await pageA.locator('.thread-description .editable', { hasText: 'living-room' }).waitFor();
  const api = await pageA.request.get(`${server.url}/api/threads/${threadUrl.split('/').pop()}`);
  expect(((await api.json()) as { description: string }).description).toMatch(/living-room lights/);
});

test('%oci% against the mock shows a table and a CSV link', async () => {
  const section = await submit(pageA, '%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq');
  await status(section, 'succeeded');
  const table = section.locator('.chunk-table table');
  await table.waitFor();
  expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
  expect(await table.textContent()).toContain('alice@acme.example');
  const link = section.locator('a.download[href^="/api/artifacts/"]', { hasText: '.csv' }).first();
  csvHref = (await link.getAttribute('href'))!;
  const download = await pageA.request.get(`${server.url}${csvHref}`);
  expect(download.status()).toBe(200);
  expect(download.headers()['content-type']).toMatch(/^text\/csv/);
  expect(download.headers()['content-disposition']).toMatch(/^attachment/);
  expect(await download.text()).toContain('alice@acme.example');
  // Re-run puts the raw text back into the input box; copy-as-CLI shows the equivalent command.
  await section.locator('button.rerun').click();
  expect(await pageA.inputValue('textarea.command-input')).toBe('%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq');
  await pageA.fill('textarea.command-input', '');
  await section.locator('button.copy-cli').click();
  expect(await section.locator('input.cli-command').inputValue()).toBe(
    `hammer webcli run --as ${USER_A.email} '%oci% UserGetListInGroupRequest serviceProviderId=acme GroupId=acme-hq'`,
  );
});

test('a command that does not parse keeps its text and shows the error', async () => {
  const count = await pageA.locator('section.action').count();
  await pageA.fill('textarea.command-input', '%oci% UserGetRequest usrId=x');
  await pageA.press('textarea.command-input', 'Control+Enter');
  await pageA.locator('.parse-error').waitFor();
  expect(await pageA.inputValue('textarea.command-input')).toBe('%oci% UserGetRequest usrId=x');
  expect(await pageA.locator('section.action').count()).toBe(count);
  await pageA.fill('textarea.command-input', '%');
  await pageA.locator('.hints .hint', { hasText: '%vbox%' }).waitFor(); // verb hints from /api/handlers
  await pageA.fill('textarea.command-input', '');
});

test('%vbox% key shows its acknowledgement and %vbox% watch updates in place when the mock pushes', async () => {
  const watch = await submit(pageA, '%vbox% watch --for 10m');
  await status(watch, 'running');
  await watch.locator('.chunk-table').waitFor();
  expect(await watch.locator('button.cancel').count()).toBe(1);
  // Switching a key makes the box push its new state (unsolicited KeyStatus) to the watch.
  const key = await submit(pageA, '%vbox% key 1/2 on');
  await status(key, 'succeeded');
  await key.locator('pre.chunk-text', { hasText: '1/2 ON: ACK' }).waitFor();
  await watch.locator('.chunk-table tbody tr', { hasText: '1/2' }).waitFor();
  expect(await watch.locator('.chunk-table tbody tr', { hasText: '1/2' }).textContent()).toContain('ON');
  const off = await submit(pageA, '%vbox% key 1/2 off');
  await status(off, 'succeeded');
  await watch.locator('.chunk-table tbody tr', { hasText: 'OFF' }).waitFor();
  // Updated in place: still one table, one row for the key.
  expect(await watch.locator('.chunk-table').count()).toBe(1);
  expect(await watch.locator('.chunk-table tbody tr', { hasText: '1/2' }).count()).toBe(1);
  await pageA.locator('.pane-top').evaluate((el) => el.scrollTo(0, 0));
  mkdirSync(dirname(screenshot), { recursive: true });
  await pageA.screenshot({ path: screenshot });
  await watch.locator('button.cancel').click();
  await status(watch, 'cancelled');
  expect(await watch.locator('button.cancel').count()).toBe(0);
});

test('an XSS payload in %html% and %md% renders inert', async () => {
  const html = await submit(
    pageA,
    '%html%\n<b id="html-ok">bold html</b><img src="/nowhere.png" onerror="window.__xss = 1"><script>window.__xss = 2</script>' +
      '<a id="html-js" href="javascript:window.__xss = 3">js link</a><svg><g onload="window.__xss = 4"></g></svg><iframe src="https://example.com/"></iframe>',
  );
  const md = await submit(
    pageA,
    '%md%\n## Note\n**bold md**\n\n<img src="/nowhere.png" onerror="window.__xss = 5">\n\n[click me](javascript:window.__xss=6)\n\n<details open ontoggle="window.__xss = 7">x</details>',
  );
  await status(html, 'succeeded');
  await status(md, 'succeeded');
  await html.locator('#html-ok', { hasText: 'bold html' }).waitFor();
  await md.locator('.chunk-markdown strong', { hasText: 'bold md' }).waitFor();
  // Let the browser try to load the images (their onerror would fire then), then look.
  await pageA.waitForLoadState('networkidle');
  const found = await pageA.evaluate(() => {
    const answers = [...document.querySelectorAll('.chunk-html, .chunk-markdown')];
    const elements = answers.flatMap((a) => [...a.querySelectorAll('*')]);
    return {
      flag: window.__xss ?? null,
      handlers: elements.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName}.${a.name}`)),
      scripts: elements.filter((e) => ['SCRIPT', 'IFRAME'].includes(e.tagName)).length,
      jsLinks: elements.filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? '')).length,
      images: elements.filter((e) => e.tagName === 'IMG').length,
    };
  });
  expect(found).toEqual({ flag: null, handlers: [], scripts: 0, jsLinks: 0, images: 2 });
  await html.locator('#html-js').click();
  await md.locator('a', { hasText: 'click me' }).click();
  expect(await pageA.evaluate(() => window.__xss ?? null)).toBeNull();
  // The CSP is the second wall: Chromium reports the payloads' handler attributes (seen while the
  // sanitizer parses them in its detached document) as blocked inline handlers. Nothing else may
  // be reported: the page itself needs no inline script or style and loads nothing remote.
  expect(cspViolations.filter((v) => !/^Executing inline event handler violates/.test(v))).toEqual([]);
});

test('after a dropped websocket the page reconnects and resumes from its cursor', async () => {
  const threadId = threadUrl.split('/').pop()!;
  const held = (await (await pageA.request.get(`${server.url}/api/threads/${threadId}`)).json()) as { actions: { action: { chunks: { id: number }[] } }[] };
  const cursor = Math.max(...held.actions.flatMap((ta) => ta.action.chunks.map((c) => c.id)));
  const sent: { type?: string; since?: number }[] = [];
  pageA.on('websocket', (socket) => socket.on('framesent', (frame) => sent.push(JSON.parse(String(frame.payload)))));
  await pageA.click('button.feed'); // drops the socket as a network failure would
  await pageA.locator('.feed-reconnecting').waitFor();
  // While the tab is away, the same user submits from elsewhere.
  const away = await pageA.request.post(`${server.url}/api/threads/${threadId}/actions`, { data: { text: '%md%\nwritten while the tab was away' } });
  expect(away.status()).toBe(201);
  await pageA.locator('.feed-live').waitFor();
  await pageA.locator('.chunk-markdown', { hasText: 'written while the tab was away' }).waitFor();
  expect(await pageA.locator('.chunk-markdown', { hasText: 'written while the tab was away' }).count()).toBe(1);
  const subscribe = sent.find((m) => m.type === 'subscribe');
  expect(subscribe).toMatchObject({ threadId: Number(threadId) });
  expect(subscribe!.since).toBeGreaterThanOrEqual(cursor);
});

test('actions are retitled, moved, shown or hidden, and removed from the page', async () => {
  const threadId = threadUrl.split('/').pop()!;
  const ids = async () => pageA.locator('section.action').evaluateAll((sections) => sections.map((s) => Number(s.getAttribute('data-action-id'))));
  const [first, second] = await ids();
  // The split: dragging the bar sizes the top pane.
  const bar = (await pageA.locator('.splitter').boundingBox())!;
  await pageA.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
  await pageA.mouse.down();
  await pageA.mouse.move(bar.x + bar.width / 2, 300, { steps: 4 });
  await pageA.mouse.up();
  const top = (await pageA.locator('.pane-top').boundingBox())!;
  expect(Math.abs(top.y + top.height - 300)).toBeLessThanOrEqual(8);
  expect(cspViolations.filter((v) => !/^Executing inline event handler violates/.test(v))).toEqual([]); // sized through CSSOM, which the CSP allows
  const section = (id: number) => pageA.locator(`section.action[data-action-id="${id}"]`);
  await section(first!).locator('.action-title').click();
  await section(first!).locator('input.action-title').fill('Users of acme-hq');
  await section(first!).locator('input.action-title').press('Enter');
  await section(first!).locator('.editable.action-title', { hasText: 'Users of acme-hq' }).waitFor();
  await section(first!).locator('button[title="move down"]').click();
  await pageA.waitForFunction((id) => document.querySelector('section.action')?.getAttribute('data-action-id') === String(id), second);
  expect((await ids()).slice(0, 2)).toEqual([second, first]);
  await section(first!).locator('input.toggle-q').check();
  await section(first!).locator('pre.question').waitFor();
  await section(first!).locator('input.toggle-a').uncheck();
  await section(first!).locator('.answer').waitFor({ state: 'detached' });
  const stored = (await (await pageA.request.get(`${server.url}/api/threads/${threadId}`)).json()) as {
    actions: { actionId: number; showQuestion: boolean; showAnswer: boolean; action: { title: string } }[];
  };
  expect(stored.actions.slice(0, 2).map((ta) => ta.actionId)).toEqual([second, first]);
  expect(stored.actions[1]).toMatchObject({ showQuestion: true, showAnswer: false, action: { title: 'Users of acme-hq' } });
  await section(second!).locator('button.remove').click();
  await section(second!).waitFor({ state: 'detached' });
  const after = (await (await pageA.request.get(`${server.url}/api/threads/${threadId}`)).json()) as { actions: { actionId: number }[] };
  expect(after.actions.map((ta) => ta.actionId)).not.toContain(second);
});

test('a second user cannot see the first user’s thread, in the page or through the API', async () => {
  const threadId = threadUrl.split('/').pop()!;
  const contextB = await browser.newContext();
  try {
    const pageB = await contextB.newPage();
    await logIn(pageB, USER_B);
    await pageB.locator('form.new-thread').waitFor();
    expect(await pageB.locator('.thread-card').count()).toBe(0);
    expect(await pageB.content()).not.toContain('Lab session');
    // Opening A's thread by URL lands back on B's own list; nothing of A's thread is shown.
    await pageB.goto(threadUrl);
    await pageB.waitForURL(/\/threads$/);
    expect(await pageB.content()).not.toContain('Lab session');
    for (const path of [`/api/threads/${threadId}`, csvHref]) expect((await pageB.request.get(`${server.url}${path}`)).status()).toBe(404);
    const list = (await (await pageB.request.get(`${server.url}/api/threads`)).json()) as unknown[];
    expect(list).toEqual([]);
    const post = await pageB.request.post(`${server.url}/api/threads/${threadId}/actions`, { data: { text: '%md%\nhello' } });
    expect(post.status()).toBe(404);
    // A still sees it.
    expect((await pageA.request.get(`${server.url}/api/threads/${threadId}`)).status()).toBe(200);
  } finally {
    await contextB.close();
  }
});

test('a thread is deleted from the thread list', async () => {
  const threadId = threadUrl.split('/').pop()!;
  await pageA.click('nav a[href="/threads"]');
  await pageA.waitForURL(/\/threads$/);
  const card = pageA.locator(`.thread-card[data-thread-id="${threadId}"]`);
  await card.locator('button', { hasText: 'delete' }).click();
  await card.locator('button', { hasText: 'really delete?' }).click();
  await card.waitFor({ state: 'detached' });
  expect((await pageA.request.get(`${server.url}/api/threads/${threadId}`)).status()).toBe(404);
  expect((await pageA.request.get(`${server.url}${csvHref}`)).status()).toBe(404); // its files went with it
});

test('a revoked session closes the socket with 4401 and the page goes to /login', async () => {
  const created = await pageA.request.post(`${server.url}/api/threads`, { data: { title: 'Short-lived' } });
  const { id } = (await created.json()) as { id: number };
  await pageA.goto(`${server.url}/threads/${id}`);
  await pageA.locator('.feed-live').waitFor();
  expect((await pageA.request.post(`${server.url}/api/logout-all`)).status()).toBe(200);
  await pageA.waitForURL(/\/login$/);
  await pageA.locator('form.login').waitFor();
});

test('a session lost while the socket was down sends the page to /login instead of reconnecting', async () => {
  await logIn(pageA, USER_A);
  const created = await pageA.request.post(`${server.url}/api/threads`, { data: { title: 'Offline' } });
  const { id } = (await created.json()) as { id: number };
  await pageA.goto(`${server.url}/threads/${id}`);
  await pageA.locator('.feed-live').waitFor();
  await contextA.clearCookies();
  await pageA.click('button.feed');
  await pageA.waitForURL(/\/login$/);
});

test('log out in the page ends the session on the server; its other tabs go to /login', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await logIn(page, USER_B);
    const { id } = (await (await page.request.post(`${server.url}/api/threads`, { data: { title: 'Logging out' } })).json()) as { id: number };
    const otherTab = await context.newPage();
    await otherTab.goto(`${server.url}/threads/${id}`);
    await otherTab.locator('.feed-live').waitFor();
    const token = (await context.cookies()).find((c) => c.name === 'th_session')!.value;
    await page.locator('nav button', { hasText: 'log out' }).click();
    await page.waitForURL(/\/login$/);
    await otherTab.waitForURL(/\/login$/); // its socket was closed with 4401
    // The token itself is dead, not only the browser's cookie.
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: `th_session=${token}` } });
    expect(me.status).toBe(401);
  } finally {
    await context.close();
  }
});

test('opened at localhost while the public URL names 127.0.0.1, the page is live', async () => {
  const base = `http://localhost:${new URL(server.url).port}`;
  expect(new URL(server.origin).hostname).toBe('127.0.0.1');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await logIn(page, USER_B, base);
    await page.fill('input[aria-label="new thread title"]', 'Via localhost');
    await page.click('form.new-thread button[type=submit]');
    await page.waitForURL(/\/threads\/\d+$/);
    await page.locator('.feed-live').waitFor();
    const section = await submit(page, '%md%\nanswered over the socket');
    await section.locator('.chunk-markdown', { hasText: 'answered over the socket' }).waitFor();
    await status(section, 'succeeded');
  } finally {
    await context.close();
  }
});

test('from an origin the server refuses, the thread still loads and the page names the public URL', async () => {
  // The public URL is another address (as behind a proxy): this page's origin is not it.
  const publicUrl = 'http://127.0.0.1:9';
  const refusing = await startTestServer({ env: { THORS_WEBCLI_PAGE_DIST: pageDist, THORS_WEBCLI_PUBLIC_URL: publicUrl } });
  const context = await browser.newContext();
  try {
    await refusing.web.service.createUser(USER_A.email, USER_A.password);
    const page = await context.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await logIn(page, USER_A, refusing.url);
    const threads = `${refusing.url}/api/threads`;
    const { id } = (await (await page.request.post(threads, { data: { title: 'Not live here' } })).json()) as { id: number };
    const before = await page.request.post(`${threads}/${id}/actions`, { data: { text: '%md%\nwritten before the page opened' } });
    expect(before.status()).toBe(201);
    await refusing.web.service.idle();
    await page.goto(`${refusing.url}/threads/${id}`);
    const banner = page.locator('.origin-refused');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(new URL(refusing.url).origin);
    expect(await banner.locator('a').getAttribute('href')).toBe(`${publicUrl}/threads/${id}`);
    await page.locator('.feed-refused').waitFor();
    // Loaded over HTTP, not "loading…" forever.
    expect(await page.locator('h1 .thread-title').textContent()).toBe('Not live here');
    await page.locator('.chunk-markdown', { hasText: 'written before the page opened' }).waitFor();
    // The badge loads the thread again.
    const later = await page.request.post(`${threads}/${id}/actions`, { data: { text: '%md%\nwritten after' } });
    expect(later.status()).toBe(201);
    await refusing.web.service.idle();
    await page.click('button.feed-refused');
    await page.locator('.chunk-markdown', { hasText: 'written after' }).waitFor();
    expect(sockets).toEqual([]); // no doomed upgrade was tried
  } finally {
    await context.close();
    await refusing.close();
  }
});
