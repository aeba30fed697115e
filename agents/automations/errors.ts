import { ThorsHammerError } from '../../runtime/errors.js';

/**
 * Errors that stop an automation. A failed sub-request never does: it becomes a warning in
 * the result. Only the target itself (the group, user or call center asked about) being
 * unreadable, bad options, or an abort end a run.
 */

/** Options that do not fit: no scope, a batch size outside 1..15, no server. */
export class AgentOptionsError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_AGENT_OPTIONS', message, { context });
  }
}

/** The object the automation is about cannot be read (missing group, user, call center, service provider). */
export class AgentTargetError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('TH_ERR_AGENT_TARGET', message, { context, cause });
  }
}

/** The run was aborted through its AbortSignal (the documents in flight were answered first). */
export class AgentAbortedError extends ThorsHammerError {
  constructor(agent: string, done: number) {
    super('TH_ERR_AGENT_ABORTED', `${agent}: aborted after ${done} commands`, { context: { agent, done } });
  }
}
