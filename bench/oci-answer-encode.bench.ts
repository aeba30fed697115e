// CPU per command of writing OCI-P commands, in one process, over every R25 data response (a
// realistic template and two random samples each, as test/oci-codec/encode-plan.test.ts uses):
// - the codec's encodeCommand (the plan per type) beside the metadata walk it replaced
//   (encodeCommandByWalk, still its fallback and reference), same commands, same text;
// - the mock's response documents (15 answers, ISO-8859-1, then bytes, as the engine sends
//   them): answers written for the first time, and the same answer objects served again (their
//   text kept, runtime/mock/oci/answer-texts.ts), with an empty echo and with echoes.
//
//   npm run bench -- oci-answer-encode    (or: node --import tsx bench/oci-answer-encode.bench.ts [--passes 10])
import { loadavg } from 'node:os';
import { AnswerTexts } from '../runtime/mock/oci/answer-texts.js';
import { loadMockSchema } from '../runtime/mock/oci/index.js';
import { ResponseBuilder } from '../runtime/mock/oci/respond.js';
import { documentBytes, encodeCommand, encodeCommandByWalk, encodeDocument, type OciCommand } from '../runtime/oci/codec.js';
import { sampleValue } from '../runtime/oci/sample.js';

const at = process.argv.indexOf('--passes');
const PASSES = at === -1 ? 10 : Number(process.argv[at + 1]);
const PER_DOCUMENT = 15;

const schema = await loadMockSchema('R25');
const builder = new ResponseBuilder(schema);
const types = schema.responseTypes();

/** Fresh answer objects (nothing kept for them yet), only those the codec writes. */
function answers(seed: number): OciCommand[] {
  const out: OciCommand[] = [];
  for (const [i, type] of types.entries()) {
    const answer =
      i % 3 === 0 ? (builder.template(type) as OciCommand) : ({ ...(sampleValue(schema, type, { seed: seed + i }) as object), $type: type } as OciCommand);
    try {
      encodeCommand(schema, answer);
      out.push(answer);
    } catch {
      // A random value the codec refuses: not a mock answer.
    }
  }
  return out;
}

function cpuMicros(run: () => number): { perCommand: number; commands: number } {
  const start = process.cpuUsage();
  const commands = run();
  const used = process.cpuUsage(start);
  return { perCommand: (used.user + used.system) / commands, commands };
}

const sets = [1, 2, 3].map((s) => answers(s * 1000));
const all = sets.flat();
const check = all.every((a) => encodeCommand(schema, a) === encodeCommandByWalk(schema, a));

function encodeAll(encode: (a: OciCommand) => string): number {
  let n = 0;
  for (let p = 0; p < PASSES; p++) for (const a of all) n += encode(a).length > 0 ? 1 : 0;
  return n;
}
encodeAll((a) => encodeCommand(schema, a));
encodeAll((a) => encodeCommandByWalk(schema, a));
const planned = cpuMicros(() => encodeAll((a) => encodeCommand(schema, a)));
const walked = cpuMicros(() => encodeAll((a) => encodeCommandByWalk(schema, a)));

const texts = new AnswerTexts(schema);
function serve(set: OciCommand[], echoes: readonly string[]): number {
  let n = 0;
  for (let k = 0; k + PER_DOCUMENT <= set.length; k += PER_DOCUMENT) {
    const commands = set.slice(k, k + PER_DOCUMENT).map((a, i) => texts.withEcho(a, echoes[i] as string) ?? { ...a, echo: echoes[i] });
    documentBytes(encodeDocument(schema, { protocol: 'OCI', sessionId: 'bench-session', commands }, { encoding: 'ISO-8859-1', validate: false }));
    n += PER_DOCUMENT;
  }
  return n;
}
const empty = Array.from({ length: PER_DOCUMENT }, () => '');
const echoes = Array.from({ length: PER_DOCUMENT }, (_, i) => `echo-${i}`);
serve(answers(99), empty);
const first = cpuMicros(() => sets.reduce((n, set) => n + serve(set, empty), 0));
const againEmpty = cpuMicros(() => {
  let n = 0;
  for (let p = 0; p < PASSES; p++) for (const set of sets) n += serve(set, empty);
  return n;
});
const againEchoes = cpuMicros(() => {
  let n = 0;
  for (let p = 0; p < PASSES; p++) for (const set of sets) n += serve(set, echoes);
  return n;
});

const f = (x: number) => `${x.toFixed(2)} µs`;
console.log(
  `OCI-P command encoding, CPU per command, ${all.length} R25 data responses x ${PASSES} passes (load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}):`,
);
console.log(`  encodeCommand (plan per type): ${f(planned.perCommand)}; the metadata walk it replaced: ${f(walked.perCommand)} (same text: ${check})`);
console.log(`mock response documents (${PER_DOCUMENT} answers, ISO-8859-1, to bytes), CPU per command:`);
console.log(`  first write ${f(first.perCommand)}; served again: empty echo ${f(againEmpty.perCommand)}, with echoes ${f(againEchoes.perCommand)}`);
