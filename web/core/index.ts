/** The Web CLI core: handler contract, registry, command parsing, emitters and built-in handlers (no Fastify, no database). */
export * from './types.js';
export * from './errors.js';
export * from './command.js';
export * from './csv.js';
export * from './emitter.js';
export * from './registry.js';
export * from './run.js';
export * from './secrets.js';
export { notesHandler, configHandler, helpHandler } from './handlers/system.js';
export { ociHandler, redactOciXml, redactOciText, type OciProfile, type OciUserConfig, type OciStaticConfig } from './handlers/oci.js';
export { vboxHandler, type VboxBox, type VboxUserConfig, type VboxStaticConfig } from './handlers/vbox.js';
export { builtinHandlers } from './builtin.js';
