import { toCsv } from './csv.js';
import { WebActionEndedError } from './errors.js';
import { type ChunkSink, type Emit, MIME, type NewChunk, type OutputLimits, type ProgressPayload, type StoredChunkRef, type TablePayload } from './types.js';

/** Least time between two stored updates of one progress key (about four a second). */
export const PROGRESS_INTERVAL_MS = 250;

/** The emit functions of one action, and their controls (for the scheduler, not the handler). */
export interface ActionEmitter {
  emit: Emit;
  /** Stores any coalesced progress update still pending, and waits for every emit in flight. */
  flush(): Promise<void>;
  /** From now on every emit rejects with WebActionEndedError and stores nothing. */
  seal(): void;
  readonly sealed: boolean;
}

interface PendingChunk {
  chunk: NewChunk;
  resolve(ref: StoredChunkRef): void;
  reject(error: unknown): void;
}

/** Resolves once the microtasks queued so far (and those they queue) have run: the end of the current turn. */
export const endOfTurn = () => new Promise<void>((resolve) => process.nextTick(resolve));

/** A CSV artifact chunk; `id` names the artifact in advance (a sink with `newArtifactId`). */
function csvChunk(fileName: string, headings: readonly string[], rows: Parameters<typeof toCsv>[1], id?: string): NewChunk {
  return { mime: MIME.csv, artifact: { fileName, mime: MIME.csv, bytes: Buffer.from(toCsv(headings, rows)), ...(id === undefined ? {} : { id }) } };
}

/**
 * Builds the emit functions over a sink. Emits of one action are serialised, so chunks are
 * stored (and published) in call order; each resolves once its chunk is stored. Emits made in
 * one turn without awaiting each other (an XML exchange and the CSV of a table) are written
 * together, in one `appendMany` (one transaction) when the sink has it.
 */
export function createEmitter(sink: ChunkSink, limits: OutputLimits, actionId: number | string = 0): ActionEmitter {
  let chain: Promise<unknown> = Promise.resolve();
  let sealed = false;
  /** The batch still taking chunks (written at the end of the turn, after the batches before it). */
  let open: PendingChunk[] | undefined;
  const progressState = new Map<string, { lastAt: number; pending?: ProgressPayload; timer?: NodeJS.Timeout; wait?: Promise<void> }>();

  const write = async (batch: PendingChunk[]): Promise<void> => {
    if (sealed) {
      for (const p of batch) p.reject(new WebActionEndedError(actionId));
      return;
    }
    if (batch.length > 1 && sink.appendMany) {
      try {
        const refs = await sink.appendMany(batch.map((p) => p.chunk));
        batch.forEach((p, i) => p.resolve(refs[i]!));
      } catch (error) {
        for (const p of batch) p.reject(error); // one transaction: none of them is stored
      }
      return;
    }
    for (const p of batch) {
      if (sealed) p.reject(new WebActionEndedError(actionId));
      else await sink.append(p.chunk).then(p.resolve, p.reject);
    }
  };

  const append = (chunk: NewChunk): Promise<StoredChunkRef> => {
    if (sealed) return Promise.reject(new WebActionEndedError(actionId));
    return new Promise<StoredChunkRef>((resolve, reject) => {
      if (!open) {
        const batch: PendingChunk[] = [];
        open = batch;
        chain = chain
          .then(endOfTurn)
          .then(() => {
            if (open === batch) open = undefined;
            return write(batch);
          })
          .catch(() => undefined);
      }
      open.push({ chunk, resolve, reject });
    });
  };

  const textChunk = (mime: string, text: string, fileName: string): Promise<StoredChunkRef> => {
    const bytes = Buffer.byteLength(text);
    if (bytes <= limits.inlineTextLimit) return append({ mime, text });
    // Too long to show inline: the whole text as a file, and a preview.
    return append({ mime, artifact: { fileName, mime, bytes: Buffer.from(text) } }).then((ref) =>
      append({ mime: MIME.text, text: `${text.slice(0, 4096)}\n… (${bytes} bytes in total: see ${fileName})` }).then(() => ref),
    );
  };

  const storeProgress = (p: ProgressPayload) => append({ mime: MIME.progress, text: JSON.stringify(p), replaceKey: `progress:${p.key}` });

  const emit: Emit = {
    text: (text) => textChunk(MIME.text, text, 'output.txt'),
    markdown: (md) => textChunk(MIME.markdown, md, 'output.md'),
    html: (html) => textChunk(MIME.html, html, 'output.html'),
    json: (value) => textChunk(MIME.json, JSON.stringify(value ?? null, null, 2), 'output.json'),
    xml: (xml) => textChunk(MIME.xml, xml, 'exchange.xml'),
    error: (e) => append({ mime: MIME.error, text: JSON.stringify(e) }),
    file: (fileName, mime, bytes) => append({ mime, artifact: { fileName, mime, bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes } }),
    csv: (fileName, headings, rows) => append(csvChunk(fileName, headings, rows)),
    async table(table, options = {}) {
      const columns = table.columns.map((c) => (typeof c === 'string' ? { key: c, label: c } : c));
      const rows = table.rows.map((r) => columns.map((_, i) => r[i] ?? null));
      const truncated = rows.length > limits.tableRowCap;
      let artifactId: string | null = null;
      if (truncated || options.csv) {
        const fileName = options.csv ?? `${table.title.replace(/[^\w.-]+/g, '_') || 'table'}.csv`;
        const labels = columns.map((c) => c.label);
        if (sink.newArtifactId && sink.appendMany) {
          // The id is known now: the CSV and the table go in the same batch, stored all or none.
          artifactId = sink.newArtifactId();
          void append(csvChunk(fileName, labels, rows, artifactId)).catch(() => undefined);
        } else {
          artifactId = (await emit.csv(fileName, labels, rows)).artifactId;
        }
      }
      const payload: TablePayload = {
        title: table.title,
        columns,
        rows: truncated ? rows.slice(0, limits.tableRowCap) : rows,
        totalRows: rows.length,
        truncated,
        artifactId,
      };
      return append({ mime: MIME.table, text: JSON.stringify(payload), ...(options.key ? { replaceKey: `table:${options.key}` } : {}) });
    },
    progress(p) {
      if (sealed) return Promise.reject(new WebActionEndedError(actionId));
      let state = progressState.get(p.key);
      if (!state) {
        state = { lastAt: 0 };
        progressState.set(p.key, state);
      }
      const now = Date.now();
      const s = state;
      if (now - s.lastAt >= PROGRESS_INTERVAL_MS && !s.timer) {
        s.lastAt = now;
        return storeProgress(p).then(() => undefined);
      }
      // Coalesce: keep only the newest update, store it when the interval is over.
      s.pending = p;
      if (!s.timer) {
        s.wait = new Promise<void>((resolve) => {
          s.timer = setTimeout(
            () => {
              s.timer = undefined;
              const latest = s.pending;
              s.pending = undefined;
              s.lastAt = Date.now();
              if (latest && !sealed)
                storeProgress(latest).then(
                  () => resolve(),
                  () => resolve(),
                );
              else resolve();
            },
            PROGRESS_INTERVAL_MS - (now - s.lastAt),
          );
        });
      }
      return s.wait ?? Promise.resolve();
    },
  };

  return {
    emit,
    get sealed() {
      return sealed;
    },
    async flush() {
      for (const s of progressState.values()) {
        if (s.timer) {
          clearTimeout(s.timer);
          s.timer = undefined;
          const latest = s.pending;
          s.pending = undefined;
          if (latest && !sealed) await storeProgress(latest).catch(() => undefined);
        }
      }
      await chain;
    },
    seal() {
      sealed = true;
      for (const s of progressState.values()) if (s.timer) clearTimeout(s.timer);
    },
  };
}
