import type { CommandModule } from 'yargs';

// vBox control commands (status, rooms, nodes, key, watch); filled in with the vBox client.
const commands: CommandModule[] = [];
export default commands;
