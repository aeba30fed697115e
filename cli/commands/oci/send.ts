import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { OciClient, type OciResponse } from '../../../runtime/oci/client.js';
import { LOGIN_STRATEGIES, type LoginStrategy } from '../../../runtime/oci/client/login.js';
import type { OciLogger } from '../../../runtime/oci/client/logging.js';
import { responseCsv, responseText, toJsonText } from '../../../runtime/oci/present.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../../runtime/oci/transport/defaults.js';
import { inFlagTerms } from '../../output.js';
import { requestFromArgs } from './request-args.js';

/** Bad command-line input for `hammer oci send` (TH_ERR_OCI_SEND_ARGS). */
export class OciSendArgumentError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_SEND_ARGS', message, { context });
  }
}

/** Output formats of `oci send`: aligned text, JSON with tables as records, JSON in the wire shape, CSV. */
export const SEND_FORMATS = ['table', 'json', 'raw', 'csv'] as const;
export type SendFormat = (typeof SEND_FORMATS)[number];

interface SendArgs {
  command: string;
  fields?: string[];
  url: string;
  user: string;
  password?: string;
  release?: string;
  format: SendFormat;
  login: LoginStrategy;
  insecure: boolean;
  ca?: string;
  json?: string;
  timeout?: number;
  'connect-timeout'?: number;
  'allow-plain-password': boolean;
  verbose: boolean;
}

/** Library wording → the flags of this command, for messages (the client's errors name its options). */
const FLAG_TERMS: readonly (readonly [string, string])[] = [
  ["Give the server's CA with tls.ca", "Give the server's CA with --ca FILE"],
  ['set allowInsecureTls: true to skip certificate verification', 'pass --insecure to skip certificate verification'],
  ['(requestTimeoutMs)', '(--timeout)'],
  ['(connectTimeoutMs)', '(--connect-timeout)'],
  ["login 'hashed14sp4', or set allowPlainPasswordOverInsecure", '--login hashed14sp4, or pass --allow-plain-password'],
];

const command: CommandModule<object, SendArgs> = {
  command: 'send <command> [fields..]',
  describe: 'Send one OCI-P command to a server and print the answer',
  builder: (y: Argv) =>
    y
      .positional('command', {
        type: 'string',
        describe: 'Request class (exactly that version), or family / Family@latest (the newest version), e.g. UserGetRequest',
        demandOption: true,
      })
      .positional('fields', {
        type: 'string',
        array: true,
        describe:
          'key=value (text, converted by the field type) or key:=json (title:=null clears, alias:=\'["a","b"]\' is a list); dotted keys for nested elements (address.city=Paris), [n] or a repeated key for lists',
      })
      .option('url', {
        type: 'string',
        demandOption: true,
        describe: 'tcp://host:2208, tls://host:2209 or https://host/webservice/services/ProvisioningService',
      })
      .option('user', { type: 'string', demandOption: true, describe: 'Login user id' })
      .option('password', { type: 'string', describe: 'Password (else $OCI_PASSWORD, else an interactive prompt); never printed' })
      .option('release', { type: 'string', describe: 'Schema release (default: newest generated)' })
      .option('format', {
        choices: SEND_FORMATS,
        default: 'table' as const,
        describe: 'Output: aligned text, JSON (tables as records keyed by camelCase heading), raw JSON (wire shape), CSV',
      })
      .option('login', {
        choices: LOGIN_STRATEGIES,
        default: 'auto' as const,
        describe: 'Login flow (auto: plain22V5 over TLS/HTTPS, hashed14sp4 otherwise)',
      })
      .option('insecure', { type: 'boolean', default: false, describe: 'Skip TLS certificate verification (self-signed or expired certificates)' })
      .option('ca', { type: 'string', describe: 'PEM file with the CA certificate(s) to trust' })
      .option('json', { type: 'string', describe: 'JSON file with the command fields (nested values, null = nil); - for stdin; fields given as arguments win' })
      .option('timeout', { type: 'number', describe: `Per-command timeout in ms (default ${DEFAULT_REQUEST_TIMEOUT_MS})` })
      .option('connect-timeout', { type: 'number', describe: `Connection timeout in ms (default ${DEFAULT_CONNECT_TIMEOUT_MS})` })
      .option('allow-plain-password', { type: 'boolean', default: false, describe: 'Allow --login plain22V5 over an unencrypted transport' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Log connection, login and timings to stderr (passwords redacted)' })
      .example('$0 oci send --url tcp://127.0.0.1:2208 --user admin UserGetRequest userId=john@example.com', 'newest UserGetRequest version')
      .example('$0 oci send --url tcp://127.0.0.1:2208 --user admin UserModifyRequest22 userId=john@example.com title:=null', 'clear a field (xsi:nil)')
      .example(
        '$0 oci send --url tls://as.example.com --user admin --ca ca.pem --format csv GroupGetListInServiceProviderRequest serviceProviderId=sp1',
        'a table as CSV',
      ) as unknown as Argv<SendArgs>,
  handler: async (args) => {
    try {
      await send(args);
    } catch (error) {
      throw inFlagTerms(error, FLAG_TERMS);
    }
  },
};
export default command;

async function send(args: SendArgs): Promise<void> {
  const schema = await OciSchema.load(args.release ?? OciSchema.newestRelease());
  // The request first: a mistake in it is reported before anyone is asked for a password.
  const { command: request } = await requestFromArgs(schema, args.command, { json: args.json, fields: args.fields });
  const password = await resolvePassword(args.password);
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
    connectTimeoutMs: args['connect-timeout'],
    reconnect: false,
    logger,
  });
  try {
    await client.connect();
    const response = (await client.send(request)) as OciResponse;
    process.stdout.write(formatResponse(response, args.format));
  } finally {
    await client.close();
  }
}

/** Renders a response in one of the {@link SEND_FORMATS} (the runtime's presenters). */
export function formatResponse(response: OciResponse, format: SendFormat): string {
  switch (format) {
    case 'json':
      return toJsonText(response, { tables: 'records' });
    case 'raw':
      return toJsonText(response, { tables: 'raw' });
    case 'csv':
      return responseCsv(response);
    default:
      return responseText(response);
  }
}

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
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new OciSendArgumentError(`cannot read ${option} ${path}: ${(error as Error).message}`, { path });
  }
}
