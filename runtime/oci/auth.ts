import { createHash } from 'node:crypto';

/**
 * The signed password of the two-stage OCI-P login (AuthenticationRequest → LoginRequest14sp4):
 * lowercase hex of MD5(nonce + ":" + lowercase hex of SHA1(password)).
 * Known answer: nonce "1234567890123", password "password" → "77e4a6de3a1e00be05e121cf0ebee860".
 */
export function signedPassword(nonce: string, password: string): string {
  const sha1 = createHash('sha1').update(password, 'utf8').digest('hex');
  return createHash('md5').update(`${nonce}:${sha1}`, 'utf8').digest('hex');
}
