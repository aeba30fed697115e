#!/usr/bin/env node
// The system programs the test suite drives (run before jest by `npm test`, and by .ci/run):
// Debian's chromium for the Web CLI browser test, zsh for the completion test, `script` for the
// password-prompt pty test, openssl for the TLS tests, and the WSDL-driven SOAP clients (zeep,
// PHP SoapClient). As root with apt-get, the missing ones are installed; otherwise this stops with
// one line naming the command to run. No test is ever skipped for want of a tool.
import { spawnSync } from 'node:child_process';
import { findChromium } from './chromium-path.mjs';

const ok = (command, args = []) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const onPath = (name) => ok('sh', ['-c', `command -v ${name}`]);

/** Each tool: how to tell it is there, and the Debian packages that bring it. */
const TOOLS = [
  { name: 'chromium', present: () => findChromium() !== undefined, packages: ['chromium', 'fonts-liberation'] },
  { name: 'zsh', present: () => onPath('zsh'), packages: ['zsh'] },
  { name: 'script', present: () => onPath('script'), packages: ['bsdutils'] },
  { name: 'openssl', present: () => onPath('openssl'), packages: ['openssl', 'ca-certificates'] },
  { name: 'PHP SoapClient', present: () => ok('php', ['-r', 'exit(class_exists("SoapClient") ? 0 : 1);']), packages: ['php-cli', 'php-soap'] },
  // Debian's zeep is for Debian's python3 (a pyenv python3 earlier on the PATH does not see it).
  { name: 'python3 zeep', present: () => ok('/usr/bin/python3', ['-c', 'import zeep']), packages: ['python3-zeep'] },
];

const missing = () => TOOLS.filter((tool) => !tool.present());
let absent = missing();
if (absent.length === 0) process.exit(0);

const packages = [...new Set(absent.flatMap((tool) => tool.packages))];
const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
const names = absent.map((tool) => tool.name).join(', ');
if (process.getuid?.() === 0 && onPath('apt-get')) {
  process.stderr.write(`test tools missing (${names}): running ${command}\n`);
  const result = spawnSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  absent = missing();
  if (result.status === 0 && absent.length === 0) process.exit(0);
  process.stderr.write(`installing the test tools failed (exit ${result.status}); still missing: ${absent.map((t) => t.name).join(', ')}\n`);
  process.exit(1);
}
process.stderr.write(`The tests need ${names}: run \`sudo sh -c '${command}'\` (chromium may also be given by CHROMIUM_PATH), then npm test again.\n`);
process.exit(1);
