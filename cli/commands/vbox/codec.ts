import type { CommandModule } from 'yargs';

// vBox frame encode/decode commands; filled in with the vBox codec.
const commands: CommandModule[] = [];
export default commands;
