import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ThorsHammerError } from '../runtime/errors.js';
import { projectRoot } from '../runtime/paths.js';
import { commandPath, rootNode } from './command-tree.js';
import completion, { COMPLETE_COMMAND, completions } from './commands/completion.js';
import generate from './commands/generate.js';
import webcli from './commands/webcli/index.js';
import { exitQuietlyOnClosedPipe, reportFailure } from './output.js';

// `hammer`: one entry point for generation, OCI-P and vBox work. Each command lives in
// cli/commands/; this file only wires them together.
//
// Command groups that use generated bindings are imported dynamically: on a fresh checkout
// `generated/` does not exist yet, and `hammer generate` (which creates it) must still run.

// `hammer … | head`: a reader that stops early ends every command quietly.
exitQuietlyOnClosedPipe();

/** thors-hammer's own version (yargs would guess from the nearest package.json: the host project's, once installed). */
const version = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

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

const [oci, vbox, mock, bulk, agent] = await Promise.all([
  loadGroup(() => import('./commands/oci/index.js'), 'oci', 'OCI-P (BroadWorks) commands'),
  loadGroup(() => import('./commands/vbox/index.js'), 'vbox', 'Vitrea vBox commands'),
  loadGroup(() => import('./commands/mock/index.js'), 'mock', 'Mock servers'),
  loadGroup(() => import('./commands/bulk/index.js'), 'bulk', 'Bulk provisioning from CSV/XLSX'),
  loadGroup(() => import('./commands/agent/index.js'), 'agent', 'Automations: find-alias, find-number, audits, digests'),
]);
const modules = [generate, oci, vbox, mock, bulk, agent, webcli, completion];
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
    .command(bulk)
    .command(agent)
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
    .version(version)
    .wrap(Math.min(110, process.stdout.columns ?? 100));

  try {
    await cli.parseAsync();
  } catch (error) {
    reportFailure(error);
    process.exitCode = 1;
  }
}
