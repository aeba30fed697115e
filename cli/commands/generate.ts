import type { Argv, CommandModule } from 'yargs';
import { findOciReleases, generateOciRelease } from '../../codegen/oci/index.js';
import { generateVbox } from '../../codegen/vbox/index.js';
import { ThorsHammerError } from '../../runtime/errors.js';
import { exampleRows } from '../examples.js';

interface GenerateArgs {
  target: 'oci' | 'vbox' | 'all';
  release?: string[];
  schemas?: string;
  out?: string;
  format?: 'ts' | 'js';
  spec?: string;
  quiet?: boolean;
}

const generate: CommandModule<object, GenerateArgs> = {
  command: 'generate [target]',
  describe: 'Generate typed bindings: OCI-P from the XSDs of each release, vBox from schemas/vbox',
  builder: (y: Argv) =>
    y
      .positional('target', { choices: ['oci', 'vbox', 'all'] as const, default: 'all' as const, describe: 'what to generate' })
      .option('release', {
        type: 'string',
        array: true,
        describe: 'OCI-P release(s), e.g. R25 (default: every release found in schemas/oci/ or ../shared/schemas/oci/)',
      })
      .option('schemas', { type: 'string', describe: 'folder holding OCISchemaAS.xsd (only with one --release)' })
      .option('out', { type: 'string', describe: 'output folder (default generated/oci/<release> or generated/vbox)' })
      .option('format', {
        choices: ['ts', 'js'] as const,
        describe:
          'OCI-P output: js = ES modules (.mjs + .d.mts) that load in CommonJS and ESM projects without a compiler; ts = TypeScript (default: js with --out, ts into generated/)',
      })
      .option('spec', { type: 'string', describe: 'vBox datagram spec file (default schemas/vbox/vtu.yaml)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'print one line per release only' })
      .example(
        exampleRows([
          ['$0 generate', 'regenerate every OCI-P release found, and the vBox bindings'],
          ['$0 generate oci --release R25 --schemas ~/Downloads/OCISchemaAS', 'bindings from a folder of Cisco XSDs'],
          ['$0 generate oci --release R26 --schemas ~/OCISchemaAS-R26 --out ./bindings/oci/R26', 'ES module bindings for your project'],
        ]),
      ) as Argv<GenerateArgs>,
  handler: async (args) => {
    const started = performance.now();
    if (args.target !== 'vbox') {
      const releases = args.release?.length ? args.release.map((release) => ({ release, schemasDir: args.schemas })) : findOciReleases();
      if (args.schemas && releases.length !== 1) {
        throw new ThorsHammerError('TH_ERR_CLI_USAGE', '--schemas needs exactly one --release');
      }
      if (releases.length === 0) {
        throw new ThorsHammerError(
          'TH_ERR_CODEGEN_NO_SCHEMAS',
          "no OCI-P release found: drop Cisco's OCISchemaAS files into schemas/oci/<release>/ or pass --release and --schemas",
        );
      }
      for (const { release, schemasDir } of releases) {
        const outDir = releases.length === 1 ? args.out : undefined;
        const r = await generateOciRelease({ release, schemasDir, outDir, format: args.format ?? (outDir ? 'js' : 'ts') });
        console.log(
          `OCI-P ${r.release}: ${r.ociRequestDerived} request classes (${r.requests} commands${r.ociRequestDerived > r.requests ? ` + ${r.ociRequestDerived - r.requests} used only as data types` : ''}; ${r.deprecatedRequests} deprecated), ${r.dataResponses} data responses, ${r.complexTypes} complex and ${r.simpleTypes} simple types → ${r.files} files in ${(r.ms / 1000).toFixed(2)} s (${r.outDir})`,
        );
        if (!args.quiet && r.orphanFiles.length > 0) {
          console.log(`  also read ${r.orphanFiles.length} file(s) that OCISchemaAS.xsd does not include: ${r.orphanFiles.join(', ')}`);
        }
      }
    }
    if (args.target !== 'oci') {
      const r = await generateVbox({ specFile: args.spec, outDir: args.target === 'vbox' ? args.out : undefined });
      if (r) {
        console.log(
          `vBox: ${r.requests} requests, ${r.responses} responses, ${r.enums} enumerations → ${r.files} files in ${(r.ms / 1000).toFixed(2)} s (${r.outDir})`,
        );
      }
    }
    if (!args.quiet) console.log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  },
};
export default generate;
