import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVbox } from '../../codegen/vbox/index.js';
import { defaultSpecFile } from '../../codegen/vbox/load-spec.js';
import { isThorsHammerError, type ThorsHammerError } from '../../runtime/errors.js';

// The datagram spec's validation (schema + consistency checks, with file:line:column) and the
// generator's determinism.

const specText = readFileSync(defaultSpecFile, 'utf8');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbox-spec-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Applies one textual edit to the real spec, writes it, and returns where the edit landed (1-based line/column of `marker`). */
function mutate(name: string, from: string, to: string, marker = to): { file: string; line: number; column: number } {
  expect(specText.includes(from)).toBe(true);
  const text = specText.replace(from, to);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  const offset = text.indexOf(marker, specText.indexOf(from));
  const before = text.slice(0, offset).split('\n');
  return { file, line: before.length, column: before[before.length - 1]!.length + 1 };
}

async function specFailure(file: string): Promise<ThorsHammerError> {
  try {
    await generateVbox({ specFile: file, outDir: join(dir, 'never-written') });
  } catch (error) {
    if (isThorsHammerError(error)) return error;
    throw error;
  }
  throw new Error('the spec was accepted');
}

describe('vBox spec validation', () => {
  test('the shipped spec is valid and complete', async () => {
    const report = await generateVbox({ outDir: join(dir, 'ok') });
    expect(report).toMatchObject({ requests: 13, responses: 12, enums: 9, files: 5 });
    const text = readFileSync(join(dir, 'ok', 'enums.ts'), 'utf8');
    expect(text.match(/^ {2}[A-Za-z0-9_]+: \d+,$/gm)!.length).toBeGreaterThanOrEqual(162);
    expect(text).toContain('VT_BW1_02206_D2B0S2_02: 228,');
  });

  test('an unknown enum reference is reported at its YAML node', async () => {
    const where = mutate('bad-enum', '{ name: power, type: enum, enum: KeyPowerStatus }', '{ name: power, type: enum, enum: KeyPowerState }', 'KeyPowerState');
    const error = await specFailure(where.file);
    expect(error.code).toBe('TH_ERR_VBOX_SPEC');
    expect(error.context).toMatchObject({ line: where.line, column: where.column, path: '/commands/ToggleKeyStatus/request/fields/2/enum' });
    expect(error.message).toContain(
      `bad-enum.yaml:${where.line}:${where.column}: /commands/ToggleKeyStatus/request/fields/2/enum: unknown enum 'KeyPowerState'`,
    );
  });

  test('a schema violation (unknown field type) names the allowed values', async () => {
    const where = mutate('bad-type', '{ name: timer, type: u16be,', '{ name: timer, type: u32,', 'u32');
    const error = await specFailure(where.file);
    expect(error.context).toMatchObject({ line: where.line, column: where.column, path: '/commands/ToggleKeyStatus/request/fields/4/type' });
    expect(error.message).toMatch(/must be one of "u8", "u16be"/);
  });

  test('a misspelt property is reported at the key itself', async () => {
    const where = mutate('typo', '{ name: dimmerRatio, type: u8, default: 0,', '{ name: dimmerRatio, type: u8, defualt: 0,', 'defualt');
    const error = await specFailure(where.file);
    expect(error.context).toMatchObject({ line: where.line, column: where.column, path: '/commands/ToggleKeyStatus/request/fields/3/defualt' });
    expect(error.message).toContain("unknown property 'defualt'");
  });

  test('consistency checks: count order, offsets, duplicate ids, defaults out of range, computed references', async () => {
    const count = mutate('count', 'count: totalKeys }', 'count: roomId }', 'roomId');
    expect((await specFailure(count.file)).message).toContain("count field 'roomId' must be declared before 'keyTypes'");

    const at = mutate('at', 'at: { v1: 9, v2: 10 }', 'at: { v1: 9, v2: 11 }', 'at:');
    const atError = await specFailure(at.file);
    expect(atError.message).toContain("'type' is at payload offset 10 in v2, not 11");
    expect(atError.context).toMatchObject({ line: at.line, path: '/commands/NodeMetaData/response/fields/3/at' });

    const dup = mutate('dup', 'id: 0x60', 'id: 0x65');
    expect((await specFailure(dup.file)).message).toContain('command id 0x65 is already used by InternalUnitStatuses');

    const range = mutate('range', 'default: 0, min: 0, max: 100', 'default: 101, min: 0, max: 100', '101');
    expect((await specFailure(range.file)).message).toContain('default 101 is outside 0..100');

    const computed = mutate(
      'computed',
      '{ name: isOn, builtin: equals, field: power, value: ON }',
      '{ name: isOn, builtin: equals, field: power, value: BRIGHT }',
      'BRIGHT',
    );
    expect((await specFailure(computed.file)).message).toContain("'BRIGHT' is not a value of KeyPowerStatus");

    const rest = mutate(
      'rest',
      '        - { name: rest, type: bytes, length: rest }\n      computed:\n        - { name: model',
      '        - { name: rest, type: bytes, length: rest }\n        - { name: extra, type: u8 }\n      computed:\n        - { name: model',
      'extra',
    );
    expect((await specFailure(rest.file)).message).toContain("'extra' follows a field that runs to the end of the payload");
  });

  test('several problems are all listed; YAML syntax errors and missing files are spec errors too', async () => {
    const text = specText.replace('enum: KeyPowerStatus }', 'enum: Nope }').replace('enum: LockStatus }', 'enum: Nada }');
    const file = join(dir, 'many.yaml');
    writeFileSync(file, text);
    const error = await specFailure(file);
    expect((error.context.problems as unknown[]).length).toBe(2);
    expect(error.message).toMatch(/and 1 more problem/);

    const syntax = join(dir, 'syntax.yaml');
    writeFileSync(syntax, 'specVersion: 1\nprotocol: { name: VTU\nframe: [\n');
    const syntaxError = await specFailure(syntax);
    expect(syntaxError.code).toBe('TH_ERR_VBOX_SPEC');
    expect(syntaxError.message).toMatch(/syntax\.yaml:\d+:\d+: \/: YAML: /);

    const missing = await specFailure(join(dir, 'absent.yaml'));
    expect(missing.code).toBe('TH_ERR_VBOX_SPEC');
    expect(missing.message).toContain('cannot read vBox spec');
  });
});

describe('vBox generator', () => {
  test('is deterministic: two runs give byte-identical files, a re-run writes nothing, no absolute paths leak', async () => {
    const a = await generateVbox({ outDir: join(dir, 'a', 'vbox') });
    const b = await generateVbox({ outDir: join(dir, 'b', 'vbox') });
    expect(a.written).toBe(5);
    const names = readdirSync(join(dir, 'a', 'vbox')).sort();
    expect(names).toEqual(['enums.ts', 'frame-policy.ts', 'index.ts', 'requests.ts', 'responses.ts']);
    for (const name of names) {
      const textA = readFileSync(join(dir, 'a', 'vbox', name), 'utf8');
      expect(textA).toBe(readFileSync(join(dir, 'b', 'vbox', name), 'utf8'));
      expect(textA.startsWith('// Code generated by thors-hammer codegen/vbox from schemas/vbox/vtu.yaml. DO NOT EDIT.\n')).toBe(true);
      expect(textA).not.toContain(dir);
      expect(textA).not.toContain('\r');
    }
    expect(b.files).toBe(5);
    const again = await generateVbox({ outDir: join(dir, 'a', 'vbox') });
    expect(again.written).toBe(0);
  });

  test('generated classes carry metadata only: no per-class encode/decode logic', () => {
    const responses = readFileSync(join(dir, 'a', 'vbox', 'responses.ts'), 'utf8');
    const requests = readFileSync(join(dir, 'a', 'vbox', 'requests.ts'), 'utf8');
    for (const text of [responses, requests]) {
      expect(text).not.toMatch(/readUInt|writeUInt|\bbuf\[|subarray|toString\('utf16le'\)/);
    }
    expect(responses).toContain('export abstract class NodeMetaData extends VboxResponseBase');
    expect(responses).toContain('export class NodeMetaDataV1 extends NodeMetaData');
    expect(responses).toContain('export class KeyParametersV2 extends KeyParameters');
  });
});
