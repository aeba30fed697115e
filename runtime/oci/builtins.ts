/**
 * The XSD built-in types whose values are JavaScript numbers — the one table the generator
 * (TypeScript `number`), the codec, the validator and the request builder all read.
 * Keys are `xs:`-prefixed as in the metadata (runtime/oci/meta.ts); the generator, which
 * reads XSD local names, uses {@link isNumericBuiltin} with the bare name.
 */

/** Inclusive bounds of an integer built-in (`undefined` = unbounded on that side). */
export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

/** Integer built-ins and their value ranges (xs:long and wider are bounded by exact JavaScript integers). */
export const INTEGER_RANGES: Readonly<Record<string, IntegerRange>> = {
  'xs:byte': { min: -128, max: 127 },
  'xs:short': { min: -32768, max: 32767 },
  'xs:int': { min: -(2 ** 31), max: 2 ** 31 - 1 },
  'xs:long': { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  'xs:integer': {},
  'xs:nonNegativeInteger': { min: 0 },
  'xs:positiveInteger': { min: 1 },
  'xs:nonPositiveInteger': { max: 0 },
  'xs:negativeInteger': { max: -1 },
  'xs:unsignedByte': { min: 0, max: 255 },
  'xs:unsignedShort': { min: 0, max: 65535 },
  'xs:unsignedInt': { min: 0, max: 2 ** 32 - 1 },
  'xs:unsignedLong': { min: 0, max: Number.MAX_SAFE_INTEGER },
};

/** Built-ins whose value is an integer. */
export const INTEGER_BUILTINS: ReadonlySet<string> = new Set(Object.keys(INTEGER_RANGES));

/** Built-ins that also take `INF`, `-INF` and `NaN`. */
export const FLOAT_BUILTINS: ReadonlySet<string> = new Set(['xs:float', 'xs:double']);

/** Every built-in whose value is a JavaScript number. */
export const NUMERIC_BUILTINS: ReadonlySet<string> = new Set([...INTEGER_BUILTINS, 'xs:decimal', ...FLOAT_BUILTINS]);

/** True for a numeric built-in, given as `xs:int` or as the bare XSD local name `int`. */
export function isNumericBuiltin(name: string): boolean {
  return NUMERIC_BUILTINS.has(name.startsWith('xs:') ? name : `xs:${name}`);
}
