// The client's pure building blocks: error-number parsing, login strategy choice,
// redaction, the serial queue and option checks. Everything else runs against real servers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientLog, REDACTED, redactXml } from '../../runtime/oci/client/logging.js';
import { displayUrl, resolveLoginStrategy } from '../../runtime/oci/client/login.js';
import { SerialQueue } from '../../runtime/oci/client/serial-queue.js';
import { OciError, errorNumberOf } from '../../runtime/oci/oci-error.js';
import { projectRoot } from '../../runtime/paths.js';

describe('errorNumberOf / OciError', () => {
  test('parses [Error NNNN] from summary, then summaryEnglish, then errorCode', () => {
    expect(errorNumberOf({ summary: '[Error 4008] User not found: x' })).toBe(4008);
    expect(errorNumberOf({ summary: 'Utilisateur introuvable', summaryEnglish: '[Error 4152] Group not found: A:B' })).toBe(4152);
    expect(errorNumberOf({ summary: 'no number here', errorCode: 6004 })).toBe(6004);
    expect(errorNumberOf({ summary: 'no number here' })).toBeUndefined();
  });

  test('OciError carries the response fields and hides the request from JSON', () => {
    const request = { $type: 'LoginRequest22V5', userId: 'admin', password: 'hunter2' };
    const error = new OciError(
      { $type: 'ErrorResponse', type: 'Error', summary: '[Error 4962] Invalid password', summaryEnglish: '[Error 4962] Invalid password', detail: 'd' },
      request,
    );
    expect(error.code).toBe('TH_ERR_OCI_ERROR_RESPONSE');
    expect(error.errorNumber).toBe(4962);
    expect(error.message).toBe('[Error 4962] Invalid password');
    expect(error.detail).toBe('d');
    expect(error.type).toBe('Error');
    expect(error.request).toBe(request);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(Object.keys(error)).not.toContain('request');
  });
});

describe('resolveLoginStrategy', () => {
  test('auto picks plain22V5 over TLS/HTTPS and hashed14sp4 otherwise', () => {
    expect(resolveLoginStrategy('tls://as.example.com')).toBe('plain22V5');
    expect(resolveLoginStrategy('https://as.example.com/webservice/services/ProvisioningService')).toBe('plain22V5');
    expect(resolveLoginStrategy('tcp://as.example.com')).toBe('hashed14sp4');
    expect(resolveLoginStrategy('http://127.0.0.1:8080')).toBe('hashed14sp4');
  });

  test('plain22V5 over an unencrypted transport needs the explicit opt-in', () => {
    expect(() => resolveLoginStrategy('tcp://as.example.com', 'plain22V5')).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_INSECURE_LOGIN' }));
    expect(() => resolveLoginStrategy('http://as', 'plain22V5')).toThrow(/plain-text password/);
    expect(resolveLoginStrategy('tcp://as.example.com', 'plain22V5', true)).toBe('plain22V5');
    expect(resolveLoginStrategy('tls://as.example.com', 'hashed14sp4')).toBe('hashed14sp4');
  });

  test('an unknown strategy is a typed error', () => {
    expect(() => resolveLoginStrategy('tcp://x', 'md4' as never)).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_CLIENT_OPTIONS' }));
  });

  test('displayUrl drops the query', () => {
    expect(displayUrl('https://as.example.com/ws?token=abc')).toBe('https://as.example.com/ws');
    expect(displayUrl('tcp://10.0.0.1:2208')).toBe('tcp://10.0.0.1:2208');
  });
});

describe('redaction', () => {
  test('redactXml masks secret elements, plain and escaped, keeping attributes', () => {
    const xml =
      '<command xsi:type="LoginRequest14sp4"><userId>a</userId><signedPassword>77e4a6de3a1e00be05e121cf0ebee860</signedPassword></command>' +
      '&lt;password&gt;s3cret&lt;/password&gt;<newPassword xsi:nil="true"></newPassword>';
    const out = redactXml(xml);
    expect(out).not.toContain('77e4a6de');
    expect(out).not.toContain('s3cret');
    expect(out).toContain(`<signedPassword>${REDACTED}</signedPassword>`);
    expect(out).toContain(`&lt;password&gt;${REDACTED}&lt;/password&gt;`);
    expect(out).toContain('<userId>a</userId>');
  });

  test('ClientLog redacts fields, registered secret values and error messages; a throwing logger is ignored', () => {
    const lines: unknown[] = [];
    const log = new ClientLog(
      {
        info: (m, d) => lines.push([m, d]),
        warn: () => {
          throw new Error('logger broke');
        },
      },
      ['pin'],
    );
    log.addSecret('topSecretValue');
    log.info('login with topSecretValue', {
      password: 'p1',
      nested: { signedPassword: 'abc', pin: '1234', note: 'x topSecretValue y' },
      list: [{ plainTextPassword: 'q' }],
      error: new Error('bad topSecretValue'),
    });
    expect(() => log.warn('ignored')).not.toThrow();
    const text = JSON.stringify(lines);
    for (const secret of ['topSecretValue', 'p1', '"abc"', '1234', '"q"']) expect(text).not.toContain(secret);
    expect(text).toContain('login with ***');
    expect(text).toContain('x *** y');
  });
});

describe('SerialQueue', () => {
  test('runs tasks one at a time in call order, surviving failures', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        running++;
        expect(running).toBe(1);
        events.push(`start ${name}`);
        await new Promise((r) => setImmediate(r)); // gives a second task the chance to start, were the queue not serial
        events.push(`end ${name}`);
        running--;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.size).toBe(0);
  });
});

test('every error code the client defines is documented in docs/oci-client.md, and the docs list no unknown client code', () => {
  const source = ['runtime/oci/oci-error.ts', 'cli/commands/oci/send.ts'].map((f) => readFileSync(join(projectRoot, f), 'utf8')).join('\n');
  const defined = new Set([...source.matchAll(/'(TH_ERR_OCI_[A-Z_]+)'/g)].map((m) => m[1] as string));
  const docs = readFileSync(join(projectRoot, 'docs/oci-client.md'), 'utf8');
  const table = docs.slice(docs.indexOf('## Error codes'));
  const documented = new Set([...table.matchAll(/^\| `(TH_ERR_OCI_[A-Z_]+)` \|/gm)].map((m) => m[1] as string));
  expect(defined.size).toBeGreaterThanOrEqual(10);
  expect([...documented].sort()).toEqual([...defined].sort());
});

test('ClientLog keeps the password and the most recent signed passwords for masking', () => {
  const lines: string[] = [];
  const log = new ClientLog({ info: (m) => lines.push(m) });
  log.addSecret('the-password');
  for (let i = 0; i < 100; i++) log.addSecret(`signed-${String(i).padStart(3, '0')}`);
  log.info('the-password signed-099 signed-000');
  expect(lines[0]).toBe('*** *** signed-000');
});
