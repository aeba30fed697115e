import { CodeWriter, generatedHeader } from '../common/writer.js';
import type { ModelEnum, ModelRequest, ModelResponse, VboxModel } from './build-model.js';
import type { SpecComputed, SpecElementType, SpecField } from './load-spec.js';

/**
 * Prints the generator model as TypeScript: `enums.ts`, `requests.ts`, `responses.ts`,
 * `frame-policy.ts` and `index.ts`. Classes are thin: a descriptor (data) plus declared field types and computed
 * getters that delegate to the generic runtime in `runtime/vbox/fields.ts`.
 */

const GENERATOR = 'codegen/vbox';

/** A TSDoc comment: one line when the text is short and single-paragraph, a block otherwise. */
function doc(w: CodeWriter, paragraphs: (string | undefined)[]): void {
  const parts = paragraphs.filter((p): p is string => p !== undefined && p.trim() !== '').map((p) => p.trim());
  if (parts.length === 1 && !parts[0]!.includes('\n') && parts[0]!.length <= 100) w.line(`/** ${parts[0]!.replace(/\*\//g, '*\\/')} */`);
  else w.doc(parts);
}

function hexByte(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `{ kind: 'enum', enumName: 'X', values: X }` etc.: the runtime FieldType literal. */
function typeLiteral(field: SpecField | SpecElementType): string {
  switch (field.type) {
    case 'enum':
      return `{ kind: 'enum', enumName: ${quote(field.enum!)}, values: ${field.enum} }`;
    case 'const':
      return `{ kind: 'const', value: ${hexByte((field as SpecField).value!)} }`;
    case 'bytes': {
      const f = field as SpecField;
      const length = f.length === 'rest' ? "'rest'" : String(f.length);
      return `{ kind: 'bytes', length: ${length}${f.format ? `, format: ${quote(f.format)}` : ''} }`;
    }
    case 'array': {
      const f = field as SpecField;
      return `{ kind: 'array', of: ${typeLiteral(f.of!)}${f.count ? `, count: ${quote(f.count)}` : ''} }`;
    }
    case 'struct': {
      const f = field as SpecField;
      const members = (f.fields ?? []).map((m) => fieldLiteral(m)).join(', ');
      return `{ kind: 'struct', fields: [${members}]${f.format ? `, format: ${quote(f.format)}` : ''} }`;
    }
    default:
      return `{ kind: '${field.type}' }`;
  }
}

function fieldLiteral(field: SpecField, withVersions = false): string {
  const parts = [`name: ${quote(field.name)}`, `type: ${typeLiteral(field)}`];
  if (field.default !== undefined) parts.push(`default: ${typeof field.default === 'string' ? quote(field.default) : String(field.default)}`);
  if (field.min !== undefined) parts.push(`min: ${field.min}`);
  if (field.max !== undefined) parts.push(`max: ${field.max}`);
  if (withVersions && field.versions) parts.push(`versions: [${field.versions.map(quote).join(', ')}]`);
  return `{ ${parts.join(', ')} }`;
}

function computedLiteral(c: SpecComputed, fields: SpecField[]): string {
  const base = `name: ${quote(c.name)}, builtin: '${c.builtin}', field: ${quote(c.field)}`;
  const source = fields.find((f) => f.name === c.field);
  switch (c.builtin) {
    case 'equals': {
      const value = typeof c.value === 'string' ? `${source!.enum}.${c.value}` : String(c.value);
      return `{ ${base}, value: ${value} }`;
    }
    case 'modelName':
      return `{ ${base}, values: ${source!.enum} }`;
    case 'format':
      return `{ ${base}, template: ${quote(source!.format!)} }`;
    case 'indexed':
      return `{ ${base}, keys: [${c.keys!.map(quote).join(', ')}] }`;
    default:
      return `{ ${base} }`;
  }
}

/** TypeScript type of a decoded / stored value. */
function valueType(field: SpecField | SpecElementType): string {
  switch (field.type) {
    case 'enum':
      return field.enum!;
    case 'bool8':
      return 'boolean';
    case 'string':
      return 'string';
    case 'bytes':
      return (field as SpecField).format ? 'string' : 'Buffer';
    case 'array':
      return `${valueType((field as SpecField).of!)}[]`;
    case 'struct':
      return `{ ${((field as SpecField).fields ?? []).map((m) => `${m.name}: ${valueType(m)}`).join('; ')} }`;
    default:
      return 'number';
  }
}

/** TypeScript type accepted by an encoder (enum names, hex text for bytes, …). */
function inputType(field: SpecField | SpecElementType): string {
  switch (field.type) {
    case 'enum':
      return `${field.enum} | keyof typeof ${field.enum}`;
    case 'bool8':
      return 'boolean | 0 | 1';
    case 'bytes':
      return (field as SpecField).format ? 'string | Buffer | number[]' : 'Buffer | string | number[]';
    case 'array': {
      const element = inputType((field as SpecField).of!);
      return element.includes('|') ? `Array<${element}>` : `${element}[]`;
    }
    case 'struct': {
      const f = field as SpecField;
      const object = `{ ${(f.fields ?? []).map((m) => `${m.name}: ${inputType(m)}`).join('; ')} }`;
      return f.format ? `${object} | string | number[]` : object;
    }
    default:
      return valueType(field);
  }
}

function computedType(c: SpecComputed, fields: SpecField[]): string {
  const source = fields.find((f) => f.name === c.field)!;
  switch (c.builtin) {
    case 'equals':
      return 'boolean';
    case 'modelName':
    case 'format':
      return 'string';
    case 'length':
      return 'number';
    case 'alias':
      return valueType(source);
    case 'indexed':
      return `Array<{ ${c.keys![0]}: number; ${c.keys![1]}: ${valueType(source.of!)} }>`;
  }
}

function computedDoc(c: SpecComputed): string {
  if (c.doc) return c.doc;
  switch (c.builtin) {
    case 'equals':
      return `True when \`${c.field}\` is ${c.value}.`;
    case 'modelName':
      return `Model name: the \`${c.field}\` name with \`_\` → \`-\`, or \`Unknown-<n>\`.`;
    case 'format':
      return `\`${c.field}\` rendered through its format template.`;
    case 'indexed':
      return `\`${c.field}\` as \`{ ${c.keys![0]}: index, ${c.keys![1]} }\` entries.`;
    case 'length':
      return `Number of entries in \`${c.field}\`.`;
    case 'alias':
      return `Same as \`${c.field}\`.`;
  }
}

function fieldDoc(field: SpecField, extra?: string): string {
  const wire =
    field.type === 'enum'
      ? `${field.enum} (u8)`
      : field.type === 'bytes'
        ? `bytes(${field.length})${field.format ? `, ${field.format}` : ''}`
        : field.type === 'array'
          ? `${field.of!.type === 'enum' ? field.of!.enum : field.of!.type}[]${field.count ? ` × ${field.count}` : ' to the end'}`
          : field.type === 'const'
            ? `const ${hexByte(field.value!)}`
            : field.type === 'string'
              ? 'UTF-16LE, u8 byte-length prefix'
              : field.type === 'struct'
                ? `struct${field.format ? ` '${field.format}'` : ''}`
                : field.type;
  const range = field.min !== undefined || field.max !== undefined ? ` Range ${field.min ?? 0}–${field.max ?? ''}.` : '';
  const def = field.default !== undefined ? ` Default ${JSON.stringify(field.default)}.` : '';
  return `${field.doc ? `${field.doc} ` : ''}Wire: ${wire}.${range}${def}${extra ? ` ${extra}` : ''}`;
}

function enumsUsed(fields: SpecField[], into: Set<string>): Set<string> {
  for (const f of fields) {
    if (f.type === 'enum' && f.enum) into.add(f.enum);
    if (f.type === 'array' && f.of?.type === 'enum' && f.of.enum) into.add(f.of.enum);
    if (f.type === 'struct') enumsUsed(f.fields ?? [], into);
  }
  return into;
}

function emitEnums(model: VboxModel, source: string, runtime: string): string {
  const w = new CodeWriter();
  w.line(generatedHeader(GENERATOR, source).trimEnd());
  w.line();
  w.line(`export { enumName } from '${runtime}/fields.js';`);
  const all: ModelEnum[] = [
    ...model.enums,
    {
      name: 'CommandId',
      doc: 'Every VTU command id.',
      values: model.commands.map((c) => [c.name, c.id]),
    },
  ];
  for (const e of all) {
    w.line();
    doc(w, [e.doc, `${e.values.length} values. Unknown values received on the wire pass through as numbers.`]);
    w.block(
      `export const ${e.name} = {`,
      () => {
        for (const [name, value] of e.values)
          w.line(`${name}: ${e.name === 'CommandId' || e.name === 'DataGramDirection' || e.name === 'KeyPowerStatus' ? hexByte(value) : value},`);
      },
      '} as const;',
    );
    w.line(`export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`);
  }
  return w.toString();
}

function emitRequests(model: VboxModel, source: string, runtime: string): string {
  const w = new CodeWriter();
  w.line(generatedHeader(GENERATOR, source).trimEnd());
  w.line();
  const used = new Set<string>();
  for (const r of model.requests)
    enumsUsed(
      r.fields.map((f) => f.spec),
      used,
    );
  w.line(`import { VboxRequest } from '${runtime}/fields.js';`);
  w.line(`import type { ReplyKind, RequestDescriptor } from '${runtime}/spec-types.js';`);
  if (used.size) w.line(`import { ${[...used].sort().join(', ')} } from './enums.js';`);
  for (const r of model.requests) emitRequest(w, r);
  return w.toString();
}

function emitRequest(w: CodeWriter, r: ModelRequest): void {
  const fieldsType = `${r.name}Fields`;
  w.line();
  doc(w, [`Fields accepted by {@link ${r.name}}; enum values by name or number.`]);
  if (r.fields.length === 0) w.line(`export type ${fieldsType} = Record<string, never>;`);
  else
    w.block(`export interface ${fieldsType} {`, () => {
      for (const f of r.fields) {
        w.line(`${f.name}${r.optional.has(f.name) ? '?' : ''}: ${inputType(f.spec)};`);
      }
    });
  w.line();
  const answer =
    r.replyKind === 'unknown' ? 'No reply is documented (reply kind `unknown`).' : `Answered by ${r.pairedResponse} (reply kind \`${r.replyKind}\`).`;
  doc(w, [`${r.name}: command ${hexByte(r.command)}, client→vBox. ${answer}`, r.doc]);
  w.block(`export class ${r.name} extends VboxRequest {`, () => {
    w.line(`static readonly command = ${hexByte(r.command)};`);
    w.line(`static readonly replyKind: ReplyKind = '${r.replyKind}';`);
    if (r.pairedResponse) w.line(`static readonly pairedResponse = ${quote(r.pairedResponse)};`);
    doc(w, ['Layout metadata, walked by the generic encoder.']);
    w.block(
      'static readonly descriptor: RequestDescriptor = {',
      () => {
        w.line(`name: ${quote(r.name)},`);
        w.line(`message: ${quote(r.name)},`);
        w.line(`command: ${hexByte(r.command)},`);
        w.line(`replyKind: '${r.replyKind}',`);
        if (r.pairedResponse) w.line(`response: ${quote(r.pairedResponse)},`);
        if (r.fields.length === 0) w.line('fields: [],');
        else
          w.block(
            'fields: [',
            () => {
              for (const f of r.fields) w.line(`${fieldLiteral(f.spec, true)},`);
            },
            '],',
          );
        w.line('computed: [],');
      },
      '};',
    );
    for (const f of r.fields) {
      doc(w, [fieldDoc(f.spec, f.versions ? `Only in ${f.versions.join(', ')}.` : undefined)]);
      w.line(`declare readonly ${f.name}: ${valueType(f.spec)};`);
    }
    w.line();
    const optionalArg = r.fields.every((f) => r.optional.has(f.name));
    doc(w, ['Validates the fields (ranges, enum names, defaults); throws VboxFieldError (`TH_ERR_VBOX_FIELD`).']);
    w.block(`constructor(fields: ${fieldsType}${optionalArg ? ' = {}' : ''}) {`, () => {
      w.line(`super(${r.name}.descriptor, fields);`);
    });
  });
}

function emitResponses(model: VboxModel, source: string, runtime: string): string {
  const w = new CodeWriter();
  w.line(generatedHeader(GENERATOR, source).trimEnd());
  w.line();
  const used = new Set<string>();
  for (const r of model.responses) for (const c of r.classes) enumsUsed(c.fields, used);
  w.line(`import { VboxResponseBase } from '${runtime}/fields.js';`);
  w.line(`import type { ResponseDescriptor } from '${runtime}/spec-types.js';`);
  if (used.size) w.line(`import { ${[...used].sort().join(', ')} } from './enums.js';`);
  w.line();
  w.line(`export { UnknownResponse as Unknown } from '${runtime}/fields.js';`);
  for (const r of model.responses) emitResponse(w, r);
  return w.toString();
}

function emitDescriptor(w: CodeWriter, r: ModelResponse, className: string, version: string | undefined, fields: SpecField[]): void {
  doc(w, ['Layout metadata, walked by the generic decoder.']);
  w.block(
    'static readonly descriptor: ResponseDescriptor = {',
    () => {
      w.line(`name: ${quote(className)},`);
      w.line(`message: ${quote(r.message)},`);
      w.line(`command: ${hexByte(r.command)},`);
      if (version) w.line(`version: '${version}',`);
      if (r.unsolicited) w.line('unsolicited: true,');
      if (fields.length === 0) w.line('fields: [],');
      else
        w.block(
          'fields: [',
          () => {
            for (const f of fields) w.line(`${fieldLiteral(f)},`);
          },
          '],',
        );
      if (r.computed.length === 0) w.line('computed: [],');
      else
        w.block(
          'computed: [',
          () => {
            for (const c of r.computed) w.line(`${computedLiteral(c, fields)},`);
          },
          '],',
        );
    },
    '};',
  );
}

function emitResponse(w: CodeWriter, r: ModelResponse): void {
  const header = `${r.message}: command ${hexByte(r.command)}, vBox→client${r.unsolicited ? ', also pushed unsolicited' : ''}.`;
  // Fields of every version, in the order of first appearance; version-only ones are optional on the shared base.
  const allFields: SpecField[] = r.fieldOrder.map((name) => r.classes.flatMap((c) => c.fields).find((f) => f.name === name)!);
  const inEvery = (name: string) => r.classes.every((c) => c.fields.some((f) => f.name === name));
  const firstFields = r.classes[0]!.fields;

  const members = () => {
    for (const f of allFields) {
      const only = inEvery(f.name)
        ? undefined
        : `Only in ${r.classes
            .filter((c) => c.fields.some((g) => g.name === f.name))
            .map((c) => c.version)
            .join(', ')}.`;
      doc(w, [fieldDoc(f, only)]);
      w.line(`declare readonly ${f.name}${inEvery(f.name) ? '' : '?'}: ${valueType(f)};`);
    }
    for (const c of r.computed) {
      w.line();
      doc(w, [computedDoc(c)]);
      w.block(`get ${c.name}(): ${computedType(c, firstFields)} {`, () => {
        w.line(`return this.computed(${quote(c.name)}) as ${computedType(c, firstFields)};`);
      });
    }
  };

  w.line();
  if (!r.versioned) {
    doc(w, [header, r.doc]);
    w.block(`export class ${r.message} extends VboxResponseBase {`, () => {
      w.line(`static readonly command = ${hexByte(r.command)};`);
      if (r.unsolicited) w.line('static readonly unsolicited = true;');
      emitDescriptor(w, r, r.message, undefined, firstFields);
      members();
    });
    return;
  }
  doc(w, [
    header,
    r.doc,
    `The layout differs between protocol versions: ${r.classes.map((c) => `{@link ${c.className}}`).join(', ')} are the concrete classes.`,
  ]);
  w.block(`export abstract class ${r.message} extends VboxResponseBase {`, () => {
    w.line(`static readonly command = ${hexByte(r.command)};`);
    if (r.unsolicited) w.line('static readonly unsolicited = true;');
    members();
  });
  for (const c of r.classes) {
    w.line();
    doc(w, [`${r.message} in the ${c.version!.toUpperCase()} layout.`]);
    w.block(`export class ${c.className} extends ${r.message} {`, () => {
      w.line(`static readonly version = '${c.version}';`);
      emitDescriptor(w, r, c.className, c.version, c.fields);
      for (const f of c.fields) {
        if (inEvery(f.name)) continue;
        w.line(`declare readonly ${f.name}: ${valueType(f)};`);
      }
    });
  }
}

/**
 * `frame-policy.ts`: the frame-level facts alone, with no imports, so the frame codec
 * (runtime/vbox/frame.ts), which the generated classes import, can take them from the spec
 * without an import cycle.
 */
function emitFramePolicy(model: VboxModel, source: string): string {
  const w = new CodeWriter();
  w.line(generatedHeader(GENERATOR, source).trimEnd());
  w.line();
  doc(w, [
    'Frame-level policy declared by the spec: the prefix, the direction byte each role sends and accepts, the message id range (the client issues `first`…`last`, then wraps to `wrapTo`; `acceptZero`: a peer may send 0) and the default decoding strictness.',
  ]);
  const f = model.frame;
  w.block(
    'export const framePolicy = {',
    () => {
      w.line(`prefix: [${f.prefix.map(hexByte).join(', ')}],`);
      w.line(`client: { sends: ${hexByte(f.roles.client.sends)}, accepts: ${hexByte(f.roles.client.accepts)} },`);
      w.line(`vbox: { sends: ${hexByte(f.roles.vbox.sends)}, accepts: ${hexByte(f.roles.vbox.accepts)} },`);
      w.line(`messageId: { first: ${f.messageId.first}, last: ${f.messageId.last}, wrapTo: ${f.messageId.wrapTo}, acceptZero: ${f.messageId.acceptZero} },`);
      w.line(`decoding: '${f.decoding}',`);
    },
    '} as const;',
  );
  w.line();
  return w.toString();
}

function emitIndex(model: VboxModel, source: string, runtime: string): string {
  const w = new CodeWriter();
  w.line(generatedHeader(GENERATOR, source).trimEnd());
  w.line();
  w.line(`import type { VboxRequestClass, VboxResponseClass } from '${runtime}/fields.js';`);
  w.line(`import type { ProtocolVersion } from '${runtime}/spec-types.js';`);
  w.line("import * as requests from './requests.js';");
  w.line("import * as responses from './responses.js';");
  w.line();
  w.line("export * from './enums.js';");
  w.line('export { requests, responses };');
  w.line();
  doc(w, [`Protocol version used when none is configured.`]);
  w.line(`export const defaultVersion: ProtocolVersion = '${model.defaultVersion}';`);
  w.line();
  w.line("export { framePolicy } from './frame-policy.js';");
  w.line();
  doc(w, [
    'Response class by protocol version and incoming command id. Ids mapped onto another layout (`decodeAs`, e.g. an incoming 01 or 1E decodes as an Acknowledgement) are included; ids not listed decode as `responses.Unknown`.',
  ]);
  w.block(
    'export const dispatch: Readonly<Record<ProtocolVersion, Readonly<Record<number, VboxResponseClass>>>> = {',
    () => {
      for (const version of model.versions) {
        w.block(
          `${version}: {`,
          () => {
            for (const [id, className] of model.dispatch[version]) w.line(`${hexByte(id)}: responses.${className},`);
          },
          '},',
        );
      }
    },
    '};',
  );
  w.line();
  doc(w, ['Request class by name.']);
  w.block(
    'export const requestClasses: Readonly<Record<string, VboxRequestClass>> = {',
    () => {
      for (const r of model.requests) w.line(`${r.name}: requests.${r.name},`);
    },
    '};',
  );
  w.line();
  doc(w, ['Request class by command id (for decoding client→vBox frames, e.g. in a mock).']);
  w.block(
    'export const requestsByCommand: Readonly<Record<number, VboxRequestClass>> = {',
    () => {
      for (const r of model.requests) w.line(`${hexByte(r.command)}: requests.${r.name},`);
    },
    '};',
  );
  w.line();
  doc(w, ['Response class by message name and protocol version (same class for both when the layout does not differ).']);
  w.block(
    'export const responseClasses: Readonly<Record<string, Readonly<Record<ProtocolVersion, VboxResponseClass>>>> = {',
    () => {
      for (const r of model.responses) {
        const byVersion = model.versions.map((v) => `${v}: responses.${r.classes.find((c) => c.version === undefined || c.version === v)!.className}`);
        w.line(`${r.message}: { ${byVersion.join(', ')} },`);
      }
    },
    '};',
  );
  return w.toString();
}

/** All generated files, by name relative to the output folder. `runtime` is the import path of runtime/vbox from there. */
export function emitVbox(model: VboxModel, source: string, runtime: string): Map<string, string> {
  return new Map([
    ['enums.ts', emitEnums(model, source, runtime)],
    ['requests.ts', emitRequests(model, source, runtime)],
    ['responses.ts', emitResponses(model, source, runtime)],
    ['frame-policy.ts', emitFramePolicy(model, source)],
    ['index.ts', emitIndex(model, source, runtime)],
  ]);
}
