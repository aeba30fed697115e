#!/usr/bin/env node
// Launcher for the `hammer` command.
//
// - An installed package (no TypeScript sources, only dist/) runs the compiled JavaScript in dist/.
// - A source checkout (cli/main.ts present) runs the TypeScript directly through tsx, even when a
//   dist/ from an earlier `npm run build` or `npm pack` lies around: a stale build must never
//   stand in for the code being edited.
// - HAMMER_LAUNCH=dist or HAMMER_LAUNCH=source overrides the choice (e.g. to try the build).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const choice = process.env.HAMMER_LAUNCH;

if (choice !== undefined && choice !== '' && choice !== 'dist' && choice !== 'source') {
  console.error(`hammer: HAMMER_LAUNCH must be 'dist' or 'source', not '${choice}'`);
  process.exit(2);
}
const useSource = choice === 'source' || (choice !== 'dist' && (existsSync(source) || !existsSync(compiled)));

if (useSource) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  console.error(`hammer: HAMMER_LAUNCH=dist but ${compiled} does not exist; run \`npm run build\` first`);
  process.exit(2);
}
