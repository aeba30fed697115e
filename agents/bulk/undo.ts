import { writeFileSync } from 'node:fs';
import { type BatchResult, newestGeneratedRelease } from '../../runtime/oci/client.js';
import { OciSessionPool } from '../../runtime/oci/client/pool.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { BulkJournalError } from './errors.js';
import { type Inverse, inverseOf, prepareRelatedTypes } from './inverse.js';
import { type JournalRow, redactSecrets, readJournal } from './journal.js';
import type { BulkConnection } from './runner.js';

/**
 * Undo of an applied run: for every row the journal shows as done, the inverse request —
 * a Modify back to the before-image, an Add for what was deleted (from the before-image),
 * a Delete for what was added — newest row first, or the reason none can be built.
 */

export interface UndoStep {
  row: number;
  /** The request the row ran. */
  request: string;
  /** The key fields of the row (userId, groupId …), for the plan table. */
  target: string;
  inverse: Inverse;
}

export interface UndoPlan {
  journal: string;
  release: string;
  steps: UndoStep[];
}

export interface UndoOptions {
  schema?: OciSchema;
  release?: string;
}

/** Reads a journal and plans the inverse of every row done by its apply runs. */
export async function planUndo(journalPath: string, options: UndoOptions = {}): Promise<UndoPlan> {
  const lines = readJournal(journalPath);
  const header = lines[0];
  const release = options.schema?.release ?? options.release ?? (header?.kind === 'header' ? header.release : newestGeneratedRelease());
  const schema = options.schema ?? (await OciSchema.load(release));
  const done = new Map<number, JournalRow>();
  let mode = '';
  for (const line of lines) {
    if (line.kind === 'header') mode = line.mode;
    else if (line.kind === 'row' && line.outcome === 'ok' && mode === 'apply' && line.command) done.set(line.row, line);
  }
  if (done.size === 0) throw new BulkJournalError(`${journalPath}: no applied row to undo (dry runs change nothing)`, { path: journalPath });
  const rows = [...done.values()].sort((a, b) => b.row - a.row);
  const commands = rows.map((line) => line.command as Record<string, unknown> & { $type: string });
  // Every type the plan builds (each row's Delete, Add or Modify) is loaded before the first is
  // built, and the before-images' own types (a Modify's undo asks what its Get answers).
  await prepareRelatedTypes(
    schema,
    commands.map((c) => c.$type),
  );
  const beforeTypes = new Set(rows.map((line) => line.before?.$type).filter((t): t is string => typeof t === 'string' && schema.has(t)));
  if (beforeTypes.size > 0) await schema.ensure(...beforeTypes);
  const steps: UndoStep[] = [];
  rows.forEach((line, i) => {
    const command = commands[i] as Record<string, unknown> & { $type: string };
    let inverse = inverseOf(schema, command, line.before);
    if (inverse.ok && JSON.stringify(inverse.command).includes('"***"')) {
      inverse = { ok: false, reason: 'needs a secret value (a password) that the journal never stores' };
    }
    steps.push({ row: line.row, request: command.$type, target: targetOf(command), inverse });
  });
  return { journal: journalPath, release: schema.release, steps };
}

function targetOf(command: Record<string, unknown>): string {
  const keys = ['serviceProviderId', 'groupId', 'userId', 'deviceName', 'serviceUserId', 'name'];
  return keys
    .filter((k) => typeof command[k] === 'string')
    .map((k) => command[k] as string)
    .join(':');
}

/**
 * Writes the inverse commands as JSON Lines (`{"row":…,"command":{…}}`, with `"dropped":[…]` when
 * before-image members were left out), the unbuildable ones with their reason.
 */
export function writeUndoPlan(plan: UndoPlan, path: string): void {
  const text = plan.steps.map(({ row, request, inverse }) =>
    JSON.stringify(
      inverse.ok
        ? { row, command: redactSecrets(inverse.command), ...(inverse.dropped ? { dropped: inverse.dropped } : {}) }
        : { row, request, reason: inverse.reason },
    ),
  );
  writeFileSync(path, `${text.join('\n')}\n`);
}

export interface UndoResult {
  row: number;
  request?: string;
  ok: boolean;
  error?: string;
}

/** Sends the buildable inverse commands, newest row first, on one session (so their order holds). */
export async function applyUndo(plan: UndoPlan, connection: BulkConnection, schema?: OciSchema): Promise<UndoResult[]> {
  const runnable = plan.steps.filter((s): s is UndoStep & { inverse: { ok: true; command: OciCommand } } => s.inverse.ok);
  const pool = new OciSessionPool({ size: 1, ...connection, schema: schema ?? connection.schema ?? (await OciSchema.load(plan.release)) });
  let results: BatchResult[];
  try {
    results = await pool.sendBatch(runnable.map((s) => s.inverse.command));
  } finally {
    await pool.close().catch(() => undefined);
  }
  return runnable.map((s, i) => {
    const r = results[i] as BatchResult;
    return { row: s.row, request: s.inverse.command.$type, ok: r.ok, error: r.ok ? undefined : r.error.message };
  });
}
