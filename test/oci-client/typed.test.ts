// The type maps of a generated release make send/call typed: the request shape is checked and
// the response type follows from the request. tsc checks the @ts-expect-error lines; jest runs
// the same calls against the mock so the typed calls really work.
import { loadMockSchema, type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import { OciClient, type OciTypes } from '../../runtime/oci/client.js';
import type { Latest, Requests, ResponseOf } from '../../generated/oci/R25/index.js';

type R25 = OciTypes<Requests, ResponseOf, Latest>;
let mock: OciMockServer;

beforeAll(async () => {
  const schema = await loadMockSchema('R25');
  mock = await startOciMock({ release: 'R25', schema, tcpPort: 0, users: [{ userId: 'admin', password: 'typed-pw' }] });
}, 60_000);

afterAll(async () => {
  await mock?.close();
});

test('typed send and call', async () => {
  const client = new OciClient<R25>({ url: mock.url('tcp'), userId: 'admin', password: 'typed-pw', release: 'R25' });
  try {
    const version = await client.send({ $type: 'SystemSoftwareVersionGetRequest' });
    const text: string = version.version; // typed: SystemSoftwareVersionGetResponse
    expect(text).toMatch(/^\d+/);

    const sp = await client.call('ServiceProviderAddRequest', { serviceProviderId: 'typed-sp', defaultDomain: 'example.com', isEnterprise: true });
    expect(sp.$type).toBe('SuccessResponse');
    const groups = await client.call('GroupGetListInServiceProviderRequest', { serviceProviderId: 'typed-sp' });
    expect(groups.groupTable.colHeading).toContain('Group Id'); // typed: OCITable

    // @ts-expect-error userId is required by UserGetRequest23V2
    await expect(client.call('UserGetRequest', {})).rejects.toMatchObject({ code: 'TH_ERR_OCI_VALIDATION' });
    // @ts-expect-error no such element
    await expect(client.send({ $type: 'SystemSoftwareVersionGetRequest', colour: 'blue' })).rejects.toMatchObject({ code: expect.stringMatching(/^TH_ERR_OCI_/) });
  } finally {
    await client.close();
  }
});
