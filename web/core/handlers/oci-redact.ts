import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, Scalar, type Document, type Node as YamlNode } from 'yaml';
import { redactXml, SECRET_FIELDS } from '../../../runtime/oci/client/logging.js';
import { parseCliAssignment } from '../../../runtime/oci/request-builder.js';
import { splitArgs, splitCommand, takeOptions } from '../command.js';
import { SECRET_MASK } from '../secrets.js';
import type { JsonValue } from '../types.js';

/**
 * Redaction of the `%oci%` handler: what is stored with an action (its text, its request) and
 * what it shows (the XML exchange, the response's field table) never holds a secret value.
 * A secret is a field named in the runtime's SECRET_FIELDS (the elements of the schemas that
 * hold a password, passcode or shared secret), not any name containing "password": flags such
 * as `hasPassword` stay visible.
 */

const SECRETS: ReadonlySet<string> = new Set(SECRET_FIELDS);

/** The field a request path or dotted key ends in: `endpoint.auth[0].password` → `password`. */
function leafName(path: string): string {
  return (path.split('.').at(-1) ?? '').replace(/\[\d*\]$/, '');
}

/** True when the field (a name, or a dotted path ending in it) holds a secret value. */
export function isSecretField(path: string): boolean {
  return SECRETS.has(leafName(path));
}

/** A word every secret field's name holds (checked against SECRET_FIELDS by the tests). */
const SECRET_WORD = /password|passcode|secret/i;

/** `<newPassword>x</newPassword>` → masked, in raw OCI-P XML (secret elements only). */
export function redactOciXml(xml: string): string {
  // Most exchanges name no secret element: one quick scan spares them the replacing pass.
  return SECRET_WORD.test(xml) ? redactXml(xml, SECRET_FIELDS, SECRET_MASK) : xml;
}

/**
 * A deep copy with the value of every secret field masked (a request, a `key:=json` value). A
 * secret-named element with members (`userPassword` of PasswordGenerateRequest: ids and flags)
 * is a container: its members' own names say which of them are secret.
 */
export function redactOciValue(value: unknown, secret = false): JsonValue {
  if (Array.isArray(value)) return value.map((v) => redactOciValue(v, secret));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactOciValue(v, isSecretField(k));
    return out;
  }
  if (secret && value !== null && value !== undefined) return SECRET_MASK;
  return (value ?? null) as JsonValue;
}

/** Rows of the response's field/value table (`[path, value]`) with secret values masked. */
export function redactFieldRows(rows: readonly [string, string][]): [string, string][] {
  return rows.map(([path, value]) => [path, isSecretField(path) ? SECRET_MASK : value]);
}

/** A word as the command splitter reads it back unchanged: plain, or single-quoted. */
function shellWord(text: string): string {
  return /^[^\s'"\\]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Text that may name a secret field once read: one of the words, or a character the readers
 * join or decode words with (a quote: `newPass''word` splits to `newPassword`; a backslash:
 * `new\u0050assword`). Text with neither cannot spell a secret name to the splitter or the YAML parser.
 */
const MAY_NAME_A_SECRET = new RegExp(`${SECRET_WORD.source}|['"\\\\]`, 'i');

interface Span {
  start: number;
  end: number;
  text: string;
}

/**
 * Command text with every secret value masked, found by parsing the text as the handler does
 * (not by patterns): each `key=value` / `key:=json` field of the first line whose field is
 * secret (or whose JSON value holds one) is written again with the value masked, and in the
 * YAML/JSON body each scalar value of a secret key, or of a list under one (any depth, any
 * style: block, flow, JSON, quoted, multi-line, or an alias and its anchor), is replaced where
 * it was typed.
 */
export function redactOciText(raw: string): string {
  // Most commands are spared the parse; see MAY_NAME_A_SECRET for why this check cannot skip a secret.
  if (!MAY_NAME_A_SECRET.test(raw)) return raw;
  let spans: Span[];
  try {
    spans = [...argumentSpans(raw), ...bodySpans(raw)];
  } catch {
    // Only reached for text the handler refused (so it is not stored); never keep what was not checked.
    const verb = /^\s*%[A-Za-z][\w-]*%/.exec(raw)?.[0] ?? '';
    return `${verb} (not shown: the text did not parse)`;
  }
  spans.sort((a, b) => b.start - a.start);
  let out = raw;
  let limit = Number.POSITIVE_INFINITY;
  for (const span of spans) {
    if (span.end > limit) continue; // inside a span already replaced (an anchor reached twice)
    out = out.slice(0, span.start) + span.text + out.slice(span.end);
    limit = span.start;
  }
  return out;
}

/** Spans of the first line's secret fields, rewritten as `key=********` or `key:=<masked json>`. */
function argumentSpans(raw: string): Span[] {
  const command = splitCommand(raw);
  const { positional, positionalOffsets } = takeOptions(command, { profile: 'string' });
  if (positional.length < 2 || ['profiles', 'ping', 'describe'].includes(positional[0]!)) return [];
  const firstLineEnd = command.bodyOffset === raw.length ? raw.length : command.bodyOffset - 1;
  const verbEnd = /^\s*%[A-Za-z][\w-]*%/.exec(raw)![0].length;
  const words = splitArgs(raw.slice(verbEnd, firstLineEnd).replace(/\r$/, ''), verbEnd);
  const spans: Span[] = [];
  for (let i = 1; i < positional.length; i++) {
    const start = positionalOffsets[i]!;
    const end = words.ends[words.offsets.indexOf(start)]!;
    const assignment = parseCliAssignment(positional[i]!);
    if (assignment.value.kind === 'json') {
      const masked = redactOciValue(assignment.value.value, isSecretField(assignment.path));
      if (JSON.stringify(masked) !== JSON.stringify(assignment.value.value)) {
        spans.push({ start, end, text: shellWord(`${assignment.path}:=${JSON.stringify(masked)}`) });
      }
    } else if (isSecretField(assignment.path)) {
      spans.push({ start, end, text: shellWord(`${assignment.path}=${SECRET_MASK}`) });
    }
  }
  return spans;
}

/** Spans of the body's secret scalars, as the YAML parser that reads the body located them. */
function bodySpans(raw: string): Span[] {
  const { body, bodyOffset } = splitCommand(raw);
  if (body.trim() === '') return [];
  const doc = parseDocument(body);
  if (doc.errors.length > 0) throw doc.errors[0];
  /** A key as the parser reads it: an alias (`*k : v`) is the scalar at its anchor. */
  const keyName = (key: unknown): string => {
    const node = isAlias(key) ? key.resolve(doc as Document) : key;
    return isScalar(node) ? String(node.value) : '';
  };
  const spans: Span[] = [];
  const visit = (node: unknown, secret: boolean): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        visit(pair.value, isSecretField(keyName(pair.key))); // a mapping is a container: its keys decide
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, secret);
    } else if (isAlias(node)) {
      // The value typed at the anchor is the secret too.
      if (secret) visit(node.resolve(doc as Document), true);
    } else if (isScalar(node) && secret && node.range && node.value !== null) {
      spans.push(maskedScalar(body, node as Scalar & { range: [number, number, number] }, bodyOffset));
    }
  };
  visit(doc.contents as YamlNode | null, false);
  return spans;
}

/** The scalar's source replaced by the mask, in the same quoting style (the body stays YAML/JSON where it was). */
function maskedScalar(body: string, node: Scalar & { range: [number, number, number] }, offset: number): Span {
  const [start, end] = node.range;
  const typed = body.slice(start, end);
  const trailing = /\s*$/.exec(typed)![0]; // block scalars end with their line break
  const quote = node.type === Scalar.QUOTE_DOUBLE ? '"' : node.type === Scalar.QUOTE_SINGLE ? "'" : '';
  return { start: offset + start, end: offset + end, text: `${quote}${SECRET_MASK}${quote}${trailing}` };
}
