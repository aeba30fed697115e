/**
 * Public entry point of the mock servers (`thors-hammer/mock`): the mock BroadWorks (OCI-P over
 * TCP, TLS and SOAP) and the mock vBox. Re-exports only (docs/oci-mock.md, docs/vbox-client.md).
 */
export * from './oci/index.js';
export * from './vbox/index.js';
