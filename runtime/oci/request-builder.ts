/**
 * Builds an OCI-P request from flat field assignments — `address.city=Paris`, `alias[1]=…`,
 * repeated keys, JSON values, nil — the way a command line, a CSV row or a web form gives them.
 * Every value is coerced by its field's schema type, never guessed; every problem is collected
 * with the path (and the CLI argument or CSV column) it came from, so a front end can report
 * all of them at once. The front ends (CLI, bulk engine, Web CLI) share this one builder.
 *
 * Paths: dot-separated element (or attribute) names with optional `[n]` on list elements:
 * `address.city`, `alias[1]`, `contact[2].name`. Indices are ordering keys (sparse allowed;
 * the list is compacted in ascending order). A list path without an index appends; a nested
 * path into a list without an index fills the last item, or starts a new one when that item
 * already has the field. `x.$type=Concrete` picks the concrete type of an abstract element.
 */
import { FLOAT_BUILTINS, INTEGER_BUILTINS, INTEGER_RANGES, NUMERIC_BUILTINS } from './builtins.js';
import { OciUnknownTypeError } from './errors.js';
import type { AttributeMeta, ComplexTypeMeta, ElementMeta, Facets, Particle } from './meta.js';
import { nearestNames, type ResolvedRequestName, resolveRequestName, suggestFieldNames } from './names.js';
import { ThorsHammerError } from '../errors.js';
import { EncodedCommand, encodeCommand, lexical } from './codec.js';
import {
  type ContentMember,
  choiceProp,
  derivesFrom,
  findMember,
  isArrayElement,
  isRepeatingChoice,
  type OciSchema,
  particleKeys,
  type SimpleTypeInfo,
} from './schema.js';
import { SimpleElementCheck, collectIssues } from './validate.js';
import { escapeText } from './xml/escape.js';
import { type OciCommand, isPlainObject } from './values.js';

/** A value as a front end received it: text to coerce by the field's type, a JSON value, or nil. */
export type FieldValue = { kind: 'text'; text: string } | { kind: 'json'; value: unknown } | { kind: 'nil' };

/** One `path = value` pair; `source` (a CLI argument, a CSV column) is quoted in messages. */
export interface FieldAssignment {
  path: string;
  value: FieldValue;
  source?: string;
}

/** One step of a path: an element or attribute name, and an optional list position. */
export interface PathStep {
  name: string;
  index?: number;
}

/** Stable codes of {@link BuildIssue}s. */
export type BuildIssueCode =
  | 'bad-path'
  | 'unknown-field'
  | 'not-a-list'
  | 'not-a-structure'
  | 'structure-needs-members'
  | 'bad-boolean'
  | 'bad-number'
  | 'bad-enumeration'
  | 'bad-value'
  | 'not-nillable'
  | 'duplicate'
  | 'abstract-type'
  | 'unknown-type'
  | 'choice-conflict'
  | 'required'
  | 'invalid';

/** A problem with one field; `path` is the user's path (`address.city`), `source` where it came from. */
export interface BuildIssue {
  path: string;
  source?: string;
  code: BuildIssueCode;
  message: string;
  suggestions?: string[];
}

export interface BuildOptions {
  /** Skip missing-required checks (Modify-style partial rows). Default false. */
  skipRequired?: boolean;
  /** Run the schema validator (facets, occurrences, choices) on the result. Default true. */
  validate?: boolean;
}

/** The built command (as complete as the assignments allowed) and every problem found. */
export interface BuildResult {
  command: OciCommand;
  issues: BuildIssue[];
  /** {@link RequestPlan}: the command already encoded, when its shape has a template. */
  encoded?: EncodedCommand;
  /** {@link RequestPlan} with `json`, beside `encoded`: `JSON.stringify(json(command))`. */
  json?: string;
}

export interface RequestPlanOptions {
  /**
   * Also give each encoded command as JSON text, `JSON.stringify(json(command))`, written from a
   * template per shape. `json` may look at the command's keys and at which values are null
   * (masking secret fields does), never at other values, and must not change the command.
   */
  json?: (command: OciCommand) => unknown;
}

/** A request that could not be built: `issues` lists every problem (TH_ERR_OCI_BUILD). */
export class OciRequestBuildError extends ThorsHammerError {
  readonly issues: BuildIssue[];
  readonly typeName: string;
  constructor(typeName: string, issues: BuildIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super('TH_ERR_OCI_BUILD', first ? `${typeName}: ${formatBuildIssue(first)}${more}` : `${typeName}: cannot build`, { context: { typeName, issues } });
    this.typeName = typeName;
    this.issues = issues;
  }
}

/** One line for an issue: `address.city (from city=…): longer than 80; did you mean …?` */
export function formatBuildIssue(issue: BuildIssue): string {
  const from = issue.source !== undefined && issue.source !== issue.path ? ` (${issue.source})` : '';
  const hint = issue.suggestions && issue.suggestions.length > 0 ? `; did you mean ${issue.suggestions.join(', ')}?` : '';
  return `${issue.path || '(request)'}${from}: ${issue.message}${hint}`;
}

/** Parses `a.b[2].c` into steps; throws {@link OciPathError} when the path breaks the grammar. */
export function parsePath(path: string): PathStep[] {
  const parsed = tryParsePath(path);
  if (typeof parsed === 'string') throw new OciPathError(path, parsed);
  return parsed;
}

/** A path that does not follow the grammar (TH_ERR_OCI_PATH). */
export class OciPathError extends ThorsHammerError {
  constructor(path: string, reason: string) {
    super('TH_ERR_OCI_PATH', `bad field path '${path}': ${reason}`, { context: { path } });
  }
}

/** A parsed path and the user's spelling of each of its prefixes (`a`, `a.b[2]`, `a.b[2].c`). */
interface ParsedPath {
  readonly steps: readonly PathStep[];
  readonly prefixes: readonly string[];
}

/**
 * Parsed paths by their text. A bulk run assigns the same few column paths on every row, so
 * each is parsed once; the cache is emptied when it grows past a bound (free-form input).
 */
const parsedPaths = new Map<string, ParsedPath | string>();
const PARSED_PATHS_LIMIT = 4096;

function parsedPath(path: string): ParsedPath | string {
  let parsed = parsedPaths.get(path);
  if (parsed === undefined) {
    const steps = tryParsePath(path);
    parsed = typeof steps === 'string' ? steps : { steps, prefixes: steps.map((_, i) => joinPath(steps.slice(0, i + 1))) };
    if (parsedPaths.size >= PARSED_PATHS_LIMIT) parsedPaths.clear();
    parsedPaths.set(path, parsed);
  }
  return parsed;
}

function tryParsePath(path: string): PathStep[] | string {
  if (path === '') return 'empty path';
  const steps: PathStep[] = [];
  for (const part of path.split('.')) {
    const m = /^([A-Za-z_$][\w$-]*)(?:\[(\d+)\])?$/.exec(part);
    if (!m) return part === '' ? 'empty step (two dots, or a dot at an end)' : `'${part}' is not a name with an optional [index]`;
    steps.push(m[2] === undefined ? { name: m[1]! } : { name: m[1]!, index: Number(m[2]) });
  }
  return steps;
}

/**
 * Parses one command-line field in HTTPie's convention: `key=value` is text (coerced by the
 * field's type); `key:=json` is a raw JSON value (`title:=null` → nil, `alias:='["a","b"]'` → a
 * list). Throws {@link OciFieldArgumentError} for anything else.
 */
export function parseCliAssignment(arg: string): FieldAssignment {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new OciFieldArgumentError(arg, 'expected key=value (text) or key:=json (a JSON value, e.g. title:=null to clear)');
  if (arg[eq - 1] === ':') {
    const path = arg.slice(0, eq - 1);
    if (path === '') throw new OciFieldArgumentError(arg, 'the key is empty');
    const raw = arg.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new OciFieldArgumentError(arg, `the value after := is not JSON (${(error as Error).message.replace(/\s+/g, ' ')}); use key=value for text`);
    }
    return { path, value: { kind: 'json', value }, source: arg };
  }
  return { path: arg.slice(0, eq), value: { kind: 'text', text: arg.slice(eq + 1) }, source: arg };
}

/** A command-line field that is neither `key=value` nor `key:=json` (TH_ERR_OCI_FIELD_ARG). */
export class OciFieldArgumentError extends ThorsHammerError {
  constructor(arg: string, reason: string) {
    super('TH_ERR_OCI_FIELD_ARG', `field '${arg}': ${reason}`, { context: { arg } });
  }
}

/**
 * Builds a request of `typeName` (a class, a family or `Family@latest`: see names.ts) from
 * assignments. Never throws for field problems: they are all in `issues`. Throws
 * OciUnknownTypeError for an unknown request name and OciTypeNotLoadedError when the type's
 * module is not loaded (`await schema.ensure(type)` first, or use {@link prepareRequestType}).
 */
export function buildRequest(schema: OciSchema, typeName: string, assignments: readonly FieldAssignment[], options: BuildOptions = {}): BuildResult {
  const type = resolveRequestName(schema, typeName).type;
  const meta = schema.complexType(type);
  const builder = new Builder(schema);
  const root = builder.rootNode(meta);
  // `$type` assignments first, so that an abstract element's members resolve whatever the order.
  const ordered = assignments.some((a) => isTypePath(a.path))
    ? [...assignments].sort((a, b) => Number(isTypePath(b.path)) - Number(isTypePath(a.path)))
    : assignments;
  for (const assignment of ordered) builder.assign(root, assignment);
  const command = builder.materialize(root, '', false, false, { $type: type }) as OciCommand;
  const issues = builder.issues;
  if (options.validate !== false && !issues.some((i) => i.code === 'abstract-type')) {
    const found = collectIssues(schema, command);
    if (found.length > 0) builder.materialize(root, '', true);
    const reportedPaths = new Set(issues.map((i) => i.path));
    for (const issue of found) {
      const code = validatorCode(issue.message);
      if (options.skipRequired && code === 'required') continue;
      const path = issue.path.startsWith(`${type}.`) ? issue.path.slice(type.length + 1) : issue.path === type ? '' : issue.path;
      const origin = builder.originOf(path);
      // A member the builder already reported (a bad value left unset …) is not reported twice.
      if (reportedPaths.has(origin?.path ?? path)) continue;
      issues.push({ path: origin?.path ?? path, ...(origin?.source !== undefined ? { source: origin.source } : {}), code, message: issue.message });
    }
  }
  return { command, issues };
}

/**
 * Builds many requests of one type from rows of assignments whose paths repeat (a sheet's
 * columns, a form's fields). Each path is resolved against the schema once; a path naming
 * single (non-list) elements down to one of a simple type is a direct route. A row whose
 * assignments all take direct routes with text or nil values, each path once, is built straight
 * into the command (values coerced by the builder's own rules) and validated. Every other row,
 * and every row with a problem (a value that does not coerce, a validator issue), goes through
 * {@link buildRequest}: the result, issues included, is always what `buildRequest` gives.
 *
 * Rows of one shape (the same routes in the same order, each value nil, empty or not) have the
 * same structure, so once a row of a shape has passed the whole validator, the next rows of
 * that shape only have their values checked ({@link SimpleElementCheck}: the validator's own
 * rules), and their `<command>` element is written from a template the encoder made for the
 * shape ({@link EncodedCommand}): the values, in the encoder's lexical form and escaping, go
 * between the template's pieces. A shape whose validity could depend on its values (a choice
 * whose branches share members: the validator then tries them in turn) is validated whole on
 * every row and encoded by the client, as before.
 */
export class RequestPlan {
  readonly type: string;
  private readonly meta: ComplexTypeMeta;
  private readonly routes = new Map<string, Route | null>();
  /** Coerces values by the builder's rules; an issue it records means "take the generic path". */
  private readonly coercer: Builder;
  private readonly valueCheck: SimpleElementCheck;
  private row = 0;
  /** The last direct row: its routes and coerced values, in assignment order (reused from row to row). */
  private readonly leafRoutes: Route[] = [];
  private readonly leafValues: unknown[] = [];
  private leafCount = 0;
  /** Shapes, as a tree keyed per leaf by route and kind of value. */
  private readonly shapes: ShapeNode = { next: new Map(), template: undefined };
  /** Rows built along direct routes, and rows given to the generic builder (for diagnostics and tests). */
  readonly counts = { direct: 0, generic: 0 };

  constructor(
    private readonly schema: OciSchema,
    typeName: string,
    private readonly options: RequestPlanOptions = {},
  ) {
    this.type = resolveRequestName(schema, typeName).type;
    this.meta = schema.complexType(this.type);
    this.coercer = new Builder(schema);
    this.valueCheck = new SimpleElementCheck(schema);
  }

  /**
   * What `buildRequest(schema, type, assignments)` returns (default options); for a valid row
   * of a shape already seen, also the command encoded (`encoded`), unless `encode` is false
   * (rows that will not be sent).
   */
  build(assignments: readonly FieldAssignment[], encode = true): BuildResult {
    const direct = this.direct(assignments);
    if (direct !== undefined) {
      const shape = this.shape();
      const template = shape.template;
      if (template ? this.valuesPass() : this.learn(shape, direct)) {
        this.counts.direct++;
        if (!template || !encode) return { command: direct, issues: [] };
        const encoded = new EncodedCommand(direct, this.encode(template));
        return template.json ? { command: direct, issues: [], encoded, json: this.json(template.json) } : { command: direct, issues: [], encoded };
      }
    }
    this.counts.generic++;
    return buildRequest(this.schema, this.type, assignments);
  }

  /** The command built along direct routes, or undefined when the row needs the generic builder. */
  private direct(assignments: readonly FieldAssignment[]): OciCommand | undefined {
    if (this.meta.abstract) return undefined;
    const row = ++this.row;
    const out: Record<string, unknown> = { $type: this.type };
    this.leafCount = 0;
    for (const assignment of assignments) {
      const route = this.route(assignment.path);
      // A path given twice: the builder reports it.
      if (route === null || route.row === row) return undefined;
      route.row = row;
      const value = assignment.value;
      if (value.kind === 'json') return undefined;
      let coerced: unknown;
      if (value.kind === 'text' && route.keepsText) coerced = value.text;
      else {
        const result = this.coercer.simpleValue(route.typeKey, value, route.nillable, assignment.path, assignment.source, route.info);
        if (result === undefined) {
          this.coercer.issues.length = 0;
          return undefined;
        }
        coerced = result.value;
      }
      // Structures are made on first use, in assignment order, as the builder makes its nodes.
      let target = out;
      for (const name of route.parents) {
        let child = target[name] as Record<string, unknown> | undefined;
        if (child === undefined) {
          child = {};
          target[name] = child;
        }
        target = child;
      }
      target[route.leaf] = coerced;
      this.leafRoutes[this.leafCount] = route;
      this.leafValues[this.leafCount++] = coerced;
    }
    return out as OciCommand;
  }

  /** The shape of the last direct row (created on first sight). */
  private shape(): ShapeNode {
    let node = this.shapes;
    for (let k = 0; k < this.leafCount; k++) {
      const key = (this.leafRoutes[k] as Route).id * 3 + valueKind(this.leafValues[k]);
      let next = node.next.get(key);
      if (next === undefined) {
        next = { next: new Map(), template: undefined };
        node.next.set(key, next);
      }
      node = next;
    }
    return node;
  }

  /** The last direct row's values against their elements' types (its shape's structure is known to be valid). */
  private valuesPass(): boolean {
    for (let k = 0; k < this.leafCount; k++) {
      const route = this.leafRoutes[k] as Route;
      if (!this.valueCheck.passes(route.element, this.leafValues[k], route.info)) return false;
    }
    return true;
  }

  /**
   * A row of a shape without a template: validated whole. The first valid row of a shape whose
   * validity cannot depend on its values gives the shape its template. True when valid.
   */
  private learn(shape: ShapeNode, command: OciCommand): boolean {
    if (collectIssues(this.schema, command).length > 0) return false;
    if (shape.template === undefined) shape.template = this.valueIndependent() ? this.makeTemplate() : null;
    return true;
  }

  /** True when no choice on the way to the last row's leaves has branches that share a member (see {@link chooseBranch}). */
  private valueIndependent(): boolean {
    if (!choicesDisjoint(this.meta.content)) return false;
    for (let k = 0; k < this.leafCount; k++) for (const content of (this.leafRoutes[k] as Route).contents) if (!choicesDisjoint(content)) return false;
    return true;
  }

  /**
   * The encoder's `<command>` element for the last row's shape, cut where the values go: the
   * command is encoded once with a marker (private-use characters, written as they are) in
   * place of each value that is not nil or empty.
   */
  private makeTemplate(): Template {
    const markers: Record<string, unknown> = { $type: this.type };
    for (let k = 0; k < this.leafCount; k++) {
      const route = this.leafRoutes[k] as Route;
      const value = this.leafValues[k];
      let target = markers;
      for (const name of route.parents) {
        target[name] ??= {};
        target = target[name] as Record<string, unknown>;
      }
      target[route.leaf] = valueKind(value) === VALUE ? `${MARKER_OPEN}${k}${MARKER_CLOSE}` : value;
    }
    const xml = cut(encodeCommand(this.schema, markers as OciCommand), MARKER);
    const json = this.options.json ? cut(JSON.stringify(this.options.json(markers as OciCommand)), JSON_MARKER) : undefined;
    return {
      ...xml,
      builtins: xml.slots.map((k) => (this.leafRoutes[k] as Route).info.builtin),
      paths: this.leafRoutes.slice(0, this.leafCount).map((r) => r.leaf),
      json,
    };
  }

  /** The last row's JSON text (see {@link RequestPlanOptions.json}). */
  private json(template: Cut): string {
    const { pieces, slots } = template;
    let text = pieces[0] as string;
    for (let s = 0; s < slots.length; s++) text += jsonValue(this.leafValues[slots[s] as number]) + (pieces[s + 1] as string);
    return text;
  }

  /** The last row's `<command>` element: its values, as the encoder writes them, between the template's pieces. */
  private encode(template: Template): string {
    const { pieces, slots, builtins, paths } = template;
    let xml = pieces[0] as string;
    for (let s = 0; s < slots.length; s++) {
      const k = slots[s] as number;
      const value = this.leafValues[k];
      // A string that passed the validator holds no character XML forbids: it is its own lexical form.
      xml += escapeText(typeof value === 'string' ? value : lexical(builtins[s] as string, value, paths[k] as string)) + (pieces[s + 1] as string);
    }
    return xml;
  }

  private route(path: string): Route | null {
    let route = this.routes.get(path);
    if (route === undefined) {
      route = this.resolveRoute(path);
      this.routes.set(path, route);
    }
    return route;
  }

  /** A direct route for `path`, or null (a list, an attribute, a choice item, `$type`, a flag, an abstract or unknown member …). */
  private resolveRoute(path: string): Route | null {
    const parsed = parsedPath(path);
    if (typeof parsed === 'string') return null;
    let content = this.meta.content;
    let attrs: readonly AttributeMeta[] = this.meta.attrs ?? [];
    const names: string[] = [];
    const contents: (readonly Particle[])[] = [];
    for (let i = 0; i < parsed.steps.length; i++) {
      const step = parsed.steps[i] as PathStep;
      if (step.name === '$type' || step.index !== undefined) return null;
      const member = findMember(content, attrs, step.name);
      if (member?.kind !== 'element' || isArrayElement(member.element)) return null;
      const element = member.element;
      const info = this.schema.simpleType(element.t);
      if (i === parsed.steps.length - 1) {
        if (info === undefined || element.t === 'xs:anyType') return null;
        return {
          id: this.routes.size,
          parents: names,
          contents,
          leaf: step.name,
          element,
          info,
          keepsText: keepsText(info),
          typeKey: element.t,
          nillable: element.nil === true,
          row: 0,
        };
      }
      if (info !== undefined) return null;
      const declared = this.schema.complexType(element.t);
      if (declared.abstract) return null;
      names.push(step.name);
      content = declared.content;
      contents.push(content);
      attrs = declared.attrs ?? [];
    }
    return null;
  }
}

/** A direct route of {@link RequestPlan}: the structures on the way, the element, and its simple type. */
interface Route {
  /** Unique within its plan. */
  readonly id: number;
  readonly parents: readonly string[];
  /** The content of each structure on the way. */
  readonly contents: readonly (readonly Particle[])[];
  readonly leaf: string;
  readonly element: ElementMeta;
  readonly info: SimpleTypeInfo;
  /** Text values of this type are taken as they are ({@link keepsText}). */
  readonly keepsText: boolean;
  readonly typeKey: string;
  readonly nillable: boolean;
  /** The last row that assigned this path (a second assignment in one row is a duplicate). */
  row: number;
}

/** One shape of row; `template` is undefined until a row of it validates, null when its rows are always validated whole. */
interface ShapeNode {
  readonly next: Map<number, ShapeNode>;
  template: Template | null | undefined;
}

/** A text cut where the values go: `pieces[0] value(slots[0]) pieces[1] …`. */
interface Cut {
  readonly pieces: readonly string[];
  /** Per value slot, in text order: the row's leaf (assignment order) it takes. */
  readonly slots: readonly number[];
}

/** A shape's `<command>` element, cut where the values go. */
interface Template extends Cut {
  /** Per slot: the built-in whose lexical form is written. */
  readonly builtins: readonly string[];
  /** Per leaf: its element name (for the encoder's messages). */
  readonly paths: readonly string[];
  /** The shape's JSON text (see {@link RequestPlanOptions.json}), cut where the values go. */
  readonly json: Cut | undefined;
}

/** `text` cut at each marker; the marker's number is the slot's leaf. */
function cut(text: string, marker: RegExp): Cut {
  const pieces: string[] = [];
  const slots: number[] = [];
  text.split(marker).forEach((part, i) => {
    if (i % 2 === 0) pieces.push(part);
    else slots.push(Number(part));
  });
  return { pieces, slots };
}

/** Kinds of coerced value that a shape tells apart: the encoder writes each differently. */
const VALUE = 0;
const NIL = 1;
const EMPTY = 2;

function valueKind(value: unknown): number {
  return value === null ? NIL : value === '' ? EMPTY : VALUE;
}

const MARKER_OPEN = '\uE000';
const MARKER_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/;
/** A marker as JSON writes it (a string: private-use characters are not escaped). */
const JSON_MARKER = /"\uE000(\d+)\uE001"/;

/** Characters JSON.stringify writes otherwise than as themselves (quote, backslash, controls) or checks (surrogates). */
const JSON_SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(value)`; a string with nothing to escape is only quoted. */
function jsonValue(value: unknown): string {
  return typeof value === 'string' && !JSON_SPECIAL.test(value) ? `"${value}"` : (JSON.stringify(value) as string);
}

const disjointChoices = new WeakMap<readonly Particle[], boolean>();

/** True when every choice in `content` (nested sequences and choices included) has branches that share no member. */
function choicesDisjoint(content: readonly Particle[]): boolean {
  let known = disjointChoices.get(content);
  if (known === undefined) {
    const disjoint = (p: Particle): boolean => {
      if ('n' in p) return true;
      if ('seq' in p) return p.seq.every(disjoint);
      const seen = new Set<string>();
      for (const branch of p.choice) {
        for (const key of particleKeys(branch)) {
          if (seen.has(key)) return false;
          seen.add(key);
        }
      }
      return p.choice.every(disjoint);
    };
    known = content.every(disjoint);
    disjointChoices.set(content, known);
  }
  return known;
}

/** Like {@link buildRequest}, but throws {@link OciRequestBuildError} (carrying every issue) when there is any. */
export function buildRequestOrThrow(schema: OciSchema, typeName: string, assignments: readonly FieldAssignment[], options: BuildOptions = {}): OciCommand {
  const { command, issues } = buildRequest(schema, typeName, assignments, options);
  if (issues.length > 0) throw new OciRequestBuildError(command.$type, issues);
  return command;
}

/** Resolves a request name and loads its modules (and its response's), ready for {@link buildRequest}. */
export async function prepareRequestType(schema: OciSchema, typeName: string): Promise<ResolvedRequestName> {
  const resolved = resolveRequestName(schema, typeName);
  await schema.ensure(resolved.type);
  const meta = schema.complexType(resolved.type);
  if (meta.role !== 'request') throw new OciUnknownTypeError(typeName, schema.release, `${resolved.type} is not a request`);
  await schema.ensure(schema.responseTypeOf(resolved.type));
  return { ...resolved, deprecated: meta.deprecated === true };
}

/** A member a path may name: its name and what it holds (for completion and help). */
export interface FieldMember {
  name: string;
  /** `value`: a simple value; `structure`: members below (`name.…`); `flag`: present or absent. */
  holds: 'value' | 'structure' | 'flag';
  /** True when it repeats (`name[n]`, or a repeated key). */
  list: boolean;
  /** True for an attribute (`echo`). */
  attribute: boolean;
}

/**
 * The members a path may name below a request type, one level at a time: the elements and
 * attributes of `typeName`, or of the element `path` leads to (`address`, `contact[0]`).
 * Types must be loaded.
 */
export function fieldMembers(schema: OciSchema, typeName: string, path = ''): FieldMember[] {
  let content: readonly Particle[] = schema.complexType(typeName).content;
  let attrs: readonly AttributeMeta[] = schema.complexType(typeName).attrs ?? [];
  for (const step of path === '' ? [] : parsePath(path)) {
    const member = findMember(content, attrs, step.name);
    if (!member || member.kind === 'attribute') return [];
    if (member.kind === 'choice') {
      content = member.choice.choice;
      attrs = [];
      continue;
    }
    const t = member.element.t;
    if (t.startsWith('xs:') || schema.type(t).kind !== 'complex') return [];
    const meta = schema.complexType(t);
    content = meta.content;
    attrs = meta.attrs ?? [];
  }
  return memberNames(content, attrs).map((name) => {
    const member = findMember(content, attrs, name)!;
    if (member.kind === 'attribute') return { name, holds: 'value', list: false, attribute: true };
    if (member.kind === 'choice') return { name, holds: 'structure', list: true, attribute: false };
    const e = member.element;
    const holds = e.t === 'xs:anyType' ? 'flag' : isSimpleElement(schema, e) ? 'value' : 'structure';
    return { name, holds, list: isArrayElement(e), attribute: false };
  });
}

/** The names of {@link fieldMembers}. */
export function fieldNames(schema: OciSchema, typeName: string, path = ''): string[] {
  return fieldMembers(schema, typeName, path).map((m) => m.name);
}

// ---------------------------------------------------------------------------------------

function isTypePath(path: string): boolean {
  return path === '$type' || path.endsWith('.$type');
}

function validatorCode(message: string): BuildIssueCode {
  if (message === 'required' || message === 'required attribute' || /^one of .* is required$/.test(message) || /^required \(at least /.test(message))
    return 'required';
  if (message.startsWith('only one of ')) return 'choice-conflict';
  return 'invalid';
}

function memberNames(content: readonly Particle[], attrs: readonly AttributeMeta[]): string[] {
  const out: string[] = attrs.map((a) => a.n);
  const walk = (particles: readonly Particle[]): void => {
    for (const p of particles) {
      if ('n' in p) out.push(p.n);
      else if ('choice' in p && isRepeatingChoice(p)) out.push(choiceProp(p));
      else walk('choice' in p ? p.choice : p.seq);
    }
  };
  walk(content);
  return [...new Set(out)];
}

/** A complex value being built: a type's members (or a repeating choice item's branches). */
interface Node {
  /** Declared type key (or `Owner.prop` for a repeating choice item), for messages. */
  readonly label: string;
  /** The declared complex type (undefined for a repeating choice item). */
  readonly declared?: ComplexTypeMeta;
  /** The concrete type when `$type` chose a subtype. */
  actual?: ComplexTypeMeta;
  content: readonly Particle[];
  attrs: readonly AttributeMeta[];
  readonly fields: Map<string, Slot>;
  /** User path of this node ('' for the request). */
  readonly path: string;
}

type Leaf = { kind: 'value'; value: unknown; path: string; source?: string };
type Slot = Leaf | { kind: 'node'; node: Node } | { kind: 'list'; items: Map<number, Leaf | { kind: 'node'; node: Node }>; next: number };

class Builder {
  readonly issues: BuildIssue[] = [];
  /** Final (compacted) path → the user's path and source, to map validator issues back. */
  readonly origins = new Map<string, { path: string; source?: string }>();
  /** Nodes already reported abstract (made on first report: most builds have none). */
  private abstractReported: Set<Node> | undefined;

  constructor(private readonly schema: OciSchema) {}

  rootNode(meta: ComplexTypeMeta): Node {
    return { label: meta.name, declared: meta, content: meta.content, attrs: meta.attrs ?? [], fields: new Map(), path: '' };
  }

  private issue(code: BuildIssueCode, path: string, source: string | undefined, message: string, suggestions?: string[]): void {
    this.issues.push({ path, ...(source !== undefined ? { source } : {}), code, message, ...(suggestions && suggestions.length > 0 ? { suggestions } : {}) });
  }

  assign(root: Node, assignment: FieldAssignment): void {
    const { source } = assignment;
    const parsed = parsedPath(assignment.path);
    if (typeof parsed === 'string') {
      this.issue('bad-path', assignment.path, source, parsed);
      return;
    }
    const { steps, prefixes } = parsed;
    let node = root;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const userPath = prefixes[i]!;
      const last = i === steps.length - 1;
      if (step.name === '$type') {
        if (!last || step.index !== undefined) return this.issue('bad-path', assignment.path, source, '$type must be the last step of a path');
        return this.setType(node, assignment.value, userPath, source);
      }
      if (node.declared?.abstract && !node.actual) return this.abstractIssue(node);
      const member = findMember(node.content, node.attrs, step.name);
      if (!member) {
        return this.issue(
          'unknown-field',
          userPath,
          source,
          `${node.actual?.name ?? node.label} has no member '${step.name}'`,
          suggestFieldNames(memberNames(node.content, node.attrs), step.name),
        );
      }
      if (member.kind === 'attribute') {
        if (!last) return this.issue('not-a-structure', userPath, source, `'${step.name}' is an attribute; it has no members`);
        if (step.index !== undefined) return this.issue('not-a-list', userPath, source, `'${step.name}' is a single value, not a list`);
        return this.setLeaf(node, step.name, { kind: 'value', value: undefined, path: userPath, source }, () =>
          this.simpleValue(member.attribute.t, assignment.value, false, userPath, source),
        );
      }
      const list = member.kind === 'choice' || isArrayElement(member.element);
      if (step.index !== undefined && !list) return this.issue('not-a-list', userPath, source, `'${step.name}' occurs once; drop the [${step.index}]`);
      if (last) return this.assignValue(node, member, step, assignment.value, userPath, source);
      const child = this.childNode(node, member, step, steps.slice(i + 1), userPath, source);
      if (!child) return;
      node = child;
    }
  }

  /** `x.$type=Concrete`: the concrete type of an abstract (or extensible) element. */
  private setType(node: Node, value: FieldValue, path: string, source: string | undefined): void {
    const name = value.kind === 'text' ? value.text.trim() : value.kind === 'json' && typeof value.value === 'string' ? value.value : undefined;
    if (name === undefined) return this.issue('bad-value', path, source, '$type takes a type name');
    if (!node.declared) return this.issue('bad-path', path, source, 'a choice item has no $type');
    if (node.path === '') {
      if (name !== node.declared.name)
        this.issue('bad-value', path, source, `the request type is ${node.declared.name}; give another type as the command, not as $type`);
      return;
    }
    this.chooseType(node, name, path, source);
  }

  private chooseType(node: Node, name: string, path: string, source: string | undefined): boolean {
    const declared = node.declared!;
    const subtypes = declared.subtypes ?? [];
    if (!this.schema.has(name) || !this.schema.isLoaded(name) || this.schema.type(name).kind !== 'complex' || !derivesFrom(this.schema, name, declared.name)) {
      const candidates = subtypes.length > 0 ? subtypes : [declared.name];
      this.issue('unknown-type', path, source, `'${name}' is not a ${declared.name}`, suggestFieldNames(candidates, name));
      return false;
    }
    if (node.actual && node.actual.name !== name) {
      this.issue('duplicate', path, source, `$type is already ${node.actual.name}`);
      return false;
    }
    const actual = this.schema.complexType(name);
    if (actual.abstract) {
      this.issue('abstract-type', path, source, `${name} is abstract: choose one of ${subtypes.join(', ')}`, subtypes.slice(0, 5));
      return false;
    }
    node.actual = actual;
    node.content = actual.content;
    node.attrs = actual.attrs ?? [];
    return true;
  }

  /** The node an intermediate step leads to, created on first use. */
  private childNode(node: Node, member: ContentMember, step: PathStep, rest: readonly PathStep[], path: string, source: string | undefined): Node | undefined {
    if (member.kind === 'attribute') return undefined;
    if (member.kind === 'element' && !isArrayElement(member.element)) {
      const slot = node.fields.get(step.name);
      if (slot?.kind === 'node') return slot.node;
      if (slot) {
        this.issue(
          'duplicate',
          path,
          source,
          `'${step.name}' is already set to a value (${slot.kind === 'value' && slot.value === null ? 'nil' : 'given whole'})`,
        );
        return undefined;
      }
      const created = this.newNode(node, member, path, source);
      if (created) node.fields.set(step.name, { kind: 'node', node: created });
      return created;
    }
    const list = this.listSlot(node, step.name, path, source);
    if (!list) return undefined;
    let key = step.index;
    if (key === undefined) {
      // No index: fill the last item, unless it already has what this path sets.
      const lastKey = list.items.size > 0 ? Math.max(...list.items.keys()) : undefined;
      const lastItem = lastKey === undefined ? undefined : list.items.get(lastKey);
      if (lastItem?.kind === 'node' && !hasPath(lastItem.node, rest)) return lastItem.node;
      key = list.next;
    }
    const existing = list.items.get(key);
    if (existing?.kind === 'node') return existing.node;
    if (existing) {
      this.issue('duplicate', path, source, `'${path}' is already set to a value`);
      return undefined;
    }
    const created = this.newNode(node, member, path, source);
    if (created) {
      list.items.set(key, { kind: 'node', node: created });
      list.next = Math.max(list.next, key + 1);
    }
    return created;
  }

  private newNode(parent: Node, member: ContentMember, path: string, source: string | undefined): Node | undefined {
    if (member.kind === 'choice') {
      return { label: `${parent.actual?.name ?? parent.label}.${member.prop}`, content: member.choice.choice, attrs: [], fields: new Map(), path };
    }
    if (member.kind !== 'element') return undefined;
    const t = member.element.t;
    if (t.startsWith('xs:') || this.schema.type(t).kind !== 'complex') {
      this.issue('not-a-structure', path, source, `'${member.element.n}' is a single value (${t}); it has no members`);
      return undefined;
    }
    const declared = this.schema.complexType(t);
    return { label: declared.name, declared, content: declared.content, attrs: declared.attrs ?? [], fields: new Map(), path };
  }

  private listSlot(node: Node, name: string, path: string, source: string | undefined): Extract<Slot, { kind: 'list' }> | undefined {
    const slot = node.fields.get(name);
    if (slot?.kind === 'list') return slot;
    if (slot) {
      this.issue('duplicate', path, source, `'${name}' is already set whole`);
      return undefined;
    }
    const created: Extract<Slot, { kind: 'list' }> = { kind: 'list', items: new Map(), next: 0 };
    node.fields.set(name, created);
    return created;
  }

  /** A value at the end of a path: a simple value, a nil, a whole structure (JSON object) or a whole list (JSON array). */
  private assignValue(node: Node, member: ContentMember, step: PathStep, value: FieldValue, path: string, source: string | undefined): void {
    if (member.kind === 'attribute') return;
    const isList = member.kind === 'choice' || isArrayElement(member.element);
    if (isList && value.kind === 'json' && Array.isArray(value.value)) {
      if (step.index !== undefined) return this.issue('bad-value', path, source, 'a JSON array fills the whole list; drop the index');
      for (const item of value.value) this.assignValue(node, member, step, { kind: 'json', value: item }, path, source);
      return;
    }
    if (isList) {
      const list = this.listSlot(node, step.name, path, source);
      if (!list) return;
      const key = step.index ?? list.next;
      if (list.items.has(key)) return this.issue('duplicate', path, source, `'${path}' is set twice`);
      const item = this.itemValue(node, member, value, step.index === undefined ? `${path}[${key}]` : path, source);
      if (item === undefined) return;
      list.items.set(key, item);
      list.next = Math.max(list.next, key + 1);
      return;
    }
    if (node.fields.has(step.name)) return this.issue('duplicate', path, source, `'${path}' is set twice`);
    const item = this.itemValue(node, member, value, path, source);
    if (item !== undefined) node.fields.set(step.name, item);
  }

  /** One element value (one list item, or the single value). */
  private itemValue(
    node: Node,
    member: ContentMember,
    value: FieldValue,
    path: string,
    source: string | undefined,
  ): Leaf | { kind: 'node'; node: Node } | undefined {
    if (member.kind === 'attribute') return undefined;
    if (member.kind === 'choice' || !isSimpleElement(this.schema, member.element)) {
      const nillable = member.kind === 'element' && member.element.nil === true;
      if (value.kind === 'nil' || (value.kind === 'json' && value.value === null)) {
        if (!nillable) return void this.issue('not-nillable', path, source, `'${lastName(path)}' cannot be nil`);
        return { kind: 'value', value: null, path, source };
      }
      if (value.kind === 'json' && isPlainObject(value.value)) {
        const child = this.newNode(node, member, path, source);
        if (!child) return undefined;
        this.assignObject(child, value.value, path, source);
        return { kind: 'node', node: child };
      }
      const what = member.kind === 'choice' ? `a choice item (${memberNames(member.choice.choice, []).join(' | ')})` : `a structure (${member.element.t})`;
      this.issue(
        'structure-needs-members',
        path,
        source,
        `'${lastName(path)}' is ${what}: set its members with dotted paths (${path}.…) or give a JSON object`,
      );
      return undefined;
    }
    const element = member.element;
    if (element.t === 'xs:anyType') return this.flagValue(value, element, path, source);
    const coerced = this.simpleValue(element.t, value, element.nil === true, path, source);
    return coerced === undefined ? undefined : { kind: 'value', value: coerced.value, path, source };
  }

  /** The members of a JSON object, assigned one by one (its `$type` first). */
  private assignObject(node: Node, object: Record<string, unknown>, path: string, source: string | undefined): void {
    if (object.$type !== undefined) {
      if (typeof object.$type !== 'string') this.issue('bad-value', `${path}.$type`, source, '$type takes a type name');
      else if (node.declared && !this.chooseType(node, object.$type, `${path}.$type`, source)) return;
    }
    for (const [key, child] of Object.entries(object)) {
      if (key === '$type' || child === undefined) continue;
      const member = findMember(node.content, node.attrs, key);
      const childPath = `${path}.${key}`;
      if (!member) {
        this.issue(
          'unknown-field',
          childPath,
          source,
          `${node.actual?.name ?? node.label} has no member '${key}'`,
          suggestFieldNames(memberNames(node.content, node.attrs), key),
        );
        continue;
      }
      const value: FieldValue = { kind: 'json', value: child };
      if (member.kind === 'attribute') {
        const coerced = this.simpleValue(member.attribute.t, value, false, childPath, source);
        if (coerced !== undefined) node.fields.set(key, { kind: 'value', value: coerced.value, path: childPath, source });
        continue;
      }
      this.assignValue(node, member, { name: key }, value, childPath, source);
    }
  }

  private flagValue(value: FieldValue, element: ElementMeta, path: string, source: string | undefined): Leaf | undefined {
    if (value.kind === 'nil' || (value.kind === 'json' && value.value === null)) {
      if (!element.nil) return void this.issue('not-nillable', path, source, `'${element.n}' cannot be nil`);
      return { kind: 'value', value: null, path, source };
    }
    const flag = value.kind === 'json' ? (typeof value.value === 'boolean' ? value.value : undefined) : BOOLEAN_WORDS[value.text.trim().toLowerCase()];
    if (flag === undefined) return void this.issue('bad-boolean', path, source, `'${element.n}' is a flag: give true (present) or false (absent)`);
    return flag ? { kind: 'value', value: true, path, source } : undefined;
  }

  /**
   * Coerces a value to a simple type: text by the type's built-in and facets, JSON scalars
   * checked against it. Returns undefined after recording an issue.
   */
  simpleValue(
    typeKey: string,
    value: FieldValue,
    nillable: boolean,
    path: string,
    source: string | undefined,
    simpleInfo?: SimpleTypeInfo,
  ): { value: unknown } | undefined {
    if (value.kind === 'nil' || (value.kind === 'json' && value.value === null)) {
      if (!nillable) return void this.issue('not-nillable', path, source, `'${lastName(path)}' cannot be nil`);
      return { value: null };
    }
    if (value.kind === 'json' && (typeof value.value === 'object' || value.value === undefined)) {
      this.issue('bad-value', path, source, `'${lastName(path)}' takes a single value, not ${Array.isArray(value.value) ? 'a list' : 'an object'}`);
      return undefined;
    }
    const info = simpleInfo ?? this.schema.simpleType(typeKey);
    const builtin = info?.builtin ?? typeKey;
    const facets: Facets | undefined = info?.facets;
    const scalar = value.kind === 'json' ? (value.value as string | number | boolean) : value.text;

    if (builtin === 'xs:boolean') {
      const b = typeof scalar === 'boolean' ? scalar : typeof scalar === 'string' ? BOOLEAN_WORDS[scalar.trim().toLowerCase()] : undefined;
      if (b === undefined)
        return void this.issue('bad-boolean', path, source, `'${lastName(path)}' is a boolean: use true/false, yes/no or 1/0, not '${String(scalar)}'`);
      return { value: b };
    }
    if (NUMERIC_BUILTINS.has(builtin)) {
      const n = typeof scalar === 'number' ? scalar : typeof scalar === 'string' ? parseNumber(builtin, scalar.trim()) : undefined;
      if (n === undefined || (!FLOAT_BUILTINS.has(builtin) && !Number.isFinite(n))) {
        return void this.issue('bad-number', path, source, `'${lastName(path)}' is ${numberKind(builtin)}, not '${String(scalar)}'`);
      }
      if (INTEGER_BUILTINS.has(builtin)) {
        const range = INTEGER_RANGES[builtin]!;
        if (!Number.isInteger(n)) return void this.issue('bad-number', path, source, `'${lastName(path)}' is ${numberKind(builtin)}, not ${n}`);
        if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
          return void this.issue('bad-number', path, source, `${n} is outside the ${builtin} range`);
        }
      }
      return { value: n };
    }
    if (typeof scalar === 'boolean') return void this.issue('bad-value', path, source, `'${lastName(path)}' is text (${typeKey}), not a boolean`);
    // Numbers given as JSON for a text field are taken in their JSON spelling.
    const text = typeof scalar === 'number' ? String(scalar) : scalar;
    // Text of a type without an enumeration comes back as it is (RequestPlan relies on it: keepsText).
    if (facets?.enumeration) {
      const wanted = text.trim().toLowerCase();
      const match = facets.enumeration.find((e) => e.toLowerCase() === wanted);
      if (match === undefined) {
        const list = facets.enumeration.length > 12 ? `${facets.enumeration.slice(0, 12).join(', ')}, …` : facets.enumeration.join(', ');
        return void this.issue('bad-enumeration', path, source, `'${text}' is not one of: ${list}`, nearestNames(facets.enumeration, text, 3));
      }
      return { value: match };
    }
    return { value: text };
  }

  /** Sets a single leaf once. */
  private setLeaf(node: Node, name: string, leaf: Leaf, coerce: () => { value: unknown } | undefined): void {
    if (node.fields.has(name)) return this.issue('duplicate', leaf.path, leaf.source, `'${leaf.path}' is set twice`);
    const coerced = coerce();
    if (coerced !== undefined) node.fields.set(name, { ...leaf, value: coerced.value });
  }

  /**
   * The user's path (and source) behind a final path: the leaf's own, else the nearest
   * enclosing structure's path followed by the rest (`a[0].b` → `a.b` when `a` was given unindexed).
   */
  originOf(path: string): { path: string; source?: string } | undefined {
    const exact = this.origins.get(path);
    if (exact) return exact;
    for (let cut = path.length; cut > 0; cut--) {
      if (path[cut] !== '.' && path[cut] !== '[') continue;
      const parent = this.origins.get(path.slice(0, cut));
      if (parent) return { path: `${parent.path}${path.slice(cut).replace(/^\[\d+\]/, '')}` };
    }
    return undefined;
  }

  /** Reports once per node that an abstract element needs its `$type`. */
  private abstractIssue(node: Node): void {
    this.abstractReported ??= new Set();
    if (this.abstractReported.has(node)) return;
    this.abstractReported.add(node);
    const declared = node.declared!;
    const subtypes = declared.subtypes ?? [];
    this.issue(
      'abstract-type',
      node.path,
      undefined,
      `${declared.name} is abstract: set ${node.path}.$type to one of ${subtypes.join(', ')}`,
      subtypes.slice(0, 5),
    );
  }

  /**
   * The plain-object value of a node. With `origins` on, it also records final path → user
   * path for issue mapping; that is only needed when the validator reports something, so the
   * common, valid case skips the path strings.
   */
  materialize(node: Node, prefix: string, origins = false, nested = false, out: Record<string, unknown> = {}): Record<string, unknown> {
    if (node.declared?.abstract && !node.actual) this.abstractIssue(node);
    if (node.actual && node.declared && node.actual !== node.declared && nested) out.$type = node.actual.name;
    for (const [name, slot] of node.fields) {
      const path = origins ? (prefix === '' ? name : `${prefix}.${name}`) : '';
      if (slot.kind === 'list') {
        const keys = [...slot.items.keys()].sort((a, b) => a - b);
        out[name] = keys.map((k, i) => this.slotValue(slot.items.get(k)!, origins ? `${path}[${i}]` : '', origins));
      } else out[name] = this.slotValue(slot, path, origins);
    }
    return out;
  }

  private slotValue(slot: Leaf | { kind: 'node'; node: Node }, path: string, origins: boolean): unknown {
    if (slot.kind === 'node') {
      if (origins) this.origins.set(path, { path: slot.node.path });
      return this.materialize(slot.node, path, origins, true);
    }
    if (origins) this.origins.set(path, { path: slot.path, ...(slot.source !== undefined ? { source: slot.source } : {}) });
    return slot.value;
  }
}

/**
 * True when {@link Builder.simpleValue} gives a text value of this type back unchanged: not a
 * boolean, not a number, no enumeration to match.
 */
function keepsText(info: SimpleTypeInfo): boolean {
  return info.builtin !== 'xs:boolean' && !NUMERIC_BUILTINS.has(info.builtin) && info.facets?.enumeration === undefined;
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const FLOAT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(builtin: string, text: string): number | undefined {
  if (INTEGER_BUILTINS.has(builtin)) return INTEGER_TEXT.test(text) ? Number(text) : undefined;
  if (FLOAT_BUILTINS.has(builtin)) {
    if (text === 'INF' || text === '+INF') return Number.POSITIVE_INFINITY;
    if (text === '-INF') return Number.NEGATIVE_INFINITY;
    if (text === 'NaN') return Number.NaN;
    return FLOAT_TEXT.test(text) ? Number(text) : undefined;
  }
  return DECIMAL_TEXT.test(text) ? Number(text) : undefined;
}

function numberKind(builtin: string): string {
  if (INTEGER_BUILTINS.has(builtin)) return `an integer (${builtin})`;
  return `a number (${builtin})`;
}

function isSimpleElement(schema: OciSchema, e: ElementMeta): boolean {
  return schema.simpleType(e.t) !== undefined;
}

function joinPath(steps: readonly PathStep[]): string {
  return steps.map((s) => (s.index === undefined ? s.name : `${s.name}[${s.index}]`)).join('.');
}

function lastName(path: string): string {
  const dot = path.lastIndexOf('.');
  return path.slice(dot + 1).replace(/\[\d+\]$/, '');
}

/** True when the node already holds a value (or a node) at every step of `steps`. */
function hasPath(node: Node, steps: readonly PathStep[]): boolean {
  const [first, ...rest] = steps;
  if (!first) return true;
  const slot = node.fields.get(first.name);
  if (!slot) return false;
  if (slot.kind === 'value') return true;
  if (slot.kind === 'node') return hasPath(slot.node, rest);
  // A list below: an indexed step checks that item; an unindexed one is never "already set".
  if (first.index === undefined) return false;
  const item = slot.items.get(first.index);
  if (!item) return false;
  return item.kind === 'value' ? true : hasPath(item.node, rest);
}
