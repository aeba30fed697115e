import { mockErrors } from '../error-catalogue.js';
import { type ServiceProviderRecord, copyFields } from '../model.js';
import { limitRows, matchesCriteria } from '../search.js';
import type { CommandHandler, HandlerContext } from './context.js';
import { applyModify, fieldsOf, str } from './context.js';

/** Service providers and enterprises: ServiceProviderAdd/Get/GetList/Modify/Delete (every version). */
export const serviceProviderHandlers: Record<string, CommandHandler> = {
  ServiceProviderAddRequest: (ctx) => {
    const isEnterprise = ctx.request.isEnterprise === true;
    ctx.state.addServiceProvider(str(ctx.request, 'serviceProviderId'), isEnterprise, fieldsOf(ctx.request, ['isEnterprise']));
    return ctx.success();
  },

  ServiceProviderGetRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    return ctx.respond(serviceProviderValues(sp));
  },

  ServiceProviderGetListRequest: (ctx) => {
    const rows = [...ctx.state.serviceProviders.values()].filter(
      (sp) =>
        (ctx.request.isEnterprise === undefined || sp.isEnterprise === ctx.request.isEnterprise) &&
        matchesCriteria(
          ctx.request,
          {
            searchCriteriaServiceProviderId: (r: ServiceProviderRecord) => r.serviceProviderId,
            searchCriteriaServiceProviderName: (r: ServiceProviderRecord) => r.fields.serviceProviderName as string | undefined,
            searchCriteriaResellerId: (r: ServiceProviderRecord) => r.fields.resellerId as string | undefined,
          },
          sp,
        ),
    );
    return ctx.respond({
      serviceProviderTable: {
        colHeading: ['Service Provider Id', 'Service Provider Name', 'Is Enterprise', 'Reseller Id'],
        row: limitRows(rows, ctx.request).map((sp) => ({
          col: [sp.serviceProviderId, text(sp.fields.serviceProviderName), String(sp.isEnterprise), text(sp.fields.resellerId)],
        })),
      },
    });
  },

  ServiceProviderModifyRequest: (ctx) => {
    const sp = serviceProviderOf(ctx);
    applyModify(sp.fields, ctx.request);
    return ctx.success();
  },

  ServiceProviderDeleteRequest: (ctx) => {
    ctx.state.deleteServiceProvider(str(ctx.request, 'serviceProviderId'));
    return ctx.success();
  },
};

/** The service provider a request names (by id; external ids are not modelled). */
export function serviceProviderOf(ctx: HandlerContext): ServiceProviderRecord {
  if (typeof ctx.request.serviceProviderId !== 'string') throw mockErrors.externalIdNotSupported('serviceProviderExternalId');
  return ctx.state.serviceProvider(ctx.request.serviceProviderId);
}

function serviceProviderValues(sp: ServiceProviderRecord): Record<string, unknown> {
  const values: Record<string, unknown> = copyFields(sp.fields, { serviceProviderId: sp.serviceProviderId });
  // The Add/Get choice is `isEnterprise (fixed true) | useCustomRoutingProfile`.
  if (sp.isEnterprise) values.isEnterprise = true;
  else values.useCustomRoutingProfile = sp.fields.useCustomRoutingProfile ?? false;
  values.useServiceProviderLanguages ??= false;
  return values;
}

/** A table cell: `""` for absent values (`<col/>`). */
export function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
