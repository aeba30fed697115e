/**
 * Access to one release's generated OCI-P metadata (`generated/oci/<release>/`), loading the
 * per-XSD-file modules lazily: a client that sends three commands loads the few modules
 * holding them, not all 7,000 types.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ThorsHammerError } from '../errors.js';
import { generatedRoot } from '../paths.js';
import { pairedResponseName } from './command-name.js';
import { OciTypeNotLoadedError, OciUnknownTypeError } from './errors.js';
import {
  type AttributeMeta,
  type ChoiceMeta,
  type ComplexTypeMeta,
  type ElementMeta,
  exportName,
  type Facets,
  type Particle,
  type ReleaseIndex,
  type TypeMeta,
} from './meta.js';
import { assertReleaseName } from './release-name.js';

/**
 * Imports a release index. The compiled runtime (dist/, an installed package) loads the prebuilt
 * `index.js` and generated `index.mjs` natively; a TypeScript index (bindings generated in `ts`
 * format outside the checkout) fails with ERR_UNKNOWN_FILE_EXTENSION in plain Node, so tsx's
 * loader is registered and the import retried (under tsx or jest the first import already succeeds).
 */
async function importBindings(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (error) {
    if (!file.endsWith('.ts') || (error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { register } = await import('tsx/esm/api');
    register();
    return import(`${url}?tsx`);
  }
}

/**
 * The index file of a release folder: TypeScript (`generated/` in a checkout), compiled JavaScript
 * (the package's prebuilt releases) or ES modules (`hammer generate oci --out`, loadable without a compiler).
 */
const INDEX_FILES = ['index.ts', 'index.js', 'index.mjs'];

/** Type key of a core type every document needs (its module is always loaded). */
const CORE_TYPE = 'ErrorResponse';

/** The metadata of one OCI-P release, with lazy module loading. */
export class OciSchema {
  readonly release: string;
  readonly index: ReleaseIndex;
  private readonly types = new Map<string, TypeMeta>();
  /** {@link simpleType} answers, per type key (complex types: null). */
  private readonly simpleTypes = new Map<string, SimpleTypeInfo | null>();
  private readonly loadedModules = new Set<string>();
  private readonly pendingModules = new Map<string, Promise<void>>();
  /** Modules whose whole closure (dependencies, subtypes' modules) is loaded: `ensure` on them has nothing to do. */
  private readonly closedModules = new Set<string>();
  private keysByModuleCache?: Map<string, string[]>;

  private constructor(index: ReleaseIndex) {
    this.index = index;
    this.release = index.release;
  }

  /**
   * Imports `generated/oci/<release>/index.ts` (or `options.generatedDir/oci/<release>/`) and
   * loads the module holding the core types; `eager` loads every module.
   */
  static async load(release: string, options: { generatedDir?: string; eager?: boolean } = {}): Promise<OciSchema> {
    assertReleaseName(release);
    const dir = join(options.generatedDir ?? generatedRoot, 'oci', release);
    const file = INDEX_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!file) {
      const known = OciSchema.releases(options.generatedDir);
      throw new ThorsHammerError(
        'TH_ERR_OCI_NO_RELEASE',
        `no generated bindings for OCI-P release '${release}' in ${dir}${known.length ? ` (generated: ${known.join(', ')})` : ''}; run \`hammer generate oci --release ${release}\``,
        { context: { release, dir } },
      );
    }
    const mod = (await importBindings(file)) as { index?: ReleaseIndex };
    if (!mod.index?.types) {
      throw new ThorsHammerError('TH_ERR_OCI_NO_RELEASE', `${file} does not export a release index`, { context: { release, file } });
    }
    return OciSchema.open(mod.index, options);
  }

  /** Wraps an imported release index and loads the core types (`eager`: every module), as `load` does. */
  static async open(index: ReleaseIndex, options: { eager?: boolean } = {}): Promise<OciSchema> {
    const schema = OciSchema.fromIndex(index);
    await (options.eager ? schema.ensureAll() : schema.ensure(CORE_TYPE));
    return schema;
  }

  /** Releases that have generated bindings, sorted (the newest last). */
  static releases(generatedDir?: string): string[] {
    const dir = join(generatedDir ?? generatedRoot, 'oci');
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && INDEX_FILES.some((f) => existsSync(join(dir, d.name, f))))
      .map((d) => d.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** The newest release with generated bindings (R25 before R24); throws TH_ERR_OCI_NO_RELEASE when there is none. */
  static newestRelease(generatedDir?: string): string {
    const newest = OciSchema.releases(generatedDir).at(-1);
    if (!newest) {
      throw new ThorsHammerError('TH_ERR_OCI_NO_RELEASE', 'no generated OCI-P release found; run `npm run generate` (or `hammer generate oci`) first', {
        context: { dir: join(generatedDir ?? generatedRoot, 'oci') },
      });
    }
    return newest;
  }

  /** Wraps an in-memory index (tests, custom locations). Nothing is loaded until `ensure`. */
  static fromIndex(index: ReleaseIndex): OciSchema {
    return new OciSchema(index);
  }

  /** Loads the modules holding these types and everything they reference (transitively). */
  async ensure(...typeKeys: string[]): Promise<void> {
    const modules = new Set<string>();
    for (const key of typeKeys) {
      const module = this.index.types[key];
      if (module === undefined) throw new OciUnknownTypeError(key, this.release);
      modules.add(module);
    }
    await this.loadModules(modules);
  }

  /** Loads every module of the release. */
  async ensureAll(): Promise<void> {
    await this.loadModules(new Set(Object.keys(this.index.modules)));
  }

  /** True when every module of the release is loaded. */
  get fullyLoaded(): boolean {
    return this.loadedModules.size === Object.keys(this.index.modules).length;
  }

  private async loadModules(roots: Set<string>): Promise<void> {
    // Close over module dependencies, and over the modules of concrete subtypes of
    // non-core abstract types (DepartmentKey…), which an xsi:type may name.
    let wave = [...roots].filter((m) => !this.closedModules.has(m));
    if (wave.length === 0) return;
    const seen = new Set<string>();
    while (wave.length > 0) {
      const next: string[] = [];
      await Promise.all(wave.map((m) => this.loadModule(m)));
      for (const m of wave) {
        if (seen.has(m)) continue;
        seen.add(m);
        const entry = this.index.modules[m]!;
        for (const dep of entry.deps) if (!seen.has(dep)) next.push(dep);
        for (const key of this.keysOf(m)) {
          const t = this.types.get(key);
          if (t?.kind === 'complex' && t.abstract && t.ns !== 'C') {
            for (const sub of t.subtypes ?? []) {
              const sm = this.index.types[sub];
              if (sm !== undefined && !seen.has(sm)) next.push(sm);
            }
          }
        }
      }
      wave = [...new Set(next)].filter((m) => !seen.has(m) && !this.closedModules.has(m));
    }
    // Everything seen had its dependencies and subtypes followed, so each one's closure is loaded.
    for (const m of seen) this.closedModules.add(m);
  }

  private keysOf(module: string): string[] {
    if (!this.keysByModuleCache) {
      this.keysByModuleCache = new Map();
      for (const [key, m] of Object.entries(this.index.types)) {
        const list = this.keysByModuleCache.get(m);
        if (list) list.push(key);
        else this.keysByModuleCache.set(m, [key]);
      }
    }
    return this.keysByModuleCache.get(module) ?? [];
  }

  private loadModule(name: string): Promise<void> {
    if (this.loadedModules.has(name)) return Promise.resolve();
    let pending = this.pendingModules.get(name);
    if (!pending) {
      const entry = this.index.modules[name];
      if (!entry) {
        return Promise.reject(new ThorsHammerError('TH_ERR_OCI_SCHEMA', `release ${this.release} index names module '${name}' but does not define it`));
      }
      pending = entry.load().then((exports) => {
        for (const key of this.keysOf(name)) {
          const meta = exports[exportName(key)] as TypeMeta | undefined;
          if (!meta || (meta.kind !== 'complex' && meta.kind !== 'simple')) {
            throw new ThorsHammerError('TH_ERR_OCI_SCHEMA', `module '${name}' of release ${this.release} does not export ${exportName(key)}`);
          }
          this.types.set(key, meta);
        }
        this.loadedModules.add(name);
        this.pendingModules.delete(name);
      });
      pending.catch(() => this.pendingModules.delete(name));
      this.pendingModules.set(name, pending);
    }
    return pending;
  }

  /** True when the release defines this type key. */
  has(typeKey: string): boolean {
    return Object.hasOwn(this.index.types, typeKey);
  }

  /** True when the type is defined and its module is loaded. */
  isLoaded(typeKey: string): boolean {
    return this.types.has(typeKey);
  }

  /** The metadata of a type; throws OciUnknownTypeError (unknown) or OciTypeNotLoadedError. */
  type(typeKey: string): TypeMeta {
    const t = this.types.get(typeKey);
    if (t) return t;
    if (!this.has(typeKey)) throw new OciUnknownTypeError(typeKey, this.release);
    throw new OciTypeNotLoadedError(typeKey, this.release);
  }

  /**
   * What coercing, validating and encoding a value of a simple type (or built-in) need: its
   * built-in and facets, found once per type key. Undefined for a complex type. Throws as
   * {@link type} does for an unknown or unloaded key.
   */
  simpleType(typeKey: string): SimpleTypeInfo | undefined {
    let info = this.simpleTypes.get(typeKey);
    if (info === undefined) {
      if (typeKey.startsWith('xs:')) info = { builtin: typeKey, facets: undefined };
      else {
        const t = this.type(typeKey);
        info = t.kind === 'simple' ? { builtin: t.base, facets: t.facets } : null;
      }
      this.simpleTypes.set(typeKey, info);
    }
    return info ?? undefined;
  }

  /** The metadata of a complex type (throws a clear error for a simple one). */
  complexType(typeKey: string): ComplexTypeMeta {
    const t = this.type(typeKey);
    if (t.kind !== 'complex') throw new OciUnknownTypeError(typeKey, this.release, 'a simple type, not a complex type');
    return t;
  }

  /**
   * Newest request of a family (`UserGetRequest` → `UserGetRequest23V2`), or a type name that is
   * no family as is. For names given by users, use `resolveRequestName` (names.ts): a family name
   * that is also a class means that class there.
   */
  latest(family: string): string | undefined {
    return this.index.latest[family] ?? (this.has(family) ? family : undefined);
  }

  /** Every request type key of the release, sorted. Needs every module loaded (`ensureAll`). */
  requestTypes(): string[] {
    return this.typesWithRole('request');
  }

  /** Every data response type key of the release, sorted. Needs every module loaded (`ensureAll`). */
  responseTypes(): string[] {
    return this.typesWithRole('response');
  }

  private typesWithRole(role: 'request' | 'response'): string[] {
    if (!this.fullyLoaded) {
      throw new ThorsHammerError('TH_ERR_OCI_TYPE_NOT_LOADED', `listing every ${role} type of release ${this.release} needs ensureAll() first`);
    }
    const out: string[] = [];
    for (const [key, t] of this.types) if (t.kind === 'complex' && t.role === role) out.push(key);
    return out.sort();
  }

  /** The response type paired with a request: its data response, or 'SuccessResponse'. */
  responseTypeOf(requestKey: string): string {
    const t = this.types.get(requestKey);
    if (t) {
      if (t.kind !== 'complex' || t.role !== 'request') throw new OciUnknownTypeError(requestKey, this.release, 'not a request type');
      return t.response ?? 'SuccessResponse';
    }
    if (!this.has(requestKey)) throw new OciUnknownTypeError(requestKey, this.release);
    // Not loaded: pair by name, as the generator does.
    const paired = pairedResponseName(requestKey);
    return paired !== requestKey && this.has(paired) ? paired : 'SuccessResponse';
  }
}

// ---------------------------------------------------------------------------------------
// Helpers over the metadata shared by the codec, the validator and the sample generator.

/** A simple type (or `xs:*` built-in) as {@link OciSchema.simpleType} gives it. */
export interface SimpleTypeInfo {
  /** The built-in at its root (`xs:token`…); the key itself for a built-in. */
  readonly builtin: string;
  readonly facets: Facets | undefined;
}

/** The numeric built-in table lives in builtins.ts; re-exported for the modules that import it from here. */
export { INTEGER_BUILTINS, NUMERIC_BUILTINS } from './builtins.js';

/** The type key of the core table type. */
export const TABLE_TYPE = 'OCITable';

/** True for `xs:*` keys and simple types; false for complex types. */
export function isSimpleType(schema: OciSchema, typeKey: string): boolean {
  return typeKey.startsWith('xs:') ? typeKey !== 'xs:anyType' : schema.type(typeKey).kind === 'simple';
}

/** The built-in at the root of a simple type (`xs:token`…); the key itself for a built-in. */
export function builtinOf(schema: OciSchema, typeKey: string): string {
  if (typeKey.startsWith('xs:')) return typeKey;
  const t = schema.type(typeKey);
  return t.kind === 'simple' ? t.base : typeKey;
}

/** True when `sub` is `base` or derives from it (through `base` links). */
export function derivesFrom(schema: OciSchema, sub: string, base: string): boolean {
  for (let key: string | undefined = sub, guard = 0; key !== undefined && guard < 32; guard++) {
    if (key === base) return true;
    const t: TypeMeta | undefined = schema.isLoaded(key) ? schema.type(key) : undefined;
    key = t?.kind === 'complex' ? t.base : undefined;
  }
  return false;
}

const namesCache = new WeakMap<object, ReadonlySet<string>>();
const firstCache = new WeakMap<object, ReadonlySet<string>>();

/** Every element name (and repeating-choice property) a particle can put on its parent object. */
export function particleKeys(p: Particle): ReadonlySet<string> {
  let names = namesCache.get(p);
  if (!names) {
    const set = new Set<string>();
    if ('n' in p) set.add(p.n);
    else if ('choice' in p) {
      if (isRepeatingChoice(p)) set.add(p.prop ?? choiceProp(p));
      else for (const b of p.choice) for (const n of particleKeys(b)) set.add(n);
    } else for (const c of p.seq) for (const n of particleKeys(c)) set.add(n);
    names = set;
    namesCache.set(p, names);
  }
  return names;
}

/** Element names that can start a particle (for picking a choice branch from the first child). */
export function firstNames(p: Particle): ReadonlySet<string> {
  let names = firstCache.get(p);
  if (!names) {
    const set = new Set<string>();
    if ('n' in p) set.add(p.n);
    else if ('choice' in p) for (const b of p.choice) for (const n of firstNames(b)) set.add(n);
    else {
      for (const c of p.seq) {
        for (const n of firstNames(c)) set.add(n);
        if (!isOptional(c)) break;
      }
    }
    names = set;
    firstCache.set(p, names);
  }
  return names;
}

const branchCache = new WeakMap<ChoiceMeta, ReadonlyMap<string, Particle>>();

/** A choice's branch by the name its first element may have (the first listed branch wins, as in a scan); built once per choice. */
export function branchByFirstName(p: ChoiceMeta): ReadonlyMap<string, Particle> {
  let byName = branchCache.get(p);
  if (!byName) {
    const map = new Map<string, Particle>();
    for (const b of p.choice) for (const n of firstNames(b)) if (!map.has(n)) map.set(n, b);
    byName = map;
    branchCache.set(p, byName);
  }
  return byName;
}

/** True when a particle may be absent altogether. */
export function isOptional(p: Particle): boolean {
  if ((p.min ?? 1) === 0) return true;
  if ('choice' in p) return p.choice.some(isOptional);
  if ('seq' in p) return p.seq.every(isOptional);
  return false;
}

/** True for a choice with maxOccurs > 1 (its branches become an array of objects). */
export function isRepeatingChoice(p: ChoiceMeta): boolean {
  const max = p.max ?? 1;
  return max === -1 || max > 1;
}

/** The property of a repeating choice (the generator sets `prop`; this is the fallback name). */
export function choiceProp(p: ChoiceMeta): string {
  return p.prop ?? 'choice';
}

/** True when an element may occur more than once (its value is an array). */
export function isArrayElement(e: ElementMeta): boolean {
  const max = e.max ?? 1;
  return max === -1 || max > 1;
}

const allowedCache = new WeakMap<object, ReadonlySet<string>>();

/** Every key a value of a complex type may have: attributes, element names, repeating-choice properties, `$type`. */
export function allowedKeys(meta: ComplexTypeMeta): ReadonlySet<string> {
  let keys = allowedCache.get(meta);
  if (!keys) {
    const set = new Set<string>(['$type']);
    for (const a of meta.attrs ?? []) set.add(a.n);
    for (const p of meta.content) for (const k of particleKeys(p)) set.add(k);
    keys = set;
    allowedCache.set(meta, keys);
  }
  return keys;
}

/**
 * One particle of a content model in a single object shape. The generated metadata's particle
 * objects come in many shapes (optional `min`, `max`, `nil`, `fixed` …), so reading them on a
 * hot path is slow; the validator walks these instead. `element` is set for a
 * plain element particle, `undefined` for a sequence or a choice (walk `particle` then).
 */
export interface ContentStep {
  readonly name: string;
  readonly element: ElementMeta | undefined;
  /** minOccurs of the element (0: optional). */
  readonly min: number;
  readonly particle: Particle;
}

const stepsCache = new WeakMap<readonly Particle[], readonly ContentStep[]>();

/** The particles of a content model as {@link ContentStep}s, built once per content array. */
export function contentSteps(content: readonly Particle[]): readonly ContentStep[] {
  let steps = stepsCache.get(content);
  if (!steps) {
    steps = content.map(
      (p): ContentStep => ('n' in p ? { name: p.n, element: p, min: p.min ?? 1, particle: p } : { name: '', element: undefined, min: p.min ?? 1, particle: p }),
    );
    stepsCache.set(content, steps);
  }
  return steps;
}

/** True when any key a particle can set is present (not undefined) on `obj`. */
export function particlePresent(p: Particle, obj: Record<string, unknown>): boolean {
  for (const k of particleKeys(p)) if (obj[k] !== undefined) return true;
  return false;
}

/** A member of a complex type's content, found by name ({@link findMember}). */
export type ContentMember =
  | { kind: 'element'; element: ElementMeta }
  | { kind: 'attribute'; attribute: AttributeMeta }
  | { kind: 'choice'; choice: ChoiceMeta; prop: string };

/**
 * Per content model (the metadata's particle arrays live as long as the schema): each member
 * by name, the first one in document order. Built on first use, so a request's members are
 * walked once, not once per assignment.
 */
const membersByContent = new WeakMap<readonly Particle[], Map<string, ContentMember>>();

/** Finds a member by name; repeating choices are reached by their property, not their branches' names. */
export function findMember(content: readonly Particle[], attrs: readonly AttributeMeta[], name: string): ContentMember | undefined {
  for (const a of attrs) if (a.n === name) return { kind: 'attribute', attribute: a };
  let members = membersByContent.get(content);
  if (!members) {
    members = new Map();
    indexMembers(content, members);
    membersByContent.set(content, members);
  }
  return members.get(name);
}

function indexMembers(particles: readonly Particle[], into: Map<string, ContentMember>): void {
  for (const p of particles) {
    if ('n' in p) {
      if (!into.has(p.n)) into.set(p.n, { kind: 'element', element: p });
    } else if ('choice' in p && isRepeatingChoice(p)) {
      const prop = choiceProp(p);
      if (!into.has(prop)) into.set(prop, { kind: 'choice', choice: p, prop });
    } else indexMembers('choice' in p ? p.choice : p.seq, into);
  }
}
