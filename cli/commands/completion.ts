import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../runtime/errors.js';
import { requestClassNames, requestFamilyNames, resolveRequestName } from '../../runtime/oci/names.js';
import { fieldMembers } from '../../runtime/oci/request-builder.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import type { CommandNode } from '../command-tree.js';
import { exampleRows } from '../examples.js';

/**
 * `hammer completion bash|zsh` prints a completion script. The script asks
 * `hammer __complete <words…>` for the candidates of the word being typed: commands and flags
 * come from the command modules themselves; request names from the selected release's index and
 * field names from the one module holding the request, so no other class is loaded.
 */

/** The hidden command the completion scripts call. */
export const COMPLETE_COMMAND = '__complete';

/** Positionals that take an OCI-P request name, and the ones after it that take fields, by command path. */
const REQUEST_POSITIONALS: Readonly<Record<string, { request: string; fields?: string }>> = {
  'oci send': { request: 'command', fields: 'fields' },
  'oci encode': { request: 'command', fields: 'fields' },
  'oci describe': { request: 'name' },
};

interface CompletionArgs {
  shell: 'bash' | 'zsh';
}

const command: CommandModule<object, CompletionArgs> = {
  command: 'completion [shell]',
  describe: 'Print a bash or zsh completion script: commands, flags, request names and their fields',
  builder: (y: Argv) =>
    y.positional('shell', { choices: ['bash', 'zsh'] as const, default: 'bash' as const, describe: 'the shell' }).example(
      exampleRows([
        ['source <($0 completion bash)', 'bash, for this shell (add it to ~/.bashrc to keep it)'],
        ['source <($0 completion zsh)', 'zsh (after compinit)'],
      ]),
    ) as unknown as Argv<CompletionArgs>,
  handler: (args) => {
    process.stdout.write(args.shell === 'zsh' ? ZSH_SCRIPT : BASH_SCRIPT);
  },
};
export default command;

/**
 * The candidates for the last of `words` (the word being typed, possibly empty), given the
 * words before it (after `hammer`). Only candidates starting with the typed word are returned.
 */
export async function completions(root: CommandNode, words: readonly string[]): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  let node = root;
  const path: string[] = [];
  const positionals: string[] = [];
  let release: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    if (word.startsWith('--')) {
      const [flag, inline] = word.slice(2).split('=', 2) as [string, string | undefined];
      const option = node.options.get(flag);
      if (option?.takesValue && inline === undefined) {
        if (flag === 'release') release = before[i + 1];
        i++;
      } else if (flag === 'release') release = inline;
      continue;
    }
    if (word.startsWith('-')) continue;
    const sub = positionals.length === 0 ? node.subcommands.find((c) => c.name === word) : undefined;
    if (sub) {
      node = sub;
      path.push(word);
    } else positionals.push(word);
  }
  const startsWith = (list: Iterable<string>) => [...list].filter((c) => c.startsWith(current));

  // The value of a flag: its choices, the releases for --release, files otherwise (left to the shell).
  const previous = before.at(-1);
  if (previous?.startsWith('--') && !previous.includes('=')) {
    const option = node.options.get(previous.slice(2));
    if (option?.takesValue) return startsWith(previous === '--release' ? OciSchema.releases() : (option.choices ?? []));
  }
  if (current.startsWith('-')) {
    if (current.startsWith('--') && current.includes('=')) {
      const [flag] = current.slice(2).split('=', 1) as [string];
      const option = node.options.get(flag);
      const values = flag === 'release' ? OciSchema.releases() : (option?.choices ?? []);
      return startsWith(values.map((v) => `--${flag}=${v}`));
    }
    return startsWith([...node.options.keys()].filter((k) => k.length > 1).map((k) => `--${k}`));
  }
  if (node.subcommands.length > 0 && positionals.length === 0) return startsWith(node.subcommands.map((c) => c.name));

  const request = REQUEST_POSITIONALS[path.join(' ')];
  if (!request) return [];
  const schema = await OciSchema.load(release ?? OciSchema.newestRelease());
  const slot = node.positionals[positionals.length] ?? node.positionals.at(-1);
  if (slot === request.request) return startsWith(new Set([...requestFamilyNames(schema), ...requestClassNames(schema)]));
  if (slot !== request.fields || positionals.length === 0 || current.includes('=')) return [];
  let type: string;
  try {
    type = resolveRequestName(schema, positionals[0]!).type;
  } catch {
    return [];
  }
  await schema.ensure(type);
  // `address.ci` completes below `address`; `contact[0].na` below `contact[0]`.
  const dot = current.lastIndexOf('.');
  const parent = dot === -1 ? '' : current.slice(0, dot);
  let members: ReturnType<typeof fieldMembers>;
  try {
    members = fieldMembers(schema, type, parent);
  } catch (error) {
    if (error instanceof ThorsHammerError) return [];
    throw error;
  }
  const prefix = parent === '' ? '' : `${parent}.`;
  return startsWith(members.map((m) => `${prefix}${m.name}${m.holds === 'structure' ? '.' : '='}`));
}

const BASH_SCRIPT = `# bash completion for hammer (thors-hammer): source <(hammer completion bash)
_hammer_complete() {
  local line=\${COMP_LINE:0:COMP_POINT}
  local -a words
  read -r -a words <<< "$line"
  [[ $line == *' ' ]] && words+=('')
  local typed=\${words[\${#words[@]}-1]}
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\\n'
  local -a found
  found=($(\${words[0]} ${COMPLETE_COMMAND} "\${words[@]:1}" 2>/dev/null))
  # bash splits words at = and :, so strip what it already treats as typed.
  local done_part=\${typed:0:\${#typed}-\${#cur}}
  COMPREPLY=()
  local candidate
  for candidate in "\${found[@]}"; do COMPREPLY+=("\${candidate#"$done_part"}"); done
  if [[ \${#COMPREPLY[@]} -gt 0 && \${COMPREPLY[0]} == *[=.] ]]; then compopt -o nospace 2>/dev/null; fi
}
complete -o default -F _hammer_complete hammer
`;

const ZSH_SCRIPT = `#compdef hammer
# zsh completion for hammer (thors-hammer): source <(hammer completion zsh)  (after compinit)
_hammer() {
  local -a found open closed
  found=(\${(f)"$(\${words[1]} ${COMPLETE_COMMAND} "\${(@)words[2,CURRENT]}" 2>/dev/null)"})
  open=(\${(M)found:#*[=.]})
  closed=(\${found:#*[=.]})
  (( \${#open} )) && compadd -Q -S '' -- "\${open[@]}"
  (( \${#closed} )) && compadd -Q -- "\${closed[@]}"
  (( \${#found} )) || _files
}
compdef _hammer hammer
`;
