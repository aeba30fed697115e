import { useMemo, useState } from 'preact/hooks';
import { type ErrorPayload, MIME, type ProgressPayload, type TablePayload } from '../../core/types.js';
import { type ChunkJson, artifactUrl } from './api.js';
import { renderMarkdown, sanitizeHtml } from './sanitize.js';

/** Renders one chunk by its MIME type (docs/webcli.md, "Chunk types"); unknown types fall back to text. */
export function Chunk({ chunk }: { chunk: ChunkJson }) {
  const text = chunk.text ?? '';
  if (chunk.artifact && chunk.mime !== MIME.table) return <ArtifactChunk chunk={chunk} />;
  switch (chunk.mime) {
    case MIME.markdown:
      return <SafeHtml class="chunk chunk-markdown" text={text} render={renderMarkdown} />;
    case MIME.html:
      return <SafeHtml class="chunk chunk-html" text={text} render={sanitizeHtml} />;
    case MIME.json:
      return <JsonChunk text={text} />;
    case MIME.table:
      return <TableChunk payload={parse<TablePayload>(text)} raw={text} />;
    case MIME.progress:
      return <ProgressChunk payload={parse<ProgressPayload>(text)} />;
    case MIME.error:
      return <ErrorChunk payload={parse<ErrorPayload>(text)} />;
    case MIME.xml:
      return (
        <details class="chunk chunk-xml">
          <summary>OCI-P XML</summary>
          <pre>{text}</pre>
        </details>
      );
    default:
      return <pre class="chunk chunk-text">{text}</pre>;
  }
}

/** HTML that went through DOMPurify (sanitize.ts), once per text rather than on every render. */
function SafeHtml(props: { class: string; text: string; render(text: string): string }) {
  const html = useMemo(() => props.render(props.text), [props.text, props.render]);
  return <div class={props.class} dangerouslySetInnerHTML={{ __html: html }} />;
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

const formatSize = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`;

function ArtifactChunk({ chunk }: { chunk: ChunkJson }) {
  const a = chunk.artifact!;
  return (
    <div class="chunk chunk-file">
      {a.mime === MIME.png ? <img class="chunk-image" src={artifactUrl(a.id)} alt={a.fileName} /> : null}
      <a class="download" href={artifactUrl(a.id)} download={a.fileName}>
        ⤓ {a.fileName}
      </a>{' '}
      <span class="muted">
        {a.mime}, {formatSize(a.sizeBytes)}
      </span>
      {chunk.text ? <pre class="chunk-text">{chunk.text}</pre> : null}
    </div>
  );
}

function TableChunk({ payload, raw }: { payload: TablePayload | undefined; raw: string }) {
  const [sort, setSort] = useState<{ column: number; descending: boolean } | null>(null);
  if (!payload || !Array.isArray(payload.columns) || !Array.isArray(payload.rows)) return <pre class="chunk chunk-text">{raw}</pre>;
  const rows = [...payload.rows];
  if (sort) {
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    rows.sort((a, b) => collator.compare(a[sort.column] ?? '', b[sort.column] ?? '') * (sort.descending ? -1 : 1));
  }
  const toggle = (column: number) => setSort(sort?.column === column ? { column, descending: !sort.descending } : { column, descending: false });
  return (
    <div class="chunk chunk-table">
      <div class="table-head">
        <strong>{payload.title}</strong>{' '}
        <span class="muted">
          {payload.rows.length} of {payload.totalRows} row{payload.totalRows === 1 ? '' : 's'}
          {payload.truncated ? ' (the rest is in the CSV)' : ''}
        </span>{' '}
        {payload.artifactId ? (
          <a class="download csv-link" href={artifactUrl(payload.artifactId)} download>
            ⤓ CSV
          </a>
        ) : null}
      </div>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              {payload.columns.map((c, i) => (
                <th key={c.key} onClick={() => toggle(i)} title="sort">
                  {c.label}
                  {sort?.column === i ? (sort.descending ? ' ▾' : ' ▴') : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r}>
                {payload.columns.map((c, i) => (
                  <td key={c.key} class={row[i] === null ? 'null' : undefined}>
                    {row[i] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ProgressChunk({ payload }: { payload: ProgressPayload | undefined }) {
  if (!payload) return null;
  const counts = [
    payload.ok !== undefined ? `${payload.ok} ok` : '',
    payload.failed ? `${payload.failed} failed` : '',
    payload.skipped ? `${payload.skipped} skipped` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div class="chunk chunk-progress">
      <progress max={payload.total ?? undefined} value={payload.total === null ? undefined : payload.done} />{' '}
      <span>
        {payload.label} {payload.total ? `${Math.floor((100 * payload.done) / payload.total)} %` : payload.done}
        {counts ? ` (${counts})` : ''}
        {payload.rate ? ` · ${payload.rate.toFixed(1)}/s` : ''}
        {payload.etaSeconds ? ` · ${Math.ceil(payload.etaSeconds)} s left` : ''}
      </span>
    </div>
  );
}

function ErrorChunk({ payload }: { payload: ErrorPayload | undefined }) {
  if (!payload) return null;
  return (
    <div class="chunk chunk-error" role="alert">
      <strong>{payload.summary}</strong>
      {payload.code ? <code class="error-code"> {payload.code}</code> : null}
      {payload.hint ? <div class="hint">{payload.hint}</div> : null}
      {payload.detail ? <pre>{payload.detail}</pre> : null}
    </div>
  );
}

function JsonChunk({ text }: { text: string }) {
  const value = parse<unknown>(text);
  const [copied, setCopied] = useState(false);
  const copy = () => void navigator.clipboard?.writeText(JSON.stringify(value, null, 2)).then(() => setCopied(true));
  return (
    <div class="chunk chunk-json">
      <button type="button" class="small" onClick={copy}>
        {copied ? 'copied' : 'copy'}
      </button>
      <JsonTree value={value} label="" open />
    </div>
  );
}

function JsonTree({ value, label, open = false }: { value: unknown; label: string; open?: boolean }) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return (
      <details class="json-node" open={open}>
        <summary>
          {label ? `${label}: ` : ''}
          {Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}
        </summary>
        {entries.map(([k, v]) => (
          <JsonTree key={k} value={v} label={k} />
        ))}
      </details>
    );
  }
  return (
    <div class="json-leaf">
      {label ? `${label}: ` : ''}
      <code>{JSON.stringify(value)}</code>
    </div>
  );
}
