import type { Argv, CommandModule } from 'yargs';
import codec from './codec.js';
import { usageFailure } from './connection.js';
import control from './control.js';

const vbox: CommandModule = {
  command: 'vbox <command>',
  describe: 'Vitrea vBox: status, rooms, nodes, show and switch keys, watch pushes, encode and decode frames',
  builder: (y: Argv) => {
    for (const c of control) y.command(c);
    for (const c of codec) y.command(c);
    return usageFailure(y, 'vbox').demandCommand(1, 'name a vbox command');
  },
  handler: () => {},
};
export default vbox;
