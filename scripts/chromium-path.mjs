// Where Debian's chromium is: $CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on the PATH.
// Run directly (`node scripts/chromium-path.mjs`) it prints the path, or the install command and exits 1.
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';

/** @returns {string | undefined} the executable's path */
export function findChromium() {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : [];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) candidates.push(join(dir, name));
  }
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const path = findChromium();
  if (path) process.stdout.write(`${path}\n`);
  else {
    process.stderr.write(`chromium not found ($CHROMIUM_PATH, or chromium on the PATH); install it with: ${INSTALL_COMMAND}\n`);
    process.exitCode = 1;
  }
}
