import { defaultVersion, dispatch, requestClasses, requestsByCommand, responseClasses } from '../../generated/vbox/index.js';
import { VboxUnknownMessageError } from './errors.js';
import {
  decodeFields,
  encodeMessageFrame,
  normalizeFields,
  UnknownResponse,
  type VboxRequest,
  type VboxResponseBase,
  type VboxResponseClass,
} from './fields.js';
import { Direction, type VboxFrame } from './frame.js';
import type { ProtocolVersion } from './spec-types.js';

/**
 * The vBox message codec: frames ⇄ generated request/response objects, by command id and
 * protocol version. Everything here is table-driven by the generated dispatch tables and the
 * generic field codec; there is no per-message code.
 */

export type { ProtocolVersion } from './spec-types.js';
export { enumName } from './fields.js';
/** Any decoded vBox→client message (a generated response class, or `Unknown`). */
export type VboxResponse = VboxResponseBase;
/** Any generated request. */
export type { VboxRequest } from './fields.js';

/** Options of {@link decodeResponse}. */
export interface DecodeOptions {
  /** Layout set; default `v2`. */
  version?: ProtocolVersion;
  /** Throw VboxDecodeError (`TH_ERR_VBOX_DECODE`) on count/length/const mismatches instead of setting `lengthMismatch`. */
  strict?: boolean;
}

// Module-level copies: one property load per decode instead of a namespace lookup.
const dispatchTables = dispatch;
const defaultTable = dispatch[defaultVersion];

function versionOf(version: ProtocolVersion | undefined): ProtocolVersion {
  if (version === undefined) return defaultVersion;
  if (version !== 'v1' && version !== 'v2') {
    throw new VboxUnknownMessageError(`protocol version must be 'v1' or 'v2', got '${String(version)}'`, { version });
  }
  return version;
}

/**
 * Decodes a vBox→client frame into its response class, by command id and version. An id
 * without a layout gives `responses.Unknown` (never an error). Lenient by default: a payload
 * that disagrees with its counts/lengths decodes as far as possible and has `lengthMismatch`.
 */
export function decodeResponse(frame: VboxFrame, options?: DecodeOptions): VboxResponse {
  const table = options?.version === undefined ? defaultTable : dispatchTables[versionOf(options.version)];
  const cls = table[frame.command];
  if (cls === undefined) return new UnknownResponse(frame);
  const d = cls.descriptor;
  // Fast path: decode straight into the new instance (no intermediate object).
  const response = new cls(frame);
  const { problems } = decodeFields(d.name, d.fields, frame.payload, options?.strict === true, undefined, response as unknown as Record<string, unknown>);
  if (problems.length > 0) response.flag(problems, frame.lengthMismatch === true);
  return response;
}

/** The request class called `name` (exact or case-insensitive). */
function requestClass(name: string) {
  const cls = requestClasses[name] ?? Object.entries(requestClasses).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  if (!cls) {
    throw new VboxUnknownMessageError(`no vBox request called '${name}' (requests: ${Object.keys(requestClasses).join(', ')})`, { name });
  }
  return cls;
}

/**
 * Builds a request by class name, e.g. `createRequest('ToggleKeyStatus', { nodeId: 1, keyId: 2, power: 'OFF' })`.
 * Values may be given by enum name or number, and numbers as text (for the CLI).
 */
export function createRequest(name: string, fields: Record<string, unknown> = {}): VboxRequest {
  const cls = requestClass(name) as unknown as new (fields: Record<string, unknown>) => VboxRequest;
  return new cls(fields);
}

/**
 * Parses a client→vBox frame into the request's name and canonical field values (for mocks).
 * Unknown command ids throw `TH_ERR_VBOX_UNKNOWN_MESSAGE`; strict mode throws on layout mismatches.
 */
export function decodeRequest(
  frame: VboxFrame,
  options: DecodeOptions = {},
): { name: string; command: number; fields: Record<string, unknown>; lengthMismatch?: boolean; problems?: string[] } {
  const cls = requestsByCommand[frame.command];
  if (!cls) {
    throw new VboxUnknownMessageError(`no vBox request has command id 0x${frame.command.toString(16).padStart(2, '0')}`, { command: frame.command });
  }
  const d = cls.descriptor;
  const { values, problems } = decodeFields(d.name, d.fields, frame.payload, options.strict ?? false, versionOf(options.version));
  const result: { name: string; command: number; fields: Record<string, unknown>; lengthMismatch?: boolean; problems?: string[] } = {
    name: d.name,
    command: d.command,
    fields: values,
  };
  if (problems.length > 0) {
    result.lengthMismatch = true;
    result.problems = problems;
  }
  return result;
}

/** The response class for a message name (`NodeMetaData`) or a class name (`NodeMetaDataV1`), in `version`. */
export function responseClass(name: string, version?: ProtocolVersion): VboxResponseClass {
  const v = versionOf(version);
  const byMessage = responseClasses[name];
  if (byMessage) return byMessage[v];
  for (const perVersion of Object.values(responseClasses)) {
    for (const cls of Object.values(perVersion)) if (cls.descriptor.name === name) return cls;
  }
  const lower = name.toLowerCase();
  const loose = Object.entries(responseClasses).find(([n]) => n.toLowerCase() === lower);
  if (loose) return loose[1][v];
  throw new VboxUnknownMessageError(`no vBox response called '${name}' (responses: ${Object.keys(responseClasses).join(', ')})`, { name });
}

/**
 * Builds a vBox→client frame (direction `3C`) from a response name and field values, for
 * mocks and tests: `encodeResponse('KeyStatus', { nodeId: 1, keyId: 0, power: 'ON' }, 7)`.
 * Enum values by name or number; count fields default to their array's length; reserved
 * spans default to zeros; computed property names in `fields` are ignored (so `toJSON()`
 * output round-trips). `options.command` overrides the command id (e.g. an ACK sent as `01`).
 */
export function encodeResponse(
  name: string,
  fields: Record<string, unknown>,
  messageId: number,
  options: { version?: ProtocolVersion; command?: number } = {},
): Buffer {
  const cls = responseClass(name, options.version);
  const d = cls.descriptor;
  const ignore = [...d.computed.map((c) => c.name), 'response', 'command', 'messageId'];
  const values = normalizeFields(d.name, d.fields, fields, { ignore });
  return encodeMessageFrame(Direction.INCOMING, options.command ?? d.command, messageId, d.fields, values);
}
