import { statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isThorsHammerError, ThorsHammerError } from '../runtime/errors.js';
import { formatBuildIssue, OciRequestBuildError } from '../runtime/oci/request-builder.js';

/**
 * Prints a failed command on stderr: one line (with the error code when there is one), then one
 * indented line per further problem of a request that could not be built.
 */
export function reportFailure(error: unknown): void {
  if (error instanceof OciRequestBuildError && error.issues.length > 1) {
    process.stderr.write(`hammer: ${error.code}: ${error.typeName}: ${error.issues.length} problems\n`);
    for (const issue of error.issues) process.stderr.write(`  ${formatBuildIssue(issue)}\n`);
  } else if (isThorsHammerError(error)) process.stderr.write(`hammer: ${error.code}: ${error.message}\n`);
  else if (error instanceof Error) process.stderr.write(`hammer: ${error.message}\n`);
  else process.stderr.write(`hammer: ${String(error)}\n`);
  if (process.env.HAMMER_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/**
 * Reports a typed error whose code matches `usageCodes` (bad options, a target that cannot be
 * read, …) on stderr with exit code 2 and returns true; anything else is the caller's (false).
 */
export function reportedAsUsageError(error: unknown, usageCodes: RegExp): boolean {
  if (!isThorsHammerError(error) || !usageCodes.test(error.code)) return false;
  reportFailure(error);
  process.exitCode = 2;
  return true;
}

/**
 * Rewrites the library option names in an error message into the command's flags (`tls.ca` →
 * `--ca`), so that a message tells a CLI user what to type. Each pair is [library wording, CLI wording].
 */
export function inFlagTerms<E>(error: E, vocabulary: readonly (readonly [string, string])[]): E {
  if (error instanceof Error) {
    let message = error.message;
    for (const [library, flag] of vocabulary) message = message.split(library).join(flag);
    error.message = message;
  }
  return error;
}

/** Reads all of standard input as a Buffer. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads all of standard input, first saying so on stderr when stdin is a terminal (so a user is not left waiting in silence). */
export async function readInput(what: string): Promise<Buffer> {
  if (process.stdin.isTTY) process.stderr.write(`hammer: reading ${what} from stdin (end with Ctrl-D)…\n`);
  return readStdin();
}

/** A usage mistake found by a command's own checks (TH_ERR_CLI_USAGE), e.g. an `--out` into a folder that does not exist. */
export class CliUsageError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_CLI_USAGE', message, { context });
  }
}

/**
 * Checks that an output file can be created where `flag` names it (its folder exists), so a long
 * run does not end in an error it could have reported at once. Throws {@link CliUsageError}.
 */
export function checkOutPath(path: string, flag = '--out'): void {
  const folder = dirname(resolve(path));
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new CliUsageError(`${flag} ${path}: the folder ${folder} does not exist`, { path });
  }
  if (!isFolder) throw new CliUsageError(`${flag} ${path}: ${folder} is not a folder`, { path });
}

/** Writes an output file named by `flag`; a file that cannot be written is a {@link CliUsageError}. */
export function writeOutFile(path: string, data: string | Uint8Array, flag = '--out'): void {
  checkOutPath(path, flag);
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new CliUsageError(`${flag} ${path}: cannot write: ${(error as Error).message}`, { path });
  }
}

/** Exit status of a process whose output pipe was closed: what the shell shows for one killed by SIGPIPE (128 + 13). */
export const CLOSED_PIPE_EXIT = 128 + constants.signals.SIGPIPE;

/**
 * Ends the process quietly when the reader of stdout or stderr goes away (`hammer … | head`):
 * there is no one left to tell, so no stack trace, just the closed-pipe exit status.
 */
export function exitQuietlyOnClosedPipe(): void {
  const closed = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (closed(error)) process.exit(CLOSED_PIPE_EXIT);
      throw error;
    });
  }
  // yargs exits right after printing --help, before the write error is emitted: the status still says so.
  process.on('exit', () => {
    if (closed(process.stdout.errored) || closed(process.stderr.errored)) process.exitCode = CLOSED_PIPE_EXIT;
  });
}
