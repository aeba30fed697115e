import type { CommandModule } from 'yargs';

/** Any command module, whatever its argument types (only its shape is read). */
// biome-ignore lint/suspicious/noExplicitAny: the argument types of each command differ
type AnyCommandModule = CommandModule<any, any>;

/**
 * The shape of the `hammer` command line — commands, their positionals and flags — read from
 * the yargs command modules themselves (their builders run against a recorder, not yargs), so
 * usage hints and shell completion can never drift from the real commands.
 */
export interface CommandNode {
  /** The command word (`send`), or `hammer` at the root. */
  name: string;
  /** Positional names in order, from the command string (`send <command> [fields..]` → command, fields). */
  positionals: string[];
  /** Flags without dashes, with their choices and whether they take a value. */
  options: Map<string, { takesValue: boolean; choices?: readonly string[] }>;
  subcommands: CommandNode[];
}

/** Reads a command module (and its subcommands) into a {@link CommandNode}. */
export function commandNode(module: AnyCommandModule): CommandNode {
  const spec = Array.isArray(module.command) ? String(module.command[0]) : String(module.command ?? '');
  const [name = '', ...rest] = spec.split(/\s+/);
  const node: CommandNode = {
    name,
    positionals: rest.map((p) => p.replace(/[<>[\].]/g, '')).filter((p) => p !== ''),
    options: new Map(),
    subcommands: [],
  };
  const record = (key: string, opts: { type?: string; choices?: readonly unknown[]; alias?: string | readonly string[] } = {}): void => {
    const takesValue = opts.type !== 'boolean' && opts.type !== 'count';
    const entry = { takesValue, ...(opts.choices ? { choices: opts.choices.map(String) } : {}) };
    node.options.set(key, entry);
    for (const alias of [opts.alias ?? []].flat()) node.options.set(alias, entry);
  };
  const recorder: unknown = new Proxy(
    {},
    {
      get: (_target, method) => {
        return (...args: unknown[]) => {
          if (method === 'command' && typeof args[0] === 'object' && args[0] !== null) node.subcommands.push(commandNode(args[0] as AnyCommandModule));
          else if ((method === 'option' || method === 'options') && typeof args[0] === 'string') record(args[0], args[1] as never);
          else if ((method === 'option' || method === 'options') && typeof args[0] === 'object' && args[0] !== null) {
            for (const [key, opts] of Object.entries(args[0] as Record<string, never>)) record(key, opts);
          }
          return recorder;
        };
      },
    },
  );
  if (typeof module.builder === 'function') (module.builder as (y: unknown) => unknown)(recorder);
  else if (module.builder && typeof module.builder === 'object') for (const [key, opts] of Object.entries(module.builder)) record(key, opts as never);
  return node;
}

/** The root node of `hammer` over its top-level command modules (with the global --help and --version). */
export function rootNode(modules: readonly AnyCommandModule[]): CommandNode {
  return {
    name: 'hammer',
    positionals: [],
    options: new Map([
      ['help', { takesValue: false }],
      ['version', { takesValue: false }],
    ]),
    subcommands: modules.map(commandNode),
  };
}

/** The command words at the start of `argv` that name a command path (`['oci', 'send']`). */
export function commandPath(root: CommandNode, argv: readonly string[]): string[] {
  const path: string[] = [];
  let node = root;
  for (const word of argv) {
    if (word.startsWith('-')) break;
    const next = node.subcommands.find((c) => c.name === word);
    if (!next) break;
    path.push(word);
    node = next;
  }
  return path;
}
