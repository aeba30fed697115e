import { mockErrors } from '../error-catalogue.js';
import { type UserRecord, expandPhoneNumbers } from '../model.js';
import { type CriterionAccessors, limitRows, matchesCriteria } from '../search.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { groupOf } from './group.js';
import { serviceProviderOf, text } from './service-provider.js';

/**
 * Phone numbers: a service provider's pool (ServiceProviderDnAddList/DeleteList/
 * GetAvailableList/GetSummaryList) and the numbers assigned to groups (GroupDnAssignList/
 * UnassignList/GetList/GetAvailableList/GetAssignmentList). A user's phoneNumber must be
 * assigned to their group first, like on a real server.
 */
export const phoneNumberHandlers: Record<string, CommandHandler> = {
  ServiceProviderDnAddListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const numbers = expandPhoneNumbers(ctx.request.phoneNumber, ctx.request.dnRange);
    for (const n of numbers) if (ctx.state.serviceProviderOfNumber(n)) throw mockErrors.phoneNumberExists(n);
    for (const n of numbers) sp.phoneNumbers.add(n);
    return ctx.success();
  },

  ServiceProviderDnDeleteListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const numbers = expandPhoneNumbers(ctx.request.phoneNumber, ctx.request.dnRange);
    for (const n of numbers) {
      if (!sp.phoneNumbers.has(n)) throw mockErrors.phoneNumberNotInServiceProvider(sp.serviceProviderId, n);
      const group = ctx.state.groupOfNumber(n);
      if (group) throw mockErrors.phoneNumberInUse(n, `group ${group.groupId}`);
    }
    for (const n of numbers) sp.phoneNumbers.delete(n);
    return ctx.success();
  },

  ServiceProviderDnGetAvailableListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    return ctx.respond({ availableDn: [...sp.phoneNumbers].filter((n) => !ctx.state.groupOfNumber(n)) });
  },

  ServiceProviderDnGetSummaryListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const rows = [...sp.phoneNumbers]
      .map((n) => ({ n, group: ctx.state.groupOfNumber(n)?.groupId ?? '' }))
      .filter((row) => matchesCriteria(ctx.request, summaryCriteria, row));
    return ctx.respond({
      dnSummaryTable: {
        colHeading: ['Phone Numbers', 'Group Id', 'Can Delete'],
        row: rows.map((r) => ({ col: [r.n, r.group, String(r.group === '')] })),
      },
    });
  },

  GroupDnAssignListRequest: (ctx) => {
    const group = groupOf(ctx);
    const sp = ctx.state.serviceProvider(group.serviceProviderId);
    const numbers = expandPhoneNumbers(ctx.request.phoneNumber, ctx.request.dnRange);
    for (const n of numbers) {
      if (!sp.phoneNumbers.has(n)) throw mockErrors.phoneNumberNotInServiceProvider(sp.serviceProviderId, n);
      const owner = ctx.state.groupOfNumber(n);
      if (owner && owner !== group) throw mockErrors.phoneNumberInUse(n, `group ${owner.groupId}`);
    }
    for (const n of numbers) group.phoneNumbers.add(n);
    return ctx.success();
  },

  GroupDnUnassignListRequest: (ctx) => {
    const group = groupOf(ctx);
    const numbers = expandPhoneNumbers(ctx.request.phoneNumber, ctx.request.dnRange);
    for (const n of numbers) {
      if (!group.phoneNumbers.has(n)) throw mockErrors.phoneNumberNotInGroup(group.serviceProviderId, group.groupId, n);
      const owner = ctx.state.ownerOfNumber(n);
      if (owner) throw mockErrors.phoneNumberInUse(n, owner);
    }
    for (const n of numbers) {
      group.phoneNumbers.delete(n);
      group.activated.delete(n);
    }
    return ctx.success();
  },

  GroupDnActivateListRequest: (ctx) => setActivation(ctx, true),

  GroupDnDeactivateListRequest: (ctx) => setActivation(ctx, false),

  GroupDnGetActivationListRequest: (ctx) => {
    const group = groupOf(ctx);
    // Like a real server: only numbers assigned to a user are listed.
    const numbers = [...group.phoneNumbers].filter((n) => ctx.state.ownerOfNumber(n));
    return ctx.respond({
      dnTable: { colHeading: ['Phone Numbers', 'Activated'], row: numbers.map((n) => ({ col: [n, String(group.activated.has(n))] })) },
    });
  },

  GroupDnGetListRequest: (ctx) => ctx.respond({ phoneNumber: [...groupOf(ctx).phoneNumbers] }),

  GroupDnGetAvailableListRequest: (ctx) => ctx.respond({ phoneNumber: [...groupOf(ctx).phoneNumbers].filter((n) => !ctx.state.ownerOfNumber(n)) }),

  GroupDnGetAssignmentListRequest: (ctx) => {
    const group = groupOf(ctx);
    const rows: AssignmentRow[] = [...group.phoneNumbers]
      .map((n) => ({ n, user: ctx.state.userOfNumber(n) ?? instanceAsUser(ctx, n), activated: group.activated.has(n) }))
      .filter((row) => matchesCriteria(ctx.request, assignmentCriteria, row));
    const limited = limitRows(rows, ctx.request);
    if (ctx.responseType === 'GroupDnGetAssignmentListResponse') {
      return ctx.respond({
        dnTable: {
          colHeading: ['Phone Numbers', 'Assigned To', 'Department', 'Activated'],
          row: limited.map((r) => ({
            col: [r.n, r.user ? `${text(r.user.fields.lastName)}, ${text(r.user.fields.firstName)}` : '', '', r.user ? String(group.activated.has(r.n)) : ''],
          })),
        },
      });
    }
    return ctx.respond({
      dnTable: {
        colHeading: [
          'Phone Numbers',
          'Department',
          'Activated',
          'User Id',
          'Last Name',
          'First Name',
          'Extension',
          'Email Address',
          'User Type',
          'Country Code',
          'National Prefix',
        ],
        row: limited.map((r) => ({
          col: [
            r.n,
            '',
            String(group.activated.has(r.n)),
            r.user?.userId ?? '',
            text(r.user?.fields.lastName),
            text(r.user?.fields.firstName),
            text(r.user?.fields.extension),
            text(r.user?.fields.emailAddress),
            r.user ? ('type' in r.user ? r.user.type : 'Normal') : '',
            '1',
            '',
          ],
        })),
      },
    });
  },
};

const summaryCriteria: CriterionAccessors<{ n: string; group: string }> = {
  searchCriteriaDn: (r) => r.n,
  searchCriteriaGroupId: (r) => r.group,
};

/** A row of a group's number assignment list: the number, who uses it, whether it is activated. */
interface AssignmentRow {
  n: string;
  user: UserRecord | InstanceAsUser | undefined;
  activated: boolean;
}

const assignmentCriteria: CriterionAccessors<AssignmentRow> = {
  searchCriteriaDn: (r) => r.n,
  searchCriteriaUserId: (r) => r.user?.userId,
  searchCriteriaUserLastName: (r) => r.user?.fields.lastName as string | undefined,
  searchCriteriaUserFirstName: (r) => r.user?.fields.firstName as string | undefined,
  searchCriteriaExtension: (r) => r.user?.fields.extension as string | undefined,
  searchCriteriaExactDnActivation: (r) => r.activated,
};

/** GroupDnActivateList / GroupDnDeactivateList: the numbers must be assigned to the group. */
function setActivation(ctx: HandlerContext, activate: boolean) {
  const group = groupOf(ctx);
  const numbers = expandPhoneNumbers(ctx.request.phoneNumber, ctx.request.dnRange);
  for (const n of numbers) if (!group.phoneNumbers.has(n)) throw mockErrors.phoneNumberNotInGroup(group.serviceProviderId, group.groupId, n);
  for (const n of numbers) {
    if (activate) group.activated.add(n);
    else group.activated.delete(n);
  }
  return ctx.success();
}

interface InstanceAsUser {
  userId: string;
  fields: Record<string, unknown>;
  type: string;
}

/** A service instance using a number, shown in number tables like a user (its profile's calling line ID names, its kind as the user type). */
function instanceAsUser(ctx: HandlerContext, phoneNumber: string): InstanceAsUser | undefined {
  const instance = ctx.state.serviceInstanceOfNumber(phoneNumber);
  if (instance) {
    const profile = (instance.fields.serviceInstanceProfile ?? {}) as Record<string, unknown>;
    const fields = { lastName: profile.callingLineIdLastName, firstName: profile.callingLineIdFirstName, extension: profile.extension };
    return { userId: instance.serviceUserId, fields, type: instance.kind.replace(/([a-z])([A-Z])/g, '$1 $2') };
  }
  return undefined;
}
