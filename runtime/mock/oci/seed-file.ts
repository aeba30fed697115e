/**
 * Seed data: the provisioning state a mock starts with. The JSON shape (see
 * test/fixtures/mock/seed.json and docs/oci-mock.md):
 *
 * ```json
 * { "softwareVersion": "25.0_1.1000", "deviceTypes": ["Polycom VVX 400"],
 *   "serviceProviders": [{ "serviceProviderId": "acme", "isEnterprise": true, "defaultDomain": "acme.example",
 *     "phoneNumbers": ["2025550100", { "minPhoneNumber": "2025550110", "maxPhoneNumber": "2025550119" }],
 *     "groups": [{ "groupId": "hq", "defaultDomain": "acme.example", "userLimit": 100, "phoneNumbers": ["2025550100"],
 *       "devices": [{ "deviceName": "lobby", "deviceType": "Polycom VVX 400" }],
 *       "users": [{ "userId": "alice@acme.example", "lastName": "Smith", "firstName": "Alice", "services": ["Voice Messaging User"] }] }] }] }
 * ```
 * Every other member of a service provider, group, device or user is stored as a field under
 * its XML element name (as in the Add requests) and shows up in Get responses.
 */
export interface SeedFile {
  softwareVersion?: string;
  deviceTypes?: string[];
  serviceProviders?: Record<string, unknown>[];
}
