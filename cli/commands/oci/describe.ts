import type { Argv, CommandModule } from 'yargs';
import { describeType, resolveTypeName } from '../../../codegen/oci/describe.js';
import { findOciReleases, loadOciModel } from '../../../codegen/oci/index.js';
import { LATEST_SUFFIX, parseCommandName } from '../../../runtime/oci/command-name.js';
import { loadModelViewFromBindings, type OciModelView } from '../../../codegen/oci/model-view.js';
import { OciSchema } from '../../../runtime/oci/schema.js';
import { exampleRows } from '../../examples.js';

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
  describe: 'Print the fields of an OCI-P type as a tree (a class means that class; a family that is no class, or Family@latest, its newest version)',
  builder: (y: Argv) =>
    y
      .positional('name', {
        type: 'string',
        demandOption: true,
        describe: 'type name (UserGetRequest23V2, DepartmentKey, UserId), request family (UserGetRequest) or Family@latest',
      })
      .option('release', { type: 'string', describe: 'OCI-P release (default: R25, or the newest release found)' })
      .option('schemas', { type: 'string', describe: 'read the XSDs in this folder (holding OCISchemaAS.xsd) instead of the generated bindings' })
      .option('exact', { type: 'boolean', default: false, describe: 'kept for scripts: a class name is always taken exactly' })
      .option('json', { type: 'boolean', default: false, describe: 'print the runtime descriptor as JSON instead of a tree' })
      .example(
        exampleRows([
          ['$0 oci describe UserGetRequest', 'the latest UserGetRequest version of R25 (UserGetRequest23V2; UserGetRequest is no class there)'],
          ['$0 oci describe UserModifyRequest22 --release R24', 'a specific version in R24'],
        ]),
      ) as Argv<DescribeArgs>,
  handler: async (args) => {
    const release = args.release ?? defaultRelease();
    const model = await releaseModel(release, args.schemas);
    // The name rules of runtime/oci/names.ts: a class means that class; a family that is no class, or Family@latest, its newest version.
    const latest = args.name.endsWith(LATEST_SUFFIX);
    const name = latest ? args.name.slice(0, -LATEST_SUFFIX.length) : args.name;
    const { key, viaFamily } = resolveTypeName(model, name, args.exact || (!latest && model.types.has(name)));
    const newest = model.latest.get(parseCommandName(key).family);
    if (!viaFamily && newest !== undefined && newest !== key) {
      process.stderr.write(
        `hammer: note: ${key} is not the newest version in ${release}; that is ${newest} (or write ${parseCommandName(key).family}@latest)\n`,
      );
    }
    if (args.json) {
      console.log(JSON.stringify(model.types.get(key), null, 2));
      return;
    }
    if (viaFamily && viaFamily !== key) console.log(`${viaFamily} → latest version in ${release}: ${key}\n`);
    console.log(describeType(model, key).join('\n'));
  },
};
export default command;
