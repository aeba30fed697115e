import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { type OciMockLimits, type OciMockLogger, defaultOciMockLimits, startOciMock } from '../../../runtime/mock/oci/index.js';
import { type MockUser, loadUsersFile, parseUserSpec } from '../../../runtime/mock/oci/users.js';
import { readFileSync } from 'node:fs';
import { exampleRows } from '../../examples.js';

interface MockOciArgs {
  'tcp-port'?: number;
  latency?: number;
  'tls-port'?: number;
  'soap-port'?: number;
  host: string;
  release?: string;
  seed?: string;
  user?: string[];
  users?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  verbose?: boolean;
  strict?: boolean;
  record?: string;
  upstream?: string;
  'upstream-user'?: string;
  replay?: string;
  // ── limits (helper "mockabuse"; see limitOptions below) ──
  'idle-timeout'?: number;
  'max-connections'?: number;
  'max-buffered-input'?: number;
  'max-document-bytes'?: number;
  'request-timeout'?: number;
  'headers-timeout'?: number;
}

const command: CommandModule<object, MockOciArgs> = {
  command: 'oci',
  describe: 'Run a mock BroadWorks OCI-P server (TCP, TLS, SOAP) over one shared provisioning state',
  builder: (y: Argv) =>
    y
      .option('tcp-port', { type: 'number', describe: 'plain TCP port (real servers: 2208; 0 = any free port)' })
      .option('tls-port', { type: 'number', describe: 'TLS port (real servers: 2209; 0 = any free port)' })
      .option('soap-port', { type: 'number', describe: 'plain-HTTP SOAP port, POST /webservice/services/ProvisioningService (0 = any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind' })
      .option('release', { type: 'string', describe: 'OCI-P release (default: the newest generated)' })
      .option('seed', { type: 'string', describe: 'JSON file with service providers, groups, users, devices, numbers, services; or "demo" (built-in)' })
      .option('user', { type: 'string', array: true, describe: 'ID:PASSWORD of a system administrator (repeatable; default admin:admin)' })
      .option('users', { type: 'string', describe: 'JSON file with accounts [{userId, password, loginType, serviceProviderId, groupId}]' })
      .option('tls-cert', { type: 'string', describe: 'PEM certificate for the TLS listener (default: self-signed for localhost)' })
      .option('tls-key', { type: 'string', describe: 'PEM private key matching --tls-cert' })
      .option('verbose', { type: 'boolean', default: false, describe: 'log every connection on stderr' })
      // Model, record and replay (docs/oci-mock.md "Record and replay").
      .option('strict', {
        type: 'boolean',
        default: false,
        describe: 'refuse data-changing requests the mock does not model (and, with --replay, requests the cassette lacks) with an ErrorResponse',
      })
      .option('record', { type: 'string', describe: 'cassette file (JSON Lines) to record every request/response pair to; needs --upstream' })
      .option('upstream', { type: 'string', describe: 'real server to proxy to while recording: tcp://, tls://, http(s)://…/ProvisioningService' })
      .option('upstream-user', { type: 'string', describe: 'ID:PASSWORD of the account used on the upstream server' })
      .option('replay', { type: 'string', describe: 'cassette file to answer from (falls back to the model, or an error with --strict)' })
      .option('latency', { type: 'number', describe: 'delay every response document by MS milliseconds (a network round trip)' })
      .options(limitOptions)
      .example(
        exampleRows([
          ['$0 mock oci --tcp-port 2208 --tls-port 2209 --soap-port 8080', 'the usual ports, user admin/admin'],
          ['$0 mock oci --tcp-port 0 --user ops:s3cret', 'a free port, one account: ops (password s3cret)'],
          ['$0 mock oci --tcp-port 0 --seed demo --strict', '2 service providers, 5 groups, 500 users and services; unmodelled changes refused'],
          ['$0 mock oci --tcp-port 0 --record as.jsonl --upstream tls://as.example.net --upstream-user admin:secret', 'record a real server'],
          ['$0 mock oci --tcp-port 0 --replay as.jsonl', 'answer from the recording'],
        ]),
      )
      .epilogue(
        'The first line on stdout is JSON: {"ready":true,"release":"R25","tcp":N,"tls":N,"soap":N}; logs go to stderr. SIGINT/SIGTERM stop the server.',
      ) as Argv<MockOciArgs>,
  handler: async (args) => {
    const tcpPort = port(args['tcp-port'], '--tcp-port');
    const tlsPort = port(args['tls-port'], '--tls-port');
    const soapPort = port(args['soap-port'], '--soap-port');
    if (tcpPort === undefined && tlsPort === undefined && soapPort === undefined) {
      throw new ThorsHammerError('TH_ERR_CLI_USAGE', 'give at least one of --tcp-port, --tls-port, --soap-port (0 picks a free port)');
    }
    if (Boolean(args['tls-cert']) !== Boolean(args['tls-key'])) {
      throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--tls-cert and --tls-key go together');
    }
    const record = recordOptions(args);
    const latency = args.latency;
    if (latency !== undefined && (!Number.isFinite(latency) || latency < 0))
      throw new ThorsHammerError('TH_ERR_CLI_USAGE', `--latency must be a number of milliseconds >= 0, got ${latency}`);
    const users: MockUser[] = [...(args.users ? loadUsersFile(args.users) : []), ...(args.user ?? []).map(parseUserSpec)];
    const tls = args['tls-cert'] && args['tls-key'] ? { cert: readPem(args['tls-cert']), key: readPem(args['tls-key']) } : undefined;
    const logger = stderrLogger(args.verbose === true);
    const server = await startOciMock({
      release: args.release,
      tcpPort,
      tlsPort,
      soapPort,
      host: args.host,
      tls,
      users: users.length > 0 ? users : undefined,
      seed: args.seed,
      logger,
      strict: args.strict === true,
      record,
      replay: args.replay,
      faults: latency ? { latencyMs: latency } : undefined,
      limits: limitsFrom(args),
    });
    // The handlers go in before the ready line: a supervisor may signal as soon as it reads it.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(`${signal}: stopping the OCI-P mock\n`);
        const unmodelled = [...server.state.unmodelled.values()].reduce((a, b) => a + b, 0);
        if (unmodelled > 0) process.stderr.write(`unmodelled data-changing requests: ${unmodelled} (${server.state.unmodelled.size} types)\n`);
        server.close().then(resolve, resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    const ready: Record<string, unknown> = { ready: true, release: server.release };
    for (const kind of ['tcp', 'tls', 'soap'] as const) if (server.ports[kind] !== undefined) ready[kind] = server.ports[kind];
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    const accounts = users.length > 0 ? users.map((u) => u.userId).join(', ') : 'admin (password admin)';
    process.stderr.write(
      `OCI-P mock ${server.release} on ${(['tcp', 'tls', 'soap'] as const)
        .filter((k) => server.ports[k] !== undefined)
        .map((k) => server.url(k))
        .join('  ')}; accounts: ${accounts}\n`,
    );
    await stopped;
  },
};
export default command;

function recordOptions(args: MockOciArgs): { file: string; upstream: { url: string; userId: string; password: string } } | undefined {
  if (args.record !== undefined && args.replay !== undefined) throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--record and --replay go one at a time');
  if (args.record === undefined) {
    if (args.upstream !== undefined || args['upstream-user'] !== undefined) {
      throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--upstream and --upstream-user are used with --record FILE');
    }
    return undefined;
  }
  if (!args.upstream || !args['upstream-user']) {
    throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--record needs --upstream URL and --upstream-user ID:PASSWORD');
  }
  const spec = args['upstream-user'];
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--upstream-user: expected ID:PASSWORD');
  const account = { userId: spec.slice(0, colon), password: spec.slice(colon + 1) };
  return { file: args.record, upstream: { url: args.upstream, userId: account.userId, password: account.password } };
}

function port(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ThorsHammerError('TH_ERR_CLI_USAGE', `${name} must be an integer from 0 to 65535, got ${String(value)}`);
  }
  return value;
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ThorsHammerError('TH_ERR_CLI_USAGE', `cannot read ${path}: ${(error as Error).message}`);
  }
}

function stderrLogger(verbose: boolean): OciMockLogger {
  const line = (level: string, message: string, data?: object) =>
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}${data && Object.keys(data).length ? ` ${JSON.stringify(data)}` : ''}\n`);
  return {
    debug: verbose ? (m, d) => line('debug', m, d) : undefined,
    info: (m, d) => line('info', m, d),
    warn: (m, d) => line('warn', m, d),
  };
}

// ── Limits against hostile clients (OciMockLimits): one block, kept apart from the other flags ──

const LIMITS = 'Limits against hostile clients:';
const limitOptions = {
  'idle-timeout': {
    type: 'number',
    group: LIMITS,
    describe: `after MS without traffic: forced LogoutRequest, then close; 0 = never [default ${defaultOciMockLimits.idleTimeoutMs}]`,
  },
  'max-connections': { type: 'number', group: LIMITS, describe: `open connections across all listeners [default ${defaultOciMockLimits.maxConnections}]` },
  'max-buffered-input': {
    type: 'number',
    group: LIMITS,
    describe: `request bytes buffered across all connections; the largest holder is dropped beyond it [default ${defaultOciMockLimits.maxBufferedInputBytes}]`,
  },
  'max-document-bytes': { type: 'number', group: LIMITS, describe: `largest request document or SOAP body [default ${defaultOciMockLimits.maxDocumentBytes}]` },
  'request-timeout': {
    type: 'number',
    group: LIMITS,
    describe: `a request must arrive in full within MS of its first byte; 0 = never [default ${defaultOciMockLimits.requestTimeoutMs}]`,
  },
  'headers-timeout': {
    type: 'number',
    group: LIMITS,
    describe: `SOAP headers / TLS handshake within MS; 0 = never [default ${defaultOciMockLimits.headersTimeoutMs}]`,
  },
} as const;

function limitsFrom(args: MockOciArgs): Partial<OciMockLimits> {
  const limits: Partial<OciMockLimits> = {
    idleTimeoutMs: args['idle-timeout'],
    maxConnections: args['max-connections'],
    maxBufferedInputBytes: args['max-buffered-input'],
    maxDocumentBytes: args['max-document-bytes'],
    requestTimeoutMs: args['request-timeout'],
    headersTimeoutMs: args['headers-timeout'],
  };
  for (const [flag, value] of Object.entries({ ...args }).filter(([key]) => key in limitOptions)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ThorsHammerError('TH_ERR_CLI_USAGE', `--${flag} must be a whole number ≥ 0, got ${String(value)}`);
    }
  }
  return limits;
}
