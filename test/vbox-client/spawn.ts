import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../runtime/paths.js';

/** Helpers to run `node bin/hammer.mjs …` as a separate process. */

/** The parent environment without any VITREA_VBOX_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('VITREA_VBOX_')) env[key] = value;
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (killed after `timeoutMs`). */
export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hammer.mjs', ...args], { cwd: projectRoot, env: cleanEnv(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hammer ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `hammer mock vbox` process: its port, its parsed stderr log, and a way to stop it. */
export interface MockProcess {
  child: ChildProcess;
  port: number;
  /** The first stdout line, as printed. */
  readyLine: string;
  log: Array<Record<string, unknown>>;
  /** Resolves when a log entry matches. */
  waitForLog(predicate: (entry: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  /** Kills it (SIGKILL by default: the "mock crashed" case) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `hammer mock vbox` and resolves once it printed {"ready":true,"port":N}. */
export function spawnMock(args: string[], env: Record<string, string> = {}): Promise<MockProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hammer.mjs', 'mock', 'vbox', ...args], { cwd: projectRoot, env: cleanEnv(env) });
    const log: Array<Record<string, unknown>> = [];
    const waiters: Array<{ predicate: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }> = [];
    let stderrText = '';
    let pending = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrText += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        log.push(entry);
        for (const waiter of waiters.splice(0)) {
          if (waiter.predicate(entry)) waiter.resolve(entry);
          else waiters.push(waiter);
        }
      }
    });
    let stdout = '';
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock did not become ready; stderr: ${stderrText}`));
    }, 60000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!stdout.includes('\n')) reject(new Error(`mock exited with ${code} before it was ready; stderr: ${stderrText}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const first = !stdout.includes('\n');
      stdout += chunk;
      if (!first || !stdout.includes('\n')) return;
      clearTimeout(timer);
      const readyLine = stdout.split('\n')[0]!;
      const ready = JSON.parse(readyLine) as { ready: boolean; port: number };
      resolve({
        child,
        port: ready.port,
        readyLine,
        log,
        waitForLog(predicate, ms = 10_000) {
          const found = log.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error(`no matching mock log entry within ${ms} ms`)), ms);
            waiters.push({
              predicate,
              resolve: (e) => {
                clearTimeout(t);
                res(e);
              },
            });
          });
        },
        async kill(signal = 'SIGKILL') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
  });
}

/** The requests a mock process logged after login, as "Name node/key". */
export function loggedInRequests(m: MockProcess): string[] {
  return m.log
    .filter((e) => e.event === 'request' && e.loggedIn === true)
    .map((e) => {
      const f = (e.fields ?? {}) as { nodeId?: number; keyId?: number };
      return f.nodeId === undefined ? String(e.name) : `${String(e.name)} ${f.nodeId}/${f.keyId}`;
    });
}
