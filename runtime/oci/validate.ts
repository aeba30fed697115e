/**
 * Client-side schema validation of commands in the plain-object form: required members,
 * occurrences, choices (exactly one branch), nil only where nillable, abstract types,
 * JavaScript types per built-in, and the facets of simple types (lengths, ranges,
 * enumerations, patterns). Each issue names its path, so most `[Error 6004] OCI XML Request
 * validation error` round trips never happen.
 */
import { INTEGER_RANGES } from './builtins.js';
import { type OciIssue, OciValidationError } from './errors.js';
import type { ChoiceMeta, ComplexTypeMeta, ElementMeta, Facets, Particle } from './meta.js';
import {
  allowedKeys,
  choiceProp,
  contentSteps,
  derivesFrom,
  INTEGER_BUILTINS,
  isArrayElement,
  isOptional,
  isRepeatingChoice,
  NUMERIC_BUILTINS,
  type OciSchema,
  particleKeys,
  particlePresent,
  type SimpleTypeInfo,
} from './schema.js';
import { findInvalidXmlChar } from './xml/escape.js';
import { requireTypeName } from './names.js';
import type { OciCommand } from './values.js';
import { codePointLength } from './xml/text.js';

/** Validates one command; throws {@link OciValidationError} (first issue's path and message, all issues in `.issues`). */
export function validateCommand(schema: OciSchema, command: OciCommand): void {
  const issues = collectIssues(schema, command);
  if (issues.length > 0) throw new OciValidationError(issues);
}

/** Every schema issue of one command, in document order (empty when valid). Unknown `$type` throws OciUnknownTypeError. */
export function collectIssues(schema: OciSchema, command: OciCommand): OciIssue[] {
  const issues: OciIssue[] = [];
  if (typeof command !== 'object' || command === null || Array.isArray(command)) {
    return [{ path: '(command)', message: 'a command must be an object with $type' }];
  }
  if (typeof command.$type !== 'string') return [{ path: '(command)', message: '$type is required (the request or response type name)' }];
  const meta = schema.complexType(requireTypeName(schema, command.$type));
  if (meta.abstract) issues.push({ path: command.$type, message: `${command.$type} is abstract` });
  new Validator(schema, issues).complex(meta, command, command.$type);
  return issues;
}

/** Validates a simple value against a simple type key or built-in; returns the issue messages. For tools and the mock. */
export function checkSimpleValue(schema: OciSchema, typeKey: string, value: unknown, path: string): OciIssue[] {
  const issues: OciIssue[] = [];
  new Validator(schema, issues).simple(typeKey, value, path);
  return issues;
}

/**
 * Checks values of simple-typed elements one at a time, with exactly the rules
 * {@link collectIssues} applies to such an element (nil, fixed value, built-in, facets), but
 * without messages: a caller whose value fails takes the full path for them. For request plans
 * that validate a row's structure once per shape and then only its values.
 */
export class SimpleElementCheck {
  private readonly issues: OciIssue[] = [];
  private readonly validator: Validator;

  constructor(schema: OciSchema) {
    this.validator = new Validator(schema, this.issues);
  }

  /** True when `value` passes; `info` is `schema.simpleType(element.t)`, looked up once by the caller. */
  passes(element: ElementMeta, value: unknown, info: SimpleTypeInfo): boolean {
    this.validator.value(element, value, '', info);
    if (this.issues.length === 0) return true;
    this.issues.length = 0;
    return false;
  }
}

const LEXICAL: Record<string, RegExp> = {
  'xs:date': /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?$/,
  'xs:dateTime': /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/,
  'xs:NMTOKEN': /^[-.:\w\u00b7\u00c0-\uffff]+$/,
  'xs:base64Binary': /^(?:[A-Za-z0-9+/] ?)*(?:=\s?){0,2}$/,
};

const patternCache = new Map<string, RegExp>();

/** Compiles an XSD pattern (implicitly anchored) to a JavaScript RegExp. */
export function xsdPattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const js = pattern.replace(/\\i/g, '[A-Za-z_:]').replace(/\\c/g, '[-.\\w:]');
    re = new RegExp(`^(?:${js})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

/** XSD whiteSpace="collapse"; most values have nothing to collapse, so they are checked before any regex runs. */
function collapseWhitespace(value: string): string {
  const last = value.length - 1;
  let clean = true;
  for (let i = 0; i <= last; i++) {
    const c = value.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c === 32 && (i === 0 || i === last || value.charCodeAt(i + 1) === 32))) {
      clean = false;
      break;
    }
  }
  return clean ? value : value.replace(/[\t\n\r ]+/g, ' ').trim();
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Validator {
  constructor(
    private readonly schema: OciSchema,
    private readonly issues: OciIssue[],
  ) {}

  private issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  complex(meta: ComplexTypeMeta, obj: Record<string, unknown>, path: string): void {
    for (const a of meta.attrs ?? []) {
      const v = obj[a.n];
      if (v === undefined) {
        if (a.req) this.issue(`${path}.${a.n}`, 'required attribute');
      } else if (a.fixed !== undefined && String(v) !== a.fixed) this.issue(`${path}.${a.n}`, `must be ${a.fixed}`);
      else this.simple(a.t, v, `${path}.${a.n}`);
    }
    const allowed = allowedKeys(meta);
    for (const k of Object.keys(obj)) {
      if (allowed.has(k) || obj[k] === undefined) continue;
      this.issue(`${path}.${k}`, `unknown member of ${meta.name}`);
    }
    for (const step of contentSteps(meta.content)) {
      const element = step.element;
      if (element === undefined) this.particle(step.particle, obj, path, true);
      else {
        // As particle() does for a plain element: an absent optional member needs no check.
        const value = obj[step.name];
        if (value === undefined && step.min < 1) continue;
        this.element(element, value, `${path}.${step.name}`, true);
      }
    }
  }

  /** `required` is false inside an optional sequence none of whose members is present. */
  particle(p: Particle, obj: Record<string, unknown>, path: string, required: boolean): void {
    if ('n' in p) {
      const value = obj[p.n];
      // An absent optional member needs no check (and no path string).
      if (value === undefined && (!required || (p.min ?? 1) < 1)) return;
      this.element(p, value, `${path}.${p.n}`, required);
      return;
    }
    if ('seq' in p) {
      const seqRequired = required && (p.min ?? 1) >= 1;
      // An optional sequence that is partly present must be complete.
      const childrenRequired = seqRequired || particlePresent(p, obj);
      for (const c of p.seq) this.particle(c, obj, path, childrenRequired);
      return;
    }
    if (isRepeatingChoice(p)) {
      this.repeatingChoice(p, obj, path, required);
      return;
    }
    const { branch, conflict } = chooseBranch(this.schema, p, obj);
    if (conflict) {
      this.issue(
        path,
        `only one of ${branchNames(p)} may be set, got ${conflict.map((b) => [...particleKeys(b)].filter((k) => obj[k] !== undefined).join('+')).join(' and ')}`,
      );
      return;
    }
    if (!branch) {
      if (required && (p.min ?? 1) >= 1 && !isOptional(p)) this.issue(path, `one of ${branchNames(p)} is required`);
      return;
    }
    this.particle(branch, obj, path, true);
  }

  private repeatingChoice(p: ChoiceMeta, obj: Record<string, unknown>, path: string, required: boolean): void {
    const prop = choiceProp(p);
    const items = obj[prop];
    const min = p.min ?? 1;
    const max = p.max === -1 ? Number.POSITIVE_INFINITY : (p.max ?? 1);
    if (items === undefined) {
      if (required && min >= 1) this.issue(`${path}.${prop}`, `required (at least ${min} of ${branchNames(p)})`);
      return;
    }
    if (!Array.isArray(items)) {
      this.issue(`${path}.${prop}`, `expected an array, got ${typeName(items)}`);
      return;
    }
    if (items.length < min) this.issue(`${path}.${prop}`, `at least ${min} item${min > 1 ? 's' : ''} required, got ${items.length}`);
    if (items.length > max) this.issue(`${path}.${prop}`, `at most ${max} items allowed, got ${items.length}`);
    items.forEach((item, i) => {
      const itemPath = `${path}.${prop}[${i}]`;
      if (!isObject(item)) {
        this.issue(itemPath, `expected an object holding one of ${branchNames(p)}, got ${typeName(item)}`);
        return;
      }
      for (const k of Object.keys(item)) {
        if (item[k] !== undefined && !p.choice.some((b) => particleKeys(b).has(k))) this.issue(`${itemPath}.${k}`, 'unknown member');
      }
      const { branch } = chooseBranch(this.schema, p, item);
      if (!branch) this.issue(itemPath, `exactly one of ${branchNames(p)} must be set`);
      else this.particle(branch, item, itemPath, true);
    });
  }

  private element(e: ElementMeta, value: unknown, path: string, required: boolean): void {
    const min = e.min ?? 1;
    if (value === undefined) {
      if (required && min >= 1) this.issue(path, 'required');
      return;
    }
    if (isArrayElement(e)) {
      if (!Array.isArray(value)) {
        this.issue(path, `expected an array, got ${typeName(value)}`);
        return;
      }
      const max = e.max === -1 ? Number.POSITIVE_INFINITY : (e.max ?? 1);
      if (value.length < min) this.issue(path, `at least ${min} item${min > 1 ? 's' : ''} required, got ${value.length}`);
      if (value.length > max) this.issue(path, `at most ${max} items allowed, got ${value.length}`);
      value.forEach((item, i) => this.value(e, item, `${path}[${i}]`));
      return;
    }
    if (Array.isArray(value)) {
      this.issue(path, 'expected a single value, got an array');
      return;
    }
    this.value(e, value, path);
  }

  /** `simpleInfo`: the element's simple type when the caller already looked it up. */
  value(e: ElementMeta, value: unknown, path: string, simpleInfo?: SimpleTypeInfo): void {
    if (value === null) {
      if (!e.nil) this.issue(path, 'not nillable (null given)');
      return;
    }
    if (e.t === 'xs:anyType') {
      if (value !== true) this.issue(path, `a flag element takes true, got ${typeName(value)}`);
      return;
    }
    if (e.fixed !== undefined && value !== undefined && String(value) !== e.fixed) {
      this.issue(path, `must be ${e.fixed} (fixed)`);
      return;
    }
    const simple = simpleInfo ?? this.schema.simpleType(e.t);
    if (simple) {
      this.simple(e.t, value, path, e.nil === true, simple);
      return;
    }
    if (!isObject(value)) {
      this.issue(path, `expected an object (${e.t}), got ${typeName(value)}`);
      return;
    }
    const declared = this.schema.complexType(e.t);
    let actual = declared;
    const $type = value.$type;
    if ($type !== undefined && $type !== e.t) {
      if (typeof $type !== 'string' || !this.schema.has($type)) {
        this.issue(path, `unknown $type ${String($type)}`);
        return;
      }
      if (!derivesFrom(this.schema, $type, e.t)) {
        this.issue(path, `$type ${$type} is not a ${e.t}`);
        return;
      }
      actual = this.schema.complexType($type);
    }
    if (actual.abstract) {
      this.issue(path, `${e.t} is abstract: $type must name one of ${(declared.subtypes ?? []).join(', ')}`);
      return;
    }
    this.complex(actual, value, path);
  }

  simple(typeKey: string, value: unknown, path: string, nillable = false, info: SimpleTypeInfo | undefined = this.schema.simpleType(typeKey)): void {
    // The common case, plain text of a string type, is settled by one pass and precompiled checks.
    if (typeof value === 'string' && info !== undefined && this.plainText(info, value)) return;
    const builtin = info?.builtin ?? typeKey;
    const facets: Facets | undefined = info?.facets;
    if (builtin === 'xs:boolean') {
      if (typeof value !== 'boolean') this.issue(path, `expected a boolean, got ${typeName(value)}`);
      return;
    }
    if (NUMERIC_BUILTINS.has(builtin)) {
      // The JSON form of xs:float/xs:double specials (codec.ts ociJsonReplacer) is their lexical form.
      if ((builtin === 'xs:float' || builtin === 'xs:double') && (value === 'NaN' || value === 'INF' || value === '-INF')) return;
      if (typeof value !== 'number') {
        this.issue(path, `expected a number, got ${typeName(value)}`);
        return;
      }
      const float = builtin === 'xs:float' || builtin === 'xs:double';
      if (!float && !Number.isFinite(value)) return this.issue(path, `${value} is not a ${builtin} value`);
      if (INTEGER_BUILTINS.has(builtin) && !Number.isInteger(value)) return this.issue(path, `${value} is not an integer`);
      const range = INTEGER_RANGES[builtin];
      if (range && ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max))) {
        return this.issue(path, `${value} is outside the ${builtin} range`);
      }
      if (facets) this.numberFacets(facets, value, path);
      return;
    }
    if (typeof value !== 'string') {
      this.issue(path, `expected a string, got ${typeName(value)}`);
      return;
    }
    const bad = findInvalidXmlChar(value);
    if (bad !== -1) return this.issue(path, `character U+${value.charCodeAt(bad).toString(16).padStart(4, '0')} cannot be sent in XML`);
    const ws = facets?.whiteSpace ?? (builtin === 'xs:string' ? 'preserve' : builtin === 'xs:normalizedString' ? 'replace' : 'collapse');
    const normal = ws === 'collapse' ? collapseWhitespace(value) : ws === 'replace' ? value.replace(/[\t\n\r]/g, ' ') : value;
    const lexical = LEXICAL[builtin];
    if (lexical && !lexical.test(normal)) return this.issue(path, `'${clip(value)}' is not a valid ${builtin} value`);
    if (!facets) return;
    if (facets.enumeration && !facets.enumeration.includes(normal)) {
      const list = facets.enumeration.length > 12 ? `${facets.enumeration.slice(0, 12).join(', ')}, …` : facets.enumeration.join(', ');
      return this.issue(path, `'${clip(value)}' is not one of: ${list}`);
    }
    if (builtin !== 'xs:base64Binary') {
      // Counted in place: spreading a 50 MB value into code points would cost gigabytes.
      const length = codePointLength(normal);
      const clearHint = normal === '' && nillable ? '; use null (xsi:nil) to clear a value' : '';
      if (facets.length !== undefined && length !== facets.length) this.issue(path, `length must be ${facets.length}, got ${length}${clearHint}`);
      if (facets.minLength !== undefined && length < facets.minLength) this.issue(path, `shorter than ${facets.minLength}${clearHint}`);
      if (facets.maxLength !== undefined && length > facets.maxLength) this.issue(path, `longer than ${facets.maxLength}`);
    }
    for (const p of facets.pattern ?? []) {
      if (!xsdPattern(p).test(normal)) this.issue(path, `'${clip(value)}' does not match the pattern ${p}`);
    }
  }

  /**
   * Checks `value` of a string type in one pass when it is plain text: no character below U+0020
   * (tab and line breaks included), no surrogate or U+FFFE/U+FFFF, and, for a collapsing type, no
   * space at either end or next to another. Such text is its own normalised form and counts one
   * code point per unit, so the facets are checked on it directly. Returns true when the value
   * passed every check; false (nothing reported) when it needs {@link simple}'s full treatment,
   * which also reports any problem (so the messages have one source).
   */
  private plainText(info: SimpleTypeInfo, value: string): boolean {
    const plan = stringPlan(info);
    if (plan === undefined) return false;
    const last = value.length - 1;
    for (let i = 0; i <= last; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c >= 0xd800) return false;
      if (c === 0x20 && plan.collapse && (i === 0 || i === last || value.charCodeAt(i + 1) === 0x20)) return false;
    }
    if (plan.lexical && !plan.lexical.test(value)) return false;
    const facets = info.facets;
    if (!facets) return true;
    if (facets.enumeration && !facets.enumeration.includes(value)) return false;
    if (plan.countLength) {
      const length = value.length;
      if (facets.length !== undefined && length !== facets.length) return false;
      if (facets.minLength !== undefined && length < facets.minLength) return false;
      if (facets.maxLength !== undefined && length > facets.maxLength) return false;
    }
    for (const pattern of plan.patterns) if (!pattern.test(value)) return false;
    return true;
  }

  private numberFacets(f: Facets, value: number, path: string): void {
    if (f.enumeration && !f.enumeration.includes(String(value))) this.issue(path, `${value} is not one of: ${f.enumeration.join(', ')}`);
    if (f.minInclusive !== undefined && value < f.minInclusive) this.issue(path, `less than ${f.minInclusive}`);
    if (f.maxInclusive !== undefined && value > f.maxInclusive) this.issue(path, `greater than ${f.maxInclusive}`);
    if (f.minExclusive !== undefined && value <= f.minExclusive) this.issue(path, `not greater than ${f.minExclusive}`);
    if (f.maxExclusive !== undefined && value >= f.maxExclusive) this.issue(path, `not less than ${f.maxExclusive}`);
    for (const p of f.pattern ?? []) if (!xsdPattern(p).test(String(value))) this.issue(path, `${value} does not match the pattern ${p}`);
  }
}

/** What {@link Validator.plainText} needs of a string type, worked out once per type. */
interface StringPlan {
  readonly collapse: boolean;
  readonly lexical: RegExp | undefined;
  /** Length facets apply (not to xs:base64Binary). */
  readonly countLength: boolean;
  readonly patterns: readonly RegExp[];
}

const stringPlans = new WeakMap<SimpleTypeInfo, StringPlan | null>();

/** The plan of a string type (undefined for boolean and numeric types, which {@link Validator.simple} handles). */
function stringPlan(info: SimpleTypeInfo): StringPlan | undefined {
  let plan = stringPlans.get(info);
  if (plan === undefined) {
    const { builtin, facets } = info;
    if (builtin === 'xs:boolean' || NUMERIC_BUILTINS.has(builtin)) plan = null;
    else {
      const ws = facets?.whiteSpace ?? (builtin === 'xs:string' ? 'preserve' : builtin === 'xs:normalizedString' ? 'replace' : 'collapse');
      plan = {
        collapse: ws === 'collapse',
        lexical: LEXICAL[builtin],
        countLength: builtin !== 'xs:base64Binary',
        patterns: (facets?.pattern ?? []).map(xsdPattern),
      };
    }
    stringPlans.set(info, plan);
  }
  return plan ?? undefined;
}

/**
 * Finds the branch of a choice whose members an object holds. Branches may share member
 * names deeper inside (`userId` in two AuthenticationVerifyRequest branches), so a branch
 * must cover every choice member that is set; among several, the first that validates wins.
 * `conflict` lists the branches when members of several incompatible branches are set.
 */
export function chooseBranch(schema: OciSchema, p: ChoiceMeta, obj: Record<string, unknown>): { branch?: Particle; conflict?: Particle[] } {
  const present = p.choice.filter((b) => particlePresent(b, obj));
  if (present.length <= 1) return { branch: present[0] };
  const setKeys = new Set<string>();
  for (const b of present) for (const k of particleKeys(b)) if (obj[k] !== undefined) setKeys.add(k);
  const covering = present.filter((b) => [...setKeys].every((k) => particleKeys(b).has(k)));
  if (covering.length === 0) return { conflict: present };
  if (covering.length === 1) return { branch: covering[0] };
  for (const b of covering) {
    const scratch: OciIssue[] = [];
    new Validator(schema, scratch).particle(b, obj, '', true);
    if (scratch.length === 0) return { branch: b };
  }
  return { branch: covering[0] };
}

function branchNames(p: ChoiceMeta): string {
  return p.choice.map((b) => [...particleKeys(b)].join('+')).join(' | ');
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
