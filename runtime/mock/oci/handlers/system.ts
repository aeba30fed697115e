import type { CommandHandler } from './context.js';

/** System-level commands backed by the model. */
export const systemHandlers: Record<string, CommandHandler> = {
  SystemSoftwareVersionGetRequest: (ctx) => ctx.respond({ version: ctx.state.softwareVersion }),
};
