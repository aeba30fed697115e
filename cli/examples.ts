/**
 * Lays out a command's help examples for yargs (`.example(exampleRows([...]))`) so that they fit
 * an 80-column terminal. Short command lines keep their description in a column beside them; when
 * any of a command's lines is longer than that column, every description becomes a `# …` line
 * above its example and the command lines wrap over the whole width, so no word is squeezed.
 */
export function exampleRows(examples: readonly (readonly [command: string, description: string])[]): [string, string][] {
  const long = examples.some(([command]) => command.replaceAll('$0', 'hammer').length > BESIDE_LIMIT);
  if (!long) return examples.map(([command, description]) => [command, description]);
  return examples.flatMap(([command, description]): [string, string][] =>
    description
      ? [
          [`# ${description}`, ''],
          [command, ''],
        ]
      : [[command, '']],
  );
}

/** The widest example command line that leaves its description a column of its own at 80 columns. */
const BESIDE_LIMIT = 38;
