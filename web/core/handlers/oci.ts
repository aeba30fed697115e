import { parse as parseYaml } from 'yaml';
import { isThorsHammerError } from '../../../runtime/errors.js';
import { OciError, type OciResponse } from '../../../runtime/oci/client.js';
import { OciSessionPool } from '../../../runtime/oci/client/pool.js';
import { clientOptionsFor } from '../../../runtime/oci/connection-settings.js';
import { isReadOnlyRequest } from '../../../runtime/oci/names.js';
import { encodeCommand } from '../../../runtime/oci/codec.js';
import { responseFields, responseTables, toJsonValue } from '../../../runtime/oci/present.js';
import {
  type FieldAssignment,
  buildRequest,
  fieldMembers,
  formatBuildIssue,
  parseCliAssignment,
  prepareRequestType,
} from '../../../runtime/oci/request-builder.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import type { OciCommand } from '../../../runtime/oci/values.js';
import { takeOptions } from '../command.js';
import { WebCommandError, WebOciPasswordEnvError, WebOciProfileError, WebServerConfigError } from '../errors.js';
import { SECRET_MASK } from '../secrets.js';
import { isSecretField, redactFieldRows, redactOciText, redactOciValue, redactOciXml } from './oci-redact.js';
import { pickNamed } from './named.js';
import type { CommandText, Handler, JsonValue, ParsedCommand, RunContext } from '../types.js';

export { isSecretField, redactOciText, redactOciXml } from './oci-redact.js';

/**
 * `%oci%` (C.7): OCI-P requests against BroadWorks servers named in the user's profiles.
 * Requests are built by the runtime's request builder (the same as `hammer oci send`), so a
 * wrong field or value is a parse error (400) before anything is sent. Logged-in sessions are
 * kept per (user, profile) and reused across actions.
 */

/** One server profile of a user (`%config% set oci`). */
export interface OciProfile {
  /** `tcp://host:2208`, `tls://host:2209`, or the SOAP URL (`https://host/webservice/services/ProvisioningService`). */
  url: string;
  userId: string;
  /** Secret: encrypted at rest, never shown. */
  password?: string;
  /** Or: the environment variable of the server process that holds the password (only names the administrator allows: `passwordEnvAllowed`). */
  passwordEnv?: string;
  login?: 'auto' | 'hashed14sp4' | 'plain22V5';
  /** Skip TLS certificate checks (self-signed lab servers). */
  insecure?: boolean;
  /** PEM of the CA to trust. */
  ca?: string;
}

export interface OciUserConfig {
  defaultProfile?: string;
  profiles?: Record<string, OciProfile>;
}

/** Static configuration (webcli.yaml `handlers.oci.config`). */
export interface OciStaticConfig {
  /** Schema release for parsing and sending (default: the newest generated). */
  release?: string;
  /** Sessions per (user, profile) at most, i.e. parallel requests (default 4). */
  perProfileConcurrency?: number;
  /** Idle sessions close after this many ms (default 15 min). */
  idleCloseMs?: number;
  requestTimeoutMs?: number;
  /**
   * Environment variables of the server process that users may name as `passwordEnv`: exact
   * names, a prefix ending in `*` (`BW_LAB_*`), or `*` for any. Default none: `passwordEnv` is
   * refused. Names starting with THORS_WEBCLI_ are refused whatever the list says.
   */
  passwordEnvAllowed?: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The server's own settings (THORS_WEBCLI_HOME, …) are never a user's password, whatever the allowed list says. */
const SERVER_ENV_PREFIX = 'THORS_WEBCLI_';

/**
 * Which environment variables users may name as `passwordEnv`: without this rule any user could
 * have the server send any of its variables, as a password, to a server of their choosing.
 */
export class PasswordEnvPolicy {
  private readonly names: ReadonlySet<string>;
  private readonly prefixes: readonly string[];

  constructor(readonly allowed: readonly string[] = []) {
    for (const entry of allowed) {
      if (typeof entry !== 'string' || (entry !== '*' && !ENV_NAME.test(entry.endsWith('*') ? entry.slice(0, -1) : entry))) {
        throw new WebServerConfigError(
          `handlers.oci.config.passwordEnvAllowed: '${String(entry)}' is neither a variable name, a prefix ending in * (BW_LAB_*), nor *`,
          { key: 'handlers.oci.config.passwordEnvAllowed' },
        );
      }
    }
    this.names = new Set(allowed.filter((e) => !e.endsWith('*')));
    this.prefixes = allowed.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1));
  }

  allows(name: string): boolean {
    if (name.startsWith(SERVER_ENV_PREFIX)) return false;
    return this.names.has(name) || this.prefixes.some((p) => name.startsWith(p));
  }

  /** Throws TH_ERR_WEB_OCI_PASSWORD_ENV, naming the rule, unless `name` is allowed. */
  check(profile: string, name: string): void {
    if (this.allows(name)) return;
    const rule =
      this.allowed.length === 0
        ? 'the administrator allows none (handlers.oci.config.passwordEnvAllowed in webcli.yaml is empty)'
        : `the administrator allows only ${this.allowed.join(', ')} (handlers.oci.config.passwordEnvAllowed)${name.startsWith(SERVER_ENV_PREFIX) ? `, never ${SERVER_ENV_PREFIX}*` : ''}`;
    throw new WebOciPasswordEnvError(`profile ${profile}: passwordEnv ${name} is not allowed: ${rule}; give the password instead`, { profile, name });
  }
}

export const ociConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultProfile: { type: 'string', minLength: 1 },
    profiles: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['url', 'userId'],
        properties: {
          url: { type: 'string', pattern: '^(tcp|tls|https?)://' },
          userId: { type: 'string', minLength: 1 },
          password: { type: 'string' },
          passwordEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
          login: { enum: ['auto', 'hashed14sp4', 'plain22V5'] },
          insecure: { type: 'boolean' },
          ca: { type: 'string' },
        },
      },
    },
  },
} as const;

type OciRequest =
  | { op: 'profiles' }
  | { op: 'ping'; profile: string | null }
  | { op: 'describe'; type: string }
  | { op: 'send'; profile: string | null; type: string; command: OciCommand; mutating: boolean };

/** Errors after which the session is gone but the server may not have run the request: a read-only one is retried once. */
const LINK_LOST: ReadonlySet<string> = new Set([
  'TH_ERR_OCI_SERVER_LOGOUT',
  'TH_ERR_OCI_CONNECTION_LOST',
  'TH_ERR_OCI_TRANSPORT_CLOSED',
  'TH_ERR_OCI_NOT_CONNECTED',
  'TH_ERR_OCI_CONNECT',
]);

interface Session {
  pool: OciSessionPool;
  idleTimer?: NodeJS.Timeout;
  busy: number;
}

export function ociHandler(): Handler<OciRequest, OciUserConfig> & { sessionsOpen(): number; readonly stats: { logins: number } } {
  let settings: Required<Pick<OciStaticConfig, 'perProfileConcurrency' | 'idleCloseMs'>> & Pick<OciStaticConfig, 'requestTimeoutMs'> = {
    perProfileConcurrency: 4,
    idleCloseMs: 15 * 60_000,
  };
  // Known once started (from the static configuration); until then only a use can check a name.
  let passwordEnvPolicy: PasswordEnvPolicy | undefined;
  let schemaPromise: Promise<OciSchema> | undefined;
  const sessions = new Map<string, Session>();
  const stats = { logins: 0 };
  const schema = () => {
    schemaPromise ??= OciSchema.load(OciSchema.newestRelease());
    return schemaPromise;
  };

  async function parseSend(
    command: CommandText,
    name: string,
    nameOffset: number,
    fieldArgs: string[],
    fieldOffsets: number[],
    profile: string | null,
  ): Promise<ParsedCommand<OciRequest>> {
    const s = await schema();
    let resolved: Awaited<ReturnType<typeof prepareRequestType>>;
    try {
      resolved = await prepareRequestType(s, name);
    } catch (error) {
      throw new WebCommandError((error as Error).message, { position: nameOffset, code: 'TH_ERR_WEB_OCI_REQUEST', cause: error });
    }
    const assignments: FieldAssignment[] = [];
    if (command.body.trim() !== '') {
      let body: unknown;
      try {
        body = parseYaml(command.body);
      } catch (error) {
        throw new WebCommandError(`the body is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`, { position: command.bodyOffset });
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new WebCommandError('the body must be a mapping of request fields', { position: command.bodyOffset });
      // In the body null means xsi:nil (clear the field); a missing key leaves it unchanged.
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        if (key !== '$type') assignments.push({ path: key, value: value === null ? { kind: 'nil' } : { kind: 'json', value }, source: `body ${key}` });
      }
    }
    const overridden = new Set<string>();
    const fromArgs: FieldAssignment[] = [];
    fieldArgs.forEach((arg, i) => {
      try {
        const a = parseCliAssignment(arg);
        fromArgs.push(a);
        overridden.add(a.path.split(/[.[]/)[0]!);
      } catch (error) {
        throw new WebCommandError((error as Error).message, { position: fieldOffsets[i], code: 'TH_ERR_WEB_OCI_REQUEST', cause: error });
      }
    });
    const all = [...assignments.filter((a) => !overridden.has(a.path.split(/[.[]/)[0]!)), ...fromArgs];
    const { command: built, issues } = buildRequest(s, resolved.type, all);
    if (issues.length > 0) {
      const first = issues[0]!;
      const at = first.source ? fieldArgs.indexOf(first.source) : -1;
      const more = issues.length > 1 ? `; and ${issues.length - 1} more: ${issues.slice(1).map(formatBuildIssue).join('; ')}` : '';
      throw new WebCommandError(`${resolved.type}: ${formatBuildIssue(first)}${more}`, {
        position: at >= 0 ? fieldOffsets[at] : nameOffset,
        code: 'TH_ERR_WEB_OCI_REQUEST',
        context: { issues },
      });
    }
    const mutating = !isReadOnlyRequest(s, resolved.type);
    return { request: { op: 'send', profile, type: resolved.type, command: built, mutating }, mutating };
  }

  function profileOf(config: OciUserConfig, wanted: string | null): { name: string; profile: OciProfile; password: string } {
    const { name, entry: profile } = pickNamed(config.profiles, wanted, config.defaultProfile, {
      noun: 'OCI-P profile',
      plural: 'profiles',
      defaultKey: 'defaultProfile',
      option: 'profile',
      noneConfigured:
        'no OCI-P profile configured: run %config% set oci with {"profiles": {"lab": {"url": "tcp://127.0.0.1:2208", "userId": "admin", "password": "…"}}}',
    });
    // Checked again when used (checkConfig runs only when saved): the stored configuration may
    // predate the administrator's list, and only the profile in use is refused.
    if (profile.password === undefined && profile.passwordEnv !== undefined) (passwordEnvPolicy ?? new PasswordEnvPolicy()).check(name, profile.passwordEnv);
    const password = profile.password ?? (profile.passwordEnv ? process.env[profile.passwordEnv] : undefined);
    if (password === undefined) throw new WebOciProfileError(`profile ${name} has no password (set password, or passwordEnv naming a variable of the server)`);
    return { name, profile, password };
  }

  async function sessionFor(userId: number, name: string, profile: OciProfile, password: string): Promise<Session> {
    // The key covers everything the login depends on, so a changed profile gets a new session
    // (the password is in it as it is in the session itself: kept in this process's memory only).
    const key = `${userId}\u0000${name}\u0000${JSON.stringify([profile.url, profile.userId, password, profile.login, profile.insecure, profile.ca])}`;
    let session = sessions.get(key);
    if (!session) {
      for (const [k, old] of sessions)
        if (k.startsWith(`${userId}\u0000${name}\u0000`)) {
          sessions.delete(k);
          void old.pool.close();
        }
      session = {
        pool: new OciSessionPool({
          size: settings.perProfileConcurrency,
          ...clientOptionsFor({ ...profile, password, requestTimeoutMs: settings.requestTimeoutMs }),
          schema: schema(),
          // parse() built every request with buildRequest, which validated it against the schema
          // (a bad one is a 400 before anything is stored); the client need not check it again.
          validate: false,
        }),
        busy: 0,
      };
      sessions.set(key, session);
    }
    return session;
  }

  async function withSession<T>(session: Session, fn: (pool: OciSessionPool) => Promise<T>): Promise<T> {
    clearTimeout(session.idleTimer);
    session.busy++;
    const before = session.pool.stats.logins;
    try {
      return await fn(session.pool);
    } finally {
      stats.logins += session.pool.stats.logins - before;
      session.busy--;
      if (session.busy === 0) {
        session.idleTimer = setTimeout(() => {
          for (const [k, s] of sessions) if (s === session) sessions.delete(k);
          void session.pool.close();
        }, settings.idleCloseMs);
        session.idleTimer.unref();
      }
    }
  }

  async function exchangeXml(request: OciCommand, response: OciCommand | undefined): Promise<string> {
    const s = await schema();
    const encode = (c: OciCommand) => {
      try {
        return encodeCommand(s, c);
      } catch {
        return JSON.stringify(redactOciValue(toJsonValue(c)));
      }
    };
    return redactOciXml(`<!-- request -->\n${encode(request)}\n<!-- response -->\n${response ? encode(response) : '(none)'}\n`);
  }

  async function render(context: RunContext, response: OciResponse): Promise<void> {
    if (response.$type === 'SuccessResponse') {
      await context.emit.text('OK (SuccessResponse)');
      return;
    }
    const fields = redactFieldRows(responseFields(response as OciCommand).filter(([k]) => k !== '$type'));
    if (fields.length > 0) {
      await context.emit.table({
        title: response.$type,
        columns: [
          { key: 'field', label: 'Field' },
          { key: 'value', label: 'Value' },
        ],
        rows: fields,
      });
    }
    const tables = responseTables(response as OciCommand);
    for (const table of tables) {
      await context.emit.table(
        {
          title: `${response.$type}.${table.path}`,
          columns: table.keys.map((key, i) => ({ key, label: table.headings[i]! })),
          rows: table.records.map((r) => table.keys.map((k) => (isSecretField(k) ? SECRET_MASK : (r[k] ?? '')))),
        },
        { csv: `${table.path.replace(/[^\w.-]+/g, '_')}.csv` },
      );
    }
    if (fields.length === 0 && tables.length === 0) await context.emit.text(`${response.$type} (no fields)`);
  }

  return {
    name: 'oci',
    verbs: ['oci'],
    synopsis: '%oci% [--profile p] <RequestName> key=value … (or profiles | ping | describe <RequestName>)',
    help: [
      'Sends one OCI-P request to the BroadWorks server of a profile and shows the answer.',
      '',
      '- `%oci% UserGetRequest22 userId=john@example.com`: fields as `key=value` (text, converted by the field type) or `key:=json`; dotted keys for nested fields (`address.city=Paris`), a repeated key or `[n]` for lists. A family name (`UserGetRequest`) or `Family@latest` means the newest version.',
      '- A YAML or JSON mapping on the lines after the first gives nested or long requests; there `null` clears a field (xsi:nil), a missing key leaves it unchanged.',
      '- `%oci% profiles`: your profiles; `%oci% ping [--profile p]`: log in; `%oci% describe <RequestName>`: its fields.',
      '',
      'Profiles: `%config% set oci` with `{"defaultProfile": "lab", "profiles": {"lab": {"url": "tcp://127.0.0.1:2208", "userId": "admin", "password": "…"}}}`. Passwords are encrypted at rest and never shown. `"passwordEnv": "NAME"` instead of `password` takes it from a variable of the server, for the names the administrator allows only.',
      'Secret values you type (passwords, passcodes, in any form) are masked in the stored question. Tables come with a CSV download; every exchange is shown as XML with secret values redacted.',
    ].join('\n'),
    configSchema: ociConfigSchema as unknown as Record<string, unknown>,
    secretKeys: ['password'],
    checkConfig(config: OciUserConfig): void {
      // Not started (a CLI reading stored configurations): the server's list is unknown here; the use checks.
      if (!passwordEnvPolicy) return;
      for (const [name, profile] of Object.entries(config.profiles ?? {}))
        if (profile.passwordEnv !== undefined) passwordEnvPolicy.check(name, profile.passwordEnv);
    },
    mayMutate: true,
    defaultTimeoutMs: 120_000,
    sessionsOpen: () => sessions.size,
    stats,
    start(_services, staticConfig) {
      const c = (staticConfig ?? {}) as OciStaticConfig;
      if (c.passwordEnvAllowed !== undefined && !Array.isArray(c.passwordEnvAllowed)) {
        throw new WebServerConfigError('handlers.oci.config.passwordEnvAllowed must be a list of variable names', {
          key: 'handlers.oci.config.passwordEnvAllowed',
        });
      }
      passwordEnvPolicy = new PasswordEnvPolicy(c.passwordEnvAllowed ?? []);
      settings = {
        perProfileConcurrency: c.perProfileConcurrency ?? 4,
        idleCloseMs: c.idleCloseMs ?? 15 * 60_000,
        requestTimeoutMs: c.requestTimeoutMs,
      };
      // Every module of the release is loaded now, before the server listens: loaded lazily, the
      // first request would wait (with every action submitted meanwhile) for the bindings to compile.
      schemaPromise = OciSchema.load(c.release ?? OciSchema.newestRelease(), { eager: true });
      return schemaPromise.then(() => undefined);
    },
    async stop() {
      const all = [...sessions.values()];
      sessions.clear();
      for (const s of all) clearTimeout(s.idleTimer);
      await Promise.all(all.map((s) => s.pool.close()));
    },
    redactText: redactOciText,
    redact(request: OciRequest): JsonValue {
      return request.op === 'send' ? { ...request, command: redactOciValue(toJsonValue(request.command)) } : request;
    },
    async parse(command: CommandText): Promise<ParsedCommand<OciRequest>> {
      const { options, positional, positionalOffsets } = takeOptions(command, { profile: 'string' });
      const profile = typeof options.profile === 'string' ? options.profile : null;
      const [first, ...rest] = positional;
      if (!first) throw new WebCommandError('usage: %oci% [--profile p] <RequestName> key=value … (see %help% oci)', { position: command.raw.indexOf('%') });
      if (first === 'profiles') {
        if (rest.length) throw new WebCommandError(`unexpected argument '${rest[0]}'`, { position: positionalOffsets[1] });
        return { request: { op: 'profiles' }, mutating: false };
      }
      if (first === 'ping') {
        if (rest.length) throw new WebCommandError(`unexpected argument '${rest[0]}'`, { position: positionalOffsets[1] });
        return { request: { op: 'ping', profile }, mutating: false };
      }
      if (first === 'describe') {
        if (rest.length !== 1) throw new WebCommandError('usage: %oci% describe <RequestName>', { position: positionalOffsets[1] ?? positionalOffsets[0] });
        const s = await schema();
        try {
          const resolved = await prepareRequestType(s, rest[0]!);
          return { request: { op: 'describe', type: resolved.type }, mutating: false };
        } catch (error) {
          throw new WebCommandError((error as Error).message, { position: positionalOffsets[1], code: 'TH_ERR_WEB_OCI_REQUEST', cause: error });
        }
      }
      return parseSend(command, first, positionalOffsets[0]!, rest, positionalOffsets.slice(1), profile);
    },
    async run(context: RunContext<OciUserConfig>, request: OciRequest): Promise<void> {
      if (request.op === 'profiles') {
        const profiles = context.config.profiles ?? {};
        await context.emit.table({
          title: 'OCI-P profiles',
          columns: ['profile', 'url', 'userId', 'password', 'default'],
          rows: Object.entries(profiles).map(([name, p]) => [
            name,
            p.url,
            p.userId,
            p.password !== undefined ? SECRET_MASK : p.passwordEnv ? `$${p.passwordEnv}` : '(none)',
            name === context.config.defaultProfile ? 'yes' : '',
          ]),
        });
        return;
      }
      if (request.op === 'describe') {
        const s = await schema();
        const members = fieldMembers(s, request.type);
        await context.emit.table({
          title: request.type,
          columns: ['field', 'holds', 'list', 'attribute'],
          rows: members.map((m) => [m.name, m.holds, m.list ? 'yes' : '', m.attribute ? 'yes' : '']),
        });
        return;
      }
      const { name, profile, password } = profileOf(context.config, request.profile);
      const session = await sessionFor(context.user.id, name, profile, password);
      if (request.op === 'ping') {
        await withSession(session, (pool) => pool.connect());
        await context.emit.text(`logged in to ${profile.url} as ${profile.userId} (profile ${name})`);
        return;
      }
      context.signal.throwIfAborted();
      const send = () => withSession(session, (pool) => pool.send(request.command));
      let response: OciResponse;
      try {
        try {
          response = await send();
        } catch (error) {
          // A dropped link: one more try, only for a request that does not change data.
          if (error instanceof OciError || request.mutating || context.signal.aborted || !isThorsHammerError(error) || !LINK_LOST.has(error.code)) throw error;
          context.log.warn('oci: link lost, retrying a read-only request once', { code: error.code });
          response = await send();
        }
      } catch (error) {
        if (error instanceof OciError) await context.emit.xml(await exchangeXml(request.command, error.response as unknown as OciCommand));
        throw error;
      }
      // Not awaited one by one: the exchange and the first chunks of the answer are stored together (one batch).
      await Promise.all([context.emit.xml(await exchangeXml(request.command, response as OciCommand)), render(context, response)]);
    },
  };
}
