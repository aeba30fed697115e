// Paging against a small hand-made OCI-P server (real TCP, the real codec and framer) that
// serves a 4,500-row paged list, and the redaction of secrets in the client's logs.
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { loadMockSchema, type OciMockServer, startOciMock } from '../../runtime/mock/oci/index.js';
import { signedPassword } from '../../runtime/oci/auth.js';
import { OciClient } from '../../runtime/oci/client.js';
import { type OciCommand, decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import { sampleCommand } from '../../runtime/oci/sample.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { OciDocumentSplitter, encodeDocumentText } from '../../runtime/oci/transport/framing.js';
import { captureLogger } from './helpers.js';

const TOTAL_ROWS = 4_500;
const RAW_UNKNOWN_REPLY =
  '<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  '<sessionId xmlns="">s</sessionId><command echo="" xsi:type="UnknownThingGetResponse" xmlns=""><location>/x/y</location></command></BroadsoftDocument>';
let schema: OciSchema;

beforeAll(async () => {
  schema = await loadMockSchema('R25');
}, 60_000);

describe('paging', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  const pagingSeen: { responseStartIndex: number; responsePageSize: number }[] = [];

  /** Answers login, logout and GroupGetListInServiceProviderPagedSortedListRequest from a fixed table. */
  function answer(command: OciCommand): OciCommand {
    switch (command.$type) {
      case 'AuthenticationRequest':
        return { $type: 'AuthenticationResponse', userId: command.userId, nonce: '1234567890123', passwordAlgorithm: 'MD5' };
      case 'LoginRequest14sp4':
        return sampleCommand(schema, 'LoginResponse14sp4');
      case 'LogoutRequest':
        return { $type: 'SuccessResponse' };
      case 'GroupGetListInServiceProviderPagedSortedListRequest': {
        const paging = command.responsePagingControl as { responseStartIndex: number; responsePageSize: number };
        pagingSeen.push(paging);
        const first = paging.responseStartIndex - 1;
        const rows = Array.from({ length: Math.max(0, Math.min(paging.responsePageSize, TOTAL_ROWS - first)) }, (_, i) => ({
          col: [`group${first + i + 1}`, `Group ${first + i + 1}`, ''],
        }));
        return {
          $type: 'GroupGetListInServiceProviderPagedSortedListResponse',
          groupTable: { colHeading: ['Group Id', 'Group Name', 'User Limit'], row: rows },
        };
      }
      default:
        return { $type: 'ErrorResponse', type: 'Error', summary: '[Error 6004] unexpected', summaryEnglish: '[Error 6004] unexpected' };
    }
  }

  beforeAll(async () => {
    await schema.ensure('GroupGetListInServiceProviderPagedSortedListRequest', 'GroupGetListInServiceProviderPagedSortedListResponse');
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const splitter = new OciDocumentSplitter();
      socket.on('data', (chunk) => {
        for (const bytes of splitter.push(chunk)) {
          if (bytes.includes('UnknownThingGetRequest')) {
            // A command and response missing from the schema, answered verbatim.
            socket.write(`${RAW_UNKNOWN_REPLY}\n`);
            continue;
          }
          const request = decodeDocument(schema, bytes);
          const reply = encodeDocument(schema, { sessionId: request.sessionId, commands: request.commands.map(answer) }, { validate: false });
          socket.write(Buffer.concat([encodeDocumentText(reply), Buffer.from('\n')]));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test('pages() walks 1-based start indexes until a short page; allRows() concatenates; sendRaw returns unknown answers raw', async () => {
    const c = new OciClient({ url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, userId: 'admin', password: 'password', schema });
    try {
      const request = { $type: 'GroupGetListInServiceProviderPagedSortedListRequest', serviceProviderId: 'sp' };
      const starts: number[] = [];
      let rows = 0;
      for await (const page of c.pages(request, { pageSize: 2000 })) {
        starts.push(page.startIndex);
        rows += page.table.row.length;
        expect(page.table.colHeading).toEqual(['Group Id', 'Group Name', 'User Limit']);
      }
      expect(starts).toEqual([1, 2001, 4001]);
      expect(rows).toBe(TOTAL_ROWS);
      expect(pagingSeen.slice(-3)).toEqual([
        { responseStartIndex: 1, responsePageSize: 2000 },
        { responseStartIndex: 2001, responsePageSize: 2000 },
        { responseStartIndex: 4001, responsePageSize: 2000 },
      ]);

      const all = await c.allRows(request, { pageSize: 1500 });
      expect(all.row).toHaveLength(TOTAL_ROWS);
      expect(all.row[0]?.col[0]).toBe('group1');
      expect(all.row[TOTAL_ROWS - 1]?.col[0]).toBe(`group${TOTAL_ROWS}`);
      expect(all.row[1500]?.col[0]).toBe('group1501');
      // Exactly divisible: one extra request finds the empty page.
      expect((await c.allRows(request, { pageSize: 900 })).row).toHaveLength(TOTAL_ROWS);
      expect(pagingSeen.at(-1)).toEqual({ responseStartIndex: 4501, responsePageSize: 900 });

      // sendRaw: a response type unknown to the schema comes back as the raw document text.
      expect(await c.sendRaw('UnknownThingGetRequest', '<serviceProviderId>sp</serviceProviderId>')).toBe(RAW_UNKNOWN_REPLY);

      await expect(c.pages(request, { pageSize: 2001 }).next()).rejects.toMatchObject({ code: 'TH_ERR_OCI_PAGING' });
      await expect(c.pages({ $type: 'SystemSoftwareVersionGetRequest' }).next()).rejects.toMatchObject({ code: 'TH_ERR_OCI_PAGING' });
    } finally {
      await c.close();
    }
  });
});

describe('logging', () => {
  let mock: OciMockServer;
  beforeAll(async () => {
    mock = await startOciMock({ release: 'R25', schema, tcpPort: 0, tlsPort: 0, users: [{ userId: 'admin', password: 'Log-Secret-77' }] });
  });
  afterAll(async () => {
    await mock.close();
  });

  test('hashed login with document logging: neither the password nor the signed password ever reaches the logger', async () => {
    const logs = captureLogger();
    const c = new OciClient({ url: mock.url('tcp'), userId: 'admin', password: 'Log-Secret-77', schema, logger: logs.logger, logDocuments: true });
    await c.connect();
    await c.send({ $type: 'UserModifyRequest22', userId: 'nobody@example.com', newPassword: 'New-Secret-88' }).catch(() => undefined);
    await c.close();
    const text = logs.text();
    // The nonce is in the (logged) AuthenticationResponse; recompute what was sent.
    const nonce = /<nonce>(\d+)<\/nonce>/.exec(text)?.[1];
    expect(nonce).toBeDefined();
    expect(text).toContain('LoginRequest14sp4'); // the documents were logged …
    expect(text).not.toContain(signedPassword(nonce as string, 'Log-Secret-77')); // … redacted
    expect(text).not.toContain('Log-Secret-77');
    expect(text).not.toContain('New-Secret-88');
    expect(text).toContain('<signedPassword>***</signedPassword>');
    expect(logs.entries.some((e) => e.level === 'info' && e.message === `login: hashed14sp4 over ${mock.url('tcp')}`)).toBe(true);
    expect(logs.entries.some((e) => e.message === 'logged out')).toBe(true);
  });

  test('plain login over TLS: the password is redacted in logged documents and in error contexts', async () => {
    const logs = captureLogger();
    const c = new OciClient({
      url: mock.url('tls'),
      userId: 'admin',
      password: 'Log-Secret-77',
      schema,
      tls: { ca: mock.certificate },
      logger: logs.logger,
      logDocuments: true,
    });
    await c.connect();
    await c.close();
    const text = logs.text();
    expect(text).toContain('LoginRequest22V5');
    expect(text).toContain('<password>***</password>');
    expect(text).not.toContain('Log-Secret-77');

    const wrong = new OciClient({ url: mock.url('tls'), userId: 'admin', password: 'Wrong-Secret-99', schema, tls: { ca: mock.certificate } });
    const error = await wrong.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TH_ERR_OCI_ERROR_RESPONSE', errorNumber: 4962 });
    expect(JSON.stringify(error)).not.toContain('Wrong-Secret-99');
    expect(JSON.stringify((error as { request: unknown }).request)).not.toContain('Wrong-Secret-99');
    await wrong.close();
  });
});
