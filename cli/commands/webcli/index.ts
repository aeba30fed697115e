import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { readStdin } from '../../output.js';
import { exampleRows } from '../../examples.js';

/**
 * `hammer webcli …`: the Web CLI server (docs/webcli.md). The server modules are loaded only
 * when a webcli command runs, so the rest of the CLI never pays for Fastify or SQLite.
 */

interface CommonArgs {
  home?: string;
  config?: string;
}

const web = () => import('../../../web/server/index.js');

/** Bad input to a `hammer webcli` command (TH_ERR_WEB_CLI). */
export class WebCliArgumentError extends ThorsHammerError {
  constructor(message: string) {
    super('TH_ERR_WEB_CLI', message);
  }
}

const common = (y: Argv) =>
  y
    .option('home', { type: 'string', describe: 'Home directory (default $THORS_WEBCLI_HOME, else ./data/webcli)' })
    .option('config', { type: 'string', describe: 'Configuration file (default <home>/webcli.yaml)' });

async function loadConfig(args: CommonArgs) {
  const { loadConfig } = await web();
  return loadConfig({ home: args.home, file: args.config });
}

/** Opens storage and the service for the user commands; closes them after `fn`. */
async function withService<T>(args: CommonArgs, fn: (service: Awaited<ReturnType<typeof openService>>) => Promise<T>): Promise<T> {
  const service = await openService(args);
  try {
    return await fn(service);
  } finally {
    await service.store.db.destroy();
  }
}

async function openService(args: CommonArgs) {
  const { prepareStorage, createService } = await web();
  const config = await loadConfig(args);
  const { db } = await prepareStorage(config, false);
  return createService(config, db);
}

/** A password from stdin (first line) or, in a terminal, asked twice without echo. */
async function readNewPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const text = (await readStdin()).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (text === '') throw new WebCliArgumentError('no password on stdin');
    return text;
  }
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new WebCliArgumentError('the passwords differ');
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(prompt);
    out._writeToOutput = () => undefined; // no echo
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

const initDb: CommandModule<object, CommonArgs> = {
  command: 'init-db',
  describe: 'Create the home directory, the JWT and secret keys (when missing) and apply the migrations',
  builder: (y) => common(y) as Argv<CommonArgs>,
  handler: async (args) => {
    const { prepareStorage, databaseUrl } = await web();
    const config = await loadConfig(args);
    const { db, applied } = await prepareStorage(config, true);
    await db.destroy();
    process.stdout.write(`database ${databaseUrl(config)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
  },
};

const dbMigrate: CommandModule<object, CommonArgs> = {
  command: 'db <action>',
  describe: 'Database upkeep: `db migrate` applies pending migrations',
  builder: (y) => common(y).positional('action', { choices: ['migrate'] as const, demandOption: true }) as unknown as Argv<CommonArgs>,
  handler: async (args) => {
    const { prepareStorage, databaseUrl } = await web();
    const config = await loadConfig(args);
    const { db, applied } = await prepareStorage(config, false);
    await db.destroy();
    process.stdout.write(`database ${databaseUrl(config)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
  },
};

const createUser: CommandModule<object, CommonArgs & { email: string; 'password-stdin': boolean }> = {
  command: 'create-user',
  describe: 'Create a user (the password is asked twice, or read from stdin)',
  builder: (y) =>
    common(y)
      .option('email', { type: 'string', demandOption: true, describe: 'Login email (stored lower-case)' })
      .option('password-stdin', { type: 'boolean', default: false, describe: 'Read the password from the first line of stdin' }) as unknown as Argv<
      CommonArgs & { email: string; 'password-stdin': boolean }
    >,
  handler: async (args) => {
    const password = await readNewPassword(args['password-stdin']);
    const user = await withService(args, (s) => s.createUser(args.email, password));
    process.stdout.write(`created user ${user.id} ${user.email}\n`);
  },
};

type UserArgs = CommonArgs & { action: 'passwd' | 'disable' | 'enable' | 'list'; email?: string; 'password-stdin': boolean };
const user: CommandModule<object, UserArgs> = {
  command: 'user <action> [email]',
  describe: 'User upkeep: passwd, disable, enable (passwd and disable revoke every session), list',
  builder: (y) =>
    common(y)
      .positional('action', { choices: ['passwd', 'disable', 'enable', 'list'] as const, demandOption: true })
      .positional('email', { type: 'string', describe: 'The user (not for list)' })
      .option('password-stdin', { type: 'boolean', default: false, describe: 'passwd: read the new password from stdin' }) as unknown as Argv<UserArgs>,
  handler: async (args) => {
    await withService(args, async (service) => {
      if (args.action === 'list') {
        for (const u of await service.store.listUsers()) process.stdout.write(`${u.id}\t${u.email}\t${u.isActive ? 'active' : 'disabled'}\t${u.createdAt}\n`);
        return;
      }
      if (!args.email) throw new WebCliArgumentError(`user ${args.action} needs the user's email`);
      const found = await service.store.userByEmail(args.email);
      if (!found) throw new WebCliArgumentError(`no user ${args.email}`);
      if (args.action === 'passwd') {
        const { hashPassword } = await web();
        const password = await readNewPassword(args['password-stdin']);
        if (password.length < 8) throw new WebCliArgumentError('the password needs at least 8 characters');
        await service.store.setPassword(found.id, await hashPassword(password));
      } else await service.store.setActive(found.id, args.action === 'enable');
      process.stdout.write(`${args.action}: ${found.email} done\n`);
    });
  },
};

type StartArgs = CommonArgs & { host?: string; port?: number };
const start: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Run the Web CLI server (loopback by default); Ctrl-C stops it',
  builder: (y) =>
    common(y)
      .option('host', { type: 'string', describe: 'Listen address (default 127.0.0.1)' })
      .option('port', { type: 'number', describe: 'Listen port (default 8000; 0 = any free port)' }) as unknown as Argv<StartArgs>,
  handler: async (args) => {
    const { createWebCli, loadConfig } = await web();
    const config = loadConfig({ home: args.home, file: args.config, listen: { host: args.host, port: args.port } });
    const server = await createWebCli(config);
    const url = await server.listen();
    process.stdout.write(`Web CLI listening on ${url} (public URL ${config.publicUrl})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};

type RunArgs = CommonArgs & { text: string; profile?: string; as?: string; 'handler-config'?: string; out: string };
const run: CommandModule<object, RunArgs> = {
  command: 'run <text>',
  describe: 'Run one command through the same handlers, headless: tables print as text, files are written, the exit code is the status',
  builder: (y) =>
    common(y)
      .positional('text', { type: 'string', demandOption: true, describe: "The command, e.g. '%oci% UserGetRequest22 userId=u1'" })
      .option('profile', { type: 'string', describe: 'Default OCI-P profile (or vBox box) for this run' })
      .option('as', { type: 'string', describe: "Use this Web CLI user's stored handler configuration (needs the home directory's keys)" })
      .option('handler-config', { type: 'string', describe: 'YAML/JSON file: handler name → configuration (e.g. oci: {profiles: …})' })
      .option('out', { type: 'string', default: '.', describe: 'Folder for artifacts (CSV, JSON …)' })
      .example(
        exampleRows([
          ["$0 webcli run --handler-config lab.yaml '%oci% UserGetListInGroupRequest serviceProviderId=sp1 groupId=g1'", 'a table, and its CSV file in .'],
        ]),
      ) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const { runHeadless, builtinHandlers } = await web();
    let configs: Record<string, unknown> = {};
    if (args['handler-config']) {
      try {
        configs = (parseYaml(readFileSync(args['handler-config'], 'utf8')) ?? {}) as Record<string, unknown>;
      } catch (error) {
        throw new WebCliArgumentError(`cannot read --handler-config ${args['handler-config']}: ${(error as Error).message}`);
      }
    }
    if (args.as) {
      configs = await withService(args, async (service) => {
        const found = await service.store.userByEmail(args.as!);
        if (!found) throw new WebCliArgumentError(`no user ${args.as}`);
        const out: Record<string, unknown> = { ...configs };
        for (const entry of service.registry.list()) {
          const c = await service.runConfig(found.id, entry.handler);
          if (c && Object.keys(c as object).length > 0) out[entry.handler.name] = c;
        }
        return out;
      });
    }
    if (args.profile) {
      configs.oci = { ...((configs.oci as object) ?? {}), defaultProfile: args.profile };
      if ((configs.vbox as { boxes?: Record<string, unknown> } | undefined)?.boxes?.[args.profile])
        configs.vbox = { ...(configs.vbox as object), defaultBox: args.profile };
    }
    const controller = new AbortController();
    const onSigint = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    try {
      const result = await runHeadless({ text: args.text, handlers: builtinHandlers(), configs, outDir: args.out, signal: controller.signal });
      process.exitCode = result.status === 'succeeded' ? 0 : result.status === 'cancelled' ? 130 : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

const command: CommandModule = {
  command: 'webcli <command>',
  describe: 'The Web CLI: a multi-user web console for OCI-P and vBox commands',
  builder: (y: Argv) =>
    y.command(initDb).command(createUser).command(start).command(dbMigrate).command(user).command(run).demandCommand(1, 'name a webcli command'),
  handler: () => undefined,
};
export default command;
