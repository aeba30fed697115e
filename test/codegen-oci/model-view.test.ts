// `hammer oci describe`/`diff` read the generated bindings' descriptors when no XSDs are given
// (the installed package ships no XSDs). The view built from the descriptors must say exactly
// what the XSD model says: same anonymous types, requests, responses, families, spellings, the
// same describe text for every type and the same R24 → R25 diff.
import { describeType } from '../../codegen/oci/describe.js';
import { diffOciModels } from '../../codegen/oci/diff.js';
import { loadOciModel } from '../../codegen/oci/index.js';
import { loadModelViewFromBindings, type OciModelView } from '../../codegen/oci/model-view.js';

const releases = ['R24', 'R25'] as const;
const fromXsd = new Map<string, OciModelView>();
const fromBindings = new Map<string, OciModelView>();

beforeAll(async () => {
  for (const release of releases) {
    fromXsd.set(release, loadOciModel({ release }).model);
    fromBindings.set(release, await loadModelViewFromBindings(release));
  }
}, 240_000);

test.each(releases)('%s: the bindings give the same view as the XSDs', (release) => {
  const xsd = fromXsd.get(release)!;
  const bindings = fromBindings.get(release)!;
  expect([...bindings.types.keys()].sort()).toEqual([...xsd.types.keys()].sort());
  expect([...bindings.anonymous].sort()).toEqual([...xsd.anonymous].sort());
  expect(bindings.requests).toEqual(xsd.requests);
  expect(bindings.dataResponses).toEqual(xsd.dataResponses);
  expect(Object.fromEntries(bindings.latest)).toEqual(Object.fromEntries(xsd.latest));
  expect([...bindings.spellings.values()].sort()).toEqual([...xsd.spellings.values()].sort());
  let described = 0;
  for (const key of xsd.types.keys()) {
    if (xsd.anonymous.has(key)) continue;
    expect(describeType(bindings, key)).toEqual(describeType(xsd, key));
    described++;
  }
  expect(described).toBeGreaterThan(8000);
});

test('R24 → R25 diff is the same from the bindings and from the XSDs, whitespace-only changes included', () => {
  const xsd = diffOciModels(fromXsd.get('R24')!, fromXsd.get('R25')!);
  const bindings = diffOciModels(fromBindings.get('R24')!, fromBindings.get('R25')!);
  expect(bindings).toEqual(xsd);
  expect(bindings.changed.filter((c) => c.whitespaceOnly).length).toBe(2);
});
