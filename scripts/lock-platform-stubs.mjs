#!/usr/bin/env node
// The npm registry mirror of our build machines serves only the linux-x64 builds of packages
// with per-platform binaries (@swc/core, @biomejs/biome, jest's unrs-resolver). `npm install`
// there leaves the other platforms' optional packages out of package-lock.json, and `npm ci`
// then refuses the lock ("Missing: … from lock file"). This script adds a lock entry, tagged
// with the package's os/cpu/libc, for every declared optional dependency that has none, so
// the lock is complete; npm skips entries for other platforms without fetching them.
// Run it after any `npm install` that changes the lock: `node scripts/lock-platform-stubs.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['android', 'darwin', 'linux', 'win32', 'freebsd', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el', 'wasm32'];

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const parentDir = key === '' ? '' : `${key}/`;
    if (lock.packages[`${parentDir}node_modules/${name}`] || lock.packages[`node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p)) ?? (parts.includes('eabi') ? 'arm' : undefined);
    if (!os || !cpu) {
      console.error(`cannot tell the platform of ${name}; add its lock entry by hand`);
      process.exitCode = 1;
      continue;
    }
    const stub = { version, optional: true, os: [os], cpu: [cpu] };
    if (entry.dev) stub.dev = true;
    if (os === 'linux' && parts.includes('musl')) stub.libc = ['musl'];
    else if (os === 'linux' && parts.includes('gnu')) stub.libc = ['glibc'];
    lock.packages[`node_modules/${name}`] = stub;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform stub entries to package-lock.json`);
