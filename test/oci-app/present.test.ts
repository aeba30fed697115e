// Presenting decoded responses (runtime/oci/present.ts): records, JSON, CSV, text.
import { decodeCommand } from '../../runtime/oci/codec.js';
import {
  firstTableRecords,
  isOciTable,
  recordKeys,
  responseCsv,
  responseFields,
  responseTables,
  responseText,
  tableColumnsAt,
  tableRecordsAt,
  toJsonText,
  toJsonValue,
} from '../../runtime/oci/present.js';
import { OciSchema } from '../../runtime/oci/schema.js';

let schema: OciSchema;

beforeAll(async () => {
  schema = await OciSchema.load('R25');
  await schema.ensure('UserGetListInGroupResponse', 'UserGetResponse23V2');
});

/** A real decoded response: the XML a server sends, through the codec. */
function userList(): ReturnType<typeof decodeCommand> {
  return decodeCommand(
    schema,
    '<command xsi:type="UserGetListInGroupResponse" xmlns=""><userTable>' +
      '<colHeading>User Id</colHeading><colHeading>Last Name</colHeading><colHeading>Line/Port</colHeading><colHeading>Is Virtual-On-Net</colHeading>' +
      '<row><col>john@x.com</col><col>Doe, "JD"</col><col/><col>false</col></row>' +
      '<row><col>ann@x.com</col><col>Lee</col><col>ann@x.com</col><col>true</col></row>' +
      '</userTable></command>',
  );
}

test('responseTables: every table with its path, raw headings and records keyed by camelCase heading', () => {
  const response = userList();
  expect(responseTables(response)).toEqual([
    {
      path: 'userTable',
      headings: ['User Id', 'Last Name', 'Line/Port', 'Is Virtual-On-Net'],
      keys: ['userId', 'lastName', 'linePort', 'isVirtualOnNet'],
      records: [
        { userId: 'john@x.com', lastName: 'Doe, "JD"', linePort: '', isVirtualOnNet: 'false' },
        { userId: 'ann@x.com', lastName: 'Lee', linePort: 'ann@x.com', isVirtualOnNet: 'true' },
      ],
    },
  ]);
  // Nested and repeated tables are found too, with their paths.
  const nested = { $type: 'X', a: { t: { colHeading: ['H'], row: [{ col: ['1'] }] } }, list: [{ colHeading: ['K'], row: [] }] };
  expect(responseTables(nested).map((t) => t.path)).toEqual(['a.t', 'list[0]']);
});

test('colliding headings never overwrite each other', () => {
  expect(recordKeys(['User Id', 'User ID', 'user-id', '', '?'])).toEqual(['userId', 'userId_2', 'userId_3', 'column4', 'column5']);
  // A heading whose key is a fallback key already given, and the same headings again (the key cache gives the same keys).
  expect(recordKeys(['', 'Column 1', 'column1', 'User Id'])).toEqual(['column1', 'column1_2', 'column1_3', 'userId']);
  expect(recordKeys(['User Id', 'User ID', 'user-id', '', '?'])).toEqual(['userId', 'userId_2', 'userId_3', 'column4', 'column5']);
  // Long (uncached) headings give the same keys as short ones.
  const long = `${'Word '.repeat(40)}Id`;
  expect(recordKeys([long, long])).toEqual([`word${'Word'.repeat(39)}Id`, `word${'Word'.repeat(39)}Id_2`]);
});

test('firstTableRecords and tableRecordsAt: one table without converting the others, as responseTables finds it', () => {
  const response = userList();
  expect(firstTableRecords(response)).toEqual(responseTables(response)[0]?.records);
  expect(tableRecordsAt(response, 'userTable')).toEqual(responseTables(response)[0]?.records);
  const nested = {
    $type: 'X',
    name: 'n',
    a: { t: { colHeading: ['H'], row: [{ col: ['1'] }] } },
    list: [{ colHeading: ['K', 'K'], row: [{ col: ['2'] }] }],
  };
  expect(firstTableRecords(nested)).toEqual([{ h: '1' }]);
  expect(tableRecordsAt(nested, 'a.t')).toEqual([{ h: '1' }]);
  expect(tableRecordsAt(nested, 'list[0]')).toEqual([{ k: '2', k_2: '' }]);
  expect(tableRecordsAt(nested, 'a')).toBeUndefined();
  expect(tableRecordsAt(nested, 'name.t')).toBeUndefined();
  expect(tableRecordsAt(nested, 'missing.t')).toBeUndefined();
  expect(firstTableRecords({ $type: 'SuccessResponse' })).toBeUndefined();
  expect(firstTableRecords({ $type: 'Y', list: [{ x: 1 }, nested] })).toEqual([{ h: '1' }]);
});

test('tableColumnsAt: columns by record key, the same cells as the records give', () => {
  const response = userList();
  const records = tableRecordsAt(response, 'userTable') ?? [];
  expect(tableColumnsAt(response, 'userTable', ['lastName', 'userId', 'nope'])).toEqual([
    records.map((r) => r.lastName),
    records.map((r) => r.userId),
    undefined,
  ]);
  const nested = { $type: 'X', a: { t: { colHeading: ['K', 'K'], row: [{ col: ['1', '2'] }, { col: ['3'] }] } } };
  expect(tableColumnsAt(nested, 'a.t', ['k_2', 'k'])).toEqual([
    ['2', ''],
    ['1', '3'],
  ]);
  expect(tableColumnsAt(nested, 'a', ['k'])).toBeUndefined();
  expect(tableColumnsAt(nested, 'missing.t', ['k'])).toBeUndefined();
});

test('toJsonValue: tables as records by default, the wire shape with tables: raw', () => {
  const response = userList();
  expect(toJsonValue(response)).toEqual({
    $type: 'UserGetListInGroupResponse',
    userTable: [
      { userId: 'john@x.com', lastName: 'Doe, "JD"', linePort: '', isVirtualOnNet: 'false' },
      { userId: 'ann@x.com', lastName: 'Lee', linePort: 'ann@x.com', isVirtualOnNet: 'true' },
    ],
  });
  expect(toJsonValue(response, { tables: 'raw' })).toEqual(response);
  expect(isOciTable((toJsonValue(response, { tables: 'raw' }) as Record<string, unknown>).userTable)).toBe(true);
});

test('null stays nil; NaN and ±Infinity are never printed as null', () => {
  const value = { $type: 'R', nilled: null, nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, n: 1.5, list: [Number.NaN] };
  expect(JSON.parse(toJsonText(value))).toEqual({ $type: 'R', nilled: null, nan: 'NaN', inf: 'INF', ninf: '-INF', n: 1.5, list: ['NaN'] });
  expect(responseFields(value)).toEqual([
    ['$type', 'R'],
    ['nilled', '(nil)'],
    ['nan', 'NaN'],
    ['inf', 'INF'],
    ['ninf', '-INF'],
    ['n', '1.5'],
    ['list[0]', 'NaN'],
  ]);
});

test('responseCsv: the table as RFC 4180 CSV; several tables as sections; key,value lines without a table', () => {
  expect(responseCsv(userList())).toBe('User Id,Last Name,Line/Port,Is Virtual-On-Net\r\njohn@x.com,"Doe, ""JD""",,false\r\nann@x.com,Lee,ann@x.com,true\r\n');
  const two = { $type: 'R', a: { colHeading: ['A'], row: [{ col: ['1'] }] }, b: { colHeading: ['B'], row: [] } };
  expect(responseCsv(two)).toBe('# a\r\nA\r\n1\r\n\r\n# b\r\nB\r\n');
  expect(responseCsv({ $type: 'R', name: 'a,b', echo: '', nested: { x: 1 } })).toBe('key,value\r\n$type,R\r\nname,"a,b"\r\nnested.x,1\r\n');
});

test('responseText: OK for SuccessResponse, aligned fields, then each table aligned with its row count', () => {
  expect(responseText({ $type: 'SuccessResponse' })).toBe('OK\n');
  expect(responseText(userList()).split('\n')).toEqual([
    '$type  UserGetListInGroupResponse',
    '',
    'userTable (2 rows):',
    'User Id     Last Name  Line/Port  Is Virtual-On-Net',
    '----------  ---------  ---------  -----------------',
    'john@x.com  Doe, "JD"             false',
    'ann@x.com   Lee        ann@x.com  true',
    '',
  ]);
});
