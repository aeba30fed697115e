import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import generate from './commands/generate.js';
import mock from './commands/mock/index.js';
import oci from './commands/oci/index.js';
import vbox from './commands/vbox/index.js';
import { reportFailure } from './output.js';

// `hammer`: one entry point for generation, OCI-P and vBox work. Each command lives in
// cli/commands/; this file only wires them together.
await yargs(hideBin(process.argv))
  .scriptName('hammer')
  .usage('$0 <command> [options]')
  .command(generate)
  .command(oci)
  .command(vbox)
  .command(mock)
  .demandCommand(1, 'Name a command; see `hammer --help`.')
  .strict()
  .recommendCommands()
  .fail((message, error, y) => {
    if (error) reportFailure(error);
    else {
      process.stderr.write(`hammer: ${message}\n\n`);
      y.showHelp('error');
    }
    process.exit(error ? 1 : 2);
  })
  .help()
  .alias('help', 'h')
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
