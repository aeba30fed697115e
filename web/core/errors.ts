import { ThorsHammerError } from '../../runtime/errors.js';

/**
 * Errors of the Web CLI (codes `TH_ERR_WEB_*`, listed in docs/webcli.md). The HTTP layer maps
 * them to status codes through {@link httpStatusOf}; handlers' own errors (OCI-P, vBox) keep
 * their codes and become error chunks.
 */
export class WebCliError extends ThorsHammerError {}

/** A command that does not parse: unknown verb, bad option, bad value (→ 400). `position` is the character offset when known. */
export class WebCommandError extends WebCliError {
  readonly position: number | undefined;
  constructor(message: string, options: { position?: number; code?: string; context?: Record<string, unknown>; cause?: unknown } = {}) {
    super(options.code ?? 'TH_ERR_WEB_COMMAND', message, { context: { ...(options.context ?? {}), position: options.position }, cause: options.cause });
    this.position = options.position;
  }
}

/** A per-user handler configuration that breaks the handler's schema; `path` names the offending value (→ 400). */
export class WebHandlerConfigError extends WebCliError {
  constructor(
    handler: string,
    readonly path: string,
    message: string,
  ) {
    super('TH_ERR_WEB_HANDLER_CONFIG', `${handler} configuration${path ? ` at ${path}` : ''}: ${message}`, { context: { handler, path } });
  }
}

/** The server's own configuration (webcli.yaml or environment) is wrong. */
export class WebServerConfigError extends WebCliError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_WEB_CONFIG', message, { context });
  }
}

/** A handler failed to start, so its verbs are unavailable (B21). */
export class WebHandlerUnavailableError extends WebCliError {
  constructor(handler: string, reason: string) {
    super('TH_ERR_WEB_HANDLER_UNAVAILABLE', `handler ${handler} is unavailable: ${reason}`, { context: { handler } });
  }
}

/** The action ran past its timeout. */
export class WebActionTimeoutError extends WebCliError {
  constructor(ms: number) {
    super('TH_ERR_WEB_TIMEOUT', `timed out after ${ms} ms`, { context: { ms } });
  }
}

/** An emit after the action reached a terminal status (dropped). */
export class WebActionEndedError extends WebCliError {
  constructor(actionId: number | string) {
    super('TH_ERR_WEB_ACTION_ENDED', `action ${actionId} has ended; the output was dropped`, { context: { actionId } });
  }
}

/** Authentication failed: no, broken, expired or revoked token, or bad credentials (→ 401). */
export class WebAuthError extends WebCliError {
  constructor(message = 'not authenticated') {
    super('TH_ERR_WEB_AUTH', message);
  }
}

/** Missing, or owned by somebody else (→ 404, never 403). */
export class WebNotFoundError extends WebCliError {
  constructor(what: string) {
    super('TH_ERR_WEB_NOT_FOUND', `${what} not found`);
  }
}

/** A uniqueness or state conflict, e.g. a duplicate email (→ 409). */
export class WebConflictError extends WebCliError {
  constructor(message: string) {
    super('TH_ERR_WEB_CONFLICT', message);
  }
}

/** A body or upload over its size limit (→ 413). */
export class WebTooLargeError extends WebCliError {
  constructor(limit: number) {
    super('TH_ERR_WEB_TOO_LARGE', `larger than the limit of ${limit} bytes`, { context: { limit } });
  }
}

/** A stored secret cannot be decrypted (wrong or replaced key file). */
export class WebSecretError extends WebCliError {
  constructor(message: string) {
    super('TH_ERR_WEB_SECRET', message);
  }
}

/** A vBox box connected, connecting or reconnecting with other credentials (one TCP connection per controller). */
export class WebVboxBoxInUseError extends WebCliError {
  constructor(box: string) {
    super(
      'TH_ERR_WEB_VBOX_BOX_IN_USE',
      `${box} is in use with other credentials (connected, connecting or reconnecting); a controller accepts one connection at a time`,
      {
        context: { box },
      },
    );
  }
}

/** An OCI-P profile that is not configured. */
export class WebOciProfileError extends WebCliError {
  constructor(message: string) {
    super('TH_ERR_WEB_OCI_PROFILE', message);
  }
}

/** A profile's `passwordEnv` names a variable the administrator did not allow (→ 400 when saved; an error chunk when used). */
export class WebOciPasswordEnvError extends WebCliError {
  constructor(message: string, context: { profile: string; name: string }) {
    super('TH_ERR_WEB_OCI_PASSWORD_ENV', message, { context });
  }
}

/** HTTP status for an error thrown by the core or the store. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof WebCommandError || error instanceof WebHandlerConfigError || error instanceof WebOciPasswordEnvError) return 400;
  if (error instanceof WebAuthError) return 401;
  if (error instanceof WebNotFoundError) return 404;
  if (error instanceof WebConflictError) return 409;
  if (error instanceof WebTooLargeError) return 413;
  if (error instanceof WebHandlerUnavailableError) return 503;
  if (error instanceof ThorsHammerError && /^TH_ERR_OCI_(BUILD|PATH|FIELD_ARG|UNKNOWN_TYPE)/.test(error.code)) return 400;
  return 500;
}
