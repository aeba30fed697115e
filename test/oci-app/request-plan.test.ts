// RequestPlan (runtime/oci/request-builder.ts) against the real R25 schema: for every row, valid
// or not, it returns exactly what buildRequest returns (the command with its key order, and the
// issues), whether the row took a direct route or the generic builder; and a command it gives
// already encoded is exactly what the encoder writes for that command.
import { encodeCommand } from '../../runtime/oci/codec.js';
import { type FieldAssignment, type FieldValue, RequestPlan, buildRequest } from '../../runtime/oci/request-builder.js';
import { OciSchema } from '../../runtime/oci/schema.js';

let schema: OciSchema;
let huntGroup: string;
/** Rows `sameAsBuildRequest` saw come already encoded. */
let encodedRows = 0;

beforeAll(async () => {
  schema = await OciSchema.load(OciSchema.newestRelease());
  huntGroup = schema.latest('GroupHuntGroupAddInstanceRequest') as string;
  await schema.ensure('UserAddRequest17sp4', 'UserModifyRequest22', huntGroup);
});

const text = (t: string): FieldValue => ({ kind: 'text', text: t });
/** The cells of a hunt group add that every hunt group test row shares. */
const HUNT_GROUP_CELLS = {
  serviceProviderId: text('sp'),
  groupId: text('g'),
  'serviceInstanceProfile.name': text('Sales'),
  'serviceInstanceProfile.callingLineIdLastName': text('Sales'),
  'serviceInstanceProfile.callingLineIdFirstName': text('Line'),
  serviceUserId: text('hg@example.com'),
  forwardTimeoutSeconds: text('60'),
  allowCallWaitingForAgents: text('false'),
  useSystemHuntGroupCLIDSetting: text('TRUE'),
  includeHuntGroupNameInCLID: text('1'),
  enableNotReachableForwarding: text('no'),
  makeBusyWhenNotReachable: text('false'),
  allowMembersToControlGroupBusy: text('false'),
  enableGroupBusy: text('false'),
  applyGroupBusyWhenTerminatingToAgent: text('false'),
};
const row = (fields: Record<string, FieldValue>): FieldAssignment[] => Object.entries(fields).map(([path, value]) => ({ path, value, source: path }));

/** A JSON view that depends on keys and nils only, as the bulk journal's secret mask does. */
function maskPassword(command: Record<string, unknown>): unknown {
  return 'password' in command && command.password !== null ? { ...command, password: '***' } : command;
}

function sameAsBuildRequest(type: string, rows: FieldAssignment[][]): RequestPlan {
  const plan = new RequestPlan(schema, type, { json: maskPassword });
  rows.forEach((assignments, i) => {
    const expected = buildRequest(schema, type, assignments);
    const got = plan.build(assignments);
    // JSON text: the same keys in the same order, the same values.
    expect([i, JSON.stringify(got.command)]).toEqual([i, JSON.stringify(expected.command)]);
    expect([i, got.issues]).toEqual([i, expected.issues]);
    if (got.encoded) {
      expect(got.encoded.command).toBe(got.command);
      expect([i, got.encoded.xml]).toEqual([i, encodeCommand(schema, expected.command)]);
      expect([i, got.json]).toEqual([i, JSON.stringify(maskPassword(got.command))]);
      encodedRows++;
    }
  });
  return plan;
}

const user = (i: number, extra: Record<string, FieldValue> = {}) =>
  row({
    serviceProviderId: text('sp'),
    groupId: text('g'),
    userId: text(`u${i}@example.com`),
    lastName: text(`Last${i}`),
    firstName: text(`First${i}`),
    callingLineIdLastName: text(`Last${i}`),
    callingLineIdFirstName: text(`First${i}`),
    ...extra,
  });

describe('RequestPlan', () => {
  it('builds valid rows directly, nested structures included, as buildRequest does', () => {
    const plan = sameAsBuildRequest('UserAddRequest17sp4', [
      user(1),
      user(2, { 'address.city': text('Paris'), password: text('Pw-2'), 'address.addressLine1': text('1 rue X') }),
      // Key order follows the assignments, nested structures where first named.
      [...user(3, { title: text('Dr') }).reverse(), { path: 'address.stateOrProvince', value: text('IDF') }],
      user(4, { language: text('English'), timeZone: text('Europe/Paris') }),
    ]);
    expect(plan.counts).toEqual({ direct: 4, generic: 0 });
  });

  it('gives the generic builder every row it cannot build directly, with the same issues', () => {
    const plan = sameAsBuildRequest('UserAddRequest17sp4', [
      user(1, { lastName: text('x'.repeat(31)) }), // validator issue
      row({ userId: text('u@example.com') }), // required members missing
      [...user(2), { path: 'lastName', value: text('Again') }], // duplicate path
      user(3, { 'alias[1]': text('sip:a@example.com') }), // a list
      user(4, { alias: text('sip:b@example.com') }), // a list without index
      user(5, { 'address.nope': text('x') }), // unknown member
      user(6, { nope: text('x') }),
      user(7, { 'lastName.x': text('x') }), // a value has no members
      user(8, { echo: text('attribute') }), // an attribute
      user(9, { lastName: { kind: 'json', value: 'Json' } }), // a JSON value
      user(10, { title: { kind: 'nil' } }), // nil where not nillable
      user(11, { $type: text('UserAddRequest17sp4') }),
      user(12, { 'a..b': text('bad path') }),
    ]);
    expect(plan.counts).toEqual({ direct: 0, generic: 13 });
  });

  it('coerces by the builder rules: booleans, numbers, enumerations, nil', () => {
    const base = HUNT_GROUP_CELLS;
    const hunt = sameAsBuildRequest(huntGroup, [
      row({ ...base, policy: text('regular'), huntAfterNoAnswer: text('no'), noAnswerNumberOfRings: text('5'), forwardAfterTimeout: text('0') }),
      row({ ...base, policy: text('CIRCULAR'), huntAfterNoAnswer: text('yes'), noAnswerNumberOfRings: text(' 7 '), forwardAfterTimeout: text('FALSE') }),
      row({ ...base, policy: text('sideways') }), // not an enumeration value
      row({ ...base, huntAfterNoAnswer: text('maybe') }),
      row({ ...base, noAnswerNumberOfRings: text('5.5') }),
      row({ ...base, noAnswerNumberOfRings: text('99999999999') }),
    ]);
    expect(hunt.counts).toEqual({ direct: 2, generic: 4 });
    sameAsBuildRequest('UserModifyRequest22', [
      row({ userId: text('u@example.com'), title: { kind: 'nil' }, lastName: text('New') }),
      row({ userId: text('u@example.com'), lastName: { kind: 'nil' } }),
      row({ userId: text('u@example.com'), 'address.city': text('Lyon'), emailAddress: text('a@b.example') }),
    ]);
  });

  it('keeps no state between rows: a row after a failing one is built as buildRequest builds it', () => {
    const plan = sameAsBuildRequest('UserAddRequest17sp4', [
      user(1, { lastName: text('x'.repeat(40)) }),
      user(2),
      user(3, { title: { kind: 'nil' } }),
      user(4),
    ]);
    expect(plan.counts).toEqual({ direct: 2, generic: 2 });
  });

  it('encodes rows of a shape it has validated once, from the encoder template: escaping, nil, empty, typed values', () => {
    encodedRows = 0;
    const plan = sameAsBuildRequest('UserAddRequest17sp4', [
      user(1, { 'address.city': text('Paris') }), // first of its shape: validated whole, not encoded
      user(2, { 'address.city': text('Saint-Malo & <Co> "quoted"') }),
      user(3, { lastName: text('x'.repeat(31)), 'address.city': text('Lyon') }), // too long: the builder reports it
      user(4, { 'address.city': text('Nice') }),
      user(5, { 'address.city': text('Nice'), title: text('Dr') }), // a new shape
      user(6, { 'address.city': text('Nice'), title: text('Mx') }),
      user(7, { 'address.city': text('Nice'), title: text('') }), // an empty value is another shape (and too short here)
      user(8, { 'address.city': text('Nice'), title: text('') }),
      user(9, { 'address.city': text('Ville\u{1F600}é "\\'), title: text('Pr') }),
      user(10, { 'address.city': text('Nice'), title: text('Pr'), password: text('Secret-1') }),
      user(11, { 'address.city': text('Nice'), title: text('Pr'), password: text('Secret-2') }),
    ]);
    expect(plan.counts).toEqual({ direct: 8, generic: 3 });
    expect(encodedRows).toBe(5);
    // Rows that will not be sent need no text.
    const unsent = plan.build(user(12, { 'address.city': text('Nice') }), false);
    expect(unsent.encoded).toBeUndefined();
    expect(unsent.command).toEqual(buildRequest(schema, 'UserAddRequest17sp4', user(12, { 'address.city': text('Nice') })).command);
    encodedRows = 0;
    const base = {
      ...HUNT_GROUP_CELLS,
      policy: text('regular'),
      huntAfterNoAnswer: text('no'),
      noAnswerNumberOfRings: text('5'),
      forwardAfterTimeout: text('0'),
    };
    const hunt = sameAsBuildRequest(huntGroup, [
      row(base),
      row({ ...base, policy: text('CIRCULAR'), noAnswerNumberOfRings: text(' 7 '), enableGroupBusy: text('yes') }),
      row({ ...base, noAnswerNumberOfRings: text('999') }), // outside the type's range: the builder reports it
      row({ ...base, forwardTimeoutSeconds: text('61') }),
    ]);
    expect(hunt.counts).toEqual({ direct: 3, generic: 1 });
    expect(encodedRows).toBe(2);
    encodedRows = 0;
    sameAsBuildRequest('UserModifyRequest22', [
      row({ userId: text('u@example.com'), title: { kind: 'nil' }, lastName: text('New') }),
      row({ userId: text('v@example.com'), title: { kind: 'nil' }, lastName: text('Newer') }),
    ]);
    expect(encodedRows).toBe(1);
  });
});
