import { mockErrors } from '../error-catalogue.js';
import { type OciMockState, type UserRecord, copyFields } from '../model.js';
import { type CriterionAccessors, limitRows, matchesCriteria } from '../search.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { applyModify, fieldsOf, str } from './context.js';
import { groupOf } from './group.js';
import { userTable } from './tables.js';

/** The userTable headings of the user list responses (their XSD documentation). */
const USER_LIST_IN_GROUP = [
  'User Id',
  'Last Name',
  'First Name',
  'Department',
  'Phone Number',
  'Phone Number Activated',
  'Email Address',
  'Hiragana Last Name',
  'Hiragana First Name',
  'In Trunk Group',
  'Extension',
  'Country Code',
  'National Prefix',
];
const USER_LIST_IN_SERVICE_PROVIDER = [
  'User Id',
  'Group Id',
  'Last Name',
  'First Name',
  'Department',
  'Phone Number',
  'Phone Number Activated',
  'Email Address',
  'Hiragana Last Name',
  'Hiragana First Name',
  'In Trunk Group',
  'Extension',
  'User External Id',
];
const USER_LIST_IN_SYSTEM = [
  'User Id',
  'Group Id',
  'Service Provider Id',
  'Last Name',
  'First Name',
  'Department',
  'Phone Number',
  'Phone Number Activated',
  'Email Address',
  'Hiragana Last Name',
  'Hiragana First Name',
  'In Trunk Group',
  'Extension',
  'Reseller Id',
  'User External Id',
];

/** Users: UserAdd/Get/GetListInGroup/GetListInServiceProvider/GetListInSystem/Modify/Delete (every version). */
export const userHandlers: Record<string, CommandHandler> = {
  UserAddRequest: (ctx) => {
    const serviceProviderId = str(ctx.request, 'serviceProviderId');
    const groupId = str(ctx.request, 'groupId');
    const userId = str(ctx.request, 'userId');
    const fields = fieldsOf(ctx.request);
    if (typeof fields.phoneNumber === 'string') checkNumberForUser(ctx.state, serviceProviderId, groupId, fields.phoneNumber, userId);
    ctx.state.addUser(serviceProviderId, groupId, userId, fields);
    return ctx.success();
  },

  UserGetRequest: (ctx) => {
    const user = userOf(ctx);
    const group = ctx.state.group(user.serviceProviderId, user.groupId);
    const domain = typeof group.fields.defaultDomain === 'string' ? group.fields.defaultDomain : 'example.com';
    const localPart = user.userId.includes('@') ? user.userId.slice(0, user.userId.indexOf('@')) : user.userId;
    return ctx.respond(
      copyFields(user.fields, {
        serviceProviderId: user.serviceProviderId,
        groupId: user.groupId,
        userId: user.userId,
        defaultAlias: `${localPart}@${domain}`,
        timeZone: user.fields.timeZone ?? group.fields.timeZone,
        language: user.fields.language ?? 'English',
        countryCode: '1',
        allowVideo: true,
        accessDeviceEndpoint: endpointForRead(user.fields.accessDeviceEndpoint),
      }),
    );
  },

  UserGetListInGroupRequest: (ctx) => {
    const group = groupOf(ctx);
    const rows = filterUsers(ctx, ctx.state.usersInGroup(group.serviceProviderId, group.groupId));
    return ctx.respond({ userTable: userTable(ctx.state, USER_LIST_IN_GROUP, rows) });
  },

  UserGetListInServiceProviderRequest: (ctx) => {
    if (typeof ctx.request.serviceProviderId !== 'string') throw mockErrors.externalIdNotSupported('serviceProviderExternalId');
    const sp = ctx.state.serviceProvider(ctx.request.serviceProviderId);
    const rows = filterUsers(ctx, ctx.state.usersInServiceProvider(sp.serviceProviderId));
    return ctx.respond({ userTable: userTable(ctx.state, USER_LIST_IN_SERVICE_PROVIDER, rows) });
  },

  UserGetListInSystemRequest: (ctx) => {
    const rows = filterUsers(ctx, [...ctx.state.users.values()], {
      searchCriteriaGroupId: (u) => u.groupId,
      searchCriteriaServiceProviderId: (u) => u.serviceProviderId,
      searchCriteriaExactServiceProvider: (u) => u.serviceProviderId,
      searchCriteriaExactUserNetworkClassOfService: (u) => u.fields.networkClassOfService as string | undefined,
      searchCriteriaResellerId: (u) => ctx.state.serviceProviders.get(u.serviceProviderId)?.fields.resellerId as string | undefined,
    });
    return ctx.respond({ userTable: userTable(ctx.state, USER_LIST_IN_SYSTEM, rows) });
  },

  UserModifyRequest: (ctx) => {
    const user = userOf(ctx);
    const request = ctx.request;
    if (typeof request.phoneNumber === 'string' && request.phoneNumber !== user.fields.phoneNumber) {
      checkNumberForUser(ctx.state, user.serviceProviderId, user.groupId, request.phoneNumber, user.userId);
    }
    applyModify(user.fields, request, { newPassword: 'password' }, ['oldPassword', 'sipAliasList', 'endpoint']);
    // Replacement lists and the endpoint container: nil clears, a value replaces.
    if (request.sipAliasList === null) delete user.fields.alias;
    else if (request.sipAliasList !== undefined) user.fields.alias = (request.sipAliasList as { sipAlias?: unknown }).sipAlias;
    if (request.endpoint === null) {
      delete user.fields.accessDeviceEndpoint;
      delete user.fields.trunkAddressing;
    } else if (request.endpoint !== undefined) {
      const endpoint = request.endpoint as Record<string, unknown>;
      delete user.fields.accessDeviceEndpoint;
      delete user.fields.trunkAddressing;
      Object.assign(user.fields, endpoint);
    }
    return ctx.success();
  },

  UserDeleteRequest: (ctx) => {
    ctx.state.deleteUser(userOf(ctx).userId);
    return ctx.success();
  },
};

/** A stored endpoint in its read form: the flags every read version requires get their defaults. */
function endpointForRead(endpoint: unknown): unknown {
  if (typeof endpoint !== 'object' || endpoint === null) return undefined;
  return Object.assign({ staticRegistrationCapable: false, useDomain: true, supportVisualDeviceManagement: false, useHotline: false }, endpoint);
}

/** The user a request names by userId (external ids are not modelled). */
export function userOf(ctx: HandlerContext): UserRecord {
  if (typeof ctx.request.userId !== 'string') throw mockErrors.externalIdNotSupported('userExternalId');
  return ctx.state.user(ctx.request.userId);
}

/** A user's phone number must be assigned to their group and not used by another user. */
function checkNumberForUser(state: OciMockState, serviceProviderId: string, groupId: string, phoneNumber: string, userId: string): void {
  const group = state.group(serviceProviderId, groupId);
  if (!group.phoneNumbers.has(phoneNumber)) throw mockErrors.phoneNumberNotInGroup(serviceProviderId, groupId, phoneNumber);
  const owner = state.ownerOfNumber(phoneNumber);
  if (owner && owner !== userId) throw mockErrors.phoneNumberInUse(phoneNumber, owner);
}

const userCriteria: CriterionAccessors<UserRecord> = {
  searchCriteriaUserLastName: (u) => u.fields.lastName as string | undefined,
  searchCriteriaUserFirstName: (u) => u.fields.firstName as string | undefined,
  searchCriteriaDn: (u) => u.fields.phoneNumber as string | undefined,
  searchCriteriaEmailAddress: (u) => u.fields.emailAddress as string | undefined,
  searchCriteriaUserId: (u) => u.userId,
  searchCriteriaExtension: (u) => u.fields.extension as string | undefined,
  searchCriteriaExactUserInTrunkGroup: () => false,
};

function filterUsers(ctx: HandlerContext, users: UserRecord[], extra: CriterionAccessors<UserRecord> = {}): UserRecord[] {
  const accessors = { ...userCriteria, ...extra };
  return limitRows(
    users.filter((u) => matchesCriteria(ctx.request, accessors, u)),
    ctx.request,
  );
}
