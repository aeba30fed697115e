// The request builder (runtime/oci/request-builder.ts) against the real R25 schema.
import { encodeDocument } from '../../runtime/oci/codec.js';
import {
  type BuildIssue,
  type FieldAssignment,
  OciFieldArgumentError,
  OciPathError,
  OciRequestBuildError,
  buildRequest,
  buildRequestOrThrow,
  fieldNames,
  parseCliAssignment,
  parsePath,
  prepareRequestType,
} from '../../runtime/oci/request-builder.js';
import { OciSchema } from '../../runtime/oci/schema.js';

let schema: OciSchema;

const TYPES = [
  'UserAddRequest17sp4',
  'UserModifyRequest22',
  'ServiceProviderAddRequest13mp2',
  'GroupAddRequest',
  'UserGetListInGroupRequest',
  'GroupDepartmentAddRequest',
  'GroupFindMeFollowMeAddAlertingGroupRequest',
  'SystemDeviceManagementInProgressAndPendingEventCancelRequest',
  'GroupTrunkGroupModifyInstanceRequest20sp1',
];

beforeAll(async () => {
  schema = await OciSchema.load('R25');
  for (const t of TYPES) await prepareRequestType(schema, t);
}, 60_000);

const text = (path: string, value: string, source?: string): FieldAssignment => ({ path, value: { kind: 'text', text: value }, ...(source ? { source } : {}) });
const json = (path: string, value: unknown): FieldAssignment => ({ path, value: { kind: 'json', value } });
const nil = (path: string): FieldAssignment => ({ path, value: { kind: 'nil' } });
const cli = (...args: string[]) => args.map(parseCliAssignment);
const codes = (issues: BuildIssue[]) => issues.map((i) => `${i.path}:${i.code}`);

const USER = cli(
  'serviceProviderId=sp1',
  'groupId=g1',
  'userId=john@example.com',
  'lastName=Doe',
  'firstName=John',
  'callingLineIdLastName=Doe',
  'callingLineIdFirstName=John',
  'password=Secret123',
);

describe('parsing', () => {
  test('parsePath: names, dots and [index]', () => {
    expect(parsePath('address.city')).toEqual([{ name: 'address' }, { name: 'city' }]);
    expect(parsePath('alias[1]')).toEqual([{ name: 'alias', index: 1 }]);
    expect(parsePath('a.b[2].c')).toEqual([{ name: 'a' }, { name: 'b', index: 2 }, { name: 'c' }]);
    expect(parsePath('department.$type')).toEqual([{ name: 'department' }, { name: '$type' }]);
    for (const bad of ['', 'a..b', '.a', 'a.', 'a[x]', 'a[1', 'a b', 'a[-1]']) expect(() => parsePath(bad)).toThrow(OciPathError);
    expect(() => parsePath('a..b')).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_PATH' }));
  });

  test('parseCliAssignment follows HTTPie: key=value is text, key:=json is JSON', () => {
    expect(parseCliAssignment('title=null')).toEqual({ path: 'title', value: { kind: 'text', text: 'null' }, source: 'title=null' });
    expect(parseCliAssignment('title:=null')).toEqual({ path: 'title', value: { kind: 'json', value: null }, source: 'title:=null' });
    expect(parseCliAssignment('alias:=["a","b"]').value).toEqual({ kind: 'json', value: ['a', 'b'] });
    expect(parseCliAssignment('note=a=b').value).toEqual({ kind: 'text', text: 'a=b' });
    expect(parseCliAssignment('empty=').value).toEqual({ kind: 'text', text: '' });
    expect(parseCliAssignment('url=http://x/?a:=b').path).toBe('url');
    expect(() => parseCliAssignment('novalue')).toThrow(OciFieldArgumentError);
    expect(() => parseCliAssignment('=x')).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_FIELD_ARG' }));
    expect(() => parseCliAssignment(':=1')).toThrow(/key is empty/);
    expect(() => parseCliAssignment('n:=nope')).toThrow(/not JSON.*key=value for text/);
  });
});

describe('coercion by the schema type, never guessed', () => {
  test('booleans: true/false/yes/no/1/0 in any case; anything else is an issue', () => {
    for (const [given, expected] of [
      ['true', true],
      ['FALSE', false],
      ['Yes', true],
      ['no', false],
      ['1', true],
      ['0', false],
      [' true ', true],
    ] as const) {
      const { command } = buildRequest(schema, 'ServiceProviderAddRequest13mp2', [text('isEnterprise', given)], { skipRequired: true });
      expect(command.isEnterprise).toBe(expected);
    }
    const { issues } = buildRequest(schema, 'ServiceProviderAddRequest13mp2', [text('isEnterprise', 'maybe', 'isEnterprise=maybe')], { skipRequired: true });
    expect(issues).toEqual([
      {
        path: 'isEnterprise',
        source: 'isEnterprise=maybe',
        code: 'bad-boolean',
        message: "'isEnterprise' is a boolean: use true/false, yes/no or 1/0, not 'maybe'",
      },
    ]);
  });

  test('numbers: checked against the built-in type (integer, range); JSON numbers taken as they are', () => {
    const ok = buildRequest(schema, 'GroupAddRequest', [text('userLimit', ' 25 ')], { skipRequired: true });
    expect(ok.command.userLimit).toBe(25);
    expect(buildRequest(schema, 'GroupAddRequest', [json('userLimit', 7)], { skipRequired: true }).command.userLimit).toBe(7);
    const bad = buildRequest(schema, 'GroupAddRequest', [text('userLimit', 'lots'), text('groupName', 'x')], { skipRequired: true });
    expect(bad.issues).toEqual([{ path: 'userLimit', code: 'bad-number', message: "'userLimit' is an integer (xs:int), not 'lots'" }]);
    expect(codes(buildRequest(schema, 'GroupAddRequest', [text('userLimit', '2.5')], { skipRequired: true }).issues)).toEqual(['userLimit:bad-number']);
    expect(codes(buildRequest(schema, 'GroupAddRequest', [text('userLimit', '1e3')], { skipRequired: true }).issues)).toEqual(['userLimit:bad-number']);
    expect(buildRequest(schema, 'GroupAddRequest', [text('userLimit', '3000000000')], { skipRequired: true }).issues[0]?.message).toBe(
      '3000000000 is outside the xs:int range',
    );
    // Facets of the simple type (GroupUserLimit: 1..999999) come from the validator, with the path.
    expect(buildRequest(schema, 'GroupAddRequest', [text('userLimit', '0')], { skipRequired: true }).issues).toEqual([
      { path: 'userLimit', code: 'invalid', message: 'less than 1' },
    ]);
  });

  test('enumerations match case-insensitively and send the canonical spelling; a miss lists the values and suggests', () => {
    const { command, issues } = buildRequest(
      schema,
      'UserGetListInGroupRequest',
      cli(
        'serviceProviderId=sp1',
        'GroupId=g1',
        'searchCriteriaUserLastName.mode=equal to',
        'searchCriteriaUserLastName.value=Doe',
        'searchCriteriaUserLastName.isCaseInsensitive=yes',
      ),
    );
    expect(issues).toEqual([]);
    expect(command.searchCriteriaUserLastName).toEqual([{ mode: 'Equal To', value: 'Doe', isCaseInsensitive: true }]);
    const bad = buildRequest(
      schema,
      'UserGetListInGroupRequest',
      cli(
        'serviceProviderId=sp1',
        'GroupId=g1',
        'searchCriteriaUserLastName.mode=Equals To',
        'searchCriteriaUserLastName.value=D',
        'searchCriteriaUserLastName.isCaseInsensitive=0',
      ),
    );
    expect(bad.issues).toEqual([
      {
        path: 'searchCriteriaUserLastName.mode',
        source: 'searchCriteriaUserLastName.mode=Equals To',
        code: 'bad-enumeration',
        message: "'Equals To' is not one of: Starts With, Contains, Equal To",
        suggestions: ['Equal To'],
      },
    ]);
  });

  test('strings are taken as they are (no trimming, "null" is text)', () => {
    const { command } = buildRequest(schema, 'UserModifyRequest22', cli('userId=u1', 'title=null', 'department.$type=GroupDepartmentKey'), { validate: false });
    expect(command.title).toBe('null');
    expect(buildRequest(schema, 'UserModifyRequest22', cli('userId=u1', 'title= Dr '), { validate: false }).command.title).toBe(' Dr ');
  });

  test('a flag element (xs:anyType) takes true (present) or false (absent)', () => {
    const t = 'SystemDeviceManagementInProgressAndPendingEventCancelRequest';
    expect(buildRequestOrThrow(schema, t, cli('cancelAllEvents=true'))).toEqual({ $type: t, cancelAllEvents: true });
    expect(buildRequest(schema, t, cli('cancelAllEvents=false')).command).toEqual({ $type: t });
    // The bad flag is left out, so the choice it belongs to is also reported as missing.
    expect(codes(buildRequest(schema, t, cli('cancelAllEvents=sure')).issues)).toEqual(['cancelAllEvents:bad-boolean', ':required']);
  });
});

describe('nil, lists and structures', () => {
  test('nil: JSON null or {kind: nil} sends xsi:nil where nillable; elsewhere it is an issue', () => {
    const { command, issues } = buildRequest(schema, 'UserModifyRequest22', [text('userId', 'u1'), json('title', null), nil('phoneNumber')]);
    expect(issues).toEqual([]);
    expect(command).toEqual({ $type: 'UserModifyRequest22', userId: 'u1', title: null, phoneNumber: null });
    expect(encodeDocument(schema, { sessionId: 's', commands: [command] })).toContain('<title xsi:nil="true"/>');
    const notNillable = buildRequest(schema, 'UserModifyRequest22', [nil('userId')]);
    expect(notNillable.issues).toContainEqual({ path: 'userId', code: 'not-nillable', message: "'userId' cannot be nil" });
    // The "required" issue for the same path is not reported twice.
    expect(notNillable.issues.filter((i) => i.path === 'userId')).toHaveLength(1);
  });

  test('lists: repeated keys append, a JSON array fills the list, sparse indices are compacted in ascending order', () => {
    const repeated = buildRequest(schema, 'UserAddRequest17sp4', [...USER, ...cli('alias=sip:a@x.com', 'alias=sip:b@x.com')]);
    expect(repeated.issues).toEqual([]);
    expect(repeated.command.alias).toEqual(['sip:a@x.com', 'sip:b@x.com']);
    const array = buildRequest(schema, 'UserAddRequest17sp4', [...USER, ...cli('alias:=["sip:a@x.com","sip:b@x.com"]')]);
    expect(array.command.alias).toEqual(['sip:a@x.com', 'sip:b@x.com']);
    const sparse = buildRequest(schema, 'UserAddRequest17sp4', [...USER, ...cli('alias[7]=sip:z@x.com', 'alias[2]=sip:b@x.com', 'alias[0]=sip:a@x.com')]);
    expect(sparse.command.alias).toEqual(['sip:a@x.com', 'sip:b@x.com', 'sip:z@x.com']);
    const tooMany = buildRequest(schema, 'UserAddRequest17sp4', [...USER, ...['a', 'b', 'c', 'd'].map((c) => text('alias', `sip:${c}@x.com`))]);
    expect(tooMany.issues).toEqual([{ path: 'alias', code: 'invalid', message: 'at most 3 items allowed, got 4' }]);
    expect(codes(buildRequest(schema, 'UserAddRequest17sp4', [...USER, ...cli('alias[1]=a', 'alias[1]=b')]).issues)).toEqual(['alias[1]:duplicate']);
    expect(codes(buildRequest(schema, 'UserAddRequest17sp4', [...USER, ...cli('userId[0]=x')]).issues)).toEqual(['userId[0]:not-a-list']);
  });

  test('lists of structures: indices pick the item; without one a path fills the last item or starts a new one', () => {
    const base = cli('serviceProviderId=sp1', 'GroupId=g1');
    const indexed = buildRequest(schema, 'UserGetListInGroupRequest', [
      ...base,
      ...cli(
        'searchCriteriaDn[1].mode=Contains',
        'searchCriteriaDn[1].value=555',
        'searchCriteriaDn[0].mode=Starts With',
        'searchCriteriaDn[0].value=+1',
        'searchCriteriaDn[1].isCaseInsensitive=true',
        'searchCriteriaDn[0].isCaseInsensitive=false',
      ),
    ]);
    expect(indexed.issues).toEqual([]);
    expect(indexed.command.searchCriteriaDn).toEqual([
      { mode: 'Starts With', value: '+1', isCaseInsensitive: false },
      { mode: 'Contains', value: '555', isCaseInsensitive: true },
    ]);
    const unindexed = buildRequest(schema, 'UserGetListInGroupRequest', [
      ...base,
      ...cli('searchCriteriaDn.mode=Contains', 'searchCriteriaDn.value=555', 'searchCriteriaDn.mode=Starts With', 'searchCriteriaDn.value=+1'),
    ]);
    expect(unindexed.command.searchCriteriaDn).toEqual([
      { mode: 'Contains', value: '555' },
      { mode: 'Starts With', value: '+1' },
    ]);
    // Validation issues of a compacted item name the user's path and source.
    const missing = buildRequest(schema, 'UserGetListInGroupRequest', [...base, text('searchCriteriaDn[5].mode', 'Contains', 'col:dn_mode')]);
    expect(missing.issues.map((i) => i.path)).toEqual(['searchCriteriaDn[5].value', 'searchCriteriaDn[5].isCaseInsensitive']);
    expect(missing.issues.every((i) => i.code === 'required')).toBe(true);
  });

  test('JSON objects build nested structures; a text value for a structure is an issue', () => {
    const { command, issues } = buildRequest(schema, 'ServiceProviderAddRequest13mp2', [
      text('serviceProviderId', 'sp1'),
      text('defaultDomain', 'example.com'),
      text('isEnterprise', 'yes'),
      json('address', { city: 'Paris', zipOrPostalCode: 75001 }),
    ]);
    expect(issues).toEqual([]);
    expect(command.address).toEqual({ city: 'Paris', zipOrPostalCode: '75001' });
    const flat = buildRequest(schema, 'ServiceProviderAddRequest13mp2', cli('address=Paris'), { skipRequired: true });
    expect(flat.issues).toEqual([
      {
        path: 'address',
        source: 'address=Paris',
        code: 'structure-needs-members',
        message: "'address' is a structure (StreetAddress): set its members with dotted paths (address.…) or give a JSON object",
      },
    ]);
    const inner = buildRequest(schema, 'ServiceProviderAddRequest13mp2', [json('address', { cty: 'Paris', city: ['x'] })], { skipRequired: true });
    expect(inner.issues).toEqual([
      { path: 'address.cty', code: 'unknown-field', message: "StreetAddress has no member 'cty'", suggestions: ['city'] },
      { path: 'address.city', code: 'bad-value', message: "'city' takes a single value, not a list" },
    ]);
    expect(codes(buildRequest(schema, 'ServiceProviderAddRequest13mp2', cli('serviceProviderId.x=1'), { skipRequired: true }).issues)).toEqual([
      'serviceProviderId:not-a-structure',
    ]);
  });

  test('a repeating choice is a list of items, each holding one branch', () => {
    const t = 'GroupFindMeFollowMeAddAlertingGroupRequest';
    const base = cli('serviceUserId=fmfm@x.com', 'alertingGroupName=A', 'useDiversionInhibitor=no', 'answerConfirmationRequired=no', 'numberOfRings=3');
    const { command, issues } = buildRequest(schema, t, [
      ...base,
      ...cli('phoneNumberOrUserId[0].phoneNumber=+15551234', 'phoneNumberOrUserId[1].userId=u@x.com'),
    ]);
    expect(issues).toEqual([]);
    expect(command.phoneNumberOrUserId).toEqual([{ phoneNumber: '+15551234' }, { userId: 'u@x.com' }]);
    const both = buildRequest(schema, t, [...base, ...cli('phoneNumberOrUserId[0].phoneNumber=+15551234', 'phoneNumberOrUserId[0].userId=u@x.com')]);
    expect(codes(both.issues)).toEqual(['phoneNumberOrUserId[0]:invalid']);
  });
});

describe('choices and abstract types', () => {
  test('the filled fields choose the branch; two filled branches are a choice-conflict issue', () => {
    const one = buildRequest(
      schema,
      'UserModifyRequest22',
      cli(
        'userId=u1',
        'endpoint.accessDeviceEndpoint.accessDevice.deviceLevel=Group',
        'endpoint.accessDeviceEndpoint.accessDevice.deviceName=d1',
        'endpoint.accessDeviceEndpoint.linePort=l@x.com',
      ),
    );
    expect(one.issues).toEqual([]);
    const two = buildRequest(
      schema,
      'UserModifyRequest22',
      cli('userId=u1', 'endpoint.trunkAddressing.trunkGroupDeviceEndpoint.name=t', 'endpoint.accessDeviceEndpoint.linePort=l@x.com'),
    );
    expect(two.issues).toEqual([
      { path: 'endpoint', code: 'choice-conflict', message: expect.stringMatching(/^only one of .*accessDeviceEndpoint.*trunkAddressing/) },
    ]);
  });

  test('an abstract element takes its concrete type from a $type path step or a JSON $type, in any order', () => {
    const base = cli('serviceProviderId=sp1', 'groupId=g1', 'departmentName=Sales');
    const byPath = buildRequest(schema, 'GroupDepartmentAddRequest', [
      ...base,
      ...cli('parentDepartmentKey.name=HQ', 'parentDepartmentKey.serviceProviderId=sp1', 'parentDepartmentKey.$type=EnterpriseDepartmentKey'),
    ]);
    expect(byPath.issues).toEqual([]);
    expect(byPath.command.parentDepartmentKey).toEqual({ $type: 'EnterpriseDepartmentKey', name: 'HQ', serviceProviderId: 'sp1' });
    expect(encodeDocument(schema, { sessionId: 's', commands: [byPath.command] })).toContain('<parentDepartmentKey xsi:type="EnterpriseDepartmentKey">');
    const byJson = buildRequest(schema, 'GroupDepartmentAddRequest', [
      ...base,
      json('parentDepartmentKey', { $type: 'GroupDepartmentKey', serviceProviderId: 'sp1', groupId: 'g1', name: 'HQ' }),
    ]);
    expect(byJson.issues).toEqual([]);
    expect(byJson.command.parentDepartmentKey).toMatchObject({ $type: 'GroupDepartmentKey', groupId: 'g1' });
  });

  test('abstract without $type, an unknown or unrelated $type, and a member of the wrong subtype are issues', () => {
    const base = cli('serviceProviderId=sp1', 'groupId=g1', 'departmentName=Sales');
    const none = buildRequest(schema, 'GroupDepartmentAddRequest', [...base, ...cli('parentDepartmentKey.name=HQ')]);
    expect(none.issues).toEqual([
      {
        path: 'parentDepartmentKey',
        code: 'abstract-type',
        message: 'DepartmentKey is abstract: set parentDepartmentKey.$type to one of EnterpriseDepartmentKey, GroupDepartmentKey',
        suggestions: ['EnterpriseDepartmentKey', 'GroupDepartmentKey'],
      },
    ]);
    const unknown = buildRequest(schema, 'GroupDepartmentAddRequest', [...base, ...cli('parentDepartmentKey.$type=GroupDepartmentKy')]);
    expect(unknown.issues[0]).toMatchObject({ path: 'parentDepartmentKey.$type', code: 'unknown-type', suggestions: ['GroupDepartmentKey'] });
    const unrelated = buildRequest(schema, 'GroupDepartmentAddRequest', [...base, ...cli('parentDepartmentKey.$type=StreetAddress')]);
    expect(unrelated.issues[0]).toMatchObject({ code: 'unknown-type', message: "'StreetAddress' is not a DepartmentKey" });
    const wrongMember = buildRequest(schema, 'GroupDepartmentAddRequest', [
      ...base,
      ...cli('parentDepartmentKey.$type=EnterpriseDepartmentKey', 'parentDepartmentKey.groupId=g1'),
    ]);
    expect(wrongMember.issues).toEqual([
      {
        path: 'parentDepartmentKey.groupId',
        source: 'parentDepartmentKey.groupId=g1',
        code: 'unknown-field',
        message: "EnterpriseDepartmentKey has no member 'groupId'",
      },
      { path: 'parentDepartmentKey.serviceProviderId', code: 'required', message: 'required' },
      { path: 'parentDepartmentKey.name', code: 'required', message: 'required' },
    ]);
    const emptyAbstract = buildRequest(schema, 'GroupDepartmentAddRequest', [...base, json('parentDepartmentKey', {})]);
    expect(emptyAbstract.issues).toEqual([
      {
        path: 'parentDepartmentKey',
        code: 'abstract-type',
        message: 'DepartmentKey is abstract: set parentDepartmentKey.$type to one of EnterpriseDepartmentKey, GroupDepartmentKey',
        suggestions: ['EnterpriseDepartmentKey', 'GroupDepartmentKey'],
      },
    ]);
  });
});

describe('issues and errors', () => {
  test('every issue is collected, with path, source and suggestions (groupId against the XSD GroupId)', () => {
    const { issues } = buildRequest(schema, 'UserGetListInGroupRequest', [
      text('serviceProviderId', 'sp1', 'col A'),
      text('groupId', 'g1', 'col B'),
      text('responseSizeLimit', 'ten', 'col C'),
      text('nope..x', '1', 'col D'),
    ]);
    expect(issues).toEqual([
      { path: 'groupId', source: 'col B', code: 'unknown-field', message: "UserGetListInGroupRequest has no member 'groupId'", suggestions: ['GroupId'] },
      { path: 'responseSizeLimit', source: 'col C', code: 'bad-number', message: "'responseSizeLimit' is an integer (xs:int), not 'ten'" },
      { path: 'nope..x', source: 'col D', code: 'bad-path', message: 'empty step (two dots, or a dot at an end)' },
      { path: 'GroupId', code: 'required', message: 'required' },
    ]);
  });

  test('facet issues from the validator carry the user path and source', () => {
    const { issues } = buildRequest(schema, 'UserAddRequest17sp4', [...USER, text('address.city', 'x'.repeat(90), 'city')]);
    expect(issues).toEqual([{ path: 'address.city', source: 'city', code: 'invalid', message: 'longer than 50' }]);
  });

  test('skipRequired leaves out missing-member issues only (Modify-style partial rows)', () => {
    const partial = buildRequest(schema, 'UserAddRequest17sp4', cli('userId=u@x.com', 'address.city=' + 'x'.repeat(60)), { skipRequired: true });
    expect(codes(partial.issues)).toEqual(['address.city:invalid']);
    expect(buildRequest(schema, 'UserAddRequest17sp4', cli('userId=u@x.com')).issues.filter((i) => i.code === 'required').length).toBeGreaterThan(3);
  });

  test('a value set twice is an issue, not a silent overwrite', () => {
    expect(codes(buildRequest(schema, 'UserModifyRequest22', cli('userId=a', 'userId=b')).issues)).toEqual(['userId:duplicate']);
    expect(codes(buildRequest(schema, 'UserModifyRequest22', cli('userId=a', 'address.city=P', 'address:={"city":"Q"}')).issues)).toEqual([
      'address:duplicate',
    ]);
  });

  test('buildRequestOrThrow throws OciRequestBuildError (TH_ERR_OCI_BUILD) carrying every issue', () => {
    expect(buildRequestOrThrow(schema, 'UserGetRequest22V5', cli('userId=u@x.com'))).toEqual({ $type: 'UserGetRequest22V5', userId: 'u@x.com' });
    let error: unknown;
    try {
      buildRequestOrThrow(schema, 'UserAddRequest17sp4', [...USER.slice(1), ...cli('GroupID=x')]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OciRequestBuildError);
    const build = error as OciRequestBuildError;
    expect(build.code).toBe('TH_ERR_OCI_BUILD');
    expect(build.issues.map((i) => i.code)).toEqual(['unknown-field', 'required']);
    expect(build.message).toBe(
      "UserAddRequest17sp4: GroupID (GroupID=x): UserAddRequest17sp4 has no member 'GroupID'; did you mean groupId? (and 1 more issue)",
    );
  });

  test('request names resolve like everywhere else; an unknown name throws with suggestions; a type not loaded says so', async () => {
    expect(buildRequest(schema, 'UserModifyRequest', cli('userId=u')).command.$type).toBe('UserModifyRequest22');
    expect(() => buildRequest(schema, 'UserModifyRequst', [])).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_UNKNOWN_TYPE' }));
    const fresh = await OciSchema.load('R25');
    expect(() => buildRequest(fresh, 'SystemSoftwareVersionGetRequest', [])).toThrow(expect.objectContaining({ code: 'TH_ERR_OCI_TYPE_NOT_LOADED' }));
    await expect(prepareRequestType(fresh, 'UserGetResponse23V2')).rejects.toThrow(/not a request/);
  });

  test('fieldNames lists the members a path may name, level by level', () => {
    expect(fieldNames(schema, 'UserGetListInGroupRequest')).toEqual(expect.arrayContaining(['serviceProviderId', 'GroupId', 'searchCriteriaDn', 'echo']));
    expect(fieldNames(schema, 'UserGetListInGroupRequest', 'searchCriteriaDn')).toEqual(['mode', 'value', 'isCaseInsensitive']);
    expect(fieldNames(schema, 'GroupFindMeFollowMeAddAlertingGroupRequest', 'phoneNumberOrUserId')).toEqual(['phoneNumber', 'userId']);
    expect(fieldNames(schema, 'UserGetListInGroupRequest', 'serviceProviderId')).toEqual([]);
  });
});
