import { OciCommandRejection } from './errors.js';

/**
 * Every ErrorResponse the mock produces, in one place. Numbers and texts marked "verbatim"
 * are seen from real servers (oci-protocol.md §4.4, §6); the others are project wording,
 * documented in docs/oci-mock.md. Each entry builds the rejection a handler throws.
 */
export const mockErrors = {
  /** verbatim summary; `detail` says what was wrong. */
  validation: (detail: string) => new OciCommandRejection(6004, 'OCI XML Request validation error', detail),
  /** verbatim code. */
  invalidPassword: () => new OciCommandRejection(4962, 'Invalid password'),
  /** verbatim code and shape. */
  userNotFound: (userId: string) => new OciCommandRejection(4008, `User not found: ${userId}`),
  /** verbatim code and shape (`Group not found: TEST:TEST`). */
  groupNotFound: (serviceProviderId: string, groupId: string) => new OciCommandRejection(4152, `Group not found: ${serviceProviderId}:${groupId}`),
  /** verbatim prefix. */
  deviceTypeNotFound: (deviceType: string) => new OciCommandRejection(4501, `Device Type not found: ${deviceType}`),
  // --- project wording below ---
  notLoggedIn: () => new OciCommandRejection(4003, 'Not logged in: cannot process any request before user is logged in.'),
  loginWithoutAuthentication: (userId: string) =>
    new OciCommandRejection(4962, 'Invalid password', `no AuthenticationRequest for ${userId} preceded the signed login on this session`),
  serviceProviderNotFound: (serviceProviderId: string) => new OciCommandRejection(4010, `Service Provider not found: ${serviceProviderId}`),
  serviceProviderExists: (serviceProviderId: string) => new OciCommandRejection(4011, `Service Provider already exists: ${serviceProviderId}`),
  groupExists: (serviceProviderId: string, groupId: string) => new OciCommandRejection(4153, `Group already exists: ${serviceProviderId}:${groupId}`),
  userLimitReached: (serviceProviderId: string, groupId: string, limit: number) =>
    new OciCommandRejection(4154, `User limit (${limit}) reached for group: ${serviceProviderId}:${groupId}`),
  userExists: (userId: string) => new OciCommandRejection(4009, `User already exists: ${userId}`),
  deviceNotFound: (serviceProviderId: string, groupId: string, deviceName: string) =>
    new OciCommandRejection(4221, `Access Device not found: ${serviceProviderId}:${groupId}:${deviceName}`),
  deviceExists: (serviceProviderId: string, groupId: string, deviceName: string) =>
    new OciCommandRejection(4222, `Access Device already exists: ${serviceProviderId}:${groupId}:${deviceName}`),
  phoneNumberExists: (phoneNumber: string) => new OciCommandRejection(4400, `Phone number already exists in the system: ${phoneNumber}`),
  phoneNumberNotInServiceProvider: (serviceProviderId: string, phoneNumber: string) =>
    new OciCommandRejection(4401, `Phone number not found in service provider ${serviceProviderId}: ${phoneNumber}`),
  phoneNumberNotInGroup: (serviceProviderId: string, groupId: string, phoneNumber: string) =>
    new OciCommandRejection(4402, `Phone number not assigned to group ${serviceProviderId}:${groupId}: ${phoneNumber}`),
  phoneNumberInUse: (phoneNumber: string, owner: string) => new OciCommandRejection(4403, `Phone number in use: ${phoneNumber} (${owner})`),
  invalidDnRange: (min: string, max: string) => new OciCommandRejection(4404, `Invalid phone number range: ${min} - ${max}`),
  instanceNotFound: (kind: string, name: string) => new OciCommandRejection(4640, `Service instance not found: ${kind} ${name}`),
  instanceExists: (kind: string, name: string) => new OciCommandRejection(4641, `Service instance already exists: ${kind} ${name}`),
  departmentNotFound: (name: string) => new OciCommandRejection(4642, `Department not found: ${name}`),
  departmentExists: (name: string) => new OciCommandRejection(4643, `Department already exists: ${name}`),
  servicePackNotFound: (name: string) => new OciCommandRejection(4644, `Service Pack not found: ${name}`),
  servicePackExists: (name: string) => new OciCommandRejection(4645, `Service Pack already exists: ${name}`),
  notModelled: (requestType: string) =>
    new OciCommandRejection(
      4998,
      `Not modelled by the mock server: ${requestType}`,
      'the mock runs in strict mode: a data-changing request it does not model is refused',
    ),
  notInCassette: (requestType: string) =>
    new OciCommandRejection(4997, `Not in the cassette: ${requestType}`, 'the mock replays in strict mode: a request the cassette does not hold is refused'),
  upstreamFailed: (requestType: string, reason: string) => new OciCommandRejection(4996, `Upstream server gave no answer to ${requestType}`, reason),
  externalIdNotSupported: (element: string) => new OciCommandRejection(4999, `Lookup by ${element} is not supported by the mock server; use the id`),
} as const;
