/**
 * The metadata contract between the generated vBox classes (`generated/vbox/`) and the generic
 * codec in `fields.ts`. Generated code holds descriptors of these shapes and no encode/decode
 * logic of its own; the generator emits them from `schemas/vbox/vtu.yaml`.
 */

/** Layout set of the responses; chosen by configuration, never negotiated (V2 is the default). */
export type ProtocolVersion = 'v1' | 'v2';

/** The version used when none is given (V2, as the spec's `protocol.defaultVersion`; a test keeps them equal). */
export const DEFAULT_PROTOCOL_VERSION: ProtocolVersion = 'v2';

/** The protocol versions, in order. */
export const PROTOCOL_VERSIONS: readonly ProtocolVersion[] = ['v1', 'v2'];

/** How the vBox answers a request (protocol reference §6.1). */
export type ReplyKind = 'ack' | 'same' | 'status' | 'unknown';

/** An enumeration as generated: name → u8 value. */
export type EnumTable = Readonly<Record<string, number>>;

/** Wire type of one field. */
export type FieldType =
  | { readonly kind: 'u8' }
  | { readonly kind: 'u16be' }
  | { readonly kind: 'bool8' }
  /** A u8 mapped to an enumeration; unknown values pass through as numbers. */
  | { readonly kind: 'enum'; readonly enumName: string; readonly values: EnumTable }
  /** A fixed byte: written on encode, checked (leniently) on decode. */
  | { readonly kind: 'const'; readonly value: number }
  /** A fixed raw span (`length` bytes) or the rest of the payload; `format` turns it into text. */
  | { readonly kind: 'bytes'; readonly length: number | 'rest'; readonly format?: 'hex' | 'colon-hex' }
  /** UTF-16LE text after a u8 that counts bytes. */
  | { readonly kind: 'string' }
  /** Elements counted by an earlier field (`count`), or running to the end of the payload. */
  | { readonly kind: 'array'; readonly of: FieldType; readonly count?: string }
  /** A small group of fields; `format` is a template such as `{a}.{b}{c}`. */
  | { readonly kind: 'struct'; readonly fields: readonly FieldDescriptor[]; readonly format?: string };

/** One payload field, in wire order. */
export interface FieldDescriptor {
  readonly name: string;
  readonly type: FieldType;
  /** Used when an encoder is not given the field. */
  readonly default?: number | boolean | string;
  readonly min?: number;
  readonly max?: number;
  /** Limits the field to some protocol versions (requests only; response classes are generated per version). */
  readonly versions?: readonly ProtocolVersion[];
}

/** A read-only property derived from fields by a named built-in. */
export type ComputedDescriptor =
  /** `field === value` (e.g. `isOK`: type is ACK). */
  | { readonly name: string; readonly builtin: 'equals'; readonly field: string; readonly value: number }
  /** NodeType name with `_` → `-`, or `Unknown-<n>`. */
  | { readonly name: string; readonly builtin: 'modelName'; readonly field: string; readonly values: EnumTable }
  /** A struct field rendered through its template (e.g. `version` = `"{a}.{b}{c}"`). */
  | { readonly name: string; readonly builtin: 'format'; readonly field: string; readonly template: string }
  /** An array as `[{ [keys[0]]: index, [keys[1]]: element }]` (e.g. `keysList`). */
  | { readonly name: string; readonly builtin: 'indexed'; readonly field: string; readonly keys: readonly [string, string] }
  /** Number of elements of an array field. */
  | { readonly name: string; readonly builtin: 'length'; readonly field: string }
  /** Another name for a field. */
  | { readonly name: string; readonly builtin: 'alias'; readonly field: string };

/** Everything the generic codec needs to encode or decode one message. */
export interface MessageDescriptor {
  /** Class name (e.g. `NodeMetaDataV2`). */
  readonly name: string;
  /** The message name shared by its versions (e.g. `NodeMetaData`). */
  readonly message: string;
  readonly command: number;
  readonly fields: readonly FieldDescriptor[];
  readonly computed: readonly ComputedDescriptor[];
}

/** A client→vBox request. */
export interface RequestDescriptor extends MessageDescriptor {
  readonly replyKind: ReplyKind;
  /** Message name of the paired response (absent for reply kind `unknown`). */
  readonly response?: string;
}

/** A vBox→client response layout; `version` is set when the layout differs between versions. */
export interface ResponseDescriptor extends MessageDescriptor {
  readonly version?: ProtocolVersion;
  readonly unsolicited?: boolean;
}
