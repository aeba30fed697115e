import { fileURLToPath } from 'node:url';

/** The package root (the folder holding package.json), whether running from source or from dist/. */
export const projectRoot: string = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

/** Where `npm run generate` writes bindings unless told otherwise. */
export const generatedRoot: string = `${projectRoot}generated`;
