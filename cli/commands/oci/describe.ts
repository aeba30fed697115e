import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'describe <name>',
  describe: 'Print the fields of an OCI-P type as a tree',
  handler: () => {
    throw new Error('describe <name>: not implemented yet');
  },
};
export default command;
