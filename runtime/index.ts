/**
 * The package entry point (`import … from 'thors-hammer'`): the OCI-P and vBox runtimes and the
 * shared error base. Re-exports only; `thors-hammer/oci` and `thors-hammer/vbox` expose the same
 * names per area. The mock servers (with their HTTP listeners and certificate generation) are
 * not loaded from here: import them from `thors-hammer/mock`.
 */
export { ThorsHammerError, isThorsHammerError } from './errors.js';
export * from './oci/index.js';
export * from './vbox/index.js';
