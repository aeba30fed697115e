import { ThorsHammerError } from '../../errors.js';

/**
 * Problems of the mock OCI-P server itself (bad options, unreadable seed or users file,
 * a port that cannot be bound). Codes: `TH_ERR_OCI_MOCK_OPTIONS`, `TH_ERR_OCI_MOCK_SEED`,
 * `TH_ERR_OCI_MOCK_USERS`, `TH_ERR_OCI_MOCK_LISTEN`, `TH_ERR_OCI_MOCK_RELEASE`.
 */
export class OciMockError extends ThorsHammerError {}

/**
 * Thrown by a command handler to answer that one command with an `ErrorResponse`
 * (`[Error <number>] <text>`). It never leaves the mock: the engine turns it into the
 * per-command response, so later commands of the batch still run.
 */
export class OciCommandRejection extends ThorsHammerError {
  readonly errorNumber: number;
  readonly text: string;
  readonly detail?: string;

  constructor(errorNumber: number, text: string, detail?: string) {
    super('TH_ERR_OCI_MOCK_COMMAND', `[Error ${errorNumber}] ${text}`, { context: { errorNumber, detail } });
    this.errorNumber = errorNumber;
    this.text = text;
    this.detail = detail;
  }
}
