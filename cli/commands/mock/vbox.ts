import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'vbox',
  describe: 'Run a mock Vitrea vBox',
  handler: () => {
    throw new Error('vbox: not implemented yet');
  },
};
export default command;
