import { VboxDecodeError, VboxFieldError } from './errors.js';
import { allocFrame, Direction, HEADER_LENGTH, sealFrame, type VboxFrame } from './frame.js';
import {
  type ComputedDescriptor,
  DEFAULT_PROTOCOL_VERSION,
  type EnumTable,
  type FieldDescriptor,
  type FieldType,
  type ProtocolVersion,
  type ReplyKind,
  type RequestDescriptor,
  type ResponseDescriptor,
} from './spec-types.js';

/**
 * The generic vBox field codec. Generated request/response classes carry only descriptors
 * (see `spec-types.ts`); this module walks them to encode, decode, validate, compute derived
 * properties and build plain JSON. One mechanism for every message: no per-class logic.
 */

// ---------------------------------------------------------------------------------------------
// Enumerations

const enumNames = new WeakMap<EnumTable, Map<number, string>>();

function namesOf(values: EnumTable): Map<number, string> {
  let names = enumNames.get(values);
  if (!names) {
    names = new Map();
    for (const [name, value] of Object.entries(values)) if (!names.has(value)) names.set(value, name);
    enumNames.set(values, names);
  }
  return names;
}

/** The name of `value` in `enumObject`, or the number itself when the enumeration has no such value. */
export function enumName(enumObject: EnumTable, value: number): string | number {
  return namesOf(enumObject).get(value) ?? value;
}

/** Resolves an enum value given by name (case-insensitive) or number; throws VboxFieldError for unknown names. */
export function enumValue(enumObject: EnumTable, enumLabel: string, input: unknown, where: string): number {
  if (typeof input === 'string') {
    const trimmed = input.trim();
    if (trimmed in enumObject) return enumObject[trimmed]!;
    const upper = trimmed.toUpperCase();
    for (const [name, value] of Object.entries(enumObject)) if (name.toUpperCase() === upper) return value;
    const number = parseInteger(trimmed);
    if (number !== undefined) return checkRange(number, 0, 0xff, where);
    throw new VboxFieldError(`${where}: '${input}' is not a ${enumLabel} (one of ${Object.keys(enumObject).join(', ')}, or a number 0–255)`, {
      field: where,
      value: input,
      enum: enumLabel,
    });
  }
  return checkRange(input, 0, 0xff, where);
}

// ---------------------------------------------------------------------------------------------
// Encoding: normalise (validate + defaults), then write

function parseInteger(text: string): number | undefined {
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return undefined;
}

function checkRange(input: unknown, min: number, max: number, where: string): number {
  const value = typeof input === 'string' ? parseInteger(input.trim()) : input;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new VboxFieldError(`${where} must be an integer ${min}–${max}, got ${describe(input)}`, { field: where, value: input, min, max });
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  if (Buffer.isBuffer(value)) return `${value.length} bytes`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseBytes(input: unknown, where: string): Buffer {
  if (Buffer.isBuffer(input)) return input;
  if (input instanceof Uint8Array) return Buffer.from(input);
  if (Array.isArray(input)) return Buffer.from(input.map((b, i) => checkRange(b, 0, 0xff, `${where}[${i}]`)));
  if (typeof input === 'string') {
    const text = input.replace(/[\s:.-]/g, '');
    if (/^(?:[0-9a-f]{2})*$/i.test(text)) return Buffer.from(text, 'hex');
  }
  throw new VboxFieldError(`${where} must be bytes (a Buffer, an array of bytes or hex text such as 00:0D:6F), got ${describe(input)}`, {
    field: where,
    value: input,
  });
}

/** `{a}.{b}{c}` → a pattern that parses text such as `7.93` back into struct members. */
function templatePattern(template: string): RegExp {
  let source = '^';
  for (const part of template.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)) {
    if (/^\{.*\}$/.test(part)) source += '(\\d+?)';
    else source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${source}$`);
}

/** Whether a field exists in `version` (no version given: the default version). */
function appliesTo(field: FieldDescriptor, version: ProtocolVersion | undefined): boolean {
  return field.versions === undefined || field.versions.includes(version ?? DEFAULT_PROTOCOL_VERSION);
}

/**
 * Validates `input` against `fields`, applies defaults and converts enum names to numbers.
 * Returns the canonical values (numbers, booleans, strings, Buffers, arrays, objects).
 * Throws {@link VboxFieldError} naming the message and field on the first problem.
 */
export function normalizeFields(
  message: string,
  fields: readonly FieldDescriptor[],
  input: Record<string, unknown>,
  options: { version?: ProtocolVersion; ignore?: readonly string[] } = {},
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new VboxFieldError(`${message} needs an object of fields, got ${describe(input)}`, { message });
  }
  const { active, known, counted } = planFor(fields, options.version);
  for (const key in input) {
    if (input[key] === undefined || known.has(key) || options.ignore?.includes(key)) continue;
    throw new VboxFieldError(
      `${message} has no field '${key}'${active.length ? ` (fields: ${active.map((f) => f.name).join(', ')})` : ' (it takes no fields)'}`,
      { message, field: key },
    );
  }
  const out = into;
  for (let i = 0; i < active.length; i++) {
    const field = active[i]!;
    let value = input[field.name];
    // A count left out is derived from its array (which comes later on the wire).
    const arrayField = value === undefined ? counted.get(field.name) : undefined;
    if (arrayField !== undefined) {
      const elements = input[arrayField.name] ?? arrayField.default;
      // Report a malformed array as such, not as a missing count.
      if (elements !== undefined && !Array.isArray(elements)) normalizeValue(message, arrayField, elements);
      if (Array.isArray(elements)) value = elements.length;
    }
    out[field.name] = normalizeValue(message, field, value);
  }
  return out;
}

/** What normalisation needs to know about a field list, computed once per list and version. */
interface FieldPlan {
  active: readonly FieldDescriptor[];
  known: ReadonlySet<string>;
  /** Count field name → the array field it counts. */
  counted: ReadonlyMap<string, FieldDescriptor>;
}

const plans = new WeakMap<readonly FieldDescriptor[], Map<string, FieldPlan>>();

function planFor(fields: readonly FieldDescriptor[], version: ProtocolVersion | undefined): FieldPlan {
  let byVersion = plans.get(fields);
  if (!byVersion) {
    byVersion = new Map();
    plans.set(fields, byVersion);
  }
  const key = version ?? '';
  let plan = byVersion.get(key);
  if (!plan) {
    const active = fields.filter((f) => appliesTo(f, version));
    const counted = new Map<string, FieldDescriptor>();
    for (const f of active) if (f.type.kind === 'array' && f.type.count) counted.set(f.type.count, f);
    plan = { active, known: new Set(active.map((f) => f.name)), counted };
    byVersion.set(key, plan);
  }
  return plan;
}

function normalizeValue(message: string, field: FieldDescriptor, input: unknown): unknown {
  const where = `${message}.${field.name}`;
  let value = input;
  if (value === undefined) value = field.default;
  const type = field.type;
  if (value === undefined) {
    // Raw spans and constants have natural defaults; everything else must be given.
    if (type.kind === 'const') return type.value;
    if (type.kind === 'bytes') return type.length === 'rest' ? Buffer.alloc(0) : Buffer.alloc(type.length);
    throw new VboxFieldError(`${where} is required`, { message, field: field.name });
  }
  const normalized = normalizeType(where, type, value);
  if (typeof normalized === 'number' && (field.min !== undefined || field.max !== undefined)) {
    checkRange(normalized, field.min ?? Number.MIN_SAFE_INTEGER, field.max ?? Number.MAX_SAFE_INTEGER, where);
  }
  return normalized;
}

function normalizeType(where: string, type: FieldType, value: unknown): unknown {
  switch (type.kind) {
    case 'u8':
      return checkRange(value, 0, 0xff, where);
    case 'u16be':
      return checkRange(value, 0, 0xffff, where);
    case 'bool8':
      if (value === true || value === 1 || value === '1' || value === 'true' || value === 'TRUE') return true;
      if (value === false || value === 0 || value === '0' || value === 'false' || value === 'FALSE') return false;
      throw new VboxFieldError(`${where} must be true/false or 1/0, got ${describe(value)}`, { field: where, value });
    case 'enum':
      return enumValue(type.values, type.enumName, value, where);
    case 'const': {
      const v = checkRange(value, 0, 0xff, where);
      if (v !== type.value) throw new VboxFieldError(`${where} is the constant ${type.value}, got ${v}`, { field: where, value });
      return v;
    }
    case 'bytes': {
      if (type.format === 'colon-hex' || type.format === 'hex') {
        if (typeof value === 'string' && !/^[0-9a-f:\s.-]*$/i.test(value)) {
          throw new VboxFieldError(`${where} must be hex text, got ${describe(value)}`, { field: where, value });
        }
      }
      const bytes = parseBytes(value, where);
      if (type.length !== 'rest' && bytes.length !== type.length) {
        throw new VboxFieldError(`${where} must be exactly ${type.length} bytes, got ${bytes.length}`, { field: where, value });
      }
      return bytes;
    }
    case 'string': {
      if (typeof value !== 'string') throw new VboxFieldError(`${where} must be text, got ${describe(value)}`, { field: where, value });
      const bytes = Buffer.byteLength(value, 'utf16le');
      if (bytes > 0xff) {
        throw new VboxFieldError(`${where} is ${bytes} bytes in UTF-16LE; the u8 length prefix allows at most 255`, { field: where });
      }
      return value;
    }
    case 'array': {
      if (!Array.isArray(value)) throw new VboxFieldError(`${where} must be a list, got ${describe(value)}`, { field: where, value });
      return value.map((element, i) => normalizeType(`${where}[${i}]`, type.of, element));
    }
    case 'struct': {
      let parts: unknown = value;
      if (Array.isArray(value)) {
        parts = Object.fromEntries(type.fields.map((f, i) => [f.name, value[i]]));
      } else if (typeof value === 'string' && type.format) {
        const match = templatePattern(type.format).exec(value.trim());
        if (!match) throw new VboxFieldError(`${where} must look like ${type.format}, got '${value}'`, { field: where, value });
        const names = [...type.format.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
        parts = Object.fromEntries(names.map((n, i) => [n, match[i + 1]]));
      }
      if (parts === null || typeof parts !== 'object') {
        throw new VboxFieldError(`${where} must be an object with ${type.fields.map((f) => f.name).join(', ')}`, { field: where, value });
      }
      return normalizeFields(where, type.fields, parts as Record<string, unknown>);
    }
  }
}

/** Payload size of already-normalised values: a first pass, so each frame is allocated once. */
export function payloadSize(fields: readonly FieldDescriptor[], values: Record<string, unknown>, version?: ProtocolVersion): number {
  let size = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.versions !== undefined && !appliesTo(field, version)) continue;
    size += sizeOf(field.type, values[field.name]);
  }
  return size;
}

function sizeOf(type: FieldType, value: unknown): number {
  switch (type.kind) {
    case 'u16be':
      return 2;
    case 'bytes':
      return (value as Buffer).length;
    case 'string':
      return 1 + Buffer.byteLength(value as string, 'utf16le');
    case 'array': {
      let n = 0;
      for (const element of value as unknown[]) n += sizeOf(type.of, element);
      return n;
    }
    case 'struct':
      return payloadSize(type.fields, value as Record<string, unknown>);
    default:
      return 1;
  }
}

/** Writes already-normalised values at `offset` of `buf` (sized with {@link payloadSize}); returns the end offset. */
export function writeFields(
  buf: Buffer,
  offset: number,
  fields: readonly FieldDescriptor[],
  values: Record<string, unknown>,
  version?: ProtocolVersion,
): number {
  let at = offset;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.versions !== undefined && !appliesTo(field, version)) continue;
    at = writeValue(buf, at, field.type, values[field.name]);
  }
  return at;
}

function writeValue(buf: Buffer, at: number, type: FieldType, value: unknown): number {
  switch (type.kind) {
    case 'u8':
    case 'enum':
    case 'const':
      buf[at] = value as number;
      return at + 1;
    case 'bool8':
      buf[at] = value ? 1 : 0;
      return at + 1;
    case 'u16be':
      buf[at] = ((value as number) >> 8) & 0xff;
      buf[at + 1] = (value as number) & 0xff;
      return at + 2;
    case 'bytes':
      return at + (value as Buffer).copy(buf, at);
    case 'string': {
      const length = buf.write(value as string, at + 1, 'utf16le');
      buf[at] = length;
      return at + 1 + length;
    }
    case 'array': {
      let next = at;
      for (const element of value as unknown[]) next = writeValue(buf, next, type.of, element);
      return next;
    }
    case 'struct':
      return writeFields(buf, at, type.fields, value as Record<string, unknown>);
  }
}

/** Writes already-normalised values (see {@link normalizeFields}) as a payload. */
export function encodeFields(fields: readonly FieldDescriptor[], values: Record<string, unknown>, version?: ProtocolVersion): Buffer {
  const buf = Buffer.allocUnsafe(payloadSize(fields, values, version));
  writeFields(buf, 0, fields, values, version);
  return buf;
}

/** A complete frame around the fields: one allocation, checksum over the final bytes. */
export function encodeMessageFrame(
  direction: number,
  command: number,
  messageId: number,
  fields: readonly FieldDescriptor[],
  values: Record<string, unknown>,
  version?: ProtocolVersion,
): Buffer {
  const frame = allocFrame(direction, command, messageId, payloadSize(fields, values, version));
  writeFields(frame, HEADER_LENGTH, fields, values, version);
  return sealFrame(frame);
}

// ---------------------------------------------------------------------------------------------
// Decoding: sequential, honouring count and length prefixes

/** Result of {@link decodeFields}: values in wire order, plus what did not fit (lenient mode). */
export interface DecodedFields {
  values: Record<string, unknown>;
  /** Human-readable descriptions of count/length/const mismatches; empty when the payload matched its layout. */
  problems: string[];
}

interface ReadState {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;
  readonly strict: boolean;
  readonly message: string;
  problems: string[] | undefined;
}

/**
 * Decodes `payload` sequentially with `fields`. A payload shorter than its layout, a count or
 * length prefix larger than what remains, a wrong const byte or unexplained trailing bytes are
 * problems: thrown as {@link VboxDecodeError} when `strict`, otherwise collected (and what is
 * there is decoded; missing numbers read as 0, missing text as '').
 */
export function decodeFields(
  message: string,
  fields: readonly FieldDescriptor[],
  payload: Buffer,
  strict = false,
  version?: ProtocolVersion,
  into: Record<string, unknown> = {},
): DecodedFields {
  const state: ReadState = { buf: payload, offset: 0, end: payload.length, strict, message, problems: undefined };
  const values = readFields(state, fields, version, into);
  if (state.offset < state.end) {
    problem(state, `${state.end - state.offset} trailing byte(s) after the last field`, 'trailing');
  }
  return { values, problems: state.problems ?? NO_PROBLEMS };
}

const NO_PROBLEMS: string[] = [];
/** Shared by every empty byte span (a zero-length view cannot be mutated). */
const EMPTY = Buffer.alloc(0);

function problem(state: ReadState, text: string, field: string): void {
  if (state.strict) {
    // The message says where: the field and the payload offset.
    const where = field === 'trailing' ? state.message : `${state.message}.${field}`;
    const at = text.includes('payload offset') ? '' : ` (payload offset ${state.offset})`;
    throw new VboxDecodeError(`${where}: ${text}${at}`, { message: state.message, field, offset: state.offset, payloadLength: state.end });
  }
  (state.problems ??= []).push(`${field}: ${text}`);
}

/**
 * One field's reader, compiled once per descriptor: a closure specialised to the field's type, so
 * the hot loop makes no type dispatch (style: compile descriptors lazily, cache them).
 */
type ValueReader = (state: ReadState, values: Record<string, unknown>) => unknown;

interface ReadStep {
  readonly name: string;
  readonly read: ValueReader;
}

const compiledReaders = new WeakMap<readonly FieldDescriptor[], Map<string, readonly ReadStep[]>>();

function readSteps(fields: readonly FieldDescriptor[], version: ProtocolVersion | undefined): readonly ReadStep[] {
  let byVersion = compiledReaders.get(fields);
  if (!byVersion) {
    byVersion = new Map();
    compiledReaders.set(fields, byVersion);
  }
  const key = version ?? '';
  let steps = byVersion.get(key);
  if (!steps) {
    steps = fields.filter((f) => appliesTo(f, version)).map((f) => ({ name: f.name, read: compileReader(f.name, f.type) }));
    byVersion.set(key, steps);
  }
  return steps;
}

function readFields(
  state: ReadState,
  fields: readonly FieldDescriptor[],
  version?: ProtocolVersion,
  values: Record<string, unknown> = {},
): Record<string, unknown> {
  const steps = readSteps(fields, version);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    values[step.name] = step.read(state, values);
  }
  return values;
}

function compileReader(name: string, type: FieldType): ValueReader {
  switch (type.kind) {
    case 'u8':
    case 'enum':
      return (state) => (state.offset < state.end ? state.buf[state.offset++]! : (short(state, name, 1), 0));
    case 'bool8':
      return (state) => (state.offset < state.end ? state.buf[state.offset++] !== 0 : (short(state, name, 1), false));
    case 'const': {
      const expected = type.value;
      return (state) => {
        if (short(state, name, 1)) return expected;
        const v = state.buf[state.offset++]!;
        if (v !== expected) problem(state, `expected the constant ${hex2(expected)}, found ${hex2(v)}`, name);
        return v;
      };
    }
    case 'u16be':
      return (state) => {
        if (short(state, name, 2)) {
          state.offset = state.end;
          return 0;
        }
        const v = (state.buf[state.offset]! << 8) | state.buf[state.offset + 1]!;
        state.offset += 2;
        return v;
      };
    case 'bytes': {
      const fixed = type.length === 'rest' ? -1 : type.length;
      const format = type.format;
      return (state) => {
        const left = state.end > state.offset ? state.end - state.offset : 0;
        const want = fixed < 0 ? left : fixed;
        let take = want;
        if (want > left) {
          take = left;
          short(state, name, want);
        }
        const start = state.offset;
        state.offset += take;
        if (format === 'colon-hex') return colonHexRange(state.buf, start, start + take);
        if (format === 'hex') return state.buf.toString('hex', start, start + take);
        return take === 0 ? EMPTY : state.buf.subarray(start, start + take);
      };
    }
    case 'string':
      return (state) => {
        if (short(state, name, 1)) return '';
        const declared = state.buf[state.offset++]!;
        let take = declared;
        if (state.offset + declared > state.end) {
          take = state.end - state.offset;
          problem(state, `length prefix says ${declared} byte(s) but only ${take} remain`, name);
        }
        // UTF-16LE has two bytes per code unit: an odd count would silently lose its last byte.
        if (take % 2 === 1) problem(state, `length prefix gives ${take} byte(s), an odd count for UTF-16LE text`, name);
        const text = take === 0 ? '' : state.buf.toString('utf16le', state.offset, state.offset + take);
        state.offset += take;
        return text;
      };
    case 'array': {
      const element = compileReader(name, type.of);
      const countField = type.count;
      if (countField === undefined) {
        // To the end: whole elements only.
        return (state, values) => {
          const out: unknown[] = [];
          while (state.offset < state.end) {
            const before = state.offset;
            out.push(element(state, values));
            if (state.offset === before) break;
          }
          return out;
        };
      }
      return (state, values) => {
        const count = values[countField] as number;
        const out: unknown[] = [];
        for (let i = 0; i < count; i++) {
          if (state.offset >= state.end) {
            problem(state, `count says ${count} element(s) but the payload ends after ${i}`, name);
            break;
          }
          out.push(element(state, values));
        }
        return out;
      };
    }
    case 'struct': {
      const members = type.fields.map((f) => ({ name: f.name, read: compileReader(f.name, f.type) }));
      return (state, values) => {
        const out: Record<string, unknown> = {};
        for (const m of members) out[m.name] = m.read(state, values);
        return out;
      };
    }
  }
}

function short(state: ReadState, name: string, need: number): boolean {
  if (state.offset + need <= state.end) return false;
  problem(state, `needs ${need} byte(s) at payload offset ${state.offset}, only ${Math.max(0, state.end - state.offset)} left`, name);
  return true;
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0').toUpperCase());

/** `00:0D:6F:…`: upper-case hex pairs joined by colons. */
export function colonHex(bytes: Buffer): string {
  return colonHexRange(bytes, 0, bytes.length);
}

function colonHexRange(buf: Buffer, start: number, end: number): string {
  let out = end > start ? HEX_PAIRS[buf[start]!]! : '';
  for (let i = start + 1; i < end; i++) out += `:${HEX_PAIRS[buf[i]!]!}`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Computed properties and JSON

/** `{a}.{b}{c}` with `{a: 7, b: 9, c: 3}` → `7.93`. */
export function formatTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => String(values[name] ?? ''));
}

/** NodeType name with `_` → `-`, or `Unknown-<n>` for an unlisted code. */
export function modelName(values: EnumTable, code: number): string {
  const name = namesOf(values).get(code);
  return name === undefined ? `Unknown-${code}` : name.replace(/_/g, '-');
}

/** Evaluates one computed property over a message's values. */
export function computeProperty(computed: ComputedDescriptor, values: Record<string, unknown>): unknown {
  const source = values[computed.field];
  switch (computed.builtin) {
    case 'equals':
      return source === computed.value;
    case 'modelName':
      return modelName(computed.values, source as number);
    case 'format':
      return formatTemplate(computed.template, (source ?? {}) as Record<string, unknown>);
    case 'indexed':
      return ((source ?? []) as unknown[]).map((element, index) => ({ [computed.keys[0]]: index, [computed.keys[1]]: element }));
    case 'length':
      return ((source ?? []) as unknown[]).length;
    case 'alias':
      return source;
  }
}

/** A value as plain JSON: enum values by name, Buffers as lower-case hex, structs and arrays recursively. */
export function jsonValue(type: FieldType | undefined, value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (type === undefined) {
    if (Array.isArray(value)) return value.map((v) => jsonValue(undefined, v));
    return value;
  }
  switch (type.kind) {
    case 'enum':
      return typeof value === 'number' ? enumName(type.values, value) : value;
    case 'array':
      return (value as unknown[]).map((v) => jsonValue(type.of, v));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of type.fields) out[f.name] = jsonValue(f.type, (value as Record<string, unknown>)[f.name]);
      return out;
    }
    default:
      return value;
  }
}

/** The field type a computed property shows its elements as (so `keysList` types print by name). */
function computedJson(computed: ComputedDescriptor, fields: readonly FieldDescriptor[], value: unknown): unknown {
  const source = fields.find((f) => f.name === computed.field);
  if (computed.builtin === 'alias') return jsonValue(source?.type, value);
  if (computed.builtin === 'indexed' && source?.type.kind === 'array') {
    const elementType = source.type.of;
    return (value as Record<string, unknown>[]).map((entry) => ({
      [computed.keys[0]]: entry[computed.keys[0]],
      [computed.keys[1]]: jsonValue(elementType, entry[computed.keys[1]]),
    }));
  }
  return value;
}

function fieldsJson(fields: readonly FieldDescriptor[], values: Record<string, unknown>, version?: ProtocolVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!appliesTo(field, version) || !(field.name in values)) continue;
    out[field.name] = jsonValue(field.type, values[field.name]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Base classes of the generated messages

type ComputedFn = (values: Record<string, unknown>) => unknown;

/** Computed properties compiled to closures, per descriptor list (built on first use). */
const compiledComputed = new WeakMap<readonly ComputedDescriptor[], Map<string, ComputedFn>>();

/** Turns one computed descriptor into a closure; templates are split once, not re-parsed per call. */
function compileComputed(c: ComputedDescriptor): ComputedFn {
  const field = c.field;
  switch (c.builtin) {
    case 'equals': {
      const value = c.value;
      return (v) => v[field] === value;
    }
    case 'format': {
      const parts = c.template.split(/\{([A-Za-z_][A-Za-z0-9_]*)\}/); // odd indexes are member names
      return (v) => {
        const struct = (v[field] ?? {}) as Record<string, unknown>;
        let out = parts[0]!;
        for (let i = 1; i < parts.length; i += 2) out += String(struct[parts[i]!] ?? '') + parts[i + 1]!;
        return out;
      };
    }
    default:
      return (v) => computeProperty(c, v);
  }
}

function computedFn(list: readonly ComputedDescriptor[], name: string): ComputedFn {
  let index = compiledComputed.get(list);
  if (!index) {
    index = new Map(list.map((c) => [c.name, compileComputed(c)]));
    compiledComputed.set(list, index);
  }
  const found = index.get(name);
  if (!found) throw new Error(`no computed property '${name}'`);
  return found;
}

/** What every generated request class looks like from the outside. */
export interface VboxRequestClass<T extends VboxRequest = VboxRequest> {
  new (fields: never): T;
  readonly descriptor: RequestDescriptor;
  readonly command: number;
  readonly replyKind: ReplyKind;
}

/**
 * Base of every generated request. The constructor validates the fields (ranges, enum names,
 * defaults) and throws {@link VboxFieldError}; the instance then only holds canonical values.
 */
export abstract class VboxRequest {
  protected constructor(descriptor: RequestDescriptor, fields: object | undefined) {
    // Validated values land straight on the instance (the generated subclass only declares them).
    normalizeFields(descriptor.name, descriptor.fields, (fields ?? {}) as Record<string, unknown>, {}, this as unknown as Record<string, unknown>);
  }

  /** The metadata this request is encoded from (the class's static `descriptor`). */
  get descriptor(): RequestDescriptor {
    return (this.constructor as VboxRequestClass).descriptor;
  }

  /** Command id byte. */
  get command(): number {
    return this.descriptor.command;
  }

  /** How the vBox answers: `ack`, `same`, `status` or `unknown`. */
  get replyKind(): ReplyKind {
    return this.descriptor.replyKind;
  }

  /** The payload bytes (fields limited to other versions are left out). */
  toPayload(version?: ProtocolVersion): Buffer {
    return encodeFields(this.descriptor.fields, this as unknown as Record<string, unknown>, version);
  }

  /** The complete client→vBox frame with this message id. */
  toBuffer(messageId: number, version?: ProtocolVersion): Buffer {
    const d = this.descriptor;
    return encodeMessageFrame(Direction.OUTGOING, d.command, messageId, d.fields, this as unknown as Record<string, unknown>, version);
  }

  /** Field values as plain JSON (enum values by name). */
  toJSON(): Record<string, unknown> {
    return fieldsJson(this.descriptor.fields, this as unknown as Record<string, unknown>);
  }
}

/** What every generated response class looks like from the outside. */
export interface VboxResponseClass<T extends VboxResponseBase = VboxResponseBase> {
  new (frame: VboxFrame, values?: Record<string, unknown>, problems?: readonly string[]): T;
  readonly descriptor: ResponseDescriptor;
}

/**
 * Base of every decoded vBox→client message. Field values are own properties; computed
 * properties are getters evaluated from the descriptor.
 */
export abstract class VboxResponseBase {
  // Declared, not initialised: class-field initialisers would cost a define per field per decode.
  /** The frame's command id (an `Acknowledgement` may arrive as `01` or `1E`, not only `00`). */
  declare readonly command: number;
  declare readonly messageId: number;
  /** The whole frame as received. */
  declare readonly raw: Buffer;
  /** Set (true) when counts or lengths disagreed with the payload and lenient decoding made the best of it. */
  declare readonly lengthMismatch?: boolean;
  /** What did not match the layout, when `lengthMismatch` is set. */
  declare readonly problems?: readonly string[];

  /**
   * Wraps a frame. Field values come from `values` or, on the decoder's fast path, are
   * decoded straight into the new instance (then call {@link VboxResponseBase.flag}).
   */
  constructor(frame: VboxFrame, values?: Record<string, unknown>, problems?: readonly string[]) {
    const self = this as { command: number; messageId: number; raw: Buffer };
    self.command = frame.command;
    self.messageId = frame.messageId;
    self.raw = frame.raw;
    if (values !== undefined) Object.assign(this, values);
    if ((problems !== undefined && problems.length > 0) || frame.lengthMismatch) this.flag(problems ?? [], frame.lengthMismatch === true);
  }

  /** Records layout problems: sets `lengthMismatch` and `problems`. */
  flag(problems: readonly string[], frameLengthMismatch = false): void {
    const self = this as { lengthMismatch?: boolean; problems?: readonly string[] };
    self.lengthMismatch = true;
    self.problems = [...(frameLengthMismatch ? ['frame: length field disagrees with the frame size'] : []), ...problems];
  }

  /** The layout this message was decoded with. */
  get descriptor(): ResponseDescriptor {
    return (this.constructor as VboxResponseClass).descriptor;
  }

  /** Evaluates the computed property `name` (used by the generated getters). */
  protected computed(name: string): unknown {
    return computedFn(this.descriptor.computed, name)(this as unknown as Record<string, unknown>);
  }

  /** A plain object: header, fields (enum values by name, bytes as hex), computed properties. */
  toJSON(): Record<string, unknown> {
    const d = this.descriptor;
    const out: Record<string, unknown> = { response: d.name, command: this.command, messageId: this.messageId };
    Object.assign(out, fieldsJson(d.fields, this as unknown as Record<string, unknown>));
    for (const c of d.computed) out[c.name] = computedJson(c, d.fields, (this as unknown as Record<string, unknown>)[c.name]);
    if (this.lengthMismatch) {
      out.lengthMismatch = true;
      out.problems = this.problems;
    }
    return out;
  }

  /** `console.log(response)` and `util.inspect` show what toJSON() shows: enumeration values by name. */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.toJSON();
  }
}

/** A frame whose command id no response layout covers; passed through, never an error. */
export class UnknownResponse extends VboxResponseBase {
  static readonly descriptor: ResponseDescriptor = { name: 'Unknown', message: 'Unknown', command: -1, fields: [], computed: [] };
  /** The payload, untouched. */
  declare readonly payload: Buffer;

  constructor(frame: VboxFrame) {
    super(frame);
    (this as { payload: Buffer }).payload = frame.payload;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), payload: this.payload.toString('hex') };
  }
}
