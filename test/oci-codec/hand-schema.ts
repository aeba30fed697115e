// A small hand-written release index in the shape the generator emits (runtime/oci/meta.ts),
// so the codec is tested independently of the generator. Types mirror real R25 ones.
import type { ComplexTypeMeta, ReleaseIndex, SimpleTypeMeta, TypeMeta } from '../../runtime/oci/meta.js';
import { exportName } from '../../runtime/oci/meta.js';

const B = 'OCISchemaBASE.xsd';
const D = 'OCISchemaDataTypes.xsd';
const U = 'OCISchemaUser.xsd';

const simple = (name: string, base: string, facets?: SimpleTypeMeta['facets'], ns?: 'C'): SimpleTypeMeta => ({
  kind: 'simple',
  name,
  base,
  ...(facets ? { facets } : {}),
  ...(ns ? { ns } : {}),
  file: ns ? B : D,
});

const core: ComplexTypeMeta[] = [
  { kind: 'complex', name: 'OCICommand', ns: 'C', abstract: true, content: [], attrs: [{ n: 'echo', t: 'xs:string' }], file: B },
  {
    kind: 'complex',
    name: 'OCIRequest',
    ns: 'C',
    abstract: true,
    base: 'OCICommand',
    content: [],
    attrs: [
      { n: 'echo', t: 'xs:string' },
      { n: 'requestLocale', t: 'xs:token' },
    ],
    file: B,
  },
  {
    kind: 'complex',
    name: 'OCIResponse',
    ns: 'C',
    abstract: true,
    base: 'OCICommand',
    content: [],
    attrs: [
      { n: 'echo', t: 'xs:string' },
      { n: 'debugInfo', t: 'xs:string' },
    ],
    file: B,
  },
  {
    kind: 'complex',
    name: 'OCIDataResponse',
    ns: 'C',
    abstract: true,
    base: 'OCIResponse',
    content: [],
    attrs: [
      { n: 'echo', t: 'xs:string' },
      { n: 'debugInfo', t: 'xs:string' },
    ],
    file: B,
  },
  {
    kind: 'complex',
    name: 'SuccessResponse',
    ns: 'C',
    role: 'core',
    base: 'OCIResponse',
    content: [],
    attrs: [
      { n: 'echo', t: 'xs:string' },
      { n: 'debugInfo', t: 'xs:string' },
    ],
    file: B,
  },
  {
    kind: 'complex',
    name: 'ErrorResponse',
    ns: 'C',
    role: 'core',
    base: 'OCIResponse',
    content: [
      { n: 'errorCode', t: 'xs:int', min: 0 },
      { n: 'summary', t: 'xs:string' },
      { n: 'summaryEnglish', t: 'xs:string' },
      { n: 'detail', t: 'xs:string', min: 0 },
    ],
    attrs: [
      { n: 'echo', t: 'xs:string' },
      { n: 'debugInfo', t: 'xs:string' },
      { n: 'type', t: 'ErrorResponse_type', req: true },
    ],
    file: B,
  },
  {
    kind: 'complex',
    name: 'OCITable',
    ns: 'C',
    content: [
      { n: 'colHeading', t: 'xs:string', max: -1 },
      { n: 'row', t: 'OCITableRow', min: 0, max: -1 },
    ],
    file: B,
  },
  { kind: 'complex', name: 'OCITableRow', ns: 'C', content: [{ n: 'col', t: 'xs:string', max: -1 }], file: B },
  {
    kind: 'complex',
    name: 'ExternalUserIdentity',
    ns: 'C',
    content: [
      { n: 'id', t: 'xs:token' },
      { n: 'organizationId', t: 'xs:token' },
      { n: 'role', t: 'xs:token' },
    ],
    file: B,
  },
];
const coreSimple: SimpleTypeMeta[] = [
  simple('ErrorResponse_type', 'xs:NMTOKEN', { enumeration: ['Error', 'Warning', 'Info'] }, 'C'),
  simple('C:NonEmptyToken', 'xs:token', { minLength: 1 }, 'C'),
];

const req = { echo: { n: 'echo', t: 'xs:string' }, locale: { n: 'requestLocale', t: 'xs:token' } };
const reqAttrs = [req.echo, req.locale];
const respAttrs = [
  { n: 'echo', t: 'xs:string' },
  { n: 'debugInfo', t: 'xs:string' },
];

const data: TypeMeta[] = [
  simple('NonEmptyToken', 'xs:token', { minLength: 1 }),
  simple('UserId', 'xs:token', { minLength: 1, maxLength: 161 }),
  simple('ServiceProviderId', 'xs:token', { minLength: 1, maxLength: 30 }),
  simple('GroupId', 'xs:token', { minLength: 1, maxLength: 30 }),
  simple('LastName', 'xs:token', { minLength: 1, maxLength: 30 }),
  simple('City', 'xs:token', { minLength: 1, maxLength: 80 }),
  simple('LocationDialingCode', 'xs:token', { minLength: 1, maxLength: 5 }),
  simple('ResponseSizeLimit', 'xs:int', { minInclusive: 1 }),
  simple('ResponsePageSize', 'xs:int', { minInclusive: 1, maxInclusive: 2000 }),
  simple('LogoutRequestReason', 'xs:token', { enumeration: ['Client Logout', 'Server Connection Failure', 'Open Client Server Forced Logout'] }),
  simple('DigitAny', 'xs:token', { pattern: ['([0-9]|\\*|#){0,3}'] }),
  simple('CountryCode', 'xs:token', { pattern: ['[A-Z][A-Z][A-Z]'], length: 3 }),
  simple('Priority', 'xs:int', { enumeration: ['1', '2', '3'] }),
  {
    kind: 'complex',
    name: 'StreetAddress',
    content: [
      { n: 'addressLine1', t: 'xs:token', min: 0 },
      { n: 'city', t: 'City', min: 0 },
    ],
    file: D,
  },
  { kind: 'complex', name: 'DepartmentKey', abstract: true, subtypes: ['EnterpriseDepartmentKey', 'GroupDepartmentKey'], content: [], file: D },
  {
    kind: 'complex',
    name: 'EnterpriseDepartmentKey',
    base: 'DepartmentKey',
    content: [
      { n: 'serviceProviderId', t: 'ServiceProviderId' },
      { n: 'name', t: 'NonEmptyToken' },
    ],
    file: D,
  },
  {
    kind: 'complex',
    name: 'GroupDepartmentKey',
    base: 'DepartmentKey',
    content: [
      { n: 'serviceProviderId', t: 'ServiceProviderId' },
      { n: 'groupId', t: 'GroupId' },
      { n: 'name', t: 'NonEmptyToken' },
    ],
    file: D,
  },
  {
    kind: 'complex',
    name: 'AccessDeviceEndpointModify',
    content: [
      { n: 'deviceName', t: 'NonEmptyToken' },
      { n: 'linePort', t: 'NonEmptyToken', min: 0 },
    ],
    file: D,
  },
  {
    kind: 'complex',
    name: 'TrunkAddressingModify',
    content: [
      { n: 'trunkGroupDeviceEndpoint', t: 'NonEmptyToken', min: 0, nil: true },
      { n: 'enterpriseTrunkName', t: 'NonEmptyToken', min: 0, nil: true },
    ],
    file: D,
  },
  {
    kind: 'complex',
    name: 'ResponsePagingControl',
    content: [
      { n: 'responseStartIndex', t: 'ResponseSizeLimit' },
      { n: 'responsePageSize', t: 'ResponsePageSize' },
    ],
    file: D,
  },
];

const user: ComplexTypeMeta[] = [
  {
    kind: 'complex',
    name: 'UserAddRequest17sp4',
    role: 'request',
    base: 'OCIRequest',
    family: 'UserAddRequest',
    version: '17sp4',
    attrs: reqAttrs,
    content: [
      { n: 'serviceProviderId', t: 'ServiceProviderId' },
      { n: 'groupId', t: 'GroupId' },
      { n: 'userId', t: 'UserId' },
      { n: 'lastName', t: 'LastName' },
      { n: 'firstName', t: 'LastName' },
      { n: 'department', t: 'DepartmentKey', min: 0 },
      { n: 'alias', t: 'NonEmptyToken', min: 0, max: 3 },
      { n: 'address', t: 'StreetAddress', min: 0 },
      { n: 'countryCode', t: 'CountryCode', min: 0 },
      { n: 'priority', t: 'Priority', min: 0 },
      { n: 'isEnterprise', t: 'xs:boolean', min: 0 },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'UserModifyRequest22',
    role: 'request',
    base: 'OCIRequest',
    family: 'UserModifyRequest',
    version: '22',
    attrs: reqAttrs,
    content: [
      { n: 'userId', t: 'UserId' },
      { n: 'department', t: 'DepartmentKey', min: 0, nil: true },
      { n: 'locationDialingCode', t: 'LocationDialingCode', min: 0, nil: true },
      { n: 'endpoint', t: 'UserModifyRequest22_endpoint', min: 0, nil: true },
      { n: 'digits', t: 'DigitAny', min: 0 },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'UserModifyRequest22_endpoint',
    content: [
      {
        choice: [
          { n: 'accessDeviceEndpoint', t: 'AccessDeviceEndpointModify' },
          { n: 'trunkAddressing', t: 'TrunkAddressingModify' },
        ],
      },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'GroupAccessDeviceAddRequest22',
    role: 'request',
    base: 'OCIRequest',
    family: 'GroupAccessDeviceAddRequest',
    version: '22',
    attrs: reqAttrs,
    content: [
      {
        choice: [
          {
            seq: [
              { n: 'serviceProviderId', t: 'ServiceProviderId' },
              { n: 'groupId', t: 'GroupId' },
              { n: 'deviceName', t: 'NonEmptyToken' },
            ],
          },
          {
            seq: [
              { n: 'groupExternalId', t: 'NonEmptyToken' },
              { n: 'deviceExternalId', t: 'NonEmptyToken' },
            ],
          },
        ],
      },
      { n: 'protocol', t: 'NonEmptyToken', min: 0 },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'UserRouteAddRequest',
    role: 'request',
    base: 'OCIRequest',
    family: 'UserRouteAddRequest',
    version: '',
    attrs: reqAttrs,
    content: [
      { n: 'userId', t: 'UserId' },
      {
        choice: [
          { n: 'dtgIdentity', t: 'NonEmptyToken' },
          { n: 'trunkIdentity', t: 'NonEmptyToken' },
        ],
        min: 1,
        max: 10,
        prop: 'identity',
      },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'UserGetListInGroupRequest',
    role: 'request',
    base: 'OCIRequest',
    family: 'UserGetListInGroupRequest',
    version: '',
    response: 'UserGetListInGroupResponse',
    attrs: reqAttrs,
    content: [
      { n: 'serviceProviderId', t: 'ServiceProviderId' },
      { n: 'GroupId', t: 'GroupId' },
      { n: 'responsePagingControl', t: 'ResponsePagingControl', min: 0 },
      { n: 'responseSizeLimit', t: 'ResponseSizeLimit', min: 0 },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'UserGetListInGroupResponse',
    role: 'response',
    base: 'OCIDataResponse',
    family: 'UserGetListInGroupResponse',
    version: '',
    attrs: respAttrs,
    content: [
      { n: 'userTable', t: 'OCITable' },
      { n: 'extraTable', t: 'OCITable', min: 0 },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'LogoutRequest',
    role: 'request',
    base: 'OCIRequest',
    family: 'LogoutRequest',
    version: '',
    attrs: reqAttrs,
    content: [
      { n: 'userId', t: 'UserId' },
      { n: 'reason', t: 'LogoutRequestReason', min: 0 },
    ],
    file: U,
  },
  {
    kind: 'complex',
    name: 'SystemCPEConfigParametersModifyRequest',
    role: 'request',
    base: 'OCIRequest',
    family: 'SystemCPEConfigParametersModifyRequest',
    version: '',
    attrs: reqAttrs,
    content: [
      { n: 'enableIPDeviceManagement', t: 'xs:boolean', min: 0 },
      { n: 'fileRebuildImmediate', t: 'xs:anyType', min: 0 },
      { n: 'ratio', t: 'xs:float', min: 0 },
    ],
    file: U,
  },
];

const modules: Record<string, TypeMeta[]> = { base: [...core, ...coreSimple], datatypes: data, user };
const deps: Record<string, string[]> = { base: [], datatypes: ['base'], user: ['base', 'datatypes'] };

/** Counts how often each module was loaded (to check lazy loading). */
export const loadCounts: Record<string, number> = {};

export function handIndex(): ReleaseIndex {
  const types: Record<string, string> = {};
  for (const [m, list] of Object.entries(modules)) for (const t of list) types[t.name] = m;
  return {
    release: 'T1',
    modules: Object.fromEntries(
      Object.entries(modules).map(([m, list]) => [
        m,
        {
          deps: deps[m]!,
          load: async () => {
            loadCounts[m] = (loadCounts[m] ?? 0) + 1;
            return Object.fromEntries(list.map((t) => [exportName(t.name), t]));
          },
        },
      ]),
    ),
    types,
    latest: {
      UserAddRequest: 'UserAddRequest17sp4',
      UserModifyRequest: 'UserModifyRequest22',
      GroupAccessDeviceAddRequest: 'GroupAccessDeviceAddRequest22',
      UserGetListInGroupRequest: 'UserGetListInGroupRequest',
      LogoutRequest: 'LogoutRequest',
      UserRouteAddRequest: 'UserRouteAddRequest',
      SystemCPEConfigParametersModifyRequest: 'SystemCPEConfigParametersModifyRequest',
    },
    counts: { requests: 7, dataResponses: 1, complexTypes: core.length + user.length + 8, simpleTypes: 15 },
  };
}
