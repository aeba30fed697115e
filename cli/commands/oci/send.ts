import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'send <command> [fields..]',
  describe: 'Send one OCI-P command to a server and print the answer',
  handler: () => {
    throw new Error('send <command> [fields..]: not implemented yet');
  },
};
export default command;
