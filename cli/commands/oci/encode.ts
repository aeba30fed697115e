import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { documentBytes, encodeDocument, type OciCommand, type OciDocument } from '../../../runtime/oci/codec.js';
import { OciUnknownTypeError } from '../../../runtime/oci/errors.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { readStdin } from '../../output.js';

interface EncodeArgs {
  release?: string;
  encoding: 'UTF-8' | 'ISO-8859-1';
  validate: boolean;
}

/** The newest release with generated bindings (the default of --release). */
export function newestRelease(): string {
  const releases = OciSchema.releases();
  const newest = releases[releases.length - 1];
  if (!newest) throw new ThorsHammerError('TH_ERR_OCI_NO_RELEASE', 'no generated OCI-P bindings found; run `hammer generate oci` first');
  return newest;
}

/** Parses the JSON document form read on stdin, with one clear error for anything else. */
export function parseJsonDocument(text: string): OciDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new ThorsHammerError('TH_ERR_OCI_CLI_INPUT', `stdin is not valid JSON: ${reason}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray((value as OciDocument).commands)) {
    throw new ThorsHammerError('TH_ERR_OCI_CLI_INPUT', 'expected a JSON object like {"sessionId": "…", "commands": [{"$type": "UserGetRequest", …}]}');
  }
  return value as OciDocument;
}

const command: CommandModule<object, EncodeArgs> = {
  command: 'encode',
  describe: 'Read {sessionId, commands} JSON on stdin and print the OCI-P document',
  builder: (y: Argv) =>
    y
      .option('release', { type: 'string', describe: 'OCI-P release (default: the newest generated one)' })
      .option('encoding', { choices: ['UTF-8', 'ISO-8859-1'] as const, default: 'UTF-8' as const, describe: 'declared encoding; the output bytes follow it' })
      .option('validate', { type: 'boolean', default: true, describe: 'check every command against the schema first (--no-validate to skip)' })
      .example(
        `echo '{"sessionId":"s1","commands":[{"$type":"UserGetRequest","userId":"u@example.com"}]}' | $0 oci encode`,
        'family names resolve to the newest version (UserGetRequest23V2 in R25)',
      )
      .example('$0 oci encode --encoding ISO-8859-1 < request.json > request.xml', 'Latin-1 bytes, other characters as &#N;') as unknown as Argv<EncodeArgs>,
  handler: async (args) => {
    const doc = parseJsonDocument((await readStdin()).toString('utf8'));
    const release = args.release ?? newestRelease();
    const schema = await OciSchema.load(release);
    const commands: OciCommand[] = doc.commands.map((c, i) => {
      if (typeof c !== 'object' || c === null || typeof c.$type !== 'string') {
        throw new ThorsHammerError('TH_ERR_OCI_CLI_INPUT', `commands[${i}] needs a "$type" (a request or response type, or a request family)`);
      }
      const type = schema.latest(c.$type);
      if (type === undefined) throw new OciUnknownTypeError(c.$type, release, `commands[${i}]`);
      return { ...c, $type: type };
    });
    await schema.ensure(...commands.map((c) => c.$type));
    const text = encodeDocument(schema, { ...doc, commands }, { encoding: args.encoding, validate: args.validate });
    process.stdout.write(Buffer.concat([documentBytes(text), Buffer.from('\n')]));
  },
};
export default command;
