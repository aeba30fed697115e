import { EventEmitter } from 'node:events';
import { createEmitter } from '../../web/core/emitter.js';
import { executeRun } from '../../web/core/run.js';
import { HandlerRegistry } from '../../web/core/registry.js';
import { DEFAULT_LIMITS, type Handler, type NewChunk, silentLogger } from '../../web/core/types.js';

/** An in-memory chunk sink: every chunk in order, and an event per chunk to wait on. */
export class MemorySink extends EventEmitter {
  readonly chunks: (NewChunk & { id: number })[] = [];
  async append(chunk: NewChunk) {
    const id = this.chunks.length + 1;
    this.chunks.push({ ...chunk, id });
    this.emit('chunk', this.chunks[id - 1]);
    return { chunkId: id, artifactId: chunk.artifact ? `artifact-${id}` : null };
  }
  /** Resolves with the first chunk (already stored or coming) that matches. */
  waitFor(match: (c: NewChunk) => boolean): Promise<NewChunk> {
    const found = this.chunks.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const on = (c: NewChunk) => {
        if (!match(c)) return;
        this.off('chunk', on);
        resolve(c);
      };
      this.on('chunk', on);
    });
  }
  ofMime(mime: string) {
    return this.chunks.filter((c) => c.mime === mime);
  }
}

/** Parses and runs one command text with the given handler (started with `staticConfig`) and user config. */
export async function runCommand(
  handler: Handler,
  text: string,
  config: unknown = {},
  options: { sink?: MemorySink; cancel?: AbortSignal; userId?: number } = {},
) {
  const registry = new HandlerRegistry([handler]);
  const { parsed } = await registry.dispatch(text);
  const sink = options.sink ?? new MemorySink();
  const emitter = createEmitter(sink, DEFAULT_LIMITS);
  const outcome = await executeRun({
    handler,
    request: parsed.request,
    context: { actionId: 1, threadId: 1, user: { id: options.userId ?? 1, email: 'u@example.com' }, config, log: silentLogger },
    emitter,
    cancel: options.cancel ?? new AbortController().signal,
    timeoutMs: parsed.timeoutMs === undefined ? handler.defaultTimeoutMs : parsed.timeoutMs,
  });
  return { outcome, sink, parsed };
}

/** The services a handler run gets, over a registry, with no stored configuration and no uploads. */
export const services = (registry: HandlerRegistry) => ({
  log: silentLogger,
  handler: (n: string) => registry.get(n),
  handlers: () => registry.list(),
  configs: { getMasked: async () => undefined, set: async (_u: number, _h: string, c: unknown) => c as never, unset: async () => true },
  readUpload: async () => undefined,
  limits: DEFAULT_LIMITS,
});
