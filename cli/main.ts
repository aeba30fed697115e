import yargs, { type Argv, type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ThorsHammerError } from '../runtime/errors.js';
import generate from './commands/generate.js';
import { reportFailure } from './output.js';

// `hammer`: one entry point for generation, OCI-P and vBox work. Each command lives in
// cli/commands/; this file only wires them together.
//
// Command groups that use generated bindings are imported dynamically: on a fresh checkout
// `generated/` does not exist yet, and `hammer generate` (which creates it) must still run.
async function loadGroup(load: () => Promise<{ default: CommandModule }>, name: string, describe: string): Promise<CommandModule> {
  try {
    return (await load()).default;
  } catch (error) {
    const missing = error as { code?: string; message?: string };
    if (missing.code !== 'ERR_MODULE_NOT_FOUND' || !missing.message?.includes('/generated/')) throw error;
    return {
      command: `${name} [args..]`,
      describe: `${describe} (needs the generated bindings: run \`hammer generate\` first)`,
      builder: (y: Argv) => y.strict(false),
      handler: async () => {
        throw new ThorsHammerError('TH_ERR_CLI_NOT_GENERATED', `the bindings are not generated yet: run \`npm run generate\` (or \`hammer generate\`) first`);
      },
    };
  }
}

const [oci, vbox, mock] = await Promise.all([
  loadGroup(() => import('./commands/oci/index.js'), 'oci', 'OCI-P (BroadWorks) commands'),
  loadGroup(() => import('./commands/vbox/index.js'), 'vbox', 'Vitrea vBox commands'),
  loadGroup(() => import('./commands/mock/index.js'), 'mock', 'Mock servers'),
]);

const bulk = await loadGroup(() => import('./commands/bulk/index.js'), 'bulk', 'Bulk provisioning from CSV/XLSX');

const cli = yargs(hideBin(process.argv))
  .scriptName('hammer')
  .usage('$0 <command> [options]')
  .command(generate)
  .command(oci)
  .command(vbox)
  .command(mock)
  .command(bulk)
  .demandCommand(1, 'Name a command; see `hammer --help`.')
  .strict()
  .recommendCommands()
  .fail((message, error, y) => {
    if (error) throw error; // reported below, whether a handler threw or rejected
    process.stderr.write(`hammer: ${message}\n\n`);
    y.showHelp('error');
    process.exit(2);
  })
  .help()
  .alias('help', 'h')
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 100));

try {
  await cli.parseAsync();
} catch (error) {
  reportFailure(error);
  process.exitCode = 1;
}
