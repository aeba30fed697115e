/**
 * Transport defaults, in a module of their own so the requester classes can use them without an
 * import cycle through requester.ts.
 */

/** Default ports of OCI-P over TCP (plain) and TLS. */
export const DEFAULT_TCP_PORT = 2208;
export const DEFAULT_TLS_PORT = 2209;
/** Default path of the provisioning web service. */
export const DEFAULT_SOAP_PATH = '/webservice/services/ProvisioningService';
/** TCP connect plus TLS handshake limit (nigelm's value, oci-protocol §4.5). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 8000;
/** Per-request limit (oci-protocol §4.5). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30000;
