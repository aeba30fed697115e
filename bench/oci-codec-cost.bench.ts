// CPU per command of the codec alone, in one process, on the bulk bench's row: a 15-command
// document of UserAddRequest17sp4 (encode as the client does, validation already done by the
// builder), the mock's decode and validate of it, and a 15-command SuccessResponse document
// encoded (ISO-8859-1, as the mock answers) and decoded. Sets the codec's share beside the
// per-row CPU `npm run bench -- bulk` reports for both processes.
// Then the client's decode of two typical answers, each beside fast-xml-parser alone (parse only,
// its OCI-correct configuration: the baseline of `npm run bench -- oci-decode`): a 5,000-row
// UserGetListInGroupResponse table, and a UserGetResponse22 with every optional member filled.
//
//   npm run bench -- oci-codec      (or: node --import tsx bench/oci-codec-cost.bench.ts [--documents 3000])
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { type OciCommand, decodeDocument, encodeDocument } from '../runtime/oci/codec.js';
import { OciSchema } from '../runtime/oci/schema.js';
import { sampleCommand } from '../runtime/oci/sample.js';
import { collectIssues } from '../runtime/oci/validate.js';
import { buildDocument, fxpDecode, fxpParser } from './oci-fixtures.js';

const at = process.argv.indexOf('--documents');
const DOCUMENTS = at === -1 ? 3000 : Number(process.argv[at + 1]);
const PER_DOCUMENT = 15;

const schema = await OciSchema.load('R25');
await schema.ensure('UserAddRequest17sp4');
await schema.ensure('SuccessResponse');
await schema.ensure('UserGetListInGroupResponse', 'UserGetResponse22');
const requests: OciCommand[] = Array.from({ length: PER_DOCUMENT }, (_, i) => ({
  $type: 'UserAddRequest17sp4',
  serviceProviderId: 'bench-sp',
  groupId: 'bench-group',
  userId: `user${i}@bench.example`,
  lastName: 'Smith',
  firstName: 'Anna',
  callingLineIdLastName: 'Smith',
  callingLineIdFirstName: 'Anna',
  password: 'Secret-Pa55',
  address: { city: 'Berlin' },
}));
const responses: OciCommand[] = Array.from({ length: PER_DOCUMENT }, () => ({ $type: 'SuccessResponse' }));

/** CPU µs per unit of `work` run `runs` times (after a tenth as many warm-up runs), each run doing `units` units. */
function cpuPer(work: () => void, runs: number, units: number): number {
  for (let i = 0; i < runs / 10; i++) work(); // warm-up
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / runs / units;
}

/** CPU µs per command of `work` run once per document. */
function perCommand(work: () => void): string {
  return `${cpuPer(work, DOCUMENTS, PER_DOCUMENT).toFixed(2)} µs`;
}

const requestText = encodeDocument(schema, { sessionId: 'bench', commands: requests });
const encodeRequest = perCommand(() => encodeDocument(schema, { sessionId: 'bench', commands: requests }, { validate: false }));
const decodeRequest = perCommand(() => {
  for (const command of decodeDocument(schema, requestText).commands) {
    if (collectIssues(schema, command).length > 0) throw new Error('the bench request is invalid');
  }
});
const roundResponse = perCommand(() =>
  decodeDocument(schema, encodeDocument(schema, { sessionId: 'bench', commands: responses }, { encoding: 'ISO-8859-1', validate: false })),
);
const TABLE_ROWS = 5_000;
const tableText = buildDocument(TABLE_ROWS);
const parser = fxpParser();
const tableRuns = Math.max(10, Math.round(DOCUMENTS / 40));
const tableOurs = cpuPer(() => decodeDocument(schema, tableText), tableRuns, TABLE_ROWS);
const tableFxp = cpuPer(() => fxpDecode(parser, tableText), tableRuns, TABLE_ROWS);
if (JSON.stringify(decodeDocument(schema, tableText).commands[0]!.userTable) !== JSON.stringify(fxpDecode(parser, tableText))) {
  throw new Error('the two table decoders disagree');
}
const userGet = sampleCommand(schema, 'UserGetResponse22', { seed: 7, optional: true });
const userGetText = encodeDocument(schema, { sessionId: 'bench', commands: [userGet] }, { encoding: 'ISO-8859-1', validate: false });
if (!isDeepStrictEqual(decodeDocument(schema, userGetText).commands[0], userGet)) throw new Error('UserGetResponse22 does not decode back');
const userGetOurs = cpuPer(() => decodeDocument(schema, userGetText), DOCUMENTS, 1);
const userGetFxp = cpuPer(() => parser.parse(userGetText), DOCUMENTS, 1);

console.log(
  `OCI-P codec CPU per command, ${DOCUMENTS} documents of ${PER_DOCUMENT} (load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}):`,
);
console.log(`  client: encode UserAddRequest17sp4 ${encodeRequest}`);
console.log(`  mock: decode + validate it ${decodeRequest}`);
console.log(`  SuccessResponse, encode (mock) + decode (client) ${roundResponse}`);
console.log(`client decode, CPU per unit beside fast-xml-parser alone (parse, OCI-correct configuration):`);
console.log(
  `  UserGetListInGroupResponse, ${TABLE_ROWS} rows (${(tableText.length / 1e3).toFixed(0)} k chars), per row: ours ${tableOurs.toFixed(3)} µs, fast-xml-parser ${tableFxp.toFixed(3)} µs (${(tableFxp / tableOurs).toFixed(1)}×)`,
);
console.log(
  `  UserGetResponse22, all optional members (${userGetText.length} chars), per document: ours ${userGetOurs.toFixed(2)} µs, fast-xml-parser ${userGetFxp.toFixed(2)} µs (${(userGetFxp / userGetOurs).toFixed(1)}×)`,
);
