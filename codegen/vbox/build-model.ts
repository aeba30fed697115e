import type { ReplyKind } from '../../runtime/vbox/spec-types.js';
import { type LoadedSpec, type SpecComputed, type SpecField, type SpecLayout, type SpecProblem, type SpecVersion, specError } from './load-spec.js';

/**
 * Turns a schema-valid spec into the model the emitter prints, checking everything a JSON
 * Schema cannot: references (enums, count fields, paired responses), unique ids and names,
 * `rest` placement, defaults and ranges, `at` offsets, computed properties. All problems are
 * collected and thrown together as one `TH_ERR_VBOX_SPEC` error with their locations.
 */

export interface ModelEnum {
  name: string;
  doc?: string;
  values: Array<[string, number]>;
}

/** A field after checks; `versions` only on request fields (response classes are per version). */
export interface ModelField {
  name: string;
  spec: SpecField;
  versions?: SpecVersion[];
}

export interface ModelRequest {
  name: string;
  command: number;
  replyKind: ReplyKind;
  pairedResponse?: string;
  doc?: string;
  fields: ModelField[];
  /** Field names that may be left out (default, const, raw span, or a count derived from its array). */
  optional: Set<string>;
}

export interface ModelResponseClass {
  className: string;
  version?: SpecVersion;
  fields: SpecField[];
}

export interface ModelResponse {
  message: string;
  command: number;
  doc?: string;
  unsolicited: boolean;
  computed: SpecComputed[];
  /** One class when both versions share the layout, else one per version. */
  classes: ModelResponseClass[];
  /** Every field name of every version, in spec order (the shared base class declares them in this order). */
  fieldOrder: string[];
  versioned: boolean;
}

export interface VboxModel {
  versions: SpecVersion[];
  defaultVersion: SpecVersion;
  enums: ModelEnum[];
  commands: Array<{ name: string; id: number; direction: string }>;
  requests: ModelRequest[];
  responses: ModelResponse[];
  /** Per version: incoming command id → response class name (including `decodeAs` aliases). */
  dispatch: Record<SpecVersion, Array<[number, string]>>;
  /** Frame-level runtime policy declared by the spec (prefix, direction per role, msgId range, decoding default). */
  frame: {
    prefix: number[];
    roles: Record<'client' | 'vbox', { sends: number; accepts: number }>;
    messageId: { first: number; last: number; wrapTo: number; acceptZero: boolean };
    decoding: 'lenient' | 'strict';
  };
}

/** Names the generated base classes already use; a field or computed property may not take them. */
const RESERVED_MEMBERS = new Set([
  'command',
  'messageId',
  'raw',
  'lengthMismatch',
  'problems',
  'descriptor',
  'toJSON',
  'computed',
  'payload',
  'constructor',
  'toPayload',
  'toBuffer',
  'replyKind',
]);

/** Fixed wire size of a field, or undefined when it varies. */
function fixedSize(field: SpecField): number | undefined {
  switch (field.type) {
    case 'u8':
    case 'bool8':
    case 'enum':
    case 'const':
      return 1;
    case 'u16be':
      return 2;
    case 'bytes':
      return field.length === 'rest' ? undefined : field.length;
    case 'struct': {
      let total = 0;
      for (const f of field.fields ?? []) {
        const size = fixedSize(f);
        if (size === undefined) return undefined;
        total += size;
      }
      return total;
    }
    default:
      return undefined;
  }
}

function appliesTo(field: SpecField, version: SpecVersion): boolean {
  return field.versions === undefined || field.versions.includes(version);
}

/** Checks a spec and builds the generator model. Throws `TH_ERR_VBOX_SPEC` listing every problem. */
export function buildModel(loaded: LoadedSpec): VboxModel {
  const { spec, locate } = loaded;
  const problems: SpecProblem[] = [];
  const report = (path: (string | number)[], message: string, key = false) => {
    problems.push({ path: `/${path.join('/')}`, ...locate(path, key), message });
  };

  const versions = spec.protocol.versions;
  if (!versions.includes(spec.protocol.defaultVersion)) {
    report(['protocol', 'defaultVersion'], `'${spec.protocol.defaultVersion}' is not one of the declared versions ${versions.join(', ')}`);
  }

  // Frame
  const m = spec.frame.messageId;
  if (!(m.first <= m.last)) report(['frame', 'messageId', 'last'], `last (${m.last}) is below first (${m.first})`);
  if (m.wrapTo < m.first || m.wrapTo > m.last) report(['frame', 'messageId', 'wrapTo'], `wrapTo (${m.wrapTo}) must lie within ${m.first}..${m.last}`);
  const directionEnum = spec.enums[spec.frame.direction.enum];
  if (!directionEnum) report(['frame', 'direction', 'enum'], `unknown enum '${spec.frame.direction.enum}'`);
  else {
    for (const role of ['client', 'vbox'] as const) {
      for (const which of ['sends', 'accepts'] as const) {
        const name = spec.frame.direction.roles[role][which];
        if (!(name in directionEnum.values)) {
          report(['frame', 'direction', 'roles', role, which], `'${name}' is not a value of ${spec.frame.direction.enum}`);
        }
      }
    }
  }
  const headerNames = spec.frame.header.map((h) => h.name);
  const expectedHeader = ['prefix', 'direction', 'command', 'length', 'messageId'];
  if (headerNames.join() !== expectedHeader.join()) {
    report(['frame', 'header'], `the VTU header must be ${expectedHeader.join(', ')} in that order (got ${headerNames.join(', ')})`);
  }

  // Enums
  const enums: ModelEnum[] = [];
  for (const [name, e] of Object.entries(spec.enums)) {
    const byValue = new Map<number, string>();
    for (const [valueName, value] of Object.entries(e.values)) {
      const clash = byValue.get(value);
      if (clash !== undefined) report(['enums', name, 'values', valueName], `${name}.${valueName} repeats the value ${value} of ${name}.${clash}`, true);
      else byValue.set(value, valueName);
    }
    enums.push({ name, doc: e.doc, values: Object.entries(e.values) });
  }
  const enumByName = new Map(enums.map((e) => [e.name, e]));
  if (enumByName.has('CommandId')) report(['enums', 'CommandId'], 'CommandId is generated from the commands; do not declare it', true);

  // Commands
  const commandEntries = Object.entries(spec.commands);
  const byId = new Map<number, string>();
  for (const [name, c] of commandEntries) {
    const clash = byId.get(c.id);
    if (clash !== undefined) report(['commands', name, 'id'], `command id 0x${c.id.toString(16)} is already used by ${clash}`);
    else byId.set(c.id, name);
  }

  const checkField = (field: SpecField, path: (string | number)[], earlier: SpecField[], layoutVersions: SpecVersion[]) => {
    if (RESERVED_MEMBERS.has(field.name)) report([...path, 'name'], `'${field.name}' is reserved by the generated base classes; choose another name`);
    for (const v of field.versions ?? []) {
      if (!versions.includes(v)) report([...path, 'versions'], `version '${v}' is not declared in protocol.versions`);
    }
    const enumRef = field.type === 'enum' ? field.enum : field.type === 'array' && field.of?.type === 'enum' ? field.of.enum : undefined;
    const enumPath = field.type === 'enum' ? [...path, 'enum'] : [...path, 'of', 'enum'];
    if (enumRef !== undefined && !enumByName.has(enumRef)) report(enumPath, `unknown enum '${enumRef}' (declared: ${[...enumByName.keys()].join(', ')})`);
    if (field.type === 'array' && field.count !== undefined) {
      const counter = earlier.find((f) => f.name === field.count);
      if (!counter) report([...path, 'count'], `count field '${field.count}' must be declared before '${field.name}'`);
      else if (counter.type !== 'u8' && counter.type !== 'u16be')
        report([...path, 'count'], `count field '${field.count}' must be u8 or u16be, not ${counter.type}`);
      else if (layoutVersions.some((v) => appliesTo(field, v) && !appliesTo(counter, v))) {
        report([...path, 'count'], `count field '${field.count}' is missing in some version where '${field.name}' exists`);
      }
    }
    if (field.type === 'struct') {
      const names = new Set<string>();
      (field.fields ?? []).forEach((sub, i) => {
        const subPath = [...path, 'fields', i];
        if (names.has(sub.name)) report([...subPath, 'name'], `duplicate struct member '${sub.name}'`);
        names.add(sub.name);
        if (fixedSize(sub) === undefined) report([...subPath, 'type'], `struct members must have a fixed size (${sub.type} does not)`);
        if (sub.versions) report([...subPath, 'versions'], 'struct members cannot be limited to a version; limit the struct');
      });
      if (field.format !== undefined) {
        for (const placeholder of field.format.matchAll(/\{([^}]*)\}/g)) {
          if (!names.has(placeholder[1]!)) report([...path, 'format'], `format placeholder {${placeholder[1]}} is not a member of '${field.name}'`);
        }
      }
    }
    if (field.type === 'bytes' && field.format !== undefined && field.default !== undefined) {
      report([...path, 'default'], 'a formatted byte span takes no default (it defaults to zeros)');
    }
    // Defaults and ranges
    const lo = field.min;
    const hi = field.max;
    const typeMax = field.type === 'u16be' ? 0xffff : 0xff;
    if (lo !== undefined && (lo < 0 || lo > typeMax)) report([...path, 'min'], `min ${lo} is outside 0..${typeMax}`);
    if (hi !== undefined && (hi < 0 || hi > typeMax)) report([...path, 'max'], `max ${hi} is outside 0..${typeMax}`);
    if (lo !== undefined && hi !== undefined && lo > hi) report([...path, 'max'], `max ${hi} is below min ${lo}`);
    if (field.default !== undefined) {
      const d = field.default;
      const bad = (why: string) => report([...path, 'default'], why);
      switch (field.type) {
        case 'u8':
        case 'u16be':
          if (typeof d !== 'number') bad(`default of a ${field.type} must be a number`);
          else if (d < (lo ?? 0) || d > (hi ?? typeMax)) bad(`default ${d} is outside ${lo ?? 0}..${hi ?? typeMax}`);
          break;
        case 'bool8':
          if (typeof d !== 'boolean') bad('default of a bool8 must be true or false');
          break;
        case 'enum': {
          const e = field.enum ? enumByName.get(field.enum) : undefined;
          if (e && typeof d === 'string' && !e.values.some(([n]) => n === d)) bad(`default '${d}' is not a value of ${e.name}`);
          if (typeof d === 'boolean' || (typeof d === 'number' && (d < 0 || d > 255))) bad('default of an enum must be a value name or a byte');
          break;
        }
        case 'string':
          if (typeof d !== 'string') bad('default of a string must be text');
          break;
        default:
          bad(`a ${field.type} field takes no default`);
      }
    }
  };

  /** Checks one layout for one version: names, rest placement, offsets. */
  const checkLayout = (layout: SpecLayout, path: (string | number)[], layoutVersions: SpecVersion[]) => {
    layout.fields.forEach((field, i) => {
      checkField(field, [...path, 'fields', i], layout.fields.slice(0, i), layoutVersions);
    });
    for (const version of layoutVersions) {
      const seen = new Set<string>();
      let offset: number | undefined = 0;
      let endReached = false;
      layout.fields.forEach((field, i) => {
        if (!appliesTo(field, version)) return;
        const fieldPath = [...path, 'fields', i];
        if (seen.has(field.name)) report([...fieldPath, 'name'], `duplicate field '${field.name}' in ${version}`);
        seen.add(field.name);
        if (endReached) report(fieldPath, `'${field.name}' follows a field that runs to the end of the payload`);
        if ((field.type === 'bytes' && field.length === 'rest') || (field.type === 'array' && field.count === undefined)) endReached = true;
        if (field.at !== undefined) {
          const expected = typeof field.at === 'number' ? field.at : field.at[version];
          if (expected !== undefined) {
            if (offset === undefined) report([...fieldPath, 'at'], `'${field.name}' follows a variable-size field, so its offset cannot be checked`);
            else if (offset !== expected) report([...fieldPath, 'at'], `'${field.name}' is at payload offset ${offset} in ${version}, not ${expected}`);
          }
        }
        const size = fixedSize(field);
        offset = offset === undefined || size === undefined ? undefined : offset + size;
      });
    }
    const fieldNames = new Set(layout.fields.map((f) => f.name));
    (layout.computed ?? []).forEach((c, i) => {
      const cPath = [...path, 'computed', i];
      if (fieldNames.has(c.name)) report([...cPath, 'name'], `computed '${c.name}' has the name of a field`);
      if (RESERVED_MEMBERS.has(c.name)) report([...cPath, 'name'], `'${c.name}' is reserved by the generated base classes`);
      const source = layout.fields.find((f) => f.name === c.field);
      if (!source) {
        report([...cPath, 'field'], `computed '${c.name}' refers to unknown field '${c.field}'`);
        return;
      }
      if (layoutVersions.some((v) => !appliesTo(source, v))) report([...cPath, 'field'], `field '${c.field}' does not exist in every version`);
      switch (c.builtin) {
        case 'equals': {
          const e = source.type === 'enum' && source.enum ? enumByName.get(source.enum) : undefined;
          if (typeof c.value === 'string' && (!e || !e.values.some(([n]) => n === c.value))) {
            report([...cPath, 'value'], `'${c.value}' is not a value of ${e ? e.name : `'${c.field}' (not an enum)`}`);
          }
          break;
        }
        case 'modelName':
          if (source.type !== 'enum') report([...cPath, 'field'], `modelName needs an enum field; '${c.field}' is ${source.type}`);
          break;
        case 'format':
          if (source.type !== 'struct' || !source.format) report([...cPath, 'field'], `format needs a struct field with a format; '${c.field}' has none`);
          break;
        case 'indexed':
        case 'length':
          if (source.type !== 'array') report([...cPath, 'field'], `${c.builtin} needs an array field; '${c.field}' is ${source.type}`);
          break;
        case 'alias':
          break;
      }
    });
  };

  const requests: ModelRequest[] = [];
  const responses: ModelResponse[] = [];
  const commandNames = new Set(commandEntries.map(([n]) => n));
  for (const [name, c] of commandEntries) {
    const path = ['commands', name];
    if (c.pairedResponse !== undefined) {
      const target = spec.commands[c.pairedResponse];
      if (!target?.response) report([...path, 'pairedResponse'], `'${c.pairedResponse}' is not a command with a response layout`);
      if (c.reply === 'same' && c.pairedResponse !== name) report([...path, 'pairedResponse'], `reply 'same' means the response is ${name} itself`);
      if (c.reply === 'ack' && target && target.id !== 0x00)
        report([...path, 'pairedResponse'], `reply 'ack' is answered by command 00, not '${c.pairedResponse}'`);
    }
    if (c.reply === 'unknown' && c.pairedResponse !== undefined) report([...path, 'pairedResponse'], "reply 'unknown' has no paired response");
    if (c.decodeAs !== undefined) {
      if (!commandNames.has(c.decodeAs) || !spec.commands[c.decodeAs]?.response)
        report([...path, 'decodeAs'], `'${c.decodeAs}' is not a command with a response layout`);
      if (c.response) report([...path, 'decodeAs'], 'a command with its own response layout cannot also decodeAs another');
    }
    if (c.request) {
      checkLayout(c.request, [...path, 'request'], versions);
      (c.request.computed ?? []).forEach((_c, i) => report([...path, 'request', 'computed', i], 'requests have no computed properties'));
      const optional = new Set<string>();
      const counted = new Set(c.request.fields.flatMap((f) => (f.type === 'array' && f.count ? [f.count] : [])));
      for (const f of c.request.fields) {
        if (f.default !== undefined || f.type === 'const' || f.type === 'bytes' || counted.has(f.name)) optional.add(f.name);
      }
      requests.push({
        name,
        command: c.id,
        replyKind: c.reply ?? 'unknown',
        pairedResponse: c.pairedResponse,
        doc: c.doc,
        fields: c.request.fields.map((f) => ({ name: f.name, spec: f, versions: f.versions })),
        optional,
      });
    }
    if (c.response) {
      checkLayout(c.response, [...path, 'response'], versions);
      const layouts = versions.map((v) => c.response!.fields.filter((f) => appliesTo(f, v)));
      const key = (fs: SpecField[]) => JSON.stringify(fs.map(({ doc: _d, at: _a, versions: _v, ...rest }) => rest));
      const versioned = layouts.some((l) => key(l) !== key(layouts[0]!));
      const strip = (fs: SpecField[]) => fs.map(({ versions: _v, ...rest }) => rest as SpecField);
      responses.push({
        message: name,
        command: c.id,
        doc: c.doc,
        unsolicited: c.unsolicited ?? false,
        computed: c.response.computed ?? [],
        fieldOrder: [...new Set(c.response.fields.map((f) => f.name))],
        versioned,
        classes: versioned
          ? versions.map((v, i) => ({ className: `${name}${v.toUpperCase()}`, version: v, fields: strip(layouts[i]!) }))
          : [{ className: name, fields: strip(layouts[0]!) }],
      });
    }
  }
  if (problems.length > 0)
    throw specError(
      loaded.file,
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)),
    );

  const responseByMessage = new Map(responses.map((r) => [r.message, r]));
  const dispatch = {} as Record<SpecVersion, Array<[number, string]>>;
  for (const version of versions) {
    const table: Array<[number, string]> = [];
    for (const [name, c] of commandEntries) {
      const target = responseByMessage.get(c.response ? name : (c.decodeAs ?? ''));
      if (!target) continue;
      const cls = target.classes.find((k) => k.version === undefined || k.version === version)!;
      table.push([c.id, cls.className]);
    }
    dispatch[version] = table.sort((a, b) => a[0] - b[0]);
  }
  return {
    versions,
    defaultVersion: spec.protocol.defaultVersion,
    enums,
    commands: commandEntries.map(([name, c]) => ({ name, id: c.id, direction: c.direction })),
    requests,
    responses,
    dispatch,
    frame: {
      prefix: spec.frame.prefix,
      roles: {
        client: directionRole(spec.frame.direction.roles.client),
        vbox: directionRole(spec.frame.direction.roles.vbox),
      },
      messageId: { ...spec.frame.messageId, acceptZero: spec.frame.messageId.acceptZero ?? false },
      decoding: spec.decoding.default,
    },
  };

  function directionRole(role: { sends: string; accepts: string }): { sends: number; accepts: number } {
    const values = spec.enums[spec.frame.direction.enum]!.values;
    return { sends: values[role.sends]!, accepts: values[role.accepts]! };
  }
}
