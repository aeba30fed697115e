// Bad input to the generator: unsupported constructs, unknown references and missing files
// must raise a ThorsHammerError with a stable code naming the file and type.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOciRelease, loadOciModel } from '../../codegen/oci/index.js';
import { isThorsHammerError } from '../../runtime/errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function schemaSet(body: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'th-xsd-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'OCISchemaAS.xsd'),
    `<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:core="C">\n${body}\n</xs:schema>\n`,
  );
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(isThorsHammerError(error)).toBe(true);
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

const load = (schemasDir: string) => () => loadOciModel({ release: 'T1', schemasDir });

test.each([
  ['xs:union', '<xs:simpleType name="U"><xs:union memberTypes="xs:int xs:token"/></xs:simpleType>', 'U'],
  ['xs:list', '<xs:simpleType name="L"><xs:list itemType="xs:int"/></xs:simpleType>', 'L'],
  ['xs:any', '<xs:complexType name="A"><xs:sequence><xs:any/></xs:sequence></xs:complexType>', 'A'],
  ['xs:group ref', '<xs:complexType name="G"><xs:group ref="X"/></xs:complexType>', 'G'],
  ['xs:simpleContent', '<xs:complexType name="S"><xs:simpleContent><xs:extension base="xs:token"/></xs:simpleContent></xs:complexType>', 'S'],
  ['element ref=', '<xs:complexType name="R"><xs:sequence><xs:element ref="x"/></xs:sequence></xs:complexType>', 'R'],
  ['substitutionGroup', '<xs:complexType name="Q"><xs:sequence><xs:element name="a" type="xs:int" substitutionGroup="b"/></xs:sequence></xs:complexType>', 'Q'],
  ['mixed content', '<xs:complexType name="M" mixed="true"><xs:sequence/></xs:complexType>', 'M'],
  [
    'ambiguous choice',
    '<xs:complexType name="C2"><xs:choice><xs:element name="a" type="xs:int"/><xs:sequence><xs:element name="a" type="xs:int"/></xs:sequence></xs:choice></xs:complexType>',
    'C2',
  ],
])('unsupported construct %s → TH_ERR_CODEGEN_UNSUPPORTED naming file and type', (_what, body, type) => {
  const e = errorOf(load(schemaSet(body)));
  expect(e.code).toBe('TH_ERR_CODEGEN_UNSUPPORTED');
  expect(e.message).toContain('OCISchemaAS.xsd');
  expect(e.message).toContain(type);
});

test('an unknown type reference names the file, type and reference', () => {
  const e = errorOf(load(schemaSet('<xs:complexType name="T"><xs:sequence><xs:element name="a" type="Missing"/></xs:sequence></xs:complexType>')));
  expect(e.code).toBe('TH_ERR_CODEGEN_SCHEMA');
  expect(e.message).toMatch(/OCISchemaAS\.xsd: T\/a: unknown type Missing/);
});

test('a missing include, malformed XML and a duplicate type are schema errors', () => {
  expect(errorOf(load(schemaSet('<xs:include schemaLocation="Nope.xsd"/>'))).code).toBe('TH_ERR_CODEGEN_SCHEMA');
  const bad = errorOf(
    load(
      schemaSet('<xs:include schemaLocation="Bad.xsd"/>', { 'Bad.xsd': '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:complexType name="x">' }),
    ),
  );
  expect(bad.code).toBe('TH_ERR_CODEGEN_SCHEMA');
  expect(bad.message).toContain('Bad.xsd');
  const dup = errorOf(
    load(
      schemaSet(
        '<xs:simpleType name="D"><xs:restriction base="xs:int"/></xs:simpleType><xs:simpleType name="D"><xs:restriction base="xs:int"/></xs:simpleType>',
      ),
    ),
  );
  expect(dup).toMatchObject({ code: 'TH_ERR_CODEGEN_SCHEMA' });
  expect(dup.message).toContain('declared twice');
});

test('a missing folder or a folder without OCISchemaAS.xsd is TH_ERR_CODEGEN_NO_SCHEMAS', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'th-xsd-'));
  dirs.push(empty);
  mkdirSync(join(empty, 'sub'));
  await expect(generateOciRelease({ release: 'R99', schemasDir: join(empty, 'missing') })).rejects.toMatchObject({ code: 'TH_ERR_CODEGEN_NO_SCHEMAS' });
  await expect(generateOciRelease({ release: 'R99', schemasDir: empty })).rejects.toMatchObject({
    code: 'TH_ERR_CODEGEN_NO_SCHEMAS',
    message: expect.stringContaining('OCISchemaAS.xsd'),
  });
  await expect(generateOciRelease({ release: '../evil', schemasDir: empty })).rejects.toMatchObject({ code: 'TH_ERR_CODEGEN_RELEASE' });
});

test('a no-namespace file included from a namespace-C file adopts C (chameleon include)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-xsd-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'OCISchemaAS.xsd'),
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:core="C"><xs:import namespace="C" schemaLocation="Core.xsd"/>' +
      '<xs:complexType name="UsesCore"><xs:sequence><xs:element name="v" type="core:Chameleon"/></xs:sequence></xs:complexType></xs:schema>',
  );
  writeFileSync(
    join(dir, 'Core.xsd'),
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="C" xmlns="C"><xs:include schemaLocation="Plain.xsd"/></xs:schema>',
  );
  // Plain.xsd has no targetNamespace; its unprefixed reference resolves in the includer's namespace.
  writeFileSync(
    join(dir, 'Plain.xsd'),
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="Base"><xs:restriction base="xs:int"/></xs:simpleType>' +
      '<xs:simpleType name="Chameleon"><xs:restriction base="Base"><xs:maxInclusive value="9"/></xs:restriction></xs:simpleType></xs:schema>',
  );
  const { model } = loadOciModel({ release: 'T2', schemasDir: dir });
  expect(model.types.get('Chameleon')).toMatchObject({ ns: 'C', base: 'xs:int', facets: { maxInclusive: 9 }, file: 'Plain.xsd' });
  expect(model.types.get('UsesCore')).toMatchObject({ content: [{ n: 'v', t: 'Chameleon' }] });
});
