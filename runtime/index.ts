/**
 * The package entry point (`import … from 'thors-hammer'`): the OCI-P and vBox runtimes, the mock
 * servers and the shared error base. Re-exports only; `thors-hammer/oci`, `thors-hammer/vbox` and
 * `thors-hammer/mock` expose the same names per area.
 */
export { ThorsHammerError, isThorsHammerError } from './errors.js';
export * from './oci/index.js';
export * from './vbox/index.js';
export * from './mock/index.js';
