// The bulk engine's per-row client work, stage by stage, in one process with no socket: what
// the pool pays per command (the per-document costs, the network and the server are left out).
// UserAddRequest17sp4 rows as in bulk.bench.ts: CSV parse, prepare (RowMapper: build, validate,
// row hash; rows of a shape seen before come encoded, with their journal JSON), encode
// (15-command documents, as the pool sends them), journal line (secrets masked), as the engine
// does them. Each stage's time is the best of several rounds, so other jobs on the host count less.
//
//   npm run bench -- bulk-client-stages     (or: node --import tsx bench/bulk-client-stages.bench.ts [--rows 20000] [--rounds 12])
import { performance } from 'node:perf_hooks';
import { CsvParser } from '../agents/bulk/csv.js';
import { maskSecrets, rowLineText } from '../agents/bulk/journal.js';
import { type PreparedRow, RowMapper, loadPresets } from '../agents/bulk/index.js';
import { MAX_COMMANDS, type OciCommand, encodeDocument } from '../runtime/oci/codec.js';
import { OciSchema } from '../runtime/oci/schema.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROWS = arg('--rows', 20_000);
const ROUNDS = arg('--rounds', 12);
const HEADER = 'serviceProviderId,groupId,userId,lastName,firstName,callingLineIdLastName,callingLineIdFirstName,password,address.city\n';

const schema = await OciSchema.load(OciSchema.newestRelease());
let text = '';
for (let i = 0; i < ROWS; i++) text += `bench-sp,pooled,p-${i}@bench.example,Last${i},First${i},Last${i},First${i},Pw-${i}-secret,Paris\n`;

const best = { csv: Number.POSITIVE_INFINITY, prepare: Number.POSITIVE_INFINITY, encode: Number.POSITIVE_INFINITY, journal: Number.POSITIVE_INFINITY };
for (let round = 0; round < ROUNDS; round++) {
  const spent = { csv: 0, prepare: 0, encode: 0, journal: 0 };
  const parser = new CsvParser();
  const [header] = parser.push(HEADER);
  const mapper = new RowMapper(header?.cells ?? [], { schema, request: 'UserAddRequest17sp4', presets: loadPresets(), keepCells: false });
  let batch: PreparedRow[] = [];
  let journal = '';
  let t0 = performance.now();
  // Rows flow as in a run: parsed, prepared, sent 15 to a document, journaled; none is kept.
  for (let offset = 0; offset < text.length; offset += 32_768) {
    for (const record of parser.feed(text.slice(offset, offset + 32_768))) {
      let t1 = performance.now();
      spent.csv += t1 - t0;
      t0 = t1;
      const row = mapper.prepareKnown(record) ?? (await mapper.prepare(record));
      if (!row.command) throw new Error(`row ${row.row}: ${JSON.stringify(row.issues)}`);
      t1 = performance.now();
      spent.prepare += t1 - t0;
      t0 = t1;
      batch.push(row);
      if (batch.length < MAX_COMMANDS) continue;
      encodeDocument(schema, { sessionId: 'bench-session', commands: batch.map((r) => r.encoded ?? (r.command as OciCommand)) }, { validate: false });
      t1 = performance.now();
      spent.encode += t1 - t0;
      t0 = t1;
      for (const r of batch) {
        const command = r.commandJson === undefined ? maskSecrets(r.command as OciCommand) : undefined;
        journal += `${rowLineText({ kind: 'row', row: r.row, hash: r.hash, request: r.type, outcome: 'ok', ms: 3, attempts: 1, command }, r.commandJson)}\n`;
      }
      if (journal.length > 65_536) journal = '';
      batch = [];
      t1 = performance.now();
      spent.journal += t1 - t0;
      t0 = t1;
    }
  }
  for (const k of Object.keys(best) as (keyof typeof best)[]) best[k] = Math.min(best[k], spent[k]);
}
const us = (ms: number) => ((ms * 1000) / ROWS).toFixed(2);
const total = best.csv + best.prepare + best.encode + best.journal;
console.log(
  `bulk client stages (${ROWS.toLocaleString('en')} UserAddRequest17sp4 rows, best of ${ROUNDS} rounds, µs per row): CSV ${us(best.csv)}, prepare ${us(best.prepare)}, encode ${us(best.encode)}, journal line ${us(best.journal)}; sum ${us(total)}`,
);
