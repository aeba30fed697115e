import type { Argv, CommandModule } from 'yargs';
import {
  BulkOptionsError,
  type BulkSummary,
  applyUndo,
  bulkTemplate,
  formatIssue,
  loadPresets,
  planUndo,
  runBulk,
  templateCsv,
  writeUndoPlan,
  writeXlsxFile,
} from '../../../agents/bulk/index.js';
import { newestGeneratedRelease } from '../../../runtime/oci/client.js';
import { alignedTable } from '../../../runtime/oci/present.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { checkOutPath, reportedAsUsageError, writeOutFile } from '../../output.js';
import {
  type ConnectionArgs,
  connectionFrom,
  connectionOptions,
  inConnectionFlagTerms,
  reportSessionFailure,
  reportedAsSessionFailure,
} from '../../connection.js';
import { progressReporter, summaryLines } from './progress.js';
import { exampleRows } from '../../examples.js';

// `hammer bulk`: a thin adapter over agents/bulk (docs/bulk.md). Exit codes: 0 every row
// fine, 1 row errors, 2 usage errors (bad options, unreadable input or journal) and a login refused
// or a server out of reach.

/** Bad connection flags of `bulk run|undo` (cli/connection.ts) as this command's typed error. */
const bulkOptionsError = (message: string, context?: Record<string, unknown>) => new BulkOptionsError(message, context);

/**
 * Runs a handler; typed setup errors (options, input, journal, an --out that cannot be written) exit
 * 2, as usage errors, and so does a login refused or a server out of reach (one line).
 */
async function guarded(task: () => Promise<number>, connection?: ConnectionArgs): Promise<void> {
  try {
    process.exitCode = await inConnectionFlagTerms(task);
  } catch (error) {
    if (reportedAsUsageError(error, /^TH_ERR_(BULK|OCI_UNKNOWN_TYPE|OCI_CLIENT_OPTIONS|OCI_INSECURE_LOGIN|CLI_USAGE)/)) return;
    if (connection && reportedAsSessionFailure(error, connection)) return;
    throw error;
  }
}

function parseSet(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new BulkOptionsError(`--set ${v}: expected path=value`);
    out[v.slice(0, eq).trim()] = v.slice(eq + 1);
  }
  return out;
}

interface TemplateArgs {
  request: string;
  release?: string;
  all: boolean;
  hints: boolean;
  format: 'csv' | 'xlsx';
  out?: string;
  presets?: string;
}

const template: CommandModule<object, TemplateArgs> = {
  command: 'template <request>',
  describe: 'Write the header row (and with --hints a type row) of a bulk file for a request, family or preset',
  builder: (y: Argv) =>
    y
      .positional('request', { type: 'string', demandOption: true, describe: 'Request type, Family@latest, family name or preset (user.create …)' })
      .option('release', { type: 'string', describe: 'Schema release (default: newest generated)' })
      .option('all', { type: 'boolean', default: false, describe: 'Every path: lift the depth and repeat limits' })
      .option('hints', { type: 'boolean', default: false, describe: 'Add a second row with each column’s type, facets and values' })
      .option('format', { choices: ['csv', 'xlsx'] as const, default: 'csv' as const, describe: 'Output format' })
      .option('out', { type: 'string', describe: 'Output file (default: stdout for CSV; required for XLSX)' })
      .option('presets', { type: 'string', describe: 'Folder of extra preset JSON files' })
      .example(
        exampleRows([
          ['$0 bulk template UserAddRequest17sp4 --hints > users.csv', ''],
          ['$0 bulk template user.create --format xlsx --out users.xlsx', ''],
        ]),
      ) as unknown as Argv<TemplateArgs>,
  handler: (args) =>
    guarded(async () => {
      const schema = await OciSchema.load(args.release ?? newestGeneratedRelease());
      const t = await bulkTemplate(schema, args.request, { presets: loadPresets(args.presets), all: args.all, hints: args.hints });
      if (args.format === 'xlsx') {
        if (!args.out) throw new BulkOptionsError('--format xlsx needs --out FILE');
        checkOutPath(args.out);
        await writeXlsxFile(args.out, [t.header, ...(t.hints ? [t.hints] : [])], t.request);
      } else if (args.out) writeOutFile(args.out, templateCsv(t));
      else process.stdout.write(templateCsv(t));
      if (args.out) process.stderr.write(`${t.request}: ${t.header.length} columns → ${args.out}\n`);
      return 0;
    }),
};

interface RunArgs extends ConnectionArgs {
  file: string;
  request?: string;
  sheet?: string;
  encoding?: string;
  set?: string[];
  'nil-token': string;
  presets?: string;
  apply: boolean;
  sessions: number;
  'batch-size': number;
  'max-errors'?: number;
  journal?: string;
  'no-journal'?: boolean;
  resume?: string;
  'failed-out'?: string;
  backup: boolean;
  preflight: boolean;
  quiet: boolean;
}

const run: CommandModule<object, RunArgs> = {
  command: 'run <file>',
  describe: 'Validate a CSV/XLSX file of requests (dry run), or send it with --apply',
  builder: (y: Argv) =>
    connectionOptions(
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'CSV or XLSX file, one request per row' })
        .option('request', { type: 'string', describe: 'Request type, family or preset for rows without a request/operation cell' })
        .option('sheet', { type: 'string', describe: 'XLSX worksheet (default: the first)' })
        .option('encoding', { type: 'string', describe: 'CSV encoding: utf-8 (default) or iso-8859-1' })
        .option('set', { type: 'string', array: true, describe: 'Default for every row: path=value (fill-ins allowed)' })
        .option('nil-token', { type: 'string', default: 'null', describe: 'Cell text that means xsi:nil (clear the field)' })
        .option('presets', { type: 'string', describe: 'Folder of extra preset JSON files' })
        .option('apply', {
          type: 'boolean',
          default: false,
          describe: 'Send the rows (default: dry run, nothing that changes data is sent; rows of read-only Get requests are sent whenever --url is given)',
        })
        .option('sessions', { type: 'number', default: 2, describe: 'Sessions in the pool' })
        .option('batch-size', { type: 'number', default: 15, describe: 'Commands per document (1..15)' })
        .option('max-errors', { type: 'number', describe: 'Stop sending new rows after this many failed rows' })
        .option('journal', { type: 'string', describe: 'Journal file (default: <file>.journal.jsonl)' })
        .option('resume', {
          type: 'string',
          describe: 'Skip rows a previous run (this journal) did with the same content; the journal must be of this input (same content, or this file edited)',
        })
        .option('failed-out', {
          type: 'string',
          describe: 'Write every row that did not end ok (invalid, failed, in doubt, not run) as CSV with an error column',
        })
        .option('preflight', {
          type: 'boolean',
          default: false,
          describe: 'Check against the server that each row’s targets exist (or not), then print the plan',
        })
        .option('backup', { type: 'boolean', default: false, describe: 'Read the current state of Modify/Delete targets first (for undo)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
        .example(
          exampleRows([
            ['$0 bulk run users.csv --request UserAddRequest17sp4', 'dry run: every problem with row and column'],
            ['$0 bulk run users.csv --request UserAddRequest17sp4 --url tcp://127.0.0.1:2208 --user admin --apply', 'send'],
            ['$0 bulk run users.csv --request UserGetRequest --url tcp://127.0.0.1:2208 --user admin', 'read-only rows are sent without --apply'],
          ]),
        ),
      { serverRequired: false },
    ) as unknown as Argv<RunArgs>,
  handler: (args) =>
    guarded(async () => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      const progress = progressReporter({ quiet: args.quiet });
      const problems: string[] = [];
      const plan: string[][] = [];
      let summary: BulkSummary;
      try {
        summary = await runBulk({
          input: args.file,
          request: args.request,
          sheet: args.sheet,
          encoding: args.encoding,
          set: parseSet(args.set),
          nilToken: args['nil-token'],
          presetsDir: args.presets,
          release: args.release,
          apply: args.apply,
          // A server given without --apply still answers the read-only (Get) rows.
          connection: args.apply || args.preflight || args.url !== undefined ? await connectionFrom(args, bulkOptionsError) : undefined,
          preflight: args.preflight,
          sessions: args.sessions,
          batchSize: args['batch-size'],
          maxErrors: args['max-errors'],
          journal: args.journal,
          resume: args.resume,
          failedOut: args['failed-out'],
          backup: args.backup,
          signal: controller.signal,
          onEvent: (event) => {
            progress(event);
            if (event.type !== 'row') return;
            if (event.plan)
              plan.push([String(event.row), event.request ?? '', event.plan.target, event.outcome === 'invalid' ? 'none (see problems)' : event.plan.action]);
            if (event.issues) for (const issue of event.issues) problems.push(formatIssue(event.row, issue));
            else if (event.error) problems.push(`row ${event.row}: ${event.outcome}: ${event.error.code}: ${event.error.message}`);
            if (problems.length >= 200) flush(problems);
          },
        });
      } finally {
        process.off('SIGINT', onSignal);
      }
      flush(problems);
      if (plan.length > 0) process.stdout.write(`${alignedTable(['row', 'request', 'target', 'action'], plan).join('\n')}\n`);
      process.stdout.write(`${summaryLines(summary).join('\n')}\n`);
      const setupFailure = summary.setupFailure;
      if (setupFailure) {
        reportSessionFailure(setupFailure);
        return 2;
      }
      return summary.exitCode;
    }, args),
};

function flush(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  lines.length = 0;
}

interface UndoArgs extends ConnectionArgs {
  journal: string;
  out?: string;
  apply: boolean;
}

const undo: CommandModule<object, UndoArgs> = {
  command: 'undo <journal>',
  describe: 'Plan (or with --apply send) the inverse of an applied run, newest row first',
  builder: (y: Argv) =>
    connectionOptions(
      y
        .positional('journal', { type: 'string', demandOption: true, describe: 'The journal of the run to undo' })
        .option('out', { type: 'string', describe: 'Write the inverse commands as JSON Lines (default: <journal>.undo.jsonl)' })
        .option('apply', { type: 'boolean', default: false, describe: 'Send the inverse commands' }),
      { serverRequired: false },
    ) as unknown as Argv<UndoArgs>,
  handler: (args) =>
    guarded(async () => {
      if (args.out) checkOutPath(args.out);
      const out = args.out ?? `${args.journal}.undo.jsonl`;
      const plan = await planUndo(args.journal, { release: args.release });
      writeUndoPlan(plan, out);
      const table = plan.steps.map((s) => [String(s.row), s.request, s.target, s.inverse.ok ? s.inverse.command.$type : `none: ${s.inverse.reason}`]);
      process.stdout.write(`${alignedTable(['row', 'request', 'target', 'action'], table).join('\n')}\n`);
      const blocked = plan.steps.filter((s) => !s.inverse.ok).length;
      process.stdout.write(`plan: ${plan.steps.length - blocked} inverse requests, ${blocked} without an inverse → ${out}\n`);
      if (!args.apply) return blocked > 0 ? 1 : 0;
      const results = await applyUndo(plan, await connectionFrom(args, bulkOptionsError));
      const failed = results.filter((r) => !r.ok);
      for (const r of failed) process.stdout.write(`row ${r.row}: ${r.request}: ${r.error}\n`);
      process.stdout.write(`undo: ${results.length - failed.length} ok, ${failed.length} failed\n`);
      return failed.length + blocked > 0 ? 1 : 0;
    }, args),
};

const bulk: CommandModule = {
  command: 'bulk <command>',
  describe: 'Bulk provisioning from CSV/XLSX: templates, dry run, apply, resume, undo (docs/bulk.md)',
  builder: (y: Argv) => y.command(template).command(run).command(undo).demandCommand(1),
  handler: () => {},
};
export default bulk;
