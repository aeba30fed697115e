import type { OciSchema } from '../../../oci/schema.js';
import type { CommandHandler } from './context.js';
import { instanceHandlerFor } from './instances.js';
import { settingsHandlerFor } from './settings.js';
import { consolidatedHandlers } from './consolidated.js';
import { deviceHandlers } from './device.js';
import { groupHandlers } from './group.js';
import { loginHandlers } from './login.js';
import { organisationHandlers } from './organisation.js';
import { phoneNumberHandlers } from './phone-number.js';
import { serviceHandlers } from './service.js';
import { serviceProviderHandlers } from './service-provider.js';
import { systemHandlers } from './system.js';
import { userHandlers } from './user.js';

/**
 * Modelled commands, keyed by request family (`UserGetRequest` covers UserGetRequest14 …
 * UserGetRequest23V2). Every other request gets a synthesised, schema-valid answer.
 */
export const handlersByFamily: ReadonlyMap<string, CommandHandler> = new Map(
  Object.entries({
    ...loginHandlers,
    ...systemHandlers,
    ...serviceProviderHandlers,
    ...groupHandlers,
    ...userHandlers,
    ...deviceHandlers,
    ...phoneNumberHandlers,
    ...serviceHandlers,
    ...consolidatedHandlers,
    ...organisationHandlers,
  }),
);

/**
 * Handlers found from the family name alone, one mechanism per shape: service instances
 * (`Group<Kind>…InstanceRequest`, see instances.ts), then Get/Modify settings pairs (settings.ts).
 */
export function genericHandlerFor(schema: OciSchema, family: string): CommandHandler | undefined {
  return instanceHandlerFor(family) ?? settingsHandlerFor(schema, family);
}
