import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { WebAuthError, WebSecretError } from '../core/errors.js';

/**
 * Passwords, tokens and secrets at rest.
 * - Passwords: scrypt, stored as `scrypt$N$r$p$<salt b64>$<hash b64>`, compared in constant time.
 * - Tokens: HS256 JWTs (jose) with `sub`, `pv` (password_version), `sid` (the login session, kept
 *   when a token is re-issued, so that logging out revokes every token of that session) and an expiry (B1, B2).
 * - Secrets in handler configurations: AES-256-GCM, stored as `enc:v1:<iv>:<tag>:<data>` (base64url).
 */

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const actual = await scryptAsync(password, salt, N, r, p, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash nobody's password matches, checked for unknown emails so both failures take the same time (B6). */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

export interface TokenClaims {
  userId: number;
  passwordVersion: number;
  /** The login session the token belongs to (re-issued tokens keep it). */
  sessionId: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat: number;
}

/** Verified tokens remembered at most (one per logged-in browser is typical). */
const VERIFIED_TOKENS_KEPT = 10_000;

export class TokenService {
  private readonly key: Uint8Array;
  constructor(
    key: Buffer,
    readonly lifetimeSeconds: number,
  ) {
    if (key.length < 32) throw new WebSecretError('the JWT key must hold at least 32 bytes');
    this.key = new Uint8Array(key);
  }

  /** A new token; without `sessionId` it starts a new login session. */
  async issue(userId: number, passwordVersion: number, sessionId = newSessionId()): Promise<{ token: string; exp: number; sessionId: string }> {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.lifetimeSeconds;
    const token = await new SignJWT({ pv: passwordVersion, sid: sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(userId))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomBytes(8).toString('hex'))
      .sign(this.key);
    return { token, exp, sessionId };
  }

  /**
   * Tokens whose signature checked out, with their claims (insertion order = age). Every API call
   * and websocket carries the cookie, and jose's HMAC check goes through WebCrypto's thread pool;
   * a token seen before needs only its expiry checked again. Revocation is not cached: the caller
   * checks the user's password version on every request.
   */
  private readonly verified = new Map<string, TokenClaims>();

  /** Verifies signature and expiry; any problem is WebAuthError (401), never a crash (B5). */
  async verify(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known && known.exp * 1000 > Date.now()) return known;
    if (known) this.verified.delete(token);
    let claims: TokenClaims;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      const userId = Number(payload.sub);
      if (!Number.isInteger(userId) || typeof payload.pv !== 'number' || !isSessionId(payload.sid)) throw new Error('bad claims');
      claims = { userId, passwordVersion: payload.pv, sessionId: payload.sid, exp: payload.exp!, iat: payload.iat ?? 0 };
    } catch {
      throw new WebAuthError('invalid or expired session');
    }
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }
}

const newSessionId = () => randomBytes(16).toString('base64url');
const isSessionId = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(value);

/** AES-256-GCM for secrets in handler configurations. */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new WebSecretError('the secret-encryption key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `enc:v1:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${data.toString('base64url')}`;
  }

  open(sealed: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== 'enc' || parts[1] !== 'v1') throw new WebSecretError('a stored secret is not in the enc:v1 format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[2]!, 'base64url'));
      decipher.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[4]!, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new WebSecretError('a stored secret cannot be decrypted: was the secret key file replaced?');
    }
  }
}
