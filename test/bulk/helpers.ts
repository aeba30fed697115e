// Fixtures of the bulk tests: temp folders, CSV writing, a seed for the mock, and `hammer bulk`
// spawned as users run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvLine } from '../../agents/bulk/csv.js';
import { OciClient } from '../../runtime/oci/client.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { type SpawnedMock, spawnMock } from '../oci-client/helpers.js';

export const SP = 'bulk-sp';
export const GROUP = 'bulk-g';
export const DOMAIN = 'bulk.example';
export const PASSWORD = 'bulk-Secret-1';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'th-bulk-'));
}

/** The mock in its own process with the seed below, and an admin client on it. */
export interface BulkMock {
  mock: SpawnedMock;
  dir: string;
  schema: OciSchema;
  url: string;
  client: OciClient;
}

export async function startBulkMock(): Promise<BulkMock> {
  const dir = tempDir();
  const mock = await spawnMock(['--tcp-port', '0', '--user', `admin:${PASSWORD}`, '--seed', writeSeed(dir)]);
  const url = `tcp://127.0.0.1:${mock.ports.tcp}`;
  const schema = await OciSchema.load(mock.release);
  return { mock, dir, schema, url, client: new OciClient({ url, userId: 'admin', password: PASSWORD, schema }) };
}

/**
 * Starts the mock for the calling test file (beforeAll) and stops it after its tests (afterAll);
 * the fields of the returned object are set once beforeAll has run.
 */
export function useBulkMock(): BulkMock {
  const env = {} as BulkMock;
  beforeAll(async () => {
    Object.assign(env, await startBulkMock());
  }, 60_000);
  afterAll(() => stopBulkMock(env));
  return env;
}

export async function stopBulkMock(env: Partial<BulkMock>): Promise<void> {
  await env.client?.close();
  await env.mock?.stop();
  if (env.dir) rmSync(env.dir, { recursive: true, force: true });
}

/** A seed with one service provider and group (room for 20,000 users) and a second group. */
export function writeSeed(dir: string): string {
  const path = join(dir, 'seed.json');
  writeFileSync(
    path,
    JSON.stringify({
      serviceProviders: [
        {
          serviceProviderId: SP,
          isEnterprise: true,
          defaultDomain: DOMAIN,
          groups: [
            { groupId: GROUP, defaultDomain: DOMAIN, userLimit: 20000 },
            { groupId: 'bulk-g2', defaultDomain: DOMAIN, userLimit: 20000 },
          ],
        },
      ],
    }),
  );
  return path;
}

/** Writes rows (`undefined` = empty cell, `''` = quoted empty string) as a CSV file. */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly (string | undefined)[])[]): string {
  writeFileSync(path, `${[csvLine(header), ...rows.map((r) => csvLine(r))].join('\r\n')}\r\n`);
  return path;
}

export const USER_HEADER = [
  'serviceProviderId',
  'groupId',
  'userId',
  'lastName',
  'firstName',
  'callingLineIdLastName',
  'callingLineIdFirstName',
  'password',
  'address.city',
];

/** A valid UserAddRequest17sp4 row. */
export function userRow(tag: string, i: number, group = GROUP): string[] {
  return [SP, group, `${tag}-${i}@${DOMAIN}`, `Last${i}`, `First${i}`, `Last${i}`, `First${i}`, `Pw-${i}-secret`, 'Paris'];
}

export interface Hammer {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawns `hammer bulk …`. */
export function hammerBulk(args: string[], env: Record<string, string> = {}): Hammer {
  const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), 'bulk', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
