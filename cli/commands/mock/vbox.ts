import type { Argv, CommandModule } from 'yargs';
import { startVboxMock } from '../../../runtime/mock/vbox/index.js';
import { VboxMockError } from '../../../runtime/vbox/client-errors.js';

// `hammer mock vbox`: a mock Vitrea vBox on TCP. The first stdout line is
// {"ready":true,"port":N} (so scripts and tests can use --port 0); logs go to stderr as JSON lines.

interface MockVboxArgs {
  port: number;
  host: string;
  house?: string;
  username?: string;
  password?: string;
  protocol: 'v1' | 'v2';
  'push-interval'?: number;
  'second-client': 'refuse' | 'replace';
  'enforce-login': boolean;
  quiet: boolean;
}

const command: CommandModule<object, MockVboxArgs> = {
  command: 'vbox',
  describe: 'Run a mock Vitrea vBox (VTU on TCP) over a simulated house',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', default: 11501, describe: 'TCP port (0 = any free port; printed on the first stdout line)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('house', { type: 'string', describe: 'house JSON file (rooms, nodes, keys); default: the built-in house' })
      .option('username', { type: 'string', describe: 'Login user [env VITREA_VBOX_USERNAME, default admin]' })
      .option('password', { type: 'string', describe: 'Login password [env VITREA_VBOX_PASSWORD, default admin]' })
      .option('protocol', { choices: ['v1', 'v2'] as const, default: 'v2' as const, describe: 'response layouts' })
      .option('push-interval', { type: 'number', describe: 'simulate a wall press and push its KeyStatus every MS milliseconds' })
      .option('second-client', { choices: ['refuse', 'replace'] as const, default: 'refuse' as const, describe: 'what a second simultaneous client gets' })
      .option('enforce-login', { type: 'boolean', default: true, describe: 'NACK requests before Login (--no-enforce-login to allow them)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no logs on stderr' })
      .example('$0 mock vbox --port 11501 --house house.json --push-interval 5000', 'a mock that flips a key every 5 s')
      .example('$0 mock vbox --port 0', 'any free port; read it from {"ready":true,"port":N}') as unknown as Argv<MockVboxArgs>,
  handler: async (args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw new VboxMockError(`--port must be a whole number 0–65535; got ${String(args.port)}`);
    }
    const pushInterval = args['push-interval'];
    if (pushInterval !== undefined && (!Number.isFinite(pushInterval) || pushInterval <= 0)) {
      throw new VboxMockError(`--push-interval must be a positive number of milliseconds; got ${String(pushInterval)}`);
    }
    const envOrDefault = (value: string | undefined, variable: string) => value ?? (process.env[variable] || 'admin');
    const mock = await startVboxMock({
      port: args.port,
      host: args.host,
      house: args.house,
      username: envOrDefault(args.username, 'VITREA_VBOX_USERNAME'),
      password: envOrDefault(args.password, 'VITREA_VBOX_PASSWORD'),
      version: args.protocol,
      pushIntervalMs: pushInterval,
      secondClient: args['second-client'],
      enforceLogin: args['enforce-login'],
      log: args.quiet ? undefined : (entry) => process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`),
    });
    // The handlers go in before the ready line: a supervisor may signal as soon as it reads it.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write(`${JSON.stringify({ ready: true, port: mock.port })}\n`);
    await stopped;
    await mock.close();
  },
};
export default command;
