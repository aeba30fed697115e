/**
 * Stage 1 of the OCI-P generator: reads an XSD set starting from its root file
 * (`OCISchemaAS.xsd`) into plain, namespace-resolved declarations. It knows XSD syntax
 * only; classification (requests, responses, families) happens in `model.ts`.
 *
 * - `xs:include` / `xs:import` locations resolve relative to the including file and each
 *   file loads once (the OCI set includes itself in cycles).
 * - QNames resolve with the namespace declarations in scope at the element that uses
 *   them (BASE declares `xmlns="C"` on individual elements). A file without
 *   `targetNamespace` that is included from a namespaced file adopts that namespace
 *   (chameleon include); otherwise its names are in no namespace.
 * - Every construct the reader does not understand raises `TH_ERR_CODEGEN_UNSUPPORTED`
 *   naming the file and the type, so nothing is silently dropped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ThorsHammerError } from '../../runtime/errors.js';

export const XS_NS = 'http://www.w3.org/2001/XMLSchema';
/** The empty string stands for "no namespace". */
export const NO_NS = '';

export interface QName {
  readonly ns: string;
  readonly local: string;
}

export interface RawElement {
  readonly kind: 'element';
  readonly name: string;
  /** Named type; absent when the type is anonymous (`complex`/`simple`) or when the element is untyped. */
  readonly type?: QName;
  readonly complex?: RawComplexType;
  readonly simple?: RawSimpleType;
  readonly min: number;
  /** -1 = unbounded. */
  readonly max: number;
  readonly nillable: boolean;
  readonly fixed?: string;
  readonly default?: string;
  readonly doc?: string;
  /** The name as the XSD spelled it, when that differs from `name` (surrounding whitespace). */
  readonly spelled?: string;
}

export interface RawGroup {
  readonly kind: 'sequence' | 'choice';
  readonly min: number;
  readonly max: number;
  readonly particles: readonly RawParticle[];
}

export type RawParticle = RawElement | RawGroup;

export interface RawAttribute {
  readonly name: string;
  readonly type?: QName;
  readonly simple?: RawSimpleType;
  readonly required: boolean;
  readonly fixed?: string;
  readonly default?: string;
  readonly doc?: string;
}

export interface RawComplexType {
  readonly kind: 'complex';
  /** Absent for anonymous types. */
  readonly name?: string;
  readonly ns: string;
  /** Path of the declaring file relative to the release folder, with `/` separators. */
  readonly file: string;
  readonly abstract: boolean;
  readonly derivation?: 'extension' | 'restriction';
  readonly base?: QName;
  /** The type's own model group (a sequence or a choice), if any. */
  readonly group?: RawGroup;
  readonly attributes: readonly RawAttribute[];
  readonly doc?: string;
}

export interface RawFacets {
  length?: string;
  minLength?: string;
  maxLength?: string;
  minInclusive?: string;
  maxInclusive?: string;
  minExclusive?: string;
  maxExclusive?: string;
  /** Patterns of this one derivation step (to be OR-joined). */
  pattern?: string[];
  enumeration?: string[];
  whiteSpace?: string;
}

export interface RawSimpleType {
  readonly kind: 'simple';
  readonly name?: string;
  readonly ns: string;
  readonly file: string;
  /** Restriction base (named). */
  readonly base?: QName;
  /** Restriction base given as a nested anonymous simple type. */
  readonly inlineBase?: RawSimpleType;
  readonly facets: RawFacets;
  readonly doc?: string;
}

export interface XsdFile {
  /** Relative to the release folder, `/` separators. */
  readonly path: string;
  /** Effective target namespace ('' = none). */
  readonly ns: string;
  /** True for a file of the release folder that no include/import reaches (loaded as an extra root). */
  readonly orphan: boolean;
}

export interface XsdSet {
  readonly rootDir: string;
  /** Files in load order (depth-first from the root). */
  readonly files: readonly XsdFile[];
  /** Named top-level types in load order (anonymous ones hang off their elements). */
  readonly types: readonly (RawComplexType | RawSimpleType)[];
  /** Raw parse time (fast-xml-parser only), for the benchmark's baseline. */
  readonly parseMs: number;
}

/** One parsed XML element, with its in-scope namespace map already computed. */
interface XmlNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  readonly text: string;
  readonly nsMap: ReadonlyMap<string, string>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
});

type FxpNode = Record<string, unknown>;

function toNodes(raw: unknown, parentNs: ReadonlyMap<string, string>): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of raw as FxpNode[]) {
    const tag = Object.keys(item).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag.startsWith('?')) continue;
    const attrs = (item[':@'] as Record<string, string> | undefined) ?? {};
    let nsMap = parentNs;
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) {
        if (nsMap === parentNs) nsMap = new Map(parentNs);
        (nsMap as Map<string, string>).set(k === 'xmlns' ? '' : k.slice(6), v);
      }
    }
    const childRaw = item[tag] as FxpNode[];
    let text = '';
    for (const c of childRaw) if (typeof c['#text'] === 'string') text += c['#text'];
    out.push({ tag, attrs, children: toNodes(childRaw, nsMap), text, nsMap });
  }
  return out;
}

function unsupported(file: string, owner: string, what: string): never {
  throw new ThorsHammerError('TH_ERR_CODEGEN_UNSUPPORTED', `${file}: ${owner}: unsupported XSD construct: ${what}`, {
    context: { file, type: owner, construct: what },
  });
}

function invalid(file: string, message: string, cause?: unknown): never {
  throw new ThorsHammerError('TH_ERR_CODEGEN_SCHEMA', `${file}: ${message}`, { cause, context: { file } });
}

/** Per-file reading state. */
interface FileContext {
  readonly file: string;
  readonly ns: string;
  /** True when the file has no targetNamespace but adopted the includer's (chameleon). */
  readonly chameleon: boolean;
}

/** The local name of an XSD-namespace element, or undefined when the node is not in the XSD namespace. */
function xsdLocal(node: XmlNode): string | undefined {
  const colon = node.tag.indexOf(':');
  const prefix = colon < 0 ? '' : node.tag.slice(0, colon);
  return node.nsMap.get(prefix) === XS_NS ? node.tag.slice(colon + 1) : undefined;
}

function resolveQName(ctx: FileContext, node: XmlNode, value: string, owner: string): QName {
  const colon = value.indexOf(':');
  const prefix = colon < 0 ? '' : value.slice(0, colon);
  const local = value.slice(colon + 1);
  const ns = node.nsMap.get(prefix);
  if (ns === undefined) {
    if (prefix !== '') invalid(ctx.file, `${owner}: undeclared namespace prefix in "${value}"`);
    // No default namespace: the name is in no namespace, or in the includer's for a chameleon file.
    return { ns: ctx.chameleon ? ctx.ns : NO_NS, local };
  }
  return { ns: ns === '' && ctx.chameleon ? ctx.ns : ns, local };
}

function occurs(ctx: FileContext, node: XmlNode, owner: string): { min: number; max: number } {
  const minText = node.attrs.minOccurs ?? '1';
  const maxText = node.attrs.maxOccurs ?? '1';
  const min = Number(minText);
  const max = maxText === 'unbounded' ? -1 : Number(maxText);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || (max !== -1 && max < min)) {
    invalid(ctx.file, `${owner}: bad occurrence minOccurs="${minText}" maxOccurs="${maxText}"`);
  }
  return { min, max };
}

/** Documentation text, dedented, or undefined. */
function documentation(node: XmlNode): string | undefined {
  const parts: string[] = [];
  for (const child of node.children) {
    if (xsdLocal(child) !== 'annotation') continue;
    for (const doc of child.children) {
      if (xsdLocal(doc) === 'documentation') parts.push(dedent(doc.text));
    }
  }
  const text = parts.filter((p) => p !== '').join('\n\n');
  return text === '' ? undefined : text;
}

function dedent(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '  ')
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let indent = Infinity;
  for (const l of lines) if (l !== '') indent = Math.min(indent, l.length - l.trimStart().length);
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

const IGNORED_ATTRS = new Set(['id']);

function checkAttributes(ctx: FileContext, node: XmlNode, owner: string, allowed: readonly string[]): void {
  for (const key of Object.keys(node.attrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:') || IGNORED_ATTRS.has(key) || allowed.includes(key)) continue;
    unsupported(ctx.file, owner, `attribute ${key}="${node.attrs[key]}" on xs:${xsdLocal(node)}`);
  }
}

// A name is an xs:NCName, whose whiteSpace facet is "collapse": R24 has
// name="permissiveOACDialing " and a server sends <permissiveOACDialing>.
function collapsedName(node: XmlNode): string | undefined {
  return node.attrs.name?.trim();
}

function readElement(ctx: FileContext, node: XmlNode, owner: string): RawElement {
  checkAttributes(ctx, node, owner, ['name', 'type', 'minOccurs', 'maxOccurs', 'nillable', 'fixed', 'default']);
  const name = collapsedName(node);
  if (name === undefined) unsupported(ctx.file, owner, 'xs:element without name (ref= is not supported)');
  const where = `${owner}/${name}`;
  let complex: RawComplexType | undefined;
  let simple: RawSimpleType | undefined;
  for (const child of node.children) {
    const local = xsdLocal(child);
    if (local === 'annotation') continue;
    if (local === 'complexType') complex = readComplexType(ctx, child, where, true);
    else if (local === 'simpleType') simple = readSimpleType(ctx, child, where, true);
    else unsupported(ctx.file, owner, `<${child.tag}> inside element ${name}`);
  }
  const type = node.attrs.type === undefined ? undefined : resolveQName(ctx, node, node.attrs.type, where);
  if (type && (complex || simple)) invalid(ctx.file, `${where}: element has both a type attribute and an anonymous type`);
  const nillable = node.attrs.nillable;
  if (nillable !== undefined && nillable !== 'true' && nillable !== 'false') invalid(ctx.file, `${where}: bad nillable="${nillable}"`);
  return {
    kind: 'element',
    name,
    type,
    complex,
    simple,
    ...occurs(ctx, node, where),
    nillable: nillable === 'true',
    fixed: node.attrs.fixed,
    default: node.attrs.default,
    doc: documentation(node),
    ...(node.attrs.name !== name ? { spelled: node.attrs.name } : {}),
  };
}

function readGroup(ctx: FileContext, node: XmlNode, owner: string): RawGroup {
  const kind = xsdLocal(node);
  if (kind !== 'sequence' && kind !== 'choice') unsupported(ctx.file, owner, `<${node.tag}> as a model group`);
  checkAttributes(ctx, node, owner, ['minOccurs', 'maxOccurs']);
  const particles: RawParticle[] = [];
  for (const child of node.children) {
    const local = xsdLocal(child);
    if (local === 'annotation') continue;
    if (local === 'element') particles.push(readElement(ctx, child, owner));
    else if (local === 'sequence' || local === 'choice') particles.push(readGroup(ctx, child, owner));
    else unsupported(ctx.file, owner, `<${child.tag}> inside xs:${kind}`);
  }
  return { kind, ...occurs(ctx, node, owner), particles };
}

function readAttribute(ctx: FileContext, node: XmlNode, owner: string): RawAttribute {
  checkAttributes(ctx, node, owner, ['name', 'type', 'use', 'fixed', 'default']);
  const name = collapsedName(node);
  if (name === undefined) unsupported(ctx.file, owner, 'xs:attribute without name (ref= is not supported)');
  let simple: RawSimpleType | undefined;
  for (const child of node.children) {
    const local = xsdLocal(child);
    if (local === 'annotation') continue;
    if (local === 'simpleType') simple = readSimpleType(ctx, child, `${owner}/@${name}`, true);
    else unsupported(ctx.file, owner, `<${child.tag}> inside attribute ${name}`);
  }
  const use = node.attrs.use ?? 'optional';
  if (use !== 'optional' && use !== 'required') unsupported(ctx.file, owner, `attribute ${name} use="${use}"`);
  return {
    name,
    type: node.attrs.type === undefined ? undefined : resolveQName(ctx, node, node.attrs.type, owner),
    simple,
    required: use === 'required',
    fixed: node.attrs.fixed,
    default: node.attrs.default,
    doc: documentation(node),
  };
}

function readComplexType(ctx: FileContext, node: XmlNode, owner: string, anonymous: boolean): RawComplexType {
  const name = anonymous ? undefined : collapsedName(node);
  const where = name ?? owner;
  checkAttributes(ctx, node, where, anonymous ? [] : ['name', 'abstract']);
  if (!anonymous && name === undefined) invalid(ctx.file, 'top-level xs:complexType without name');
  let group: RawGroup | undefined;
  let derivation: 'extension' | 'restriction' | undefined;
  let base: QName | undefined;
  const attributes: RawAttribute[] = [];
  const readBody = (children: readonly XmlNode[], context: string) => {
    for (const child of children) {
      const local = xsdLocal(child);
      if (local === 'annotation') continue;
      if (local === 'sequence' || local === 'choice') {
        if (group) unsupported(ctx.file, where, `two model groups in ${context}`);
        group = readGroup(ctx, child, where);
      } else if (local === 'attribute') attributes.push(readAttribute(ctx, child, where));
      else unsupported(ctx.file, where, `<${child.tag}> in ${context}`);
    }
  };
  const bodyNodes = node.children.filter((c) => xsdLocal(c) !== 'annotation');
  const complexContent = bodyNodes.find((c) => xsdLocal(c) === 'complexContent');
  if (complexContent) {
    if (bodyNodes.length !== 1) unsupported(ctx.file, where, 'xs:complexContent beside other content');
    checkAttributes(ctx, complexContent, where, []);
    const derivations = complexContent.children.filter((c) => xsdLocal(c) !== 'annotation');
    const derivationNode = derivations[0];
    const kind = derivationNode ? xsdLocal(derivationNode) : undefined;
    if (derivations.length !== 1 || !derivationNode || (kind !== 'extension' && kind !== 'restriction')) {
      unsupported(ctx.file, where, 'xs:complexContent without exactly one xs:extension or xs:restriction');
    }
    checkAttributes(ctx, derivationNode, where, ['base']);
    if (derivationNode.attrs.base === undefined) invalid(ctx.file, `${where}: xs:${kind} without base`);
    derivation = kind;
    base = resolveQName(ctx, derivationNode, derivationNode.attrs.base, where);
    readBody(derivationNode.children, `xs:${kind}`);
  } else {
    readBody(node.children, 'xs:complexType');
  }
  const abstract = node.attrs.abstract;
  if (abstract !== undefined && abstract !== 'true' && abstract !== 'false') invalid(ctx.file, `${where}: bad abstract="${abstract}"`);
  return {
    kind: 'complex',
    name,
    ns: ctx.ns,
    file: ctx.file,
    abstract: abstract === 'true',
    derivation,
    base,
    group,
    attributes,
    doc: documentation(node),
  };
}

const FACETS = new Set([
  'length',
  'minLength',
  'maxLength',
  'minInclusive',
  'maxInclusive',
  'minExclusive',
  'maxExclusive',
  'pattern',
  'enumeration',
  'whiteSpace',
]);

function readSimpleType(ctx: FileContext, node: XmlNode, owner: string, anonymous: boolean): RawSimpleType {
  const name = anonymous ? undefined : collapsedName(node);
  const where = name ?? owner;
  checkAttributes(ctx, node, where, anonymous ? [] : ['name']);
  if (!anonymous && name === undefined) invalid(ctx.file, 'top-level xs:simpleType without name');
  const body = node.children.filter((c) => xsdLocal(c) !== 'annotation');
  const restriction = body[0];
  if (body.length !== 1 || !restriction || xsdLocal(restriction) !== 'restriction') {
    unsupported(ctx.file, where, `simple type content other than one xs:restriction (${body.map((b) => b.tag).join(', ') || 'empty'})`);
  }
  checkAttributes(ctx, restriction, where, ['base']);
  const facets: RawFacets = {};
  let inlineBase: RawSimpleType | undefined;
  for (const child of restriction.children) {
    const local = xsdLocal(child);
    if (local === 'annotation') continue;
    if (local === 'simpleType') {
      inlineBase = readSimpleType(ctx, child, where, true);
      continue;
    }
    if (local === undefined || !FACETS.has(local)) unsupported(ctx.file, where, `<${child.tag}> in xs:restriction`);
    checkAttributes(ctx, child, where, ['value', 'fixed']);
    const value = child.attrs.value;
    if (value === undefined) invalid(ctx.file, `${where}: xs:${local} without value`);
    if (local === 'pattern' || local === 'enumeration') {
      const list = (facets[local] ??= []);
      list.push(value);
    } else {
      if (facets[local as keyof RawFacets] !== undefined) invalid(ctx.file, `${where}: xs:${local} given twice`);
      (facets as Record<string, string>)[local] = value;
    }
  }
  const base = restriction.attrs.base === undefined ? undefined : resolveQName(ctx, restriction, restriction.attrs.base, where);
  if (!base && !inlineBase) invalid(ctx.file, `${where}: xs:restriction without base`);
  return { kind: 'simple', name, ns: ctx.ns, file: ctx.file, base, inlineBase, facets, doc: documentation(node) };
}

/**
 * Reads the XSD set rooted at `rootFile`, following every include and import.
 * Throws `TH_ERR_CODEGEN_SCHEMA` for unreadable files or malformed XML and
 * `TH_ERR_CODEGEN_UNSUPPORTED` for constructs the generator does not handle.
 */
export function readXsdSet(rootFile: string, options: { orphans?: boolean } = {}): XsdSet {
  const rootDir = dirname(resolve(rootFile));
  const files: XsdFile[] = [];
  const types: (RawComplexType | RawSimpleType)[] = [];
  const loaded = new Map<string, string>(); // absolute path → effective namespace
  let parseMs = 0;

  let loadingOrphans = false;
  const load = (absPath: string, includerNs: string | undefined, via: string | undefined) => {
    const rel = relative(rootDir, absPath).split('\\').join('/');
    if (loaded.has(absPath)) return;
    let text: string;
    try {
      text = readFileSync(absPath, 'utf8');
    } catch (error) {
      invalid(via ?? rel, `cannot read schema file ${absPath}`, error);
    }
    const started = performance.now();
    // fast-xml-parser's parser is lenient (a truncated file parses); its validator is not.
    const valid = XMLValidator.validate(text);
    if (valid !== true) invalid(rel, `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`);
    let parsed: unknown;
    try {
      parsed = parser.parse(text);
    } catch (error) {
      invalid(rel, `not well-formed XML: ${(error as Error).message}`, error);
    }
    parseMs += performance.now() - started;
    const nodes = toNodes(parsed, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
    const schema = nodes.find((n) => xsdLocal(n) === 'schema');
    if (!schema) invalid(rel, 'no xs:schema root element');
    const target = schema.attrs.targetNamespace;
    const chameleon = target === undefined && includerNs !== undefined && includerNs !== NO_NS;
    const ctx: FileContext = { file: rel, ns: target ?? (chameleon ? (includerNs as string) : NO_NS), chameleon };
    if (includerNs !== undefined && target !== undefined && target !== includerNs) {
      invalid(via ?? rel, `includes ${rel}, whose targetNamespace "${target}" differs from its own "${includerNs}"`);
    }
    loaded.set(absPath, ctx.ns);
    files.push({ path: rel, ns: ctx.ns, orphan: loadingOrphans });
    for (const child of schema.children) {
      const local = xsdLocal(child);
      const location = child.attrs.schemaLocation;
      if (local === 'include' || local === 'import') {
        if (location === undefined) unsupported(rel, '(schema)', `xs:${local} without schemaLocation`);
        const target = resolve(dirname(absPath), location);
        if (local === 'include') load(target, ctx.ns, rel);
        else load(target, undefined, rel);
        if (local === 'import') {
          const importedNs = loaded.get(target);
          const declared = child.attrs.namespace ?? NO_NS;
          if (importedNs !== declared) invalid(rel, `imports ${location} as namespace "${declared}" but it declares "${importedNs}"`);
        }
      } else if (local === 'complexType') types.push(readComplexType(ctx, child, '(schema)', false));
      else if (local === 'simpleType') types.push(readSimpleType(ctx, child, '(schema)', false));
      else if (local === 'element') {
        // Global elements: only BroadsoftDocument, the document root; the codec handles it directly.
        readElement(ctx, child, '(schema)');
      } else if (local === 'annotation') continue;
      else unsupported(rel, '(schema)', `top-level <${child.tag}>`);
    }
  };

  load(resolve(rootFile), undefined, undefined);
  if (options.orphans) {
    // Some published sets ship files the root never includes (R25: GroupCallQueue,
    // OutlookIntegration, GETSCallingLineIDDeliveryBlocking); load them as extra roots so
    // their types are not lost. They resolve names exactly like included files.
    loadingOrphans = true;
    for (const path of listXsdFiles(rootDir)) load(path, undefined, undefined);
  }
  return { rootDir, files, types, parseMs };
}

/** Every `.xsd` file under `dir`, sorted by relative path (deterministic). */
function listXsdFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.xsd')) out.push(path);
    }
  };
  walk(dir);
  return out;
}
