import { WebCommandError } from './errors.js';
import type { CommandText } from './types.js';

/**
 * Splits raw command text (C.3): `%verb% arg arg…` on the first line, the body on the lines
 * after it. Arguments split on blanks; single quotes keep everything, double quotes allow
 * `\"` and `\\`, a backslash outside quotes escapes the next character.
 */
export function splitCommand(raw: string): CommandText {
  const newline = raw.indexOf('\n');
  const firstLine = (newline < 0 ? raw : raw.slice(0, newline)).replace(/\r$/, '');
  const lead = firstLine.length - firstLine.trimStart().length;
  const m = /^%([A-Za-z][\w-]*)%/.exec(firstLine.slice(lead));
  if (!m) {
    throw new WebCommandError('a command starts with a verb between percent signs, e.g. %help%', { position: lead, code: 'TH_ERR_WEB_COMMAND_SYNTAX' });
  }
  const argStart = lead + m[0].length;
  if (argStart < firstLine.length && !/\s/.test(firstLine[argStart]!)) {
    throw new WebCommandError(`expected a blank after %${m[1]}%`, { position: argStart, code: 'TH_ERR_WEB_COMMAND_SYNTAX' });
  }
  const { args, offsets } = splitArgs(firstLine.slice(argStart), argStart);
  return {
    verb: m[1]!.toLowerCase(),
    args,
    argOffsets: offsets,
    body: newline < 0 ? '' : raw.slice(newline + 1),
    bodyOffset: newline < 0 ? raw.length : newline + 1,
    raw,
  };
}

/** Shell-like word splitting of one line; `base` is added to the offsets (start, and end after the word's last character). */
export function splitArgs(line: string, base = 0): { args: string[]; offsets: number[]; ends: number[] } {
  const args: string[] = [];
  const offsets: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let word = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new WebCommandError('unterminated single quote', { position: base + i, code: 'TH_ERR_WEB_COMMAND_SYNTAX' });
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        for (;;) {
          if (i >= line.length) throw new WebCommandError('unterminated double quote', { position: base + start, code: 'TH_ERR_WEB_COMMAND_SYNTAX' });
          const c = line[i]!;
          if (c === '"') break;
          if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
            word += line[i + 1];
            i += 2;
          } else {
            word += c;
            i++;
          }
        }
        i++;
      } else if (ch === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += ch;
        i++;
      }
    }
    args.push(word);
    offsets.push(base + start);
    ends.push(base + i);
  }
  return { args, offsets, ends };
}

/** Options of a verb: `--name value`, `--name=value`, or a boolean `--flag`. */
export interface OptionSpec {
  [name: string]: 'string' | 'boolean';
}

/**
 * Takes `--options` out of a verb's arguments; unknown options and missing values throw with
 * the position. Everything else stays positional, in order (`--` ends the options).
 */
export function takeOptions(
  command: CommandText,
  spec: OptionSpec,
  from = 0,
): { options: Record<string, string | boolean>; positional: string[]; positionalOffsets: number[] } {
  const options: Record<string, string | boolean> = {};
  const positional: string[] = [];
  const positionalOffsets: number[] = [];
  const { args, argOffsets } = command;
  let rest = false;
  for (let i = from; i < args.length; i++) {
    const arg = args[i]!;
    if (!rest && arg === '--') {
      rest = true;
      continue;
    }
    if (!rest && arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const kind = spec[name];
      if (!kind) {
        const known = Object.keys(spec).map((k) => `--${k}`);
        throw new WebCommandError(`unknown option --${name} for %${command.verb}%${known.length ? ` (options: ${known.join(', ')})` : ''}`, {
          position: argOffsets[i],
        });
      }
      if (kind === 'boolean') {
        if (eq >= 0) throw new WebCommandError(`--${name} takes no value`, { position: argOffsets[i] });
        options[name] = true;
      } else if (eq >= 0) options[name] = arg.slice(eq + 1);
      else {
        if (i + 1 >= args.length) throw new WebCommandError(`--${name} needs a value`, { position: argOffsets[i] });
        options[name] = args[++i]!;
      }
      continue;
    }
    positional.push(arg);
    positionalOffsets.push(argOffsets[i]!);
  }
  return { options, positional, positionalOffsets };
}

/** Parses a duration such as `90`, `90s`, `2m`, `1h`, `500ms` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}
