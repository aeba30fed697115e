// The bounded fuzz run of issue 8 inside `npm test`: for each target a few hundred mutated inputs,
// every named hostile class at 16 KB, and a fast-check property over arbitrary text. Each input
// must end in success or a typed ThorsHammerError, never anything else. Timing and throughput
// are measured by the long mode instead (`npm run fuzz -- --inputs N`).
import fc from 'fast-check';
import { isThorsHammerError } from '../../runtime/errors.js';
import { decodeDocument } from '../../runtime/oci/codec.js';
import { unwrapSoapResponse } from '../../runtime/oci/transport/soap-envelope.js';
import { type FuzzTarget, fuzzSchema, fuzzTargets, Rng } from './targets.js';

const MUTANTS_PER_TARGET = 300;
const HOSTILE_BYTES = 16 * 1024;

/** Runs one input; returns the untyped exception it threw, if any. */
function untyped(target: FuzzTarget, input: unknown): unknown {
  try {
    target.run(input);
  } catch (error) {
    if (!isThorsHammerError(error)) return error;
  }
  return undefined;
}

let targets: FuzzTarget[];
beforeAll(async () => {
  targets = await fuzzTargets();
});

test('every target is fuzzed (OCI decode from string and Buffer, tables, SOAP, vBox decode, both framers)', () => {
  expect(targets.map((t) => t.name)).toEqual([
    'oci-decode-string',
    'oci-decode-buffer',
    'oci-table',
    'soap-unwrap',
    'vbox-decode',
    'vbox-framer',
    'oci-framer',
  ]);
});

describe.each(['oci-decode-string', 'oci-decode-buffer', 'oci-table', 'soap-unwrap', 'vbox-decode', 'vbox-framer', 'oci-framer'])('%s', (name) => {
  test(`${MUTANTS_PER_TARGET} mutated inputs: only typed errors`, () => {
    const target = targets.find((t) => t.name === name)!;
    const rng = new Rng(0x5eed + name.length);
    const failures: { input: unknown; error: unknown }[] = [];
    for (let i = 0; i < MUTANTS_PER_TARGET; i++) {
      const input = target.mutant(rng);
      const error = untyped(target, input);
      if (error !== undefined) failures.push({ input, error });
    }
    expect(failures.slice(0, 3)).toEqual([]);
  });

  test('every named hostile class: only typed errors', () => {
    const target = targets.find((t) => t.name === name)!;
    expect(Object.keys(target.hostile).length).toBeGreaterThan(0);
    const failures = Object.entries(target.hostile)
      .map(([hostileName, make]) => ({ hostileName, error: untyped(target, make(HOSTILE_BYTES)) }))
      .filter((f) => f.error !== undefined);
    expect(failures).toEqual([]);
  });

  test('typical input is accepted', () => {
    const target = targets.find((t) => t.name === name)!;
    expect(() => target.run(target.typical(HOSTILE_BYTES))).not.toThrow();
  });
});

test('fast-check: arbitrary text and bytes to the decoder and the SOAP unwrap give typed errors only', async () => {
  const schema = await fuzzSchema();
  const typedOnly = (work: () => unknown): boolean => {
    try {
      work();
    } catch (error) {
      return isThorsHammerError(error);
    }
    return true;
  };
  const markup = fc
    .array(fc.constantFrom('<', '>', '/', '"', '=', 'a', ' ', '&', ';', '!', '?', '-', '[', ']', 'x', ':', 'é', '\u0000'), { maxLength: 60 })
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.oneof(fc.string(), markup), (text) => typedOnly(() => decodeDocument(schema, `<BroadsoftDocument protocol="OCI" xmlns="C">${text}`))),
    { numRuns: 300, seed: 8 },
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 80 }),
      (bytes) => typedOnly(() => decodeDocument(schema, Buffer.from(bytes))) && typedOnly(() => unwrapSoapResponse(Buffer.from(bytes))),
    ),
    { numRuns: 300, seed: 8 },
  );
});
