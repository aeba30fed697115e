import type { ComplexTypeMeta, ElementMeta, Particle } from '../meta.js';
import type { OciSchema } from '../schema.js';

/**
 * Metadata look-ups behind `OciClient.pages()`: which requests take `responsePagingControl`
 * (oci-protocol.md §2.16: 1-based start index, page size 1..2000) and which response
 * elements are tables (typed `C:OCITable`, never guessed from the name).
 */

/** Largest page the schema allows (`ResponsePageSize` maxInclusive). */
export const MAX_PAGE_SIZE = 2000;

/** Every element of a content model, depth first, choices and sequences included. */
export function* elementsOf(content: readonly Particle[]): Generator<ElementMeta> {
  for (const particle of content) {
    if ('n' in particle) yield particle;
    else if ('choice' in particle) yield* elementsOf(particle.choice);
    else yield* elementsOf(particle.seq);
  }
}

function complexType(schema: OciSchema, typeKey: string): ComplexTypeMeta | undefined {
  const meta = schema.type(typeKey);
  return meta.kind === 'complex' ? meta : undefined;
}

/** True when the request type has a `responsePagingControl` element. */
export function supportsPaging(schema: OciSchema, requestType: string): boolean {
  const meta = complexType(schema, requestType);
  return meta !== undefined && [...elementsOf(meta.content)].some((e) => e.n === 'responsePagingControl');
}

/** Names of the elements of a response type that hold an OCITable, in schema order. */
export function tableElementsOf(schema: OciSchema, responseType: string): string[] {
  const meta = complexType(schema, responseType);
  if (!meta) return [];
  return [...elementsOf(meta.content)].filter((e) => e.t === 'OCITable' || e.t === 'C:OCITable').map((e) => e.n);
}
