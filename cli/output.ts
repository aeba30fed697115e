import { isThorsHammerError } from '../runtime/errors.js';

/** Prints one clear line for a failed command (with the error code when there is one) on stderr. */
export function reportFailure(error: unknown): void {
  if (isThorsHammerError(error)) process.stderr.write(`hammer: ${error.code}: ${error.message}\n`);
  else if (error instanceof Error) process.stderr.write(`hammer: ${error.message}\n`);
  else process.stderr.write(`hammer: ${String(error)}\n`);
  if (process.env.HAMMER_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/** Reads all of standard input as a Buffer. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
