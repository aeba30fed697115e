import type { Argv } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { VboxConfigError } from '../../../runtime/vbox/client-errors.js';
import { VboxClient } from '../../../runtime/vbox/client.js';
import { VBOX_ENV_OPTIONS, type VboxClientOptions, vboxOptionsFromEnv } from '../../../runtime/vbox/options.js';

// What every `hammer vbox` control command shares: the connection flags, the VITREA_VBOX_*
// fallback (read here, in the CLI: the client itself takes options only), and usage errors
// as one line plus a pointer to the command's help.

/** The connection flags of the control commands. */
export interface ConnectionArgs {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  protocol?: 'v1' | 'v2';
  timeout?: number;
  json?: boolean;
}

/** Client option → the CLI flag that sets it (messages name the flag, not the library option). */
const FLAG_OF: Readonly<Partial<Record<keyof VboxClientOptions, string>>> = {
  host: 'host',
  port: 'port',
  username: 'username',
  password: 'password',
  version: 'protocol',
  requestTimeout: 'timeout',
};

/** `[env VITREA_VBOX_PORT, default 11501]`, from the option table (one source for names and defaults). */
function envNote(option: keyof VboxClientOptions): string {
  const entry = VBOX_ENV_OPTIONS.find((o) => o.option === option);
  if (entry === undefined) return '';
  const fallback = entry.required ? 'required' : `default ${String(entry.defaultValue)}`;
  return `[env ${entry.variable}, ${fallback}]`;
}

/** Adds the connection flags every control command shares. */
export function withConnection<T>(y: Argv<T>): Argv<T & ConnectionArgs> {
  return y
    .option('host', { type: 'string', describe: `vBox address ${envNote('host')}` })
    .option('port', { type: 'number', describe: `vBox app port ${envNote('port')}` })
    .option('username', { type: 'string', describe: `login user ${envNote('username')}` })
    .option('password', { type: 'string', describe: `login password ${envNote('password')}` })
    .option('protocol', { choices: ['v1', 'v2'] as const, describe: `response layouts ${envNote('version')}` })
    .option('timeout', { type: 'number', describe: `ms to wait for each reply ${envNote('requestTimeout')}` })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' }) as Argv<T & ConnectionArgs>;
}

/**
 * The client options of one command: VITREA_VBOX_* variables, overridden by the flags given,
 * then `extra`. Host, username and password are required; a missing one is one line naming
 * both the flag and the variable.
 */
export function clientOptions(args: ConnectionArgs, env: NodeJS.ProcessEnv, extra: VboxClientOptions = {}): VboxClientOptions {
  const flags: VboxClientOptions = {};
  if (args.host !== undefined) flags.host = args.host;
  if (args.port !== undefined) flags.port = args.port;
  if (args.username !== undefined) flags.username = args.username;
  if (args.password !== undefined) flags.password = args.password;
  if (args.protocol !== undefined) flags.version = args.protocol;
  if (args.timeout !== undefined) flags.requestTimeout = args.timeout;
  const options: VboxClientOptions = { ...vboxOptionsFromEnv(env), ...flags, ...extra };
  for (const required of VBOX_ENV_OPTIONS.filter((o) => o.required)) {
    if (options[required.option] === undefined) {
      const what = required.option === 'host' ? 'no vBox address given (there is no default)' : `no vBox ${required.option} given`;
      throw new VboxConfigError(`${what}: pass --${FLAG_OF[required.option]} or set ${required.variable}`, {
        option: required.option,
        variable: required.variable,
      });
    }
  }
  return options;
}

/** Creates the client; a bad flag value is reported under the flag's name (`--port`), not the option's. */
export function createClient(options: VboxClientOptions): VboxClient {
  try {
    return new VboxClient(options);
  } catch (error) {
    const option = error instanceof VboxConfigError ? (error.context.option as keyof VboxClientOptions | undefined) : undefined;
    const flag = option === undefined ? undefined : FLAG_OF[option];
    if (flag === undefined || !(error as Error).message.startsWith(`option ${option}`)) throw error;
    throw new VboxConfigError(`--${flag}${(error as Error).message.slice(`option ${option}`.length)}`, error instanceof VboxConfigError ? error.context : {});
  }
}

/** Connects, runs `work`, and always closes the client (one-shot commands never reconnect). */
export async function withClient<T>(args: ConnectionArgs, work: (client: VboxClient) => Promise<T>): Promise<T> {
  const client = createClient(clientOptions(args, process.env, { shouldReconnect: false }));
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.close();
  }
}

/** A usage mistake found by a command's own checks (bad action, missing level, id out of range). */
export class VboxCliUsageError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_CLI_USAGE', message, { context });
  }
}

/**
 * Makes usage mistakes of a `hammer vbox …` command print one line plus where the help is,
 * instead of the whole help text; exit status 2, as for every usage error. Errors thrown by a
 * handler are rethrown, so the top level reports them (`hammer: CODE: message`, status 1).
 */
export function usageFailure<T>(y: Argv<T>, command: string): Argv<T> {
  return y.fail((message, error) => {
    if (error !== undefined && error !== null && !(error instanceof VboxCliUsageError)) throw error;
    const text = error instanceof VboxCliUsageError ? error.message : message;
    process.stderr.write(`hammer: ${text}\nsee: hammer ${command} --help\n`);
    process.exit(2);
  });
}
