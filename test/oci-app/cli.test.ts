// The command line over the application layer: `oci encode` from fields, the stdin notice on a
// terminal, `oci decode --format`, and `hammer completion` (the helper and the real bash script).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

const hammerBin = join(projectRoot, 'bin/hammer.mjs');

function run(command: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const hammer = (args: string[], stdin?: string) => run(process.execPath, [hammerBin, ...args], stdin);

test('oci encode builds one request from fields: exact class names, title:=null as xsi:nil, the deprecation notice', async () => {
  const [exact, nil] = await Promise.all([
    hammer(['oci', 'encode', '--session-id', 's1', 'UserVoiceMessagingUserModifyVoiceManagementRequest', 'userId=u@example.com', 'isActive=YES']),
    hammer(['oci', 'encode', 'UserModifyRequest@latest', 'userId=u@example.com', 'title:=null', 'title2=x']),
  ]);
  expect(exact.code).toBe(0);
  expect(exact.stdout).toContain(
    '<sessionId xmlns="">s1</sessionId><command xmlns="" xsi:type="UserVoiceMessagingUserModifyVoiceManagementRequest"><userId>u@example.com</userId><isActive>true</isActive></command>',
  );
  expect(exact.stderr).toBe(
    'hammer: note: UserVoiceMessagingUserModifyVoiceManagementRequest is deprecated in R25; its newest version is UserVoiceMessagingUserModifyVoiceManagementRequest23 (or write UserVoiceMessagingUserModifyVoiceManagementRequest@latest)\n',
  );
  expect(nil.code).toBe(1);
  expect(nil.stderr).toBe(
    "hammer: TH_ERR_OCI_BUILD: UserModifyRequest22: title2 (title2=x): UserModifyRequest22 has no member 'title2'; did you mean title?\n",
  );
  const ok = await hammer(['oci', 'encode', 'UserModifyRequest@latest', 'userId=u@example.com', 'title:=null']);
  expect(ok.stdout).toContain('<command xmlns="" xsi:type="UserModifyRequest22"><userId>u@example.com</userId><title xsi:nil="true"/></command>');
}, 60_000);

test('oci decode --format json gives tables as records; the default keeps the wire shape', async () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<sessionId xmlns="">s</sessionId><command xsi:type="UserGetListInGroupResponse" xmlns=""><userTable><colHeading>User Id</colHeading>' +
    '<row><col>a@x.com</col></row></userTable></command></BroadsoftDocument>';
  const [raw, records] = await Promise.all([hammer(['oci', 'decode'], xml), hammer(['oci', 'decode', '--format', 'json'], xml)]);
  expect(JSON.parse(raw.stdout).commands[0].userTable).toEqual({ colHeading: ['User Id'], row: [{ col: ['a@x.com'] }] });
  expect(JSON.parse(records.stdout).commands[0].userTable).toEqual([{ userId: 'a@x.com' }]);
}, 60_000);

test('oci encode and decode say on a terminal that they are reading stdin', async () => {
  // `script` (util-linux) gives the CLI a pseudo-terminal; end of input is Ctrl-D.
  for (const sub of ['encode', 'decode']) {
    const commandLine = [process.execPath, hammerBin, 'oci', sub].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', commandLine, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const noticed = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        if (output.includes('from stdin (end with Ctrl-D)')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await noticed;
    child.stdin.write('\u0004');
    expect(await exited).toBe(1);
    expect(output).toContain(`hammer: reading ${sub === 'encode' ? 'the JSON document' : 'an OCI-P document'} from stdin (end with Ctrl-D)…`);
  }
}, 60_000);

describe('completion', () => {
  test('the helper offers commands, flags, flag values, request names and field names of the selected release', async () => {
    const [commands, flags, formats, requests, r24, fields, nested] = await Promise.all([
      hammer(['__complete', 'oci', 'de']),
      hammer(['__complete', 'oci', 'send', '--for']),
      hammer(['__complete', 'oci', 'send', '--format', '']),
      hammer(['__complete', 'oci', 'send', 'UserGetListInGr']),
      hammer(['__complete', 'oci', 'send', '--release', 'R24', 'UserModifyRequest2']),
      hammer(['__complete', 'oci', 'send', '--url', 'tcp://x', 'UserGetListInGroupRequest', 'serviceProviderId=sp', 'Gr']),
      hammer(['__complete', 'oci', 'send', 'UserAddRequest17sp4', 'address.ci']),
    ]);
    expect(commands.stdout.split('\n')).toEqual(['describe', 'decode', '']);
    expect(flags.stdout).toBe('--format\n');
    expect(formats.stdout.split('\n')).toEqual(['table', 'json', 'raw', 'csv', '']);
    expect(requests.stdout.split('\n')).toEqual(['UserGetListInGroupPagedSortedListRequest', 'UserGetListInGroupRequest', '']);
    expect(r24.stdout.split('\n')).toContain('UserModifyRequest22');
    expect(fields.stdout).toBe('GroupId=\n');
    expect(nested.stdout).toBe('address.city=\n');
  }, 60_000);

  test('the bash script completes request names and field names through the real bash', async () => {
    const script = (await hammer(['completion', 'bash'])).stdout;
    expect(script).toContain('complete -o default -F _hammer_complete hammer');
    const complete = async (line: string) => {
      const program = [
        `hammer() { '${process.execPath}' '${hammerBin}' "$@"; }`,
        script,
        `COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}`,
        'read -r -a COMP_WORDS <<< "$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")',
        'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
        '_hammer_complete',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      return (await run('bash', ['-c', program])).stdout.split('\n').filter((l) => l !== '');
    };
    const [names, fields, commands] = await Promise.all([
      complete('hammer oci send SystemSoftwareVersionGet'),
      complete('hammer oci send UserGetRequest user'),
      complete('hammer m'),
    ]);
    expect(names).toEqual(['SystemSoftwareVersionGetRequest']);
    expect(fields).toEqual(['userId=']);
    expect(commands).toEqual(['mock']);
  }, 60_000);

  test('the zsh script completes request names and field names through the real zsh', async () => {
    const script = (await hammer(['completion', 'zsh'])).stdout;
    expect(script).toMatch(/^#compdef hammer\n/);
    expect(script).toContain('compdef _hammer hammer');
    // compadd and compdef stand in for the completion system: they print what they are given.
    const complete = async (...words: string[]) => {
      const program = [
        `hammer() { '${process.execPath}' '${hammerBin}' "$@"; }`,
        'compdef() { :; }',
        'compadd() { print -r -- "compadd $*"; }',
        '_files() { print -r -- "_files"; }',
        script,
        `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}`,
        '_hammer',
      ].join('\n');
      return (await run('zsh', ['-c', program])).stdout.split('\n').filter((l) => l !== '');
    };
    const [names, fields, nothing] = await Promise.all([
      complete('hammer', 'oci', 'send', 'SystemSoftwareVersionGet'),
      complete('hammer', 'oci', 'send', 'UserGetRequest', 'user'),
      complete('hammer', 'oci', 'send', '--ca', ''),
    ]);
    expect(names).toEqual(['compadd -Q -- SystemSoftwareVersionGetRequest']);
    expect(fields).toEqual(['compadd -Q -S  -- userId=']);
    expect(nothing).toEqual(['_files']);
  }, 60_000);
});
