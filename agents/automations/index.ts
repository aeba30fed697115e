/**
 * Automations admins run daily (docs/agents.md): find an alias or a number, audit a group or a
 * service provider, digest a user or a call center. Each returns a typed result with its
 * `warnings`; fan-outs go 15 commands per document over a session pool. `hammer agent` is
 * an adapter over this API.
 */
export { type AgentEvent, type AgentOptions, type AgentWarning, AgentContext, automationEvents, runAgent } from './context.js';
export { AgentAbortedError, AgentOptionsError, AgentTargetError } from './errors.js';
export { ALIAS_KINDS, type InstanceKind } from './kinds.js';
export { type AgentScope, type GroupRef, type Owner, aliasMatches } from './scan.js';
export { expandNumbers } from './numbers.js';
export { type AliasMatch, type FindAliasResult, findAlias } from './find-alias.js';
export { type FindNumberResult, type NumberHit, type NumberOwner, findNumber } from './find-number.js';
export { type AuditGroupResult, type AuditProblem, type GroupAudit, type ProblemKind, auditGroup } from './audit-group.js';
export { type Duplicate, type ServiceProviderAudit, auditServiceProvider } from './audit-service-provider.js';
export { type UserDigest, type UserDigestResult, type UserDigestsResult, userDigest, userDigests } from './user-digest.js';
export { type CallCenterAgent, type CallCenterDigestResult, callCenterDigest } from './call-center-digest.js';
export * from './report.js';
