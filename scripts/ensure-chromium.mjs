#!/usr/bin/env node
// The browser test (test/webcli/browser.test.ts) drives Debian's chromium through playwright-core,
// which never downloads a browser. Before the tests: as root, install it with apt-get when it is
// missing; otherwise stop with one line naming the command. The browser test is never skipped.
import { spawnSync } from 'node:child_process';
import { findChromium, INSTALL_COMMAND } from './chromium-path.mjs';

if (findChromium()) process.exit(0);
if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0) {
  process.stderr.write(`chromium is missing: running ${INSTALL_COMMAND}\n`);
  const result = spawnSync('sh', ['-c', INSTALL_COMMAND], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status === 0 && findChromium()) process.exit(0);
  process.stderr.write(`installing chromium failed (exit ${result.status}); the browser test needs it: ${INSTALL_COMMAND}\n`);
  process.exit(1);
}
process.stderr.write(
  `The browser test needs Debian's chromium on the PATH: run \`sudo sh -c '${INSTALL_COMMAND}'\` (or set CHROMIUM_PATH), then npm test again.\n`,
);
process.exit(1);
