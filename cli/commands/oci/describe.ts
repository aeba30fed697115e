import type { Argv, CommandModule } from 'yargs';
import { describeType, resolveTypeName } from '../../../codegen/oci/describe.js';
import { findOciReleases, loadOciModel } from '../../../codegen/oci/index.js';

interface DescribeArgs {
  name: string;
  release?: string;
  schemas?: string;
  exact: boolean;
  json: boolean;
}

/** The newest release found (R25 before R24), used when --release is not given. */
export function defaultRelease(): string {
  const found = findOciReleases().map((r) => r.release);
  return found.includes('R25') ? 'R25' : (found[found.length - 1] ?? 'R25');
}

/** `hammer oci describe <name>`: a type's fields as a tree, read straight from the release's XSDs. */
const command: CommandModule<object, DescribeArgs> = {
  command: 'describe <name>',
  describe: 'Print the fields of an OCI-P type as a tree (a family name such as UserGetRequest means its latest version)',
  builder: (y: Argv) =>
    y
      .positional('name', {
        type: 'string',
        demandOption: true,
        describe: 'type name (UserGetRequest23V2, DepartmentKey, UserId) or request family (UserGetRequest)',
      })
      .option('release', { type: 'string', describe: 'OCI-P release (default: R25, or the newest release found)' })
      .option('schemas', { type: 'string', describe: 'folder holding OCISchemaAS.xsd (default schemas/oci/<release> or ../shared/schemas/oci/<release>)' })
      .option('exact', { type: 'boolean', default: false, describe: 'describe the type with exactly this name, even if it is also a family name' })
      .option('json', { type: 'boolean', default: false, describe: 'print the runtime descriptor as JSON instead of a tree' })
      .example('$0 oci describe UserGetRequest', 'the latest UserGetRequest version of R25 (UserGetRequest23V2)')
      .example('$0 oci describe UserModifyRequest22 --release R24', 'a specific version in R24') as Argv<DescribeArgs>,
  handler: async (args) => {
    const release = args.release ?? defaultRelease();
    const { model } = loadOciModel({ release, schemasDir: args.schemas });
    const { key, viaFamily } = resolveTypeName(model, args.name, args.exact);
    if (args.json) {
      console.log(JSON.stringify(model.types.get(key), null, 2));
      return;
    }
    if (viaFamily && viaFamily !== key) console.log(`${viaFamily} → latest version in ${release}: ${key}\n`);
    console.log(describeType(model, key).join('\n'));
  },
};
export default command;
