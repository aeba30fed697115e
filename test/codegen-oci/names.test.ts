// Emitter helpers under property tests: string literals and module names must be safe for any
// input the XSDs may contain (enumeration values, fixed values, file names).
import fc from 'fast-check';
import ts from 'typescript';
import { moduleNameOf, quote } from '../../codegen/oci/emit.js';
import { compareVersionKeys, pairedResponseName, parseCommandName } from '../../codegen/oci/model.js';

function evaluateLiteral(source: string): unknown {
  const file = ts.createSourceFile('x.ts', `const x = ${source};`, ts.ScriptTarget.ES2022, true);
  const init = (file.statements[0] as ts.VariableStatement).declarationList.declarations[0]!.initializer!;
  expect(ts.isStringLiteral(init)).toBe(true);
  expect((file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
  return (init as ts.StringLiteral).text;
}

test('quote() produces a TypeScript string literal with exactly the input value', () => {
  for (const v of ["it's", 'back\\slash', 'Equal To', '#', 'line\nbreak', '\u2028', "'; alert(1); '"]) expect(evaluateLiteral(quote(v))).toBe(v);
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (v) => evaluateLiteral(quote(v)) === v),
    { numRuns: 200 },
  );
});

test('module names are the kebab-case file paths', () => {
  expect(moduleNameOf('OCISchemaUser.xsd')).toBe('oci-schema-user');
  expect(moduleNameOf('Services/OCISchemaServiceCallCenter.xsd')).toBe('services-oci-schema-service-call-center');
  fc.assert(fc.property(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,20}$/), (name) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(moduleNameOf(`Services/${name}.xsd`))));
});

test('command names split into family and version; version keys order numerically', () => {
  expect(parseCommandName('UserGetRequest22V5')).toEqual({ family: 'UserGetRequest', version: '22V5', versionKey: [22, 0, 5] });
  expect(parseCommandName('SystemPasswordRulesGetRequestRI')).toEqual({ family: 'SystemPasswordRulesGetRequestRI', version: '', versionKey: [0, 0, 0] });
  expect(parseCommandName('GroupCallProcessingModifyPolicyRequest14sp9A').family).toBe('GroupCallProcessingModifyPolicyRequestA');
  expect(parseCommandName('UserTwoStageDialingGetRequest13Mp20').versionKey).toEqual([13, 20, 0]);
  expect(parseCommandName('ServiceProviderAddRequest13mp2').versionKey).toEqual([13, 2, 0]);
  expect(parseCommandName('SystemSIPDeviceTypeGetRequest21sp1V2').versionKey).toEqual([21, 1, 2]);
  expect(pairedResponseName('SearchCriteriaRequestFooRequest22V2')).toBe('SearchCriteriaRequestFooResponse22V2');
  fc.assert(
    fc.property(fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)), fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)), ([a1, a2, a3], [b1, b2, b3]) => {
      const name = (m: number, s: number, v: number) => `UserGetRequest${m}${s ? `sp${s}` : ''}${v ? `V${v}` : ''}`;
      const a = parseCommandName(name(a1 + 1, a2, a3));
      const b = parseCommandName(name(b1 + 1, b2, b3));
      const expected = Math.sign(a1 - b1 || a2 - b2 || a3 - b3);
      return a.family === 'UserGetRequest' && Math.sign(compareVersionKeys(a.versionKey, b.versionKey)) === expected;
    }),
  );
});
