// What every `hammer` command does with its output: a reader that closes the pipe early ends the
// process quietly with the closed-pipe status, an `--out` into a missing folder is a one-line usage
// error (exit 2), `--version` is thors-hammer's own, whatever project the command runs in, and
// bulk progress off a terminal speaks the summary's words, once per state.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSED_PIPE_EXIT } from '../../cli/output.js';
import { projectRoot } from '../../runtime/paths.js';

const hammerBin = join(projectRoot, 'bin/hammer.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hammer args…`; with `closeStdout` the reading end of its stdout is closed at once, as `| head` does once it has enough. */
function hammer(args: string[], options: { cwd?: string; closeStdout?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hammerBin, ...args], { cwd: options.cwd ?? projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a reader that closes stdout early ends any command quietly, with the closed-pipe status (141)', async () => {
  expect(CLOSED_PIPE_EXIT).toBe(141);
  const [diff, template, help] = await Promise.all([
    hammer(['oci', 'diff', 'R24', 'R25'], { closeStdout: true }),
    hammer(['bulk', 'template', 'UserAddRequest17sp4', '--hints'], { closeStdout: true }),
    hammer(['bulk', 'run', '--help'], { closeStdout: true }),
  ]);
  for (const result of [diff, template, help]) expect(result).toEqual({ code: CLOSED_PIPE_EXIT, stdout: '', stderr: '' });
  // A control: with the pipe open the same command prints and exits 0.
  const open = await hammer(['oci', 'diff', 'R24', 'R25']);
  expect(open.code).toBe(0);
  expect(open.stdout).toMatch(/^OCI-P R24 → R25\nrequests added: \d+/);
}, 120_000);

test('--out into a folder that does not exist is one usage line, exit 2 (bulk template CSV and XLSX, bulk undo)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-cli-out-'));
  const journal = join(dir, 'run.journal.jsonl');
  writeFileSync(journal, '');
  const missing = join(dir, 'no-such-folder');
  const [csv, xlsx, undo] = await Promise.all([
    hammer(['bulk', 'template', 'UserAddRequest17sp4', '--out', join(missing, 't.csv')]),
    hammer(['bulk', 'template', 'user.create', '--format', 'xlsx', '--out', join(missing, 't.xlsx')]),
    hammer(['bulk', 'undo', journal, '--out', join(missing, 'u.jsonl')]),
  ]);
  for (const [result, file] of [
    [csv, 't.csv'],
    [xlsx, 't.xlsx'],
    [undo, 'u.jsonl'],
  ] as const) {
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `hammer: TH_ERR_CLI_USAGE: --out ${join(missing, file)}: the folder ${missing} does not exist\n`,
    });
  }
  // The same file into a folder that exists is written.
  const written = await hammer(['bulk', 'template', 'UserAddRequest17sp4', '--out', join(dir, 't.csv')]);
  expect(written.code).toBe(0);
  expect(readFileSync(join(dir, 't.csv'), 'utf8')).toMatch(/^serviceProviderId,groupId,userId,/);
}, 120_000);

test('--version prints thors-hammer’s version, not the version of the project it runs in', async () => {
  const own = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const host = mkdtempSync(join(tmpdir(), 'th-cli-host-'));
  writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'host', version: '9.8.7' }));
  expect(own).not.toBe('9.8.7');
  expect(await hammer(['--version'], { cwd: host })).toEqual({ code: 0, stdout: `${own}\n`, stderr: '' });
}, 60_000);

test('bulk progress off a terminal: one closing line for a short run, in the summary’s words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-cli-progress-'));
  const input = join(dir, 'users.csv');
  writeFileSync(input, 'userId\nu1@example.com\nu2@example.com\n""\n');
  const run = await hammer(['bulk', 'run', input, '--request', 'UserGetRequest']);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^bulk: 3\/3 rows: 2 valid, 1 invalid, 0 skipped, \d+ rows\/s\n$/);
  expect(run.stdout).toContain('dry run: 3 rows: 2 valid, 1 invalid, 0 skipped in ');
}, 60_000);
