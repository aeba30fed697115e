// Type-level tests of the generated shapes, compiled by tsc (see types.test.ts) against the
// golden output of the fixture set. Every `@ts-expect-error` line must really be an error,
// otherwise tsc reports an unused directive and the test fails.
import type { Latest, Requests, ResponseOf } from '../fixtures/xsd/expected/index.js';
import type { ErrorResponse, OCITable } from '../fixtures/xsd/expected/oci-schema-base.js';
import type { CriteriaMode, DepartmentKey, Priority, Recurrence, UnboundedPositiveInt } from '../fixtures/xsd/expected/oci-schema-data-types.js';
import { UserModifyRequest22 as UserModifyRequest22Descriptor } from '../fixtures/xsd/expected/oci-schema-user.js';
import type {
  UserAuthenticateRequest22V4,
  UserGetRequest23,
  UserGetResponse23,
  UserModifyRequest22,
} from '../fixtures/xsd/expected/oci-schema-user.js';
import type { GroupDemoAddAlertingGroupRequest } from '../fixtures/xsd/expected/services-oci-schema-service-demo.js';
import type { SystemDeviceAddRequest22, SystemMaintenanceCancelRequest } from '../fixtures/xsd/expected/oci-schema-system.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_value?: T) => {};

// Commands carry a required `$type` literal and their required fields.
export const get: UserGetRequest23 = { $type: 'UserGetRequest23', userId: 'alice@example.com' };
// @ts-expect-error missing required field userId
export const getMissing: UserGetRequest23 = { $type: 'UserGetRequest23' };
// @ts-expect-error missing $type on a command
export const getNoType: UserGetRequest23 = { userId: 'alice@example.com' };
// @ts-expect-error wrong $type literal
export const getWrongType: UserGetRequest23 = { $type: 'UserGetRequest22V5', userId: 'x' };

// Modify: absent, null (xsi:nil) and value; reserved and uppercase names kept exactly; fixed-count arrays.
export const modify: UserModifyRequest22 = {
  $type: 'UserModifyRequest22',
  userId: 'alice',
  title: null,
  department: { $type: 'GroupDepartmentKey', serviceProviderId: 'sp', groupId: 'g', name: 'Sales' },
  endpoint: { accessDeviceName: 'desk' },
  default: true,
  interface: 'eth0',
  type: 'Equal To',
  new: null,
  E164Capable: false,
  speedDialEntry: ['1', '2', '3'],
  resetAll: true,
  isAscending: true,
  maxSessions: { unlimited: true },
};
// @ts-expect-error lastName is not nillable
export const modifyNilLastName: UserModifyRequest22 = { ...modify, lastName: null };
// @ts-expect-error two branches of one choice (the nillable anonymous endpoint)
export const modifyTwoBranches: UserModifyRequest22 = { ...modify, endpoint: { accessDeviceName: 'desk', trunkAddressing: { dtgIdentityOrTrunkIdentity: [{ dtgIdentity: 'x' }] } } };
// @ts-expect-error abstract-typed field without $type
export const modifyAbstractNoType: UserModifyRequest22 = { ...modify, department: { serviceProviderId: 'sp', name: 'Sales' } };
// @ts-expect-error unknown enumeration value
export const modifyBadEnum: UserModifyRequest22 = { ...modify, type: 'Equals' };
// @ts-expect-error a fixed element only takes its fixed value
export const fixedFalse: UnboundedPositiveInt = { unlimited: false };
// @ts-expect-error an untyped flag element is `true` when present
export const flagFalse: SystemMaintenanceCancelRequest = { $type: 'SystemMaintenanceCancelRequest', cancelAllEvents: false };

// Same-named members in different branches keep their own types.
export const authByUser: UserAuthenticateRequest22V4 = { $type: 'UserAuthenticateRequest22V4', userId: 'u', password: 'p' };
export const authByPhone: UserAuthenticateRequest22V4 = { $type: 'UserAuthenticateRequest22V4', phoneNumber: '+1', password: 'ab' };
// @ts-expect-error members of both branches
export const authBoth: UserAuthenticateRequest22V4 = { $type: 'UserAuthenticateRequest22V4', userId: 'u', phoneNumber: '+1', password: 'p' };

// Choices of sequences, and an optional choice that may be absent.
export const deviceBySp: SystemDeviceAddRequest22 = { $type: 'SystemDeviceAddRequest22', serviceProviderId: 'sp', deviceName: 'd' };
export const deviceByMac: SystemDeviceAddRequest22 = { $type: 'SystemDeviceAddRequest22', macAddress: '0004F2ABCDEF', port: 5060 };
// @ts-expect-error a sequence branch needs all of its required members
export const devicePartial: SystemDeviceAddRequest22 = { $type: 'SystemDeviceAddRequest22', serviceProviderId: 'sp' };
// @ts-expect-error two branches of the optional choice
export const deviceTwoOptional: SystemDeviceAddRequest22 = { ...deviceByMac, useDefault: true };

// Two choices in a row.
export const recurrence: Recurrence = { recurDaily: {}, recurEndOccurrence: 3 };
// @ts-expect-error the second choice is required
export const recurrenceHalf: Recurrence = { recurWeekly: { monday: true } };

// A repeating choice is an ordered list of branch objects.
export const alerting: GroupDemoAddAlertingGroupRequest = {
  $type: 'GroupDemoAddAlertingGroupRequest',
  groupId: 'g',
  phoneNumberOrUserId: [{ phoneNumber: '+1' }, { userId: 'bob' }],
  digitManipulation: [{ $type: 'DigitManipulationRequiredValue', operation: 'prefix', value: '9' }],
};
// @ts-expect-error one item holding two branches
export const alertingBad: GroupDemoAddAlertingGroupRequest = { $type: 'GroupDemoAddAlertingGroupRequest', groupId: 'g', phoneNumberOrUserId: [{ phoneNumber: '+1', userId: 'bob' }] };

// Responses, tables, enumerations, attributes.
export const table: OCITable = { colHeading: ['User Id'], row: [] };
// @ts-expect-error OCITable.row is always an array
export const tableNoRows: OCITable = { colHeading: ['User Id'] };
export const error: ErrorResponse = { $type: 'ErrorResponse', type: 'Error', summary: 's', summaryEnglish: 's' };
// @ts-expect-error ErrorResponse type attribute is an enumeration
export const errorBadType: ErrorResponse = { $type: 'ErrorResponse', type: 'Fatal', summary: 's', summaryEnglish: 's' };
// @ts-expect-error int-based enumerations are numeric literal unions
export const priority: Priority = 2;
export const modes: CriteriaMode[] = ['0 - Highest', '3G/4G Continuity', '#', "it's", '001'];
export const response: UserGetResponse23 = { $type: 'UserGetResponse23', lastName: 'Doe', GroupId: 'g', aliasTable: table, trunkGroupName: 't' };
export const departments: DepartmentKey[] = [{ $type: 'EnterpriseDepartmentKey', serviceProviderId: 'sp', name: 'x' }];

// Index type maps.
assertType<Equal<Requests['UserGetRequest23'], UserGetRequest23>>();
assertType<Equal<ResponseOf['UserGetRequest23'], UserGetResponse23>>();
assertType<Equal<Latest['UserGetRequest'], UserGetRequest23>>();
assertType<Equal<Latest['UserPasswordRulesGetRequestRI'], Requests['UserPasswordRulesGetRequestRI']>>();
// @ts-expect-error CallCenterAgentSettings derives from OCIRequest but is a data type, not a command
export const notACommand: Requests['CallCenterAgentSettings'] = {};
// @ts-expect-error SearchCriteria…Request is not a command
export const notACommand2: Requests['SearchCriteriaDeviceManagementEventRequest'] = {};

// Descriptors are typed with their shape (phantom) and carry the wire metadata.
export const descriptorName: 'complex' = UserModifyRequest22Descriptor.kind;
