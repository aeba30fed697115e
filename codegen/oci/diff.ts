/**
 * Compares two releases' models: requests added and removed, and types that keep their
 * name but change their structural content (documentation and file location are ignored;
 * anonymous types are compared as part of their owner).
 */
import type { AttributeMeta, Particle, TypeMeta } from '../../runtime/oci/meta.js';
import { compareStrings } from '../common/writer.js';
import type { OciModelView } from './model-view.js';

export interface OciReleaseDiff {
  readonly from: string;
  readonly to: string;
  readonly requestsAdded: readonly string[];
  readonly requestsRemoved: readonly string[];
  readonly dataResponsesAdded: readonly string[];
  readonly dataResponsesRemoved: readonly string[];
  /** Named types present in both releases whose structure differs, sorted. */
  readonly changed: readonly ChangedType[];
}

export interface ChangedType {
  readonly name: string;
  readonly kind: 'complex' | 'simple';
  /**
   * Set when the only difference is an element name one release's XSD spelled with
   * surrounding whitespace (R24: `permissiveOACDialing `). The generator collapses such
   * names, as xs:NCName requires, so the wire format did not change.
   */
  readonly whitespaceOnly?: readonly string[];
}

/** A canonical JSON form of a type's structure, with anonymous types expanded in place. */
export function structuralSignature(model: OciModelView, key: string, spelled = false): string {
  return JSON.stringify(structure(model, model.types.get(key)!, spelled));
}

/** `spelled`: compare element names as the XSD text spells them rather than collapsed. */
function structure(model: OciModelView, meta: TypeMeta, spelled: boolean): unknown {
  if (meta.kind === 'simple') return { kind: 'simple', base: meta.base, facets: meta.facets ?? {} };
  const typeOf = (t: string): unknown => (model.anonymous.has(t) ? structure(model, model.types.get(t)!, spelled) : t);
  const particle = (p: Particle): unknown => {
    if ('n' in p)
      return {
        n: spelled ? (model.spellings.get(p) ?? p.n) : p.n,
        t: typeOf(p.t),
        min: p.min ?? 1,
        max: p.max ?? 1,
        nil: p.nil ?? false,
        fixed: p.fixed ?? null,
        def: p.def ?? null,
      };
    if ('seq' in p) return { seq: p.seq.map(particle), min: p.min ?? 1, max: p.max ?? 1 };
    return { choice: p.choice.map(particle), min: p.min ?? 1, max: p.max ?? 1 };
  };
  const attr = (a: AttributeMeta) => ({ n: a.n, t: typeOf(a.t), req: a.req ?? false, fixed: a.fixed ?? null, def: a.def ?? null });
  return {
    kind: 'complex',
    abstract: meta.abstract ?? false,
    base: meta.base ?? null,
    content: meta.content.map(particle),
    attrs: (meta.attrs ?? []).map(attr),
  };
}

/** The XSD spellings of element names in a type (anonymous parts included) that were collapsed. */
function respelledNames(model: OciModelView, key: string): string[] {
  const out: string[] = [];
  const visit = (meta: TypeMeta) => {
    if (meta.kind === 'simple') return;
    const walk = (p: Particle): void => {
      if ('n' in p) {
        const spelled = model.spellings.get(p);
        if (spelled !== undefined) out.push(spelled);
        if (model.anonymous.has(p.t)) visit(model.types.get(p.t)!);
      } else for (const q of 'seq' in p ? p.seq : p.choice) walk(q);
    };
    meta.content.forEach(walk);
  };
  visit(model.types.get(key)!);
  return out;
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((x) => !other.has(x)).sort(compareStrings);
}

export function diffOciModels(from: OciModelView, to: OciModelView): OciReleaseDiff {
  const changed: ChangedType[] = [];
  for (const [key, meta] of to.types) {
    if (to.anonymous.has(key)) continue;
    const before = from.types.get(key);
    if (!before || from.anonymous.has(key)) continue;
    if (before.kind !== meta.kind || structuralSignature(from, key, true) !== structuralSignature(to, key, true)) {
      const whitespaceOnly = before.kind === meta.kind && structuralSignature(from, key) === structuralSignature(to, key);
      changed.push(
        whitespaceOnly
          ? { name: key, kind: meta.kind, whitespaceOnly: respelledNames(from, key).concat(respelledNames(to, key)) }
          : { name: key, kind: meta.kind },
      );
    }
  }
  changed.sort((a, b) => compareStrings(a.name, b.name));
  return {
    from: from.release,
    to: to.release,
    requestsAdded: minus(to.requests, from.requests),
    requestsRemoved: minus(from.requests, to.requests),
    dataResponsesAdded: minus(to.dataResponses, from.dataResponses),
    dataResponsesRemoved: minus(from.dataResponses, to.dataResponses),
    changed,
  };
}
