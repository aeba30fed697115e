import type { SimpleTypeMeta } from '../../../oci/meta.js';
import type { OciSchema } from '../../../oci/schema.js';
import { mockErrors } from '../error-catalogue.js';
import { type AdminRecord, type Fields, type GroupRecord, type Quantity, copyFields, ownerKey, toArray } from '../model.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { fieldsOf, str } from './context.js';
import { authorise, quantityOf } from './consolidated.js';
import { groupOf } from './group.js';
import { applyChanges } from './instances.js';
import { serviceProviderOf, text } from './service-provider.js';
import { userTable } from './tables.js';
import { userOf } from './user.js';

/** An Assign/Unassign list request: adds or removes each value of the request's `field` in one set of the group. */
function editGroupSet(field: string, setOf: (group: GroupRecord) => Set<string>, edit: 'add' | 'delete'): CommandHandler {
  return (ctx) => {
    const set = setOf(groupOf(ctx));
    for (const value of toArray(ctx.request[field])) set[edit](String(value));
    return ctx.success();
  };
}

/**
 * The organisation around users: service authorisation with usage counts, service packs, group
 * services, administrators, departments, domains, registrations (seeded), and the user side of
 * call centers (agent state and memberships) and call pickup. Table headings are the real ones
 * (XSD documentation of each response).
 */
export const organisationHandlers: Record<string, CommandHandler> = {
  // --- service authorisation and service packs ---
  ServiceProviderServiceModifyAuthorizationListRequest: (ctx) => {
    authorise(serviceProviderOf(ctx).authorisation, ctx.request);
    return ctx.success();
  },

  GroupServiceModifyAuthorizationListRequest: (ctx) => {
    authorise(groupOf(ctx).authorisation, ctx.request);
    return ctx.success();
  },

  GroupServiceGetAuthorizationListRequest: (ctx) => {
    const group = groupOf(ctx);
    const sp = ctx.state.serviceProvider(group.serviceProviderId);
    const usageByService = ctx.state.serviceUsage(group.serviceProviderId, group.groupId);
    const usage = (service: string) => usageByService.get(service) ?? 0;
    const packUsage = (pack: string) => ctx.state.usersInGroup(group.serviceProviderId, group.groupId).filter((u) => u.servicePacks.has(pack)).length;
    const userServices = enumeration(ctx.schema, 'UserService', [...group.authorisation.userServices.keys()]);
    const groupServices = enumeration(ctx.schema, 'GroupService', [...group.authorisation.groupServices.keys()]);
    return ctx.respond({
      servicePacksAuthorizationTable: {
        colHeading: ['Service Pack Name', 'Authorized', 'Assigned', 'Limited', 'Allocated', 'Allowed', 'Usage', 'Description'],
        row: [...sp.servicePacks].map(([name, pack]) => {
          const quantity = group.authorisation.servicePacks.get(name);
          const used = packUsage(name);
          return {
            col: [
              ...authorisationColumns(name, quantity, used > 0),
              quantityText(quantityOf(pack.servicePackQuantity)),
              String(used),
              text(pack.servicePackDescription),
            ],
          };
        }),
      },
      groupServicesAuthorizationTable: {
        colHeading: ['Service Name', 'Authorized', 'Assigned', 'Limited', 'Quantity', 'Usage', 'Licensed', 'Allowed', 'Instance Count'],
        row: groupServices.map((name) => {
          const quantity = group.authorisation.groupServices.get(name);
          const assigned = group.groupServices.has(name);
          return {
            col: [
              ...authorisationColumns(name, quantity, assigned),
              assigned ? '1' : '0',
              'true',
              quantityText(sp.authorisation.groupServices.get(name) ?? 'Unlimited'),
              '0',
            ],
          };
        }),
      },
      userServicesAuthorizationTable: {
        colHeading: [
          'Service Name',
          'Authorized',
          'Assigned',
          'Limited',
          'Quantity',
          'Usage',
          'Licensed',
          'Allowed',
          'User Assignable',
          'Group Service Assignable',
        ],
        row: userServices.map((name) => {
          const quantity = group.authorisation.userServices.get(name);
          const used = usage(name);
          return {
            col: [
              ...authorisationColumns(name, quantity, used > 0),
              String(used),
              'true',
              quantityText(sp.authorisation.userServices.get(name) ?? 'Unlimited'),
              'true',
              'false',
            ],
          };
        }),
      },
    });
  },

  GroupGetUserServiceAssignedUserListRequest: (ctx) => {
    const group = groupOf(ctx);
    const users =
      typeof ctx.request.serviceName === 'string'
        ? ctx.state.usersWithService(group.serviceProviderId, group.groupId, ctx.request.serviceName)
        : ctx.state.usersInGroup(group.serviceProviderId, group.groupId).filter((u) => u.servicePacks.has(String(ctx.request.servicePackName)));
    return ctx.respond({
      userListTable: userTable(
        ctx.state,
        ['User Id', 'Last Name', 'First Name', 'Department', 'Phone Number', 'Email Address', 'Hiragana Last Name', 'Hiragana First Name', 'Extension'],
        users,
      ),
    });
  },

  GroupServiceAssignListRequest: editGroupSet('serviceName', (group) => group.groupServices, 'add'),

  GroupServiceUnassignListRequest: editGroupSet('serviceName', (group) => group.groupServices, 'delete'),

  ServiceProviderServicePackAddRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const name = str(ctx.request, 'servicePackName');
    if (sp.servicePacks.has(name)) throw mockErrors.servicePackExists(name);
    sp.servicePacks.set(name, fieldsOf(ctx.request, ['servicePackName']));
    return ctx.success();
  },

  ServiceProviderServicePackModifyRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const name = str(ctx.request, 'servicePackName');
    const pack = sp.servicePacks.get(name);
    if (!pack) throw mockErrors.servicePackNotFound(name);
    const newName = ctx.request.newServicePackName;
    if (typeof newName === 'string' && newName !== name) {
      if (sp.servicePacks.has(newName)) throw mockErrors.servicePackExists(newName);
      sp.servicePacks.delete(name);
      sp.servicePacks.set(newName, pack);
    }
    applyChanges(pack, ctx.request, ['servicePackName', 'newServicePackName']);
    return ctx.success();
  },

  ServiceProviderServicePackDeleteRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const name = str(ctx.request, 'servicePackName');
    if (!sp.servicePacks.delete(name)) throw mockErrors.servicePackNotFound(name);
    return ctx.success();
  },

  ServiceProviderServicePackGetListRequest: (ctx) => ctx.respond({ servicePackName: [...serviceProviderOf(ctx).servicePacks.keys()] }),

  ServiceProviderServicePackGetDetailListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const name = str(ctx.request, 'servicePackName');
    const pack = sp.servicePacks.get(name);
    if (!pack) throw mockErrors.servicePackNotFound(name);
    const assigned = [...sp.groups.values()].reduce((sum, g) => sum + packUsers(ctx, g, name), 0);
    return ctx.respond({
      servicePackName: name,
      servicePackDescription: pack.servicePackDescription,
      isAvailableForUse: pack.isAvailableForUse ?? true,
      servicePackQuantity: pack.servicePackQuantity ?? { unlimited: true },
      assignedQuantity: { quantity: assigned },
      allowedQuantity: pack.servicePackQuantity ?? { unlimited: true },
      userServiceTable: {
        colHeading: ['Service', 'Authorized', 'Allocated', 'Available'],
        row: toArray(pack.serviceName).map((service) => {
          const allowed = sp.authorisation.userServices.get(String(service)) ?? 'Unlimited';
          return { col: [String(service), quantityText(allowed), quantityText(allowed), quantityText(allowed)] };
        }),
      },
    });
  },

  ServiceProviderServicePackGetUtilizationListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const names = [...sp.servicePacks.keys()];
    return ctx.respond({
      servicePackName: names,
      serviceUtilizationTable: names.map((name) => ({
        colHeading: ['Group', 'Total Packs', 'Assigned'],
        row: [...sp.groups.values()].map((g) => ({
          col: [g.groupId, quantityText(g.authorisation.servicePacks.get(name) ?? 0), String(packUsers(ctx, g, name))],
        })),
      })),
    });
  },

  // --- administrators ---
  GroupAdminAddRequest: (ctx) => addAdmin(ctx, groupOf(ctx).groupId),
  ServiceProviderAdminAddRequest: (ctx) => addAdmin(ctx, undefined),
  GroupAdminGetRequest: (ctx) => ctx.respond(adminValues(adminOf(ctx, true))),
  ServiceProviderAdminGetRequest: (ctx) => ctx.respond(adminValues(adminOf(ctx, false))),
  GroupAdminModifyRequest: (ctx) => modifyAdmin(ctx, true),
  ServiceProviderAdminModifyRequest: (ctx) => modifyAdmin(ctx, false),
  GroupAdminDeleteRequest: (ctx) => deleteAdmin(ctx, true),
  ServiceProviderAdminDeleteRequest: (ctx) => deleteAdmin(ctx, false),

  GroupAdminGetListRequest: (ctx) => {
    const group = groupOf(ctx);
    const admins = [...ctx.state.admins.values()].filter((a) => a.serviceProviderId === group.serviceProviderId && a.groupId === group.groupId);
    return ctx.respond({
      groupAdminTable: {
        colHeading: ['Administrator ID', 'Last Name', 'First Name', 'Department', 'Language', 'Locale', 'Encoding'],
        row: admins.map((a) => ({ col: [a.userId, text(a.fields.lastName), text(a.fields.firstName), '', language(a), 'en_US', 'ISO-8859-1'] })),
      },
    });
  },

  ServiceProviderAdminGetListRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    const admins = [...ctx.state.admins.values()].filter((a) => a.serviceProviderId === sp.serviceProviderId && a.groupId === undefined);
    return ctx.respond({
      serviceProviderAdminTable: {
        colHeading: ['Administrator ID', 'Last Name', 'First Name', 'Administrator Type', 'Language', 'Locale', 'Encoding'],
        row: admins.map((a) => ({
          col: [a.userId, text(a.fields.lastName), text(a.fields.firstName), text(a.fields.administratorType ?? 'Normal'), language(a), 'en_US', 'ISO-8859-1'],
        })),
      },
    });
  },

  // --- departments and domains ---
  GroupDepartmentAddRequest: (ctx) => {
    const group = groupOf(ctx);
    const name = str(ctx.request, 'departmentName');
    if (group.departments.has(name)) throw mockErrors.departmentExists(name);
    group.departments.set(name, fieldsOf(ctx.request, ['departmentName']));
    return ctx.success();
  },

  GroupDepartmentGetRequest: (ctx) => ctx.respond(copyFields(departmentOf(ctx).fields)),

  GroupDepartmentModifyRequest: (ctx) => {
    const { group, name, fields } = departmentOf(ctx);
    const newName = ctx.request.newDepartmentName;
    if (typeof newName === 'string' && newName !== name) {
      if (group.departments.has(newName)) throw mockErrors.departmentExists(newName);
      group.departments.delete(name);
      group.departments.set(newName, fields);
    }
    if (ctx.request.newParentDepartmentKey !== undefined) {
      if (ctx.request.newParentDepartmentKey === null) delete fields.parentDepartmentKey;
      else fields.parentDepartmentKey = ctx.request.newParentDepartmentKey;
    }
    applyChanges(fields, ctx.request, ['departmentName', 'newDepartmentName', 'newParentDepartmentKey']);
    return ctx.success();
  },

  GroupDepartmentDeleteRequest: (ctx) => {
    const { group, name } = departmentOf(ctx);
    group.departments.delete(name);
    return ctx.success();
  },

  GroupDepartmentGetListRequest: (ctx) => {
    const group = groupOf(ctx);
    const names = [...group.departments.keys()];
    const table = ctx.schema.complexType(ctx.responseType).content.some((p) => 'n' in p && p.n === 'departmentTable');
    if (!table) {
      return ctx.respond({
        departmentKey: names.map((name) => ({ $type: 'GroupDepartmentKey', serviceProviderId: group.serviceProviderId, groupId: group.groupId, name })),
        fullPathName: names.map((name) => `${name} (${group.groupId})`),
      });
    }
    return ctx.respond({
      departmentTable: {
        colHeading: ['Is Enterprise Department', 'Department Name', 'Full Path Name', 'Calling Line Id Name', 'Calling Line Id Phone Number'],
        row: [...group.departments].map(([name, d]) => ({
          col: ['false', name, `${name} (${group.groupId})`, text(d.callingLineIdName), text(d.callingLineIdPhoneNumber)],
        })),
      },
    });
  },

  GroupDomainAssignListRequest: editGroupSet('domain', (group) => group.domains, 'add'),

  GroupDomainUnassignListRequest: editGroupSet('domain', (group) => group.domains, 'delete'),

  GroupDomainGetAssignedListRequest: (ctx) => {
    const group = groupOf(ctx);
    return ctx.respond({ groupDefaultDomain: text(group.fields.defaultDomain) || 'example.com', domain: [...group.domains] });
  },

  // --- registrations (seeded: a mock has no SIP side) ---
  UserGetRegistrationListRequest: (ctx) => {
    const user = userOf(ctx);
    const headings = registrationHeadings;
    return ctx.respond({ registrationTable: { colHeading: [...headings], row: user.registrations.map((r) => ({ col: headings.map((h) => text(r[h])) })) } });
  },

  // --- the user side of call centers and call pickup ---
  UserCallCenterGetRequest: (ctx) => {
    const user = userOf(ctx);
    const settings = ctx.state.settingsOf(ownerKey('user', user.userId), 'UserCallCenter~Request');
    const centers = [...ctx.state.serviceInstances.values()].filter((i) => i.kind === 'CallCenter' && toArray(i.fields.agentUserId).includes(user.userId));
    return ctx.respond({
      agentACDState: 'Available',
      ...settings,
      callCenterTable: {
        colHeading: ['Service User Id', 'Phone Number', 'Extension', 'Available', 'Logoff Allowed', 'Type', 'Priority', 'Routing Policy', 'Skill Level'],
        row: centers.map((c) => {
          const profile = (c.fields.serviceInstanceProfile as Fields | undefined) ?? {};
          return { col: [c.serviceUserId, text(profile.phoneNumber), text(profile.extension), 'true', 'true', text(c.fields.type ?? 'Basic'), '', '', '1'] };
        }),
      },
    });
  },

  UserCallPickupGetRequest: (ctx) => {
    const user = userOf(ctx);
    const pickup = [...ctx.state.namedInstances.values()].find((n) => n.kind === 'CallPickup' && toArray(n.fields.userId).includes(user.userId));
    const members = toArray(pickup?.fields.userId).flatMap((id) => ctx.state.users.get(String(id)) ?? []);
    return ctx.respond({
      name: pickup?.name,
      userTable: userTable(
        ctx.state,
        ['User Id', 'Last Name', 'First Name', 'Hiragana Last Name', 'Hiragana First Name', 'Department', 'Phone Number', 'Extension', 'Email Address'],
        members,
      ),
    });
  },

  GroupCallCenterGetAgentListRequest: (ctx) => {
    const center = ctx.state.serviceInstance(str(ctx.request, 'serviceUserId'), 'CallCenter');
    const agents = toArray(center.fields.agentUserId).flatMap((id) => ctx.state.users.get(String(id)) ?? []);
    return ctx.respond({
      agentTable: userTable(
        ctx.state,
        [
          'User Id',
          'Last Name',
          'First Name',
          'Hiragana Last Name',
          'Hiragana First Name',
          'Weight',
          'Phone Number',
          'Extension',
          'Department',
          'Email Address',
          'Skill Level',
        ],
        agents,
      ),
    });
  },

  GroupCallCenterAddAgentListRequest: (ctx) => {
    const center = ctx.state.serviceInstance(str(ctx.request, 'serviceUserId'), 'CallCenter');
    const added = [
      ...toArray(ctx.request.agentUserId),
      ...(toArray(ctx.request.agentSkillList) as Fields[]).flatMap((s) => toArray((s.agents as Fields | undefined)?.userId ?? s.agentUserId)),
    ].map(String);
    for (const id of added) ctx.state.user(id);
    const current = toArray(center.fields.agentUserId).map(String);
    center.fields.agentUserId = [...current, ...added.filter((id) => !current.includes(id))];
    return ctx.success();
  },

  GroupCallCenterDeleteAgentListRequest: (ctx) => {
    const center = ctx.state.serviceInstance(str(ctx.request, 'serviceUserId'), 'CallCenter');
    const removed = new Set(toArray(ctx.request.agentUserId).map(String));
    center.fields.agentUserId = toArray(center.fields.agentUserId).filter((id) => !removed.has(String(id)));
    return ctx.success();
  },

  GroupCallCenterModifyAgentListRequest: (ctx) => {
    const center = ctx.state.serviceInstance(str(ctx.request, 'serviceUserId'), 'CallCenter');
    const list = ctx.request.agentUserIdList as Fields | null | undefined;
    const skilled = toArray(ctx.request.skilledAgentUserIdList) as Fields[];
    const agents = list === null ? [] : list ? toArray(list.userId) : skilled.flatMap((s) => toArray((s.agents as Fields | undefined)?.userId));
    if (list === undefined && skilled.length === 0) return ctx.success();
    for (const id of agents) ctx.state.user(String(id));
    center.fields.agentUserId = agents.map(String);
    return ctx.success();
  },

  GroupCallCenterGetInstanceQueueStatusRequest: (ctx) => {
    const center = ctx.state.serviceInstance(str(ctx.request, 'serviceUserId'), 'CallCenter');
    const staffed = toArray(center.fields.agentUserId).flatMap((id) => {
      const user = ctx.state.users.get(String(id));
      const state = ctx.state.settings.get(ownerKey('user', String(id)))?.get('UserCallCenter~Request')?.agentACDState ?? 'Available';
      return user && state === 'Available' ? [user] : [];
    });
    return ctx.respond({
      numberOfCallsQueuedNow: 0,
      agentsCurrentlyStaffed: userTable(ctx.state, ['User Id', 'First Name', 'Last Name', 'Phone Number', 'Extension', 'Department', 'Email Address'], staffed),
    });
  },
};

/** Registration table headings (UserGetRegistrationListResponse); seeded rows name their cells by heading. */
export const registrationHeadings = [
  'Device Level',
  'Device Name',
  'Order',
  'URI',
  'Expiration',
  'Line/Port',
  'Endpoint Type',
  'Public Net Address',
  'Public Port',
  'Private Net Address',
  'Private Port',
  'User Agent',
  'Lockout Started',
  'Lockout Expires',
  'Lockout Count',
  'Access Info',
  'Private Identity',
  'SIP Instance ID',
  'Supports Only CS Media',
  'Feature Parameters',
  'Supports Voice Over PS',
  'Path Header',
  'Registration Active',
  'P-Access-Network-Info',
] as const;

function quantityText(quantity: Quantity | undefined): string {
  return quantity === undefined ? '' : String(quantity);
}

/** The first five columns of an authorisation table row: name, Authorized, Assigned, Limited, the authorised quantity. */
function authorisationColumns(name: string, quantity: Quantity | undefined, assigned: boolean): string[] {
  return [name, String(quantity !== undefined), String(assigned), String(typeof quantity === 'number'), quantityText(quantity)];
}

/** Every value of an enumeration type of the release, then any extra names not in it. */
function enumeration(schema: OciSchema, typeKey: string, extra: string[]): string[] {
  const meta = schema.has(typeKey) ? (schema.type(typeKey) as SimpleTypeMeta) : undefined;
  const values = [...(meta?.facets?.enumeration ?? [])];
  for (const name of extra) if (!values.includes(name)) values.push(name);
  return values;
}

function packUsers(ctx: HandlerContext, group: GroupRecord, pack: string): number {
  return ctx.state.usersInGroup(group.serviceProviderId, group.groupId).filter((u) => u.servicePacks.has(pack)).length;
}

function addAdmin(ctx: HandlerContext, groupId: string | undefined): ReturnType<CommandHandler> {
  const sp = serviceProviderOf(ctx);
  const userId = str(ctx.request, 'userId');
  if (ctx.state.userIdTaken(userId)) throw mockErrors.userExists(userId);
  ctx.state.admins.set(userId, { userId, serviceProviderId: sp.serviceProviderId, groupId, fields: fieldsOf(ctx.request) });
  return ctx.success();
}

function adminOf(ctx: HandlerContext, groupLevel: boolean): AdminRecord {
  const userId = str(ctx.request, 'userId');
  const admin = ctx.state.admins.get(userId);
  if (!admin || (admin.groupId !== undefined) !== groupLevel) throw mockErrors.userNotFound(userId);
  return admin;
}

function adminValues(admin: AdminRecord): Fields {
  return copyFields(admin.fields, {
    serviceProviderId: admin.serviceProviderId,
    groupId: admin.groupId,
    language: language(admin),
    locale: 'en_US',
    encoding: 'ISO-8859-1',
    accountDisabled: false,
    hasPassword: admin.fields.password !== undefined,
    password: undefined,
  });
}

function modifyAdmin(ctx: HandlerContext, groupLevel: boolean): ReturnType<CommandHandler> {
  const admin = adminOf(ctx, groupLevel);
  applyChanges(admin.fields, ctx.request, ['oldPassword', 'newPassword']);
  if (typeof ctx.request.newPassword === 'string') admin.fields.password = ctx.request.newPassword;
  return ctx.success();
}

function deleteAdmin(ctx: HandlerContext, groupLevel: boolean): ReturnType<CommandHandler> {
  const admin = adminOf(ctx, groupLevel);
  ctx.state.admins.delete(admin.userId);
  ctx.state.settings.delete(ownerKey('user', admin.userId));
  return ctx.success();
}

function language(admin: AdminRecord): string {
  return text(admin.fields.language ?? 'English');
}

function departmentOf(ctx: HandlerContext): { group: GroupRecord; name: string; fields: Fields } {
  const group = groupOf(ctx);
  const name = str(ctx.request, 'departmentName');
  const fields = group.departments.get(name);
  if (!fields) throw mockErrors.departmentNotFound(name);
  return { group, name, fields };
}
