import type { Argv, CommandModule } from 'yargs';
import codec from './codec.js';
import control from './control.js';

const vbox: CommandModule = {
  command: 'vbox <command>',
  describe: 'Vitrea vBox: status, rooms, nodes, key control, watch pushes, encode and decode frames',
  builder: (y: Argv) => {
    for (const c of control) y.command(c);
    for (const c of codec) y.command(c);
    return y.demandCommand(1);
  },
  handler: () => {},
};
export default vbox;
