#!/usr/bin/env node
// Launcher for the `hammer` command. A built package (npm run build) runs the compiled
// JavaScript in dist/; a source checkout runs the TypeScript directly through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
