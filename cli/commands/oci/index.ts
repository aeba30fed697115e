import type { Argv, CommandModule } from 'yargs';
import decode from './decode.js';
import describe from './describe.js';
import diff from './diff.js';
import encode from './encode.js';
import send from './send.js';

const oci: CommandModule = {
  command: 'oci <command>',
  describe: 'OCI-P (BroadWorks): describe and diff the schema, encode and decode documents, send commands',
  builder: (y: Argv) => y.command(describe).command(diff).command(encode).command(decode).command(send).demandCommand(1),
  handler: () => {},
};
export default oci;
