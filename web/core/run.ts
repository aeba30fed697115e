import { isThorsHammerError } from '../../runtime/errors.js';
import type { ActionEmitter } from './emitter.js';
import { WebActionTimeoutError, WebCommandError } from './errors.js';
import type { ActionStatus, ErrorPayload, Handler, RunContext } from './types.js';

/** The end of one run: its terminal status and, when failed, the error summary. */
export interface RunOutcome {
  status: Extract<ActionStatus, 'succeeded' | 'failed' | 'cancelled'>;
  errorSummary: string | null;
}

/** An error as an error chunk: summary first; the protocol's own code (an OCI-P error number) kept. */
export function errorPayloadOf(error: unknown): ErrorPayload {
  if (!(error instanceof Error)) return { summary: String(error) };
  const e = error as Error & { errorNumber?: number; detail?: string; ackTypeName?: string; position?: number };
  const payload: ErrorPayload = { summary: e.message };
  const code = (error as { code?: unknown }).code;
  if (typeof e.errorNumber === 'number') payload.code = `OCI-P ${e.errorNumber}`;
  else if (isThorsHammerError(error) || typeof code === 'string') payload.code = String(code);
  else payload.code = e.name;
  if (e.detail) payload.detail = e.detail;
  if (error instanceof WebCommandError && e.position !== undefined) payload.hint = `at character ${e.position}`;
  if (error instanceof WebActionTimeoutError) payload.hint = 'the action ran longer than its timeout';
  return payload;
}

/**
 * Runs one action's handler to a terminal status (C.4, C.5): resolving is `succeeded`, a throw
 * or rejection is `failed` with an error chunk, a timeout is `failed` with a timeout error,
 * and a fired cancel signal makes it `cancelled` whichever way run ends. Never throws.
 */
export async function executeRun<R, C>(options: {
  handler: Handler<R, C>;
  request: R;
  context: Omit<RunContext<C>, 'signal' | 'emit'>;
  emitter: ActionEmitter;
  /** Fired by cancel (and shutdown). */
  cancel: AbortSignal;
  /** null or undefined: no timeout. */
  timeoutMs?: number | null;
}): Promise<RunOutcome> {
  const { handler, request, emitter, cancel } = options;
  const controller = new AbortController();
  const onCancel = () => controller.abort(cancel.reason ?? new Error('cancelled'));
  if (cancel.aborted) onCancel();
  else cancel.addEventListener('abort', onCancel, { once: true });
  let timedOut: WebActionTimeoutError | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    if (options.timeoutMs == null) return;
    timer = setTimeout(() => {
      timedOut = new WebActionTimeoutError(options.timeoutMs!);
      controller.abort(timedOut);
      reject(timedOut);
    }, options.timeoutMs);
  });
  timeout.catch(() => undefined);
  let outcome: RunOutcome;
  try {
    await Promise.race([Promise.resolve().then(() => handler.run({ ...options.context, signal: controller.signal, emit: emitter.emit }, request)), timeout]);
    outcome = cancel.aborted ? { status: 'cancelled', errorSummary: null } : { status: 'succeeded', errorSummary: null };
  } catch (error) {
    if (cancel.aborted && !timedOut) outcome = { status: 'cancelled', errorSummary: null };
    else {
      const failure = timedOut ?? error;
      const payload = errorPayloadOf(failure);
      await emitter.flush().catch(() => undefined);
      await emitter.emit.error(payload).catch(() => undefined);
      outcome = { status: 'failed', errorSummary: payload.summary };
    }
  } finally {
    clearTimeout(timer);
    cancel.removeEventListener('abort', onCancel);
  }
  await emitter.flush().catch(() => undefined);
  emitter.seal();
  return outcome;
}
