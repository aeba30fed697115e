import { signedPassword } from '../../../oci/auth.js';
import { mockErrors } from '../error-catalogue.js';
import { memberNames } from '../respond.js';
import { freshNonce } from '../sessions.js';
import { type MockUser, userDomainOf } from '../users.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { str } from './context.js';

/**
 * Login, logout and credential checks (oci-protocol.md §4.6, §4.7):
 * - AuthenticationRequest → AuthenticationResponse with a fresh 13-digit ms nonce and MD5;
 * - LoginRequest (any version): `signedPassword` checked as MD5(nonce ":" SHA1(password))
 *   against the nonce of this session, `plainTextPassword`/`password` compared as is;
 *   versions that have a `password` member (22V2…22V5, AS data mode) require it;
 * - LogoutRequest ends the session; AuthenticationVerifyRequest checks without logging in.
 * Accounts are the configured administrators, then provisioned users that have a password
 * (logging in as `User` of their group).
 */
export const loginHandlers: Record<string, CommandHandler> = {
  AuthenticationRequest: (ctx) => {
    const userId = str(ctx.request, 'userId');
    findAccount(ctx, userId);
    const nonce = freshNonce();
    ctx.session.nonce = { userId, value: nonce };
    return ctx.respond({ userId, nonce, passwordAlgorithm: 'MD5' });
  },

  LoginRequest: (ctx) => {
    const userId = str(ctx.request, 'userId');
    const account = checkCredentials(ctx, userId);
    ctx.session.user = account;
    ctx.session.nonce = undefined;
    ctx.session.answered = 0;
    return ctx.respond(loginValues(ctx, account));
  },

  AuthenticationVerifyRequest: (ctx) => {
    const userId = str(ctx.request, 'userId');
    const account = checkCredentials(ctx, userId);
    return ctx.respond({ userId, ...loginValues(ctx, account) });
  },

  LogoutRequest: (ctx) => {
    ctx.session.user = undefined;
    ctx.session.nonce = undefined;
    return ctx.success();
  },
};

function checkCredentials(ctx: HandlerContext, userId: string): MockUser {
  const account = findAccount(ctx, userId);
  const request = ctx.request;
  if (typeof request.password === 'string' || typeof request.plainTextPassword === 'string') {
    const given = (request.password ?? request.plainTextPassword) as string;
    if (given !== account.password) throw mockErrors.invalidPassword();
    return account;
  }
  const requestHasPasswordMember = hasMember(ctx, 'password');
  if (typeof request.signedPassword === 'string' && !requestHasPasswordMember) {
    const nonce = ctx.session.nonce;
    if (!nonce || nonce.userId !== userId) throw mockErrors.loginWithoutAuthentication(userId);
    if (request.signedPassword.toLowerCase() !== signedPassword(nonce.value, account.password)) throw mockErrors.invalidPassword();
    return account;
  }
  // AS data mode: signedPassword is ignored by LoginRequest22V5 and a missing password is an error.
  throw mockErrors.invalidPassword();
}

function hasMember(ctx: HandlerContext, name: string): boolean {
  const meta = ctx.schema.type(ctx.requestType);
  return meta.kind === 'complex' && meta.content.flatMap(memberNames).includes(name);
}

/** A configured administrator, else a provisioned user with a password; unknown → [Error 4008]. */
function findAccount(ctx: HandlerContext, userId: string): MockUser {
  const admin = ctx.users.find((u) => u.userId === userId);
  if (admin) return admin;
  const user = ctx.state.users.get(userId);
  if (user && typeof user.fields.password === 'string') {
    return { userId, password: user.fields.password, loginType: 'User', serviceProviderId: user.serviceProviderId, groupId: user.groupId };
  }
  throw mockErrors.userNotFound(userId);
}

function loginValues(ctx: HandlerContext, account: MockUser): Record<string, unknown> {
  const sp = account.serviceProviderId ? ctx.state.serviceProviders.get(account.serviceProviderId) : undefined;
  const values: Record<string, unknown> = {
    loginType: account.loginType ?? 'System',
    locale: 'en_US',
    encoding: 'ISO-8859-1',
    isEnterprise: sp?.isEnterprise ?? false,
    userDomain: userDomainOf(account),
  };
  if (account.serviceProviderId) values.serviceProviderId = account.serviceProviderId;
  if (account.groupId) values.groupId = account.groupId;
  return values;
}
