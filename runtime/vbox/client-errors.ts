import { ThorsHammerError } from '../errors.js';

/**
 * Errors raised by the vBox client, its options and the mock vBox. Frame and decode errors
 * (checksum, length, field ranges) live in `errors.ts` beside the codec.
 * Callers match on `code`, never on the message.
 */

/** An option or `VITREA_VBOX_*` environment variable is missing or invalid. */
export class VboxConfigError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_CONFIG', message, { context });
  }
}

/** `send()` (or a convenience method) was called before `connect()`, after `close()`, or after reconnection gave up. */
export class VboxNotConnectedError extends ThorsHammerError {
  constructor(message = 'the vBox client is not connected; call connect() first', context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_NOT_CONNECTED', message, { context });
  }
}

/** The TCP connection could not be opened (refused, unreachable, or the connect timeout passed). */
export class VboxConnectError extends ThorsHammerError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('TH_ERR_VBOX_CONNECT', message, options);
  }
}

/** The link was lost (FIN, RST, socket error, dead heartbeat) while a request was in flight. Not retried. */
export class VboxConnectionLostError extends ThorsHammerError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('TH_ERR_VBOX_CONNECTION_LOST', message, options);
  }
}

/** The vBox answered Login with something other than ACK: wrong username or password. */
export class VboxAuthError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_AUTH', message, { context });
  }
}

/** The vBox answered an action with an AckType other than ACK (NACK, ERROR, IN_USE, NOT_AVAILABLE). Not retried. */
export class VboxNackError extends ThorsHammerError {
  /** The AckType byte the vBox sent (1 NACK, 2 ERROR, 3 IN_USE, 4 NOT_AVAILABLE, or an unknown value). */
  readonly ackType: number;
  /** The AckType name, or the number as text when the value is unknown. */
  readonly ackTypeName: string;
  constructor(ackType: number, ackTypeName: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_NACK', `the vBox refused ${String(context.request ?? 'the request')}: ${ackTypeName} (${ackType})`, {
      context: { ...context, ackType, ackTypeName },
    });
    this.ackType = ackType;
    this.ackTypeName = ackTypeName;
  }
}

/** No matching reply arrived within `requestTimeout` on any attempt (the error names the phase). */
export class VboxTimeoutError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_TIMEOUT', message, { context });
  }
}

/**
 * The caller's AbortSignal fired. `sent` tells whether the request had been written: when
 * false it was removed from the queue and will never be sent; when true the vBox may already
 * have carried it out (its outcome is unknown) and it is not retried.
 */
export class VboxAbortedError extends ThorsHammerError {
  readonly sent: boolean;
  constructor(message: string, context: Record<string, unknown> & { sent: boolean }, options: { cause?: unknown } = {}) {
    super('TH_ERR_VBOX_ABORTED', message, { ...options, context });
    this.sent = context.sent;
  }
}

/**
 * The request waited `queueTimeout` ms without being written (the client was not ready, or the
 * queue ahead of it was long). It was removed from the queue and will never be sent.
 */
export class VboxQueueTimeoutError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_QUEUE_TIMEOUT', message, { context: { ...context, sent: false } });
  }
}

/** Automatic reconnection stopped after `maxReconnectAttempts` failed attempts. */
export class VboxReconnectGaveUpError extends ThorsHammerError {
  constructor(attempts: number, options: { cause?: unknown } = {}) {
    super('TH_ERR_VBOX_RECONNECT_GAVE_UP', `gave up reconnecting to the vBox after ${attempts} attempt(s)`, {
      ...options,
      context: { attempts },
    });
  }
}

/** A request could not be built or sent as asked (bad node/key id, unknown power word, …). */
export class VboxRequestError extends ThorsHammerError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('TH_ERR_VBOX_REQUEST', message, options);
  }
}

/** The mock vBox was configured wrongly (unreadable or invalid house file, bad option). */
export class VboxMockError extends ThorsHammerError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('TH_ERR_VBOX_MOCK', message, options);
  }
}
