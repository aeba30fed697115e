/**
 * OCI-P document encoder and decoder, driven by the generated metadata (runtime/oci/meta.ts).
 * Values use the plain-object form described there: exact XML names as keys, `$type` for
 * the concrete type, `null` for nil, arrays for repeating elements, tables as
 * `{ colHeading, row: [{ col }] }`.
 */
import { encodePlanOf } from './encode-plan.js';
import { OciDecodeError, OciDocumentEncodingError, OciEncodeError, OciTypeNotLoadedError, OciUnknownTypeError } from './errors.js';
import type { ChoiceMeta, ComplexTypeMeta, ElementMeta, Particle } from './meta.js';
import { requireTypeName } from './names.js';
import { type OciCommand, type OciDocument, isPlainObject } from './values.js';
import {
  allowedKeys,
  builtinOf,
  choiceProp,
  derivesFrom,
  branchByFirstName,
  INTEGER_BUILTINS,
  isArrayElement,
  isRepeatingChoice,
  NUMERIC_BUILTINS,
  type OciSchema,
  particleKeys,
  particlePresent,
  TABLE_TYPE,
} from './schema.js';
import { chooseBranch, validateCommand } from './validate.js';
import { escapeAttribute, escapeText, findInvalidXmlChar } from './xml/escape.js';
import { limitExceeded, narrowTable, resolveXmlLimits, type StartTag, type TablePart, type XmlLimits, XmlReader, XSI_NS } from './xml/reader.js';
import { decodeXmlBytes, encodeXmlText, referenceBeyond } from './xml/text.js';

export type { OciCommand, OciDocument } from './values.js';

export interface EncodeOptions {
  /** Declared encoding; non-Latin-1 characters become numeric references under ISO-8859-1. Default UTF-8. */
  encoding?: 'UTF-8' | 'ISO-8859-1';
  /** Validate every command against the schema first (default true). */
  validate?: boolean;
}

/** Most commands one document may carry (OCIMessage: command maxOccurs 15). */
export const MAX_COMMANDS = 15;

/**
 * A command together with its `<command>` element as {@link encodeCommand} writes it, made once by
 * whoever built the command (a request plan: runtime/oci/request-builder.ts) so that sending it
 * costs no second walk of the schema. The text must be exactly what the encoder would write for
 * `command`; the command must not change afterwards. A document holding one writes `xml`
 * verbatim; with `validate` on, `command` is still validated.
 */
export class EncodedCommand {
  constructor(
    readonly command: OciCommand,
    readonly xml: string,
    /**
     * True when `xml` already writes every character beyond Latin-1 as a character reference (as an
     * ISO-8859-1 document does): an ISO-8859-1 document then takes it without scanning it again.
     * Such a command belongs in ISO-8859-1 documents only (in UTF-8 it would keep its references).
     */
    readonly latin1 = false,
  ) {}
}

/** What a document may carry: plain commands, or commands already encoded ({@link EncodedCommand}). */
export type SendableCommand = OciCommand | EncodedCommand;

/** The command itself, whether or not it comes already encoded. */
export function commandOf(sendable: SendableCommand): OciCommand {
  return sendable instanceof EncodedCommand ? sendable.command : sendable;
}

/** A document whose commands may come already encoded. */
export type EncodableDocument = Omit<OciDocument, 'commands'> & { commands: readonly SendableCommand[] };

const IDENTITY_KEYS = ['sessionId', 'userId', 'phoneNumber', 'linePort', 'externalUserIdentity'] as const;
const DOCUMENT_KEYS = new Set<string>(['protocol', ...IDENTITY_KEYS, 'trackingId', 'commands']);

// ---------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes a whole document: XML declaration, `BroadsoftDocument` envelope, identity,
 * optional trackingId and 1–15 commands. Commands are validated first unless
 * `validate: false`. Returns text; {@link documentBytes} turns it into wire bytes.
 */
export function encodeDocument(schema: OciSchema, doc: OciDocument | EncodableDocument, options: EncodeOptions = {}): string {
  const encoding = options.encoding ?? 'UTF-8';
  if (encoding !== 'UTF-8' && encoding !== 'ISO-8859-1') {
    throw new OciEncodeError(`unsupported encoding '${String(encoding)}' (use UTF-8 or ISO-8859-1)`);
  }
  if (typeof doc !== 'object' || doc === null) throw new OciEncodeError('a document must be an object with commands');
  for (const key of Object.keys(doc)) {
    if (!DOCUMENT_KEYS.has(key) && (doc as unknown as Record<string, unknown>)[key] !== undefined) {
      throw new OciEncodeError(`unknown document key '${key}' (allowed: ${[...DOCUMENT_KEYS].join(', ')})`, { path: key });
    }
  }
  const commands = doc.commands;
  if (!Array.isArray(commands) || commands.length < 1 || commands.length > MAX_COMMANDS) {
    throw new OciEncodeError(
      `a document carries 1 to ${MAX_COMMANDS} commands, got ${Array.isArray(commands) ? commands.length : 'none'}; split larger batches`,
      { count: Array.isArray(commands) ? commands.length : 0 },
    );
  }
  const protocol = doc.protocol ?? 'OCI';
  if (protocol !== 'OCI' && protocol !== 'NSOCI') throw new OciEncodeError(`protocol must be OCI or NSOCI, got '${String(protocol)}'`, { path: 'protocol' });
  let identity: (typeof IDENTITY_KEYS)[number] | undefined;
  let identityCount = 0;
  for (const key of IDENTITY_KEYS) {
    if (doc[key] === undefined) continue;
    identity ??= key;
    identityCount++;
  }
  if (identity === undefined || identityCount !== 1) {
    const identities = IDENTITY_KEYS.filter((k) => doc[k] !== undefined);
    throw new OciEncodeError(
      identities.length === 0
        ? 'a document needs a sessionId (or, session-less, userId, phoneNumber, linePort or externalUserIdentity)'
        : `a document carries exactly one of sessionId, userId, phoneNumber, linePort, externalUserIdentity; got ${identities.join(', ')}`,
    );
  }
  if (options.validate ?? true) for (const command of commands) validateCommand(schema, commandOf(command));

  // Under ISO-8859-1 each piece gets its character references (the fixed envelope text is ASCII):
  // a command already written that way is not scanned again.
  const latin1 = encoding === 'ISO-8859-1';
  let out = DOCUMENT_STARTS[encoding][protocol];
  if (identity === 'externalUserIdentity') {
    const element = new Encoder(schema).element(
      { n: 'externalUserIdentity', t: 'ExternalUserIdentity' },
      doc.externalUserIdentity,
      'externalUserIdentity',
      ' xmlns=""',
    );
    out += latin1 ? referenceBeyond(element) : element;
  } else {
    out += `<${identity} xmlns="">${envelopeText(doc[identity], identity, latin1)}</${identity}>`;
  }
  if (doc.trackingId !== undefined) out += `<trackingId xmlns="">${envelopeText(doc.trackingId, 'trackingId', latin1)}</trackingId>`;
  for (const command of commands) {
    if (command instanceof EncodedCommand) out += latin1 && !command.latin1 ? referenceBeyond(command.xml) : command.xml;
    else out += latin1 ? referenceBeyond(encodeCommand(schema, command)) : encodeCommand(schema, command);
  }
  return `${out}</BroadsoftDocument>`;
}

/** The declaration and the envelope's start tag, per encoding and protocol. */
const DOCUMENT_STARTS = Object.fromEntries(
  (['UTF-8', 'ISO-8859-1'] as const).map((encoding) => [
    encoding,
    Object.fromEntries(
      (['OCI', 'NSOCI'] as const).map((protocol) => [
        protocol,
        `<?xml version="1.0" encoding="${encoding}"?>\n<BroadsoftDocument protocol="${protocol}" xmlns="C" xmlns:xsi="${XSI_NS}">`,
      ]),
    ),
  ]),
) as Record<'UTF-8' | 'ISO-8859-1', Record<'OCI' | 'NSOCI', string>>;

/** An envelope member's text, escaped (with character references under ISO-8859-1); one test for the usual plain text. */
function envelopeText(value: unknown, path: string, latin1: boolean): string {
  if (typeof value !== 'string') throw new OciEncodeError(`${path}: expected a string`, { path });
  if (!ENVELOPE_TEXT_NEEDS_WORK.test(value)) return value;
  checkChars(value, path);
  return latin1 ? referenceBeyond(escapeText(value)) : escapeText(value);
}
/** Characters to escape, to reference under ISO-8859-1, or that XML may not carry. */
const ENVELOPE_TEXT_NEEDS_WORK = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\u0100-\uffff]/;

function checkChars(value: string, path: string): void {
  const bad = findInvalidXmlChar(value);
  if (bad !== -1) {
    throw new OciEncodeError(`${path}: character U+${value.charCodeAt(bad).toString(16).padStart(4, '0')} cannot be written in XML`, { path });
  }
}

/**
 * The `<command xsi:type="…">` element alone (the `xsi` prefix is the one the envelope declares),
 * written by the plan of its type (runtime/oci/encode-plan.ts); what the plan declines (an error
 * to report, an unusual value) by the metadata walk below, which is the reference for both.
 */
export function encodeCommand(schema: OciSchema, command: OciCommand): string {
  return encodePlanOf(schema).command(command) ?? new Encoder(schema).command(command);
}

/** The reference walk alone, without the plan: what the plan's text is tested against (test/oci-codec/encode-plan.test.ts). */
export function encodeCommandByWalk(schema: OciSchema, command: OciCommand): string {
  return new Encoder(schema).command(command);
}

/** The bytes of an encoded document, in the encoding its own XML declaration names (ISO-8859-1 or UTF-8; runtime/oci/xml/text.ts). */
export function documentBytes(text: string): Buffer {
  try {
    return encodeXmlText(text);
  } catch (error) {
    if (error instanceof OciDocumentEncodingError) throw new OciEncodeError(`${error.message} (use UTF-8 or ISO-8859-1)`);
    throw error;
  }
}

/** Turns a JavaScript scalar into the lexical form of a built-in (what the encoder writes for a simple value, before escaping). */
export function lexical(builtin: string, value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      checkChars(value, path);
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (INTEGER_BUILTINS.has(builtin) && !Number.isInteger(value)) {
        throw new OciEncodeError(`${path}: ${value} is not an integer (${builtin})`, { path });
      }
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? 'INF' : '-INF';
      // Plain decimal notation (no exponent): valid for every numeric built-in.
      // A safe integer prints the same through String() (no BigInt to allocate); larger ones print exactly.
      if (Number.isSafeInteger(value)) return String(value);
      if (Number.isInteger(value)) return Math.abs(value) < 1e21 ? BigInt(value).toString() : value.toString();
      return /e/i.test(value.toString()) ? value.toFixed(20).replace(/0+$/, '') : value.toString();
    case 'bigint':
      return value.toString();
    default:
      throw new OciEncodeError(
        `${path}: expected a ${NUMERIC_BUILTINS.has(builtin) ? 'number' : builtin === 'xs:boolean' ? 'boolean' : 'string'}, got ${describe(value)}`,
        {
          path,
        },
      );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * Writes values by walking the metadata; element order always comes from the schema. The reference
 * for the plans of encode-plan.ts, and what writes (or refuses with a typed error) what they decline.
 */
class Encoder {
  constructor(private readonly schema: OciSchema) {}

  command(command: OciCommand): string {
    if (!isPlainObject(command) || typeof command.$type !== 'string') {
      throw new OciEncodeError('a command must be an object with a $type naming its request or response type');
    }
    const key = requireTypeName(this.schema, command.$type);
    const meta = this.schema.complexType(key);
    if (meta.abstract || (meta.role === undefined && !derivesFrom(this.schema, key, 'OCICommand'))) {
      throw new OciEncodeError(`${key} is not a concrete request or response type`, { path: key });
    }
    const core = meta.ns === 'C';
    const attrs = this.attributes(meta, command, key);
    const content = this.content(meta, command, key);
    // Requests as in the protocol reference; responses like a real server (attributes first,
    // core responses with a `c:` prefix bound to C).
    const open =
      meta.role === 'request' ? `<command xmlns="" xsi:type="${key}"${attrs}` : `<command${attrs} xsi:type="${core ? `c:${key}" xmlns:c="C` : key}" xmlns=""`;
    return content === '' ? `${open}/>` : `${open}>${content}</command>`;
  }

  private attributes(meta: ComplexTypeMeta, obj: Record<string, unknown>, path: string): string {
    let out = '';
    for (const a of meta.attrs ?? []) {
      const v = obj[a.n];
      if (v === undefined) continue;
      if (v === null) throw new OciEncodeError(`${path}.${a.n}: an attribute cannot be nil`, { path: `${path}.${a.n}` });
      out += ` ${a.n}="${escapeAttribute(lexical(builtinOf(this.schema, a.t), v, `${path}.${a.n}`))}"`;
    }
    return out;
  }

  /** Children of a complex value, after checking it has no key the type does not define. */
  private content(meta: ComplexTypeMeta, obj: Record<string, unknown>, path: string): string {
    this.checkKeys(obj, meta, path);
    let out = '';
    for (const p of meta.content) out += this.particle(p, obj, path);
    return out;
  }

  private checkKeys(obj: Record<string, unknown>, meta: ComplexTypeMeta, path: string): void {
    const allowed = allowedKeys(meta);
    for (const k in obj) {
      if (allowed.has(k) || obj[k] === undefined) continue;
      throw new OciEncodeError(`${path}: unknown member '${k}' for ${meta.name}`, { path: `${path}.${k}` });
    }
  }

  private particle(p: Particle, obj: Record<string, unknown>, path: string): string {
    if ('n' in p) {
      const value = obj[p.n];
      // Most members of a type are absent: no path string for them.
      return value === undefined ? '' : this.elementOccurrences(p, value, `${path}.${p.n}`);
    }
    if ('seq' in p) {
      let out = '';
      for (const c of p.seq) out += this.particle(c, obj, path);
      return out;
    }
    if (isRepeatingChoice(p)) {
      const prop = choiceProp(p);
      const items = obj[prop];
      if (items === undefined) return '';
      if (!Array.isArray(items)) throw new OciEncodeError(`${path}.${prop}: expected an array of choice items`, { path: `${path}.${prop}` });
      let out = '';
      items.forEach((item, i) => {
        const itemPath = `${path}.${prop}[${i}]`;
        if (!isPlainObject(item)) throw new OciEncodeError(`${itemPath}: expected an object`, { path: itemPath });
        for (const k of Object.keys(item)) {
          if (item[k] !== undefined && !p.choice.some((b) => particleKeys(b).has(k))) {
            throw new OciEncodeError(`${itemPath}: unknown member '${k}'`, { path: `${itemPath}.${k}` });
          }
        }
        out += this.particle(this.branch(p, item, itemPath), item, itemPath);
      });
      return out;
    }
    if (!p.choice.some((b) => particlePresent(b, obj))) return '';
    return this.particle(this.branch(p, obj, path), obj, path);
  }

  private branch(p: ChoiceMeta, obj: Record<string, unknown>, path: string): Particle {
    const { branch, conflict } = chooseBranch(this.schema, p, obj);
    if (!branch) {
      const names = p.choice.map((b) => [...particleKeys(b)].join('+')).join(' | ');
      throw new OciEncodeError(`${path}: ${conflict ? 'more than one' : 'no'} branch of the choice ${names} is set`, { path });
    }
    return branch;
  }

  private elementOccurrences(e: ElementMeta, value: unknown, path: string): string {
    if (value === undefined) return '';
    if (isArrayElement(e)) {
      if (!Array.isArray(value)) throw new OciEncodeError(`${path}: expected an array (maxOccurs ${e.max === -1 ? 'unbounded' : e.max})`, { path });
      let out = '';
      for (let i = 0; i < value.length; i++) out += this.element(e, value[i], `${path}[${i}]`);
      return out;
    }
    if (Array.isArray(value)) throw new OciEncodeError(`${path}: expected a single value, got an array`, { path });
    return this.element(e, value, path);
  }

  /** One element. `extraAttrs` is raw attribute text (the envelope's `xmlns=""`). */
  element(e: ElementMeta, value: unknown, path: string, extraAttrs = ''): string {
    const name = e.n;
    const t = e.t;
    if (value === undefined) return '';
    if (t === 'xs:anyType') {
      if (value === null) return `<${name}${extraAttrs} xsi:nil="true"/>`;
      if (value !== true) throw new OciEncodeError(`${path}: an untyped flag element takes true, got ${describe(value)}`, { path });
      return `<${name}${extraAttrs}/>`;
    }
    const simpleType = this.schema.simpleType(t);
    const simple = simpleType !== undefined;
    if (value === null) {
      let typeAttr = '';
      if (!simple) {
        const meta = this.schema.complexType(t);
        // Nil still needs a concrete type on an abstract element; any subtype is accepted.
        if (meta.abstract) typeAttr = ` xsi:type="${meta.subtypes?.[0] ?? t}"`;
      }
      return `<${name}${extraAttrs}${typeAttr} xsi:nil="true"/>`;
    }
    if (simpleType) {
      const text = escapeText(lexical(simpleType.builtin, value, path));
      return text === '' ? `<${name}${extraAttrs}/>` : `<${name}${extraAttrs}>${text}</${name}>`;
    }
    if (!isPlainObject(value)) throw new OciEncodeError(`${path}: expected an object for ${t}, got ${describe(value)}`, { path });
    const declared = this.schema.complexType(t);
    let actual = declared;
    let typeAttr = '';
    const $type = value.$type;
    if ($type !== undefined && $type !== t) {
      if (typeof $type !== 'string' || !this.schema.has($type)) throw new OciUnknownTypeError(String($type), this.schema.release, `at ${path}`);
      if (!derivesFrom(this.schema, $type, t)) throw new OciEncodeError(`${path}: ${$type} is not a ${t}`, { path });
      actual = this.schema.complexType($type);
    }
    if (actual.abstract) {
      throw new OciEncodeError(`${path}: ${t} is abstract; set $type to one of ${(declared.subtypes ?? []).join(', ')}`, { path });
    }
    if (actual !== declared) typeAttr = ` xsi:type="${actual.ns === 'C' ? `c:${actual.name}" xmlns:c="C` : actual.name}"`;
    const attrs = this.attributes(actual, value, path);
    const content = this.content(actual, value, path);
    const open = `<${name}${extraAttrs}${typeAttr}${attrs}`;
    return content === '' ? `${open}/>` : `${open}>${content}</${name}>`;
  }
}

// ---------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes document bytes by their byte order mark and XML declaration: UTF-8 (also when nothing is
 * declared), ISO-8859-x, windows-125x, UTF-16 with a byte order mark — any label the platform's
 * TextDecoder knows (runtime/oci/xml/text.ts).
 * @throws OciDocumentEncodingError (TH_ERR_OCI_DECODE_ENCODING) for an unknown label or invalid bytes.
 */
export function documentText(input: Buffer): string {
  return decodeXmlBytes(input);
}

/**
 * `JSON.stringify` replacer for decoded values. JSON has no NaN or infinities (`JSON.stringify`
 * would print `null`, which means nil here), so xs:float/xs:double specials become their XML
 * lexical forms `"NaN"`, `"INF"`, `"-INF"` — which {@link encodeDocument} accepts back for those types.
 */
export function ociJsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'INF' : '-INF';
}

/**
 * Which members of a decoded command to build, by element name: `true` for the whole value, a
 * nested selection for some of its members (`{}`: an object with none, which still tells that the
 * member is there), or, for an OCITable member, a {@link TableSelection}. The members left out
 * are read without being built: their markup, end tags, entity references and the limits are
 * still checked, their values are not checked against their types. Attributes are always kept,
 * and an ErrorResponse is always built whole. A name the type does not have selects nothing.
 */
export interface DecodeSelection {
  readonly [element: string]: true | DecodeSelection | TableSelection;
}

/**
 * What to build of an OCITable: the headings of the columns to keep, or `$columns` (all when
 * absent) and `$where` (heading → value: only the rows whose cells hold those values; a heading
 * the table lacks keeps no row). Columns keep their table order.
 */
export type TableSelection = readonly string[] | { readonly $columns?: readonly string[]; readonly $where?: Readonly<Record<string, string>> };

/** Table selections as the reader takes them, worked out once per selection object. */
const tableParts = new WeakMap<object, TablePart>();

function tablePart(select: TableSelection | DecodeSelection): TablePart {
  let part = tableParts.get(select);
  if (part === undefined) {
    const s = select as { $columns?: readonly string[]; $where?: Readonly<Record<string, string>> };
    part = Array.isArray(select) ? { columns: select as readonly string[] } : { columns: s.$columns, where: s.$where };
    tableParts.set(select, part);
  }
  return part;
}

/** Options of {@link decodeDocument}. */
export interface DocumentDecodeOptions {
  /** The reader's limits (depth, attributes, name length, document size, string length); defaults in `DEFAULT_XML_LIMITS`. */
  limits?: XmlLimits;
  /**
   * Per command position, what to build of it (undefined: everything). A reader that keeps a
   * few fields of large answers (the automations) decodes only those.
   */
  select?: readonly (DecodeSelection | undefined)[];
}

/**
 * Decodes a whole document. A Buffer is decoded by its declaration; a string is taken as
 * already decoded. The types of the commands (and of nested xsi:types) must be loaded
 * (`schema.ensure`/`ensureAll`), else OciTypeNotLoadedError; {@link decodeDocumentLoading}
 * loads them as needed. The number of commands is not checked here (a server answers a
 * bad count with an ErrorResponse, so it needs the decoded envelope).
 */
export function decodeDocument(schema: OciSchema, input: string | Buffer, options: DocumentDecodeOptions = {}): OciDocument {
  const limits = resolveXmlLimits(options.limits);
  if (typeof input !== 'string' && input.length > limits.maxDocumentLength) {
    const max = limits.maxDocumentLength;
    limitExceeded('maxDocumentLength', max, `document of ${input.length} bytes is too large (limit maxDocumentLength = ${max})`, { offset: 0 });
  }
  let text = typeof input === 'string' ? input : documentText(input);
  // XML line-end handling: \r\n and lone \r become \n before parsing.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  const bad = findInvalidXmlChar(text);
  if (bad !== -1) {
    new XmlReader(text, limits).fail(`character U+${text.charCodeAt(bad).toString(16).padStart(4, '0')} is not allowed in XML`, bad);
  }
  return new Decoder(schema, new XmlReader(text, limits), options.select).document();
}

/** Like {@link decodeDocument}, but loads the modules of command types it meets (retrying until none is missing). */
export async function decodeDocumentLoading(schema: OciSchema, input: string | Buffer, options: DocumentDecodeOptions = {}): Promise<OciDocument> {
  const text = typeof input === 'string' ? input : documentText(input);
  for (let attempt = 0; ; attempt++) {
    try {
      return decodeDocument(schema, text, options);
    } catch (error) {
      if (attempt < 64 && error instanceof OciTypeNotLoadedError) {
        await schema.ensure(error.typeKey);
        continue;
      }
      throw error;
    }
  }
}

/** Decodes one `<command>` element string (namespaces as in a server document) — for tests and tools. */
export function decodeCommand(schema: OciSchema, xml: string): OciCommand {
  const doc = decodeDocument(
    schema,
    `<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="${XSI_NS}"><sessionId xmlns="">x</sessionId>${xml}</BroadsoftDocument>`,
  );
  if (doc.commands.length !== 1) throw new OciDecodeError(`expected one command, found ${doc.commands.length}`);
  return doc.commands[0]!;
}

const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

const enum StepKind {
  Element,
  Sequence,
  Choice,
  RepeatingChoice,
}

/**
 * One particle of a content model in a single uniform shape, built once per particle: the decode
 * loop reads the same properties of one hidden class on every member, instead of testing the
 * generated metadata's many shapes (`'n' in p`, optional `max` and `nil`) element after element.
 */
class DecodeStep {
  /** Choices: each branch by the element name it starts with. */
  branches: ReadonlyMap<string, DecodeStep> = NO_BRANCHES;
  /** Element: the schema {@link simple} was resolved in (the same particles may serve several schemas). */
  simpleFor: OciSchema | undefined = undefined;
  /** Element: the built-in of its simple type, or '' for a complex type or xs:anyType. */
  simple = '';

  constructor(
    readonly kind: StepKind,
    /** Element: its name; repeating choice: the property of its list. */
    readonly name: string,
    /** Element: its type key. */
    readonly type: string,
    /** Element: xsi:nil is allowed. */
    readonly nillable: boolean,
    /** Element: its value is an array. */
    readonly many: boolean,
    /** Most occurrences of an element or a repeating choice (Infinity when unbounded). */
    readonly max: number,
    /** Sequence: its members. */
    readonly children: readonly DecodeStep[],
  ) {}
}

const NO_BRANCHES: ReadonlyMap<string, DecodeStep> = new Map();
const ERROR_RESPONSE = 'ErrorResponse';
/** What {@link Decoder.scalar} returns, without a path to name, for a text its built-in refuses. */
const INVALID: unique symbol = Symbol('invalid');

/** The path of a member in errors: `Type.member`, or `Type.member[2]` for a list. */
function memberPath(path: string, name: string, many: boolean, count: number): string {
  return many ? `${path}.${name}[${count}]` : `${path}.${name}`;
}
/** A selection of no member. */
const NOTHING: DecodeSelection = Object.freeze({});
const stepCache = new WeakMap<Particle, DecodeStep>();
const planCache = new WeakMap<readonly Particle[], readonly DecodeStep[]>();

function decodeStep(p: Particle): DecodeStep {
  let step = stepCache.get(p);
  if (step !== undefined) return step;
  const max = p.max === -1 ? Number.POSITIVE_INFINITY : (p.max ?? 1);
  if ('n' in p) step = new DecodeStep(StepKind.Element, p.n, p.t, p.nil === true, isArrayElement(p), max, []);
  else if ('seq' in p) step = new DecodeStep(StepKind.Sequence, '', '', false, false, max, p.seq.map(decodeStep));
  else {
    const repeating = isRepeatingChoice(p);
    step = new DecodeStep(repeating ? StepKind.RepeatingChoice : StepKind.Choice, repeating ? choiceProp(p) : '', '', false, false, max, []);
    const branches = new Map<string, DecodeStep>();
    for (const [name, branch] of branchByFirstName(p)) branches.set(name, decodeStep(branch));
    step.branches = branches;
  }
  stepCache.set(p, step);
  return step;
}

/** The decode steps of a type's content, built on first use. */
function decodePlan(content: readonly Particle[]): readonly DecodeStep[] {
  let plan = planCache.get(content);
  if (plan === undefined) {
    plan = content.map(decodeStep);
    planCache.set(content, plan);
  }
  return plan;
}

/** The `xsi:` attribute `local` of a start tag (a loop, not a closure per call: this runs per element). */
function xsiAttribute(tag: StartTag, local: 'type' | 'nil'): StartTag['attrs'][number] | undefined {
  for (const a of tag.attrs) if (a.ns === XSI_NS && a.local === local) return a;
  return undefined;
}

/** The declaration of attribute `name` of a complex type, if it has one. */
function attributeMeta(meta: ComplexTypeMeta, name: string): NonNullable<ComplexTypeMeta['attrs']>[number] | undefined {
  if (meta.attrs !== undefined) for (const a of meta.attrs) if (a.n === name) return a;
  return undefined;
}

/** Reads values by walking the metadata, element by element, pulling from the reader. */
class Decoder {
  // The start tag of the next unconsumed child in the content being decoded (lookahead).
  private next: StartTag | null = null;

  constructor(
    private readonly schema: OciSchema,
    private readonly reader: XmlReader,
    private readonly select: readonly (DecodeSelection | undefined)[] | undefined = undefined,
  ) {}

  document(): OciDocument {
    const r = this.reader;
    r.readProlog();
    const root = r.readStartTag();
    if (root.local !== 'BroadsoftDocument' || root.ns !== 'C') {
      r.fail(`the root element must be BroadsoftDocument in namespace C, found ${root.ns ? `{${root.ns}}` : ''}${root.local}`, root.offset);
    }
    // Key order of the result: protocol, identity, trackingId, commands (as on the wire).
    const doc = {} as OciDocument;
    const commands: OciCommand[] = [];
    for (const a of root.attrs) {
      if (a.ns === '' && a.local === 'protocol' && (a.value === 'OCI' || a.value === 'NSOCI')) doc.protocol = a.value;
      else r.fail(`unexpected attribute ${a.qname}="${a.value}" on BroadsoftDocument`, root.offset);
    }
    if (doc.protocol === undefined) r.fail('BroadsoftDocument lacks the protocol attribute', root.offset);
    // OCIMessage: one identity (a choice), then trackingId?, then the commands — in that order.
    let identity: string | undefined;
    let stage: 'identity' | 'trackingId' | 'command' = 'identity';
    for (let tag = r.nextChild(root); tag; tag = r.nextChild(root)) {
      if (tag.ns !== '') r.fail(`unexpected element ${tag.qname} in namespace ${tag.ns} (write xmlns="" on it)`, tag.offset, 'BroadsoftDocument');
      this.noForeignAttributes(tag, tag.local);
      switch (tag.local) {
        case 'sessionId':
        case 'userId':
        case 'phoneNumber':
        case 'linePort':
        case 'externalUserIdentity':
          if (identity !== undefined) {
            r.fail(
              `<${tag.local}> after <${identity}>: a document carries exactly one of sessionId, userId, phoneNumber, linePort, externalUserIdentity`,
              tag.offset,
              'BroadsoftDocument',
            );
          }
          if (stage !== 'identity') r.fail(`<${tag.local}> must come before trackingId and the commands`, tag.offset, 'BroadsoftDocument');
          identity = tag.local;
          stage = 'trackingId';
          if (tag.local === 'externalUserIdentity') {
            doc.externalUserIdentity = this.element('ExternalUserIdentity', false, tag, 'externalUserIdentity') as OciDocument['externalUserIdentity'];
          } else {
            this.noAttributes(tag, tag.local);
            doc[tag.local] = r.readText(tag, tag.local);
            r.finishElement(tag, tag.local);
          }
          break;
        case 'trackingId':
          if (stage !== 'trackingId') {
            r.fail(
              stage === 'identity' ? '<trackingId> before the identity (sessionId, userId …)' : '<trackingId> after a command or repeated',
              tag.offset,
              'BroadsoftDocument',
            );
          }
          stage = 'command';
          this.noAttributes(tag, tag.local);
          doc.trackingId = r.readText(tag, tag.local);
          r.finishElement(tag, tag.local);
          break;
        case 'command':
          if (stage === 'identity') {
            r.fail(
              '<command> before the identity: a document starts with one of sessionId, userId, phoneNumber, linePort, externalUserIdentity',
              tag.offset,
              'BroadsoftDocument',
            );
          }
          stage = 'command';
          commands.push(this.command(tag, `commands[${commands.length}]`, this.select?.[commands.length]));
          break;
        default:
          r.fail(`unknown element <${tag.qname}> in BroadsoftDocument`, tag.offset, 'BroadsoftDocument');
      }
    }
    if (identity === undefined) {
      r.fail('BroadsoftDocument has no sessionId (or userId, phoneNumber, linePort, externalUserIdentity)', root.offset, 'BroadsoftDocument');
    }
    r.finishElement(root);
    r.readEpilog();
    doc.commands = commands;
    return doc;
  }

  /** Finds the type an xsi:type names, by (namespace, local name): C types must be in C, others in no namespace. */
  private resolveXsiType(tag: StartTag, path: string): string | undefined {
    const attr = xsiAttribute(tag, 'type');
    if (!attr) return undefined;
    const [ns, local] = this.reader.resolveQName(attr.value, tag.offset);
    const key = ns === 'C' && this.schema.has(`C:${local}`) ? `C:${local}` : local;
    const shown = ns ? `{${ns}}${local}` : local;
    if (!this.schema.has(key)) throw new OciUnknownTypeError(shown, this.schema.release, `xsi:type at ${path}`);
    const meta = this.schema.type(key);
    if ((meta.ns === 'C') !== (ns === 'C')) {
      throw new OciUnknownTypeError(shown, this.schema.release, `xsi:type at ${path}: ${local} is ${meta.ns === 'C' ? 'in namespace C' : 'in no namespace'}`);
    }
    return key;
  }

  private command(tag: StartTag, path: string, select: DecodeSelection | undefined): OciCommand {
    this.noForeignAttributes(tag, path);
    if (xsiAttribute(tag, 'nil') !== undefined) this.reader.fail('a command cannot be nil', tag.offset, path);
    const key = this.resolveXsiType(tag, path);
    if (key === undefined) this.reader.fail('command without xsi:type', tag.offset, path);
    const meta = this.schema.complexType(key);
    if (meta.abstract || (meta.role === undefined && !derivesFrom(this.schema, key, 'OCICommand'))) {
      this.reader.fail(`xsi:type ${key} is not a concrete request or response type`, tag.offset, path);
    }
    // Started empty, not as `{ $type }`: V8 keeps an object that gains members one by one in its
    // fast form longer that way (a command with a dozen members and more is then cheaper to read).
    const obj = {} as OciCommand;
    obj.$type = key;
    // An ErrorResponse in the place of the answer asked for is always built whole: it becomes the caller's error.
    this.complexContent(tag, meta, obj, key, key === ERROR_RESPONSE ? undefined : select);
    return obj;
  }

  /** Whether `xsi:nil` says true; a value other than true/false/1/0 is an error. */
  private isNil(tag: StartTag, path: string): boolean {
    if (tag.attrs.length === 0) return false;
    const attr = xsiAttribute(tag, 'nil');
    if (attr === undefined) return false;
    const v = BOOLEAN_TEXT[attr.value.trim()];
    if (v === undefined) this.reader.fail(`xsi:nil="${attr.value}" is not a boolean`, tag.offset, path);
    return v;
  }

  /** Only `xsi:type` and `xsi:nil` may come from another namespace; xml:*, other xsi:* and foreign attributes are refused. */
  private noForeignAttributes(tag: StartTag, path: string): void {
    if (tag.attrs.length === 0) return;
    for (const a of tag.attrs) {
      if (a.ns === '' || (a.ns === XSI_NS && (a.local === 'type' || a.local === 'nil'))) continue;
      this.reader.fail(`attribute ${a.qname} (namespace ${a.ns}) is not allowed on <${tag.qname}>`, tag.offset, path);
    }
  }

  /** For elements with a fixed simple content (envelope fields): no attribute at all. */
  private noAttributes(tag: StartTag, path: string): void {
    if (tag.attrs.length > 0) this.reader.fail(`attribute ${tag.attrs[0]!.qname} is not allowed on <${tag.qname}>`, tag.offset, path);
  }

  /**
   * Decodes one element (start tag already read) of declared type `t`, through its end tag;
   * `select` (a complex type's members, or a table's columns) narrows what is built.
   */
  private element(t: string, nillable: boolean, tag: StartTag, path: string, select?: DecodeSelection | TableSelection): unknown {
    const r = this.reader;
    this.noForeignAttributes(tag, path);
    const declared = t === 'xs:anyType' || t.startsWith('xs:') ? undefined : this.schema.type(t);
    const complex = declared !== undefined && declared.kind !== 'simple';
    if (!complex && xsiAttribute(tag, 'type') !== undefined && t !== 'xs:anyType') {
      r.fail(`xsi:type on <${tag.qname}>, which has a simple type (${t})`, tag.offset, path);
    }
    if (this.isNil(tag, path)) {
      if (!nillable) r.fail(`<${tag.qname}> is not nillable (xsi:nil="true" given)`, tag.offset, path);
      const stray = tag.attrs.find((a) => a.ns === '');
      if (stray) r.fail(`attribute ${stray.qname} on a nil element`, tag.offset, path);
      if (complex) {
        const xsiType = this.resolveXsiType(tag, path);
        if (xsiType !== undefined && xsiType !== t && !derivesFrom(this.schema, xsiType, t)) r.fail(`xsi:type ${xsiType} is not a ${t}`, tag.offset, path);
      }
      r.finishEmpty(tag, path, 'xsi:nil="true"');
      return null;
    }
    if (t === 'xs:anyType') {
      r.skipElement(tag, path);
      return true;
    }
    if (!complex) {
      const stray = tag.attrs.length === 0 ? undefined : tag.attrs.find((a) => a.ns === '');
      if (stray) r.fail(`unknown attribute ${stray.qname} on a simple value`, tag.offset, path);
      const text = r.readText(tag, path);
      r.finishElement(tag, path);
      return this.scalar(declared?.kind === 'simple' ? declared.base : t, text, path, tag.offset);
    }
    const xsiType = this.resolveXsiType(tag, path);
    let actual = declared as ComplexTypeMeta;
    if (xsiType !== undefined && xsiType !== t) {
      if (!derivesFrom(this.schema, xsiType, t)) r.fail(`xsi:type ${xsiType} is not a ${t}`, tag.offset, path);
      actual = this.schema.complexType(xsiType);
    }
    if (actual.abstract) r.fail(`element of abstract type ${t} without xsi:type naming a concrete type`, tag.offset, path);
    if (actual.name === TABLE_TYPE && actual.ns === 'C') {
      const part = select === undefined ? undefined : tablePart(select);
      const fast = tag.attrs.length === 0 ? r.scanTable(tag, part) : null;
      if (fast) return fast;
      const table = { colHeading: [] as string[], row: [] as { col: string[] }[] };
      const generic: Record<string, unknown> = {};
      this.complexContent(tag, actual, generic, path, undefined);
      if (generic.colHeading) table.colHeading = generic.colHeading as string[];
      // A row without cells is schema-invalid; keep the table shape usable anyway.
      if (generic.row) table.row = (generic.row as { col?: string[] }[]).map((r) => ({ col: r.col ?? [] }));
      return part === undefined ? table : narrowTable(table, part);
    }
    const obj: Record<string, unknown> = {};
    if (actual !== declared || declared.abstract) obj.$type = actual.name;
    this.complexContent(tag, actual, obj, path, Array.isArray(select) ? undefined : (select as DecodeSelection | undefined));
    return obj;
  }

  /**
   * The value of `text` for a built-in. A text the built-in refuses is an OciDecodeError at `path`;
   * without a path it is {@link INVALID} instead (the caller builds the path only then).
   */
  private scalar(builtin: string, text: string, path: string | undefined, offset: number): unknown {
    if (builtin === 'xs:boolean') {
      const v = BOOLEAN_TEXT[text.trim()];
      if (v === undefined) return this.invalid(`'${text}' is not a boolean`, offset, path);
      return v;
    }
    if (NUMERIC_BUILTINS.has(builtin)) {
      const s = text.trim();
      if (INTEGER_BUILTINS.has(builtin)) {
        // xs:int, xs:long, xs:integer: digits only (no fraction, no exponent), and xs:int within 32 bits.
        if (!INTEGER_TEXT.test(s)) return this.invalid(`'${text}' is not an integer (${builtin})`, offset, path);
        const n = Number(s);
        if (builtin === 'xs:int' && (n < -2147483648 || n > 2147483647)) return this.invalid(`'${text}' is outside the xs:int range`, offset, path);
        if (builtin === 'xs:long' && s.length >= 19 && (BigInt(s) < -(2n ** 63n) || BigInt(s) >= 2n ** 63n)) {
          return this.invalid(`'${text}' is outside the xs:long range`, offset, path);
        }
        return n;
      }
      if (builtin === 'xs:decimal') {
        if (!DECIMAL_TEXT.test(s)) return this.invalid(`'${text}' is not a decimal number (xs:decimal has no exponent)`, offset, path);
        return Number(s);
      }
      if (NUMBER_TEXT.test(s)) return Number(s);
      if (builtin === 'xs:float' || builtin === 'xs:double') {
        if (s === 'INF' || s === '+INF') return Number.POSITIVE_INFINITY;
        if (s === '-INF') return Number.NEGATIVE_INFINITY;
        if (s === 'NaN') return Number.NaN;
      }
      return this.invalid(`'${text}' is not a number (${builtin})`, offset, path);
    }
    return text;
  }

  /** {@link INVALID} without a path, else the decode error at `path`. */
  private invalid(message: string, offset: number, path: string | undefined): typeof INVALID {
    if (path === undefined) return INVALID;
    return this.reader.fail(message, offset, path);
  }

  /** Attributes and children of a complex element, through its end tag (of the children, those `select` names, when given). */
  private complexContent(tag: StartTag, meta: ComplexTypeMeta, obj: Record<string, unknown>, path: string, select: DecodeSelection | undefined): void {
    const r = this.reader;
    for (const a of tag.attrs) {
      if (a.ns !== '') continue; // xsi:type / xsi:nil (anything else was refused by element())
      const am = attributeMeta(meta, a.local) ?? r.fail(`unknown attribute ${a.qname} on ${meta.name}`, tag.offset, path);
      obj[a.local] = this.scalar(builtinOf(this.schema, am.t), a.value, `${path}@${a.local}`, tag.offset);
    }
    const saved = this.next;
    this.next = r.nextChild(tag, path);
    // Once the children run out, the members left are all absent: nothing to walk for them.
    for (const step of decodePlan(meta.content)) {
      if (this.next === null) break;
      this.particle(step, obj, tag, path, select);
    }
    if (this.next) {
      const child = this.next;
      const known = meta.content.some((p) => particleKeys(p).has(child.local));
      r.fail(
        child.ns !== ''
          ? `element ${child.qname} is in namespace ${child.ns}; OCI-P elements are in no namespace`
          : known
            ? `element <${child.qname}> is out of order or repeated too often in ${meta.name}`
            : `unknown element <${child.qname}> in ${meta.name}`,
        child.offset,
        path,
      );
    }
    r.finishElement(tag, path);
    this.next = saved;
  }

  private particle(step: DecodeStep, obj: Record<string, unknown>, parent: StartTag, path: string, select: DecodeSelection | undefined): void {
    switch (step.kind) {
      case StepKind.Element: {
        // Most members of a type are absent from a document: settle that before anything else.
        const name = step.name;
        if (this.next === null || this.next.local !== name) return;
        const many = step.many;
        // What to build of this member: nothing (not named), part of it (a selection object), or everything.
        const wanted: unknown = select === undefined ? true : select[name];
        const part = typeof wanted === 'object' && wanted !== null ? (wanted as DecodeSelection | TableSelection) : undefined;
        let list: unknown[] | undefined;
        const r = this.reader;
        for (let count = 0; count < step.max && this.next !== null && this.next.local === name && this.next.ns === ''; count++) {
          const tag = this.next;
          // The member's path (`Type.member[2]`) names it in errors; the usual simple member, read
          // and taken without one, never builds it.
          if (!wanted) {
            if (!r.trySkipSimple(tag)) r.skipChecked(tag, memberPath(path, name, many, count));
          } else {
            let value: unknown;
            // The usual member, a simple value without attributes, skips element()'s checks, which
            // all concern attributes (foreign ones, xsi:type, xsi:nil) or complex content.
            if (tag.attrs.length === 0 && this.simpleBuiltin(step) !== '') {
              const text = r.tryTextAndFinish(tag);
              if (text === undefined) value = this.simpleValue(step.simple, tag, memberPath(path, name, many, count));
              else {
                value = this.scalar(step.simple, text, undefined, tag.offset);
                if (value === INVALID) this.scalar(step.simple, text, memberPath(path, name, many, count), tag.offset);
              }
            } else value = this.element(step.type, step.nillable, tag, memberPath(path, name, many, count), part);
            if (many) (list ??= []).push(value);
            else obj[name] = value;
          }
          this.next = r.nextChild(parent, path);
        }
        if (list) obj[name] = list;
        return;
      }
      case StepKind.Sequence:
        for (const child of step.children) {
          if (this.next === null) break;
          this.particle(child, obj, parent, path, select);
        }
        return;
      case StepKind.RepeatingChoice: {
        // The items' members are selected under the list's name; a list left out is read with nothing selected.
        const wanted: unknown = select === undefined ? true : select[step.name];
        const itemSelect = !wanted ? NOTHING : typeof wanted !== 'object' || Array.isArray(wanted) ? undefined : (wanted as DecodeSelection);
        const items: Record<string, unknown>[] = [];
        for (let count = 0; count < step.max; count++) {
          const branch = this.pickBranch(step);
          if (!branch) break;
          const item: Record<string, unknown> = {};
          this.particle(branch, item, parent, `${path}.${step.name}[${count}]`, itemSelect);
          items.push(item);
        }
        if (items.length > 0 && wanted) obj[step.name] = items;
        return;
      }
      case StepKind.Choice: {
        const branch = this.pickBranch(step);
        if (branch) this.particle(branch, obj, parent, path, select);
      }
    }
  }

  /** The built-in of an element step's simple type in this schema ('' for complex types and xs:anyType), resolved once per schema. */
  private simpleBuiltin(step: DecodeStep): string {
    if (step.simpleFor !== this.schema) {
      step.simple = step.type === 'xs:anyType' ? '' : (this.schema.simpleType(step.type)?.builtin ?? '');
      step.simpleFor = this.schema;
    }
    return step.simple;
  }

  /** A simple value's text, through its end tag, as its built-in's value. */
  private simpleValue(builtin: string, tag: StartTag, path: string): unknown {
    return this.scalar(builtin, this.reader.readTextAndFinish(tag, path), path, tag.offset);
  }

  private pickBranch(choice: DecodeStep): DecodeStep | undefined {
    const next = this.next;
    if (!next || next.ns !== '') return undefined;
    return choice.branches.get(next.local);
  }
}
