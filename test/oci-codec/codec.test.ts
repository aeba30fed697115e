import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  decodeCommand,
  decodeDocument,
  decodeDocumentLoading,
  documentBytes,
  encodeCommand,
  encodeDocument,
  type OciCommand,
} from '../../runtime/oci/codec.js';
import { OciDecodeError, OciEncodeError, OciTypeNotLoadedError, OciUnknownTypeError, OciValidationError } from '../../runtime/oci/errors.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { handIndex, loadCounts } from './hand-schema.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/oci-documents/${name}`, import.meta.url)));

let schema: OciSchema;
beforeAll(async () => {
  schema = OciSchema.fromIndex(handIndex());
  await schema.ensureAll();
});

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

describe('encodeDocument', () => {
  test('writes the exact §4.1 envelope, schema order, nil and xsi:type on abstract values', () => {
    const text = encodeDocument(schema, {
      sessionId: 'sess-1',
      trackingId: 'track-9',
      commands: [
        {
          $type: 'UserModifyRequest22',
          // keys deliberately out of schema order
          locationDialingCode: null,
          department: { $type: 'GroupDepartmentKey', name: 'Sales & Support', groupId: 'g1', serviceProviderId: 'sp<1>' },
          userId: 'alice@example.com',
        },
      ],
    });
    expect(text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="${XSI}">` +
        '<sessionId xmlns="">sess-1</sessionId><trackingId xmlns="">track-9</trackingId>' +
        '<command xmlns="" xsi:type="UserModifyRequest22"><userId>alice@example.com</userId>' +
        '<department xsi:type="GroupDepartmentKey"><serviceProviderId>sp&lt;1&gt;</serviceProviderId><groupId>g1</groupId><name>Sales &amp; Support</name></department>' +
        '<locationDialingCode xsi:nil="true"/></command></BroadsoftDocument>',
    );
  });

  test('a nil abstract-typed value still carries a concrete xsi:type', () => {
    const xml = encodeCommand(schema, { $type: 'UserModifyRequest22', userId: 'a@b', department: null });
    expect(xml).toContain('<department xsi:type="EnterpriseDepartmentKey" xsi:nil="true"/>');
  });

  test('echo attribute, booleans, numbers, anyType flags and &quot; in attributes', () => {
    const xml = encodeCommand(schema, {
      $type: 'SystemCPEConfigParametersModifyRequest',
      echo: 'say "hi" & <go>',
      enableIPDeviceManagement: false,
      fileRebuildImmediate: true,
      ratio: 0.5,
    });
    expect(xml).toBe(
      '<command xmlns="" xsi:type="SystemCPEConfigParametersModifyRequest" echo="say &quot;hi&quot; &amp; &lt;go&gt;">' +
        '<enableIPDeviceManagement>false</enableIPDeviceManagement><fileRebuildImmediate/><ratio>0.5</ratio></command>',
    );
  });

  test('core responses look like a real server: c: prefix bound to C', () => {
    const text = encodeDocument(schema, {
      sessionId: 's',
      commands: [
        { $type: 'SuccessResponse', echo: '' },
        { $type: 'ErrorResponse', type: 'Error', echo: '', summary: '[Error 4008] User not found: x', summaryEnglish: '[Error 4008] User not found: x' },
      ],
    });
    expect(text).toContain('<command echo="" xsi:type="c:SuccessResponse" xmlns:c="C" xmlns=""/>');
    expect(text).toContain('<command echo="" type="Error" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns=""><summary>[Error 4008]');
    const back = decodeDocument(schema, text);
    expect(back.commands[0]).toEqual({ $type: 'SuccessResponse', echo: '' });
    expect(back.commands[1]).toEqual({
      $type: 'ErrorResponse',
      type: 'Error',
      echo: '',
      summary: '[Error 4008] User not found: x',
      summaryEnglish: '[Error 4008] User not found: x',
    });
  });

  test('ISO-8859-1: Latin-1 as bytes, the rest as numeric references; documentBytes follows the declaration', () => {
    const doc = { sessionId: 's', commands: [{ $type: 'LogoutRequest', userId: 'Müller€ł@example.com' }] };
    const latin = encodeDocument(schema, doc, { encoding: 'ISO-8859-1' });
    expect(latin.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>')).toBe(true);
    expect(latin).toContain('<userId>Müller&#8364;&#322;@example.com</userId>');
    const bytes = documentBytes(latin);
    expect(bytes.includes(Buffer.from([0x4d, 0xfc, 0x6c]))).toBe(true); // "Mül" in latin1
    expect(decodeDocument(schema, bytes).commands[0]).toEqual(doc.commands[0]);
    const utf = documentBytes(encodeDocument(schema, doc));
    expect(utf.includes(Buffer.from('Müller€ł', 'utf8'))).toBe(true);
    expect(decodeDocument(schema, utf).commands[0]).toEqual(doc.commands[0]);
  });

  test('carriage returns and tabs survive the round trip', () => {
    const cmd = { $type: 'ErrorResponse', type: 'Error', echo: 'a\tb\nc', summary: 'line1\r\nline2', summaryEnglish: 'x' };
    const back = decodeDocument(schema, encodeDocument(schema, { sessionId: 's', commands: [cmd] }));
    expect(back.commands[0]).toEqual(cmd);
  });

  test('bad input gives typed errors naming the path', () => {
    const base = { sessionId: 's' };
    expect(() => encodeDocument(schema, { ...base, commands: [] })).toThrow(OciEncodeError);
    const sixteen = Array.from({ length: 16 }, () => ({ $type: 'LogoutRequest', userId: 'a@b' }));
    expect(() => encodeDocument(schema, { ...base, commands: sixteen })).toThrow(/1 to 15 commands, got 16/);
    expect(() => encodeDocument(schema, { commands: [{ $type: 'LogoutRequest', userId: 'a' }] })).toThrow(/needs a sessionId/);
    // unknown keys are never dropped silently, even without validation
    try {
      encodeDocument(schema, { ...base, commands: [{ $type: 'LogoutRequest', userId: 'a', reasn: 'Client Logout' }] }, { validate: false });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(OciEncodeError);
      expect((e as OciEncodeError).code).toBe('TH_ERR_OCI_ENCODE');
      expect((e as OciEncodeError).path).toBe('LogoutRequest.reasn');
    }
    expect(() =>
      encodeDocument(
        schema,
        { ...base, commands: [{ $type: 'UserModifyRequest22', userId: 'a', department: { name: 'x', serviceProviderId: 'y' } }] },
        { validate: false },
      ),
    ).toThrow(/abstract; set \$type/);
    expect(() => encodeDocument(schema, { ...base, commands: [{ $type: 'NoSuchRequest' }] })).toThrow(OciUnknownTypeError);
    expect(() => encodeDocument(schema, { ...base, commands: [{ $type: 'LogoutRequest', userId: 'a\u0001' }] }, { validate: false })).toThrow(
      /U\+0001 cannot be written/,
    );
    // validation runs by default
    expect(() => encodeDocument(schema, { ...base, commands: [{ $type: 'LogoutRequest', userId: '' }] })).toThrow(OciValidationError);
  });
});

describe('decodeDocument', () => {
  test('real-world shape: ISO-8859-1 bytes, multi-command, tables with <col/>, c: core responses, trailing CRLF', () => {
    const doc = decodeDocument(schema, fixture('multi-latin1.xml'));
    expect(doc.sessionId).toBe('10.1.2.3,1700000000,1700000000123');
    expect(doc.protocol).toBe('OCI');
    expect(doc.commands.map((c) => c.$type)).toEqual(['UserGetListInGroupResponse', 'SuccessResponse', 'ErrorResponse']);
    const table = doc.commands[0]!.userTable as { colHeading: string[]; row: { col: string[] }[] };
    expect(table.colHeading).toEqual(['User Id', 'Last Name', 'First Name', 'Department', 'Line/Port']);
    expect(table.row).toEqual([
      { col: ['jmuller@example.com', 'Müller', 'Jürgen', '', '+4930555@example.com'] },
      { col: ['b&b@example.com', "O'Brien", 'Seán', 'Sales & Marketing', ''] },
    ]);
    expect(doc.commands[1]).toEqual({ $type: 'SuccessResponse', echo: 'x"1' });
    expect(doc.commands[2]).toEqual({
      $type: 'ErrorResponse',
      type: 'Error',
      echo: '',
      summary: '[Error 4008] User not found: nobody@example.com',
      summaryEnglish: '[Error 4008] User not found: nobody@example.com',
    });
  });

  test('CDATA detail is kept verbatim, whitespace between envelope elements is fine', () => {
    const doc = decodeDocument(schema, fixture('error-cdata.xml'));
    const error = doc.commands[0]!;
    expect(error.echo).toBe('req-7');
    expect(error.detail).toBe(
      'Invalid xsi:type qname: \'FooRequest\' in element BroadsoftDocument@C\n<command xsi:type="FooRequest" echo="req-7"><a>&amp;</a></command>\n',
    );
  });

  test('mercury-ocip form: XSI bound to the prefix C, nil abstract and nested nil', () => {
    const doc = decodeDocument(schema, fixture('mercury-prefix.xml'));
    expect(doc.commands[0]).toEqual({
      $type: 'UserModifyRequest22',
      userId: 'alice@example.com',
      department: null,
      locationDialingCode: null,
      endpoint: { trunkAddressing: { trunkGroupDeviceEndpoint: null } },
    });
  });

  test('xsi:type resolved by namespace, whatever the prefix; a C type needs namespace C', () => {
    const xsiAlias = `<command xmlns="" xmlns:q="${XSI}" xmlns:core="C" q:type="core:SuccessResponse"/>`;
    expect(decodeCommand(schema, xsiAlias)).toEqual({ $type: 'SuccessResponse' });
    // unprefixed ErrorResponse under xmlns="" is {}ErrorResponse: not a type of the release
    expect(() => decodeCommand(schema, '<command xmlns="" xsi:type="SuccessResponse"/>')).toThrow(OciUnknownTypeError);
    // a request type in namespace C (command without xmlns="") is refused like a real server would
    expect(() =>
      decodeDocument(
        schema,
        `<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="${XSI}"><sessionId xmlns="">s</sessionId><command xsi:type="LogoutRequest"/></BroadsoftDocument>`,
      ),
    ).toThrow(OciDecodeError);
    // a string-matching decoder would accept this; the prefix is bound to another namespace
    expect(() => decodeCommand(schema, '<command xmlns="" xmlns:c="urn:other" xsi:type="c:SuccessResponse"/>')).toThrow(OciUnknownTypeError);
    expect(() => decodeCommand(schema, '<command xmlns="" xsi:type="NoSuchRequest"/>')).toThrow(/unknown OCI-P type 'NoSuchRequest'/);
  });

  test('booleans 1/0, numbers, choices with sequence branches, repeating choices', () => {
    expect(
      decodeCommand(
        schema,
        '<command xmlns="" xsi:type="SystemCPEConfigParametersModifyRequest"><enableIPDeviceManagement>1</enableIPDeviceManagement><fileRebuildImmediate/><ratio> 2.5 </ratio></command>',
      ),
    ).toEqual({ $type: 'SystemCPEConfigParametersModifyRequest', enableIPDeviceManagement: true, fileRebuildImmediate: true, ratio: 2.5 });
    expect(
      decodeCommand(
        schema,
        '<command xmlns="" xsi:type="GroupAccessDeviceAddRequest22"><groupExternalId>g</groupExternalId><deviceExternalId>d</deviceExternalId></command>',
      ),
    ).toEqual({ $type: 'GroupAccessDeviceAddRequest22', groupExternalId: 'g', deviceExternalId: 'd' });
    expect(
      decodeCommand(
        schema,
        '<command xmlns="" xsi:type="UserRouteAddRequest"><userId>u</userId><trunkIdentity>t1</trunkIdentity><dtgIdentity>d1</dtgIdentity><trunkIdentity>t2</trunkIdentity></command>',
      ),
    ).toEqual({ $type: 'UserRouteAddRequest', userId: 'u', identity: [{ trunkIdentity: 't1' }, { dtgIdentity: 'd1' }, { trunkIdentity: 't2' }] });
    expect(() =>
      decodeCommand(
        schema,
        '<command xmlns="" xsi:type="SystemCPEConfigParametersModifyRequest"><enableIPDeviceManagement>yes</enableIPDeviceManagement></command>',
      ),
    ).toThrow(/'yes' is not a boolean/);
  });

  test('unknown and misordered elements name the path', () => {
    const unknown = () => decodeCommand(schema, '<command xmlns="" xsi:type="LogoutRequest"><userId>u</userId><bogus/></command>');
    expect(unknown).toThrow(OciDecodeError);
    expect(unknown).toThrow(/LogoutRequest: unknown element <bogus> in LogoutRequest/);
    expect(() => decodeCommand(schema, '<command xmlns="" xsi:type="LogoutRequest"><reason>Client Logout</reason><userId>u</userId></command>')).toThrow(
      /out of order/,
    );
    expect(() => decodeCommand(schema, '<command xmlns="" xsi:type="LogoutRequest"><userId kind="x">u</userId></command>')).toThrow(
      /LogoutRequest.userId: unknown attribute kind on a simple value/,
    );
    expect(() => decodeCommand(schema, '<command xmlns="" xsi:type="LogoutRequest" colour="red"><userId>u</userId></command>')).toThrow(
      /unknown attribute colour on LogoutRequest/,
    );
    expect(() =>
      decodeCommand(schema, '<command xmlns="" xsi:type="UserModifyRequest22"><userId>u</userId><department><name>x</name></department></command>'),
    ).toThrow(/UserModifyRequest22.department: element of abstract type DepartmentKey without xsi:type/);
  });

  test('tables: zero rows, generic path for unusual spacing and comments gives the same result', () => {
    const zero = decodeCommand(
      schema,
      '<command xmlns="" xsi:type="UserGetListInGroupResponse"><userTable><colHeading>User Id</colHeading></userTable></command>',
    );
    expect(zero.userTable).toEqual({ colHeading: ['User Id'], row: [] });
    const odd = decodeCommand(
      schema,
      '<command xmlns="" xsi:type="UserGetListInGroupResponse"><userTable>\n <colHeading>A</colHeading ><!-- c --><row><col><![CDATA[x<y]]></col><col /></row></userTable></command>',
    );
    expect(odd.userTable).toEqual({ colHeading: ['A'], row: [{ col: ['x<y', ''] }] });
  });

  test('decodeDocumentLoading loads the modules a document needs', async () => {
    for (const k of Object.keys(loadCounts)) delete loadCounts[k];
    const lazy = await OciSchema.fromIndex(handIndex());
    await lazy.ensure('ErrorResponse');
    expect(loadCounts).toEqual({ base: 1 });
    const text = encodeDocument(schema, { sessionId: 's', commands: [{ $type: 'LogoutRequest', userId: 'u@x' }] });
    expect(() => decodeDocument(lazy, text)).toThrow(OciTypeNotLoadedError);
    const doc = await decodeDocumentLoading(lazy, text);
    expect(doc.commands[0]).toEqual({ $type: 'LogoutRequest', userId: 'u@x' });
    expect(loadCounts).toEqual({ base: 1, datatypes: 1, user: 1 });
  });
});

describe('OciSchema', () => {
  test('latest, responseTypeOf, requestTypes, unknown types', async () => {
    expect(schema.latest('UserAddRequest')).toBe('UserAddRequest17sp4');
    expect(schema.latest('LogoutRequest')).toBe('LogoutRequest');
    expect(schema.latest('UserModifyRequest22')).toBe('UserModifyRequest22');
    expect(schema.latest('Nope')).toBeUndefined();
    expect(schema.responseTypeOf('UserGetListInGroupRequest')).toBe('UserGetListInGroupResponse');
    expect(schema.responseTypeOf('LogoutRequest')).toBe('SuccessResponse');
    expect(schema.requestTypes()).toContain('UserAddRequest17sp4');
    expect(schema.requestTypes()).not.toContain('UserGetListInGroupResponse');
    expect(() => schema.type('Nope')).toThrow(OciUnknownTypeError);
    const fresh = OciSchema.fromIndex(handIndex());
    expect(() => fresh.type('LogoutRequest')).toThrow(/not loaded yet/);
    expect(fresh.responseTypeOf('UserGetListInGroupRequest')).toBe('UserGetListInGroupResponse');
    await expect(fresh.ensure('Nope')).rejects.toThrow(OciUnknownTypeError);
  });

  test('load() reports a missing release clearly', async () => {
    await expect(OciSchema.load('R99', { generatedDir: '/nonexistent' })).rejects.toThrow(/no generated bindings for OCI-P release 'R99'/);
  });
});

export type { OciCommand };
