import { resolveVboxOptions, vboxEnvName, VBOX_ENV_OPTIONS } from '../../runtime/vbox/options.js';
import { isThorsHammerError } from '../../runtime/errors.js';

const credentials = { username: 'admin', password: 'secret' };

function configError(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isThorsHammerError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a VboxConfigError');
}

describe('vBox option resolution (explicit → VITREA_VBOX_* → default)', () => {
  test('defaults of the §7 table and the project additions', () => {
    const o = resolveVboxOptions(credentials, {});
    expect(o).toMatchObject({
      host: '192.168.1.23',
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
      keyStatusAnyMessageId: false,
    });
  });

  test('env names are UPPER_SNAKE of the option', () => {
    expect(vboxEnvName('requestBufferVariance')).toBe('VITREA_VBOX_REQUEST_BUFFER_VARIANCE');
    expect(vboxEnvName('host')).toBe('VITREA_VBOX_HOST');
    expect(VBOX_ENV_OPTIONS.map((o) => o.variable)).toContain('VITREA_VBOX_SHOULD_RECONNECT');
  });

  test('explicit beats env beats default', () => {
    const env = { VITREA_VBOX_HOST: '10.0.0.9', VITREA_VBOX_PORT: '2000', VITREA_VBOX_USERNAME: 'envuser', VITREA_VBOX_PASSWORD: 'envpass' };
    const fromEnv = resolveVboxOptions({}, env);
    expect([fromEnv.host, fromEnv.port, fromEnv.username, fromEnv.password]).toEqual(['10.0.0.9', 2000, 'envuser', 'envpass']);
    const explicit = resolveVboxOptions({ host: 'vbox.local', port: 3000, username: 'u', password: 'p' }, env);
    expect([explicit.host, explicit.port, explicit.username, explicit.password]).toEqual(['vbox.local', 3000, 'u', 'p']);
  });

  test('0 and false are valid values, explicit and from env (reference defect §8.9)', () => {
    const explicit = resolveVboxOptions(
      { ...credentials, requestBufferVariance: 0, requestBuffer: 0, maxRetries: 0, shouldReconnect: false, heartbeatInterval: 0 },
      {
        VITREA_VBOX_REQUEST_BUFFER: '500',
        VITREA_VBOX_SHOULD_RECONNECT: 'true',
      },
    );
    expect(explicit).toMatchObject({ requestBufferVariance: 0, requestBuffer: 0, maxRetries: 0, shouldReconnect: false, heartbeatInterval: 0 });
    const env = resolveVboxOptions(credentials, {
      VITREA_VBOX_REQUEST_BUFFER_VARIANCE: '0',
      VITREA_VBOX_MAX_RETRIES: '0',
      VITREA_VBOX_SHOULD_RECONNECT: 'false',
      VITREA_VBOX_IGNORE_ACK_LOGS: '1',
    });
    expect(env).toMatchObject({ requestBufferVariance: 0, maxRetries: 0, shouldReconnect: false, ignoreAckLogs: true });
  });

  test('an empty variable counts as unset; an explicit empty string does not', () => {
    const o = resolveVboxOptions(credentials, { VITREA_VBOX_HOST: '', VITREA_VBOX_PORT: '', VITREA_VBOX_SHOULD_RECONNECT: '' });
    expect([o.host, o.port, o.shouldReconnect]).toEqual(['192.168.1.23', 11501, true]);
    expect(resolveVboxOptions({ username: '', password: '' }, { VITREA_VBOX_USERNAME: 'x', VITREA_VBOX_PASSWORD: 'y' }).username).toBe('');
  });

  test('booleans accept 1/true/TRUE (and 0/false/FALSE) only', () => {
    for (const word of ['1', 'true', 'TRUE']) expect(resolveVboxOptions(credentials, { VITREA_VBOX_SHOULD_RECONNECT: word }).shouldReconnect).toBe(true);
    for (const word of ['0', 'false', 'FALSE']) expect(resolveVboxOptions(credentials, { VITREA_VBOX_SHOULD_RECONNECT: word }).shouldReconnect).toBe(false);
    const e = configError(() => resolveVboxOptions(credentials, { VITREA_VBOX_SHOULD_RECONNECT: 'yes please' }));
    expect(e.code).toBe('TH_ERR_VBOX_CONFIG');
    expect(e.message).toContain('VITREA_VBOX_SHOULD_RECONNECT');
  });

  test('a non-finite numeric variable is an error naming the variable', () => {
    for (const text of ['abc', 'NaN', 'Infinity', '1e999', '12ms']) {
      const e = configError(() => resolveVboxOptions(credentials, { VITREA_VBOX_REQUEST_TIMEOUT: text }));
      expect(e.code).toBe('TH_ERR_VBOX_CONFIG');
      expect(e.message).toContain('VITREA_VBOX_REQUEST_TIMEOUT');
    }
  });

  test('maxReconnectAttempts: "unlimited" in env, Infinity in code, 0 allowed', () => {
    expect(resolveVboxOptions(credentials, { VITREA_VBOX_MAX_RECONNECT_ATTEMPTS: 'unlimited' }).maxReconnectAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(resolveVboxOptions(credentials, { VITREA_VBOX_MAX_RECONNECT_ATTEMPTS: '0' }).maxReconnectAttempts).toBe(0);
    expect(resolveVboxOptions({ ...credentials, maxReconnectAttempts: Number.POSITIVE_INFINITY }, {}).maxReconnectAttempts).toBe(Number.POSITIVE_INFINITY);
  });

  test('username and password are required, with a clear message', () => {
    const e = configError(() => resolveVboxOptions({ password: 'x' }, {}));
    expect(e.code).toBe('TH_ERR_VBOX_CONFIG');
    expect(e.message).toMatch(/username is required.*VITREA_VBOX_USERNAME/);
    const p = configError(() => resolveVboxOptions({ username: 'x' }, { VITREA_VBOX_PASSWORD: '' }));
    expect(p.message).toMatch(/password is required.*VITREA_VBOX_PASSWORD/);
  });

  test('out-of-range and mistyped values are refused', () => {
    expect(configError(() => resolveVboxOptions({ ...credentials, port: 70000 }, {})).message).toContain('port');
    expect(configError(() => resolveVboxOptions({ ...credentials, requestBufferVariance: 1.5 }, {})).message).toContain('requestBufferVariance');
    expect(configError(() => resolveVboxOptions({ ...credentials, requestTimeout: 0 }, {})).message).toContain('requestTimeout');
    expect(configError(() => resolveVboxOptions({ ...credentials, maxRetries: 1.5 }, {})).message).toContain('whole number');
    expect(configError(() => resolveVboxOptions({ ...credentials, version: 'v3' as never }, {})).message).toContain('v1, v2');
    expect(configError(() => resolveVboxOptions(credentials, { VITREA_VBOX_VERSION: 'v9' })).message).toContain('VITREA_VBOX_VERSION');
    expect(configError(() => resolveVboxOptions({ ...credentials, reconnectBaseDelay: 500, reconnectMaxDelay: 100 }, {})).message).toContain(
      'reconnectMaxDelay',
    );
    expect(configError(() => resolveVboxOptions({ ...credentials, requestTimeout: Number.NaN }, {})).message).toContain('finite');
  });

  test('derived defaults follow requestTimeout', () => {
    const o = resolveVboxOptions({ ...credentials, requestTimeout: 150 }, {});
    expect([o.partialFrameTimeout, o.connectTimeout]).toEqual([150, 150]);
    expect(resolveVboxOptions({ ...credentials, requestTimeout: 150, partialFrameTimeout: 0 }, {}).partialFrameTimeout).toBe(0);
  });

  test('resolved options are frozen', () => {
    const o = resolveVboxOptions(credentials, {});
    expect(Object.isFrozen(o)).toBe(true);
  });
});
