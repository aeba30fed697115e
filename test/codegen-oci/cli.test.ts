// `hammer oci describe` and `hammer oci diff`, run as a real CLI process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';

function hammer(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'hammer.mjs'), ...args], { cwd: projectRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const mini = ['--schemas', join(projectRoot, 'test', 'fixtures', 'xsd', 'mini'), '--release', 'mini'];

test('describe resolves a family to its latest version and prints the field tree', async () => {
  const [family, fixture, unknown, exactClass] = await Promise.all([
    hammer('oci', 'describe', 'UserGetRequest@latest', ...mini),
    hammer('oci', 'describe', 'UserModifyRequest22', ...mini),
    hammer('oci', 'describe', 'NoSuchRequest', ...mini),
    hammer('oci', 'describe', 'UserGetRequest', ...mini),
  ]);
  // A family name that is also a class of the release means exactly that class (runtime/oci/names.ts rules).
  expect(exactClass.code).toBe(0);
  expect(exactClass.stdout).not.toContain('latest version');
  expect(exactClass.stderr).toBe('hammer: note: UserGetRequest is not the newest version in mini; that is UserGetRequest23 (or write UserGetRequest@latest)\n');
  expect(family.stderr).toBe('');
  expect(family.code).toBe(0);
  expect(family.stdout).toContain('UserGetRequest → latest version in mini: UserGetRequest23');
  expect(family.stdout).toContain('answered by: UserGetResponse23');
  expect(family.stdout).toMatch(/userId {2}UserId \[xs:token, minLength 1, maxLength 161\] {2}required/);

  expect(fixture.code).toBe(0);
  expect(fixture.stdout).toContain('endpoint  (anonymous)  optional  nillable');
  expect(fixture.stdout).toContain('choice (exactly one):');
  expect(fixture.stdout).toContain('| accessDeviceName  NonEmptyToken');
  expect(fixture.stdout).toContain('department  DepartmentKey (abstract: EnterpriseDepartmentKey | GroupDepartmentKey)  optional  nillable');
  expect(fixture.stdout).toContain('speedDialEntry  NonEmptyToken [xs:token, minLength 1]  [3..3]');
  expect(fixture.stdout).toContain('type  CriteriaMode [xs:token, one of "Equal To" | "0 - Highest"');

  expect(unknown.code).toBe(1);
  expect(unknown.stdout).toBe('');
  expect(unknown.stderr).toBe('hammer: TH_ERR_OCI_UNKNOWN_TYPE: no type or request family named "NoSuchRequest" in OCI-P release mini\n');
}, 90_000);

test('diff R24 R25 --json lists 173 added, 29 removed and 84 changed types', async () => {
  const [json, bad] = await Promise.all([hammer('oci', 'diff', 'R24', 'R25', '--json'), hammer('oci', 'diff', 'R24', 'R99')]);
  expect(json.code).toBe(0);
  const d = JSON.parse(json.stdout) as { requestsAdded: string[]; requestsRemoved: string[]; changed: { name: string; kind: string }[] };
  expect(d.requestsAdded.length).toBe(173);
  expect(d.requestsRemoved.length).toBe(29);
  expect(d.changed.length).toBe(84);
  expect(d.changed.filter((c) => c.kind === 'simple').length).toBe(5);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^hammer: TH_ERR_CODEGEN_NO_SCHEMAS: OCI-P release R99: schema folder .* does not exist\n$/);
}, 90_000);
