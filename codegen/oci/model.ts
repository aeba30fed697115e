/**
 * Stage 2 of the OCI-P generator: turns the raw declarations of `xsd-reader.ts` into the
 * runtime metadata of `runtime/oci/meta.ts` (one `TypeMeta` per named or anonymous type),
 * plus what the emitter needs beside it: documentation, request/response classification,
 * families and their latest versions.
 *
 * Classification is structural (oci-protocol.md §2.4): a request derives from `{C}OCIRequest`,
 * a data response from `{C}OCIDataResponse`; a type derived from either that is used as the
 * type of some element (`CallCenterAgentAvailability`, `CallCenterAgentSettings`) is a data
 * type. Requests pair with responses by name (§2.5); families and versions follow §2.7.
 */
import { ThorsHammerError } from '../../runtime/errors.js';
import { isNumericBuiltin, NUMERIC_BUILTINS } from '../../runtime/oci/builtins.js';
import { compareVersionKeys, pairedResponseName, parseCommandName, type VersionKey } from '../../runtime/oci/command-name.js';

export { compareVersionKeys, pairedResponseName, parseCommandName, type VersionKey };
import type {
  AttributeMeta,
  ChoiceMeta,
  ComplexTypeMeta,
  ElementMeta,
  Facets,
  Particle,
  SequenceMeta,
  SimpleTypeMeta,
  TypeMeta,
} from '../../runtime/oci/meta.js';
import { compareStrings } from '../common/writer.js';
import {
  NO_NS,
  type QName,
  type RawAttribute,
  type RawComplexType,
  type RawElement,
  type RawGroup,
  type RawParticle,
  type RawSimpleType,
  XS_NS,
  type XsdSet,
} from './xsd-reader.js';

/** The namespace of the core message types. */
export const CORE_NS = 'C';

const STRING_BUILTINS = new Set([
  'string',
  'normalizedString',
  'token',
  'NMTOKEN',
  'NMTOKENS',
  'Name',
  'NCName',
  'ID',
  'IDREF',
  'language',
  'anyURI',
  'QName',
  'dateTime',
  'date',
  'time',
  'duration',
  'gYear',
  'gYearMonth',
  'gMonth',
  'gMonthDay',
  'gDay',
  'base64Binary',
  'hexBinary',
]);

const ALL_BUILTINS = new Set([...[...NUMERIC_BUILTINS].map((b) => b.slice(3)), ...STRING_BUILTINS, 'boolean', 'anyType']);

export interface FamilyMember {
  readonly key: string;
  readonly version: string;
  readonly versionKey: VersionKey;
  readonly deprecated: boolean;
}

export interface OciModel {
  readonly release: string;
  /** Every XSD file of the set, relative paths, sorted. */
  readonly files: readonly string[];
  /** Every type by key, in declaration order (anonymous types right after their owner). */
  readonly types: ReadonlyMap<string, TypeMeta>;
  /** Keys of anonymous types. */
  readonly anonymous: ReadonlySet<string>;
  /** xs:documentation of types, elements and attributes (keyed by their metadata object). */
  readonly docs: ReadonlyMap<object, string>;
  /** Element names the XSD spelled with surrounding whitespace (keyed by their metadata object). */
  readonly spellings: ReadonlyMap<object, string>;
  /** Request keys, sorted. */
  readonly requests: readonly string[];
  /** Data response keys (concrete types derived from OCIDataResponse), sorted. */
  readonly dataResponses: readonly string[];
  /** Request family → members sorted by version key. */
  readonly families: ReadonlyMap<string, readonly FamilyMember[]>;
  /** Request family → latest member key (§2.7). */
  readonly latest: ReadonlyMap<string, string>;
  readonly counts: {
    readonly requests: number;
    readonly deprecatedRequests: number;
    readonly dataResponses: number;
    readonly deprecatedDataResponses: number;
    readonly complexTypes: number;
    readonly anonymousComplexTypes: number;
    readonly simpleTypes: number;
    readonly anonymousSimpleTypes: number;
    readonly enumTypes: number;
    readonly choices: number;
    readonly abstractTypes: number;
    readonly families: number;
  };
}

function schemaError(message: string, context: Record<string, unknown> = {}): never {
  throw new ThorsHammerError('TH_ERR_CODEGEN_SCHEMA', message, { context });
}

/** Deprecated = declared in a file whose name contains `Deprecated` (§2.6). */
export function isDeprecatedFile(file: string): boolean {
  return /Deprecated/.test(file.split('/').pop() ?? file);
}

/** The property name of a repeating choice: the first element of each branch, joined with `Or`. */
export function repeatingChoiceProp(branches: readonly Particle[]): string {
  return branches
    .map((b, i) => {
      const name = firstElementName(b) ?? `branch${i + 1}`;
      return i === 0 ? name : name.charAt(0).toUpperCase() + name.slice(1);
    })
    .join('Or');
}

function firstElementName(p: Particle): string | undefined {
  if ('n' in p) return p.n;
  const list = 'seq' in p ? p.seq : p.choice;
  return list[0] ? firstElementName(list[0]) : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds the model of one release from its XSD set. */
export function buildOciModel(set: XsdSet, release: string): OciModel {
  // --- 1. Keys: the local name, except the `C` twin of a name that also exists in no namespace.
  const byQName = new Map<string, RawComplexType | RawSimpleType>();
  const localNames = new Map<string, Set<string>>();
  for (const t of set.types) {
    const id = `${t.ns}|${t.name}`;
    if (byQName.has(id)) schemaError(`type ${t.name} is declared twice (${byQName.get(id)!.file} and ${t.file})`, { type: t.name });
    byQName.set(id, t);
    const set2 = localNames.get(t.name!) ?? new Set<string>();
    set2.add(t.ns);
    localNames.set(t.name!, set2);
  }
  const keyOf = (ns: string, local: string): string => {
    if (ns !== NO_NS && (localNames.get(local)?.size ?? 0) > 1) return `${ns}:${local}`;
    return local;
  };
  const resolveRef = (q: QName, from: string, file: string): string => {
    if (q.ns === XS_NS) {
      if (!ALL_BUILTINS.has(q.local)) {
        throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${file}: ${from}: unsupported built-in type xs:${q.local}`, {
          context: { file, type: from },
        });
      }
      return `xs:${q.local}`;
    }
    if (!byQName.has(`${q.ns}|${q.local}`)) {
      schemaError(`${file}: ${from}: unknown type ${q.ns ? `{${q.ns}}` : ''}${q.local}`, { file, type: from });
    }
    return keyOf(q.ns, q.local);
  };

  const types = new Map<string, TypeMeta>();
  const anonymous = new Set<string>();
  const docs = new Map<object, string>();
  const spellings = new Map<object, string>();
  const rawByKey = new Map<string, RawComplexType | RawSimpleType>();
  const elementTypeUses = new Set<string>();
  let choices = 0;

  // --- 2. Simple types.
  const buildSimple = (raw: RawSimpleType, key: string): SimpleTypeMeta => {
    const steps: RawSimpleType[] = [];
    let builtin: string | undefined;
    let cursor: RawSimpleType | undefined = raw;
    const seen = new Set<RawSimpleType>();
    while (cursor) {
      if (seen.has(cursor)) schemaError(`${raw.file}: ${key}: circular simple type derivation`, { type: key });
      seen.add(cursor);
      steps.push(cursor);
      if (cursor.inlineBase) {
        cursor = cursor.inlineBase;
        continue;
      }
      const baseKey = resolveRef(cursor.base!, key, cursor.file);
      if (baseKey.startsWith('xs:')) {
        builtin = baseKey;
        break;
      }
      const next: RawComplexType | RawSimpleType | undefined = rawByKey.get(baseKey) ?? byQName.get(`${cursor.base!.ns}|${cursor.base!.local}`);
      if (!next || next.kind !== 'simple') schemaError(`${raw.file}: ${key}: simple type restricts non-simple ${baseKey}`, { type: key });
      cursor = next;
    }
    const meta: Mutable<SimpleTypeMeta> = { kind: 'simple', name: key, base: builtin!, file: raw.file };
    if (raw.ns === CORE_NS) meta.ns = 'C';
    const facets = mergeFacets(steps, builtin!, key, raw.file);
    if (facets) meta.facets = facets;
    if (isDeprecatedFile(raw.file)) meta.deprecated = true;
    return meta;
  };

  const registerAnonymousSimple = (raw: RawSimpleType, key: string) => {
    if (types.has(key)) schemaError(`${raw.file}: anonymous type name ${key} collides with another type`, { type: key });
    const meta = buildSimple(raw, key);
    types.set(key, meta);
    anonymous.add(key);
    if (raw.doc) docs.set(meta, raw.doc);
  };

  // --- 3. Complex types (content flattened; base first, memoised).
  const building = new Set<string>();
  const pendingAnonymous: [string, RawComplexType | RawSimpleType][] = [];
  const anonymousOwner = new Map<string, string>();

  const convertElement = (raw: RawElement, ownerKey: string, file: string): ElementMeta => {
    let t: string;
    if (raw.complex || raw.simple) {
      t = `${ownerKey}_${raw.name}`;
      pendingAnonymous.push([t, (raw.complex ?? raw.simple)!]);
      anonymousOwner.set(t, ownerKey);
    } else if (raw.type) t = resolveRef(raw.type, `${ownerKey}/${raw.name}`, file);
    else t = 'xs:anyType';
    elementTypeUses.add(t);
    const el: Mutable<ElementMeta> = { n: raw.name, t };
    if (raw.min !== 1) el.min = raw.min;
    if (raw.max !== 1) el.max = raw.max;
    if (raw.nillable) el.nil = true;
    if (raw.fixed !== undefined) el.fixed = raw.fixed;
    if (raw.default !== undefined) el.def = raw.default;
    if (raw.doc) docs.set(el, raw.doc);
    if (raw.spelled !== undefined) spellings.set(el, raw.spelled);
    return el;
  };

  const convertParticles = (list: readonly RawParticle[], ownerKey: string, file: string, inChoice: boolean): Particle[] => {
    const out: Particle[] = [];
    for (const p of list) {
      if (p.kind === 'element') out.push(convertElement(p, ownerKey, file));
      else if (p.kind === 'sequence' && !inChoice && p.min === 1 && p.max === 1) out.push(...convertParticles(p.particles, ownerKey, file, false));
      else out.push(convertGroup(p, ownerKey, file));
    }
    return out;
  };

  const convertGroup = (g: RawGroup, ownerKey: string, file: string): ChoiceMeta | SequenceMeta => {
    if (g.kind === 'sequence') {
      const seq: Mutable<SequenceMeta> = { seq: convertParticles(g.particles, ownerKey, file, false) };
      if (g.min !== 1) seq.min = g.min;
      if (g.max !== 1) seq.max = g.max;
      return seq;
    }
    choices++;
    const branches = convertParticles(g.particles, ownerKey, file, true);
    if (branches.length === 0) schemaError(`${file}: ${ownerKey}: empty xs:choice`, { type: ownerKey });
    const firsts = branches.map(firstElementName);
    if (new Set(firsts).size !== firsts.length || firsts.includes(undefined)) {
      // The codec picks the branch from the first element (§2.8); ambiguous choices cannot be decoded.
      throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${file}: ${ownerKey}: xs:choice whose branches do not start with distinct elements`, {
        context: { file, type: ownerKey },
      });
    }
    const choice: Mutable<ChoiceMeta> = { choice: branches };
    if (g.min !== 1) choice.min = g.min;
    if (g.max !== 1) choice.max = g.max;
    if (g.max === -1 || g.max > 1) choice.prop = repeatingChoiceProp(branches);
    return choice;
  };

  const convertAttribute = (raw: RawAttribute, ownerKey: string, file: string): AttributeMeta => {
    let t: string;
    if (raw.simple) {
      t = `${ownerKey}_${raw.name}`;
      pendingAnonymous.push([t, raw.simple]);
      anonymousOwner.set(t, ownerKey);
    } else if (raw.type) t = resolveRef(raw.type, `${ownerKey}/@${raw.name}`, file);
    else t = 'xs:string';
    const attr: Mutable<AttributeMeta> = { n: raw.name, t };
    if (raw.required) attr.req = true;
    if (raw.fixed !== undefined) attr.fixed = raw.fixed;
    if (raw.default !== undefined) attr.def = raw.default;
    if (raw.doc) docs.set(attr, raw.doc);
    return attr;
  };

  const buildComplex = (raw: RawComplexType, key: string): ComplexTypeMeta => {
    const done = types.get(key);
    if (done) return done as ComplexTypeMeta;
    if (building.has(key)) schemaError(`${raw.file}: ${key}: circular type derivation`, { type: key });
    building.add(key);
    let content: Particle[] = [];
    let attrs: AttributeMeta[] = [];
    let baseKey: string | undefined;
    if (raw.base) {
      baseKey = resolveRef(raw.base, key, raw.file);
      const baseRaw = rawByKey.get(baseKey);
      if (!baseRaw || baseRaw.kind !== 'complex') {
        throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${raw.file}: ${key}: complexContent derived from non-complex type ${baseKey}`, {
          context: { file: raw.file, type: key },
        });
      }
      const base = buildComplex(baseRaw, baseKey);
      attrs = [...(base.attrs ?? [])];
      // An extension appends to the base content; a restriction restates the whole content.
      if (raw.derivation === 'extension') content = [...base.content];
    }
    if (raw.group) {
      if (raw.group.kind === 'sequence' && raw.group.min === 1 && raw.group.max === 1)
        content.push(...convertParticles(raw.group.particles, key, raw.file, false));
      else content.push(convertGroup(raw.group, key, raw.file));
    }
    for (const a of raw.attributes) {
      const converted = convertAttribute(a, key, raw.file);
      const at = attrs.findIndex((x) => x.n === converted.n);
      if (at >= 0) attrs[at] = converted;
      else attrs.push(converted);
    }
    const meta: Mutable<ComplexTypeMeta> = { kind: 'complex', name: key, content, file: raw.file };
    if (raw.ns === CORE_NS) meta.ns = 'C';
    if (raw.abstract) meta.abstract = true;
    if (isDeprecatedFile(raw.file)) meta.deprecated = true;
    if (baseKey) meta.base = baseKey;
    if (attrs.length > 0) meta.attrs = attrs;
    if (raw.doc) docs.set(meta, raw.doc);
    building.delete(key);
    types.set(key, meta);
    return meta;
  };

  for (const t of set.types) rawByKey.set(keyOf(t.ns, t.name!), t);

  // Declaration order, anonymous types right after their owner (they are discovered while converting it).
  const ordered = new Map<string, TypeMeta>();
  const flushAnonymous = () => {
    while (pendingAnonymous.length > 0) {
      const [key, raw] = pendingAnonymous.shift()!;
      if (raw.kind === 'simple') registerAnonymousSimple(raw, key);
      else {
        if (types.has(key) || rawByKey.has(key)) schemaError(`${raw.file}: anonymous type name ${key} collides with another type`, { type: key });
        rawByKey.set(key, raw);
        buildComplex(raw, key);
        anonymous.add(key);
      }
    }
  };
  // Build everything first (bases may be declared later than their derived types)...
  for (const raw of set.types) {
    const key = keyOf(raw.ns, raw.name!);
    if (raw.kind === 'complex') buildComplex(raw, key);
    else types.set(key, buildSimple(raw, key));
    if (raw.kind === 'simple' && raw.doc) docs.set(types.get(key)!, raw.doc);
    flushAnonymous();
  }
  // ...then order: each named type in declaration order, followed by its anonymous types.
  const anonymousByOwner = new Map<string, string[]>();
  for (const key of types.keys()) {
    if (!anonymous.has(key)) continue;
    const owner = anonymousOwner.get(key)!;
    const list = anonymousByOwner.get(owner) ?? [];
    list.push(key);
    anonymousByOwner.set(owner, list);
  }
  const place = (key: string) => {
    ordered.set(key, types.get(key)!);
    for (const a of anonymousByOwner.get(key) ?? []) place(a);
  };
  for (const raw of set.types) place(keyOf(raw.ns, raw.name!));

  // --- 4. Classification.
  const coreKey = (local: string) => keyOf(CORE_NS, local);
  const requestRoot = coreKey('OCIRequest');
  const dataResponseRoot = coreKey('OCIDataResponse');
  const responseRoot = coreKey('OCIResponse');
  const commandRoot = coreKey('OCICommand');
  const chainOf = (meta: ComplexTypeMeta): string[] => {
    const chain: string[] = [];
    let cursor: ComplexTypeMeta | undefined = meta;
    while (cursor?.base) {
      chain.push(cursor.base);
      cursor = ordered.get(cursor.base) as ComplexTypeMeta | undefined;
    }
    return chain;
  };
  const requests: string[] = [];
  const dataResponses: string[] = [];
  const coreMessageTypes = new Set([commandRoot, requestRoot, responseRoot, dataResponseRoot]);
  const concreteByAncestor = new Map<string, string[]>();
  for (const meta of ordered.values()) {
    if (meta.kind !== 'complex') continue;
    const m = meta as Mutable<ComplexTypeMeta>;
    const chain = chainOf(meta);
    if (!meta.abstract) {
      for (const ancestor of chain) {
        const list = concreteByAncestor.get(ancestor) ?? [];
        list.push(meta.name);
        concreteByAncestor.set(ancestor, list);
      }
    }
    if (coreMessageTypes.has(meta.name) && meta.ns === 'C') {
      m.role = 'core';
      continue;
    }
    if (meta.abstract || elementTypeUses.has(meta.name)) continue;
    if (chain.includes(requestRoot)) {
      m.role = 'request';
      requests.push(meta.name);
    } else if (chain.includes(dataResponseRoot)) {
      m.role = 'response';
      dataResponses.push(meta.name);
    } else if (chain.includes(responseRoot)) {
      m.role = 'response'; // SuccessResponse, ErrorResponse
    }
  }
  requests.sort(compareStrings);
  dataResponses.sort(compareStrings);
  for (const meta of ordered.values()) {
    if (meta.kind !== 'complex' || !meta.abstract || meta.role === 'core') continue;
    // The core message bases are left without `subtypes`: their concrete types are every command (see index.types).
    (meta as Mutable<ComplexTypeMeta>).subtypes = [...(concreteByAncestor.get(meta.name) ?? [])].sort(compareStrings);
  }

  // --- 5. Pairing and families.
  const families = new Map<string, FamilyMember[]>();
  for (const key of [...requests, ...dataResponses]) {
    const m = ordered.get(key) as Mutable<ComplexTypeMeta>;
    const { family, version, versionKey } = parseCommandName(key);
    m.family = family;
    m.version = version;
    if (m.role === 'request') {
      const response = ordered.get(pairedResponseName(key));
      if (response && response.kind === 'complex' && response.role === 'response' && dataResponses.includes(response.name)) m.response = response.name;
      const list = families.get(family) ?? [];
      list.push({ key, version, versionKey, deprecated: m.deprecated === true });
      families.set(family, list);
    }
  }
  const latest = new Map<string, string>();
  for (const [family, members] of [...families.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    members.sort((a, b) => compareVersionKeys(a.versionKey, b.versionKey) || compareStrings(a.key, b.key));
    const live = members.filter((m) => !m.deprecated);
    const pick = (live.length > 0 ? live : members)[(live.length > 0 ? live : members).length - 1]!;
    latest.set(family, pick.key);
  }
  const sortedFamilies = new Map([...families.entries()].sort(([a], [b]) => compareStrings(a, b)));

  // --- 6. Counts (cross-checked against oci-protocol.md §1.2 by the tests).
  let complexTypes = 0;
  let simpleTypes = 0;
  let anonymousComplex = 0;
  let anonymousSimple = 0;
  let enumTypes = 0;
  let abstractTypes = 0;
  for (const meta of ordered.values()) {
    if (meta.kind === 'complex') {
      complexTypes++;
      if (anonymous.has(meta.name)) anonymousComplex++;
      if (meta.abstract) abstractTypes++;
    } else {
      simpleTypes++;
      if (anonymous.has(meta.name)) anonymousSimple++;
      const raw = rawByKey.get(meta.name);
      if (raw?.kind === 'simple' && raw.facets.enumeration) enumTypes++;
    }
  }
  for (const key of anonymous) {
    // Anonymous simple types are not in rawByKey; count their own enumerations too.
    const meta = ordered.get(key)!;
    if (meta.kind === 'simple' && meta.facets?.enumeration && !rawByKey.has(key)) enumTypes++;
  }
  return {
    release,
    files: set.files.map((f) => f.path).sort(compareStrings),
    types: ordered,
    anonymous,
    docs,
    spellings,
    requests,
    dataResponses,
    families: sortedFamilies,
    latest,
    counts: {
      requests: requests.length,
      deprecatedRequests: requests.filter((k) => ordered.get(k)!.deprecated).length,
      dataResponses: dataResponses.length,
      deprecatedDataResponses: dataResponses.filter((k) => ordered.get(k)!.deprecated).length,
      complexTypes,
      anonymousComplexTypes: anonymousComplex,
      simpleTypes,
      anonymousSimpleTypes: anonymousSimple,
      enumTypes,
      choices,
      abstractTypes,
      families: families.size,
    },
  };
}

/** Merges the facets of a restriction chain (most derived first): the most restrictive value wins. */
function mergeFacets(steps: readonly RawSimpleType[], builtin: string, key: string, file: string): Facets | undefined {
  const numeric = isNumericBuiltin(builtin);
  const out: Mutable<Facets> = {};
  const num = (value: string, facet: string): number => {
    const n = Number(value);
    if (value.trim() === '' || Number.isNaN(n)) {
      throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${file}: ${key}: non-numeric ${facet}="${value}" (base ${builtin})`, {
        context: { file, type: key },
      });
    }
    return n;
  };
  const patterns: string[] = [];
  for (const step of steps) {
    const f = step.facets;
    if (f.length !== undefined && out.length === undefined) out.length = num(f.length, 'length');
    if (f.minLength !== undefined) out.minLength = Math.max(out.minLength ?? 0, num(f.minLength, 'minLength'));
    if (f.maxLength !== undefined) out.maxLength = Math.min(out.maxLength ?? Infinity, num(f.maxLength, 'maxLength'));
    for (const facet of ['minInclusive', 'minExclusive'] as const) {
      if (f[facet] === undefined) continue;
      if (!numeric)
        throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${file}: ${key}: ${facet} on non-numeric base ${builtin}`, { context: { file, type: key } });
      out[facet] = Math.max(out[facet] ?? -Infinity, num(f[facet], facet));
    }
    for (const facet of ['maxInclusive', 'maxExclusive'] as const) {
      if (f[facet] === undefined) continue;
      if (!numeric)
        throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${file}: ${key}: ${facet} on non-numeric base ${builtin}`, { context: { file, type: key } });
      out[facet] = Math.min(out[facet] ?? Infinity, num(f[facet], facet));
    }
    if (f.pattern) patterns.unshift(f.pattern.length === 1 ? f.pattern[0]! : f.pattern.map((p) => `(${p})`).join('|'));
    if (f.enumeration && out.enumeration === undefined) out.enumeration = [...f.enumeration];
    if (f.whiteSpace !== undefined && out.whiteSpace === undefined) {
      if (f.whiteSpace !== 'preserve' && f.whiteSpace !== 'replace' && f.whiteSpace !== 'collapse') {
        throw new ThorsHammerError('TH_ERR_CODEGEN_SCHEMA', `${file}: ${key}: bad whiteSpace="${f.whiteSpace}"`, { context: { file, type: key } });
      }
      out.whiteSpace = f.whiteSpace;
    }
  }
  if (patterns.length > 0) out.pattern = patterns;
  return Object.keys(out).length > 0 ? out : undefined;
}
