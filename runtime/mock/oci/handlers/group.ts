import { mockErrors } from '../error-catalogue.js';
import { type GroupRecord, copyFields } from '../model.js';
import { limitRows, matchesCriteria } from '../search.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { applyModify, fieldsOf, str } from './context.js';
import { text } from './service-provider.js';

/** Groups: GroupAdd/Get/GetListInServiceProvider/GetListInSystem/Modify/Delete (every version). */
export const groupHandlers: Record<string, CommandHandler> = {
  GroupAddRequest: (ctx) => {
    ctx.state.addGroup(str(ctx.request, 'serviceProviderId'), str(ctx.request, 'groupId'), fieldsOf(ctx.request));
    return ctx.success();
  },

  GroupGetRequest: (ctx) => {
    const group = groupOf(ctx);
    const sp = ctx.state.serviceProvider(group.serviceProviderId);
    return ctx.respond(
      copyFields(group.fields, {
        serviceProviderId: group.serviceProviderId,
        groupId: group.groupId,
        userCount: ctx.state.userCountInGroup(group.serviceProviderId, group.groupId),
        resellerId: sp.fields.resellerId,
      }),
    );
  },

  GroupGetListInServiceProviderRequest: (ctx) => {
    const sp = ctx.state.serviceProvider(str(ctx.request, 'serviceProviderId'));
    const rows = [...sp.groups.values()].filter((g) => matchesCriteria(ctx.request, groupCriteria, g));
    return ctx.respond({
      groupTable: {
        colHeading: ['Group Id', 'Group Name', 'User Limit'],
        row: limitRows(rows, ctx.request).map((g) => ({ col: [g.groupId, text(g.fields.groupName), text(g.fields.userLimit)] })),
      },
    });
  },

  GroupGetListInSystemRequest: (ctx) => {
    const all = [...ctx.state.serviceProviders.values()].flatMap((sp) => [...sp.groups.values()]);
    const rows = all.filter((g) =>
      matchesCriteria(
        ctx.request,
        {
          ...groupCriteria,
          searchCriteriaServiceProviderId: (r: GroupRecord) => r.serviceProviderId,
          searchCriteriaExactServiceProvider: (r: GroupRecord) => r.serviceProviderId,
          searchCriteriaResellerId: (r: GroupRecord) => ctx.state.serviceProviders.get(r.serviceProviderId)?.fields.resellerId as string | undefined,
        },
        g,
      ),
    );
    return ctx.respond({
      groupTable: {
        colHeading: ['Group Id', 'Group Name', 'User Limit', 'Organization Id', 'Organization Type', 'Reseller Id'],
        row: limitRows(rows, ctx.request).map((g) => {
          const sp = ctx.state.serviceProviders.get(g.serviceProviderId);
          return {
            col: [
              g.groupId,
              text(g.fields.groupName),
              text(g.fields.userLimit),
              g.serviceProviderId,
              sp?.isEnterprise ? 'Enterprise' : 'Service Provider',
              text(sp?.fields.resellerId),
            ],
          };
        }),
      },
    });
  },

  GroupModifyRequest: (ctx) => {
    const group = groupOf(ctx);
    applyModify(group.fields, ctx.request);
    return ctx.success();
  },

  GroupDeleteRequest: (ctx) => {
    ctx.state.deleteGroup(str(ctx.request, 'serviceProviderId'), str(ctx.request, 'groupId'));
    return ctx.success();
  },
};

const groupCriteria = {
  searchCriteriaGroupId: (r: GroupRecord) => r.groupId,
  searchCriteriaGroupName: (r: GroupRecord) => r.fields.groupName as string | undefined,
};

/** The group a request names by serviceProviderId + groupId (or `GroupId`, as UserGetListInGroupRequest spells it). */
export function groupOf(ctx: HandlerContext): GroupRecord {
  const groupId = ctx.request.groupId ?? ctx.request.GroupId;
  if (typeof ctx.request.serviceProviderId !== 'string' || typeof groupId !== 'string') {
    throw mockErrors.externalIdNotSupported('groupExternalId');
  }
  return ctx.state.group(ctx.request.serviceProviderId, groupId);
}
