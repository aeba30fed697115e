/**
 * Facts of OCI-P command names (oci-protocol.md §2.5, §2.7), shared by the generator and the
 * runtime: how a name splits into family and version, and which response a request is paired
 * with by name. Pure functions, no imports: codegen and every runtime module may use them.
 */

/** Version sort key of a command name: major, sp/mp number, V number (`22V5` → [22, 0, 5]). */
export type VersionKey = readonly [number, number, number];

const NAME_PATTERN = /^(.*)(Request|Response)(?:(\d+)(?:(?:sp|mp|Mp)(\d+))?(?:V(\d+))?)?(RI|A)?$/;

/**
 * Splits a request or response name into family key and version (§2.7):
 * `UserGetRequest22V5` → family `UserGetRequest`, version `22V5`;
 * `SystemPasswordRulesGetRequestRI` → family `SystemPasswordRulesGetRequestRI`, version ``.
 */
export function parseCommandName(name: string): ParsedCommandName {
  let parsed = parsedNames.get(name);
  if (parsed === undefined) {
    parsed = Object.freeze(splitCommandName(name));
    // Names come from the schema, but a peer may send any: the memo stays bounded.
    if (parsedNames.size >= MAX_PARSED_NAMES) parsedNames.clear();
    parsedNames.set(name, parsed);
  }
  return parsed;
}

/** The parts of a command name; shared between callers (frozen), as every command of a type asks for the same. */
export type ParsedCommandName = Readonly<{ family: string; version: string; versionKey: VersionKey }>;

const MAX_PARSED_NAMES = 4096;
const parsedNames = new Map<string, ParsedCommandName>();

function splitCommandName(name: string): ParsedCommandName {
  const m = NAME_PATTERN.exec(name);
  if (!m) return { family: name, version: '', versionKey: [0, 0, 0] };
  const [, base, kind, major, sub, v, tag] = m;
  const family = `${base}${kind}${tag ?? ''}`;
  const version = name.slice(base!.length + kind!.length, name.length - (tag?.length ?? 0));
  return { family, version, versionKey: [Number(major ?? 0), Number(sub ?? 0), Number(v ?? 0)] };
}

/** Orders version keys, oldest first. */
export function compareVersionKeys(a: VersionKey, b: VersionKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The response paired with a request name: the last `Request` becomes `Response` (§2.5). */
export function pairedResponseName(requestName: string): string {
  const at = requestName.lastIndexOf('Request');
  return at < 0 ? requestName : `${requestName.slice(0, at)}Response${requestName.slice(at + 'Request'.length)}`;
}

/** The suffix that asks for a family's newest version explicitly: `UserGetRequest@latest`. */
export const LATEST_SUFFIX = '@latest';
