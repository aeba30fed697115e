import { ThorsHammerError } from '../../runtime/errors.js';

/**
 * Errors of the bulk engine that stop a whole run (bad input file, bad options, a journal
 * that does not fit). Problems of single rows are never thrown: they are row outcomes.
 */

/** An input file that cannot be read: missing, bad encoding, broken CSV or XLSX, no header. */
export class BulkInputError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('TH_ERR_BULK_INPUT', message, { context, cause });
  }
}

/** Options that do not fit together, an unknown preset, a bad `--set` or column alias. */
export class BulkOptionsError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_BULK_OPTIONS', message, { context });
  }
}

/** A journal that cannot be read or does not belong to the input (`--resume`, `undo`). */
export class BulkJournalError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('TH_ERR_BULK_JOURNAL', message, { context, cause });
  }
}

/** A preset file that is malformed. */
export class BulkPresetError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_BULK_PRESET', message, { context });
  }
}
