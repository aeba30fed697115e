import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { SECRET_FIELDS } from '../../runtime/oci/client/logging.js';
import type { Particle } from '../../runtime/oci/meta.js';
import { builtinOf, OciSchema } from '../../runtime/oci/schema.js';
import { startOciMock, type OciMockServer } from '../../runtime/mock/index.js';
import { builtinHandlers } from '../../web/core/builtin.js';
import { WebServerConfigError } from '../../web/core/errors.js';
import { isSecretField, ociHandler, PasswordEnvPolicy, redactOciText, redactOciXml } from '../../web/core/handlers/oci.js';
import { MIME, type TablePayload } from '../../web/core/types.js';
import { loginAs, startTestServer, type TestServer, waitForAction } from './fixture.js';

/** The one variable the administrator allows in these tests, holding the mock's admin password. */
const ALLOWED_ENV = 'TH_TEST_WEBSEC_BW_PASSWORD';

describe('secret fields: the runtime list against the real schemas', () => {
  /** Named like a secret but holding a key of the voice portal menu, not a secret. */
  const NOT_SECRET = new Set(['finishEnteringOrReenteringPasscode']);

  test('every element holding a password, passcode or secret is listed; no flag or count is', async () => {
    const stringValued = new Set<string>();
    const other = new Set<string>();
    for (const release of OciSchema.releases()) {
      const schema = await OciSchema.load(release, { eager: true });
      const visit = (p: Particle): void => {
        if ('choice' in p) p.choice.forEach(visit);
        else if ('seq' in p) p.seq.forEach(visit);
        else if (/password|passcode|secret/i.test(p.n)) {
          const simple = schema.simpleType(p.t);
          const builtin = simple ? builtinOf(schema, p.t) : 'complex';
          if (/^xs:(string|token|normalizedString)$/.test(builtin) && !simple?.facets?.enumeration) stringValued.add(p.n);
          else other.add(p.n);
        }
      };
      for (const key of Object.keys(schema.index.types)) {
        const t = schema.type(key);
        if (t.kind === 'complex') t.content.forEach(visit);
      }
    }
    expect(stringValued.size).toBeGreaterThan(20);
    for (const name of stringValued) if (!NOT_SECRET.has(name)) expect({ name, secret: isSecretField(name) }).toEqual({ name, secret: true });
    for (const name of other) if (!stringValued.has(name)) expect({ name, secret: isSecretField(name) }).toEqual({ name, secret: false });
    for (const name of SECRET_FIELDS)
      expect({ name, inSchema: stringValued.has(name) || other.has(name) || name === 'signedPassword' }).toEqual({ name, inSchema: true });
    expect(['hasPassword', 'useCustomUserNamePassword', 'passwordExpiresDays', 'generatePassword'].filter(isSecretField)).toEqual([]);
  });

  test('the XML chunk masks secret elements only', () => {
    expect(redactOciXml('<password><![CDATA[a<b]]>&amp;c</password>')).toBe('<password>********</password>');
    // A CDATA section is one unit: a closing tag inside it does not end the element.
    expect(redactOciXml('<password><![CDATA[x</password>Leak9]]></password>')).toBe('<password>********</password>');
    // The escaped form a SOAP envelope carries (the runtime's redactXml, with the Web CLI's mask).
    expect(redactOciXml('&lt;newPassword&gt;Soap7&lt;/newPassword&gt;')).toBe('&lt;newPassword&gt;********&lt;/newPassword&gt;');
    expect(
      redactOciXml(
        '<hasPassword>true</hasPassword><newPassword>abc</newPassword><password a="1">x y</password><useCustomUserNamePassword>false</useCustomUserNamePassword><passwordExpiresDays>30</passwordExpiresDays>',
      ),
    ).toBe(
      '<hasPassword>true</hasPassword><newPassword>********</newPassword><password a="1">********</password><useCustomUserNamePassword>false</useCustomUserNamePassword><passwordExpiresDays>30</passwordExpiresDays>',
    );
  });
});

describe('redactOciText: the command text as the handler parses it', () => {
  test.each([
    ['escaped space', '%oci% UserModifyRequest22 userId=a newPassword=a\\ bEscaped', '%oci% UserModifyRequest22 userId=a newPassword=********', ['bEscaped']],
    [
      'single quotes',
      "%oci% UserModifyRequest22 'newPassword=Quoted Pw1' userId=a",
      '%oci% UserModifyRequest22 newPassword=******** userId=a',
      ['Quoted', 'Pw1'],
    ],
    [
      'double quotes with an escaped quote',
      '%oci% UserModifyRequest22 "newPassword=Dq\\"Pw2" userId=a',
      '%oci% UserModifyRequest22 newPassword=******** userId=a',
      ['Dq', 'Pw2'],
    ],
    [
      'quotes inside the value',
      '%oci% UserModifyRequest22 newPassword="in side"Pw3 userId=a',
      '%oci% UserModifyRequest22 newPassword=******** userId=a',
      ['in side', 'Pw3'],
    ],
    ['a JSON field', '%oci% UserModifyRequest22 passcode:=\'"4321"\'', '%oci% UserModifyRequest22 \'passcode:="********"\'', ['4321']],
    [
      'a dotted nested field',
      '%oci% UserConsolidatedAddRequest sipAuthenticationData.sipAuthenticationPassword=Nested1',
      '%oci% UserConsolidatedAddRequest sipAuthenticationData.sipAuthenticationPassword=********',
      ['Nested1'],
    ],
    [
      'a JSON object holding a nested secret',
      '%oci% --profile lab UserConsolidatedAddRequest sipAuthenticationData:=\'{"sipAuthenticationUserName":"u","sipAuthenticationPassword":"Nested2"}\'',
      '%oci% --profile lab UserConsolidatedAddRequest \'sipAuthenticationData:={"sipAuthenticationUserName":"u","sipAuthenticationPassword":"********"}\'',
      ['Nested2'],
    ],
    [
      'a JSON body',
      '%oci% UserModifyRequest22\n{"userId": "u0004@acme.example", "newPassword": "JsonBody99x"}',
      '%oci% UserModifyRequest22\n{"userId": "u0004@acme.example", "newPassword": "********"}',
      ['JsonBody99x'],
    ],
    [
      'a JSON body with an escaped key',
      '%oci% UserModifyRequest22\n{"new\\u0050assword": "Esc4pedKey"}',
      '%oci% UserModifyRequest22\n{"new\\u0050assword": "********"}',
      ['Esc4pedKey'],
    ],
    ['YAML flow', '%oci% UserModifyRequest22\n{userId: a, newPassword: Flow55}', '%oci% UserModifyRequest22\n{userId: a, newPassword: ********}', ['Flow55']],
    ['a YAML list item', '%oci% X\nitems:\n  - newPassword: List66\n    userId: a', '%oci% X\nitems:\n  - newPassword: ********\n    userId: a', ['List66']],
    ['a top-level list item', '%oci% X\n- newPassword: Top77', '%oci% X\n- newPassword: ********', ['Top77']],
    [
      'a nested block mapping, a block scalar, a number',
      '%oci% UserConsolidatedAddRequest\nsipAuthenticationData:\n  sipAuthenticationUserName: u\n  sipAuthenticationPassword: "Nested 3"\noldPassword: |\n  Block\n  Pw8\npasscode: 98765\nhasPassword: true\n',
      '%oci% UserConsolidatedAddRequest\nsipAuthenticationData:\n  sipAuthenticationUserName: u\n  sipAuthenticationPassword: "********"\noldPassword: ********\npasscode: ********\nhasPassword: true\n',
      ['Nested 3', 'Block', 'Pw8', '98765'],
    ],
    [
      'an alias and its anchor',
      "%oci% X\nlastName: &p Anch0r\nnewPassword: *p\n'plainTextPassword': 'Sq''9'",
      "%oci% X\nlastName: &p ********\nnewPassword: *p\n'plainTextPassword': '********'",
      ['Anch0r', 'Sq'],
    ],
    [
      'a dotted body key',
      '%oci% X\nsipAuthenticationData.sipAuthenticationPassword: Dotted1',
      '%oci% X\nsipAuthenticationData.sipAuthenticationPassword: ********',
      ['Dotted1'],
    ],
  ])('%s', (_form, text, stored, secrets) => {
    const out = redactOciText(text);
    expect(out).toBe(stored);
    for (const s of secrets) expect(out).not.toContain(s);
  });

  test('every secret field is found, on the first line and in the body, escaped keys included', () => {
    for (const name of SECRET_FIELDS) {
      expect(redactOciText(`%oci% X ${name}=v4lue`)).toBe(`%oci% X ${name}=********`);
      expect(redactOciText(`%oci% X\n${name}: v4lue`)).toBe(`%oci% X\n${name}: ********`);
    }
    expect(redactOciText('%oci% X\n"new\\x50assword": YamlEsc1')).toBe('%oci% X\n"new\\x50assword": ********');
  });

  test('a secret name spelled through quotes or an alias key is found (the quick check cannot skip it)', () => {
    // The splitter joins quoted pieces: the handler reads newPassword=hunter2.
    expect(redactOciText("%oci% UserModifyRequest22 userId=u1 newPass''word=hunter2")).toBe('%oci% UserModifyRequest22 userId=u1 newPassword=********');
    expect(redactOciText('%oci% UserModifyRequest22 userId=u1 new"Pass"word=hunter2')).toBe('%oci% UserModifyRequest22 userId=u1 newPassword=********');
    // An alias key is the scalar at its anchor: the parser reads `*k : hunter2` as newPassword: hunter2.
    const aliased = redactOciText('%oci% UserModifyRequest22\ntitle: &k newPassword\n*k : hunter2');
    expect(aliased).toBe('%oci% UserModifyRequest22\ntitle: &k newPassword\n*k : ********');
  });

  test('flags and other fields stay as typed; text that does not parse is not kept', () => {
    const text = '%oci% GroupAccessDeviceModifyRequest14 useCustomUserNamePassword=true hasPassword:=true userId=a';
    expect(redactOciText(text)).toBe(text);
    // userPassword here is a container (which password to generate), not a secret value.
    const generate = '%oci% PasswordGenerateRequest\nuserPassword: {serviceProviderId: acme, groupId: g, userId: u, generatePassword: true}';
    expect(redactOciText(generate)).toBe(generate);
    expect(redactOciText('%oci% X\npassword: [One1, Two2]')).toBe('%oci% X\npassword: [********, ********]');
    expect(redactOciText('%oci% X\n{ bad: [ newPassword: Unparsed1')).toBe('%oci% (not shown: the text did not parse)');
  });
});

describe('passwordEnv: only the variables the administrator allows', () => {
  test('the rule: exact names, prefixes, never THORS_WEBCLI_*; a bad list stops the handler', async () => {
    const policy = new PasswordEnvPolicy(['BW_ONE', 'BW_LAB_*']);
    expect(['BW_ONE', 'BW_LAB_X', 'BW_ONE_MORE', 'PATH'].map((n) => policy.allows(n))).toEqual([true, true, false, false]);
    expect(new PasswordEnvPolicy(['*']).allows('THORS_WEBCLI_HOME')).toBe(false);
    expect(() => new PasswordEnvPolicy().check('lab', 'PATH')).toThrow(/passwordEnv PATH is not allowed: the administrator allows none/);
    const oci = ociHandler();
    expect(() => oci.start!({} as never, { passwordEnvAllowed: ['BAD-NAME'] })).toThrow(WebServerConfigError);
    expect(() => oci.start!({} as never, { passwordEnvAllowed: 'PATH' })).toThrow(/must be a list/);
  });
});

describe('against a server and the mock OCI-P server', () => {
  let server: TestServer;
  let mock: OciMockServer;
  let home: string;
  const inject = (options: InjectOptions) => server.web.app.inject(options);

  beforeAll(async () => {
    process.env[ALLOWED_ENV] = 'admin';
    mock = await startOciMock({ tcpPort: 0, seed: 'test/fixtures/mock/seed.json' });
    home = mkdtempSync(join(tmpdir(), 'webcli-websec-'));
    writeFileSync(join(home, 'webcli.yaml'), `handlers:\n  oci:\n    config:\n      passwordEnvAllowed: [${ALLOWED_ENV}]\n`);
    server = await startTestServer({ handlers: builtinHandlers(), listen: false, home });
  });
  afterAll(async () => {
    await server.close();
    await mock.close();
    rmSync(home, { recursive: true, force: true });
    delete process.env[ALLOWED_ENV];
  });

  const profile = (passwordEnv: string) => ({ defaultProfile: 'lab', profiles: { lab: { url: mock.url('tcp'), userId: 'admin', passwordEnv } } });

  async function submit(cookie: string, userId: number, text: string) {
    const thread = (await inject({ method: 'POST', url: '/api/threads', headers: { cookie }, payload: { title: 'T' } })).json();
    const res = await inject({ method: 'POST', url: `/api/threads/${thread.id}/actions`, headers: { cookie }, payload: { text } });
    expect(res.statusCode).toBe(201);
    return { created: res.json(), action: await waitForAction(server, userId, res.json().actionId) };
  }

  test.each(['THORS_WEBCLI_HOME', 'PATH'])('naming %s is refused when saved: 400 naming the rule', async (name) => {
    const { cookie } = await loginAs(server, `env-${name.toLowerCase()}@example.com`);
    const res = await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: profile(name) } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TH_ERR_WEB_OCI_PASSWORD_ENV' });
    expect(res.json().message).toContain(`passwordEnv ${name} is not allowed`);
    expect(res.json().message).toContain(`only ${ALLOWED_ENV} (handlers.oci.config.passwordEnvAllowed)`);
    expect((await inject({ method: 'GET', url: '/api/handlers/oci/config', headers: { cookie } })).json().config ?? null).toBeNull();
  });

  test('an allowed variable works end to end; its value is the password sent', async () => {
    const { cookie, userId } = await loginAs(server, 'env-ok@example.com');
    const put = await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: profile(ALLOWED_ENV) } });
    expect(put.statusCode).toBe(200);
    const ok = await submit(cookie, userId, '%oci% UserGetRequest22 userId=alice@acme.example');
    expect(ok.action.status).toBe('succeeded');
    // A wrong value in the variable is a failed login: the variable's value is what is sent.
    process.env[ALLOWED_ENV] = 'not-the-password';
    try {
      const refused = await submit(cookie, userId, '%oci% ping');
      expect(refused.action.status).toBe('failed');
    } finally {
      process.env[ALLOWED_ENV] = 'admin';
    }
  });

  test('checked again when used: a stored configuration naming another variable fails with the same error', async () => {
    const { cookie, userId } = await loginAs(server, 'env-stored@example.com');
    await server.web.service.store.setHandlerConfig(userId, 'oci', profile('THORS_WEBCLI_HOME'));
    const { action } = await submit(cookie, userId, '%oci% ping');
    expect(action.status).toBe('failed');
    const error = JSON.parse(action.chunks.find((c) => c.mime === MIME.error)!.text!);
    expect(error.code).toBe('TH_ERR_WEB_OCI_PASSWORD_ENV');
    expect(JSON.stringify(action)).not.toContain(home);
  });

  test('a stored configuration with one refused profile still runs a plain-password profile and %oci% profiles', async () => {
    const { cookie, userId } = await loginAs(server, 'env-mixed@example.com');
    // Saved through the API (the password sealed at rest), then a profile the list no longer allows is added to what is stored.
    const lab = { url: mock.url('tcp'), userId: 'admin', password: 'admin' };
    const put = await inject({
      method: 'PUT',
      url: '/api/handlers/oci/config',
      headers: { cookie },
      payload: { config: { defaultProfile: 'lab', profiles: { lab } } },
    });
    expect(put.statusCode).toBe(200);
    const stored = (await server.web.service.store.getHandlerConfig(userId, 'oci')) as { profiles: Record<string, unknown> };
    stored.profiles.old = { url: mock.url('tcp'), userId: 'admin', passwordEnv: 'PATH' };
    await server.web.service.store.setHandlerConfig(userId, 'oci', stored);
    const listed = await submit(cookie, userId, '%oci% profiles');
    expect(listed.action.status).toBe('succeeded');
    expect(JSON.stringify(listed.action.chunks)).toContain('old');
    expect((await submit(cookie, userId, '%oci% ping --profile lab')).action.status).toBe('succeeded');
    const refused = (await submit(cookie, userId, '%oci% ping --profile old')).action;
    expect(refused.status).toBe('failed');
    expect(JSON.parse(refused.chunks.find((c) => c.mime === MIME.error)!.text!).code).toBe('TH_ERR_WEB_OCI_PASSWORD_ENV');
  });

  test('every input form: the stored text, title and request hold no secret; the output neither', async () => {
    const { cookie, userId } = await loginAs(server, 'forms@example.com');
    await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: profile(ALLOWED_ENV) } });
    const forms: [string, string[]][] = [
      ['%oci% UserModifyRequest22\n{"userId": "alice@acme.example", "newPassword": "JsonBody99x"}', ['JsonBody99x']],
      ['%oci% UserModifyRequest22\n{userId: alice@acme.example, newPassword: FlowStyle88}', ['FlowStyle88']],
      ['%oci% UserModifyRequest22 userId=alice@acme.example newPassword=Esc\\ aped77', ['aped77']],
      ['%oci% UserModifyRequest22 userId=alice@acme.example "newPassword=Dq\\"uoted66"', ['uoted66']],
      ["%oci% UserPortalPasscodeModifyRequest userId=alice@acme.example 'newPasscode=5432 1'", ['5432']],
      ['%oci% UserModifyRequest22 userId=alice@acme.example\nnewPassword: |\n  Block\n  Scalar55', ['Block', 'Scalar55']],
      [
        '%oci% UserConsolidatedAddRequest serviceProviderId=acme groupId=acme-hq userId=new1@acme.example lastName=L firstName=F callingLineIdLastName=L callingLineIdFirstName=F\nsipAuthenticationData:\n  sipAuthenticationUserName: new1\n  sipAuthenticationPassword: "Nested 44"\npassword: Top33',
        ['Nested 44', 'Top33'],
      ],
    ];
    for (const [text, secrets] of forms) {
      const { created, action } = await submit(cookie, userId, text);
      const everything = JSON.stringify({ created, action });
      for (const s of secrets) expect({ text, leaked: everything.includes(s) }).toEqual({ text, leaked: false });
      expect(action.rawText).toContain('********');
    }
  });

  test('a response with secret members: masked in the XML and the field table; flags shown', async () => {
    const { cookie, userId } = await loginAs(server, 'responses@example.com');
    await inject({ method: 'PUT', url: '/api/handlers/oci/config', headers: { cookie }, payload: { config: profile(ALLOWED_ENV) } });
    // The mock answers with a synthesised response: fileRepositoryPassword is a required member.
    const { action } = await submit(
      cookie,
      userId,
      '%oci% DeviceManagementFileAuthLocationGetRequest22V3 deviceAccessProtocol=Http deviceAccessMethod=GET deviceAccessURI=cfg accessDeviceUserPassword=Req4est',
    );
    expect(action.status).toBe('succeeded');
    expect(action.rawText).not.toContain('Req4est');
    const xml = action.chunks.find((c) => c.mime === MIME.xml)!.text!;
    expect(xml).toMatch(/<accessDeviceUserPassword>\*{8}<\/accessDeviceUserPassword>/);
    expect(xml).toMatch(/<fileRepositoryPassword>\*{8}<\/fileRepositoryPassword>/);
    const table = JSON.parse(action.chunks.find((c) => c.mime === MIME.table)!.text!) as TablePayload;
    expect(table.rows.filter((r) => r[1] === '********').map((r) => r[0])).toEqual(['fileRepositoryPassword']);
    expect(table.rows.length).toBeGreaterThan(1);
    // A flag named after passwords stays visible, in the XML and in the table.
    const added = (await submit(cookie, userId, '%oci% GroupAdminAddRequest serviceProviderId=acme groupId=acme-hq userId=ga@acme.example password=GaPw11'))
      .action;
    expect(added.status).toBe('succeeded');
    expect(JSON.stringify(added)).not.toContain('GaPw11');
    const admin = (await submit(cookie, userId, '%oci% GroupAdminGetRequest22V3 userId=ga@acme.example')).action;
    const adminXml = admin.chunks.find((c) => c.mime === MIME.xml)!.text!;
    expect(adminXml).toMatch(/<hasPassword>(true|false)<\/hasPassword>/);
    const adminTable = JSON.parse(admin.chunks.find((c) => c.mime === MIME.table)!.text!) as TablePayload;
    expect(adminTable.rows.find((r) => r[0] === 'hasPassword')?.[1]).toMatch(/^(true|false)$/);
  });
});
