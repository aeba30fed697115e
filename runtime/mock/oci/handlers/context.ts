import type { OciCommand } from '../../../oci/codec.js';
import type { OciSchema } from '../../../oci/schema.js';
import { type Fields, type OciMockState, fastRecord } from '../model.js';
import type { SessionState } from '../sessions.js';
import type { MockUser } from '../users.js';

/** What a command handler gets: the validated request, the shared state and response helpers. */
export interface HandlerContext {
  readonly schema: OciSchema;
  readonly state: OciMockState;
  /** The decoded, schema-valid request (value form of runtime/oci/meta.ts). */
  readonly request: OciCommand & Record<string, unknown>;
  readonly requestType: string;
  /** The paired data response type of this request version, or `SuccessResponse`. */
  readonly responseType: string;
  readonly session: SessionState;
  /** Accounts that may log in (administrators from the options). */
  readonly users: readonly MockUser[];
  /** A schema-valid `responseType` carrying `values` (see ResponseBuilder). */
  respond(values: Fields): OciCommand;
  /**
   * Like respond(values()), for an answer that depends only on `key` (and the request's type)
   * while the state is unchanged: built once, then reused until the next data-changing request.
   * For large answers many requests share (every user service, assigned or not).
   */
  respondShared(key: string, values: () => Fields): OciCommand;
  success(): OciCommand;
  /** The synthesised answer this request would get if it were not modelled. */
  synthesise(): OciCommand;
}

/**
 * Answers one command. Handlers are registered per request family (`UserGetRequest`), so every
 * version of a family shares one handler; they throw an OciCommandRejection (see
 * error-catalogue.ts) to answer with an ErrorResponse.
 */
export type CommandHandler = (ctx: HandlerContext) => OciCommand;

/** Request members that identify an object rather than describe it (never stored as fields). */
export const keyMembers = new Set([
  '$type',
  'echo',
  'requestLocale',
  'serviceProviderId',
  'groupId',
  'GroupId',
  'userId',
  'deviceName',
  'serviceProviderExternalId',
  'groupExternalId',
  'userExternalId',
  'deviceExternalId',
]);

/** The request's descriptive members (everything but keys), as stored fields. */
export function fieldsOf(request: Record<string, unknown>, exclude: readonly string[] = []): Fields {
  const fields: Fields = {};
  // for…in, not Object.entries: no array per member (a bulk add stores thousands of users).
  for (const key in request) {
    const value = request[key];
    if (keyMembers.has(key) || exclude.includes(key) || value === undefined) continue;
    fields[key] = value;
  }
  return fastRecord(fields);
}

/**
 * Applies a Modify request: a value replaces the stored field, `null` (xsi:nil) clears it,
 * an absent member leaves it unchanged. `renames` maps request names to stored names
 * (`newPassword` → `password`).
 */
export function applyModify(fields: Fields, request: Record<string, unknown>, renames: Record<string, string> = {}, exclude: readonly string[] = []): void {
  for (const key in request) {
    const value = request[key];
    if (keyMembers.has(key) || exclude.includes(key) || value === undefined) continue;
    const target = renames[key] ?? key;
    if (value === null) delete fields[target];
    else fields[target] = value;
  }
}

/** A required string member (the schema guarantees presence for the key elements the handler asks for). */
export function str(request: Record<string, unknown>, name: string): string {
  const value = request[name];
  return typeof value === 'string' ? value : '';
}
