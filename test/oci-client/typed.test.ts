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

// The release entry's client (thors-hammer/oci/r25) is typed without type arguments. Checked by
// tsc only (a type-only import: jest does not load the 145 modules the entry re-exports).
import type { OciClient as R25Client, UserGetResponse23V2 } from '../../generated/oci/R25/release.js';
import type { OciTable } from '../../runtime/oci/table.js';

export async function releaseEntryIsTyped(client: R25Client): Promise<void> {
  const user: UserGetResponse23V2 = await client.call('UserGetRequest', { userId: 'a@example.com' });
  const viaLatest: UserGetResponse23V2 = await client.call('UserGetRequest@latest', { userId: 'a@example.com' });
  // @ts-expect-error Family@latest is checked against the newest version's fields like the bare family
  await client.call('UserGetRequest@latest', { userid: 'a@example.com' });
  const table: OciTable = (await client.call('GroupGetListInServiceProviderRequest', { serviceProviderId: 'sp' })).groupTable;
  const [first] = await client.sendBatch([{ $type: 'UserGetRequest23V2', userId: 'a@example.com' }]);
  if (first?.ok) console.log(first.response.lastName, user.firstName, viaLatest.lastName, table.row.length);
  // @ts-expect-error UserGetRequest23V3 is not a request of R25
  await client.send({ $type: 'UserGetRequest23V3' });
  // @ts-expect-error userid is not a field of UserGetRequest23V2 (userId is)
  await client.send({ $type: 'UserGetRequest23V2', userid: 'a@example.com' });
  // @ts-expect-error UserGetRequest is a family, not a class: call() takes it
  await client.send({ $type: 'UserGetRequest', userId: 'a@example.com' });
  // @ts-expect-error no family of that name
  await client.call('UserGetRequestX', {});
  // @ts-expect-error userLimit is a number
  await client.call('GroupModifyRequest', { serviceProviderId: 'sp', groupId: 'g', userLimit: '100' });
  // @ts-expect-error a batch entry with a wrong field
  await client.sendBatch([{ $type: 'UserGetRequest23V2', userID: 'a@example.com' }]);
  // @ts-expect-error responses are typed: UserGetResponse23V2 has no colour
  (await client.send({ $type: 'UserGetRequest23V2', userId: 'a@example.com' })).colour;
}
