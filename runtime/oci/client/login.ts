import { OciClientOptionsError, OciInsecureLoginError } from '../oci-error.js';

/**
 * Login strategies of the OCI-P client (oci-protocol.md §4.6):
 * - `hashed14sp4`: AuthenticationRequest → nonce → LoginRequest14sp4 with the MD5/SHA-1 signed
 *   password; the password itself never travels, so it is the only safe choice without TLS;
 * - `plain22V5`: LoginRequest22V5 with the plain password, one round trip; TLS/HTTPS only;
 * - `auto`: plain22V5 over `tls://` and `https://`, hashed14sp4 over `tcp://` and `http://`.
 */
export type LoginStrategy = 'auto' | 'hashed14sp4' | 'plain22V5';

export const LOGIN_STRATEGIES: readonly LoginStrategy[] = ['auto', 'hashed14sp4', 'plain22V5'];

/** True when the URL's transport is encrypted (`tls://`, `https://`). */
export function isEncryptedUrl(url: string): boolean {
  return /^(tls|https):\/\//i.test(url);
}

/**
 * Picks the concrete login flow for a URL. Throws {@link OciInsecureLoginError} when the plain
 * password would go over an unencrypted transport and the caller has not opted in.
 */
export function resolveLoginStrategy(url: string, login: LoginStrategy = 'auto', allowPlainPasswordOverInsecure = false): 'hashed14sp4' | 'plain22V5' {
  if (!LOGIN_STRATEGIES.includes(login)) {
    throw new OciClientOptionsError(`unknown login strategy '${String(login)}' (expected one of ${LOGIN_STRATEGIES.join(', ')})`, {
      login,
    });
  }
  const encrypted = isEncryptedUrl(url);
  if (login === 'auto') return encrypted ? 'plain22V5' : 'hashed14sp4';
  if (login === 'plain22V5' && !encrypted && !allowPlainPasswordOverInsecure) throw new OciInsecureLoginError(url, login);
  return login;
}

/** The URL without credentials or query, safe for logs and messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url;
  }
}
