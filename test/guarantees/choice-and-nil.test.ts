// Second, independent checks of two codec guarantees whose first tests build their input with our
// own encoder: the XML here is written by hand, and the mock is reached over a raw socket with
// no codec on the client side.
//   - choice exclusivity: at most one branch of an xs:choice (GroupAccessDeviceAddRequest22:
//     serviceProviderId+groupId+deviceName | groupExternalId+deviceExternalId);
//   - nil on an abstract type: an abstract-typed element (DepartmentKey) is written nil with a
//     concrete xsi:type, and reads back as null.
import { type Socket, connect } from 'node:net';
import { loadMockSchema, type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import { decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';

let schema: OciSchema;
let mock: OciMockServer;
let socket: Socket;

const HEAD = '<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const SESSION = '<sessionId xmlns="">hand-written</sessionId>';
const document = (command: string) => `${HEAD}${SESSION}${command}</BroadsoftDocument>`;

const BOTH_BRANCHES =
  '<command xsi:type="GroupAccessDeviceAddRequest22" xmlns=""><serviceProviderId>sp</serviceProviderId><groupId>g</groupId>' +
  '<deviceName>d</deviceName><groupExternalId>x</groupExternalId><deviceExternalId>y</deviceExternalId><deviceType>Polycom</deviceType></command>';
const NIL_DEPARTMENT =
  '<command xsi:type="UserModifyRequest22" xmlns=""><userId>alice@example.com</userId><department xsi:type="EnterpriseDepartmentKey" xsi:nil="true"/></command>';

/** Sends one hand-written document to the mock and resolves with the reply text. */
function exchange(xml: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('</BroadsoftDocument>')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.write(`${xml}\n`);
  });
}

beforeAll(async () => {
  schema = await loadMockSchema('R25');
  mock = await startOciMock({ release: 'R25', schema, tcpPort: 0, users: [{ userId: 'admin', password: 'hand-pw' }] });
  socket = connect(mock.ports.tcp as number, '127.0.0.1');
  socket.on('error', () => {});
  const login = await exchange(document('<command xsi:type="LoginRequest22V5" xmlns=""><userId>admin</userId><password>hand-pw</password></command>'));
  expect(login).toContain('xsi:type="LoginResponse22V5"');
}, 60_000);

afterAll(async () => {
  socket?.destroy();
  await mock?.close();
});

describe('choice exclusivity', () => {
  test('decoding hand-written XML with both branches is a typed decode error at the second branch', () => {
    const xml = document(BOTH_BRANCHES);
    let error: (Error & { code?: string }) | undefined;
    try {
      decodeDocument(schema, xml);
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe('TH_ERR_OCI_DECODE');
    expect(error?.message).toContain('<groupExternalId>');
    expect(error?.message).toMatch(/offset \d+/);
  });

  test('each branch alone decodes to exactly its members', () => {
    const first = decodeDocument(
      schema,
      document(
        '<command xsi:type="GroupAccessDeviceAddRequest22" xmlns=""><serviceProviderId>sp</serviceProviderId><groupId>g</groupId><deviceName>d</deviceName><deviceType>Polycom</deviceType></command>',
      ),
    );
    expect(first.commands).toEqual([{ $type: 'GroupAccessDeviceAddRequest22', serviceProviderId: 'sp', groupId: 'g', deviceName: 'd', deviceType: 'Polycom' }]);
    const second = decodeDocument(
      schema,
      document(
        '<command xsi:type="GroupAccessDeviceAddRequest22" xmlns=""><groupExternalId>x</groupExternalId><deviceExternalId>y</deviceExternalId><deviceType>Polycom</deviceType></command>',
      ),
    );
    expect(second.commands).toEqual([{ $type: 'GroupAccessDeviceAddRequest22', groupExternalId: 'x', deviceExternalId: 'y', deviceType: 'Polycom' }]);
  });

  test('the encoder refuses both branches set', () => {
    expect(() =>
      encodeDocument(schema, {
        sessionId: 's',
        commands: [
          {
            $type: 'GroupAccessDeviceAddRequest22',
            serviceProviderId: 'sp',
            groupId: 'g',
            deviceName: 'd',
            groupExternalId: 'x',
            deviceExternalId: 'y',
            deviceType: 'Polycom',
          },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: expect.stringMatching(/^TH_ERR_OCI_/) }));
  });

  test('the mock answers hand-written XML with both branches with [Error 6004], naming the second branch', async () => {
    const reply = await exchange(document(BOTH_BRANCHES));
    expect(reply).toMatch(/xsi:type="c:ErrorResponse"/);
    expect(reply).toContain('[Error 6004] OCI XML Request validation error');
    expect(reply).toContain('element <groupExternalId> is out of order');
  });
});

describe('nil on an abstract type', () => {
  test('hand-written nil with a concrete xsi:type decodes to null', () => {
    expect(decodeDocument(schema, document(NIL_DEPARTMENT)).commands).toEqual([
      { $type: 'UserModifyRequest22', userId: 'alice@example.com', department: null },
    ]);
  });

  test('null encodes to exactly the hand-written element', () => {
    const xml = encodeDocument(schema, { sessionId: 's', commands: [{ $type: 'UserModifyRequest22', userId: 'alice@example.com', department: null }] });
    expect(xml).toContain('<department xsi:type="EnterpriseDepartmentKey" xsi:nil="true"/>');
  });

  test('a non-nil abstract element without xsi:type is a typed decode error naming the abstract type', () => {
    const xml = document(
      '<command xsi:type="UserModifyRequest22" xmlns=""><userId>alice@example.com</userId><department><serviceProviderId>sp</serviceProviderId><name>d</name></department></command>',
    );
    expect(() => decodeDocument(schema, xml)).toThrow(
      expect.objectContaining({ code: 'TH_ERR_OCI_DECODE', message: expect.stringContaining('abstract type DepartmentKey') }),
    );
  });

  test('the mock takes the hand-written nil department past validation (XML in, no codec on this side)', async () => {
    const reply = await exchange(document(NIL_DEPARTMENT));
    // Not 6004 (validation): the request reached the handler, which finds no such user.
    expect(reply).not.toContain('[Error 6004]');
    expect(reply).toContain('[Error 4008] User not found: alice@example.com');
  });
});
