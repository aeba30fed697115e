// Connection handling shared by the commands that log in to an OCI-P server (`oci send`,
// `agent …`): the password from the flag, the environment or a no-echo prompt, and files named
// by flags. Each command passes its own typed error.
import { readFileSync } from 'node:fs';

/** --password, else $OCI_PASSWORD, else a no-echo prompt when stdin is a terminal. */
export async function resolvePassword(given: string | undefined, fail: (message: string) => Error): Promise<string> {
  if (given !== undefined) return given;
  const fromEnv = process.env.OCI_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (process.stdin.isTTY) return promptHidden('Password: ', fail);
  throw fail('no password: give --password, set OCI_PASSWORD, or run in a terminal to be prompted');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(prompt: string, fail: (message: string) => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, so nothing typed after it can be echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(fail('password prompt cancelled'));
        if (ch === '\u0004') return value === '' ? done(fail('no password entered')) : done();
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function readFileOrFail(path: string, option: string, fail: (message: string, context: Record<string, unknown>) => Error): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fail(`cannot read ${option} ${path}: ${(error as Error).message}`, { path });
  }
}
