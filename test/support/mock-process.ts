// `hammer mock oci …` in its own process (spawned through the CLI, as users run it), ready once it
// has printed its `{"ready":true,…}` line. Shared by the tests and the benchmarks (bench/).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

export interface SpawnedMock {
  ports: { tcp?: number; tls?: number; soap?: number };
  release: string;
  /** The ready line as printed. */
  ready: Record<string, unknown>;
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the first stderr line (so far or to come) that matches. */
  logLine(pattern: RegExp): Promise<string>;
  /** SIGTERM, SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `hammer mock oci …args` and waits for its ready line (or rejects with its stderr).
 * `nodeArgs` go to Node itself (a bench's `--cpu-prof`, say).
 */
export function spawnMock(args: string[], { timeoutMs = 30_000, nodeArgs = [] }: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<SpawnedMock> {
  const child = spawn(process.execPath, [...nodeArgs, join(projectRoot, 'bin/hammer.mjs'), 'mock', 'oci', ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const checkWaiters = () => {
    for (const waiter of waiters.splice(0)) {
      const line = stderr.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) waiter.resolve(line);
      else waiters.push(waiter);
    }
  };
  const logLine = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      waiters.push({ pattern, resolve });
      checkWaiters();
    });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    checkWaiters();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`mock did not get ready within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock exited with ${code} before it was ready; stderr:\n${stderr}`));
    });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>;
        const port = (name: string) => (typeof ready[name] === 'number' ? (ready[name] as number) : undefined);
        resolve({
          ports: { tcp: port('tcp'), tls: port('tls'), soap: port('soap') },
          release: String(ready.release),
          ready,
          child,
          stderr: () => stderr,
          logLine,
          stop,
        });
      } catch (error) {
        void stop();
        reject(new Error(`bad ready line ${JSON.stringify(stdout.slice(0, newline))}: ${(error as Error).message}`));
      }
    });
  });
}
