/**
 * The bulk engine: CSV/XLSX rows → OCI-P requests built by the schema, dry run, pooled and
 * batched sending, journal, resume, before-images and undo (docs/bulk.md). The CLI
 * (`hammer bulk`) and the Web CLI are adapters over this API.
 */
export {
  type BulkConnection,
  type BulkCounts,
  type BulkEvent,
  type BulkRunOptions,
  type BulkSetupFailure,
  type BulkSummary,
  bulkEvents,
  isTransient,
  runBulk,
} from './runner.js';
export { type BulkPreset, BUILT_IN_PRESETS, aliasPath, loadPresets } from './presets.js';
export { type BulkTemplate, bulkTemplate, templateCsv } from './template.js';
export { type UndoPlan, type UndoResult, type UndoStep, applyUndo, planUndo, writeUndoPlan } from './undo.js';
export { type Inverse, backupCommand, inverseOf, inverseRequestType, matchingGet, prepareRelatedTypes, requestKind } from './inverse.js';
/** Which rows are sent without `--apply` (re-exported from the runtime, where the one definition lives). */
export { isReadOnlyRequest } from '../../runtime/oci/names.js';
export { type JournalLine, type JournalRow, type RowOutcome, JOURNAL_VERSION, readJournal, redactSecrets, resumeState } from './journal.js';
export { type Cell, type CsvRecord, CsvParser, csvLine, readCsvFile } from './csv.js';
export { readXlsxChunks, readXlsxFile, writeXlsxFile } from './xlsx.js';
export {
  type PreparedRow,
  type RowHashVersion,
  type RowIssue,
  RowMapper,
  SPECIAL_COLUMNS,
  formatIssue,
  rowHash,
} from './rows.js';
export { BulkInputError, BulkJournalError, BulkOptionsError, BulkPresetError } from './errors.js';
