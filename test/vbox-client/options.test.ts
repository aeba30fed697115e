import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { VboxClient } from '../../runtime/vbox/client.js';
import { MAX_TIMER_MS, resolveVboxOptions, vboxEnvName, vboxOptionsFromEnv, VBOX_ENV_OPTIONS } from '../../runtime/vbox/options.js';
import { isThorsHammerError } from '../../runtime/errors.js';

const required = { host: '127.0.0.1', username: 'admin', password: 'secret' };

function configError(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isThorsHammerError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a VboxConfigError');
}

describe('vBox client options (explicit → default; the client never reads the environment)', () => {
  test('defaults of the §7 table and the project additions', () => {
    const o = resolveVboxOptions(required);
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 11501,
      version: 'v2',
      heartbeatInterval: 3000,
      requestTimeout: 1000,
      requestBuffer: 250,
      requestBufferVariance: 0.15,
      maxRetries: 3,
      shouldReconnect: true,
      ignoreAckLogs: false,
      reconnectBaseDelay: 1000,
      reconnectMaxDelay: 30000,
      reconnectJitter: 0.1,
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
      heartbeatMaxMisses: 2,
      partialFrameTimeout: 1000,
      strictness: 'lenient',
      connectTimeout: 1000,
      queueTimeout: 4000,
      keyStatusAnyMessageId: false,
    });
  });

  test('host, username and password are required: there is no default address', () => {
    for (const missing of ['host', 'username', 'password'] as const) {
      const options = { ...required, [missing]: undefined };
      const e = configError(() => resolveVboxOptions(options));
      expect(e.code).toBe('TH_ERR_VBOX_CONFIG');
      expect(e.message).toBe(`option ${missing} is required (the vBox client has no default ${missing})`);
    }
    expect(VBOX_ENV_OPTIONS.filter((o) => o.required).map((o) => o.option)).toEqual(['host', 'username', 'password']);
    expect(VBOX_ENV_OPTIONS.find((o) => o.option === 'host')?.defaultValue).toBeUndefined();
  });

  test('the client ignores VITREA_VBOX_* in process.env', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { VITREA_VBOX_HOST: '127.0.0.9', VITREA_VBOX_PORT: '2000', VITREA_VBOX_USERNAME: 'envuser', VITREA_VBOX_PASSWORD: 'envpass' });
      expect(() => new VboxClient({})).toThrow(/option host is required/);
      const c = new VboxClient({ ...required, port: 3000 });
      expect([c.options.host, c.options.port, c.options.username, c.options.password]).toEqual(['127.0.0.1', 3000, 'admin', 'secret']);
      expect(resolveVboxOptions(required).requestTimeout).toBe(1000);
      process.env.VITREA_VBOX_REQUEST_TIMEOUT = 'soon'; // would throw if it were read
      expect(resolveVboxOptions(required).requestTimeout).toBe(1000);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test('0 and false are valid values (reference defect §8.9)', () => {
    const explicit = resolveVboxOptions({
      ...required,
      requestBufferVariance: 0,
      requestBuffer: 0,
      maxRetries: 0,
      shouldReconnect: false,
      heartbeatInterval: 0,
    });
    expect(explicit).toMatchObject({ requestBufferVariance: 0, requestBuffer: 0, maxRetries: 0, shouldReconnect: false, heartbeatInterval: 0 });
    expect(resolveVboxOptions({ username: '', password: '', host: 'h' }).username).toBe('');
  });

  test('maxReconnectAttempts: Infinity in code, 0 allowed', () => {
    expect(resolveVboxOptions({ ...required, maxReconnectAttempts: Number.POSITIVE_INFINITY }).maxReconnectAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(resolveVboxOptions({ ...required, maxReconnectAttempts: 0 }).maxReconnectAttempts).toBe(0);
  });

  test('out-of-range and mistyped values are refused, naming the option', () => {
    expect(configError(() => resolveVboxOptions({ ...required, port: 70000 })).message).toBe('option port must be a number between 1 and 65535; got 70000');
    expect(configError(() => resolveVboxOptions({ ...required, requestBufferVariance: 1.5 })).message).toContain('requestBufferVariance');
    expect(configError(() => resolveVboxOptions({ ...required, requestTimeout: 0 })).message).toContain('requestTimeout');
    expect(configError(() => resolveVboxOptions({ ...required, maxRetries: 1.5 })).message).toContain('whole number');
    expect(configError(() => resolveVboxOptions({ ...required, version: 'v3' as never })).message).toContain('v1, v2');
    expect(configError(() => resolveVboxOptions({ ...required, reconnectBaseDelay: 500, reconnectMaxDelay: 100 })).message).toContain('reconnectMaxDelay');
    expect(configError(() => resolveVboxOptions({ ...required, requestTimeout: Number.NaN })).message).toBe(
      'option requestTimeout must be a finite number; got NaN',
    );
  });

  test('derived defaults follow requestTimeout', () => {
    const o = resolveVboxOptions({ ...required, requestTimeout: 150 });
    expect([o.partialFrameTimeout, o.connectTimeout]).toEqual([150, 150]);
    // A request may wait to be written as long as a written one may wait for its reply.
    expect(o.queueTimeout).toBe(150 * (3 + 1));
    expect(resolveVboxOptions({ ...required, requestTimeout: 150, maxRetries: 0 }).queueTimeout).toBe(150);
    expect(configError(() => resolveVboxOptions({ ...required, queueTimeout: 0 })).message).toContain('queueTimeout');
    expect(() => resolveVboxOptions({ ...required, queueTimeout: Number.POSITIVE_INFINITY })).toThrow(/finite/);
    expect(resolveVboxOptions({ ...required, requestTimeout: 150, partialFrameTimeout: 0 }).partialFrameTimeout).toBe(0);
  });

  test('timer options stop at a Node timer limit (2^31 − 1 ms); the derived queueTimeout is capped there', () => {
    expect(MAX_TIMER_MS).toBe(2147483647);
    expect(resolveVboxOptions({ ...required, queueTimeout: MAX_TIMER_MS }).queueTimeout).toBe(MAX_TIMER_MS);
    expect(configError(() => resolveVboxOptions({ ...required, queueTimeout: MAX_TIMER_MS + 1 })).message).toBe(
      'option queueTimeout must be a number > 0 and ≤ 2147483647; got 2147483648',
    );
    expect(configError(() => resolveVboxOptions({ ...required, requestTimeout: 2 ** 32 })).message).toContain('≤ 2147483647');
    expect(configError(() => resolveVboxOptions({ ...required, heartbeatInterval: 2 ** 31 })).message).toContain('between 0 and 2147483647');
    expect(resolveVboxOptions({ ...required, requestTimeout: MAX_TIMER_MS }).queueTimeout).toBe(MAX_TIMER_MS);
  });

  test('resolved options are frozen', () => {
    expect(Object.isFrozen(resolveVboxOptions(required))).toBe(true);
  });
});

describe('vboxOptionsFromEnv (for front ends such as the CLI)', () => {
  test('env names are UPPER_SNAKE of the option', () => {
    expect(vboxEnvName('requestBufferVariance')).toBe('VITREA_VBOX_REQUEST_BUFFER_VARIANCE');
    expect(vboxEnvName('host')).toBe('VITREA_VBOX_HOST');
    expect(VBOX_ENV_OPTIONS.map((o) => o.variable)).toContain('VITREA_VBOX_SHOULD_RECONNECT');
  });

  test('reads and types the variables; unset and empty ones are left out, so explicit options spread over them', () => {
    const env = {
      VITREA_VBOX_HOST: '127.0.0.9',
      VITREA_VBOX_PORT: '2000',
      VITREA_VBOX_USERNAME: 'envuser',
      VITREA_VBOX_PASSWORD: 'envpass',
      VITREA_VBOX_REQUEST_BUFFER: '',
    };
    const fromEnv = vboxOptionsFromEnv(env);
    expect(fromEnv).toEqual({ host: '127.0.0.9', port: 2000, username: 'envuser', password: 'envpass' });
    const merged = resolveVboxOptions({ ...fromEnv, host: '::1', port: 3000 });
    expect([merged.host, merged.port, merged.username]).toEqual(['::1', 3000, 'envuser']);
    expect(vboxOptionsFromEnv({})).toEqual({});
  });

  test('0 and false from variables', () => {
    expect(
      vboxOptionsFromEnv({
        VITREA_VBOX_REQUEST_BUFFER_VARIANCE: '0',
        VITREA_VBOX_MAX_RETRIES: '0',
        VITREA_VBOX_SHOULD_RECONNECT: 'false',
        VITREA_VBOX_IGNORE_ACK_LOGS: '1',
      }),
    ).toEqual({ requestBufferVariance: 0, maxRetries: 0, shouldReconnect: false, ignoreAckLogs: true });
  });

  test('booleans accept 1/true/TRUE (and 0/false/FALSE) only', () => {
    for (const word of ['1', 'true', 'TRUE']) expect(vboxOptionsFromEnv({ VITREA_VBOX_SHOULD_RECONNECT: word }).shouldReconnect).toBe(true);
    for (const word of ['0', 'false', 'FALSE']) expect(vboxOptionsFromEnv({ VITREA_VBOX_SHOULD_RECONNECT: word }).shouldReconnect).toBe(false);
    const e = configError(() => vboxOptionsFromEnv({ VITREA_VBOX_SHOULD_RECONNECT: 'yes please' }));
    expect(e.code).toBe('TH_ERR_VBOX_CONFIG');
    expect(e.message).toContain('VITREA_VBOX_SHOULD_RECONNECT');
  });

  test('a non-finite or out-of-range numeric variable is an error naming the variable', () => {
    for (const text of ['abc', 'NaN', 'Infinity', '1e999', '12ms']) {
      const e = configError(() => vboxOptionsFromEnv({ VITREA_VBOX_REQUEST_TIMEOUT: text }));
      expect(e.code).toBe('TH_ERR_VBOX_CONFIG');
      expect(e.message).toContain('VITREA_VBOX_REQUEST_TIMEOUT');
    }
    expect(configError(() => vboxOptionsFromEnv({ VITREA_VBOX_VERSION: 'v9' })).message).toContain('VITREA_VBOX_VERSION');
    expect(configError(() => vboxOptionsFromEnv({ VITREA_VBOX_PORT: '0' })).message).toMatch(/^VITREA_VBOX_PORT must be/);
  });

  test('maxReconnectAttempts: "unlimited" in the variable', () => {
    expect(vboxOptionsFromEnv({ VITREA_VBOX_MAX_RECONNECT_ATTEMPTS: 'unlimited' }).maxReconnectAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(vboxOptionsFromEnv({ VITREA_VBOX_MAX_RECONNECT_ATTEMPTS: '0' }).maxReconnectAttempts).toBe(0);
  });
});

describe('no built-in address', () => {
  test('no private-LAN address appears in the vBox runtime, CLI, README or docs (the vBox host must be given)', () => {
    const privateLan = /\b(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})\b/;
    expect(privateLan.test("host: '192.168.1.23'")).toBe(true);
    const offenders: string[] = [];
    let scanned = 0;
    const visit = (dir: string): void => {
      for (const entry of readdirSync(join(projectRoot, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) visit(path);
        else if (/\.(ts|md|mjs)$/.test(entry.name)) {
          scanned += 1;
          if (privateLan.test(readFileSync(join(projectRoot, path), 'utf8'))) offenders.push(path);
        }
      }
    };
    for (const dir of ['runtime/vbox', 'runtime/mock/vbox', 'cli/commands/vbox']) visit(dir);
    for (const file of ['cli/commands/mock/vbox.ts', 'docs/vbox-client.md', 'docs/vbox-spec.md']) {
      scanned += 1;
      if (privateLan.test(readFileSync(join(projectRoot, file), 'utf8'))) offenders.push(file);
    }
    if (privateLan.test(readFileSync(join(projectRoot, 'README.md'), 'utf8'))) offenders.push('README.md');
    expect(scanned).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
