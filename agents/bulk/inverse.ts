import type { OciCommand } from '../../runtime/oci/codec.js';
import type { ElementMeta } from '../../runtime/oci/meta.js';
import { projectOntoType } from '../../runtime/oci/project.js';
import { type FieldAssignment, buildRequest } from '../../runtime/oci/request-builder.js';
import { allowedKeys, type OciSchema } from '../../runtime/oci/schema.js';

/**
 * Finds related requests by the schema's naming of families, never by a hand-made table:
 * the Get that reads what a Modify or Delete changes (for `--backup`), and the inverse of a
 * row for `undo` (Add ↔ Delete, Modify → Modify with the stored values).
 */

export type RequestKind = 'add' | 'modify' | 'delete' | 'other';

/** What a request does, from its family name's verb (`…AddRequest`, `…ModifyAgentListRequest`, `…DeleteInstanceRequest`). */
export function requestKind(schema: OciSchema, type: string): RequestKind {
  const family = familyOf(schema, type);
  const verb = /(Add|Modify|Delete)(?!.*(Add|Modify|Delete|Get))/.exec(family)?.[1];
  return verb === 'Add' ? 'add' : verb === 'Modify' ? 'modify' : verb === 'Delete' ? 'delete' : 'other';
}

function familyOf(schema: OciSchema, type: string): string {
  return schema.has(type) ? (schema.complexType(type).family ?? type) : type;
}

/** The newest request of the first family that exists among the verb swaps of `type`'s family. */
function sibling(schema: OciSchema, type: string, from: string, to: string): string | undefined {
  const family = familyOf(schema, type);
  const index = family.lastIndexOf(from);
  if (index === -1) return undefined;
  const swapped = family.slice(0, index) + to + family.slice(index + from.length);
  for (const candidate of [swapped, swapped.replace('Consolidated', '')]) {
    const latest = schema.latest(candidate);
    if (latest) return latest;
  }
  return undefined;
}

/** The Get that reads the state a Modify or Delete of this type changes, when the schema has one. */
export function matchingGet(schema: OciSchema, type: string): string | undefined {
  const kind = requestKind(schema, type);
  if (kind === 'modify') return sibling(schema, type, 'Modify', 'Get');
  if (kind === 'delete') return sibling(schema, type, 'Delete', 'Get');
  return undefined;
}

/** Top-level elements of a request (inherited ones included), in order. */
function topElements(schema: OciSchema, type: string): ElementMeta[] {
  const out: ElementMeta[] = [];
  const walk = (particles: readonly unknown[]) => {
    for (const p of particles as Record<string, unknown>[]) {
      if ('n' in p) out.push(p as unknown as ElementMeta);
      else if ('seq' in p) walk(p.seq as unknown[]);
      else if ('choice' in p) walk(p.choice as unknown[]);
    }
  };
  walk(schema.complexType(type).content);
  return out;
}

/** A command of `type` whose top-level fields are copied by name from `sources` (first source that has the field wins). */
export function commandFrom(schema: OciSchema, type: string, sources: readonly Record<string, unknown>[], only?: ReadonlySet<string>) {
  const assignments: FieldAssignment[] = [];
  for (const element of topElements(schema, type)) {
    if (only && !only.has(element.n)) continue;
    const source = sources.find((s) => s[element.n] !== undefined);
    if (source === undefined) continue;
    assignments.push({ path: element.n, value: { kind: 'json', value: source[element.n] }, source: element.n });
  }
  return buildRequest(schema, type, assignments);
}

/** The Get command that reads the before-image of `command`, or undefined. */
export function backupCommand(schema: OciSchema, command: OciCommand): OciCommand | undefined {
  const getType = matchingGet(schema, command.$type);
  if (!getType) return undefined;
  const built = commandFrom(schema, getType, [command]);
  return built.issues.length === 0 ? built.command : undefined;
}

/**
 * The request the inverse of a row of `type` is built with: the matching Delete for an Add, the
 * matching Add for a Delete, the Modify itself for a Modify; undefined when there is none.
 */
export function inverseRequestType(schema: OciSchema, type: string): string | undefined {
  const kind = requestKind(schema, type);
  if (kind === 'add') return sibling(schema, type, 'Add', 'Delete');
  if (kind === 'delete') return sibling(schema, type, 'Delete', 'Add');
  return kind === 'modify' ? type : undefined;
}

/**
 * Loads every type that {@link inverseOf} and {@link backupCommand} build for rows of these request
 * types: the types themselves first (their families name the others), then their matching Gets and
 * inverse requests, which may sit in other modules (UserAddRequest17sp4 is in the deprecated
 * module, its UserDeleteRequest is not). Unknown types throw OciUnknownTypeError.
 */
export async function prepareRelatedTypes(schema: OciSchema, types: Iterable<string>): Promise<void> {
  const own = [...new Set(types)];
  if (own.length === 0) return;
  await schema.ensure(...own);
  const related = new Set<string>();
  for (const type of own) {
    for (const t of [matchingGet(schema, type), inverseRequestType(schema, type)]) if (t !== undefined) related.add(t);
  }
  if (related.size > 0) await schema.ensure(...related);
}

/**
 * The undo of one journaled row: the inverse command (with the paths of before-image members its
 * type cannot carry, which were left out), or why none can be built.
 */
export type Inverse = { ok: true; command: OciCommand; dropped?: string[] } | { ok: false; reason: string };

/** Needs the row's type and its inverse's loaded ({@link prepareRelatedTypes}). */
export function inverseOf(schema: OciSchema, command: Record<string, unknown> & { $type: string }, before: Record<string, unknown> | undefined): Inverse {
  const type = command.$type;
  const kind = requestKind(schema, type);
  const inverseType = inverseRequestType(schema, type);
  const reasons = (issues: readonly { path: string; message: string }[]) => issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const done = (command: OciCommand, dropped: string[]): Inverse => (dropped.length > 0 ? { ok: true, command, dropped } : { ok: true, command });
  if (kind === 'add') {
    if (!inverseType) return { ok: false, reason: `the schema has no Delete request matching ${type}` };
    const built = commandFrom(schema, inverseType, [command]);
    return built.issues.length === 0 ? done(built.command, []) : { ok: false, reason: `cannot build ${inverseType}: ${reasons(built.issues)}` };
  }
  if (kind === 'modify') {
    if (!before) return { ok: false, reason: 'no before-image in the journal (run with --backup)' };
    // Every field the row changed goes back to its stored value; a field the Get answers but had
    // no value is cleared (nil). A field the Get's type does not have (UserModifyRequest22's
    // sipAliasList; the Get answers `alias`) had a value nobody read: clearing it could lose data.
    const answered = typeof before.$type === 'string' && schema.isLoaded(before.$type) ? allowedKeys(schema.complexType(before.$type)) : undefined;
    const restored: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [key, value] of Object.entries(command)) {
      if (key === '$type') continue;
      if (before[key] !== undefined) restored[key] = before[key];
      else if (isKey(schema, type, key)) restored[key] = value;
      else if (answered?.has(key)) restored[key] = null;
      else unknown.push(key);
    }
    if (unknown.length > 0) {
      const what = typeof before.$type === 'string' ? before.$type : 'the before-image';
      return { ok: false, reason: `${what} has no ${unknown.join(', ')}: the value${unknown.length > 1 ? 's' : ''} before the row cannot be known` };
    }
    // The Get's nested types may declare members the Modify's do not: those are left out.
    const projected = projectOntoType(schema, type, restored);
    const built = commandFrom(schema, type, [projected.value]);
    return built.issues.length === 0 ? done(built.command, projected.dropped) : { ok: false, reason: `cannot restore with ${type}: ${reasons(built.issues)}` };
  }
  if (kind === 'delete') {
    if (!before) return { ok: false, reason: 'no before-image in the journal (run with --backup)' };
    if (!inverseType) return { ok: false, reason: `the schema has no Add request matching ${type}` };
    // The before-image is a Get response: only what the Add's types declare is carried over
    // (read-only members such as timeZoneDisplayName or staticRegistrationCapable are not).
    const projected = projectOntoType(schema, inverseType, before);
    const built = commandFrom(schema, inverseType, [command, projected.value]);
    return built.issues.length === 0
      ? done(built.command, projected.dropped)
      : { ok: false, reason: `the before-image does not give a valid ${inverseType}: ${reasons(built.issues)}` };
  }
  return { ok: false, reason: `${type} is not an Add, Modify or Delete request` };
}

/** A required, non-nillable top-level element: it identifies the target (userId, serviceProviderId…). */
function isKey(schema: OciSchema, type: string, name: string): boolean {
  const element = topElements(schema, type).find((e) => e.n === name);
  return element !== undefined && (element.min ?? 1) >= 1 && !element.nil;
}
