import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { WebServerConfigError } from '../core/errors.js';
import { DEFAULT_SCHEDULER_LIMITS } from './service.js';

/**
 * Server configuration (C.13): `webcli.yaml` in the home directory named by THORS_WEBCLI_HOME
 * (default `./data/webcli`). Relative paths resolve against the home directory. Every leaf
 * key can be overridden by an environment variable: `THORS_WEBCLI_` + the key path in upper
 * snake case (`listen.port` → `THORS_WEBCLI_LISTEN_PORT`, `auth.tokenLifetime` →
 * `THORS_WEBCLI_AUTH_TOKEN_LIFETIME`).
 */

export const HOME_ENV = 'THORS_WEBCLI_HOME';
export const CONFIG_FILE = 'webcli.yaml';

export interface WebCliConfig {
  home: string;
  listen: { host: string; port: number };
  /** Public origin for the Origin check and Secure cookies; default http://<listen host>:<port>. */
  publicUrl: string;
  database: { url: string };
  auth: { jwtKeyFile: string; tokenLifetime: string; cookieName: string };
  secrets: { keyFile: string };
  output: { tableRowCap: number; inlineTextLimit: number };
  uploads: { maxBytes: number; ttl: string };
  scheduler: { maxRunning: number; maxPerUser: number; defaultTimeout: string; cancelGrace: string };
  /** Static page bundle (built by Vite); relative to the package root unless absolute. */
  page: { dist: string };
  /** Per handler: `enabled` (default true) and its static configuration. */
  handlers: Record<string, { enabled?: boolean; config?: Record<string, unknown> }>;
}

const PACKAGE_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

export function defaultConfig(home: string): WebCliConfig {
  return {
    home,
    listen: { host: '127.0.0.1', port: 8000 },
    publicUrl: '',
    database: { url: 'sqlite:webcli.db' },
    auth: { jwtKeyFile: 'keys/jwt.key', tokenLifetime: '12h', cookieName: 'th_session' },
    secrets: { keyFile: 'keys/secrets.key' },
    output: { tableRowCap: 500, inlineTextLimit: 1024 * 1024 },
    uploads: { maxBytes: 20 * 1024 * 1024, ttl: '24h' },
    scheduler: { ...DEFAULT_SCHEDULER_LIMITS, defaultTimeout: '10m', cancelGrace: '10s' },
    page: { dist: join(PACKAGE_ROOT, 'web', 'page', 'dist') },
    handlers: {},
  };
}

/** `THORS_WEBCLI_LISTEN_PORT` for `listen.port`. */
export function envNameOf(path: string): string {
  return `THORS_WEBCLI_${path
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/\./g, '_')
    .toUpperCase()}`;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(source)) {
    const p = path ? `${path}.${key}` : key;
    const current = target[key];
    if (key === 'handlers') {
      target[key] = value;
      continue;
    }
    if (current === undefined) throw new WebServerConfigError(`unknown configuration key ${p}`, { key: p });
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WebServerConfigError(`${p} must be a mapping`, { key: p });
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>, p);
    } else {
      if (typeof value !== typeof current) throw new WebServerConfigError(`${p} must be a ${typeof current}, got ${JSON.stringify(value)}`, { key: p });
      target[key] = value;
    }
  }
}

function applyEnv(target: Record<string, unknown>, env: NodeJS.ProcessEnv, path: string): void {
  for (const [key, current] of Object.entries(target)) {
    if (key === 'home' || key === 'handlers') continue;
    const p = path ? `${path}.${key}` : key;
    if (current !== null && typeof current === 'object') {
      applyEnv(current as Record<string, unknown>, env, p);
      continue;
    }
    const raw = env[envNameOf(p)];
    if (raw === undefined) continue;
    if (typeof current === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new WebServerConfigError(`${envNameOf(p)} must be a number, got '${raw}'`, { key: p });
      target[key] = n;
    } else target[key] = raw;
  }
}

/** Loads the configuration: defaults, then the YAML file (when present), then the environment. */
export function loadConfig(options: { home?: string; file?: string; env?: NodeJS.ProcessEnv; listen?: { host?: string; port?: number } } = {}): WebCliConfig {
  const env = options.env ?? process.env;
  const home = resolve(options.home ?? env[HOME_ENV] ?? join(process.cwd(), 'data', 'webcli'));
  const config = defaultConfig(home);
  const file = options.file ? resolve(options.file) : join(home, CONFIG_FILE);
  if (options.file && !existsSync(file)) throw new WebServerConfigError(`configuration file ${file} does not exist`, { file });
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new WebServerConfigError(`cannot read ${file}: ${(error as Error).message}`, { file });
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new WebServerConfigError(`${file} must hold a mapping`, { file });
      mergeInto(config as unknown as Record<string, unknown>, parsed as Record<string, unknown>, '');
    }
  }
  applyEnv(config as unknown as Record<string, unknown>, env, '');
  if (options.listen?.host !== undefined) config.listen.host = options.listen.host;
  if (options.listen?.port !== undefined) config.listen.port = options.listen.port;
  if (!config.publicUrl) config.publicUrl = `http://${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${config.listen.port}`;
  return config;
}

/** A path of the configuration resolved against the home directory. */
export function homePath(config: WebCliConfig, path: string): string {
  return isAbsolute(path) ? path : join(config.home, path);
}

/** The database URL with a relative SQLite file resolved against the home directory. */
export function databaseUrl(config: WebCliConfig): string {
  const url = config.database.url;
  const m = /^sqlite:(?!:memory:)(.+)$/.exec(url);
  return m ? `sqlite:${homePath(config, m[1]!)}` : url;
}

/** `12h`, `30m`, `90s`, `500ms`, or a number of seconds → milliseconds. */
export function durationMs(text: string, key: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(text).trim());
  if (!m) throw new WebServerConfigError(`${key} must be a duration such as 12h, 30m or 90s, got '${text}'`, { key });
  const unit = m[2] ?? 's';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  return Math.round(Number(m[1]) * factor);
}

/** Reads a key file; `create` makes a random one (mode 0600) when it is missing (init-db, B3). */
export function readKeyFile(path: string, bytes: number, create: boolean): Buffer {
  if (!existsSync(path)) {
    if (!create) throw new WebServerConfigError(`key file ${path} is missing: run \`hammer webcli init-db\` first`, { path });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(bytes).toString('base64'), { mode: 0o600 });
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length < bytes) throw new WebServerConfigError(`key file ${path} must hold ${bytes} random bytes in base64`, { path });
  return key.subarray(0, bytes);
}
