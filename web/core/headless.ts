import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alignedTable } from '../../runtime/oci/present.js';
import { createEmitter } from './emitter.js';
import { HandlerRegistry } from './registry.js';
import { type RunOutcome, executeRun } from './run.js';
import {
  DEFAULT_LIMITS,
  type ErrorPayload,
  type Handler,
  type JsonValue,
  MIME,
  type NewChunk,
  type ProgressPayload,
  type TablePayload,
  silentLogger,
} from './types.js';

export interface HeadlessResult extends RunOutcome {
  /** Files written for artifacts. */
  files: string[];
}

/**
 * Runs one command through the same handlers as the server, without server or database
 * (`hammer webcli run`): chunks are printed as they come (tables as aligned text), artifacts
 * are written to files in `outDir`.
 */
export async function runHeadless(options: {
  text: string;
  handlers: Handler[];
  /** Per handler name: the user configuration (secrets in clear, as the run receives them). */
  configs?: Record<string, unknown>;
  staticConfig?: Record<string, unknown>;
  outDir?: string;
  write?: (text: string) => void;
  signal?: AbortSignal;
}): Promise<HeadlessResult> {
  const write = options.write ?? ((t: string) => process.stdout.write(t));
  const outDir = options.outDir ?? process.cwd();
  const files: string[] = [];
  const configs = options.configs ?? {};
  const registry = new HandlerRegistry(options.handlers);
  const user = { id: 0, email: 'headless@localhost' };
  await registry.start(
    {
      log: silentLogger,
      handler: (name) => registry.get(name),
      handlers: () => registry.list(),
      configs: {
        getMasked: async (_u, h) => (configs[h] as JsonValue | undefined) ?? undefined,
        set: async () => {
          throw new Error('%config% set is not available headless: pass --handler-config FILE');
        },
        unset: async () => false,
      },
      readUpload: async () => undefined,
      limits: DEFAULT_LIMITS,
    },
    // Headless, whoever names a `passwordEnv` owns the process and its variables: any name is allowed (unless the caller says otherwise).
    { ...options.staticConfig, oci: options.staticConfig?.oci ?? { passwordEnvAllowed: ['*'] } },
  );
  try {
    const { handler, parsed } = await registry.dispatch(options.text);
    const config = configs[handler.name] ?? {};
    if (handler.configSchema && configs[handler.name] !== undefined) registry.validateConfig(handler.name, config);
    let seq = 0;
    const emitter = createEmitter(
      {
        append: async (chunk: NewChunk) => {
          seq++;
          let artifactId: string | null = null;
          if (chunk.artifact) {
            mkdirSync(outDir, { recursive: true });
            const path = join(outDir, chunk.artifact.fileName.replace(/[^\w.-]+/g, '_'));
            writeFileSync(path, chunk.artifact.bytes);
            files.push(path);
            artifactId = path;
            write(`[file] ${path} (${chunk.artifact.bytes.length} bytes, ${chunk.artifact.mime})\n`);
          } else write(printable(chunk));
          return { chunkId: seq, artifactId };
        },
      },
      DEFAULT_LIMITS,
    );
    const outcome = await executeRun({
      handler,
      request: parsed.request,
      context: { actionId: 0, threadId: null, user, config, log: silentLogger },
      emitter,
      cancel: options.signal ?? new AbortController().signal,
      timeoutMs: parsed.timeoutMs !== undefined ? parsed.timeoutMs : (handler.defaultTimeoutMs ?? null),
    });
    return { ...outcome, files };
  } finally {
    await registry.stop();
  }
}

/** A chunk as terminal text. */
export function printable(chunk: NewChunk): string {
  const text = chunk.text ?? '';
  switch (chunk.mime) {
    case MIME.table: {
      const t = JSON.parse(text) as TablePayload;
      const lines = alignedTable(
        t.columns.map((c) => c.label),
        t.rows.map((r) => r.map((c) => c ?? '')),
      );
      const more = t.truncated ? `\n(${t.totalRows - t.rows.length} more rows in the CSV file)` : '';
      return `${t.title}:\n${lines.join('\n')}${more}\n`;
    }
    case MIME.progress: {
      const p = JSON.parse(text) as ProgressPayload;
      return `[progress] ${p.label} ${p.done}${p.total !== null ? `/${p.total}` : ''}\n`;
    }
    case MIME.error: {
      const e = JSON.parse(text) as ErrorPayload;
      return `error: ${e.summary}${e.code ? ` [${e.code}]` : ''}${e.detail ? `\n${e.detail}` : ''}\n`;
    }
    default:
      return text.endsWith('\n') ? text : `${text}\n`;
  }
}
