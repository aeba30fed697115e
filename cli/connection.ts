// The OCI-P connection of every hammer command that logs in to a server (`oci send`, `bulk run|undo`,
// `agent …`): the flags declared once with one help text each, the password from the flag, the
// environment or a no-echo prompt, --ca read once, the mapping onto the library's options
// (runtime/oci/connection-settings.ts, shared with the Web CLI), and library wording turned into flags
// in error messages. Each command passes its own typed error for bad input.
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { OciClientOptions } from '../runtime/oci/client.js';
import { LOGIN_STRATEGIES, type LoginStrategy, displayUrl } from '../runtime/oci/client/login.js';
import { clientOptionsFor } from '../runtime/oci/connection-settings.js';
import { OciError, OciLoginError } from '../runtime/oci/oci-error.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../runtime/oci/transport/defaults.js';
import { OciTransportError } from '../runtime/oci/transport/errors.js';
import { inFlagTerms, reportFailure } from './output.js';

/** The parsed connection flags. */
export interface ConnectionArgs {
  url?: string;
  user?: string;
  password?: string;
  release?: string;
  login: LoginStrategy;
  insecure: boolean;
  ca?: string;
  timeout?: number;
  'connect-timeout'?: number;
  'allow-plain-password': boolean;
}

/** Builds a command's typed error for bad connection input. */
export type ConnectionFailure = (message: string, context?: Record<string, unknown>) => Error;

/**
 * Declares the connection flags. `serverRequired: false` (bulk: a dry run needs no server) leaves
 * --url and --user optional; {@link connectionFrom} then asks for them when a server is needed.
 */
export function connectionOptions<T>(y: Argv<T>, { serverRequired }: { serverRequired: boolean }): Argv<T & ConnectionArgs> {
  return y
    .option('url', {
      type: 'string',
      demandOption: serverRequired,
      describe: 'Server: tcp://host:2208, tls://host:2209 or https://host/webservice/services/ProvisioningService',
    })
    .option('user', { type: 'string', demandOption: serverRequired, describe: 'Login user id' })
    .option('password', { type: 'string', describe: 'Password (else $OCI_PASSWORD, else a no-echo prompt on a terminal); never printed or journaled' })
    .option('release', { type: 'string', describe: 'Schema release (default: newest generated)' })
    .option('login', {
      choices: LOGIN_STRATEGIES,
      default: 'auto' as const,
      describe: 'Login flow (auto: plain22V5 over TLS/HTTPS, hashed14sp4 otherwise)',
    })
    .option('insecure', { type: 'boolean', default: false, describe: 'Skip TLS certificate verification (self-signed or expired certificates)' })
    .option('ca', { type: 'string', describe: 'PEM file with the CA certificate(s) to trust' })
    .option('timeout', { type: 'number', describe: `Response timeout per document in ms (default ${DEFAULT_REQUEST_TIMEOUT_MS})` })
    .option('connect-timeout', { type: 'number', describe: `Connection timeout in ms (default ${DEFAULT_CONNECT_TIMEOUT_MS})` })
    .option('allow-plain-password', {
      type: 'boolean',
      default: false,
      describe: 'Allow --login plain22V5 over an unencrypted transport',
    }) as unknown as Argv<T & ConnectionArgs>;
}

/** The library's client options for the flags: asks for the password when needed, reads --ca. */
export async function connectionFrom(args: ConnectionArgs, fail: ConnectionFailure): Promise<OciClientOptions> {
  if (!args.url || !args.user) throw fail('sending needs a server: give --url and --user');
  const password = await resolvePassword(args.password, fail);
  return clientOptionsFor({
    url: args.url,
    userId: args.user,
    password,
    release: args.release,
    login: args.login,
    insecure: args.insecure,
    ca: args.ca ? readFileOrFail(args.ca, '--ca', fail) : undefined,
    requestTimeoutMs: args.timeout,
    connectTimeoutMs: args['connect-timeout'],
    allowPlainPassword: args['allow-plain-password'],
  });
}

/** Library wording → the connection flags, for messages (the client's errors name its options). */
const FLAG_TERMS: readonly (readonly [string, string])[] = [
  ["Give the server's CA with tls.ca", "Give the server's CA with --ca FILE"],
  ['set allowInsecureTls: true to skip certificate verification', 'pass --insecure to skip certificate verification'],
  ['(requestTimeoutMs)', '(--timeout)'],
  ['(connectTimeoutMs)', '(--connect-timeout)'],
  ["login 'hashed14sp4', or set allowPlainPasswordOverInsecure", '--login hashed14sp4, or pass --allow-plain-password'],
];

/** Runs a command's work, rewriting the client's option names in a failure into the flags above. */
export async function inConnectionFlagTerms<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw inFlagTerms(error, FLAG_TERMS);
  }
}

/** A login or connection failure that stopped a run, as the line the user sees. */
interface SessionFailure {
  /** The error code (TH_ERR_OCI_ERROR_RESPONSE for a refused login, TH_ERR_OCI_CONNECT, …). */
  code: string;
  message: string;
}

/** Prints a session failure as one line; exit status 2 (the run could not start: a setup problem, not a row's or a request's). */
export function reportSessionFailure(failure: SessionFailure): void {
  process.stderr.write(`hammer: ${failure.code}: ${failure.message}\n`);
  process.exitCode = 2;
}

/**
 * For commands whose library call opens its sessions first (`agent`, `bulk`): a login the server
 * refused (the client's OciError of the login, or OciLoginError) or a transport failure escaping
 * that call is reported as one line with exit status 2, and true is returned; false for anything else.
 */
export function reportedAsSessionFailure(error: unknown, args: ConnectionArgs): boolean {
  if (error instanceof OciTransportError) {
    reportFailure(error);
    process.exitCode = 2;
    return true;
  }
  if (error instanceof OciError || error instanceof OciLoginError) {
    const where = args.url ? ` at ${displayUrl(args.url)}` : '';
    reportSessionFailure({ code: error.code, message: `login refused for ${args.user ?? '(no user)'}${where}: ${error.message}` });
    return true;
  }
  return false;
}

/** --password, else $OCI_PASSWORD, else a no-echo prompt when stdin is a terminal. */
async function resolvePassword(given: string | undefined, fail: ConnectionFailure): Promise<string> {
  if (given !== undefined) return given;
  const fromEnv = process.env.OCI_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (process.stdin.isTTY) return promptHidden('Password: ', fail);
  throw fail('no password: give --password, set OCI_PASSWORD, or run in a terminal to be prompted');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(prompt: string, fail: ConnectionFailure): Promise<string> {
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
        if (ch === '\u0003') return done(fail('password prompt cancelled'));
        if (ch === '\u0004') return value === '' ? done(fail('no password entered')) : done();
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A file named by a flag, or the command's typed error naming the flag. */
function readFileOrFail(path: string, flag: string, fail: ConnectionFailure): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fail(`cannot read ${flag} ${path}: ${(error as Error).message}`, { path });
  }
}
