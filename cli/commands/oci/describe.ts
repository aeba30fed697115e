import type { Argv, CommandModule } from 'yargs';
import { describeType, resolveTypeName } from '../../../codegen/oci/describe.js';
import { findOciReleases, loadOciModel } from '../../../codegen/oci/index.js';
import { loadModelViewFromBindings, type OciModelView } from '../../../codegen/oci/model-view.js';
import { OciSchema } from '../../../runtime/oci/schema.js';

interface DescribeArgs {
  name: string;
  release?: string;
  schemas?: string;
  exact: boolean;
  json: boolean;
}

/** The newest release found (R25 before R24) among generated bindings and XSD folders, used when --release is not given. */
export function defaultRelease(): string {
  const found = [...new Set([...OciSchema.releases(), ...findOciReleases().map((r) => r.release)])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return found.includes('R25') ? 'R25' : (found[found.length - 1] ?? 'R25');
}

/**
 * The model of a release for describe/diff: read from the XSDs in `schemasDir` when given,
 * otherwise from the release's generated bindings (all the installed package has), otherwise
 * from the XSDs found in schemas/oci/ or ../shared/schemas/oci/.
 */
export async function releaseModel(release: string, schemasDir?: string): Promise<OciModelView> {
  if (schemasDir === undefined && OciSchema.releases().includes(release)) return loadModelViewFromBindings(release);
  return loadOciModel({ release, schemasDir }).model;
}

/** `hammer oci describe <name>`: a type's fields as a tree, from the release's bindings (or its XSDs with --schemas). */
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
      .option('schemas', {
        type: 'string',
        describe: 'read the XSDs in this folder (holding OCISchemaAS.xsd) instead of the generated bindings',
      })
      .option('exact', { type: 'boolean', default: false, describe: 'describe the type with exactly this name, even if it is also a family name' })
      .option('json', { type: 'boolean', default: false, describe: 'print the runtime descriptor as JSON instead of a tree' })
      .example('$0 oci describe UserGetRequest', 'the latest UserGetRequest version of R25 (UserGetRequest23V2)')
      .example('$0 oci describe UserModifyRequest22 --release R24', 'a specific version in R24') as Argv<DescribeArgs>,
  handler: async (args) => {
    const release = args.release ?? defaultRelease();
    const model = await releaseModel(release, args.schemas);
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
