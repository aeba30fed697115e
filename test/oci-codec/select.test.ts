// Decode selections (DocumentDecodeOptions.select): only the members asked for are built, the
// rest is still read and checked (markup, end tags, entities, limits); tables keep the named columns.
import { type DecodeSelection, decodeDocument } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { firstTableRecords } from '../../runtime/oci/present.js';

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">s</sessionId>';
const doc = (...commands: string[]) => `${HEAD}${commands.join('')}</BroadsoftDocument>`;

const USER =
  '<command echo="" xsi:type="UserGetResponse23V2" xmlns=""><serviceProviderId>sp</serviceProviderId><groupId>g</groupId><userId>u@x</userId>' +
  '<lastName>Last &amp; Co</lastName><firstName>First</firstName><callingLineIdLastName>Last</callingLineIdLastName><callingLineIdFirstName>First</callingLineIdFirstName>' +
  '<phoneNumber>2025550100</phoneNumber><extension>100</extension><language>English</language><timeZone>America/New_York</timeZone>' +
  '<timeZoneDisplayName>(GMT-05:00) Eastern</timeZoneDisplayName><defaultAlias>u@x</defaultAlias><alias>sip:a1@x</alias><alias>sip:a2@x</alias>' +
  '<accessDeviceEndpoint><accessDevice><deviceLevel>Group</deviceLevel><deviceName>d1</deviceName></accessDevice><linePort>lp@x</linePort>' +
  '<staticRegistrationCapable>false</staticRegistrationCapable><useDomain>true</useDomain><supportVisualDeviceManagement>false</supportVisualDeviceManagement><useHotline>false</useHotline></accessDeviceEndpoint>' +
  '<countryCode>1</countryCode><allowVideo>true</allowVideo></command>';

const DEVICE_USERS =
  '<command echo="" xsi:type="GroupAccessDeviceGetUserListResponse21sp1" xmlns=""><deviceUserTable><colHeading>Line/Port</colHeading><colHeading>User Id</colHeading><colHeading>User Type</colHeading>' +
  '<row><col>lp1@x</col><col>u1@x</col><col>Normal</col></row><row><col>lp&amp;2@x</col><col>u2@x</col><col/></row></deviceUserTable></command>';

let schema: OciSchema;
beforeAll(async () => {
  schema = await OciSchema.load('R25');
  await schema.ensure('UserGetResponse23V2', 'GroupAccessDeviceGetUserListResponse21sp1', 'ErrorResponse');
});

const decodeOne = (command: string, select: DecodeSelection) => decodeDocument(schema, doc(command), { select: [select] }).commands[0]!;

test('only the selected members are built; nested selections and {} (presence) work; the rest equals the full decode', () => {
  const full = decodeDocument(schema, doc(USER)).commands[0]!;
  const part = decodeOne(USER, {
    lastName: true,
    alias: true,
    accessDeviceEndpoint: { accessDevice: { deviceName: true }, linePort: true },
    trunkAddressing: {},
    nothingLikeThis: true,
  });
  expect(part).toEqual({
    $type: 'UserGetResponse23V2',
    echo: '',
    lastName: 'Last & Co',
    alias: ['sip:a1@x', 'sip:a2@x'],
    accessDeviceEndpoint: { accessDevice: { deviceName: 'd1' }, linePort: 'lp@x' },
  });
  expect(part.lastName).toBe(full.lastName);
  expect(decodeOne(USER, { accessDeviceEndpoint: {} }).accessDeviceEndpoint).toEqual({});
  expect(decodeOne(USER, { accessDeviceEndpoint: true }).accessDeviceEndpoint).toEqual(full.accessDeviceEndpoint);
});

test('from JavaScript, a falsy value leaves a member out and a value that is no selection builds it whole', () => {
  const odd = { lastName: false, firstName: 1, deviceUserTable: 'x' } as unknown as DecodeSelection;
  expect(decodeOne(USER, odd)).toEqual({ $type: 'UserGetResponse23V2', echo: '', firstName: 'First' });
  expect(decodeOne(DEVICE_USERS, odd).deviceUserTable).toEqual(decodeDocument(schema, doc(DEVICE_USERS)).commands[0]!.deviceUserTable);
});

test('selection by position: other commands of the document are built whole', () => {
  const both = decodeDocument(schema, doc(USER, USER), { select: [undefined, { userId: true }] });
  expect(both.commands[0]).toEqual(decodeDocument(schema, doc(USER)).commands[0]);
  expect(both.commands[1]).toEqual({ $type: 'UserGetResponse23V2', echo: '', userId: 'u@x' });
});

test('a table keeps the columns named, in table order, on the fast path and the generic one', () => {
  const fast = decodeOne(DEVICE_USERS, { deviceUserTable: ['User Type', 'User Id'] });
  expect(fast.deviceUserTable).toEqual({ colHeading: ['User Id', 'User Type'], row: [{ col: ['u1@x', 'Normal'] }, { col: ['u2@x', ''] }] });
  expect(firstTableRecords(fast)).toEqual([
    { userId: 'u1@x', userType: 'Normal' },
    { userId: 'u2@x', userType: '' },
  ]);
  // A comment inside the table sends it down the generic path: same result.
  const generic = decodeOne(DEVICE_USERS.replace('<row>', '<!-- c --><row>'), { deviceUserTable: ['User Type', 'User Id'] });
  expect(generic.deviceUserTable).toEqual(fast.deviceUserTable);
  expect(decodeOne(DEVICE_USERS, { deviceUserTable: true })).toEqual(decodeDocument(schema, doc(DEVICE_USERS)).commands[0]);
});

test('a table keeps the rows $where names, on the fast path and the generic one', () => {
  const full = decodeDocument(schema, doc(DEVICE_USERS)).commands[0]! as unknown as { deviceUserTable: { colHeading: string[] } };
  const select = (s: object) => ({ deviceUserTable: s }) as DecodeSelection;
  for (const command of [DEVICE_USERS, DEVICE_USERS.replace('<row>', '<!-- generic path --><row>')]) {
    expect(decodeOne(command, select({ $where: { 'User Type': 'Normal' } })).deviceUserTable).toEqual({
      colHeading: ['Line/Port', 'User Id', 'User Type'],
      row: [{ col: ['lp1@x', 'u1@x', 'Normal'] }],
    });
    // Entities are decoded before comparing; an empty cell is ''.
    expect(decodeOne(command, select({ $columns: ['User Id'], $where: { 'Line/Port': 'lp&2@x' } })).deviceUserTable).toEqual({
      colHeading: ['User Id'],
      row: [{ col: ['u2@x'] }],
    });
    expect(decodeOne(command, select({ $columns: ['User Id'], $where: { 'User Type': '' } })).deviceUserTable).toEqual({
      colHeading: ['User Id'],
      row: [{ col: ['u2@x'] }],
    });
    // A heading the table lacks keeps no row; no $columns keeps every column.
    expect(decodeOne(command, select({ $where: { Nope: 'x' } })).deviceUserTable).toEqual({ colHeading: full.deviceUserTable.colHeading, row: [] });
    expect(decodeOne(command, select({})).deviceUserTable).toEqual(full.deviceUserTable);
  }
});

test('an ErrorResponse in the place of the answer is built whole', () => {
  const error =
    '<command type="Error" echo="" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns=""><errorCode>4008</errorCode><summary>[Error 4008] User not found: u@x</summary><summaryEnglish>[Error 4008] User not found: u@x</summaryEnglish></command>';
  expect(decodeOne(error, { firstName: true })).toEqual(decodeDocument(schema, doc(error)).commands[0]);
});

test('what is left out is still checked: markup, end tags, entities, limits, order', () => {
  const select: DecodeSelection = { firstName: true };
  const bad = (from: string, to: string) => () => decodeOne(USER.replace(from, to), select);
  expect(bad('<timeZoneDisplayName>(GMT', '<timeZoneDisplayName>&bogus;(GMT')).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_DECODE' }));
  expect(bad('<timeZoneDisplayName>(GMT', '<timeZoneDisplayName>&bogus;(GMT')).toThrow(/bogus/);
  expect(bad('</linePort>', '</linePortX>')).toThrow(/mismatched end tag <\/linePortX>, expected <\/linePort>/);
  expect(bad('<useDomain>true</useDomain>', '<useDomain>true<useDomain>')).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_DECODE' }));
  expect(bad('<useHotline>false</useHotline>', '<useHotline>false</useHotline><!DOCTYPE x>')).toThrow(
    expect.objectContaining({ code: 'TH_ERR_OCI_HOSTILE_XML' }),
  );
  // A skipped member out of order is still out of order.
  expect(() => decodeOne(USER.replace('<userId>u@x</userId>', '').replace('<allowVideo>', '<userId>u@x</userId><allowVideo>'), select)).toThrow(
    /element <userId> is out of order or repeated too often in UserGetResponse23V2/,
  );
  const limited = (limits: object) => () => decodeDocument(schema, doc(USER), { select: [select], limits });
  expect(limited({ maxStringLength: 20 })).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_LIMIT_STRING_LENGTH' }));
  expect(limited({ maxDepth: 4 })).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_LIMIT_DEPTH' }));
  // A skipped cell with a broken entity: the generic path reports it.
  expect(() => decodeOne(DEVICE_USERS.replace('<col>Normal</col>', '<col>Nor&mal</col>'), { deviceUserTable: ['User Id'] })).toThrow(
    expect.objectContaining({ code: 'TH_ERR_OCI_DECODE' }),
  );
});
