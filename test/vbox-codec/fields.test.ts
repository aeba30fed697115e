import { isThorsHammerError } from '../../runtime/errors.js';
import { computeProperty, decodeFields, encodeFields, enumName, enumValue, formatTemplate, modelName, normalizeFields } from '../../runtime/vbox/fields.js';
import type { FieldDescriptor } from '../../runtime/vbox/spec-types.js';

// The generic field codec on hand-written descriptors: every field type, both directions,
// including the ones the VTU spec itself does not use (arrays to the end, hex text, u16 arrays).

const Colour = { RED: 1, GREEN: 2, BLUE: 3 } as const;

const layout: FieldDescriptor[] = [
  { name: 'flag', type: { kind: 'bool8' }, default: true },
  { name: 'big', type: { kind: 'u16be' }, min: 10, max: 60000 },
  { name: 'marker', type: { kind: 'const', value: 0xaa } },
  { name: 'colour', type: { kind: 'enum', enumName: 'Colour', values: Colour } },
  { name: 'id', type: { kind: 'bytes', length: 3, format: 'hex' } },
  { name: 'label', type: { kind: 'string' } },
  {
    name: 'pair',
    type: {
      kind: 'struct',
      fields: [
        { name: 'x', type: { kind: 'u8' } },
        { name: 'y', type: { kind: 'u8' } },
      ],
      format: '{x}-{y}',
    },
  },
  { name: 'n', type: { kind: 'u8' } },
  { name: 'counted', type: { kind: 'array', of: { kind: 'u16be' }, count: 'n' } },
  { name: 'tail', type: { kind: 'array', of: { kind: 'enum', enumName: 'Colour', values: Colour } } },
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isThorsHammerError(error) ? error.code : `not a ThorsHammerError: ${String(error)}`;
  }
  return undefined;
}

describe('generic field codec', () => {
  test('normalise → encode → decode round trip over every field type', () => {
    const values = normalizeFields('Sample', layout, {
      big: '0x1234',
      colour: 'green',
      id: 'ab:cd:ef',
      label: 'hé',
      pair: '4-2',
      counted: [1, 65535],
      tail: ['RED', 3, 'blue'],
    });
    expect(values).toEqual({
      flag: true,
      big: 0x1234,
      marker: 0xaa,
      colour: 2,
      id: Buffer.from('abcdef', 'hex'),
      label: 'hé',
      pair: { x: 4, y: 2 },
      n: 2,
      counted: [1, 65535],
      tail: [1, 3, 3],
    });
    const payload = encodeFields(layout, values);
    expect(payload.toString('hex')).toBe('01' + '1234' + 'aa' + '02' + 'abcdef' + '04' + '6800e900' + '0402' + '02' + '0001ffff' + '010303');
    const decoded = decodeFields('Sample', layout, payload, true);
    expect(decoded.problems).toEqual([]);
    expect(decoded.values).toEqual({ ...values, id: 'abcdef' });
  });

  test('arrays to the end take whole elements only; a dangling byte is a problem', () => {
    const u16tail: FieldDescriptor[] = [{ name: 'words', type: { kind: 'array', of: { kind: 'u16be' } } }];
    expect(decodeFields('W', u16tail, Buffer.from('00010002', 'hex')).values).toEqual({ words: [1, 2] });
    const odd = decodeFields('W', u16tail, Buffer.from('000100', 'hex'));
    expect(odd.values.words).toEqual([1, 0]);
    expect(odd.problems.length).toBe(1);
    expect(codeOf(() => decodeFields('W', u16tail, Buffer.from('000100', 'hex'), true))).toBe('TH_ERR_VBOX_DECODE');
  });

  test('strict errors carry the message, field and offset', () => {
    try {
      decodeFields('Sample', layout, Buffer.from('01', 'hex'), true);
      throw new Error('not thrown');
    } catch (error) {
      expect(isThorsHammerError(error)).toBe(true);
      expect((error as { context: Record<string, unknown> }).context).toMatchObject({ message: 'Sample', field: 'big', offset: 1, payloadLength: 1 });
      expect((error as Error).message).toBe('Sample.big: needs 2 byte(s) at payload offset 1, only 0 left');
    }
  });

  test('bool8 decodes any non-zero byte as true; const mismatches are problems', () => {
    const d = decodeFields(
      'B',
      [
        { name: 'on', type: { kind: 'bool8' } },
        { name: 'm', type: { kind: 'const', value: 0 } },
      ],
      Buffer.from([7, 1]),
    );
    expect(d.values).toEqual({ on: true, m: 1 });
    expect(d.problems).toEqual(['m: expected the constant 00, found 01']);
  });

  test('normalisation errors name the message and field', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ big: 9, colour: 1, label: '', pair: [1, 2], counted: [], tail: [] }, 'Sample.big must be an integer 10–60000, got 9'],
      [
        { big: 10, colour: 'PINK', label: '', pair: [1, 2], counted: [], tail: [] },
        "Sample.colour: 'PINK' is not a Colour (one of RED, GREEN, BLUE, or a number 0–255)",
      ],
      [{ big: 10, colour: 1, id: 'abcd', label: '', pair: [1, 2], counted: [], tail: [] }, 'Sample.id must be exactly 3 bytes, got 2'],
      [{ big: 10, colour: 1, label: '', pair: '1+2', counted: [], tail: [] }, "Sample.pair must look like {x}-{y}, got '1+2'"],
      [{ big: 10, colour: 1, label: '', pair: [1, 2], counted: [70000], tail: [] }, 'Sample.counted[0] must be an integer 0–65535, got 70000'],
      [{ big: 10, colour: 1, label: '', pair: { x: 1, y: 256 }, counted: [], tail: [] }, 'Sample.pair.y must be an integer 0–255, got 256'],
      [{ big: 10, colour: 1, label: 7, pair: [1, 2], counted: [], tail: [] }, 'Sample.label must be text, got 7'],
      [{ big: 10, colour: 1, label: '', pair: [1, 2], counted: 'x', tail: [] }, "Sample.counted must be a list, got 'x'"],
      [
        { big: 10, colour: 1, label: '', pair: [1, 2], counted: [], tail: [], extra: 1 },
        "Sample has no field 'extra' (fields: flag, big, marker, colour, id, label, pair, n, counted, tail)",
      ],
    ];
    for (const [input, message] of cases) {
      let caught: unknown;
      try {
        normalizeFields('Sample', layout, input);
      } catch (error) {
        caught = error;
      }
      expect([isThorsHammerError(caught) && caught.code, (caught as Error | undefined)?.message]).toEqual(['TH_ERR_VBOX_FIELD', message]);
    }
  });

  test('enum helpers and computed built-ins', () => {
    expect(enumName(Colour, 2)).toBe('GREEN');
    expect(enumName(Colour, 9)).toBe(9);
    expect(enumValue(Colour, 'Colour', 'blue', 'x')).toBe(3);
    expect(enumValue(Colour, 'Colour', '200', 'x')).toBe(200);
    expect(codeOf(() => enumValue(Colour, 'Colour', 300, 'x'))).toBe('TH_ERR_VBOX_FIELD');
    expect(modelName({ VT_A_B: 4 }, 4)).toBe('VT-A-B');
    expect(modelName({ VT_A_B: 4 }, 5)).toBe('Unknown-5');
    expect(formatTemplate('{a}.{b}{c}', { a: 7, b: 9, c: 3 })).toBe('7.93');
    expect(computeProperty({ name: 'l', builtin: 'length', field: 'xs' }, { xs: [1, 2, 3] })).toBe(3);
    expect(computeProperty({ name: 'k', builtin: 'indexed', field: 'xs', keys: ['id', 'v'] }, { xs: [5] })).toEqual([{ id: 0, v: 5 }]);
    expect(computeProperty({ name: 'a', builtin: 'alias', field: 'x' }, { x: 'y' })).toBe('y');
  });
});
