import { ThorsHammerError } from '../../errors.js';

/**
 * Problems of the mock OCI-P server itself (bad options, unreadable seed or users file,
 * a port that cannot be bound). Codes: `TH_ERR_OCI_MOCK_OPTIONS`, `TH_ERR_OCI_MOCK_SEED`,
 * `TH_ERR_OCI_MOCK_USERS`, `TH_ERR_OCI_MOCK_LISTEN`, `TH_ERR_OCI_MOCK_RELEASE`, `TH_ERR_OCI_MOCK_CASSETTE`.
 */
export class OciMockError extends ThorsHammerError {}

/**
 * Thrown by a command handler to answer that one command with an `ErrorResponse`
 * (`[Error <number>] <text>`). It never leaves the mock: the engine turns it into the
 * per-command response, so later commands of the batch still run. It is deliberately not an
 * Error (no stack trace to capture): "not found" answers are ordinary traffic for a server.
 */
export class OciCommandRejection {
  constructor(
    readonly errorNumber: number,
    readonly text: string,
    readonly detail?: string,
  ) {}

  /** The summary line, `[Error 4008] User not found: x`. */
  get message(): string {
    return `[Error ${this.errorNumber}] ${this.text}`;
  }
}
