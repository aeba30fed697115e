/**
 * The part of a release model that `hammer oci describe` and `oci diff` read, and how to get it
 * from either source: the XSDs (through the generator's model) or the generated bindings' own
 * descriptors (what the installed package ships: no XSDs needed). Both give the same view;
 * only documentation, which describe/diff do not show, exists in the XSDs alone.
 */
import { OciSchema } from '../../runtime/oci/schema.js';
import type { Particle, TypeMeta } from '../../runtime/oci/meta.js';
import { compareStrings } from '../common/writer.js';
import type { OciModel } from './model.js';

export type OciModelView = Pick<OciModel, 'release' | 'types' | 'anonymous' | 'spellings' | 'requests' | 'dataResponses' | 'latest'>;

function forEachElement(particles: readonly Particle[], visit: (el: Extract<Particle, { n: string }>) => void): void {
  for (const p of particles) {
    if ('n' in p) visit(p);
    else forEachElement('seq' in p ? p.seq : p.choice, visit);
  }
}

/**
 * The view of a fully loaded schema. Anonymous types are the ones named `<Owner>_<member>` that
 * the member of that owner uses (the generator's naming rule, which it keeps free of clashes);
 * XSD spellings come from `ElementMeta.spelled`.
 */
export function modelViewOfSchema(schema: OciSchema): OciModelView {
  const types = new Map<string, TypeMeta>();
  for (const key of Object.keys(schema.index.types).sort(compareStrings)) types.set(key, schema.type(key));
  const anonymous = new Set<string>();
  const spellings = new Map<object, string>();
  const requests: string[] = [];
  const dataResponses: string[] = [];
  for (const [key, meta] of types) {
    if (meta.kind !== 'complex') continue;
    const member = (name: string, type: string) => {
      if (type === `${key}_${name}` && types.has(type)) anonymous.add(type);
    };
    forEachElement(meta.content, (el) => {
      member(el.n, el.t);
      if (el.spelled !== undefined) spellings.set(el, el.spelled);
    });
    for (const a of meta.attrs ?? []) member(a.n, a.t);
    if (meta.role === 'request') requests.push(key);
    else if (meta.role === 'response' && meta.family !== undefined) dataResponses.push(key);
  }
  return {
    release: schema.release,
    types,
    anonymous,
    spellings,
    requests,
    dataResponses,
    latest: new Map(Object.entries(schema.index.latest)),
  };
}

/** Loads a release's generated bindings (every module) and returns their view. */
export async function loadModelViewFromBindings(release: string, generatedDir?: string): Promise<OciModelView> {
  return modelViewOfSchema(await OciSchema.load(release, { generatedDir, eager: true }));
}
