import type { ChoiceMeta, ElementMeta, Facets, Particle } from './meta.js';
import { type OciSchema, builtinOf, isRepeatingChoice, isSimpleType } from './schema.js';

/**
 * Lists the field paths of a request in the path grammar of the request builder
 * (`address.city`, `alias[1]`, `a.b[2].c`; indices written 0-based): the columns of a bulk
 * template, or the completions of a field editor. Driven by the metadata only.
 */

export interface FieldPath {
  /** `address.city`, `sipAliasList.sipAlias[0]`. */
  path: string;
  /** True when the request is invalid without it (required here and in every enclosing element, outside any choice). */
  required: boolean;
  /** The type key of the leaf (`UserId`, `xs:boolean`). */
  type: string;
  /** Its built-in root (`xs:token`, `xs:int`, `xs:boolean`; `xs:anyType` for a flag element). */
  builtin: string;
  facets?: Facets;
  /** The element may be sent as xsi:nil. */
  nillable?: boolean;
  /** Set when the path lies in a choice branch: which choice (numbered in document order) and which branch (1-based). */
  choice?: { id: number; branch: number; of: number };
}

export interface FieldPathOptions {
  /** Deepest nesting listed (default 3 levels of complex elements below the request). */
  maxDepth?: number;
  /** Repeats listed for a list element (default 2; capped by maxOccurs). */
  maxRepeats?: number;
  /** Lift the limits (depth 12; repeats up to maxOccurs, 10 for unbounded lists). */
  all?: boolean;
}

/** Every field path of a complex type (usually a request), required ones first, then in schema order. */
export function fieldPaths(schema: OciSchema, typeKey: string, options: FieldPathOptions = {}): FieldPath[] {
  const maxDepth = options.all ? 12 : (options.maxDepth ?? 3);
  const maxRepeats = options.all ? 10 : (options.maxRepeats ?? 2);
  const out: FieldPath[] = [];
  let choices = 0;

  const walkType = (type: string, prefix: string, depth: number, required: boolean, choice: FieldPath['choice']) => {
    const meta = schema.complexType(type);
    if (meta.abstract) return; // polymorphic: the concrete type's fields depend on the chosen $type
    for (const particle of meta.content) walkParticle(particle, prefix, depth, required, choice);
  };

  const walkParticle = (p: Particle, prefix: string, depth: number, required: boolean, choice: FieldPath['choice']) => {
    if ('n' in p) return walkElement(p, prefix, depth, required, choice);
    if ('seq' in p) {
      for (const c of p.seq) walkParticle(c, prefix, depth, required && (p.min ?? 1) >= 1, choice);
      return;
    }
    const c = p as ChoiceMeta;
    if (isRepeatingChoice(c)) return; // a list of branch objects: no flat column form
    const id = ++choices;
    c.choice.forEach((branch, i) => walkParticle(branch, prefix, depth, false, choice ?? { id, branch: i + 1, of: c.choice.length }));
  };

  const walkElement = (e: ElementMeta, prefix: string, depth: number, required: boolean, choice: FieldPath['choice']) => {
    if (e.fixed !== undefined) return;
    const max = e.max ?? 1;
    const repeats = max === 1 ? 1 : Math.min(max === -1 ? maxRepeats : max, maxRepeats);
    const isRequired = required && (e.min ?? 1) >= 1;
    for (let i = 0; i < repeats; i++) {
      const name = max === 1 ? e.n : `${e.n}[${i}]`;
      const path = prefix ? `${prefix}.${name}` : name;
      const needed = isRequired && i < (e.min ?? 1);
      if (e.t === 'xs:anyType' || isSimpleType(schema, e.t)) {
        const facets = e.t.startsWith('xs:') ? undefined : (schema.type(e.t) as { facets?: Facets }).facets;
        out.push({
          path,
          required: needed,
          type: e.t,
          builtin: builtinOf(schema, e.t),
          ...(facets ? { facets } : {}),
          ...(e.nil ? { nillable: true } : {}),
          ...(choice ? { choice } : {}),
        });
      } else if (depth < maxDepth) {
        walkType(e.t, path, depth + 1, needed, choice);
      }
    }
  };

  walkType(typeKey, '', 0, true, undefined);
  return [...out.filter((f) => f.required), ...out.filter((f) => !f.required)];
}

/** A short human hint for a column: `#string 1..80`, `#boolean`, `#enum Regular|Circular`, plus `required`, `nil ok`, `choice 1.2`. */
export function fieldHint(field: FieldPath): string {
  const f = field.facets;
  const base = field.builtin.replace(/^xs:/, '');
  let text: string;
  if (f?.enumeration) text = `enum ${f.enumeration.join('|')}`;
  else if (base === 'anyType') text = 'flag (any text)';
  else {
    const range =
      f?.minLength !== undefined || f?.maxLength !== undefined
        ? ` ${f?.minLength ?? 0}..${f?.maxLength ?? ''}`
        : f?.minInclusive !== undefined || f?.maxInclusive !== undefined
          ? ` ${f?.minInclusive ?? ''}..${f?.maxInclusive ?? ''}`
          : f?.length !== undefined
            ? ` length ${f.length}`
            : '';
    text = `${base === 'token' || base === 'string' || base === 'normalizedString' ? 'string' : base}${range}`;
  }
  const notes = [
    field.required ? 'required' : '',
    field.nillable ? 'nil ok' : '',
    field.choice ? `choice ${field.choice.id}.${field.choice.branch}/${field.choice.of}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `#${text}${notes ? ` (${notes})` : ''}`;
}
