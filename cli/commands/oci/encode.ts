import type { Argv, CommandModule } from 'yargs';
import { documentBytes, encodeDocument, type OciCommand, type OciDocument } from '../../../runtime/oci/codec.js';
import { resolveRequestName } from '../../../runtime/oci/names.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { readInput } from '../../output.js';
import { deprecationNotice, OciCliInputError, requestFromArgs } from './request-args.js';
import { exampleRows } from '../../examples.js';

interface EncodeArgs {
  command?: string;
  fields?: string[];
  json?: string;
  'session-id': string;
  release?: string;
  encoding: 'UTF-8' | 'ISO-8859-1';
  validate: boolean;
}

/** Parses the JSON document form read on stdin, with one clear error for anything else. */
export function parseJsonDocument(text: string): OciDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new OciCliInputError(`stdin is not valid JSON: ${reason}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray((value as OciDocument).commands)) {
    throw new OciCliInputError('expected a JSON object like {"sessionId": "…", "commands": [{"$type": "UserGetRequest", …}]}');
  }
  return value as OciDocument;
}

const command: CommandModule<object, EncodeArgs> = {
  command: 'encode [command] [fields..]',
  describe: 'Print the OCI-P document for one request given as fields, or for {sessionId, commands} JSON read on stdin',
  builder: (y: Argv) =>
    y
      .positional('command', {
        type: 'string',
        describe: 'a request class, family or Family@latest; without it, a whole JSON document is read on stdin',
      })
      .positional('fields', { type: 'string', array: true, describe: 'key=value (text) or key:=json fields, as for `oci send`' })
      .option('json', { type: 'string', describe: 'JSON file with the command fields; - for stdin (with a command)' })
      .option('session-id', { type: 'string', default: 'hammer', describe: 'sessionId of the document built from a command and fields' })
      .option('release', { type: 'string', describe: 'OCI-P release (default: the newest generated one)' })
      .option('encoding', { choices: ['UTF-8', 'ISO-8859-1'] as const, default: 'UTF-8' as const, describe: 'declared encoding; the output bytes follow it' })
      .option('validate', { type: 'boolean', default: true, describe: 'check every command against the schema first (--no-validate to skip)' })
      .example(
        exampleRows([
          ['$0 oci encode UserModifyRequest22 userId=u@example.com title:=null', 'one request from fields (null clears a field)'],
          [
            `echo '{"sessionId":"s1","commands":[{"$type":"UserGetRequest","userId":"u@example.com"}]}' | $0 oci encode`,
            'a document; a family name that is no class means its newest version (UserGetRequest23V2 in R25)',
          ],
          ['$0 oci encode --encoding ISO-8859-1 < request.json > request.xml', 'Latin-1 bytes, other characters as &#N;'],
        ]),
      ) as unknown as Argv<EncodeArgs>,
  handler: async (args) => {
    const schema = await OciSchema.load(args.release ?? OciSchema.newestRelease());
    let doc: OciDocument;
    if (args.command !== undefined) {
      const { command } = await requestFromArgs(schema, args.command, { json: args.json, fields: args.fields, validate: args.validate });
      doc = { sessionId: args['session-id'], commands: [command] };
    } else {
      if (args.json !== undefined || (args.fields?.length ?? 0) > 0)
        throw new OciCliInputError('--json and fields need a command name (oci encode <command> …)');
      doc = parseJsonDocument((await readInput('the JSON document')).toString('utf8'));
      const commands: OciCommand[] = doc.commands.map((c, i) => {
        if (typeof c !== 'object' || c === null || typeof c.$type !== 'string') {
          throw new OciCliInputError(`commands[${i}] needs a "$type" (a request or response type, or a request family)`);
        }
        const resolved = resolveRequestName(schema, c.$type);
        const notice = deprecationNotice(resolved, schema.release);
        if (notice) process.stderr.write(notice);
        return { ...c, $type: resolved.type };
      });
      await schema.ensure(...commands.map((c) => c.$type));
      doc = { ...doc, commands };
    }
    const text = encodeDocument(schema, doc, { encoding: args.encoding, validate: args.validate });
    process.stdout.write(Buffer.concat([documentBytes(text), Buffer.from('\n')]));
  },
};
export default command;
