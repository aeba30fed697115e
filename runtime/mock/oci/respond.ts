import type { OciCommand } from '../../oci/codec.js';
import type { ComplexTypeMeta, ElementMeta, Particle } from '../../oci/meta.js';
import { sampleValue } from '../../oci/sample.js';
import { type OciSchema, TABLE_TYPE } from '../../oci/schema.js';
import { collectIssues } from '../../oci/validate.js';
import { projectElementValue } from '../../oci/project.js';
import { type Fields, fastRecord } from './model.js';

/**
 * Builds a schema-valid data response of any version from stored values: a synthesised
 * instance of the response type (sampleValue) is the template for required members the store
 * does not have; stored values (keyed by XML element name) replace template members of the
 * same name; optional members the store does not have are left out; a choice takes the branch
 * the stored values name. Whatever a stored value breaks (it came from another version of the
 * command, or from a seed file) is reverted to the template, so the answer always validates.
 */
export class ResponseBuilder {
  private readonly templates = new Map<string, Record<string, unknown>>();
  private readonly built = new Map<string, OciCommand>();
  private readonly plans = new Map<string, ResponsePlan>();
  /** Per response type, how its answers fare in `built` (see build). */
  private readonly repeats = new Map<string, { misses: number; uncachedLeft: number }>();
  /** Answers by response type and key, with the state generation they were built in (see buildShared). */
  private readonly shared = new Map<string, { generation: number; response: OciCommand }>();

  constructor(
    private readonly schema: OciSchema,
    private readonly onRevert?: (responseType: string, issues: { path: string; message: string }[]) => void,
  ) {}

  /** A deterministic synthesised instance of `typeKey` (cached; treat as read-only). */
  template(typeKey: string): Record<string, unknown> {
    let template = this.templates.get(typeKey);
    if (!template) {
      // A few seeds are tried, so that an unlucky synthesised value (one the validator refuses) is never served.
      const seed = seedOf(typeKey);
      // Plausible values first (a real language and time zone, first enumeration values, …);
      // should they not validate, random ones.
      for (let attempt = 0; attempt < 9; attempt++) {
        const options = attempt === 0 ? { seed, realistic: true } : { seed: seed + attempt };
        template = { ...(sampleValue(this.schema, typeKey, options) as Record<string, unknown>), $type: typeKey };
        if (collectIssues(this.schema, template as OciCommand).length === 0) break;
      }
      this.templates.set(typeKey, template as Record<string, unknown>);
    }
    return template as Record<string, unknown>;
  }

  /** The response of type `responseType` carrying `values` wherever the type has an element of that name. */
  build(responseType: string, values: Fields): OciCommand {
    // Answers are cached by content: a repeated Get of an unchanged object skips overlay and
    // validation. The key costs a JSON text of the values, so a type whose answers keep missing
    // (a Get of each of 5,000 users, a large table) is built without one for a while.
    let repeats = this.repeats.get(responseType);
    if (!repeats) this.repeats.set(responseType, (repeats = { misses: 0, uncachedLeft: 0 }));
    if (repeats.uncachedLeft > 0) {
      repeats.uncachedLeft--;
      return this.buildUncached(responseType, values);
    }
    const key = `${responseType}\u0000${JSON.stringify(values)}`;
    const cached = this.built.get(key);
    if (cached) {
      repeats.misses = 0;
      return cached;
    }
    if (++repeats.misses >= missesBeforeUncached) {
      repeats.misses = 0;
      repeats.uncachedLeft = uncachedBuilds;
    }
    const response = this.buildUncached(responseType, values);
    if (this.built.size >= 2000) this.built.delete(this.built.keys().next().value as string);
    this.built.set(key, response);
    return response;
  }

  /** The answer `build()` gives, reused while `generation` (the state's) is the one it was built in. */
  buildShared(responseType: string, key: string, generation: number, build: () => OciCommand): OciCommand {
    const sharedKey = `${responseType}\u0000${key}`;
    const found = this.shared.get(sharedKey);
    if (found && found.generation === generation) return found.response;
    const response = build();
    if (!found && this.shared.size >= 1000) this.shared.delete(this.shared.keys().next().value as string);
    this.shared.set(sharedKey, { generation, response });
    return response;
  }

  /** What build needs of a response type, worked out once: its template and the members whose values may need pruning. */
  private plan(responseType: string): ResponsePlan {
    let plan = this.plans.get(responseType);
    if (!plan) {
      const meta = this.schema.type(responseType) as ComplexTypeMeta;
      plan = { meta, template: this.template(responseType), pruned: prunedElements(this.schema, meta.content) };
      this.plans.set(responseType, plan);
    }
    return plan;
  }

  private buildUncached(responseType: string, values: Fields): OciCommand {
    const { meta, template, pruned } = this.plan(responseType);
    // Started empty, not as `{ $type }`: V8 keeps an object that gains many members one by one in
    // its fast form only up to a point, and the answer is copied (echo), validated and encoded.
    let out: Record<string, unknown> = {};
    out.$type = responseType;
    overlay(meta.content, template, values, out);
    // A stored structure from another version (a profile with a password, an endpoint with more
    // flags) keeps the members this version has, instead of being reverted whole.
    for (const element of pruned) if (out[element.n] !== undefined) out[element.n] = projectElementValue(this.schema, element, out[element.n]);
    // Beyond about 20 members even that is not enough: one rebuild in a single step keeps it fast.
    out = fastRecord(out);
    for (let round = 0; round < 4; round++) {
      const issues = collectIssues(this.schema, out as OciCommand);
      if (issues.length === 0) return out as OciCommand;
      this.onRevert?.(responseType, issues);
      if (round === 3) break;
      for (const issue of issues) revert(meta.content, topLevelKey(issue.path), template, out);
    }
    return { ...template } as OciCommand;
  }
}

/** Misses in a row after which a response type is built without a cache key, and for how many builds. */
const missesBeforeUncached = 64;
const uncachedBuilds = 1024;

/** A response type's metadata, template, and the elements (at any depth of its sequences and choices) whose values are complex. */
interface ResponsePlan {
  readonly meta: ComplexTypeMeta;
  readonly template: Record<string, unknown>;
  readonly pruned: readonly ElementMeta[];
}

/** The elements projectElementValue can change: complex types other than tables (a repeating choice's property is left as it is). */
function prunedElements(schema: OciSchema, particles: readonly Particle[]): ElementMeta[] {
  const out: ElementMeta[] = [];
  for (const particle of particles) {
    if ('n' in particle) {
      if (particle.t.startsWith('xs:') || !schema.has(particle.t)) continue;
      const declared = schema.type(particle.t);
      if (declared.kind === 'complex' && declared.name !== TABLE_TYPE) out.push(particle);
    } else if ('seq' in particle) out.push(...prunedElements(schema, particle.seq));
    else if (!particle.prop) out.push(...prunedElements(schema, particle.choice));
  }
  return out;
}

/** A stable 31-bit seed per type name, so synthesised answers are the same on every run. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) & 0x7fffffff;
}

function overlay(particles: readonly Particle[], template: Record<string, unknown>, values: Fields, out: Record<string, unknown>): void {
  for (const particle of particles) {
    if ('n' in particle) {
      const name = particle.n;
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value !== undefined && value !== null) out[name] = value;
      else if ((particle.min ?? 1) > 0 && template[name] !== undefined) out[name] = template[name];
    } else if ('seq' in particle) {
      overlay(particle.seq, template, values, out);
    } else if (particle.prop) {
      // A repeating choice lives in one synthetic property.
      const value = values[particle.prop];
      if (value !== undefined && value !== null) out[particle.prop] = value;
      else if ((particle.min ?? 1) > 0 && template[particle.prop] !== undefined) out[particle.prop] = template[particle.prop];
    } else {
      const stored = particle.choice.find((branch) => memberNames(branch).some((n) => values[n] !== undefined && values[n] !== null));
      if (stored) overlay([stored], template, values, out);
      else if ((particle.min ?? 1) > 0) {
        const fromTemplate = particle.choice.find((branch) => memberNames(branch).some((n) => template[n] !== undefined));
        if (fromTemplate) overlay([fromTemplate], template, {}, out);
      }
    }
  }
}

/** Puts the template's member(s) back for one top-level key; for a choice, the whole choice. */
function revert(particles: readonly Particle[], key: string | undefined, template: Record<string, unknown>, out: Record<string, unknown>): void {
  if (!key) return;
  const owner = findOwner(particles, key);
  const names = owner ? memberNames(owner) : [key];
  for (const name of names) {
    if (template[name] !== undefined) out[name] = template[name];
    else delete out[name];
  }
}

/** The top-level choice containing `key`, or the element itself. */
function findOwner(particles: readonly Particle[], key: string): Particle | undefined {
  for (const particle of particles) {
    if ('n' in particle) {
      if (particle.n === key) return particle;
    } else if ('seq' in particle) {
      const found = findOwner(particle.seq, key);
      if (found) return found;
    } else if (particle.prop === key || memberNames(particle).includes(key)) {
      return particle;
    }
  }
  return undefined;
}

const memberNamesCache = new WeakMap<Particle, readonly string[]>();

/** Every property name a particle can set on its parent object (worked out once per particle; do not change the array). */
export function memberNames(particle: Particle): readonly string[] {
  let names = memberNamesCache.get(particle);
  if (!names) {
    if ('n' in particle) names = [particle.n];
    else if ('seq' in particle) names = particle.seq.flatMap(memberNames);
    else if (particle.prop) names = [particle.prop];
    else names = particle.choice.flatMap(memberNames);
    memberNamesCache.set(particle, names);
  }
  return names;
}

/** `UserGetResponse23V2.address.city` → `address`; `X.alias[1]` → `alias`. */
function topLevelKey(path: string): string | undefined {
  const rest = path.split('.').slice(1).join('.');
  const match = /^([^.[\]]+)/.exec(rest);
  return match?.[1];
}

/** Characters XML 1.0 cannot carry at all, not even as a character reference. */
const NOT_XML = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/**
 * `text` with every character XML 1.0 cannot carry (control characters, lone surrogates,
 * U+FFFE/U+FFFF) written as a visible `\uXXXX` escape. The mock quotes what clients send (the
 * sessionId, an echo, a bad command in a 6004 detail): quoting it verbatim would make the answer
 * itself unencodable.
 */
export function xmlSafe(text: string): string {
  NOT_XML.lastIndex = 0;
  if (!NOT_XML.test(text)) return text;
  return text.replace(NOT_XML, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const COMMAND_OPEN = '<command ';
const COMMAND_CLOSE = '</command>';
const DETAIL_OPEN = '<detail>';
const DETAIL_CLOSE = '</detail>';
const ERROR_RESPONSE_TYPE = 'xsi:type="c:ErrorResponse"';

/**
 * Real servers send ErrorResponse details as CDATA (oci-protocol.md §4.4); the encoder escapes
 * text, so the details are rewritten as CDATA sections (kept escaped when they hold character
 * references, which CDATA cannot carry). One pass over the encoder's output: only `<command …>`
 * start tags are looked at (text and attribute values cannot hold `<`), so a hostile sessionId
 * repeating the ErrorResponse type costs nothing extra.
 */
export function detailsAsCdata(document: string): string {
  if (!document.includes(DETAIL_OPEN)) return document;
  const parts: string[] = [];
  let copied = 0;
  let pos = 0;
  for (;;) {
    const start = document.indexOf(COMMAND_OPEN, pos);
    if (start < 0) break;
    const tagEnd = startTagEnd(document, start);
    if (tagEnd < 0) break;
    if (document[tagEnd - 2] === '/') {
      pos = tagEnd; // <command …/>: no content
      continue;
    }
    const end = document.indexOf(COMMAND_CLOSE, tagEnd);
    if (end < 0) break;
    pos = end + COMMAND_CLOSE.length;
    if (!document.slice(start, tagEnd).includes(ERROR_RESPONSE_TYPE)) continue;
    const open = document.indexOf(DETAIL_OPEN, tagEnd);
    if (open < 0 || open > end) continue;
    const close = document.lastIndexOf(DETAIL_CLOSE, end);
    if (close < open) continue;
    const inner = document.slice(open + DETAIL_OPEN.length, close);
    if (inner.includes('&#')) continue;
    const text = inner.replace(/&lt;|&gt;|&quot;|&apos;|&amp;/g, (entity) => ENTITIES[entity]!);
    parts.push(document.slice(copied, open), DETAIL_OPEN, '<![CDATA[', text.replace(/]]>/g, ']]]]><![CDATA[>'), ']]>');
    copied = close;
  }
  if (parts.length === 0) return document;
  parts.push(document.slice(copied));
  return parts.join('');
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };

/** The offset just past the `>` of the start tag at `start` (quoted attribute values may hold `>`), or -1. */
function startTagEnd(text: string, start: number): number {
  let quote = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return -1;
}
