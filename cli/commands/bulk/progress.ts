import cliProgress from 'cli-progress';
import type { BulkEvent, BulkSummary } from '../../../agents/bulk/index.js';

/**
 * Shows a run's progress on stderr: a bar (cli-progress) on a terminal, a plain line every
 * few seconds otherwise, nothing with `--quiet`.
 */
export function progressReporter(options: { quiet: boolean; interval?: number }): (event: BulkEvent) => void {
  if (options.quiet) return () => {};
  const stream = process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {value}/{total} | ok {ok} | failed {failed} | skipped {skipped} | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    return (event) => {
      if (event.type === 'start') bar.start(event.total, 0, { ok: 0, failed: 0, skipped: 0, rate: 0 });
      else if (event.type === 'progress') {
        const c = event.counts;
        bar.update(event.done, {
          ok: c.ok + c.valid,
          failed: c.failed + c.invalid + c.inDoubt,
          skipped: c.skipped,
          rate: Math.round((event.done / Math.max(event.elapsedMs, 1)) * 1000),
        });
      } else if (event.type === 'end') bar.stop();
    };
  }
  const every = options.interval ?? 5000;
  let last = 0;
  return (event) => {
    if (event.type !== 'progress') return;
    if (event.elapsedMs - last < every && event.done < event.total) return;
    last = event.elapsedMs;
    const c = event.counts;
    stream.write(
      `bulk: ${event.done}/${event.total} rows, ok ${c.ok + c.valid}, failed ${c.failed + c.invalid + c.inDoubt}, skipped ${c.skipped}, ${Math.round((event.done / Math.max(event.elapsedMs, 1)) * 1000)} rows/s\n`,
    );
  };
}

/** The closing summary: counts, time, rows per second, journal. */
export function summaryLines(s: BulkSummary): string[] {
  const c = s.counts;
  const parts = [
    s.mode === 'dry-run' ? `${c.valid} valid` : `${c.ok} ok`,
    // A dry run with a server sends the read-only rows.
    ...(s.mode === 'dry-run' && c.ok + c.failed > 0 ? [`${c.ok} read-only ok`] : []),
    `${c.invalid} invalid`,
    ...(s.mode === 'apply' || c.failed > 0 ? [`${c.failed} failed`] : []),
    `${c.skipped} skipped`,
    ...(c.inDoubt ? [`${c.inDoubt} in doubt`] : []),
    ...(c.notRun ? [`${c.notRun} not run`] : []),
  ];
  const lines = [
    `${s.mode === 'dry-run' ? 'dry run' : 'applied'}: ${s.total} rows: ${parts.join(', ')} in ${(s.ms / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s)`,
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
