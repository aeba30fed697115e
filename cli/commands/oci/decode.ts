import type { Argv, CommandModule } from 'yargs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { decodeDocumentLoading } from '../../../runtime/oci/codec.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { readStdin } from '../../output.js';
import { newestRelease } from './encode.js';

interface DecodeArgs {
  release?: string;
}

const command: CommandModule<object, DecodeArgs> = {
  command: 'decode',
  describe: 'Read an OCI-P document on stdin and print it as JSON (null = nil; absent = omitted)',
  builder: (y: Argv) =>
    y
      .option('release', { type: 'string', describe: 'OCI-P release (default: the newest generated one)' })
      .example('$0 oci decode < response.xml', "bytes decoded by the document's own declaration (ISO-8859-1 or UTF-8)")
      .example('$0 oci encode < request.json | $0 oci decode', 'round trip') as unknown as Argv<DecodeArgs>,
  handler: async (args) => {
    const input = await readStdin();
    if (input.length === 0) throw new ThorsHammerError('TH_ERR_OCI_CLI_INPUT', 'stdin is empty: pipe an OCI-P document in');
    const schema = await OciSchema.load(args.release ?? newestRelease());
    const doc = await decodeDocumentLoading(schema, input);
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  },
};
export default command;
