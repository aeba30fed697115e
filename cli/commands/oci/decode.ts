import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'decode',
  describe: 'Read an OCI-P document on stdin and print it as JSON',
  handler: () => {
    throw new Error('decode: not implemented yet');
  },
};
export default command;
