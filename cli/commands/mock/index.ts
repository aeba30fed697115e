import type { Argv, CommandModule } from 'yargs';
import ociMock from './oci.js';
import vboxMock from './vbox.js';

const mock: CommandModule = {
  command: 'mock <server>',
  describe: 'Run a mock server: a BroadWorks OCI-P server (oci) or a Vitrea vBox (vbox)',
  builder: (y: Argv) => y.command(ociMock).command(vboxMock).demandCommand(1),
  handler: () => {},
};
export default mock;
