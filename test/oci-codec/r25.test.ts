// Against the real generated R25 metadata (`npm run generate` runs before the suite).
import { isDeepStrictEqual } from 'node:util';
import { decodeDocument, documentBytes, encodeDocument, type OciCommand } from '../../runtime/oci/codec.js';
import { OciValidationError } from '../../runtime/oci/errors.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { sampleCommand } from '../../runtime/oci/sample.js';
import { collectIssues, validateCommand } from '../../runtime/oci/validate.js';

let schema: OciSchema;
beforeAll(async () => {
  schema = await OciSchema.load('R25', { eager: true });
}, 60_000);

function roundTrip(command: OciCommand, encoding: 'UTF-8' | 'ISO-8859-1'): OciCommand {
  const text = encodeDocument(schema, { sessionId: 'rt', commands: [command] }, { encoding });
  return decodeDocument(schema, documentBytes(text)).commands[0]!;
}

describe('R25 metadata', () => {
  test('every request and data response class is known, with the documented counts', () => {
    const requests = schema.requestTypes();
    expect(requests.length).toBe(schema.index.counts.requests);
    // 3,989 types derive from C:OCIRequest; the two CallCenterAgent* ones are data types (protocol notes §2.4).
    expect(requests.length).toBe(3987);
    const dataResponses = schema.responseTypes().filter((t) => schema.type(t).ns !== 'C');
    expect(dataResponses.length).toBe(2161);
    expect(schema.latest('UserGetRequest')).toBe('UserGetRequest23V2');
    expect(schema.responseTypeOf('UserGetRequest23V2')).toBe('UserGetResponse23V2');
    expect(schema.responseTypeOf('LogoutRequest')).toBe('SuccessResponse');
  });

  test('decode(encode(x)) deep-equals x for sampled commands of every request and response class', () => {
    const types = [...schema.requestTypes(), ...schema.responseTypes()];
    const failures: string[] = [];
    let checked = 0;
    for (const type of types) {
      // variant 0: required members only; 1 and 2: optional members too, other choice branches and subtypes.
      for (const [variant, optional] of [
        [0, false],
        [1, true],
        [2, true],
      ] as const) {
        const command = sampleCommand(schema, type, { variant, optional, seed: variant + 11 });
        const issues = collectIssues(schema, command);
        if (issues.length > 0) {
          failures.push(`${type}/${variant}: sample invalid: ${issues[0]!.path}: ${issues[0]!.message}`);
          continue;
        }
        const back = roundTrip(command, variant === 1 ? 'ISO-8859-1' : 'UTF-8');
        if (!isDeepStrictEqual(back, command))
          failures.push(`${type}/${variant}: ${JSON.stringify(command).slice(0, 300)} ≠ ${JSON.stringify(back).slice(0, 300)}`);
        checked++;
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBe(types.length * 3);
  }, 60_000);

  test('repeating choices, abstract subtypes and nil survive the round trip', () => {
    const identities = schema
      .requestTypes()
      .filter((t) => JSON.stringify(schema.type(t)).includes('"prop"'))
      .slice(0, 5);
    expect(identities.length).toBeGreaterThan(0);
    for (const type of identities) {
      const command = sampleCommand(schema, type, { variant: 1, optional: true });
      expect(roundTrip(command, 'UTF-8')).toEqual(command);
    }
    const modify: OciCommand = {
      $type: 'UserModifyRequest22',
      userId: 'alice@example.com',
      department: null,
      endpoint: { trunkAddressing: { trunkGroupDeviceEndpoint: null } },
    };
    const text = encodeDocument(schema, { sessionId: 's', commands: [modify] });
    expect(text).toMatch(/<department xsi:type="(Enterprise|Group)DepartmentKey" xsi:nil="true"\/>/);
    expect(roundTrip(modify, 'UTF-8')).toEqual(modify);
  });
});

describe('R25 wire documents', () => {
  test('a table found by its schema type, not its name (locationList), and CDATA quoting a DOCTYPE', () => {
    const text =
      '<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<sessionId xmlns="">s</sessionId><trackingId xmlns="">t-42</trackingId>' +
      '<command echo="" xsi:type="EnterpriseVoiceVPNGetPolicyListResponse" xmlns=""><locationList><colHeading>Location</colHeading><colHeading>Policy</colHeading>' +
      '<row><col>Paris &amp; Lyon</col><col/></row></locationList></command>' +
      '<command type="Error" echo="e1" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns=""><summary>[Error 6004] OCI XML Request validation error</summary>' +
      '<summaryEnglish>[Error 6004] OCI XML Request validation error</summaryEnglish><detail><![CDATA[quoted: <!DOCTYPE x [<!ENTITY a "b">]>]]></detail></command>' +
      '</BroadsoftDocument>\r\n';
    const doc = decodeDocument(schema, Buffer.from(text, 'latin1'));
    expect(doc.trackingId).toBe('t-42');
    expect(doc.commands[0]).toEqual({
      $type: 'EnterpriseVoiceVPNGetPolicyListResponse',
      echo: '',
      locationList: { colHeading: ['Location', 'Policy'], row: [{ col: ['Paris & Lyon', ''] }] },
    });
    expect(doc.commands[1]!.detail).toBe('quoted: <!DOCTYPE x [<!ENTITY a "b">]>');
  });
});

describe('R25 validation', () => {
  const issueOf = (command: OciCommand) => {
    try {
      validateCommand(schema, command);
    } catch (e) {
      expect(e).toBeInstanceOf(OciValidationError);
      expect((e as OciValidationError).code).toBe('TH_ERR_OCI_VALIDATION');
      return e as OciValidationError;
    }
    throw new Error('expected a validation error');
  };
  const userAdd = {
    $type: 'UserAddRequest17sp4',
    serviceProviderId: 'sp1',
    groupId: 'g1',
    userId: 'alice@example.com',
    lastName: 'Liddell',
    firstName: 'Alice',
    callingLineIdLastName: 'Liddell',
    callingLineIdFirstName: 'Alice',
    password: 'secret',
  };

  test('facet: longer than maxLength names the full path', () => {
    expect(collectIssues(schema, userAdd)).toEqual([]);
    const e = issueOf({ ...userAdd, address: { city: 'x'.repeat(51) } });
    expect(e.path).toBe('UserAddRequest17sp4.address.city');
    expect(e.message).toBe('UserAddRequest17sp4.address.city: longer than 50');
    expect(collectIssues(schema, { ...userAdd, address: { city: 'x'.repeat(50) } })).toEqual([]);
  });

  test('required member missing', () => {
    const { lastName: _, ...rest } = userAdd;
    expect(issueOf(rest).message).toBe('UserAddRequest17sp4.lastName: required');
  });

  test('"" where minLength is 1 is not silently turned into nil', () => {
    const modify = { $type: 'GroupModifyRequest', serviceProviderId: 'sp', groupId: 'g' };
    const e = issueOf({ ...modify, locationDialingCode: '' });
    expect(e.path).toBe('GroupModifyRequest.locationDialingCode');
    expect(e.message).toBe('GroupModifyRequest.locationDialingCode: shorter than 1; use null (xsi:nil) to clear a value');
    expect(collectIssues(schema, { ...modify, locationDialingCode: null })).toEqual([]);
    expect(encodeDocument(schema, { sessionId: 's', commands: [{ ...modify, locationDialingCode: null }] })).toContain('<locationDialingCode xsi:nil="true"/>');
  });

  test('enumeration: LogoutRequest reason', () => {
    const e = issueOf({ $type: 'LogoutRequest', userId: 'a@b.c', reason: 'Connection close' });
    expect(e.message).toBe(
      "LogoutRequest.reason: 'Connection close' is not one of: Client Logout, Server Connection Failure, Open Client Server Forced Logout",
    );
  });

  test('two branches of a choice', () => {
    const e = issueOf({
      $type: 'GroupAccessDeviceAddRequest22',
      serviceProviderId: 'sp',
      groupId: 'g',
      deviceName: 'd',
      groupExternalId: 'x',
      deviceExternalId: 'y',
      deviceType: 'Polycom',
    });
    expect(e.path).toBe('GroupAccessDeviceAddRequest22');
    expect(e.message).toMatch(/only one of serviceProviderId\+groupId\+deviceName \| groupExternalId\+deviceExternalId may be set/);
  });

  test('occurrence: too many items and range facets', () => {
    const aliases = ['a@x', 'b@x', 'c@x', 'd@x'];
    expect(issueOf({ ...userAdd, alias: aliases }).message).toBe('UserAddRequest17sp4.alias: at most 3 items allowed, got 4');
    const list = {
      $type: 'UserGetListInGroupPagedSortedListRequest',
      serviceProviderId: 'sp',
      groupId: 'g',
      responsePagingControl: { responseStartIndex: 1, responsePageSize: 2001 },
    };
    expect(issueOf(list).message).toBe('UserGetListInGroupPagedSortedListRequest.responsePagingControl.responsePageSize: greater than 2000');
    expect(issueOf({ ...list, responsePagingControl: { responseStartIndex: 0, responsePageSize: 10 } }).message).toBe(
      'UserGetListInGroupPagedSortedListRequest.responsePagingControl.responseStartIndex: less than 1',
    );
    expect(issueOf({ $type: 'UserGetListInGroupPagedSortedListRequest', serviceProviderId: 'sp' }).message).toBe(
      'UserGetListInGroupPagedSortedListRequest.groupId: required',
    );
  });

  test('wrong JavaScript types, unknown members, abstract without $type, nil where not nillable', () => {
    const issues = collectIssues(schema, {
      $type: 'UserModifyRequest22',
      userId: 42,
      lastName: null,
      department: { name: 'x', serviceProviderId: 'sp' },
      colour: 'blue',
    });
    expect(issues).toEqual([
      { path: 'UserModifyRequest22.colour', message: 'unknown member of UserModifyRequest22' },
      { path: 'UserModifyRequest22.userId', message: 'expected a string, got a number' },
      { path: 'UserModifyRequest22.lastName', message: 'not nillable (null given)' },
      { path: 'UserModifyRequest22.department', message: 'DepartmentKey is abstract: $type must name one of EnterpriseDepartmentKey, GroupDepartmentKey' },
    ]);
  });
});
