import { ThorsHammerError } from '../errors.js';

/**
 * Errors raised by the OCI-P client (`runtime/oci/client.ts`). Transport failures keep their
 * own codes (`runtime/oci/transport/errors.ts`), codec failures theirs (`runtime/oci/errors.ts`);
 * this file holds what the client itself decides.
 */

/** The decoded form of a `c:ErrorResponse` command, as the codec produces it. */
export interface OciErrorResponse {
  $type: 'ErrorResponse';
  type?: string;
  echo?: string;
  summary: string;
  summaryEnglish?: string;
  detail?: string;
  errorCode?: number;
}

/** The `[Error NNNN]` prefix BroadWorks puts at the start of `summary`. */
const ERROR_NUMBER = /^\s*\[Error (\d+)\]/;

/**
 * Extracts the error number of an ErrorResponse: the `[Error NNNN]` prefix of `summary`
 * (what real servers send), else `summaryEnglish`, else the optional `errorCode` element.
 */
export function errorNumberOf(response: Pick<OciErrorResponse, 'summary' | 'summaryEnglish' | 'errorCode'>): number | undefined {
  for (const text of [response.summary, response.summaryEnglish]) {
    const match = typeof text === 'string' ? ERROR_NUMBER.exec(text) : null;
    if (match) return Number(match[1]);
  }
  return typeof response.errorCode === 'number' ? response.errorCode : undefined;
}

/**
 * The server answered a command with an `ErrorResponse` (TH_ERR_OCI_ERROR_RESPONSE).
 * A per-command result, not a transport failure: the connection and session stay usable.
 */
export class OciError extends ThorsHammerError {
  /** The number from `[Error NNNN]` (e.g. 4008 user not found), or `errorCode`. */
  readonly errorNumber: number | undefined;
  readonly summary: string;
  readonly summaryEnglish: string | undefined;
  readonly detail: string | undefined;
  /** `Error`, `Warning` or `Info` (the `type` attribute). */
  readonly type: string | undefined;
  /** The command that caused the error, as it was sent (passwords are not redacted here; do not log it blindly). */
  declare readonly request: { $type: string; [key: string]: unknown };
  /** The decoded ErrorResponse. */
  declare readonly response: OciErrorResponse;

  constructor(response: OciErrorResponse, request: { $type: string; [key: string]: unknown }) {
    const summary = response.summaryEnglish || response.summary || '(no summary)';
    super('TH_ERR_OCI_ERROR_RESPONSE', summary, {
      context: { command: request.$type, errorNumber: errorNumberOf(response), type: response.type },
    });
    this.errorNumber = errorNumberOf(response);
    this.summary = response.summary;
    this.summaryEnglish = response.summaryEnglish;
    this.detail = response.detail;
    this.type = response.type;
    // Non-enumerable, so logging or JSON-serialising the error never prints a request that holds a password.
    Object.defineProperty(this, 'request', { value: request, enumerable: false });
    Object.defineProperty(this, 'response', { value: response, enumerable: false });
  }
}

/** Bad client options (TH_ERR_OCI_CLIENT_OPTIONS), e.g. a missing userId or an unknown login strategy. */
export class OciClientOptionsError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_CLIENT_OPTIONS', message, { context });
  }
}

/**
 * Refused to send a plain-text password over a transport without TLS (TH_ERR_OCI_INSECURE_LOGIN).
 * Use `tls://`/`https://`, the hashed login, or opt in with `allowPlainPasswordOverInsecure`.
 */
export class OciInsecureLoginError extends ThorsHammerError {
  constructor(url: string, login: string) {
    super(
      'TH_ERR_OCI_INSECURE_LOGIN',
      `refusing ${login} (plain-text password) over ${url}: use tls:// or https://, login 'hashed14sp4', or set allowPlainPasswordOverInsecure`,
      { context: { url, login } },
    );
  }
}

/** The login exchange failed for a reason other than an ErrorResponse (TH_ERR_OCI_LOGIN), e.g. an unsupported password algorithm. */
export class OciLoginError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('TH_ERR_OCI_LOGIN', message, { context, cause });
  }
}

/**
 * The server ended the session with an unsolicited `LogoutRequest` (TH_ERR_OCI_SERVER_LOGOUT).
 * The pending command fails with this error (it may or may not have been executed); the next
 * command logs in again when `reconnect` is on.
 */
export class OciServerLogoutError extends ThorsHammerError {
  constructor(reason: string | undefined, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_SERVER_LOGOUT', `the server ended the session${reason ? ` (${reason})` : ''}`, {
      context: { ...context, reason },
    });
  }
}

/** The response document does not match the request (TH_ERR_OCI_RESPONSE_MISMATCH): wrong number of commands. */
export class OciResponseMismatchError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_RESPONSE_MISMATCH', message, { context });
  }
}

/** The client or pool was closed (TH_ERR_OCI_CLIENT_CLOSED); commands sent afterwards, or still queued, fail with it. */
export class OciClientClosedError extends ThorsHammerError {
  constructor(what = 'client') {
    super('TH_ERR_OCI_CLIENT_CLOSED', `the OCI ${what} is closed`, { context: {} });
  }
}

/** The session is gone and `reconnect` is off (TH_ERR_OCI_NOT_CONNECTED). */
export class OciNotConnectedError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_NOT_CONNECTED', message, { context });
  }
}

/** Paging was asked for a request without `responsePagingControl`, or the response holds no table (TH_ERR_OCI_PAGING). */
export class OciPagingError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_PAGING', message, { context });
  }
}
