import type { Argv, CommandModule } from 'yargs';
import {
  type AgentEvent,
  type AgentOptions,
  AgentOptionsError,
  type AgentScope,
  type AgentWarning,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportSection,
  auditGroup,
  auditGroupReport,
  auditServiceProvider,
  auditServiceProviderReport,
  callCenterDigest,
  callCenterDigestReport,
  findAlias,
  findAliasReport,
  findNumber,
  findNumberReport,
  renderReport,
  userDigest,
  userDigestReport,
} from '../../../agents/automations/index.js';
import { type ConnectionArgs, connectionFrom, connectionOptions, inConnectionFlagTerms, reportedAsSessionFailure } from '../../connection.js';
import { checkOutPath, reportedAsUsageError, writeOutFile } from '../../output.js';

// `hammer agent <name>`: a thin adapter over agents/automations (docs/agents.md). Exit codes:
// 0 done without warnings, 1 done with warnings (still printed), 2 usage errors, a login refused or
// a server out of reach, a target that cannot be read, or an abort.

interface AgentArgs extends ConnectionArgs {
  sessions: number;
  'batch-size': number;
  format: ReportFormat;
  out?: string;
  quiet: boolean;
  sp?: string;
  group?: string;
  system: boolean;
  [key: string]: unknown;
}

function common<T>(y: Argv<T>) {
  return connectionOptions(y, { serverRequired: true })
    .option('sessions', { type: 'number', default: 4, describe: 'Sessions of the pool' })
    .option('batch-size', { type: 'number', default: 15, describe: 'Commands per document (1..15)' })
    .option('format', {
      choices: REPORT_FORMATS,
      default: 'table' as const,
      describe: 'Output: aligned text, JSON (the typed result), CSV (one block per section), Markdown',
    })
    .option('out', { type: 'string', describe: 'Write the output to FILE (default: stdout)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress on stderr' });
}

function scopeOptions<T>(y: Argv<T>, system: boolean) {
  const out = y
    .option('sp', { type: 'string', describe: 'Service provider (enterprise) id' })
    .option('group', { type: 'string', describe: 'Group id (with --sp)' });
  return system ? out.option('system', { type: 'boolean', default: false, describe: 'Search every service provider' }) : out;
}

function scopeFrom(args: AgentArgs, allowGroup: boolean): AgentScope {
  if (args.system) {
    if (args.sp || args.group) throw new AgentOptionsError('--system searches everything: leave out --sp and --group');
    return { system: true };
  }
  if (!args.sp) throw new AgentOptionsError(allowGroup ? 'give --sp X --group Y, --sp X, or --system' : 'give --sp X or --system');
  if (args.group && !allowGroup) throw new AgentOptionsError('this automation searches a service provider or the system: leave out --group');
  return args.group ? { serviceProviderId: args.sp, groupId: args.group } : { serviceProviderId: args.sp };
}

/** Progress on stderr when it is a terminal: one rewritten line. */
function progress(quiet: boolean): ((event: AgentEvent) => void) | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  return (event) => {
    if (event.type === 'progress') process.stderr.write(`\r${event.agent}: ${event.phase}: ${event.done}/${event.total} commands`);
    else if (event.type === 'end') process.stderr.write(`\r${event.agent}: ${event.commands} commands in ${event.documents} documents, ${event.ms} ms\n`);
  };
}

async function run<R extends { warnings: AgentWarning[] }>(
  args: AgentArgs,
  automation: (options: AgentOptions) => Promise<R>,
  report: (result: R) => ReportSection[],
): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    // Before the run: a report that cannot be written is a usage error now, not after the work.
    if (args.out) checkOutPath(args.out);
    const connection = await connectionFrom(args, (m, c) => new AgentOptionsError(m, c));
    const result = await inConnectionFlagTerms(() =>
      automation({
        connection,
        sessions: args.sessions,
        batchSize: args['batch-size'],
        signal: controller.signal,
        onEvent: progress(args.quiet),
      }),
    );
    const text = renderReport(result, report(result), args.format);
    if (args.out) writeOutFile(args.out, text);
    else process.stdout.write(text);
    if (result.warnings.length > 0) process.stderr.write(`${result.warnings.length} sub-request(s) failed: see "warnings" in the output\n`);
    process.exitCode = result.warnings.length > 0 ? 1 : 0;
  } catch (error) {
    if (!reportedAsUsageError(error, /^TH_ERR_(AGENT|OCI_CLIENT_OPTIONS|OCI_INSECURE_LOGIN|CLI_USAGE)/) && !reportedAsSessionFailure(error, args)) throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function automation(
  command: string,
  describe: string,
  build: (y: Argv) => Argv,
  handler: (args: AgentArgs) => Promise<void>,
  example: string,
): CommandModule<object, AgentArgs> {
  return {
    command,
    describe,
    builder: (y: Argv) => common(build(y)).example(example, '') as unknown as Argv<AgentArgs>,
    handler,
  };
}

const connection = '--url tcp://127.0.0.1:2208 --user admin';

const commands = [
  automation(
    'find-alias <alias>',
    'Every user and service instance (14 kinds) carrying an alias; case-insensitive; an alias without @ matches the user part',
    (y) => scopeOptions(y.positional('alias', { type: 'string', demandOption: true }), true),
    (a) => run(a, (o) => findAlias(a.alias as string, scopeFrom(a, true), o), findAliasReport),
    `$0 agent find-alias sales@acme.example --sp acme ${connection}`,
  ),
  automation(
    'find-number <number>',
    'Who owns a phone number or extension (user, trunk group user, service instance) and whether it is activated',
    (y) => scopeOptions(y.positional('number', { type: 'string', demandOption: true, describe: 'Phone number (any punctuation) or extension' }), true),
    (a) => run(a, (o) => findNumber(String(a.number), scopeFrom(a, false), o), findNumberReport),
    `$0 agent find-number 2025550119 --system ${connection}`,
  ),
  automation(
    'audit-group',
    'A group: details, services with usage, service packs, numbers, devices, trunk groups, instances, users with no device, problems',
    (y) =>
      y
        .option('sp', { type: 'string', demandOption: true, describe: 'Service provider id' })
        .option('group', { type: 'string', demandOption: true, describe: 'Group id' }),
    (a) => run(a, (o) => auditGroup(a.sp as string, a.group as string, o), auditGroupReport),
    `$0 agent audit-group --sp acme --group acme-hq ${connection}`,
  ),
  automation(
    'audit-service-provider',
    'Every group audited and rolled up, plus aliases used more than once and extensions that dial two holders (enterprise groups sharing a location dialing code)',
    (y) => y.option('sp', { type: 'string', demandOption: true, describe: 'Service provider id' }),
    (a) => run(a, (o) => auditServiceProvider(a.sp as string, o), auditServiceProviderReport),
    `$0 agent audit-service-provider --sp acme --format md --out acme.md ${connection}`,
  ),
  automation(
    'user-digest <userId>',
    'One user: profile, device, registrations, services, forwarding, DND, voice messaging, memberships, shared call appearances',
    (y) => y.positional('userId', { type: 'string', demandOption: true }),
    (a) => run(a, (o) => userDigest(a.userId as string, o), userDigestReport),
    `$0 agent user-digest u0020@acme.example ${connection}`,
  ),
  automation(
    'call-center-digest <serviceUserId>',
    'A call center: settings, agents with their ACD state, queue status',
    (y) => y.positional('serviceUserId', { type: 'string', demandOption: true }),
    (a) => run(a, (o) => callCenterDigest(a.serviceUserId as string, o), callCenterDigestReport),
    `$0 agent call-center-digest cc-acme-hq@acme.example ${connection}`,
  ),
];

const agent: CommandModule = {
  command: 'agent <automation>',
  describe: 'Automations: find an alias or number, audit a group or service provider, digest a user or call center',
  builder: (y: Argv) => {
    for (const c of commands) y.command(c as unknown as CommandModule);
    return y.demandCommand(1, 'name an automation');
  },
  handler: () => {},
};
export default agent;
