// projectOntoType against the real R25 metadata: a Get response reshaped to an Add request keeps
// exactly what the Add's types declare, at every depth (nested types, lists, choices, subtypes).
import { encodeCommand } from '../../runtime/oci/codec.js';
import { projectOntoType } from '../../runtime/oci/project.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { collectIssues } from '../../runtime/oci/validate.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = await OciSchema.load('R25');
  await schema.ensure('UserAddRequest22V2', 'GroupFindMeFollowMeAddAlertingGroupRequest');
}, 60_000);

/** A UserGetResponse23V2 as the mock (and BroadWorks) answers it: read-only members at the top and inside the endpoint. */
const userGetResponse = {
  $type: 'UserGetResponse23V2',
  echo: '',
  serviceProviderId: 'sp',
  groupId: 'g',
  userId: 'u@example.com',
  lastName: 'L',
  firstName: 'F',
  callingLineIdLastName: 'L',
  callingLineIdFirstName: 'F',
  department: { $type: 'GroupDepartmentKey', serviceProviderId: 'sp', groupId: 'g', name: 'Sales' },
  language: 'English',
  timeZone: 'Europe/Paris',
  timeZoneDisplayName: '(GMT+01:00) Europe/Paris',
  defaultAlias: 'u@example.com',
  alias: ['sip:a1@example.com', 'sip:a2@example.com'],
  accessDeviceEndpoint: {
    accessDevice: { deviceLevel: 'Group', deviceName: 'dev1' },
    linePort: 'u@example.com',
    contact: [{ sipContact: 'sip:c@192.0.2.1' }, { sipContact: 'sip:d@192.0.2.2' }],
    staticRegistrationCapable: false,
    useDomain: true,
    supportVisualDeviceManagement: false,
    useHotline: false,
  },
  title: 'Boss',
  address: { city: 'Paris', country: 'France' },
  countryCode: '33',
  allowVideo: true,
};

describe('projectOntoType', () => {
  it('keeps what the target declares, drops the rest with its path, and the result is a valid request', () => {
    const { value, dropped } = projectOntoType(schema, 'UserAddRequest22V2', userGetResponse);
    expect(dropped).toEqual([
      'timeZoneDisplayName',
      'defaultAlias',
      'accessDeviceEndpoint.staticRegistrationCapable',
      'accessDeviceEndpoint.useDomain',
      'accessDeviceEndpoint.supportVisualDeviceManagement',
      'countryCode',
      'allowVideo',
    ]);
    expect(value.accessDeviceEndpoint).toEqual({
      accessDevice: { deviceLevel: 'Group', deviceName: 'dev1' },
      linePort: 'u@example.com',
      contact: [{ sipContact: 'sip:c@192.0.2.1' }, { sipContact: 'sip:d@192.0.2.2' }],
      useHotline: false,
    });
    // A subtype named by $type stays (it picks the xsi:type); lists and nested structures are kept whole.
    expect(value.department).toEqual(userGetResponse.department);
    expect(value.alias).toEqual(userGetResponse.alias);
    expect(value.address).toEqual({ city: 'Paris', country: 'France' });
    expect(value.$type).toBeUndefined();
    const command = { ...value, $type: 'UserAddRequest22V2' };
    delete (command as Record<string, unknown>).echo;
    expect(collectIssues(schema, command)).toEqual([]);
    expect(encodeCommand(schema, command)).toContain('<accessDeviceEndpoint><accessDevice><deviceLevel>Group</deviceLevel>');
  });

  it('projects each item of a list and of a repeating choice, and drops a $type that is not a subtype', () => {
    const { value, dropped } = projectOntoType(schema, 'UserAddRequest22V2', {
      userId: 'u@example.com',
      accessDeviceEndpoint: { linePort: 'x@example.com', contact: [{ sipContact: 'sip:c@192.0.2.1', extra: 1 }, { sipContact: 'sip:d@192.0.2.2' }] },
      department: { $type: 'UserGetRequest23V2', serviceProviderId: 'sp', name: 'Sales', junk: true },
    });
    expect(value.accessDeviceEndpoint).toEqual({ linePort: 'x@example.com', contact: [{ sipContact: 'sip:c@192.0.2.1' }, { sipContact: 'sip:d@192.0.2.2' }] });
    // DepartmentKey is abstract: without a valid subtype the members of the declared type are kept (none), and the builder reports the missing $type.
    expect(dropped).toEqual([
      'accessDeviceEndpoint.contact[0].extra',
      'department.$type',
      'department.serviceProviderId',
      'department.name',
      'department.junk',
    ]);

    const choice = projectOntoType(schema, 'GroupFindMeFollowMeAddAlertingGroupRequest', {
      serviceUserId: 'fmfm@example.com',
      phoneNumberOrUserId: [{ phoneNumber: '+33123456789' }, { userId: 'u@example.com', displayName: 'U' }],
      phoneNumber: 'not a member here',
    });
    expect(choice.value.phoneNumberOrUserId).toEqual([{ phoneNumber: '+33123456789' }, { userId: 'u@example.com' }]);
    expect(choice.dropped).toEqual(['phoneNumberOrUserId[1].displayName', 'phoneNumber']);
  });

  it('keeps nil, scalars in complex places and attributes for the validator to judge', () => {
    const { value, dropped } = projectOntoType(schema, 'UserAddRequest22V2', { echo: 'e', title: null, address: 'Paris', alias: [null] });
    expect(value).toEqual({ echo: 'e', title: null, address: 'Paris', alias: [null] });
    expect(dropped).toEqual([]);
  });
});
