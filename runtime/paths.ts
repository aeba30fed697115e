import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * True when this module is the compiled `dist/runtime/paths.js` of a build (`npm run build`, or an
 * installed package), false when it is `runtime/paths.ts` of a source checkout.
 */
export const isCompiled: boolean = basename(fileURLToPath(new URL('../', import.meta.url))) === 'dist';

/** The package root (the folder holding package.json), whether running from source or from dist/. */
export const projectRoot: string = fileURLToPath(new URL(isCompiled ? '../../' : '../', import.meta.url));

/** The folder of the runtime being executed: `<root>/runtime/` from source, `<root>/dist/runtime/` when compiled. */
export const runtimeRoot: string = fileURLToPath(new URL('./', import.meta.url));

/**
 * Where `npm run generate` writes bindings unless told otherwise, and where the runtime looks for
 * them: `<root>/generated` from source, `<root>/dist/generated` (compiled by the build, shipped in
 * the package) when compiled.
 */
export const generatedRoot: string = isCompiled ? `${projectRoot}dist/generated` : `${projectRoot}generated`;
