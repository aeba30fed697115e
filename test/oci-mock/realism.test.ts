// Mock realism: values the model does not hold are plausible and deterministic (a real
// language and time zone, first enumeration values, numbers within their facets, no awkward
// characters), and a synthesised answer carries the request's own values where names match.
import { type OciMockServer, loadMockSchema, startOciMock } from '../../runtime/mock/oci/index.js';
import { ResponseBuilder } from '../../runtime/mock/oci/respond.js';
import type { OciCommand } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { sampleValue } from '../../runtime/oci/sample.js';
import { collectIssues } from '../../runtime/oci/validate.js';
import { RawOciConnection } from './raw-client.js';

let schema: OciSchema;
const servers: OciMockServer[] = [];
const connections: RawOciConnection[] = [];

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

afterAll(async () => {
  for (const c of connections) await c.close();
  for (const s of servers) await s.close();
});

async function connect(): Promise<RawOciConnection> {
  const server = await startOciMock({ tcpPort: 0, schema });
  servers.push(server);
  const c = await RawOciConnection.tcp(schema, server.ports.tcp as number);
  connections.push(c);
  await c.loginHashed();
  return c;
}

test('a user whose language and time zone were never set reads English and America/New_York', async () => {
  const c = await connect();
  await c.one({ $type: 'ServiceProviderAddRequest13mp2', isEnterprise: true, serviceProviderId: 'sp', defaultDomain: 'sp.example' });
  await c.one({ $type: 'GroupAddRequest', serviceProviderId: 'sp', groupId: 'g', defaultDomain: 'sp.example', userLimit: 10 });
  const added = await c.one({
    $type: 'UserAddRequest17sp4',
    serviceProviderId: 'sp',
    groupId: 'g',
    userId: 'bob@sp.example',
    lastName: 'Bob',
    firstName: 'B',
    callingLineIdLastName: 'Bob',
    callingLineIdFirstName: 'B',
    password: 'Pw-123456',
  });
  expect(added.$type).toBe('SuccessResponse');
  const user = await c.one({ $type: 'UserGetRequest23V2', userId: 'bob@sp.example' });
  expect(user).toMatchObject({ language: 'English', timeZone: 'America/New_York', timeZoneDisplayName: '(GMT-05:00) (US) Eastern Time', countryCode: '1' });
  // Settings never written read as off, not random.
  expect(await c.one({ $type: 'UserCallForwardingAlwaysGetRequest', userId: 'bob@sp.example' })).toMatchObject({ isActive: false, isRingSplashActive: false });
});

test('realistic templates: plausible, valid, and the same on every run', () => {
  const builder = new ResponseBuilder(schema);
  const group = builder.template('GroupGetResponse22V5');
  expect(group).toMatchObject({ timeZone: 'America/New_York', userLimit: 1, defaultDomain: 'example.com' });
  const aa = builder.template('GroupAutoAttendantGetInstanceResponse24');
  expect(aa).toMatchObject({ type: 'Basic', enableVideo: false, firstDigitTimeoutSeconds: 1 });
  expect(new ResponseBuilder(schema).template('GroupAutoAttendantGetInstanceResponse24')).toEqual(aa);
  // Across every response type: realistic samples validate (the few that do not fall back to random ones) and hold no awkward characters.
  let invalid = 0;
  const awkward: string[] = [];
  for (const type of schema.responseTypes()) {
    const value = { ...(sampleValue(schema, type, { seed: 1, realistic: true }) as Record<string, unknown>), $type: type } as OciCommand;
    if (collectIssues(schema, value).length > 0) invalid++;
    else if (strings(value).some((text) => /[<>&"'€łß]/.test(text))) awkward.push(type);
  }
  expect(awkward).toEqual([]);
  expect(invalid).toBeLessThan(20);
});

test('a synthesised answer carries the request values whose names it shares', async () => {
  const c = await connect();
  const answer = await c.one({ $type: 'SystemDeviceTypeImportDryRunRequest', file: 'devices/polycom.dtar' });
  expect(answer).toMatchObject({ $type: 'SystemDeviceTypeImportDryRunResponse', file: 'devices/polycom.dtar' });
});

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}
