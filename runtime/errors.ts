/**
 * Base of every error thors-hammer throws. Each error has a stable `code`
 * (`TH_ERR_<AREA>_<PROBLEM>`) that callers match on, a clear message, and optional
 * structured context. `isThorsHammerError` works across duplicate installs because
 * it checks a `Symbol.for` brand rather than the prototype chain.
 */
const BRAND = Symbol.for('thors-hammer.error');

export class ThorsHammerError extends Error {
  readonly code: string;
  readonly context: Record<string, unknown>;
  readonly [BRAND] = true;

  constructor(code: string, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
  }
}

export function isThorsHammerError(value: unknown): value is ThorsHammerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
