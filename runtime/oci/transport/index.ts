/**
 * Public entry of the OCI-P transports: requesters (TCP, TLS, SOAP), stream framing, SOAP
 * envelopes and the transport error catalogue.
 */
export * from './errors.js';
export * from './framing.js';
export * from './requester.js';
export * from './soap-envelope.js';
export type { TcpRequesterState } from './tcp-requester.js';
