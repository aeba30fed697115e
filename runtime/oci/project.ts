/**
 * Reshapes a value to a complex type by the schema metadata alone: the members the type declares
 * are kept, everything else is dropped. Used where one type's value feeds another type — a Get
 * response (`UserGetResponse23V2`) as the source of an Add (`UserAddRequest22V2`), whose nested
 * types declare fewer members (`…EndpointRead22V2` has `staticRegistrationCapable`, `…EndpointAdd22V2`
 * has not). Values are not checked or coerced here: the builder and validator do that afterwards.
 */
import type { AttributeMeta, ComplexTypeMeta, ElementMeta, Particle } from './meta.js';
import { derivesFrom, findMember, type OciSchema } from './schema.js';
import { isPlainObject } from './values.js';

/** The projected value and the paths (`accessDeviceEndpoint.useDomain`, `contact[1].x`) of every member dropped. */
export interface Projection {
  value: Record<string, unknown>;
  dropped: string[];
}

/**
 * Projects `value` onto complex type `typeKey`: keeps its attributes, its elements (those of its
 * choices and sequences too) and its repeating choices' items; a nested complex value is projected
 * onto its element's type (or onto the subtype its `$type` names, when that derives from it), a list
 * item by item. A top-level `$type` is dropped (the target is another type). The types must be
 * loaded (`schema.ensure(typeKey)` loads everything below it).
 */
export function projectOntoType(schema: OciSchema, typeKey: string, value: Record<string, unknown>): Projection {
  const meta = schema.complexType(typeKey);
  const dropped: string[] = [];
  const projected = projectMembers(schema, meta.content, meta.attrs ?? [], value, '', dropped);
  return { value: projected, dropped };
}

function projectMembers(
  schema: OciSchema,
  content: readonly Particle[],
  attrs: readonly AttributeMeta[],
  value: Record<string, unknown>,
  path: string,
  dropped: string[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || key === '$type') continue;
    // Paths are only made when someone keeps the dropped list (the mock's answers do not).
    const memberPath = dropped === undefined ? '' : path === '' ? key : `${path}.${key}`;
    const declared = findMember(content, attrs, key);
    if (!declared) dropped?.push(memberPath);
    else if (declared.kind === 'attribute') out[key] = member;
    else if (declared.kind === 'element')
      out[key] = eachItem(member, memberPath, (item, itemPath) => projectElement(schema, declared.element, item, itemPath, dropped));
    else {
      const branches = declared.choice.choice;
      out[key] = eachItem(member, memberPath, (item, itemPath) => (isPlainObject(item) ? projectMembers(schema, branches, [], item, itemPath, dropped) : item));
    }
  }
  return out;
}

/** A list item by item (paths `name[i]`), a single value as it is. */
function eachItem(value: unknown, path: string, project: (item: unknown, path: string) => unknown): unknown {
  return Array.isArray(value) ? value.map((item, i) => project(item, path === '' ? '' : `${path}[${i}]`)) : project(value, path);
}

/** An element's value (a list item by item) projected onto the element's type, without the dropped list: see {@link projectOntoType}. */
export function projectElementValue(schema: OciSchema, element: ElementMeta, value: unknown): unknown {
  return eachItem(value, '', (item) => projectElement(schema, element, item, '', undefined));
}

/** A complex element's value onto its type (or the derived type its `$type` names); anything else is kept for the validator to judge. */
function projectElement(schema: OciSchema, element: ElementMeta, value: unknown, path: string, dropped: string[] | undefined): unknown {
  if (!isPlainObject(value) || element.t.startsWith('xs:') || schema.type(element.t).kind !== 'complex') return value;
  const declared = schema.complexType(element.t);
  const named = value.$type;
  let actual: ComplexTypeMeta = declared;
  if (typeof named === 'string' && named !== declared.name) {
    if (schema.isLoaded(named) && schema.type(named).kind === 'complex' && derivesFrom(schema, named, declared.name)) actual = schema.complexType(named);
    else dropped?.push(`${path}.$type`);
  }
  const out = projectMembers(schema, actual.content, actual.attrs ?? [], value, path, dropped);
  // A subtype keeps its `$type`: it picks the xsi:type.
  return actual !== declared ? { $type: actual.name, ...out } : out;
}
