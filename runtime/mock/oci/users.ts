import { readFileSync } from 'node:fs';
import { OciMockError } from './errors.js';

/** The login types of `LoginType22` (LoginRequest22V5); `Reseller` does not exist for the older logins. */
export const loginTypes = ['System', 'Provisioning', 'Reseller', 'Service Provider', 'Group', 'Group Department', 'User', 'Lawful Intercept'] as const;
export type LoginType = (typeof loginTypes)[number];

/** An account that may log in to the mock. */
export interface MockUser {
  userId: string;
  password: string;
  /** Default `System`. */
  loginType?: LoginType;
  serviceProviderId?: string;
  groupId?: string;
  /** Default: the part of userId after `@`, else `example.com`. */
  userDomain?: string;
}

/** The account used when none is configured: a system administrator `admin` / `admin`. */
export const defaultUsers: readonly MockUser[] = [{ userId: 'admin', password: 'admin', loginType: 'System' }];

/** Checks a list of users (from options or a JSON file) and fills defaults. */
export function resolveUsers(input: unknown, origin = 'users'): MockUser[] {
  if (!Array.isArray(input)) throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${origin}: expected an array of {userId, password, loginType?}`);
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const where = `${origin}[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}: expected an object`);
    const user = raw as Record<string, unknown>;
    for (const key of Object.keys(user)) {
      if (!['userId', 'password', 'loginType', 'serviceProviderId', 'groupId', 'userDomain'].includes(key)) {
        throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}: unknown key "${key}"`);
      }
    }
    if (typeof user.userId !== 'string' || user.userId === '')
      throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}.userId: a non-empty string is required`);
    if (typeof user.password !== 'string') throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}.password: a string is required`);
    if (user.loginType !== undefined && !loginTypes.includes(user.loginType as LoginType)) {
      throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}.loginType: "${String(user.loginType)}" is not one of ${loginTypes.join(', ')}`);
    }
    for (const key of ['serviceProviderId', 'groupId', 'userDomain'] as const) {
      if (user[key] !== undefined && typeof user[key] !== 'string') throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}.${key}: expected a string`);
    }
    if (seen.has(user.userId)) throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `${where}: duplicate userId "${user.userId}"`);
    seen.add(user.userId);
    return { loginType: 'System', ...(user as unknown as MockUser) };
  });
}

/** Reads users from a JSON file holding an array (or `{ "users": [...] }`). */
export function loadUsersFile(path: string): MockUser[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `cannot read users file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown } | null)?.users;
  return resolveUsers(list, path);
}

/** Parses the CLI form `ID:PASSWORD` (the password may itself contain `:`) into a system administrator. */
export function parseUserSpec(spec: string): MockUser {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new OciMockError('TH_ERR_OCI_MOCK_USERS', `--user "${spec}": expected ID:PASSWORD`);
  return { userId: spec.slice(0, colon), password: spec.slice(colon + 1), loginType: 'System' };
}

/** The domain a LoginResponse reports for a user. */
export function userDomainOf(user: MockUser): string {
  if (user.userDomain) return user.userDomain;
  const at = user.userId.lastIndexOf('@');
  return at >= 0 && at < user.userId.length - 1 ? user.userId.slice(at + 1) : 'example.com';
}
