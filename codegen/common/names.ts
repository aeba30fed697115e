/** Words that cannot be used as bare identifiers (and so are quoted as property names or prefixed as symbols). */
export const RESERVED_WORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'as implements interface let package private protected public static yield any boolean constructor declare get ' +
    'module require number set string symbol type from of namespace async await never unknown object undefined'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as written in a type or object literal: bare when legal, quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) && !RESERVED_WORDS.has(name) ? name : JSON.stringify(name);
}

/** A safe identifier for a top-level symbol: reserved words get a trailing `$`. */
export function safeIdentifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  const start = /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
  return RESERVED_WORDS.has(start) ? `${start}$` : start;
}

/** `OCISchemaServiceCallCenter` → `oci-schema-service-call-center`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase()
    .replace(/^-|-$/g, '');
}
