/**
 * Renders one type of a release model as a readable tree (for `hammer oci describe`):
 * fields in wire order with type, occurrence, nillability, choice groups and facets;
 * anonymous types are expanded in place.
 */
import { ThorsHammerError } from '../../runtime/errors.js';
import type { AttributeMeta, ComplexTypeMeta, ElementMeta, Facets, Particle, SimpleTypeMeta } from '../../runtime/oci/meta.js';
import { compareStrings } from '../common/writer.js';
import type { OciModelView } from './model-view.js';

/**
 * Finds the type to describe: a family name (`UserGetRequest`) resolves to the family's latest
 * version unless `exact` is set; otherwise the exact type key. Unknown names raise
 * `TH_ERR_OCI_UNKNOWN_TYPE` with a few close names as hints.
 */
export function resolveTypeName(model: OciModelView, name: string, exact = false): { key: string; viaFamily?: string } {
  if (!exact && model.latest.has(name)) return { key: model.latest.get(name)!, viaFamily: name };
  if (model.types.has(name)) return { key: name };
  const lower = name.toLowerCase();
  const hints = [...model.types.keys()]
    .filter((k) => k.toLowerCase() === lower || k.toLowerCase().startsWith(lower))
    .sort((a, b) => a.length - b.length || compareStrings(a, b))
    .slice(0, 5);
  throw new ThorsHammerError(
    'TH_ERR_OCI_UNKNOWN_TYPE',
    `no type or request family named "${name}" in OCI-P release ${model.release}${hints.length ? ` (did you mean ${hints.join(', ')}?)` : ''}`,
    { context: { name, release: model.release, hints } },
  );
}

function occurrence(min = 1, max = 1): string {
  if (min === 1 && max === 1) return 'required';
  if (min === 0 && max === 1) return 'optional';
  return `[${min}..${max === -1 ? 'n' : max}]`;
}

/** `token, minLength 1, maxLength 80` or the enumeration values. */
export function describeFacets(meta: SimpleTypeMeta): string {
  const parts: string[] = [meta.base];
  const f: Facets = meta.facets ?? {};
  for (const key of ['length', 'minLength', 'maxLength', 'minInclusive', 'maxInclusive', 'minExclusive', 'maxExclusive'] as const) {
    if (f[key] !== undefined) parts.push(`${key} ${f[key]}`);
  }
  if (f.pattern) parts.push(...f.pattern.map((p) => `pattern ${p}`));
  if (f.whiteSpace) parts.push(`whiteSpace ${f.whiteSpace}`);
  if (f.enumeration) parts.push(`one of ${f.enumeration.map((v) => JSON.stringify(v)).join(' | ')}`);
  return parts.join(', ');
}

/** Lines describing `key` (without trailing newline). */
export function describeType(model: OciModelView, key: string): string[] {
  const meta = model.types.get(key);
  if (!meta) throw new ThorsHammerError('TH_ERR_OCI_UNKNOWN_TYPE', `no type named "${key}" in OCI-P release ${model.release}`, { context: { name: key } });
  const out: string[] = [];
  const flags = [
    meta.kind === 'complex' ? (meta.role ?? 'data type') : 'simple type',
    meta.deprecated ? 'deprecated' : '',
    meta.kind === 'complex' && meta.abstract ? 'abstract' : '',
  ]
    .filter(Boolean)
    .join(', ');
  out.push(`${key}  (${flags}; ${model.release} ${meta.file})`);
  if (meta.kind === 'simple') {
    out.push(`  ${describeFacets(meta)}`);
    return out;
  }
  if (meta.base) out.push(`  base: ${meta.base}`);
  if (meta.family !== undefined) {
    const latest = model.latest.get(meta.family);
    out.push(
      `  family: ${meta.family}, version ${meta.version === '' ? '(none)' : meta.version}${latest === key ? ' (latest)' : latest ? `; latest is ${latest}` : ''}`,
    );
  }
  if (meta.role === 'request') out.push(`  answered by: ${meta.response ?? 'SuccessResponse or ErrorResponse'}`);
  if (meta.subtypes) out.push(`  concrete subtypes (sent with xsi:type): ${meta.subtypes.join(', ')}`);
  for (const a of meta.attrs ?? []) out.push(`  @${attributeLine(model, a)}`);
  if (meta.content.length === 0) out.push('  (no elements)');
  else out.push(...particleLines(model, meta.content, 1, new Set([key])));
  return out;
}

function attributeLine(model: OciModelView, a: AttributeMeta): string {
  const parts = [a.n, typeLabel(model, a.t), a.req ? 'required' : 'optional'];
  if (a.fixed !== undefined) parts.push(`fixed ${JSON.stringify(a.fixed)}`);
  if (a.def !== undefined) parts.push(`default ${JSON.stringify(a.def)}`);
  return parts.join('  ');
}

function typeLabel(model: OciModelView, t: string): string {
  if (t === 'xs:anyType') return '(untyped flag)';
  const meta = model.types.get(t);
  if (meta?.kind === 'simple') return `${t} [${describeFacets(meta)}]`;
  if (meta?.kind === 'complex' && meta.abstract && meta.subtypes) return `${t} (abstract: ${meta.subtypes.join(' | ')})`;
  return t;
}

function elementLine(model: OciModelView, el: ElementMeta): string {
  const parts = [el.n, model.anonymous.has(el.t) ? '(anonymous)' : typeLabel(model, el.t), occurrence(el.min, el.max)];
  if (el.nil) parts.push('nillable');
  if (el.fixed !== undefined) parts.push(`fixed ${JSON.stringify(el.fixed)}`);
  if (el.def !== undefined) parts.push(`default ${JSON.stringify(el.def)}`);
  return parts.join('  ');
}

function particleLines(model: OciModelView, particles: readonly Particle[], depth: number, seen: Set<string>): string[] {
  const pad = '  '.repeat(depth);
  const out: string[] = [];
  for (const p of particles) {
    if ('n' in p) {
      out.push(`${pad}${elementLine(model, p)}`);
      const anon = model.anonymous.has(p.t) ? model.types.get(p.t) : undefined;
      if (anon?.kind === 'complex' && !seen.has(p.t)) out.push(...particleLines(model, (anon as ComplexTypeMeta).content, depth + 1, new Set([...seen, p.t])));
    } else if ('choice' in p) {
      const max = p.max ?? 1;
      const label =
        max === -1 || max > 1
          ? `choice, repeated ${occurrence(p.min, p.max)} as "${p.prop}"`
          : (p.min ?? 1) === 0
            ? 'choice (at most one)'
            : 'choice (exactly one)';
      out.push(`${pad}${label}:`);
      for (const branch of p.choice) {
        const lines = particleLines(model, [branch], depth + 2, seen);
        if (lines.length > 0) lines[0] = `${pad}  | ${lines[0]!.trimStart()}`;
        out.push(...lines);
      }
    } else {
      const occurs = occurrence(p.min, p.max);
      if (occurs === 'required') out.push(...(depth > 1 ? [`${pad}sequence:`] : []), ...particleLines(model, p.seq, depth + (depth > 1 ? 1 : 0), seen));
      else out.push(`${pad}sequence ${occurs}:`, ...particleLines(model, p.seq, depth + 1, seen));
    }
  }
  return out;
}
