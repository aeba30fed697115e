import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { OciClient, type OciResponse, newestGeneratedRelease } from '../../../runtime/oci/client.js';
import { LOGIN_STRATEGIES, type LoginStrategy } from '../../../runtime/oci/client/login.js';
import type { OciLogger } from '../../../runtime/oci/client/logging.js';
import { elementsOf, tableElementsOf } from '../../../runtime/oci/client/paging.js';
import type { OciCommand } from '../../../runtime/oci/codec.js';
import { OciUnknownTypeError } from '../../../runtime/oci/errors.js';
import type { ElementMeta } from '../../../runtime/oci/meta.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { type OciTable, tableToCsv } from '../../../runtime/oci/table.js';

/** Bad command-line input for `hammer oci send` (TH_ERR_OCI_SEND_ARGS). */
export class OciSendArgumentError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_SEND_ARGS', message, { context });
  }
}

interface SendArgs {
  command: string;
  fields?: string[];
  url: string;
  user: string;
  password?: string;
  release?: string;
  format: 'table' | 'json' | 'csv';
  login: LoginStrategy;
  insecure: boolean;
  ca?: string;
  json?: string;
  timeout?: number;
  'allow-plain-password': boolean;
  verbose: boolean;
}

const NUMERIC = new Set([
  'xs:int',
  'xs:long',
  'xs:integer',
  'xs:short',
  'xs:byte',
  'xs:decimal',
  'xs:float',
  'xs:double',
  'xs:nonNegativeInteger',
  'xs:positiveInteger',
  'xs:unsignedInt',
  'xs:unsignedShort',
  'xs:unsignedLong',
  'xs:nonPositiveInteger',
  'xs:negativeInteger',
]);

const command: CommandModule<object, SendArgs> = {
  command: 'send <command> [fields..]',
  describe: 'Send one OCI-P command to a server and print the answer',
  builder: (y: Argv) =>
    y
      .positional('command', {
        type: 'string',
        describe: 'Request type or family (family names use the newest version, e.g. UserGetRequest)',
        demandOption: true,
      })
      .positional('fields', {
        type: 'string',
        array: true,
        describe: 'key=value fields; dotted keys for nested elements (address.city=Paris); repeat a key for lists',
      })
      .option('url', {
        type: 'string',
        demandOption: true,
        describe: 'tcp://host:2208, tls://host:2209 or https://host/webservice/services/ProvisioningService',
      })
      .option('user', { type: 'string', demandOption: true, describe: 'Login user id' })
      .option('password', { type: 'string', describe: 'Password (else $OCI_PASSWORD, else an interactive prompt); never printed' })
      .option('release', { type: 'string', describe: 'Schema release (default: newest generated)' })
      .option('format', { choices: ['table', 'json', 'csv'] as const, default: 'table' as const, describe: 'Output format' })
      .option('login', {
        choices: LOGIN_STRATEGIES,
        default: 'auto' as LoginStrategy,
        describe: 'Login flow (auto: plain22V5 over TLS/HTTPS, hashed14sp4 otherwise)',
      })
      .option('insecure', { type: 'boolean', default: false, describe: 'Skip TLS certificate verification (self-signed or expired certificates)' })
      .option('ca', { type: 'string', describe: 'PEM file with the CA certificate(s) to trust' })
      .option('json', { type: 'string', describe: 'JSON file with the command fields (nested values, null = nil); - for stdin' })
      .option('timeout', { type: 'number', describe: 'Per-command timeout in ms (default 30000)' })
      .option('allow-plain-password', { type: 'boolean', default: false, describe: 'Allow --login plain22V5 over an unencrypted transport' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Log connection, login and timings to stderr (passwords redacted)' })
      .example('$0 oci send --url tcp://127.0.0.1:2208 --user admin UserGetRequest userId=john@example.com', 'newest UserGetRequest version')
      .example(
        '$0 oci send --url tls://as.example.com --user admin --ca ca.pem --format csv GroupGetListInServiceProviderRequest serviceProviderId=sp1',
        'a table as CSV',
      ) as unknown as Argv<SendArgs>,
  handler: async (args) => {
    const password = await resolvePassword(args.password);
    const release = args.release ?? newestGeneratedRelease();
    const schema = await OciSchema.load(release);
    const type = schema.latest(args.command);
    if (type === undefined) throw new OciUnknownTypeError(args.command, release, 'no request family or type of that name');
    await schema.ensure(type);
    const meta = schema.complexType(type);
    if (meta.role !== 'request') throw new OciSendArgumentError(`${type} is not a request type`, { type });

    const request: OciCommand = { ...readJsonFields(args.json), $type: type };
    for (const field of args.fields ?? []) assignField(schema, type, request, field);

    const logger: OciLogger | undefined = args.verbose
      ? {
          debug: (m, d) => process.stderr.write(`debug ${m} ${JSON.stringify(d ?? {})}\n`),
          info: (m, d) => process.stderr.write(`info ${m} ${JSON.stringify(d ?? {})}\n`),
          warn: (m, d) => process.stderr.write(`warn ${m} ${JSON.stringify(d ?? {})}\n`),
          error: (m, d) => process.stderr.write(`error ${m} ${JSON.stringify(d ?? {})}\n`),
        }
      : undefined;
    const client = new OciClient({
      url: args.url,
      userId: args.user,
      password,
      schema,
      login: args.login,
      allowPlainPasswordOverInsecure: args['allow-plain-password'],
      allowInsecureTls: args.insecure,
      tls: args.ca ? { ca: readFileOrFail(args.ca, '--ca') } : undefined,
      requestTimeoutMs: args.timeout,
      reconnect: false,
      logger,
    });
    try {
      await client.connect();
      const response = (await client.send(request)) as OciResponse;
      process.stdout.write(formatResponse(schema, response, args.format));
    } finally {
      await client.close();
    }
  },
};
export default command;

/** --password, else $OCI_PASSWORD, else a no-echo prompt when stdin is a terminal. */
async function resolvePassword(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const fromEnv = process.env.OCI_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (process.stdin.isTTY) return promptHidden('Password: ');
  throw new OciSendArgumentError('no password: give --password, set OCI_PASSWORD, or run in a terminal to be prompted');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, so nothing typed after it can be echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new OciSendArgumentError('password prompt cancelled'));
        if (ch === '\u0004') return value === '' ? done(new OciSendArgumentError('no password entered')) : done();
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function readFileOrFail(path: string, option: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new OciSendArgumentError(`cannot read ${option} ${path}: ${(error as Error).message}`, { path });
  }
}

function readJsonFields(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  const text = readFileOrFail(path, '--json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OciSendArgumentError(`--json ${path} is not valid JSON: ${(error as Error).message}`, { path });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OciSendArgumentError(`--json ${path} must hold a JSON object of command fields`, { path });
  }
  const { $type: _ignored, ...fields } = value as Record<string, unknown>;
  return fields;
}

/**
 * Applies one `key=value` argument to the request. The key is a dotted path of element names;
 * the value is converted by the element's schema type (xs:boolean → boolean, numeric types →
 * number, everything else text). A key repeated for a list element appends.
 */
export function assignField(schema: OciSchema, requestType: string, request: Record<string, unknown>, field: string): void {
  const eq = field.indexOf('=');
  if (eq <= 0) throw new OciSendArgumentError(`field '${field}' is not key=value`, { field });
  const path = field.slice(0, eq).split('.');
  const raw = field.slice(eq + 1);
  let typeKey = requestType;
  let target = request;
  for (let i = 0; i < path.length; i++) {
    const name = path[i] as string;
    const element = findElement(schema, typeKey, name);
    if (!element) throw new OciSendArgumentError(`${typeKey} has no element '${name}' (in '${field}')`, { field, type: typeKey });
    const isList = element.max === -1 || (element.max ?? 1) > 1;
    if (i === path.length - 1) {
      const value = coerce(schema, element, raw, field);
      if (isList) {
        const list = Array.isArray(target[name]) ? (target[name] as unknown[]) : [];
        list.push(value);
        target[name] = list;
      } else target[name] = value;
      return;
    }
    const childType = element.t;
    if (childType.startsWith('xs:') || schema.type(childType).kind !== 'complex') {
      throw new OciSendArgumentError(`'${path.slice(0, i + 1).join('.')}' is a simple value; it has no '${path[i + 1]}'`, { field });
    }
    let child = target[name];
    if (isList) {
      // A dotted key into a list fills its last item (start a new one with a repeated first key).
      const list = Array.isArray(child) ? (child as Record<string, unknown>[]) : [];
      if (list.length === 0) list.push({});
      target[name] = list;
      child = list[list.length - 1];
    } else if (child === undefined || child === null || typeof child !== 'object') {
      child = {};
      target[name] = child;
    }
    const meta = schema.complexType(childType);
    if (meta.abstract) throw new OciSendArgumentError(`'${name}' is abstract (${childType}); give it with --json and a $type`, { field });
    target = child as Record<string, unknown>;
    typeKey = childType;
  }
}

function findElement(schema: OciSchema, typeKey: string, name: string): ElementMeta | undefined {
  const meta = schema.type(typeKey);
  if (meta.kind !== 'complex') return undefined;
  for (const element of elementsOf(meta.content)) if (element.n === name) return element;
  return undefined;
}

function coerce(schema: OciSchema, element: ElementMeta, raw: string, field: string): unknown {
  let base = element.t;
  if (!base.startsWith('xs:')) {
    const meta = schema.type(base);
    if (meta.kind === 'complex') {
      throw new OciSendArgumentError(`'${element.n}' is a structure (${base}); set its members with dotted keys or --json`, { field });
    }
    base = meta.base;
  }
  if (base === 'xs:boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new OciSendArgumentError(`'${element.n}' is a boolean: use true or false, not '${raw}'`, { field });
  }
  if (NUMERIC.has(base)) {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new OciSendArgumentError(`'${element.n}' is a number, not '${raw}'`, { field });
    return n;
  }
  if (base === 'xs:anyType') return true;
  return raw;
}

/** Renders a response for the terminal: tables aligned (table), JSON (json) or CSV (csv). */
export function formatResponse(schema: OciSchema, response: OciResponse, format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') return `${JSON.stringify(response, null, 2)}\n`;
  const tableNames = schema.isLoaded(response.$type) ? tableElementsOf(schema, response.$type).filter((n) => response[n] !== undefined) : [];
  const scalars = flatten(response, tableNames);
  if (format === 'csv') {
    if (tableNames.length === 1) return tableToCsv(response[tableNames[0] as string] as OciTable);
    if (tableNames.length > 1) return tableNames.map((n) => `# ${n}\n${tableToCsv(response[n] as OciTable)}`).join('\n');
    return ['key,value', ...scalars.map(([k, v]) => `${csvCell(k)},${csvCell(v)}`)].join('\n') + '\n';
  }
  if (response.$type === 'SuccessResponse') return 'OK\n';
  const out: string[] = [];
  const width = Math.max(0, ...scalars.map(([k]) => k.length));
  for (const [k, v] of scalars) out.push(`${k.padEnd(width)}  ${v}`);
  for (const name of tableNames) {
    if (out.length > 0) out.push('');
    const table = response[name] as OciTable;
    out.push(`${name} (${table.row.length} row${table.row.length === 1 ? '' : 's'}):`, ...alignTable(table));
  }
  return `${out.join('\n')}\n`;
}

/** Dotted-path key/value pairs of every non-table value (`$type` first). */
function flatten(value: OciResponse, skip: readonly string[]): [string, string][] {
  const out: [string, string][] = [['$type', value.$type]];
  const walk = (v: unknown, path: string): void => {
    if (v === null) out.push([path, '(nil)']);
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof v === 'object') for (const [k, child] of Object.entries(v as object)) walk(child, path ? `${path}.${k}` : k);
    else out.push([path, String(v)]);
  };
  for (const [k, v] of Object.entries(value)) {
    // An empty echo attribute is noise on every response.
    if (k === '$type' || skip.includes(k) || (k === 'echo' && v === '')) continue;
    walk(v, k);
  }
  return out;
}

/** An OCITable as aligned text: a header line, a rule, one line per row. */
export function alignTable(table: OciTable): string[] {
  const widths = table.colHeading.map((h, i) => Math.max(h.length, ...table.row.map((r) => (r.col[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => (cells[i] ?? '').padEnd(w))
      .join('  ')
      .trimEnd();
  return [line(table.colHeading), widths.map((w) => '-'.repeat(w)).join('  '), ...table.row.map((r) => line(r.col))];
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
