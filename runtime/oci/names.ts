/**
 * OCI-P command names: how a name given by a user (CLI argument, `$type`, CSV column, `call()`)
 * becomes a class of the release, and what to suggest when it does not. The one resolver used
 * by the codec, the client, the CLI, the request builder and the mock.
 *
 * - A name that is a class of the release means exactly that class
 *   (`UserVoiceMessagingUserModifyVoiceManagementRequest` is not `…Request23`).
 * - `Family@latest`, or a family name that is not itself a class, means the family's newest version.
 * - Anything else throws {@link OciUnknownTypeError} with `suggestions`.
 *
 * The name facts themselves (family and version, request→response pairing) are in
 * command-name.ts, which the generator shares; they are re-exported here.
 */
import { OciUnknownTypeError } from './errors.js';
import type { ComplexTypeMeta } from './meta.js';
import type { OciSchema } from './schema.js';
import { LATEST_SUFFIX, parseCommandName } from './command-name.js';

export { compareVersionKeys, LATEST_SUFFIX, pairedResponseName, parseCommandName, type VersionKey } from './command-name.js';

/** What a request name resolved to. */
export interface ResolvedRequestName {
  /** The class (type key) to send. */
  type: string;
  /** Its family (`UserGetRequest` for `UserGetRequest22V5`). */
  family: string;
  /** True when the name was a family (or `Family@latest`) rather than a class. */
  viaFamily: boolean;
  /** True when the class is deprecated (declared in one of the release's deprecated XSD files). */
  deprecated: boolean;
  /** The family's newest class, when it is not `type`. */
  newer?: string;
}

/** Every request class of a release and its families, computed once per schema from the index alone. */
interface RequestNames {
  readonly classes: readonly string[];
  readonly families: readonly string[];
}

const requestNamesCache = new WeakMap<OciSchema, RequestNames>();

function requestNames(schema: OciSchema): RequestNames {
  let names = requestNamesCache.get(schema);
  if (!names) {
    const latest = schema.index.latest;
    const classes = Object.keys(schema.index.types)
      .filter((key) => key.includes('Request') && Object.hasOwn(latest, parseCommandName(key).family))
      .sort();
    names = { classes, families: Object.keys(latest).sort() };
    requestNamesCache.set(schema, names);
  }
  return names;
}

/** Every request class of the release, sorted (read from the release index; nothing is loaded). */
export function requestClassNames(schema: OciSchema): readonly string[] {
  return requestNames(schema).classes;
}

/** Every request family of the release, sorted. */
export function requestFamilyNames(schema: OciSchema): readonly string[] {
  return requestNames(schema).families;
}

/** The newest class of a request family, or undefined when the release has no such family. */
export function newestOfFamily(schema: OciSchema, family: string): string | undefined {
  return Object.hasOwn(schema.index.latest, family) ? schema.index.latest[family] : undefined;
}

function isDeprecated(schema: OciSchema, type: string): boolean {
  if (schema.isLoaded(type)) return (schema.type(type) as ComplexTypeMeta).deprecated === true;
  // Not loaded yet: the generator names each module after its XSD file, and deprecated classes
  // live in the release's `…Deprecated…` files.
  return /deprecated/i.test(schema.index.types[type] ?? '');
}

/**
 * Resolves a user-given request name (see the module comment). Unknown names throw
 * {@link OciUnknownTypeError} whose `suggestions` hold the nearest names.
 */
export function resolveRequestName(schema: OciSchema, name: string): ResolvedRequestName {
  const explicitLatest = name.endsWith(LATEST_SUFFIX);
  const bare = explicitLatest ? name.slice(0, -LATEST_SUFFIX.length) : name;
  if (!explicitLatest && schema.has(bare)) {
    const family = parseCommandName(bare).family;
    const newest = newestOfFamily(schema, family);
    return { type: bare, family, viaFamily: false, deprecated: isDeprecated(schema, bare), ...(newest && newest !== bare ? { newer: newest } : {}) };
  }
  const newest = newestOfFamily(schema, bare);
  if (newest !== undefined) return { type: newest, family: bare, viaFamily: true, deprecated: isDeprecated(schema, newest) };
  throw new OciUnknownTypeError(name, schema.release, explicitLatest ? 'no request family of that name' : 'no request class or family of that name', {
    suggestions: suggestTypeNames(schema, bare),
  });
}

/**
 * Checks a name where a class is required (`$type` given to the codec, `send`, `sendBatch`):
 * returns it when the release defines it; otherwise throws {@link OciUnknownTypeError} with
 * suggestions, pointing a family name to its newest class and to `call()`.
 */
export function requireTypeName(schema: OciSchema, name: string, where?: string): string {
  if (schema.has(name)) return name;
  const bare = name.endsWith(LATEST_SUFFIX) ? name.slice(0, -LATEST_SUFFIX.length) : name;
  const newest = newestOfFamily(schema, bare);
  const at = where ? ` at ${where}` : '';
  if (newest !== undefined) {
    throw new OciUnknownTypeError(
      name,
      schema.release,
      `${bare} is a request family, not a class${at}: send $type '${newest}' (its newest version), or use call('${bare}', fields)`,
      { suggestions: [newest] },
    );
  }
  throw new OciUnknownTypeError(name, schema.release, where, { suggestions: suggestTypeNames(schema, name) });
}

/**
 * Suggestions for an unknown request name: names equal but for case, the newest class of the
 * family the name belongs to, then the nearest class and family names by edit distance.
 */
export function suggestTypeNames(schema: OciSchema, name: string, limit = 5): string[] {
  const { classes, families } = requestNames(schema);
  const out: string[] = [];
  const add = (n: string | undefined) => {
    if (n !== undefined && n !== name && !out.includes(n)) out.push(n);
  };
  const lower = name.toLowerCase();
  for (const n of classes) if (n.toLowerCase() === lower) add(n);
  for (const n of families) if (n.toLowerCase() === lower) add(newestOfFamily(schema, n));
  add(newestOfFamily(schema, parseCommandName(name).family));
  // Families first (they resolve to their newest class); then classes of other families.
  const nearFamilies = nearestNames(families, name, limit);
  for (const n of nearFamilies) add(n);
  const otherClasses = classes.filter((c) => !nearFamilies.includes(parseCommandName(c).family));
  for (const n of nearestNames(otherClasses, name, limit)) add(n);
  return out.slice(0, limit);
}

/**
 * Suggestions for an unknown member name of a complex type: case-only differences first
 * (`groupId` → `GroupId`), then the nearest names by edit distance.
 */
export function suggestFieldNames(candidates: Iterable<string>, name: string, limit = 3): string[] {
  const list = [...candidates].filter((n) => n !== '$type');
  const lower = name.toLowerCase();
  const out = list.filter((n) => n.toLowerCase() === lower && n !== name);
  for (const n of nearestNames(list, name, limit)) if (!out.includes(n) && n !== name) out.push(n);
  return out.slice(0, limit);
}

/**
 * The candidates nearest to `name` by case-insensitive edit distance, closest first, keeping
 * only plausible ones (distance at most a third of the name's length, at least 2).
 */
export function nearestNames(candidates: readonly string[], name: string, limit = 3): string[] {
  const target = name.toLowerCase();
  const maxDistance = Math.max(2, Math.floor(target.length / 3));
  const scored: { n: string; d: number }[] = [];
  for (const n of candidates) {
    const lower = n.toLowerCase();
    if (Math.abs(lower.length - target.length) > maxDistance) continue;
    const d = editDistance(lower, target, maxDistance);
    if (d <= maxDistance) scored.push({ n, d });
  }
  scored.sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, limit).map((s) => s.n);
}

/**
 * Levenshtein distance, computed only in the band |i − j| ≤ `bound` (Ukkonen): anything farther
 * is reported as `bound + 1`. Suggestions over the ~8,000 names of a release stay fast.
 */
function editDistance(a: string, b: string, bound: number): number {
  const far = bound + 1;
  if (Math.abs(a.length - b.length) > bound) return far;
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j <= bound ? j : far;
  for (let i = 1; i <= a.length; i++) {
    current.fill(far);
    current[0] = i <= bound ? i : far;
    let rowMin = current[0]!;
    const from = Math.max(1, i - bound);
    const to = Math.min(b.length, i + bound);
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost, far);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > bound) return far;
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/**
 * True for a request that changes no provisioned data: its family names the verb `Get`
 * (`UserGetRequest23V2`, `GroupGetListInServiceProviderRequest`,
 * `UserServiceGetAssignmentListRequest`), or it is a session request (login, logout,
 * authentication). The bulk engine sends these without `--apply`, the Web CLI may send them again
 * after a lost connection, and the mock does not count them as unmodelled changes.
 */
export function isReadOnlyRequest(schema: OciSchema, type: string): boolean {
  const family = schema.has(type) ? (schema.complexType(type).family ?? type) : parseCommandName(type).family;
  return /Get(?=[A-Z])|^(Login|Logout|Authentication)/.test(family);
}
