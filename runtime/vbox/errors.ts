import { ThorsHammerError } from '../errors.js';

/**
 * Errors of the vBox (VTU) codec. Match on `code`, not on the class:
 *
 * | code | thrown by | meaning |
 * | --- | --- | --- |
 * | `TH_ERR_VBOX_PREFIX` | `parseFrame` | the bytes do not start with `56 54 55` |
 * | `TH_ERR_VBOX_DIRECTION` | `parseFrame` | the direction byte is not `3E`/`3C`, or not the one expected |
 * | `TH_ERR_VBOX_LENGTH` | `parseFrame`, `encodeFrame` | the length field disagrees with the byte count, or a frame is too short/long |
 * | `TH_ERR_VBOX_CHECKSUM` | `parseFrame` | the sum8 checksum byte is wrong |
 * | `TH_ERR_VBOX_FIELD` | request constructors, `encodeResponse`, `encodeFrame` | a field value is missing, of the wrong type or out of range |
 * | `TH_ERR_VBOX_DECODE` | `decodeResponse` / `decodeRequest` in strict mode | a payload disagrees with its layout (count, length, const byte) |
 * | `TH_ERR_VBOX_UNKNOWN_MESSAGE` | `createRequest`, `encodeResponse`, `decodeRequest` | no request/response of that name or command id |
 * | `TH_ERR_VBOX_SPEC` | the generator | the datagram spec is invalid (message carries file:line:column and JSON path) |
 * | `TH_ERR_VBOX_HEX` | `hammer vbox decode` | the argument is not an even-length hex string |
 */
export type VboxCodecErrorCode =
  | 'TH_ERR_VBOX_PREFIX'
  | 'TH_ERR_VBOX_DIRECTION'
  | 'TH_ERR_VBOX_LENGTH'
  | 'TH_ERR_VBOX_CHECKSUM'
  | 'TH_ERR_VBOX_FIELD'
  | 'TH_ERR_VBOX_DECODE'
  | 'TH_ERR_VBOX_UNKNOWN_MESSAGE'
  | 'TH_ERR_VBOX_SPEC'
  | 'TH_ERR_VBOX_HEX';

/** A byte sequence that is not one well-formed VTU frame. */
export class VboxFrameError extends ThorsHammerError {
  constructor(
    code: 'TH_ERR_VBOX_PREFIX' | 'TH_ERR_VBOX_DIRECTION' | 'TH_ERR_VBOX_LENGTH' | 'TH_ERR_VBOX_CHECKSUM',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, { context });
  }
}

/** A request/response field value that cannot be encoded (missing, wrong type, out of range). */
export class VboxFieldError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_FIELD', message, { context });
  }
}

/** A payload that does not match its layout, in strict decoding. */
export class VboxDecodeError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_DECODE', message, { context });
  }
}

/** A request or response name / command id that the spec does not define. */
export class VboxUnknownMessageError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_UNKNOWN_MESSAGE', message, { context });
  }
}

/** An invalid datagram spec; `context` has `file`, `line`, `column`, `path` and the list of `problems`. */
export class VboxSpecError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_VBOX_SPEC', message, { context });
  }
}
