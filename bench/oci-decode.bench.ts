// Decode benchmark: a 50,000-row UserGetListInGroupResponse (~8 MB; a third of the cells
// `<col/>`, ~16k cells with &amp;/&apos;, Latin-1 names) decoded by thors-hammer's codec and
// by fast-xml-parser alone in its OCI-correct configuration (stack notes §2.4). Each decoder
// runs alone in fresh child processes (two interleaved passes), so peak-memory figures are
// not mixed and load changes on the host hit all three. Also: encoding of a typical ~1 KB
// request, ours beside fast-xml-parser's builder.
//
//   node --import tsx bench/oci-decode.bench.ts      (or: npm run bench -- oci-decode)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { XMLBuilder } from 'fast-xml-parser';
import { decodeDocument, documentBytes, encodeDocument, type OciCommand } from '../runtime/oci/codec.js';
import { OciSchema } from '../runtime/oci/schema.js';
import { buildDocument, fxpDecode, fxpParser, type Table } from './oci-fixtures.js';

const ROWS = 50_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The real generated R25 metadata of the two modules this document needs, without importing
 * the 2 MB release index: otherwise loading it, not decoding, would set the peak-RSS figure.
 */
async function minimalSchema(): Promise<OciSchema> {
  const files = { 'oci-schema-base': 'oci-schema-base.ts', 'oci-schema-user': 'oci-schema-user.ts' };
  const types: Record<string, string> = {};
  const modules: Record<string, { load: () => Promise<Record<string, unknown>>; deps: string[] }> = {};
  for (const [name, file] of Object.entries(files)) {
    const exports = (await import(new URL(`../generated/oci/R25/${file}`, import.meta.url).href)) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(exports)) {
      if (typeof value === 'object' && value !== null && 'kind' in value) types[exported.replace(/^C_/, 'C:')] = name;
    }
    modules[name] = { load: async () => exports, deps: name === 'oci-schema-user' ? ['oci-schema-base'] : [] };
  }
  return OciSchema.fromIndex({
    release: 'R25',
    modules,
    types,
    latest: {},
    counts: { requests: 0, dataResponses: 0, complexTypes: 0, simpleTypes: 0 },
  });
}

type Which = 'ours' | 'ours-bytes' | 'fxp';

/** One decoder over the bench document: returns the table rows in the common shape. */
async function decoder(which: Which, text: string, bytes: Buffer): Promise<() => Table> {
  if (which === 'fxp') {
    const parser = fxpParser();
    return () => fxpDecode(parser, text);
  }
  const schema = await minimalSchema();
  await schema.ensure('UserGetListInGroupResponse');
  return which === 'ours'
    ? () => decodeDocument(schema, text).commands[0]!.userTable as Table
    : () => decodeDocument(schema, bytes).commands[0]!.userTable as Table;
}

const checksum = (t: Table) => `${t.row.length}|${t.row[3]!.col.join('/')}|${t.row[ROWS - 1]!.col.join('/')}`;

/** Child process: one decoder alone in a fresh process; times it and reports its peak RSS. */
async function child(which: Which, runs: number): Promise<void> {
  const text = buildDocument(ROWS);
  const bytes = documentBytes(text);
  const run = await decoder(which, text, bytes);
  gc?.();
  const baseRss = process.memoryUsage().rss;
  const times: number[] = [];
  let result: Table | undefined;
  for (let i = 0; i <= runs; i++) {
    result = undefined;
    gc?.();
    const t0 = performance.now();
    result = run();
    if (i > 0) times.push(performance.now() - t0); // run 0 warms up
  }
  const summary = {
    which,
    times,
    peakRss: process.resourceUsage().maxRSS * 1024,
    baseRss,
    check: checksum(result!),
    mb: text.length / 1e6,
    bytes: bytes.length,
  };
  console.log(JSON.stringify(summary));
}

function encodeBench(schema: OciSchema): void {
  const command: OciCommand = {
    $type: 'UserAddRequest17sp4',
    serviceProviderId: 'ServiceProvider01',
    groupId: 'Group-Berlin-01',
    userId: 'anna.mueller@example.com',
    lastName: 'Müller',
    firstName: 'Anna',
    callingLineIdLastName: 'Müller',
    callingLineIdFirstName: 'Anna',
    phoneNumber: '4930555123',
    extension: '5123',
    password: 'S3cret&Pass<1>',
    department: { $type: 'GroupDepartmentKey', serviceProviderId: 'ServiceProvider01', groupId: 'Group-Berlin-01', name: 'Sales & Marketing' },
    language: 'English',
    timeZone: 'Europe/Berlin',
    title: 'Account Manager',
    emailAddress: 'anna.mueller@example.com',
    address: { addressLine1: 'Hauptstraße 1', city: 'Berlin', zipOrPostalCode: '10115', country: 'Germany' },
  };
  const doc = { sessionId: 'b5e7c3a0-1111-2222-3333-444444444444', commands: [command] };
  const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, processEntities: true });
  const { $type: _, department, ...fields } = command;
  const fxpObject = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    BroadsoftDocument: {
      '@_protocol': 'OCI',
      '@_xmlns': 'C',
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      sessionId: { '@_xmlns': '', '#text': doc.sessionId },
      command: {
        '@_xmlns': '',
        '@_xsi:type': 'UserAddRequest17sp4',
        ...fields,
        department: { '@_xsi:type': 'GroupDepartmentKey', ...(department as object) },
      },
    },
  };
  // Interleaved rounds (ours, ours unvalidated, fxp, …) so load changes on the host hit all three alike.
  const contenders: Record<string, () => string> = {
    validated: () => encodeDocument(schema, doc),
    plain: () => encodeDocument(schema, doc, { validate: false }),
    fxp: () => builder.build(fxpObject) as string,
  };
  const perOp: Record<string, number[]> = { validated: [], plain: [], fxp: [] };
  for (const fn of Object.values(contenders)) for (let i = 0; i < 2000; i++) fn();
  const OPS = 2000;
  for (let round = 0; round < 15; round++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const t0 = performance.now();
      for (let i = 0; i < OPS; i++) fn();
      perOp[name]!.push(((performance.now() - t0) * 1000) / OPS);
    }
  }
  const oursValidated = median(perOp.validated!);
  const oursPlain = median(perOp.plain!);
  const fxp = median(perOp.fxp!);
  const size = encodeDocument(schema, doc).length;
  console.log(`\nEncode a typical request (UserAddRequest17sp4, ${size} chars), median µs/op over 15 interleaved rounds (lower is better):`);
  console.log(`  thors-hammer encodeDocument, validated       ${oursValidated.toFixed(2).padStart(8)}`);
  console.log(`  thors-hammer encodeDocument, validate: false ${oursPlain.toFixed(2).padStart(8)}`);
  console.log(`  fast-xml-parser XMLBuilder (no schema order)  ${fxp.toFixed(2).padStart(8)}`);
  console.log(`  ratio fxp / ours (unvalidated): ${(fxp / oursPlain).toFixed(1)}×`);
}

async function main(): Promise<void> {
  const arg = process.argv.find((a) => a.startsWith('--child='));
  if (arg) {
    const [which, runs] = arg.slice(8).split(':');
    return child(which as Which, Number(runs));
  }
  const self = fileURLToPath(import.meta.url);
  type Summary = { times: number[]; peakRss: number; baseRss: number; check: string; mb: number; bytes: number };
  const results: Partial<Record<Which, Summary>> = {};
  // Two interleaved passes of fresh child processes: isolation for memory, and load changes
  // on the host spread over all three decoders.
  for (let pass = 0; pass < 2; pass++) {
    for (const which of ['ours', 'fxp', 'ours-bytes'] as const) {
      const runs = which === 'fxp' ? 3 : 5;
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, `--child=${which}:${runs}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`child ${which} failed: ${r.stderr}`);
      const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary;
      const prev = results[which];
      results[which] = prev
        ? { ...s, times: [...prev.times, ...s.times], peakRss: Math.max(prev.peakRss, s.peakRss), baseRss: Math.min(prev.baseRss, s.baseRss) }
        : s;
    }
  }
  const get = (w: Which) => results[w]!;
  for (const w of ['ours', 'ours-bytes'] as const)
    if (get(w).check !== get('fxp').check) throw new Error(`results differ: ${get(w).check} vs ${get('fxp').check}`);
  const med = (w: Which) => median(get(w).times);
  const best = (w: Which) => Math.min(...get(w).times);
  const size = get('ours').mb;
  const mib = (n: number) => (n / 1048576).toFixed(0).padStart(5);
  console.log(`Decode a ${ROWS}-row UserGetListInGroupResponse (${size.toFixed(2)} M chars, ${(get('ours').bytes / 1e6).toFixed(2)} MB latin1):`);
  console.log('  each decoder alone in fresh child processes, two interleaved passes; peak RSS includes Node and the input');
  console.log('                                         runs  median ms    best ms  MB/s (median)  peak RSS MiB (before decoding)');
  const line = (label: string, w: Which) =>
    console.log(
      `  ${label.padEnd(40)} ${String(get(w).times.length).padStart(4)} ${med(w).toFixed(1).padStart(10)} ${best(w).toFixed(1).padStart(10)} ${(size / (med(w) / 1000)).toFixed(1).padStart(10)}      ${mib(get(w).peakRss)} (${mib(get(w).baseRss).trim()})`,
    );
  line('thors-hammer decodeDocument (string)', 'ours');
  line('thors-hammer decodeDocument (Buffer)', 'ours-bytes');
  line('fast-xml-parser 5.12.1, OCI-correct', 'fxp');
  console.log(
    `  speed-up over fast-xml-parser (median): ${(med('fxp') / med('ours')).toFixed(1)}× (string), ${(med('fxp') / med('ours-bytes')).toFixed(1)}× (Buffer, incl. latin1 decode); best-of: ${(best('fxp') / best('ours')).toFixed(1)}×`,
  );
  console.log(`  same result checked: ${get('fxp').check.split('|')[0]} rows`);
  const schema = await OciSchema.load('R25');
  await schema.ensure('UserAddRequest17sp4');
  encodeBench(schema);
}

await main();
