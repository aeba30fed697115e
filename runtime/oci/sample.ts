/**
 * Synthesises schema-valid values from the metadata: used by the round-trip tests and by the
 * mock server to answer with plausible data responses. Deterministic for a given seed and
 * variant. Types must be loaded (`schema.ensure`/`ensureAll`).
 */
import type { OciCommand } from './codec.js';
import type { ComplexTypeMeta, ElementMeta, Facets, Particle } from './meta.js';
import { builtinOf, choiceProp, isArrayElement, isRepeatingChoice, NUMERIC_BUILTINS, type OciSchema, TABLE_TYPE } from './schema.js';

export interface SampleOptions {
  /** Seed of the pseudo-random choices (default 1). */
  seed?: number;
  /** Selects choice branches and abstract subtypes: branch `variant % branches` (default 0). */
  variant?: number;
  /** Also fill optional members (most of them, nil for some nillable ones), not only required ones (default false). */
  optional?: boolean;
  /** Rows of each sampled table (default 2; 0 when `realistic`). */
  tableRows?: number;
  /**
   * Plausible values instead of awkward ones (default false; the codec tests want awkward ones):
   * a real language and time zone, names and addresses that look like names and addresses,
   * the lowest number the facets allow (at least 1), an enumeration's first value, `false`,
   * empty tables, fixed dates. Still deterministic and schema-valid.
   */
  realistic?: boolean;
}

/** Realistic values by element name (checked against the facets; a value that does not fit is not used). */
const REALISTIC_BY_NAME: Readonly<Record<string, string>> = {
  language: 'English',
  timeZone: 'America/New_York',
  timeZoneDisplayName: '(GMT-05:00) (US) Eastern Time',
  locale: 'en_US',
  encoding: 'ISO-8859-1',
  countryCode: '1',
  lastName: 'Smith',
  firstName: 'Alex',
  callingLineIdLastName: 'Smith',
  callingLineIdFirstName: 'Alex',
  hiraganaLastName: 'Smith',
  hiraganaFirstName: 'Alex',
  nameDialingName: 'Alex Smith',
  emailAddress: 'alex.smith@example.com',
  userId: 'alex.smith@example.com',
  defaultAlias: 'alex.smith@example.com',
  alias: 'alex.smith@example.com',
  serviceUserId: 'service@example.com',
  defaultDomain: 'example.com',
  domain: 'example.com',
  netAddress: 'sip.example.com',
  serviceProviderId: 'example-sp',
  groupId: 'example-group',
  deviceName: 'example-device',
  deviceType: 'Generic SIP Phone',
  linePort: 'alex.smith@example.com',
  macAddress: '0004F2000001',
  description: 'Example',
  name: 'Example',
  version: '25.0_1.1000',
};
/** The same by type key, for elements whose names vary (`processingLanguage`, `defaultTimeZone`). */
const REALISTIC_BY_TYPE: Readonly<Record<string, string>> = {
  Language: 'English',
  TimeZone: 'America/New_York',
  TimeZoneDisplayName: '(GMT-05:00) (US) Eastern Time',
  EmailAddress: 'alex.smith@example.com',
  NetAddress: 'sip.example.com',
  UserId: 'alex.smith@example.com',
  LastName: 'Smith',
  FirstName: 'Alex',
};

/** A schema-valid value of a type: required members, the choice branch given by `variant`, facets honoured. */
export function sampleValue(schema: OciSchema, typeKey: string, options: SampleOptions = {}): unknown {
  return new Sampler(schema, options).value({ n: 'value', t: typeKey }, 0);
}

/** A schema-valid command of a request or response type (`$type` first). */
export function sampleCommand(schema: OciSchema, typeKey: string, options: SampleOptions = {}): OciCommand {
  const meta = schema.complexType(typeKey);
  const body = new Sampler(schema, options).complex(meta, 0);
  return { $type: typeKey, ...body };
}

// Deliberately awkward characters, to exercise escaping and encodings: XML specials, Latin-1, beyond Latin-1.
const SPICE = ['&', '<', '>', "'", '"', 'é', 'Ü', 'ß', '€', 'ł'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const TABLE_HEADINGS = ['User Id', 'Last Name', 'First Name', 'Department', 'Line/Port', 'Mac Address', 'Phone Number', 'Extension'];
const MAX_DEPTH = 6;

class Sampler {
  private state: number;
  private readonly variant: number;
  private readonly optional: boolean;
  private readonly tableRows: number;
  private readonly realistic: boolean;

  constructor(
    private readonly schema: OciSchema,
    options: SampleOptions,
  ) {
    this.state = (options.seed ?? 1) >>> 0 || 1;
    this.variant = Math.max(0, Math.trunc(options.variant ?? 0));
    this.optional = options.optional ?? false;
    this.realistic = options.realistic ?? false;
    this.tableRows = options.tableRows ?? (this.realistic ? 0 : 2);
  }

  /** mulberry32: small, fast, deterministic. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  complex(meta: ComplexTypeMeta, depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (const a of meta.attrs ?? []) {
      if (!a.req) continue;
      obj[a.n] = a.fixed ?? this.simple(a.t);
    }
    for (const p of meta.content) this.particle(p, obj, depth, true);
    return obj;
  }

  private wants(min: number, depth: number): boolean {
    return min >= 1 || (this.optional && depth < MAX_DEPTH && this.random() < 0.75);
  }

  private particle(p: Particle, obj: Record<string, unknown>, depth: number, required: boolean): void {
    if ('n' in p) {
      const min = required ? (p.min ?? 1) : 0;
      if (!this.wants(min, depth)) return;
      if (isArrayElement(p)) {
        const max = p.max === -1 ? 3 : (p.max ?? 1);
        const count = Math.min(max, Math.max(min, this.optional ? 2 : 1));
        obj[p.n] = Array.from({ length: count }, () => this.elementValue(p, depth, false));
      } else obj[p.n] = this.elementValue(p, depth, true);
      return;
    }
    if ('seq' in p) {
      if (!this.wants(required ? (p.min ?? 1) : 0, depth)) return;
      for (const c of p.seq) this.particle(c, obj, depth, true);
      return;
    }
    if (!this.wants(required ? (p.min ?? 1) : 0, depth)) return;
    if (isRepeatingChoice(p)) {
      const max = p.max === -1 ? 3 : (p.max ?? 1);
      const count = Math.min(max, Math.max(p.min ?? 1, this.optional ? 2 : 1));
      obj[choiceProp(p)] = Array.from({ length: count }, (_, i) => {
        const item: Record<string, unknown> = {};
        this.branchInto(p.choice[(this.variant + i) % p.choice.length]!, item, depth);
        return item;
      });
      return;
    }
    this.branchInto(p.choice[this.variant % p.choice.length]!, obj, depth);
  }

  /** Fills one choice branch; an all-optional branch still gets its first member, so the choice is visible. */
  private branchInto(branch: Particle, obj: Record<string, unknown>, depth: number): void {
    this.particle(branch, obj, depth, true);
    if ('n' in branch && obj[branch.n] === undefined) {
      obj[branch.n] = isArrayElement(branch) ? [this.elementValue(branch, depth, false)] : this.elementValue(branch, depth, true);
    }
  }

  private elementValue(e: ElementMeta, depth: number, mayBeNil: boolean): unknown {
    if (mayBeNil && e.nil && this.optional && this.random() < 0.2) return null;
    return this.value(e, depth);
  }

  value(e: ElementMeta, depth: number): unknown {
    const t = e.t;
    if (t === 'xs:anyType') return true;
    if (e.fixed !== undefined) return this.fromLexical(builtinOf(this.schema, t), e.fixed);
    if (t.startsWith('xs:') || this.schema.type(t).kind === 'simple') return this.simple(t, e.n);
    const declared = this.schema.complexType(t);
    let actual = declared;
    if (declared.abstract) {
      const concrete = (declared.subtypes ?? []).filter((s) => this.schema.has(s) && !this.schema.complexType(s).abstract);
      if (concrete.length === 0) return {};
      actual = this.schema.complexType(concrete[this.variant % concrete.length]!);
    }
    if (actual.name === TABLE_TYPE && actual.ns === 'C') return this.table();
    const body = this.complex(actual, depth + 1);
    return actual !== declared ? { $type: actual.name, ...body } : body;
  }

  private table(): { colHeading: string[]; row: { col: string[] }[] } {
    const width = 2 + (this.variant % 4);
    const colHeading = TABLE_HEADINGS.slice(0, width);
    const rows = this.tableRows;
    const row = Array.from({ length: rows }, (_, r) => ({
      col: colHeading.map((_, c) => ((r + c) % 3 === 2 ? '' : `${this.text(1, 12, false)}${c === 1 && r === 0 ? ' & Co' : ''}`)),
    }));
    return { colHeading, row };
  }

  private fromLexical(builtin: string, text: string): unknown {
    if (builtin === 'xs:boolean') return text === 'true' || text === '1';
    if (NUMERIC_BUILTINS.has(builtin)) return Number(text);
    return text;
  }

  simple(typeKey: string, elementName?: string): unknown {
    const builtin = builtinOf(this.schema, typeKey);
    const meta = typeKey.startsWith('xs:') ? undefined : this.schema.type(typeKey);
    const f: Facets = meta?.kind === 'simple' ? (meta.facets ?? {}) : {};
    if (this.realistic) {
      const value = this.plausible(builtin, typeKey, f, elementName);
      if (value !== undefined) return value;
    }
    if (builtin === 'xs:boolean') return this.random() < 0.5;
    if (f.enumeration && f.enumeration.length > 0) {
      return this.fromLexical(builtin, f.enumeration[(this.variant + this.int(0, f.enumeration.length - 1)) % f.enumeration.length]!);
    }
    if (f.pattern && f.pattern.length > 0) {
      // Patterns may allow lengths the length facets forbid (`(…){0,3}` with minLength 1): retry.
      const sampler = new PatternSampler(f.pattern[0]!, () => this.random());
      let text = sampler.sample();
      for (let i = 0; i < 50 && !fitsLength(text, f); i++) text = sampler.sample();
      return this.fromLexical(builtin, text);
    }
    if (NUMERIC_BUILTINS.has(builtin)) {
      let lo = f.minInclusive ?? (f.minExclusive !== undefined ? Math.floor(f.minExclusive) + 1 : 0);
      let hi = f.maxInclusive ?? (f.maxExclusive !== undefined ? Math.ceil(f.maxExclusive) - 1 : lo + 5000);
      if (hi < lo) [lo, hi] = [hi, lo];
      // Integers suit every numeric built-in and survive the text round trip exactly.
      return this.int(Math.max(lo, -1e9), Math.min(hi, lo + 1e6, 2 ** 31 - 1));
    }
    switch (builtin) {
      case 'xs:date':
        return `20${this.int(10, 29)}-0${this.int(1, 9)}-${this.int(10, 28)}`;
      case 'xs:dateTime':
        return `20${this.int(10, 29)}-0${this.int(1, 9)}-${this.int(10, 28)}T${this.int(10, 23)}:${this.int(10, 59)}:${this.int(10, 59)}Z`;
      case 'xs:base64Binary':
        return Buffer.from(this.text(3, 12, false)).toString('base64');
      case 'xs:NMTOKEN':
        return this.text(f.length ?? Math.max(1, f.minLength ?? 1), f.length ?? Math.min(12, f.maxLength ?? 12), false);
    }
    const min = f.length ?? f.minLength ?? 1;
    const max = f.length ?? Math.max(min, Math.min(f.maxLength ?? 24, 24));
    return this.text(min, max, true);
  }

  /** A plausible value that fits the facets, or undefined to fall back to the pattern/random path. */
  private plausible(builtin: string, typeKey: string, f: Facets, elementName: string | undefined): unknown {
    if (builtin === 'xs:boolean') return false;
    if (f.enumeration && f.enumeration.length > 0) return this.fromLexical(builtin, f.enumeration[0]!);
    if (NUMERIC_BUILTINS.has(builtin)) {
      const lo = f.minInclusive ?? (f.minExclusive !== undefined ? Math.floor(f.minExclusive) + 1 : 1);
      const hi = f.maxInclusive ?? (f.maxExclusive !== undefined ? Math.ceil(f.maxExclusive) - 1 : Number.MAX_SAFE_INTEGER);
      return Math.min(Math.max(lo, 1), hi);
    }
    if (builtin === 'xs:date') return '2026-01-01';
    if (builtin === 'xs:dateTime') return '2026-01-01T00:00:00Z';
    const known = (elementName !== undefined ? REALISTIC_BY_NAME[elementName] : undefined) ?? REALISTIC_BY_TYPE[typeKey];
    if (known !== undefined && fitsLength(known, f) && fitsPattern(known, f)) return known;
    if (f.pattern && f.pattern.length > 0) return undefined;
    if (builtin === 'xs:base64Binary') return undefined;
    // A word made from the element name: `processingName` → `Processing Name`, cut to the facets.
    const words = (elementName ?? 'value').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
    const min = f.length ?? f.minLength ?? 1;
    const max = f.length ?? f.maxLength ?? 80;
    let text = words.slice(0, max).trim();
    while ([...text].length < min) text += 'x';
    return fitsLength(text, f) ? text : undefined;
  }

  /** Text of min..max code points; with `spice`, sometimes XML specials, non-ASCII letters and an inner space. */
  private text(min: number, max: number, spice: boolean): string {
    const length = this.int(Math.max(min, Math.min(max, 3)), Math.max(min, Math.min(max, 12)));
    const chars: string[] = [];
    for (let i = 0; i < length; i++) {
      const r = this.random();
      if (spice && r < 0.12) chars.push(SPICE[this.int(0, SPICE.length - 1)]!);
      else if (spice && r < 0.18 && i > 0 && i < length - 1 && chars[i - 1] !== ' ') chars.push(' ');
      else chars.push(ALNUM[this.int(0, ALNUM.length - 1)]!);
    }
    return chars.join('');
  }
}

function fitsPattern(text: string, f: Facets): boolean {
  return (f.pattern ?? []).every((p) => {
    try {
      return new RegExp(`^(?:${p})$`, 'u').test(text);
    } catch {
      return false;
    }
  });
}

function fitsLength(text: string, f: Facets): boolean {
  const n = [...text].length;
  return (f.length === undefined || n === f.length) && n >= (f.minLength ?? 0) && n <= (f.maxLength ?? Number.POSITIVE_INFINITY);
}

/** Generates strings matching the small XSD regex subset OCI-P uses: literals, escapes, classes, groups, `|`, `? * + {n,m}`. */
class PatternSampler {
  private pos = 0;
  constructor(
    private readonly pattern: string,
    private readonly random: () => number,
  ) {}

  sample(): string {
    this.pos = 0;
    return this.alternation();
  }

  private alternation(): string {
    // Generate every branch and keep one at random (OCI-P patterns are short).
    const options: string[] = [this.sequence()];
    while (this.pattern[this.pos] === '|') {
      this.pos++;
      options.push(this.sequence());
    }
    return options[Math.floor(this.random() * options.length)]!;
  }

  private sequence(): string {
    let out = '';
    while (this.pos < this.pattern.length && this.pattern[this.pos] !== '|' && this.pattern[this.pos] !== ')') {
      // Parse the atom once to find its quantifier, then generate it `count` times from its start.
      const start = this.pos;
      this.atom();
      const [lo, hi] = this.quantifier();
      const count = lo + Math.floor(this.random() * (hi - lo + 1));
      for (let i = 0; i < count; i++) {
        const saved = this.pos;
        this.pos = start;
        out += this.atom();
        this.pos = saved;
      }
    }
    return out;
  }

  private atom(): string {
    const c = this.pattern[this.pos++]!;
    if (c === '(') {
      const s = this.alternation();
      this.pos++; // ')'
      return s;
    }
    if (c === '[') {
      const chars: string[] = [];
      while (this.pattern[this.pos] !== ']') {
        let a = this.pattern[this.pos++]!;
        if (a === '\\') a = this.pattern[this.pos++]!;
        if (this.pattern[this.pos] === '-' && this.pattern[this.pos + 1] !== ']') {
          const b = this.pattern[this.pos + 1]!;
          this.pos += 2;
          for (let x = a.charCodeAt(0); x <= b.charCodeAt(0); x++) chars.push(String.fromCharCode(x));
        } else chars.push(a);
      }
      this.pos++;
      return chars[Math.floor(this.random() * chars.length)]!;
    }
    if (c === '\\') {
      const e = this.pattern[this.pos++]!;
      if (e === 'd') return String(Math.floor(this.random() * 10));
      return e;
    }
    if (c === '.') return 'x';
    return c;
  }

  private quantifier(): [number, number] {
    const c = this.pattern[this.pos];
    if (c === '?') return (this.pos++, [0, 1]);
    if (c === '*') return (this.pos++, [0, 3]);
    if (c === '+') return (this.pos++, [1, 3]);
    if (c === '{') {
      const end = this.pattern.indexOf('}', this.pos);
      const [a, b] = this.pattern.slice(this.pos + 1, end).split(',');
      this.pos = end + 1;
      const lo = Number(a);
      return [lo, b === undefined ? lo : b === '' ? lo + 3 : Number(b)];
    }
    return [1, 1];
  }
}
