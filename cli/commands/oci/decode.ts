import type { Argv, CommandModule } from 'yargs';
import { decodeDocumentLoading } from '../../../runtime/oci/codec.js';
import { toJsonText } from '../../../runtime/oci/present.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { readInput } from '../../output.js';
import { OciCliInputError } from './request-args.js';
import { exampleRows } from '../../examples.js';

interface DecodeArgs {
  release?: string;
  format: 'json' | 'raw';
}

const command: CommandModule<object, DecodeArgs> = {
  command: 'decode',
  describe: 'Read an OCI-P document on stdin and print it as JSON (null = nil; absent = omitted)',
  builder: (y: Argv) =>
    y
      .option('release', { type: 'string', describe: 'OCI-P release (default: the newest generated one)' })
      .option('format', {
        choices: ['raw', 'json'] as const,
        default: 'raw' as const,
        describe: 'raw: the exact decoded form (tables as colHeading/row/col), which `oci encode` reads back; json: tables as records',
      })
      .example(
        exampleRows([
          ['$0 oci decode < response.xml', "bytes decoded by the document's own declaration (ISO-8859-1 or UTF-8)"],
          ['$0 oci encode < request.json | $0 oci decode', 'round trip'],
        ]),
      ) as unknown as Argv<DecodeArgs>,
  handler: async (args) => {
    const input = await readInput('an OCI-P document');
    if (input.length === 0) throw new OciCliInputError('stdin is empty: pipe an OCI-P document in');
    const schema = await OciSchema.load(args.release ?? OciSchema.newestRelease());
    const doc = await decodeDocumentLoading(schema, input);
    process.stdout.write(toJsonText(doc, { tables: args.format === 'json' ? 'records' : 'raw' }));
  },
};
export default command;
