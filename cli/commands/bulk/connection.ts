import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { BulkConnection } from '../../../agents/bulk/index.js';
import { BulkOptionsError } from '../../../agents/bulk/index.js';
import { LOGIN_STRATEGIES, type LoginStrategy } from '../../../runtime/oci/client/login.js';

/** The server options shared by `bulk run` and `bulk undo`. */
export interface ConnectionArgs {
  url?: string;
  user?: string;
  password?: string;
  release?: string;
  login: LoginStrategy;
  insecure: boolean;
  ca?: string;
  timeout?: number;
}

export function connectionOptions<T>(y: Argv<T>) {
  return y
    .option('url', { type: 'string', describe: 'Server: tcp://host:2208, tls://host:2209 or https://host/webservice/services/ProvisioningService' })
    .option('user', { type: 'string', describe: 'Login user id' })
    .option('password', { type: 'string', describe: 'Password (else $OCI_PASSWORD); never printed or journaled' })
    .option('release', { type: 'string', describe: 'Schema release (default: newest generated)' })
    .option('login', { choices: LOGIN_STRATEGIES as unknown as LoginStrategy[], default: 'auto' as LoginStrategy, describe: 'Login strategy' })
    .option('insecure', { type: 'boolean', default: false, describe: 'Skip TLS certificate verification' })
    .option('ca', { type: 'string', describe: 'PEM file with the CA certificate(s) to trust' })
    .option('timeout', { type: 'number', describe: 'Response timeout per document in ms (default 30000)' });
}

/** The client options for the pool, or a usage error naming what is missing. */
export function connectionFrom(args: ConnectionArgs): BulkConnection {
  if (!args.url || !args.user) throw new BulkOptionsError('sending needs a server: give --url and --user');
  const password = args.password ?? process.env.OCI_PASSWORD;
  if (password === undefined) throw new BulkOptionsError('no password: give --password or set OCI_PASSWORD');
  let ca: string | undefined;
  if (args.ca) {
    try {
      ca = readFileSync(args.ca, 'utf8');
    } catch (error) {
      throw new BulkOptionsError(`--ca ${args.ca}: ${(error as Error).message}`);
    }
  }
  return {
    url: args.url,
    userId: args.user,
    password,
    release: args.release,
    login: args.login,
    allowInsecureTls: args.insecure,
    tls: ca ? { ca } : undefined,
    requestTimeoutMs: args.timeout,
  };
}
