import type { JsonValue } from './types.js';

/** What a secret shows as; sent back unchanged in `%config% set`, it keeps the stored secret. */
export const SECRET_MASK = '********';

/** A deep copy of `value` with `fn` applied to every string under a secret key (any depth). */
export function mapSecrets(value: unknown, secretKeys: readonly string[], fn: (secret: string, path: string) => string, path = ''): JsonValue {
  if (Array.isArray(value)) return value.map((v, i) => mapSecrets(v, secretKeys, fn, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      out[k] = secretKeys.includes(k) && typeof v === 'string' ? fn(v, p) : mapSecrets(v, secretKeys, fn, p);
    }
    return out;
  }
  return (value ?? null) as JsonValue;
}

/** The configuration with every secret replaced by {@link SECRET_MASK}. */
export function maskSecrets(value: unknown, secretKeys: readonly string[]): JsonValue {
  return mapSecrets(value, secretKeys, () => SECRET_MASK);
}

/** Values at secret paths (`profiles.lab.password` → value), for keeping masked secrets. */
export function secretValues(value: unknown, secretKeys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  mapSecrets(value, secretKeys, (s, p) => {
    out.set(p, s);
    return s;
  });
  return out;
}
