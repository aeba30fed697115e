import type { CommandModule } from 'yargs';

// Placeholder until this command lands; it fails loudly rather than pretending to work.
const command: CommandModule = {
  command: 'oci',
  describe: 'Run a mock BroadWorks OCI-P server (TCP, TLS, SOAP)',
  handler: () => {
    throw new Error('oci: not implemented yet');
  },
};
export default command;
