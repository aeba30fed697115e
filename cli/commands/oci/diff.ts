import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'diff <from> <to>',
  describe: 'List commands added, removed and changed between two releases',
  handler: () => {
    throw new Error('diff <from> <to>: not implemented yet');
  },
};
export default command;
