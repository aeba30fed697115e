// CPU per command of the codec alone, in one process, on the bulk bench's row: a 15-command
// document of UserAddRequest17sp4 (encode as the client does, validation already done by the
// builder), the mock's decode and validate of it, and a 15-command SuccessResponse document
// encoded (ISO-8859-1, as the mock answers) and decoded. Sets the codec's share beside the
// per-row CPU `npm run bench -- bulk` reports for both processes.
//
//   npm run bench -- oci-codec      (or: node --import tsx bench/oci-codec-cost.bench.ts [--documents 3000])
import { loadavg } from 'node:os';
import { type OciCommand, decodeDocument, encodeDocument } from '../runtime/oci/codec.js';
import { OciSchema } from '../runtime/oci/schema.js';
import { collectIssues } from '../runtime/oci/validate.js';

const at = process.argv.indexOf('--documents');
const DOCUMENTS = at === -1 ? 3000 : Number(process.argv[at + 1]);
const PER_DOCUMENT = 15;

const schema = await OciSchema.load('R25');
await schema.ensure('UserAddRequest17sp4');
await schema.ensure('SuccessResponse');
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

/** CPU µs per command of `work` run once per document. */
function perCommand(work: () => void): string {
  for (let i = 0; i < DOCUMENTS / 10; i++) work(); // warm-up
  const before = process.cpuUsage();
  for (let i = 0; i < DOCUMENTS; i++) work();
  const used = process.cpuUsage(before);
  return `${((used.user + used.system) / DOCUMENTS / PER_DOCUMENT).toFixed(2)} µs`;
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
console.log(
  `OCI-P codec CPU per command, ${DOCUMENTS} documents of ${PER_DOCUMENT} (load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}):`,
);
console.log(`  client: encode UserAddRequest17sp4 ${encodeRequest}`);
console.log(`  mock: decode + validate it ${decodeRequest}`);
console.log(`  SuccessResponse, encode (mock) + decode (client) ${roundResponse}`);
