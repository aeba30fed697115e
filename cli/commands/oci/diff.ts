import type { Argv, CommandModule } from 'yargs';
import { diffOciModels } from '../../../codegen/oci/diff.js';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { releaseModel } from './describe.js';
import { exampleRows } from '../../examples.js';

interface DiffArgs {
  from: string;
  to: string;
  schemas?: string[];
  json: boolean;
}

/** `hammer oci diff <from> <to>`: requests added and removed, and same-name types whose structure changed (from the bindings, or the XSDs with --schemas). */
const command: CommandModule<object, DiffArgs> = {
  command: 'diff <from> <to>',
  describe: 'List requests added and removed, and same-name types whose content changed, between two releases',
  builder: (y: Argv) =>
    y
      .positional('from', { type: 'string', demandOption: true, describe: 'older release, e.g. R24' })
      .positional('to', { type: 'string', demandOption: true, describe: 'newer release, e.g. R25' })
      .option('schemas', {
        type: 'string',
        array: true,
        describe: 'read the XSDs instead of the generated bindings: two folders (from, to), each holding OCISchemaAS.xsd',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the difference as JSON' })
      .example(
        exampleRows([
          ['$0 oci diff R24 R25', 'what changed from R24 to R25'],
          ['$0 oci diff R24 R25 --json | jq ".changed | length"', 'count changed types'],
        ]),
      ) as Argv<DiffArgs>,
  handler: async (args) => {
    if (args.schemas && args.schemas.length !== 2)
      throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--schemas needs two folders: the XSDs of <from> and of <to>');
    const from = await releaseModel(args.from, args.schemas?.[0]);
    const to = await releaseModel(args.to, args.schemas?.[1]);
    const d = diffOciModels(from, to);
    if (args.json) {
      console.log(JSON.stringify(d, null, 2));
      return;
    }
    const complex = d.changed.filter((c) => c.kind === 'complex').length;
    console.log(`OCI-P ${d.from} → ${d.to}`);
    console.log(`requests added: ${d.requestsAdded.length}`);
    for (const name of d.requestsAdded) console.log(`  + ${name}`);
    console.log(`requests removed: ${d.requestsRemoved.length}`);
    for (const name of d.requestsRemoved) console.log(`  - ${name}`);
    console.log(`data responses added: ${d.dataResponsesAdded.length}, removed: ${d.dataResponsesRemoved.length}`);
    const spellingOnly = d.changed.filter((c) => c.whitespaceOnly).length;
    const spellingNote = spellingOnly ? `; ${spellingOnly} only by whitespace in an element name, same on the wire` : '';
    console.log(`types changed: ${d.changed.length} (${complex} complex, ${d.changed.length - complex} simple${spellingNote})`);
    for (const c of d.changed) {
      const note = c.whitespaceOnly ? `; the XSD spells ${c.whitespaceOnly.map((n) => JSON.stringify(n)).join(', ')}` : '';
      console.log(`  ~ ${c.name} (${c.kind}${note})`);
    }
  },
};
export default command;
