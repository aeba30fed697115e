import yargs, { type Argv, type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ThorsHammerError } from '../runtime/errors.js';
import { commandPath, rootNode } from './command-tree.js';
import completion, { COMPLETE_COMMAND, completions } from './commands/completion.js';
import generate from './commands/generate.js';
import webcli from './commands/webcli/index.js';
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
const modules = [generate, oci, vbox, mock, webcli, completion];
const argv = joinDashValues(hideBin(process.argv));

/**
 * `--json -` as well as `--json=-`: yargs reads a lone `-` after a flag as a positional, so a
 * flag followed by `-` (stdin) is joined into one word first.
 */
function joinDashValues(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('--') && !word.includes('=') && word !== '--' && words[i + 1] === '-') {
      out.push(`${word}=-`);
      i++;
    } else out.push(word);
  }
  return out;
}

if (argv[0] === COMPLETE_COMMAND) {
  // The completion scripts' helper: one candidate per line, never an error on the terminal.
  try {
    const found = await completions(rootNode(modules), argv.slice(1));
    if (found.length > 0) process.stdout.write(`${found.join('\n')}\n`);
  } catch (error) {
    if (process.env.HAMMER_DEBUG) reportFailure(error);
  }
} else {
  const cli = yargs(argv)
    .scriptName('hammer')
    .usage('$0 <command> [options]')
    .command(generate)
    .command(oci)
    .command(vbox)
    .command(mock)
    .command(webcli)
    .command(completion)
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .fail((message, error) => {
      if (error) throw error; // reported below, whether a handler threw or rejected
      // A usage mistake: one line, and where the help is.
      const path = commandPath(rootNode(modules), argv);
      let line = message.replace(/\s*\n\s*/g, ' ');
      if (line.startsWith('Did you mean')) line = `unknown command '${argv[path.length]}'; d${line.slice(1)}`;
      process.stderr.write(`hammer: ${line}\nsee: hammer ${[...path, '--help'].join(' ')}\n`);
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
}
