import { toArray } from './model.js';

/**
 * Search criteria of the list commands (`searchCriteria…` elements, oci-protocol.md §2.16).
 * A list handler says, per criterion element it supports, which value of a row the criterion
 * tests; every criterion given must match (AND, as on a real server). Text criteria have
 * `mode` (`Equal To`, `Starts With`, `Contains`), `value` and `isCaseInsensitive`; exact
 * criteria (`searchCriteriaExact…`) hold one value that must be equal.
 * Criteria a handler does not know are ignored (documented in docs/oci-mock.md).
 */
export type CriterionAccessors<Row> = Record<string, (row: Row) => string | boolean | number | undefined>;

interface TextCriterion {
  mode?: string;
  value?: unknown;
  isCaseInsensitive?: boolean;
  [key: string]: unknown;
}

/** True when `row` satisfies every supported `searchCriteria…` member of `request`. */
export function matchesCriteria<Row>(request: Record<string, unknown>, accessors: CriterionAccessors<Row>, row: Row): boolean {
  // Called once per row of a list: only the members the request carries are looked at.
  for (const key of presentMembers(request)) {
    const accessor = Object.hasOwn(accessors, key) ? accessors[key] : undefined;
    if (accessor === undefined) continue;
    for (const criterion of toArray(request[key]) as TextCriterion[]) {
      const actual = accessor(row);
      if (!matchesOne(criterion, actual)) return false;
    }
  }
  return true;
}

const presentCache = new WeakMap<object, readonly string[]>();

/** The members a request carries (a decoded request is never changed, so this is worked out once per request). */
function presentMembers(request: Record<string, unknown>): readonly string[] {
  let keys = presentCache.get(request);
  if (!keys) {
    keys = Object.keys(request).filter((key) => request[key] !== undefined && request[key] !== null);
    presentCache.set(request, keys);
  }
  return keys;
}

function matchesOne(criterion: TextCriterion, actual: string | boolean | number | undefined): boolean {
  if (typeof criterion !== 'object' || criterion === null) return true;
  if (typeof criterion.mode === 'string') {
    const caseInsensitive = criterion.isCaseInsensitive !== false;
    const norm = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
    const have = norm(actual === undefined ? '' : String(actual));
    const want = norm(String(criterion.value ?? ''));
    switch (criterion.mode) {
      case 'Equal To':
        return have === want;
      case 'Starts With':
        return have.startsWith(want);
      case 'Contains':
        return have.includes(want);
      default:
        return false;
    }
  }
  // Exact criterion: its single member (serviceProviderId, deviceType, userInTrunkGroup, …).
  const values = Object.entries(criterion)
    .filter(([k]) => k !== '$type')
    .map(([, v]) => v);
  if (values.length !== 1) return true;
  const [want] = values;
  if (typeof want === 'object' && want !== null) return true; // structured keys (department) are not modelled
  return String(want) === String(actual ?? '');
}

/** Applies `responseSizeLimit` (absent = unlimited). */
export function limitRows<T>(rows: T[], request: Record<string, unknown>): T[] {
  const limit = request.responseSizeLimit;
  return typeof limit === 'number' && limit >= 1 ? rows.slice(0, limit) : rows;
}
