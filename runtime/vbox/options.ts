import type { Socket } from 'node:net';
import { VboxConfigError } from './client-errors.js';

/**
 * vBox client options (protocol reference §7). The client takes options only: an option that
 * is `undefined` gets its default (`0` and `false` are valid values), and the client never reads
 * the environment. Front ends that want the `VITREA_VBOX_<UPPER_SNAKE(option)>` variables
 * (the CLI does) turn them into options with {@link vboxOptionsFromEnv} and pass them in.
 */

/** Response layout set; chosen by configuration only, never detected on the wire. */
export type VboxProtocolVersion = 'v1' | 'v2';

/** Optional logger; every method is optional and the default logs nothing. */
export interface VboxLogger {
  debug?(message: string, context?: Record<string, unknown>): void;
  info?(message: string, context?: Record<string, unknown>): void;
  warn?(message: string, context?: Record<string, unknown>): void;
  error?(message: string, context?: Record<string, unknown>): void;
}

/** Builds the (unconnected) socket the client connects with; for tests, proxies or tunnels. */
export type VboxSocketFactory = (target: { host: string; port: number }) => Socket;

/** Options accepted by `new VboxClient(options)`. `host`, `username` and `password` are required. */
export interface VboxClientOptions {
  /** vBox address (name or IP). Required: there is no default address. */
  host?: string;
  /** vBox app port. Default `11501`. */
  port?: number;
  /** Login user. Required. */
  username?: string;
  /** Login password. Required. Sent in clear text, as the protocol does. */
  password?: string;
  /** Response layouts: `v2` (default) or `v1`. */
  version?: VboxProtocolVersion;
  /** Idle milliseconds without an outgoing write before a Heartbeat is sent. Default 3000; 0 disables it. */
  heartbeatInterval?: number;
  /** Milliseconds each attempt waits for its reply. Default 1000. */
  requestTimeout?: number;
  /** Pause between two requests, in milliseconds. Default 250. */
  requestBuffer?: number;
  /** Random variation of the pause, as a fraction (0.15 = ±15 %). Default 0.15. */
  requestBufferVariance?: number;
  /** Extra attempts after a timeout (never after a NACK or a lost link). Default 3. */
  maxRetries?: number;
  /** Reconnect by itself after any link loss. Default true. */
  shouldReconnect?: boolean;
  /** Do not log every ACK at debug level. Default false. */
  ignoreAckLogs?: boolean;
  /** First reconnection delay in milliseconds; doubles on every failed attempt. Default 1000. */
  reconnectBaseDelay?: number;
  /** Upper bound of the reconnection delay. Default 30000. */
  reconnectMaxDelay?: number;
  /** Random variation of each reconnection delay, as a fraction. Default 0.1. */
  reconnectJitter?: number;
  /** Failed reconnection attempts before giving up. Default unlimited (`Infinity`; env: `unlimited`). */
  maxReconnectAttempts?: number;
  /** Consecutive unanswered heartbeats that mark the link dead. Default 2. */
  heartbeatMaxMisses?: number;
  /** A partial frame stalled this long is dropped. Default `requestTimeout`; 0 never drops. */
  partialFrameTimeout?: number;
  /** `lenient` (default) decodes count/length mismatches and flags them; `strict` rejects them. */
  strictness?: 'lenient' | 'strict';
  /** TCP connect timeout in milliseconds. Default `requestTimeout`. */
  connectTimeout?: number;
  /**
   * Longest wait in milliseconds from a request being asked for until it is written (the client
   * reconnecting, or a busy queue). Past it the request is removed, never sent later, and rejects
   * with VboxQueueTimeoutError. At most 2^31 − 1 (a Node timer's limit). Default
   * `requestTimeout × (maxRetries + 1)`: the time a written request's attempts may wait for their
   * replies, not counting the short back-off before each retry (50 to 250 ms).
   */
  queueTimeout?: number;
  /**
   * Also resolve a KeyStatus request with a `29` for the same node and key carrying another msgId
   * (real devices' push msgIds are unknown). Default false: msgId, node and key must all match.
   */
  keyStatusAnyMessageId?: boolean;
  /** Where diagnostics go. Default: nowhere. Code only. */
  logger?: VboxLogger;
  /** Socket factory. Default: a plain `net.Socket`. Code only. */
  socketFactory?: VboxSocketFactory;
}

/** Options after resolution: every value present and validated. */
export interface ResolvedVboxOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly version: VboxProtocolVersion;
  readonly heartbeatInterval: number;
  readonly requestTimeout: number;
  readonly requestBuffer: number;
  readonly requestBufferVariance: number;
  readonly maxRetries: number;
  readonly shouldReconnect: boolean;
  readonly ignoreAckLogs: boolean;
  readonly reconnectBaseDelay: number;
  readonly reconnectMaxDelay: number;
  readonly reconnectJitter: number;
  readonly maxReconnectAttempts: number;
  readonly heartbeatMaxMisses: number;
  readonly partialFrameTimeout: number;
  readonly strictness: 'lenient' | 'strict';
  readonly connectTimeout: number;
  readonly queueTimeout: number;
  readonly keyStatusAnyMessageId: boolean;
  readonly logger: VboxLogger;
  readonly socketFactory?: VboxSocketFactory;
}

type OptionKind =
  | { kind: 'string' }
  | { kind: 'number'; min: number; max?: number; integer?: boolean; minExclusive?: boolean; unlimited?: boolean }
  | { kind: 'boolean' }
  | { kind: 'choice'; values: readonly string[] };

interface OptionSpec {
  readonly name: keyof VboxClientOptions & keyof ResolvedVboxOptions;
  readonly type: OptionKind;
  /** Default value; a function derives it from already-resolved options; undefined = required. */
  readonly fallback?: unknown | ((resolved: Record<string, unknown>) => unknown);
}

/** Longest delay a Node timer keeps (2^31 − 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const integer = (min: number, max?: number): OptionKind => ({ kind: 'number', min, max, integer: true });
/** A timer delay (0 allowed). */
const milliseconds: OptionKind = { kind: 'number', min: 0, max: MAX_TIMER_MS };
/** A timer delay that must be over 0. */
const positiveMilliseconds: OptionKind = { kind: 'number', min: 0, minExclusive: true, max: MAX_TIMER_MS };
const fraction: OptionKind = { kind: 'number', min: 0, max: 1 };

/** §7 plus the project additions, in resolution order (later defaults may depend on earlier values). */
const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'host', type: { kind: 'string' } },
  { name: 'port', type: integer(1, 65535), fallback: 11501 },
  { name: 'username', type: { kind: 'string' } },
  { name: 'password', type: { kind: 'string' } },
  { name: 'version', type: { kind: 'choice', values: ['v1', 'v2'] }, fallback: 'v2' },
  { name: 'heartbeatInterval', type: milliseconds, fallback: 3000 },
  { name: 'requestTimeout', type: positiveMilliseconds, fallback: 1000 },
  { name: 'requestBuffer', type: milliseconds, fallback: 250 },
  { name: 'requestBufferVariance', type: fraction, fallback: 0.15 },
  { name: 'maxRetries', type: integer(0), fallback: 3 },
  { name: 'shouldReconnect', type: { kind: 'boolean' }, fallback: true },
  { name: 'ignoreAckLogs', type: { kind: 'boolean' }, fallback: false },
  { name: 'reconnectBaseDelay', type: milliseconds, fallback: 1000 },
  { name: 'reconnectMaxDelay', type: milliseconds, fallback: 30000 },
  { name: 'reconnectJitter', type: fraction, fallback: 0.1 },
  { name: 'maxReconnectAttempts', type: { kind: 'number', min: 0, integer: true, unlimited: true }, fallback: Number.POSITIVE_INFINITY },
  { name: 'heartbeatMaxMisses', type: integer(1), fallback: 2 },
  { name: 'partialFrameTimeout', type: milliseconds, fallback: (r: Record<string, unknown>) => r.requestTimeout },
  { name: 'strictness', type: { kind: 'choice', values: ['lenient', 'strict'] }, fallback: 'lenient' },
  { name: 'connectTimeout', type: positiveMilliseconds, fallback: (r: Record<string, unknown>) => r.requestTimeout },
  {
    name: 'queueTimeout',
    type: positiveMilliseconds,
    fallback: (r: Record<string, unknown>) => Math.min(MAX_TIMER_MS, (r.requestTimeout as number) * ((r.maxRetries as number) + 1)),
  },
  { name: 'keyStatusAnyMessageId', type: { kind: 'boolean' }, fallback: false },
];

/** `requestBufferVariance` → `VITREA_VBOX_REQUEST_BUFFER_VARIANCE`. */
export function vboxEnvName(option: string): string {
  return `VITREA_VBOX_${option.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

const TRUE_WORDS = new Set(['1', 'true', 'TRUE']);
const FALSE_WORDS = new Set(['0', 'false', 'FALSE']);

/** Turns an environment string into the option's type, or throws a VboxConfigError naming the variable. */
function parseEnvValue(spec: OptionSpec, variable: string, text: string): unknown {
  const type = spec.type;
  switch (type.kind) {
    case 'string':
      return text;
    case 'boolean':
      if (TRUE_WORDS.has(text.trim())) return true;
      if (FALSE_WORDS.has(text.trim())) return false;
      throw new VboxConfigError(`${variable} must be 1, true or TRUE (or 0, false, FALSE); got ${JSON.stringify(text)}`, {
        variable,
        value: text,
      });
    case 'choice':
      return text.trim();
    case 'number': {
      if (type.unlimited && /^\s*(unlimited|infinity)\s*$/i.test(text)) return Number.POSITIVE_INFINITY;
      const value = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(value)) {
        throw new VboxConfigError(`${variable} must be a finite number; got ${JSON.stringify(text)}`, { variable, value: text });
      }
      return value;
    }
  }
}

/** Checks a value (explicit or from the environment) against its option's type and range. */
function validate(spec: OptionSpec, value: unknown, origin: string): unknown {
  const type = spec.type;
  const fail = (expectation: string): never => {
    throw new VboxConfigError(`${origin} must be ${expectation}; got ${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))}`, {
      option: spec.name,
      value,
    });
  };
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') fail('a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false');
      return value;
    case 'choice':
      if (typeof value !== 'string' || !type.values.includes(value)) fail(`one of ${type.values.join(', ')}`);
      return value;
    case 'number': {
      const isUnlimited = type.unlimited && value === Number.POSITIVE_INFINITY;
      if (typeof value !== 'number' || Number.isNaN(value) || (!Number.isFinite(value) && !isUnlimited)) {
        fail(type.unlimited ? 'a number (or Infinity)' : 'a finite number');
      }
      const n = value as number;
      if (!isUnlimited && type.integer && !Number.isInteger(n)) fail('a whole number');
      const low = `${type.minExclusive ? '>' : '≥'} ${type.min}`;
      const range = type.max === undefined ? low : type.minExclusive ? `${low} and ≤ ${type.max}` : `between ${type.min} and ${type.max}`;
      if (type.minExclusive ? n <= type.min : n < type.min) fail(`a number ${range}`);
      if (type.max !== undefined && n > type.max) fail(`a number ${range}`);
      return n;
    }
  }
}

/**
 * Checks one value of an option against its spec (type and range), as resolveVboxOptions does;
 * throws VboxConfigError naming `origin`. For values given later, e.g. a per-request `queueTimeout`.
 */
export function checkVboxOption(name: keyof VboxClientOptions & keyof ResolvedVboxOptions, value: unknown, origin = `option ${name}`): void {
  const spec = OPTION_SPECS.find((s) => s.name === name);
  if (spec === undefined) throw new VboxConfigError(`unknown option ${name}`, { option: name });
  validate(spec, value, origin);
}

/**
 * Resolves client options: the explicit option, else the default. Throws VboxConfigError
 * (TH_ERR_VBOX_CONFIG) naming the option for a missing host, username or password and for a
 * mistyped or out-of-range value. Reads no environment variable.
 */
export function resolveVboxOptions(options: VboxClientOptions = {}): ResolvedVboxOptions {
  const resolved: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const explicit = options[spec.name];
    if (explicit !== undefined) {
      resolved[spec.name] = validate(spec, explicit, `option ${spec.name}`);
      continue;
    }
    if (spec.fallback === undefined) {
      throw new VboxConfigError(`option ${spec.name} is required (the vBox client has no default ${spec.name})`, { option: spec.name });
    }
    resolved[spec.name] = typeof spec.fallback === 'function' ? (spec.fallback as (r: Record<string, unknown>) => unknown)(resolved) : spec.fallback;
  }
  if ((resolved.reconnectMaxDelay as number) < (resolved.reconnectBaseDelay as number)) {
    throw new VboxConfigError(
      `reconnectMaxDelay (${String(resolved.reconnectMaxDelay)}) must not be smaller than reconnectBaseDelay (${String(resolved.reconnectBaseDelay)})`,
      { reconnectMaxDelay: resolved.reconnectMaxDelay, reconnectBaseDelay: resolved.reconnectBaseDelay },
    );
  }
  resolved.logger = options.logger ?? {};
  if (options.socketFactory !== undefined) resolved.socketFactory = options.socketFactory;
  return Object.freeze(resolved) as unknown as ResolvedVboxOptions;
}

/**
 * Reads the `VITREA_VBOX_*` variables of `env` into client options, for front ends (the CLI)
 * that offer them; the client itself never calls this. Unset and empty variables are left out,
 * so explicit options can be spread over the result. Throws VboxConfigError naming the variable
 * for a value that is not a finite number, not a boolean word (`1`/`true`/`TRUE`,
 * `0`/`false`/`FALSE`) or out of range.
 */
export function vboxOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): VboxClientOptions {
  const options: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const variable = vboxEnvName(spec.name);
    const text = env[variable];
    if (text === undefined || text === '') continue;
    options[spec.name] = validate(spec, parseEnvValue(spec, variable, text), variable);
  }
  return options as VboxClientOptions;
}

/**
 * Every option {@link vboxOptionsFromEnv} reads, with its variable and its default (for docs
 * and `--help`); `required` marks host, username and password, which have none.
 */
export const VBOX_ENV_OPTIONS: ReadonlyArray<{ option: keyof VboxClientOptions; variable: string; required: boolean; defaultValue?: unknown }> =
  OPTION_SPECS.map((spec) => ({
    option: spec.name,
    variable: vboxEnvName(spec.name),
    required: spec.fallback === undefined,
    ...(spec.fallback === undefined || typeof spec.fallback === 'function' ? {} : { defaultValue: spec.fallback }),
  }));
