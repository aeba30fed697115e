// Shared fixtures of the client tests: the mock server in a separate process (test/support),
// a certificate for it, and a log-capturing logger.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { OciLogger } from '../../runtime/oci/client/logging.js';

export { type SpawnedMock, spawnMock } from '../support/mock-process.js';

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
