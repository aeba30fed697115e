/**
 * Stage 3 of the OCI-P generator: writes the model as TypeScript, one module per XSD file
 * plus `index.ts`. Every type becomes a TypeScript type and a descriptor constant of the
 * same name (typed with `ComplexType<T>`/`SimpleType<T>` from runtime/oci/meta.ts); the
 * descriptors are plain data that the generic codec walks. Output is deterministic and
 * already formatted (LF, two spaces); nothing here depends on the host or the clock.
 */
import { ThorsHammerError } from '../../runtime/errors.js';
import {
  type AttributeMeta,
  type ChoiceMeta,
  type ComplexTypeMeta,
  type ElementMeta,
  exportName,
  type Facets,
  type Particle,
  type SequenceMeta,
  type SimpleTypeMeta,
  type TypeMeta,
} from '../../runtime/oci/meta.js';
import { kebabCase, propertyKey } from '../common/names.js';
import { compareStrings, generatedHeader } from '../common/writer.js';
import { isNumericBuiltin } from '../../runtime/oci/builtins.js';
import type { OciModel } from './model.js';

export interface EmitOptions {
  /** Import specifier of runtime/oci/meta.ts as seen from the output folder (ending in `.js`). */
  readonly metaImport: string;
  /** Named in the header of every file, e.g. `R25`. */
  readonly source: string;
}

const GENERATOR = 'codegen/oci';
const WIDTH = 110;

/** Module name (file name without `.ts`) for an XSD file: `Services/OCISchemaServiceCallCenter.xsd` → `services-oci-schema-service-call-center`. */
export function moduleNameOf(xsdFile: string): string {
  return kebabCase(xsdFile.replace(/\.xsd$/i, ''));
}

/** A single-quoted TypeScript string literal. */
export function quote(value: string): string {
  return `'${value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;
}

function pad(depth: number): string {
  return '  '.repeat(depth);
}

/** TSDoc lines at `depth`; empty when there is nothing to say. */
function docLines(text: string | undefined, depth: number, tags: string[] = []): string[] {
  const paragraphs = [text?.trim(), ...tags].filter((p): p is string => p !== undefined && p !== '');
  if (paragraphs.length === 0) return [];
  const body = paragraphs.join('\n\n').replace(/\*\//g, '*\\/').split('\n');
  if (body.length === 1) return [`${pad(depth)}/** ${body[0]} */`];
  return [`${pad(depth)}/**`, ...body.map((l) => (l === '' ? `${pad(depth)} *` : `${pad(depth)} * ${l}`)), `${pad(depth)} */`];
}

/** One property of an object type. */
interface Prop {
  readonly key: string;
  readonly type: string;
  readonly optional: boolean;
  readonly doc?: string;
}

/** The TypeScript shape of a particle list: plain properties plus one union per single choice. */
interface Shape {
  readonly props: Prop[];
  /** Each entry: the branch shapes of one choice that occurs at most once, and whether it may be absent. */
  readonly unions: { branches: Shape[]; optional: boolean }[];
}

class ModuleEmitter {
  readonly lines: string[] = [];
  /** Module name → imported type names. */
  readonly imports = new Map<string, Set<string>>();

  constructor(
    private readonly model: OciModel,
    private readonly moduleOf: ReadonlyMap<string, string>,
    private readonly self: string,
  ) {}

  /** The TypeScript name for a type key, importing it when it lives in another module. */
  ref(key: string): string {
    const name = exportName(key);
    const mod = this.moduleOf.get(key);
    if (mod === undefined) throw new ThorsHammerError('TH_ERR_CODEGEN_INTERNAL', `no module for type ${key}`, { context: { type: key } });
    if (mod !== this.self) {
      const set = this.imports.get(mod) ?? new Set<string>();
      set.add(name);
      this.imports.set(mod, set);
    }
    return name;
  }

  /** The XSD built-in at the root of a type key (`xs:…`), or undefined for complex types. */
  builtinOf(key: string): string | undefined {
    if (key.startsWith('xs:')) return key;
    const meta = this.model.types.get(key);
    return meta?.kind === 'simple' ? meta.base : undefined;
  }

  tsPrimitive(builtin: string): string {
    const local = builtin.slice(3);
    if (local === 'boolean') return 'boolean';
    if (local === 'anyType') return 'true';
    return isNumericBuiltin(local) ? 'number' : 'string';
  }

  literal(value: string, typeKey: string, where: string): string {
    const builtin = this.builtinOf(typeKey);
    const ts = builtin ? this.tsPrimitive(builtin) : 'string';
    if (ts === 'boolean') {
      const v = value.trim();
      if (v === 'true' || v === '1') return 'true';
      if (v === 'false' || v === '0') return 'false';
      throw new ThorsHammerError('TH_ERR_CODEGEN_SCHEMA', `${where}: fixed value "${value}" is not a boolean`, { context: { type: where } });
    }
    if (ts === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) {
        throw new ThorsHammerError('TH_ERR_CODEGEN_SCHEMA', `${where}: value "${value}" is not a number`, { context: { type: where } });
      }
      return String(n);
    }
    return quote(value);
  }

  /** Property type of an element, before nil/array wrapping. */
  elementValueType(el: ElementMeta, where: string): string {
    if (el.fixed !== undefined) return this.literal(el.fixed, el.t, `${where}/${el.n}`);
    if (el.t.startsWith('xs:')) return this.tsPrimitive(el.t);
    return this.ref(el.t);
  }

  elementProp(el: ElementMeta, owner: string): Prop {
    let type = this.elementValueType(el, owner);
    if (el.nil) type = `${type} | null`;
    const max = el.max ?? 1;
    const isArray = max === -1 || max > 1;
    if (isArray) type = /^[A-Za-z0-9_$]+$/.test(type) ? `${type}[]` : `(${type})[]`;
    // OCITable.row is always an array (empty for a heading-only table), see meta.ts.
    const alwaysPresent = owner === 'OCITable' && el.n === 'row';
    return { key: el.n, type, optional: (el.min ?? 1) === 0 && !alwaysPresent, doc: this.model.docs.get(el) };
  }

  shapeOf(particles: readonly Particle[], owner: string): Shape {
    const shape: Shape = { props: [], unions: [] };
    for (const p of particles) {
      if ('n' in p) shape.props.push(this.elementProp(p, owner));
      else if ('choice' in p) this.addChoice(shape, p, owner);
      else this.addSequence(shape, p, owner);
    }
    return shape;
  }

  addChoice(shape: Shape, choice: ChoiceMeta, owner: string): void {
    const branches = choice.choice.map((b) => this.shapeOf([b], owner));
    const max = choice.max ?? 1;
    if (max === -1 || max > 1) {
      const items = this.exclusive(branches).map((b) => this.inlineExpr(b));
      const item = items.map((t) => (items.length > 1 && t.includes(' & ') ? `(${t})` : t)).join(' | ');
      shape.props.push({ key: choice.prop!, type: `(${item})[]`, optional: (choice.min ?? 1) === 0 });
    } else {
      shape.unions.push({ branches: this.exclusive(branches), optional: (choice.min ?? 1) === 0 });
    }
  }

  addSequence(shape: Shape, seq: SequenceMeta, owner: string): void {
    const max = seq.max ?? 1;
    if (max !== 1) {
      throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${owner}: repeating xs:sequence outside a choice`, { context: { type: owner } });
    }
    const inner = this.shapeOf(seq.seq, owner);
    if ((seq.min ?? 1) === 1) {
      shape.props.push(...inner.props);
      shape.unions.push(...inner.unions);
    } else {
      // An optional sequence: all of it or none of it.
      shape.unions.push({ branches: this.exclusive([inner]), optional: true });
    }
  }

  /** Adds `key?: never` for the other branches' keys, so at most one branch can be set. */
  exclusive(branches: Shape[]): Shape[] {
    const keysOf = (s: Shape): string[] => [...s.props.map((p) => p.key), ...s.unions.flatMap((u) => u.branches.flatMap(keysOf))];
    const all = [...new Set(branches.flatMap(keysOf))];
    return branches.map((b) => {
      const own = new Set(keysOf(b));
      return { props: [...b.props, ...all.filter((k) => !own.has(k)).map((k) => ({ key: k, type: 'never', optional: true }))], unions: b.unions };
    });
  }

  /** Lines of an object type literal whose `{` is already placed; body at depth+1, `}` at depth. */
  objectLines(props: readonly Prop[], depth: number): string[] {
    if (props.length === 0) return ['{}'];
    const out = ['{'];
    for (const p of props) {
      out.push(...docLines(p.doc, depth + 1));
      out.push(`${pad(depth + 1)}${propertyKey(p.key)}${p.optional ? '?' : ''}: ${p.type};`);
    }
    out.push(`${pad(depth)}}`);
    return out;
  }

  /** A type expression as lines (first line unindented, continuation lines at `depth`). */
  exprLines(shape: Shape, depth: number): string[] {
    const parts: string[][] = [];
    if (shape.props.length > 0 || shape.unions.length === 0) parts.push(this.objectLines(shape.props, depth));
    for (const u of shape.unions) {
      const branches = u.optional ? [...u.branches, this.noneBranch(u.branches)] : u.branches;
      const group = ['('];
      for (const b of branches) {
        const lines = this.exprLines(b, depth + 2);
        group.push(`${pad(depth + 1)}| ${lines[0]}`, ...lines.slice(1));
      }
      group.push(`${pad(depth)})`);
      parts.push(group);
    }
    const out: string[] = [];
    for (const part of parts) {
      if (out.length === 0) out.push(...part);
      else {
        out[out.length - 1] += ` & ${part[0]}`;
        out.push(...part.slice(1));
      }
    }
    return out;
  }

  /** The "no branch" alternative of an optional choice: every branch key `?: never`. */
  noneBranch(branches: Shape[]): Shape {
    const keys = [...new Set(branches.flatMap((b) => b.props.map((p) => p.key)))];
    return { props: keys.map((k) => ({ key: k, type: 'never', optional: true })), unions: [] };
  }

  /** A compact single-line rendering without docs (for the items of a repeating choice). */
  inlineExpr(shape: Shape): string {
    const parts: string[] = [];
    if (shape.props.length > 0 || shape.unions.length === 0) {
      parts.push(`{ ${shape.props.map((p) => `${propertyKey(p.key)}${p.optional ? '?' : ''}: ${p.type}`).join('; ')} }`);
    }
    for (const u of shape.unions) {
      const branches = u.optional ? [...u.branches, this.noneBranch(u.branches)] : u.branches;
      parts.push(`(${branches.map((b) => this.inlineExpr(b)).join(' | ')})`);
    }
    return parts.join(' & ');
  }

  emitComplex(meta: ComplexTypeMeta): void {
    const name = exportName(meta.name);
    const tags = meta.deprecated ? [`@deprecated Declared in ${meta.file}; servers still accept it.`] : [];
    const anonymous = this.model.anonymous.has(meta.name);
    const doc = anonymous
      ? `Anonymous type of element \`${meta.name.slice(meta.name.lastIndexOf('_') + 1)}\`.${this.model.docs.get(meta) ? `\n\n${this.model.docs.get(meta)}` : ''}`
      : this.model.docs.get(meta);
    this.lines.push(...docLines(doc, 0, tags));
    if (meta.abstract && meta.subtypes && meta.subtypes.length > 0) {
      // An abstract type stands for one of its concrete subtypes, tagged with `$type` (written as xsi:type).
      this.lines.push(`export type ${name} =`);
      meta.subtypes.forEach((sub, i) => {
        const end = i === meta.subtypes!.length - 1 ? ';' : '';
        this.lines.push(`  | (${this.ref(sub)} & { $type: ${quote(sub)} })${end}`);
      });
    } else {
      const shape = this.shapeOf(meta.content, meta.name);
      const typeProp: Prop[] = [];
      if (meta.role === 'request' || meta.role === 'response') typeProp.push({ key: '$type', type: quote(meta.name), optional: false });
      else if (meta.abstract || meta.role === 'core') typeProp.push({ key: '$type', type: 'string', optional: false });
      else if (!anonymous) typeProp.push({ key: '$type', type: quote(meta.name), optional: true });
      const inherited = meta.base ? ((this.model.types.get(meta.base) as ComplexTypeMeta | undefined)?.attrs ?? []) : [];
      const attrProps = (meta.attrs ?? []).map((a) => this.attributeProp(a, meta.name, inherited.includes(a)));
      const full: Shape = { props: [...typeProp, ...attrProps, ...shape.props], unions: shape.unions };
      if (full.props.length === 0 && full.unions.length === 1) {
        // A bare choice (anonymous `endpoint`-like types): a plain union, no parentheses.
        const u = full.unions[0]!;
        const branches = u.optional ? [...u.branches, this.noneBranch(u.branches)] : u.branches;
        this.lines.push(`export type ${name} =`);
        for (const b of branches) {
          const lines = this.exprLines(b, 2);
          this.lines.push(`  | ${lines[0]}`, ...lines.slice(1));
        }
      } else {
        const lines = this.exprLines(full, 0);
        this.lines.push(`export type ${name} = ${lines[0]}`, ...lines.slice(1));
      }
      this.lines[this.lines.length - 1] += ';';
    }
    this.lines.push(`export const ${name}: $Complex<${name}> = {`);
    this.lines.push(`  kind: 'complex',`, `  name: ${quote(meta.name)},`);
    if (meta.ns) this.lines.push(`  ns: 'C',`);
    if (meta.role) this.lines.push(`  role: ${quote(meta.role)},`);
    if (meta.abstract) this.lines.push('  abstract: true,');
    if (meta.deprecated) this.lines.push('  deprecated: true,');
    if (meta.base) this.lines.push(`  base: ${quote(meta.base)},`);
    if (meta.subtypes) this.lines.push(...this.stringArray('subtypes', meta.subtypes, 1));
    if (meta.response) this.lines.push(`  response: ${quote(meta.response)},`);
    if (meta.family !== undefined) this.lines.push(`  family: ${quote(meta.family)},`);
    if (meta.version !== undefined) this.lines.push(`  version: ${quote(meta.version)},`);
    this.lines.push(...this.particleArray('content', meta.content, 1));
    if (meta.attrs) {
      this.lines.push('  attrs: [');
      for (const a of meta.attrs) this.lines.push(`    ${this.attributeLiteral(a)},`);
      this.lines.push('  ],');
    }
    this.lines.push(`  file: ${quote(meta.file)},`, '};', '');
  }

  /** Inherited attributes (`echo`, `requestLocale` on every command) are documented once, on the core type. */
  attributeProp(a: AttributeMeta, owner: string, inherited: boolean): Prop {
    const type = a.fixed !== undefined ? this.literal(a.fixed, a.t, `${owner}/@${a.n}`) : a.t.startsWith('xs:') ? this.tsPrimitive(a.t) : this.ref(a.t);
    return { key: a.n, type, optional: !a.req, doc: inherited ? undefined : this.model.docs.get(a) };
  }

  attributeLiteral(a: AttributeMeta): string {
    const fields = [`n: ${quote(a.n)}`, `t: ${quote(a.t)}`];
    if (a.req) fields.push('req: true');
    if (a.fixed !== undefined) fields.push(`fixed: ${quote(a.fixed)}`);
    if (a.def !== undefined) fields.push(`def: ${quote(a.def)}`);
    return `{ ${fields.join(', ')} }`;
  }

  elementLiteral(el: ElementMeta): string {
    const fields = [`n: ${quote(el.n)}`, `t: ${quote(el.t)}`];
    if (el.min !== undefined) fields.push(`min: ${el.min}`);
    if (el.max !== undefined) fields.push(`max: ${el.max}`);
    if (el.nil) fields.push('nil: true');
    if (el.fixed !== undefined) fields.push(`fixed: ${quote(el.fixed)}`);
    if (el.def !== undefined) fields.push(`def: ${quote(el.def)}`);
    return `{ ${fields.join(', ')} }`;
  }

  /** `name: [ ...particles ],` at depth. */
  particleArray(name: string, particles: readonly Particle[], depth: number): string[] {
    if (particles.length === 0) return [`${pad(depth)}${name}: [],`];
    const out = [`${pad(depth)}${name}: [`];
    for (const p of particles) out.push(...this.particleLines(p, depth + 1));
    out.push(`${pad(depth)}],`);
    return out;
  }

  particleLines(p: Particle, depth: number): string[] {
    if ('n' in p) return [`${pad(depth)}${this.elementLiteral(p)},`];
    const out = [`${pad(depth)}{`];
    if ('choice' in p) out.push(...this.particleArray('choice', p.choice, depth + 1));
    else out.push(...this.particleArray('seq', p.seq, depth + 1));
    if (p.min !== undefined) out.push(`${pad(depth + 1)}min: ${p.min},`);
    if (p.max !== undefined) out.push(`${pad(depth + 1)}max: ${p.max},`);
    if ('choice' in p && p.prop !== undefined) out.push(`${pad(depth + 1)}prop: ${quote(p.prop)},`);
    out.push(`${pad(depth)}},`);
    return out;
  }

  stringArray(name: string, values: readonly string[], depth: number): string[] {
    const quoted = values.map(quote);
    const oneLine = `${pad(depth)}${name}: [${quoted.join(', ')}],`;
    if (oneLine.length <= WIDTH) return [oneLine];
    return [`${pad(depth)}${name}: [`, ...quoted.map((q) => `${pad(depth + 1)}${q},`), `${pad(depth)}],`];
  }

  emitSimple(meta: SimpleTypeMeta): void {
    const name = exportName(meta.name);
    const tags = meta.deprecated ? [`@deprecated Declared in ${meta.file}; servers still accept it.`] : [];
    const anonymous = this.model.anonymous.has(meta.name);
    const doc = anonymous
      ? `Anonymous type of \`${meta.name.slice(meta.name.lastIndexOf('_') + 1)}\`.${this.model.docs.get(meta) ? `\n\n${this.model.docs.get(meta)}` : ''}`
      : this.model.docs.get(meta);
    this.lines.push(...docLines(doc, 0, tags));
    const values = meta.facets?.enumeration;
    if (values && values.length > 0) {
      const literals = [...new Set(values.map((v) => this.literal(v, meta.base, meta.name)))];
      const oneLine = `export type ${name} = ${literals.join(' | ')};`;
      if (oneLine.length <= WIDTH) this.lines.push(oneLine);
      else {
        this.lines.push(`export type ${name} =`);
        literals.forEach((l, i) => this.lines.push(`  | ${l}${i === literals.length - 1 ? ';' : ''}`));
      }
    } else {
      this.lines.push(`export type ${name} = ${this.tsPrimitive(meta.base)};`);
    }
    this.lines.push(`export const ${name}: $Simple<${name}> = {`);
    this.lines.push(`  kind: 'simple',`, `  name: ${quote(meta.name)},`);
    if (meta.ns) this.lines.push(`  ns: 'C',`);
    this.lines.push(`  base: ${quote(meta.base)},`);
    if (meta.facets) this.lines.push(...this.facetLines(meta.facets));
    if (meta.deprecated) this.lines.push('  deprecated: true,');
    this.lines.push(`  file: ${quote(meta.file)},`, '};', '');
  }

  facetLines(f: Facets): string[] {
    const out = ['  facets: {'];
    for (const key of ['length', 'minLength', 'maxLength', 'minInclusive', 'maxInclusive', 'minExclusive', 'maxExclusive'] as const) {
      const v = f[key];
      if (v !== undefined) out.push(`    ${key}: ${v},`);
    }
    if (f.pattern) out.push(...this.stringArray('pattern', f.pattern, 2));
    if (f.enumeration) out.push(...this.stringArray('enumeration', f.enumeration, 2));
    if (f.whiteSpace) out.push(`    whiteSpace: ${quote(f.whiteSpace)},`);
    out.push('  },');
    return out;
  }
}

function importLines(imports: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const out: string[] = [];
  for (const mod of [...imports.keys()].sort(compareStrings)) {
    const names = [...imports.get(mod)!].sort(compareStrings);
    const oneLine = `import type { ${names.join(', ')} } from './${mod}.js';`;
    if (oneLine.length <= WIDTH) out.push(oneLine);
    else out.push('import type {', ...names.map((n) => `  ${n},`), `} from './${mod}.js';`);
  }
  return out;
}

/** Type keys a type refers to (element, attribute and base types; not built-ins). */
function referencedKeys(meta: TypeMeta): string[] {
  if (meta.kind === 'simple') return [];
  const out: string[] = [];
  const walk = (list: readonly Particle[]) => {
    for (const p of list) {
      if ('n' in p) out.push(p.t);
      else walk('seq' in p ? p.seq : p.choice);
    }
  };
  walk(meta.content);
  for (const a of meta.attrs ?? []) out.push(a.t);
  if (meta.base) out.push(meta.base);
  for (const s of meta.subtypes ?? []) out.push(s);
  return out.filter((k) => !k.startsWith('xs:'));
}

/** The generated file set of one release: module name + `.ts` → content. */
export function emitOciRelease(model: OciModel, options: EmitOptions): Map<string, string> {
  // Module of every type, and the modules in file order.
  const moduleOf = new Map<string, string>();
  const typesByModule = new Map<string, TypeMeta[]>();
  const fileOfModule = new Map<string, string>();
  for (const file of model.files) {
    const mod = moduleNameOf(file);
    if (mod === 'index' || fileOfModule.has(mod)) {
      throw new ThorsHammerError(
        'TH_ERR_CODEGEN_NAME_CLASH',
        `XSD files ${fileOfModule.get(mod) ?? '(index)'} and ${file} map to the same module name ${mod}`,
        {
          context: { file, module: mod },
        },
      );
    }
    fileOfModule.set(mod, file);
    typesByModule.set(mod, []);
  }
  const exportNames = new Map<string, string>();
  for (const meta of model.types.values()) {
    const mod = moduleNameOf(meta.file);
    moduleOf.set(meta.name, mod);
    typesByModule.get(mod)!.push(meta);
    const exp = exportName(meta.name);
    if (exportNames.has(exp)) {
      throw new ThorsHammerError('TH_ERR_CODEGEN_NAME_CLASH', `types ${exportNames.get(exp)} and ${meta.name} have the same export name ${exp}`, {
        context: { type: meta.name },
      });
    }
    exportNames.set(exp, meta.name);
  }

  const files = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const [mod, metas] of typesByModule) {
    const emitter = new ModuleEmitter(model, moduleOf, mod);
    const depSet = new Set<string>();
    for (const meta of metas) {
      if (meta.kind === 'complex') emitter.emitComplex(meta);
      else emitter.emitSimple(meta);
      for (const key of referencedKeys(meta)) {
        depSet.add(moduleOf.get(key)!);
        // Loading a module's deps must make every type its values can contain available,
        // including the concrete subtypes of abstract element types.
        const target = model.types.get(key);
        if (target?.kind === 'complex' && target.subtypes) for (const s of target.subtypes) depSet.add(moduleOf.get(s)!);
      }
    }
    depSet.delete(mod);
    deps.set(mod, [...depSet].sort(compareStrings));
    const head = [generatedHeader(GENERATOR, `${options.source}/${fileOfModule.get(mod)}`).trimEnd()];
    const usesComplex = metas.some((m) => m.kind === 'complex');
    const usesSimple = metas.some((m) => m.kind === 'simple');
    const metaNames = [usesComplex ? 'ComplexType as $Complex' : '', usesSimple ? 'SimpleType as $Simple' : ''].filter(Boolean);
    const body: string[] = [...head, ''];
    if (metaNames.length > 0) body.push(`import type { ${metaNames.join(', ')} } from '${options.metaImport}';`);
    body.push(...importLines(emitter.imports));
    if (body.length > head.length + 1) body.push('');
    if (metas.length === 0) body.push(`// ${fileOfModule.get(mod)} declares no types of its own (it only includes other files).`, 'export {};', '');
    body.push(...emitter.lines);
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    files.set(`${mod}.ts`, `${body.join('\n')}\n`);
  }
  files.set('index.ts', emitIndex(model, options, moduleOf, deps, fileOfModule));
  return files;
}

function camelModule(mod: string): string {
  return mod.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function emitIndex(
  model: OciModel,
  options: EmitOptions,
  moduleOf: ReadonlyMap<string, string>,
  deps: ReadonlyMap<string, string[]>,
  fileOfModule: ReadonlyMap<string, string>,
): string {
  const modules = [...fileOfModule.keys()].sort(compareStrings);
  const alias = new Map(modules.map((m) => [m, camelModule(m)]));
  const typeRef = (key: string) => `${alias.get(moduleOf.get(key)!)}.${exportName(key)}`;
  const usedModules = new Set<string>();
  const use = (key: string) => {
    usedModules.add(moduleOf.get(key)!);
    return typeRef(key);
  };
  const success = model.types.has('SuccessResponse') ? 'SuccessResponse' : undefined;

  const requestLines = model.requests.map((k) => `  ${propertyKey(k)}: ${use(k)};`);
  const responseLines = model.requests.map((k) => {
    const meta = model.types.get(k) as ComplexTypeMeta;
    const target = meta.response ?? success;
    return `  ${propertyKey(k)}: ${target ? use(target) : 'never'};`;
  });
  const latestLines = [...model.latest.entries()].map(([family, key]) => `  ${propertyKey(family)}: ${use(key)};`);

  const out: string[] = [generatedHeader(GENERATOR, `${options.source}/OCISchemaAS.xsd`).trimEnd(), ''];
  out.push(`import type { ReleaseIndex } from '${options.metaImport}';`);
  for (const m of modules) if (usedModules.has(m)) out.push(`import type * as ${alias.get(m)} from './${m}.js';`);
  out.push('');
  out.push(`/** The lazily loading dispatch table of OCI-P release ${model.release}. */`);
  out.push('export const index: ReleaseIndex = {');
  out.push(`  release: ${quote(model.release)},`);
  out.push('  modules: {');
  for (const m of modules) {
    const depList = deps.get(m) ?? [];
    const oneLine = `    ${quote(m)}: { load: () => import('./${m}.js'), deps: [${depList.map(quote).join(', ')}] },`;
    if (oneLine.length <= WIDTH) out.push(oneLine);
    else {
      out.push(`    ${quote(m)}: {`, `      load: () => import('./${m}.js'),`, '      deps: [');
      for (const d of depList) out.push(`        ${quote(d)},`);
      out.push('      ],', '    },');
    }
  }
  out.push('  },');
  out.push('  types: {');
  for (const key of [...model.types.keys()].sort(compareStrings)) out.push(`    ${propertyKey(key)}: ${quote(moduleOf.get(key)!)},`);
  out.push('  },');
  out.push('  latest: {');
  for (const [family, key] of model.latest) out.push(`    ${propertyKey(family)}: ${quote(key)},`);
  out.push('  },');
  out.push('  counts: {');
  out.push(`    requests: ${model.counts.requests},`);
  out.push(`    dataResponses: ${model.counts.dataResponses},`);
  out.push(`    complexTypes: ${model.counts.complexTypes},`);
  out.push(`    simpleTypes: ${model.counts.simpleTypes},`);
  out.push('  },');
  out.push('};');
  out.push('');
  out.push('/** Request type key → its TypeScript shape. */');
  out.push('export interface Requests {', ...requestLines, '}');
  out.push('');
  out.push('/** Request type key → the shape of its answer (the paired data response, else SuccessResponse). */');
  out.push('export interface ResponseOf {', ...responseLines, '}');
  out.push('');
  out.push('/** Request family (`UserGetRequest`) → the shape of its latest version in this release. */');
  out.push('export interface Latest {', ...latestLines, '}');
  out.push('');
  out.push('/** Every request type key of this release. */');
  out.push('export type RequestName = keyof Requests;');
  return `${out.join('\n')}\n`;
}
