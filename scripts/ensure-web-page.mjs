#!/usr/bin/env node
// Builds the Web CLI page (web/page → web/page/dist) when it is missing or older than its sources:
// web/page itself and web/core/types.ts, whose values (MIME names, the 4401 close code) the page
// bundles.
// Run before the tests (pretest) and by `npm start`; `npm run build:web` always rebuilds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const page = join(root, 'web', 'page');
const built = join(page, 'dist', 'index.html');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sharedWithServer = [join(root, 'web', 'core', 'types.ts')];
const newest = Math.max(newestSource(page), ...sharedWithServer.map((f) => statSync(f).mtimeMs));
if (existsSync(built) && statSync(built).mtimeMs >= newest) process.exit(0);
process.stderr.write('building the Web CLI page (web/page → web/page/dist)\n');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const result = spawnSync(process.execPath, [vite, 'build', '--config', join(page, 'vite.config.ts')], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
