import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'encode',
  describe: 'Read {sessionId, commands} JSON on stdin and print the OCI-P document',
  handler: () => {
    throw new Error('encode: not implemented yet');
  },
};
export default command;
