// Shared fixtures of the client tests: the mock server in a separate process (spawned via the
// CLI, as users run it), a certificate for it, and a log-capturing logger.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { OciLogger } from '../../runtime/oci/client/logging.js';
import { projectRoot } from '../../runtime/paths.js';

export interface SpawnedMock {
  ports: { tcp?: number; tls?: number; soap?: number };
  release: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `hammer mock oci …` as a child process and waits for its `{"ready":true,…}` line. */
export function spawnMock(args: string[], timeoutMs = 30_000): Promise<SpawnedMock> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin/hammer.mjs'), 'mock', 'oci', ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
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
        const ready = JSON.parse(stdout.slice(0, newline)) as { ready: boolean; release: string; tcp?: number; tls?: number; soap?: number };
        resolve({
          ports: { tcp: ready.tcp ?? undefined, tls: ready.tls ?? undefined, soap: ready.soap ?? undefined },
          release: ready.release,
          child,
          stderr: () => stderr,
          stop,
        });
      } catch (error) {
        void stop();
        reject(new Error(`bad ready line ${JSON.stringify(stdout.slice(0, newline))}: ${(error as Error).message}`));
      }
    });
  });
}

/** A self-signed certificate for `names` (DNS names and IPs), written to a temp folder. */
export async function makeCertificate(commonName: string, names: { dns?: string[]; ips?: string[] }) {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...(names.dns ?? []).map((value) => ({ type: 2 as const, value })), ...(names.ips ?? []).map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  } as never);
  const dir = mkdtempSync(join(tmpdir(), 'th-oci-client-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private);
  return { cert: pems.cert, key: pems.private, certFile, keyFile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LogEntry {
  level: string;
  message: string;
  data?: object;
}

/** A logger that records every call, for assertions on content and redaction. */
export function captureLogger(): { logger: Required<OciLogger>; entries: LogEntry[]; text: () => string } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (message: string, data?: object) => entries.push({ level, message, data });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    entries,
    text: () => JSON.stringify(entries),
  };
}

/** Unique-enough ids per test run, so reruns against one mock never collide. */
export function uniqueTag(): string {
  return Math.random().toString(36).slice(2, 8);
}
