import { decodeDocument } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { camelKey, column, type OciTable, tableToCsv, tableToJson, toRecords } from '../../runtime/oci/table.js';
import { handIndex } from './hand-schema.js';

const users: OciTable = {
  colHeading: ['User Id', 'Last Name', 'Line/Port', 'Mac Address'],
  row: [{ col: ['a@x', 'O"Brien, Jr', 'lp1@x', ''] }, { col: ['b@x', 'Line\nTwo', '', '00:11'] }],
};

test('column by raw heading; unknown heading lists the known ones', () => {
  expect(column(users, 'Line/Port')).toEqual(['lp1@x', '']);
  expect(() => column(users, 'Nope')).toThrow(/no column 'Nope' \(columns: User Id, Last Name, Line\/Port, Mac Address\)/);
});

test('records: raw and camel keys', () => {
  expect(toRecords(users)[0]).toEqual({ 'User Id': 'a@x', 'Last Name': 'O"Brien, Jr', 'Line/Port': 'lp1@x', 'Mac Address': '' });
  expect(toRecords(users, { keys: 'camel' })).toEqual([
    { userId: 'a@x', lastName: 'O"Brien, Jr', linePort: 'lp1@x', macAddress: '' },
    { userId: 'b@x', lastName: 'Line\nTwo', linePort: '', macAddress: '00:11' },
  ]);
  expect(['URI', 'SIP Contact', 'Service Provider Id', 'Phone Number'].map(camelKey)).toEqual(['uri', 'sipContact', 'serviceProviderId', 'phoneNumber']);
});

test('camel key collision is a typed error, raw keys still work', () => {
  const t: OciTable = { colHeading: ['Group Id', 'Group-Id'], row: [{ col: ['1', '2'] }] };
  expect(() => toRecords(t, { keys: 'camel' })).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_TABLE_KEY_COLLISION' }));
  expect(() => toRecords(t, { keys: 'camel' })).toThrow(/'Group Id' and 'Group-Id' both map to the key 'groupId'/);
  expect(toRecords(t)).toEqual([{ 'Group Id': '1', 'Group-Id': '2' }]);
});

test('CSV quoting and JSON', () => {
  expect(tableToCsv(users)).toBe('User Id,Last Name,Line/Port,Mac Address\r\na@x,"O""Brien, Jr",lp1@x,\r\nb@x,"Line\nTwo",,00:11\r\n');
  expect(JSON.parse(tableToJson(users))).toEqual(toRecords(users));
});

test('zero-row table decoded from the wire', async () => {
  const schema = OciSchema.fromIndex(handIndex());
  await schema.ensureAll();
  const doc = decodeDocument(
    schema,
    '<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sessionId xmlns="">s</sessionId><command echo="" xsi:type="UserGetListInGroupResponse" xmlns=""><userTable><colHeading>User Id</colHeading><colHeading>Line/Port</colHeading></userTable></command></BroadsoftDocument>',
  );
  const table = doc.commands[0]!.userTable as OciTable;
  expect(table).toEqual({ colHeading: ['User Id', 'Line/Port'], row: [] });
  expect(toRecords(table, { keys: 'camel' })).toEqual([]);
  expect(column(table, 'Line/Port')).toEqual([]);
  expect(tableToCsv(table)).toBe('User Id,Line/Port\r\n');
});
