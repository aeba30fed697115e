/**
 * The plain-object form of OCI-P documents and commands (runtime/oci/meta.ts describes the
 * value rules). Shared by the codec, the validator, the client and the request builder.
 */

/** One command (request or response): `$type` names its type; other keys are its elements and attributes. */
export interface OciCommand {
  $type: string;
  [key: string]: unknown;
}

/** A whole `BroadsoftDocument`. Exactly one of sessionId/userId/phoneNumber/linePort/externalUserIdentity is sent. */
export interface OciDocument {
  protocol?: 'OCI' | 'NSOCI';
  sessionId?: string;
  userId?: string;
  phoneNumber?: string;
  linePort?: string;
  externalUserIdentity?: { id: string; organizationId: string; role: string };
  trackingId?: string;
  commands: OciCommand[];
}

/** An object that is not an array (a command, an element's complex value, a choice item). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
