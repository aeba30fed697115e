import cliProgress from 'cli-progress';
import type { BulkCounts, BulkEvent, BulkSummary } from '../../../agents/bulk/index.js';

type Mode = BulkSummary['mode'];

/**
 * The counts of a run in the words of its closing summary ("3 valid, 1 invalid, 0 skipped"), so
 * the progress shown while it runs and the summary at its end name each outcome alike.
 */
export function countParts(c: BulkCounts, mode: Mode): string[] {
  return [
    mode === 'dry-run' ? `${c.valid} valid` : `${c.ok} ok`,
    // A dry run with a server sends the read-only rows.
    ...(mode === 'dry-run' && c.ok + c.failed > 0 ? [`${c.ok} read-only ok`] : []),
    `${c.invalid} invalid`,
    ...(mode === 'apply' || c.failed > 0 ? [`${c.failed} failed`] : []),
    `${c.skipped} skipped`,
    ...(c.inDoubt ? [`${c.inDoubt} in doubt`] : []),
    ...(c.notRun ? [`${c.notRun} not run`] : []),
  ];
}

const rowsPerSecond = (done: number, elapsedMs: number) => Math.round((done / Math.max(elapsedMs, 1)) * 1000);

/**
 * Shows a run's progress on stderr: a bar (cli-progress) on a terminal, a plain line every
 * few seconds otherwise (and once more for the last rows), nothing with `--quiet`.
 */
export function progressReporter(options: { quiet: boolean; interval?: number }): (event: BulkEvent) => void {
  if (options.quiet) return () => {};
  const stream = process.stderr;
  let mode: Mode = 'dry-run';
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: '{bar} {value}/{total} | {counts} | {rate} rows/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 200, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    return (event) => {
      if (event.type === 'start') {
        mode = event.mode;
        const none: BulkCounts = { ok: 0, valid: 0, invalid: 0, failed: 0, skipped: 0, inDoubt: 0, notRun: 0 };
        bar.start(event.total, 0, { counts: countParts(none, mode).join(', '), rate: 0 });
      } else if (event.type === 'progress') {
        bar.update(event.done, { counts: countParts(event.counts, mode).join(', '), rate: rowsPerSecond(event.done, event.elapsedMs) });
      } else if (event.type === 'end') bar.stop();
    };
  }
  const every = options.interval ?? 5000;
  let last = 0;
  // The runner's closing progress event repeats the last row's when that one already had every row.
  let printedDone = -1;
  return (event) => {
    if (event.type === 'start') mode = event.mode;
    if (event.type !== 'progress' || event.done === printedDone) return;
    if (event.elapsedMs - last < every && event.done < event.total) return;
    last = event.elapsedMs;
    printedDone = event.done;
    stream.write(
      `bulk: ${event.done}/${event.total} rows: ${countParts(event.counts, mode).join(', ')}, ${rowsPerSecond(event.done, event.elapsedMs)} rows/s\n`,
    );
  };
}

/** The closing summary: counts, time, rows per second, journal. */
export function summaryLines(s: BulkSummary): string[] {
  const c = s.counts;
  const lines = [
    `${s.mode === 'dry-run' ? 'dry run' : 'applied'}: ${s.total} rows: ${countParts(c, s.mode).join(', ')} in ${(s.ms / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s)`,
  ];
  if (s.aborted) lines.push('stopped: aborted (the batches in flight finished)');
  if (s.stoppedByMaxErrors) lines.push('stopped: --max-errors reached');
  if (s.journal) lines.push(`journal: ${s.journal}`);
  if (s.failedOut) lines.push(`failed rows: ${s.failedOut}`);
  if (s.mode === 'dry-run' && c.valid > 0) {
    lines.push(c.ok + c.failed > 0 ? 'only read-only rows were sent: add --apply to send the rest' : 'nothing was sent: add --apply to send');
  }
  return lines;
}
