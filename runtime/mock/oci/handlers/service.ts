import type { SimpleTypeMeta } from '../../../oci/meta.js';
import { toArray } from '../model.js';
import type { CommandHandler } from './context.js';
import { userOf } from './user.js';

/** User service assignment: UserServiceAssignList/UnassignList/GetAssignmentList/IsAssigned. */
export const serviceHandlers: Record<string, CommandHandler> = {
  UserServiceAssignListRequest: (ctx) => {
    const user = userOf(ctx);
    for (const name of toArray(ctx.request.serviceName)) user.services.add(String(name));
    for (const name of toArray(ctx.request.servicePackName)) user.servicePacks.add(String(name));
    return ctx.success();
  },

  UserServiceUnassignListRequest: (ctx) => {
    const user = userOf(ctx);
    for (const name of toArray(ctx.request.serviceName)) user.services.delete(String(name));
    for (const name of toArray(ctx.request.servicePackName)) user.servicePacks.delete(String(name));
    return ctx.success();
  },

  UserServiceGetAssignmentListRequest: (ctx) => {
    const user = userOf(ctx);
    const packs = ctx.state.serviceProvider(user.serviceProviderId).servicePacks;
    // The answer lists every service and pack: users with the same assignments share one.
    const key = JSON.stringify([user.serviceProviderId, [...user.services], [...user.servicePacks]]);
    return ctx.respondShared(key, () => {
      // Every user service of the release (the `UserService` enumeration), assigned or not.
      const meta = ctx.schema.has('UserService') ? (ctx.schema.type('UserService') as SimpleTypeMeta) : undefined;
      const allServices = new Set([...(meta?.facets?.enumeration ?? []), ...user.services]);
      return {
        // Every service pack of the service provider, assigned or not (and any assigned one it no longer defines).
        servicePacksAssignmentTable: {
          colHeading: ['Service Pack Name', 'Assigned', 'Description'],
          row: [...new Set([...packs.keys(), ...user.servicePacks])].map((pack) => ({
            col: [pack, String(user.servicePacks.has(pack)), String(packs.get(pack)?.servicePackDescription ?? '')],
          })),
        },
        userServicesAssignmentTable: {
          colHeading: ['Service Name', 'Assigned'],
          row: [...allServices].map((service) => ({ col: [service, String(user.services.has(service))] })),
        },
      };
    });
  },

  UserServiceIsAssignedRequest: (ctx) => {
    const user = userOf(ctx);
    const isAssigned =
      typeof ctx.request.serviceName === 'string' ? user.services.has(ctx.request.serviceName) : user.servicePacks.has(String(ctx.request.servicePackName));
    return ctx.respond({ isAssigned });
  },
};
