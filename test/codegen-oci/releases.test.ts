// The real R24/R25 XSD sets: counts from oci-protocol.md §1.2, classification traps,
// determinism, and the generated bindings type-check under strict tsc.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffOciModels } from '../../codegen/oci/diff.js';
import { emitOciRelease, findOciReleases, generateOciRelease, loadOciModel, metaImportFrom } from '../../codegen/oci/index.js';
import type { OciModel } from '../../codegen/oci/model.js';
import type { ComplexTypeMeta, Particle } from '../../runtime/oci/meta.js';
import { projectRoot } from '../../runtime/paths.js';

let r25: OciModel;
let r24: OciModel;
beforeAll(() => {
  r25 = loadOciModel({ release: 'R25' }).model;
  r24 = loadOciModel({ release: 'R24' }).model;
}, 60_000);

const complex = (m: OciModel, key: string) => m.types.get(key) as ComplexTypeMeta;

function countParticles(m: OciModel, pick: (p: Particle) => boolean): number {
  let n = 0;
  const walk = (list: readonly Particle[]) => {
    for (const p of list) {
      if (pick(p)) n++;
      if (!('n' in p)) walk('seq' in p ? p.seq : p.choice);
    }
  };
  // Count each type's own particles only: the content of derived types repeats the base's.
  for (const meta of m.types.values()) {
    if (meta.kind !== 'complex') continue;
    const base = meta.base ? complex(m, meta.base) : undefined;
    walk(base && meta.content.slice(0, base.content.length).every((p, i) => p === base.content[i]) ? meta.content.slice(base.content.length) : meta.content);
  }
  return n;
}

test('releases are found in schemas/oci or ../shared/schemas/oci', () => {
  expect(findOciReleases().map((r) => r.release)).toEqual(expect.arrayContaining(['R24', 'R25']));
});

test('R25 counts (oci-protocol.md §1.2)', () => {
  expect(r25.counts).toMatchObject({
    // 3,989 types derive from OCIRequest; CallCenterAgentAvailability/Settings are data types.
    requests: 3987,
    deprecatedRequests: 1406,
    dataResponses: 2161,
    deprecatedDataResponses: 967,
    complexTypes: 7530,
    anonymousComplexTypes: 445,
    simpleTypes: 1260,
    anonymousSimpleTypes: 22,
    choices: 374,
    abstractTypes: 10,
    families: 2674,
    // 472 restrictions carry enumerations (449 on xs:token, 13 xs:int, 6 xs:NMTOKEN, 3 on another enum, 1 NonEmptyToken).
    enumTypes: 472,
  });
  expect(r25.files.length).toBe(143);
  const derivedFromRequest = [...r25.types.values()].filter((t) => t.kind === 'complex' && t.base === 'OCIRequest' && !t.abstract).map((t) => t.name);
  expect(derivedFromRequest.length).toBe(3989);
  expect(derivedFromRequest.filter((k) => !r25.requests.includes(k)).sort()).toEqual(['CallCenterAgentAvailability', 'CallCenterAgentSettings']);
  expect(r25.requests.filter((k) => !complex(r25, k).response).length).toBe(1826);
  expect(countParticles(r25, (p) => 'n' in p && p.nil === true)).toBe(2136);
  expect(countParticles(r25, (p) => 'n' in p && p.t === 'OCITable')).toBe(660);
  expect(countParticles(r25, (p) => 'n' in p && p.fixed !== undefined)).toBe(213);
  expect(countParticles(r25, (p) => 'n' in p && p.def !== undefined)).toBe(99);
  expect(countParticles(r25, (p) => 'choice' in p && p.prop !== undefined)).toBe(4);
  expect([...r25.families.values()].filter((members) => members.length > 1).length).toBe(516);
});

test('R24 counts (oci-protocol.md §1.2)', () => {
  expect(r24.counts).toMatchObject({
    requests: 3843,
    deprecatedRequests: 1268,
    dataResponses: 2055,
    deprecatedDataResponses: 863,
    complexTypes: 7261,
    anonymousComplexTypes: 444,
    simpleTypes: 1237,
    anonymousSimpleTypes: 21,
    choices: 350,
    families: 2653,
  });
  expect([...r24.families.values()].filter((members) => members.length > 1).length).toBe(483);
});

test('R25 traps: latest versions, RI families, misfits, login, NonEmptyToken, abstract subtypes', () => {
  expect(r25.latest.get('UserGetRequest')).toBe('UserGetRequest23V2');
  expect(r25.latest.get('SystemSIPDeviceTypeGetRequest')).toBe('SystemSIPDeviceTypeGetRequest23V13');
  expect(r25.families.get('SystemSIPDeviceTypeGetRequest')!.length).toBe(48);
  expect(r25.latest.get('SystemPasswordRulesGetRequestRI')).toBe('SystemPasswordRulesGetRequestRI');
  expect(complex(r25, 'SystemPasswordRulesGetRequestRI').response).toBe('SystemPasswordRulesGetResponseRI');
  expect(complex(r25, 'UserTwoStageDialingGetRequest13Mp20')).toMatchObject({ family: 'UserTwoStageDialingGetRequest', version: '13Mp20' });
  expect(complex(r25, 'SearchCriteriaDeviceManagementEventRequest').role).toBeUndefined();
  expect(complex(r25, 'AuthenticationRequest')).toMatchObject({ role: 'request', deprecated: true, response: 'AuthenticationResponse' });
  expect(complex(r25, 'LoginRequest14sp4')).toMatchObject({ role: 'request', deprecated: true, response: 'LoginResponse14sp4' });
  expect(complex(r25, 'SystemAuthenticationLockoutExportDataGetRequest').response).toBeUndefined();
  expect(complex(r25, 'DepartmentKey').subtypes).toEqual(['EnterpriseDepartmentKey', 'GroupDepartmentKey']);
  expect(r25.types.get('C:NonEmptyToken')).toMatchObject({ ns: 'C', facets: { minLength: 1 } });
  expect(complex(r25, 'UserModifyRequest22').content).toContainEqual({ n: 'endpoint', t: 'UserModifyRequest22_endpoint', min: 0, nil: true });
  // Only GroupConsolidatedAddRequest has two live versions; latest picks the highest.
  const twoLive = [...r25.families].filter(([, m]) => m.filter((x) => !x.deprecated).length > 1).map(([f]) => f);
  expect(twoLive).toEqual(['GroupConsolidatedAddRequest']);
  expect(r25.latest.get('GroupConsolidatedAddRequest')).toBe('GroupConsolidatedAddRequest22');
  expect([...r25.families.values()].filter((m) => m.every((x) => x.deprecated)).length).toBe(94);
});

test('R24 → R25 diff: 173 requests added, 29 removed, 84 types changed (79 complex, 5 simple)', () => {
  const d = diffOciModels(r24, r25);
  expect(d.requestsAdded.length).toBe(173);
  expect(d.requestsRemoved.length).toBe(29);
  expect(d.dataResponsesAdded.length).toBe(116);
  expect(d.dataResponsesRemoved.length).toBe(10);
  expect(d.changed.length).toBe(84);
  expect(d.changed.filter((c) => c.kind === 'complex').length).toBe(79);
  expect(d.changed.filter((c) => c.kind === 'simple').map((c) => c.name)).toEqual(expect.arrayContaining(['GroupService', 'UserService']));
  expect(d.changed.map((c) => c.name)).toEqual(expect.arrayContaining(['GroupAdminModifyRequest', 'UserModifyRequest22', 'GroupTrunkGroupGetResponse23']));
  // Two of the 84 differ only by R24's trailing spaces in element names, collapsed by the generator.
  expect(d.changed.filter((c) => c.whitespaceOnly)).toEqual([
    { name: 'GroupTrunkGroupGetResponse23', kind: 'complex', whitespaceOnly: ['maxAvailableNumberOfBurstingBTLUs '] },
    { name: 'SystemDialPlanPolicyGetResponse22V2', kind: 'complex', whitespaceOnly: ['permissiveOACDialing '] },
  ]);
  expect(complex(r24, 'SystemDialPlanPolicyGetResponse22V2').content).toContainEqual(expect.objectContaining({ n: 'permissiveOACDialing' }));
  expect(d.requestsAdded).toContain('SystemAdviceOfChargeGetRequest25');
  expect(d.requestsRemoved).toContain('PrimaryInfoGetRequest');
});

test('generated/oci/R24 and R25 are byte-identical on re-generation and pass tsc --noEmit strict', async () => {
  for (const release of ['R24', 'R25']) {
    const report = await generateOciRelease({ release });
    expect(report.files).toBe(release === 'R25' ? 145 : 142); // one module per XSD file, index and release
    // Determinism: an independent model build and emission gives exactly the bytes on disk.
    const model = release === 'R25' ? r25 : r24;
    const again = emitOciRelease(model, { metaImport: metaImportFrom(report.outDir), source: release });
    expect(again.size).toBe(report.files);
    for (const [name, content] of again) {
      const same = readFileSync(join(report.outDir, name), 'utf8') === content;
      expect({ name, same }).toEqual({ name, same: true });
    }
  }
  const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(projectRoot, 'test', 'codegen-oci', 'tsconfig.generated.json'), '--pretty', 'false'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  expect(`${r.stdout}${r.stderr}`).toBe('');
  expect(r.status).toBe(0);
}, 180_000);
