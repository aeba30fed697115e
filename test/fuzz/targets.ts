/**
 * The fuzz targets of issue 8, shared by the bounded run inside `npm test` (fuzz.test.ts) and the
 * long mode (`npm run fuzz -- --inputs N`, scripts/fuzz.ts).
 *
 * Each target has:
 * - `run(input)`: feeds one input to the code under test. It may throw a typed error
 *   (`isThorsHammerError`); anything else thrown is an untyped exception, a bug.
 * - `mutant(rng)`: one input derived from valid seeds by random mutations (byte flips, markup
 *   tokens, splices, truncation), the bulk of the fuzzing.
 * - `typical(bytes)`: a well-formed input of about that size, the throughput baseline.
 * - `hostile`: the named hostile classes of issue 8, each a generator of an input of about `bytes`.
 */
import { isThorsHammerError } from '../../runtime/errors.js';
import { decodeDocument, encodeDocument, type OciCommand } from '../../runtime/oci/codec.js';
import { OciSchema } from '../../runtime/oci/schema.js';
import { column, type OciTable, tableToCsv, tableToJson, toRecords } from '../../runtime/oci/table.js';
import { OciDocumentSplitter } from '../../runtime/oci/transport/framing.js';
import { unwrapSoapRequest, unwrapSoapResponse, wrapSoapRequest, wrapSoapResponse } from '../../runtime/oci/transport/soap-envelope.js';
import { validateCommand } from '../../runtime/oci/validate.js';
import { decodeRequest, decodeResponse } from '../../runtime/vbox/codec.js';
import { Direction, encodeFrame, parseFrame } from '../../runtime/vbox/frame.js';
import { VboxFramer } from '../../runtime/vbox/framer.js';
import { dispatch, requestsByCommand } from '../../generated/vbox/index.js';
import { handIndex } from '../oci-codec/hand-schema.js';

/** A small fast deterministic PRNG (xorshift32), so a run is reproducible from its seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

export type FuzzInput = string | Buffer | unknown;

export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  run(input: FuzzInput): void;
  mutant(rng: Rng): FuzzInput;
  typical(bytes: number): FuzzInput;
  readonly hostile: Readonly<Record<string, (bytes: number) => FuzzInput>>;
  /** Size of an input in bytes (for per-KB figures). */
  size(input: FuzzInput): number;
}

// ---------------------------------------------------------------------------------------------
// Seeds and mutations

/** Markup fragments the mutator inserts: the building blocks of the hostile classes. */
const TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '"',
  "'",
  '=',
  '&',
  '&amp;',
  '&#0;',
  '&#x1F600;',
  '&lt;',
  '&unknown;',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?',
  '?>',
  '<?xml version="1.0"?>',
  '<!x>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  ' xsi:nil="true"',
  ' xsi:type="c:ErrorResponse"',
  ' xsi:type="GroupDepartmentKey"',
  ' xmlns="C"',
  ' xmlns=""',
  ' xmlns:c="C"',
  ' xmlns:p="urn:x"',
  ' p:a="1"',
  ' xml:lang="en"',
  '<row>',
  '</row>',
  '<row xsi:nil="true"/>',
  '<col>',
  '</col>',
  '<col/>',
  '<colHeading>',
  '</colHeading>',
  '<colHeading xsi:nil="true"/>',
  '<sessionId xmlns="">s</sessionId>',
  '<userId xmlns="">u</userId>',
  '<command xmlns="" xsi:type="LogoutRequest"><userId>u</userId></command>',
  '</BroadsoftDocument>',
  '<BroadsoftDocument protocol="OCI" xmlns="C">',
  '1.5',
  '1e400',
  'NaN',
  '-INF',
  '\u0000',
  '\u00e9',
  '\ud83d\ude00',
  '\ud800',
  '\r\n',
  '<a>',
  '</a>',
];

function mutate(rng: Rng, seed: string, others: readonly string[]): string {
  let text = seed;
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(text.length + 1);
    switch (rng.int(7)) {
      case 0: // insert a markup token (sometimes repeated)
        text = text.slice(0, at) + rng.pick(TOKENS).repeat(rng.int(8) === 0 ? 1 + rng.int(300) : 1) + text.slice(at);
        break;
      case 1: {
        // delete a range
        const end = Math.min(text.length, at + 1 + rng.int(40));
        text = text.slice(0, at) + text.slice(end);
        break;
      }
      case 2: // replace one character
        text = text.slice(0, at) + String.fromCharCode(rng.int(rng.int(4) === 0 ? 0x10000 : 128)) + text.slice(at + 1);
        break;
      case 3: {
        // duplicate a range
        const end = Math.min(text.length, at + 1 + rng.int(200));
        text = text.slice(0, end) + text.slice(at, end) + text.slice(end);
        break;
      }
      case 4: // truncate
        text = text.slice(0, at);
        break;
      case 5: {
        // splice with another seed
        const other = rng.pick(others);
        text = text.slice(0, at) + other.slice(rng.int(other.length + 1));
        break;
      }
      default: // swap a tag name
        text = text.replace(
          rng.pick(['sessionId', 'command', 'userId', 'row', 'col', 'userTable', 'colHeading']),
          rng.pick(['userId', 'trackingId', 'row', 'x', 'c:row', '']),
        );
    }
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// OCI-P documents

let schemaPromise: Promise<OciSchema> | undefined;
/** The hand-written release index of the codec tests (real R25 shapes: tables, nil, choices, abstract types). */
export function fuzzSchema(): Promise<OciSchema> {
  schemaPromise ??= (async () => {
    const schema = OciSchema.fromIndex(handIndex());
    await schema.ensureAll();
    return schema;
  })();
  return schemaPromise;
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const TAIL = '</BroadsoftDocument>';
const ident = '<sessionId xmlns="">s</sessionId>';
const doc = (body: string) => `${HEAD}${ident}${body}${TAIL}`;

function tableDocument(rows: number, cell = 'john.doe@example.com'): string {
  const row = `<row><col>${cell}</col><col>Doe &amp; Co</col><col/></row>`;
  return doc(
    `<command echo="" xsi:type="UserGetListInGroupResponse" xmlns=""><userTable><colHeading>User Id</colHeading><colHeading>Last Name</colHeading><colHeading>Phone</colHeading>${row.repeat(rows)}</userTable></command>`,
  );
}

function ociSeeds(schema: OciSchema): string[] {
  const commands: OciCommand[] = [
    { $type: 'LogoutRequest', userId: 'u@example.com' },
    { $type: 'UserModifyRequest22', userId: 'u', department: null, locationDialingCode: null },
    { $type: 'UserModifyRequest22', userId: 'u', department: { $type: 'GroupDepartmentKey', serviceProviderId: 'sp', groupId: 'g', name: 'd' } },
    { $type: 'SystemCPEConfigParametersModifyRequest', enableIPDeviceManagement: true, fileRebuildImmediate: true, ratio: 1.5 },
  ];
  const seeds = commands.map((c) => encodeDocument(schema, { sessionId: 'sé', commands: [c] }, { validate: false }));
  seeds.push(tableDocument(3));
  seeds.push(
    doc(
      '<command type="Error" echo="" xsi:type="c:ErrorResponse" xmlns:c="C" xmlns=""><errorCode>4008</errorCode><summary>[Error 4008] x</summary><summaryEnglish>x</summaryEnglish><detail><![CDATA[a </BroadsoftDocument> b]]></detail></command>',
    ),
  );
  return seeds;
}

const anyTypeContent = (content: string) =>
  doc(`<command xmlns="" xsi:type="SystemCPEConfigParametersModifyRequest"><fileRebuildImmediate>${content}</fileRebuildImmediate></command>`);

/** Hostile OCI-P document classes (issue 8), each about `bytes` long. */
function ociHostile(): Record<string, (bytes: number) => string> {
  return {
    'crash 1: <row xsi:nil> in a table': (n) => tableDocument(Math.max(1, Math.floor(n / 80))).replace('<row>', '<row xsi:nil="true"/><row>'),
    'crash 2: <colHeading xsi:nil>': (n) =>
      tableDocument(Math.max(1, Math.floor(n / 80))).replace('<colHeading>User Id</colHeading>', '<colHeading xsi:nil="true"/>'),
    // Inside an xs:anyType element, whose content the decoder skips while still checking it (names, namespaces, nesting).
    'superlinear 3: 245 levels × 63 xmlns + children': (n) => {
      const bindings = Array.from({ length: 63 }, (_, i) => ` xmlns:p${i}="urn:${i}"`).join('');
      const open = `<a${bindings}>`.repeat(245);
      const children = '<p7:b/>'.repeat(Math.max(0, Math.floor((n - open.length) / 7)));
      return anyTypeContent(`${open}${children}${'</a>'.repeat(245)}`);
    },
    'nested <a> beyond maxDepth': (n) => anyTypeContent(`${'<a>'.repeat(Math.floor(n / 7))}${'</a>'.repeat(Math.floor(n / 7))}`),
    'nested <a> within maxDepth, many siblings': (n) => anyTypeContent(`${'<a>'.repeat(250)}${'<b/>'.repeat(Math.floor(n / 4))}${'</a>'.repeat(250)}`),
    'xsi:type="c:ErrorResponse" in a 1 MB sessionId': (n) =>
      `${HEAD}<sessionId xmlns="">${'xsi:type="c:ErrorResponse"'.repeat(Math.floor(n / 26))}</sessionId>${TAIL}`,
    'one long string value': (n) => doc(`<command xmlns="" xsi:type="LogoutRequest"><userId>${'u'.repeat(n)}</userId></command>`),
    'entity references': (n) => doc(`<command xmlns="" xsi:type="LogoutRequest"><userId>${'&amp;&#233;'.repeat(Math.floor(n / 11))}</userId></command>`),
    'comments between children': (n) => tableDocument(1).replace('<row>', `${'<!-- c -->'.repeat(Math.floor(n / 10))}<row>`),
    '<!x> run (crash 4)': (n) => `${'<!x>'.repeat(Math.floor(n / 4))}${doc('')}`,
    'unclosed <!--': (n) => `${HEAD}<!--${'x'.repeat(n)}`,
    'unclosed <![CDATA[': (n) => doc(`<command xmlns="" xsi:type="LogoutRequest"><userId><![CDATA[${'x'.repeat(n)}</userId></command>`),
    'many attributes': (n) => doc(`<command xmlns="" xsi:type="LogoutRequest"${' a="1"'.repeat(Math.floor(n / 6))}/>`),
    'one long name': (n) => doc(`<${'n'.repeat(n)}/>`),
    'one long attribute value': (n) => doc(`<command xmlns="" xsi:type="LogoutRequest" echo="${'e'.repeat(n)}"><userId>u</userId></command>`),
    'whitespace-only text': (n) => doc(`<command xmlns="" xsi:type="LogoutRequest">${' '.repeat(n)}<userId>u</userId></command>`),
    'root < replaced': (n) => tableDocument(Math.floor(n / 80)).replace('<BroadsoftDocument', 'XBroadsoftDocument'),
  };
}

function ociDecodeTarget(schema: OciSchema, form: 'string' | 'buffer'): FuzzTarget {
  const seeds = ociSeeds(schema);
  const hostile = ociHostile();
  const toInput = (text: string): FuzzInput => (form === 'string' ? text : Buffer.from(text, 'utf8'));
  const encodings = ['UTF-8', 'ISO-8859-1', 'ISO-8859-2', 'windows-1252', 'UTF-16', 'EBCDIC', 'koi8-r', 'us-ascii'];
  return {
    name: `oci-decode-${form}`,
    description: `decodeDocument on a ${form === 'string' ? 'string' : 'Buffer (declared encodings, byte order marks)'}, then validateCommand on what decodes`,
    run(input) {
      const doc = decodeDocument(schema, input as string | Buffer);
      for (const command of doc.commands) validateCommand(schema, command);
    },
    mutant(rng) {
      const text = mutate(rng, rng.pick(seeds), seeds);
      if (form === 'string') return text;
      // Bytes: sometimes another declared encoding, a byte order mark, or raw byte damage.
      let bytes = Buffer.from(rng.int(3) === 0 ? text.replace('UTF-8', rng.pick(encodings)) : text, rng.int(4) === 0 ? 'latin1' : 'utf8');
      if (rng.int(10) === 0)
        bytes = Buffer.concat([
          Buffer.from(
            rng.pick([
              [0xef, 0xbb, 0xbf],
              [0xff, 0xfe],
              [0xfe, 0xff],
            ]),
          ),
          bytes,
        ]);
      if (rng.int(4) === 0 && bytes.length > 0) bytes[rng.int(bytes.length)] = rng.int(256);
      return bytes;
    },
    typical: (n) => toInput(tableDocument(Math.max(1, Math.floor(n / 80)))),
    hostile: Object.fromEntries(Object.entries(hostile).map(([name, make]) => [name, (n: number) => toInput(make(n))])),
    size: (input) => (typeof input === 'string' ? input.length : (input as Buffer).length),
  };
}

// ---------------------------------------------------------------------------------------------
// Table helpers (tables built in JavaScript)

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.int(1000);
    case 3:
      return rng.pick(['', 'User Id', 'user id', 'Line/Port', 'URI', '__proto__', 'constructor', 'a,b', ' x ', '"q"', '\u00e9']);
    case 4:
      return rng.int(2) === 0;
    case 5:
      return 'cell';
    case 6:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    case 7:
      return { col: randomValue(rng, depth + 1) };
    default:
      return { colHeading: randomValue(rng, depth + 1), row: randomValue(rng, depth + 1) };
  }
}

function tableValue(rows: number, cols = 4): OciTable {
  const colHeading = Array.from({ length: cols }, (_, i) => `Column ${i}`);
  const row = Array.from({ length: rows }, (_, r) => ({ col: colHeading.map((_, c) => `r${r}c${c}`) }));
  return { colHeading, row };
}

const tableTarget: FuzzTarget = {
  name: 'oci-table',
  description: 'column, toRecords (raw and camel), tableToCsv, tableToJson on tables built in JavaScript',
  run(input) {
    const table = input as OciTable;
    const heading = Array.isArray(table?.colHeading) && typeof table.colHeading[0] === 'string' ? table.colHeading[0] : 'User Id';
    const helpers = [
      () => column(table, heading),
      () => toRecords(table),
      () => toRecords(table, { keys: 'camel' }),
      () => tableToCsv(table),
      () => tableToJson(table),
    ];
    const errors: unknown[] = [];
    for (const helper of helpers) {
      try {
        helper();
      } catch (error) {
        errors.push(error);
      }
    }
    // An untyped exception from any helper wins over typed ones.
    if (errors.length > 0) throw errors.find((error) => !isThorsHammerError(error)) ?? errors[0];
  },
  mutant(rng) {
    if (rng.int(3) === 0) return randomValue(rng);
    const table = tableValue(1 + rng.int(5), 1 + rng.int(4)) as unknown as { colHeading: unknown[]; row: unknown[] };
    for (let k = rng.int(3); k >= 0; k--) {
      switch (rng.int(5)) {
        case 0:
          table.row[rng.int(table.row.length)] = randomValue(rng);
          break;
        case 1:
          table.colHeading[rng.int(table.colHeading.length)] = randomValue(rng);
          break;
        case 2: {
          const row = table.row[rng.int(table.row.length)];
          if (typeof row === 'object' && row !== null) (row as { col: unknown }).col = randomValue(rng);
          break;
        }
        case 3:
          table.colHeading.push(rng.pick(['Column 0', 'column 0', 'COLUMN 0', '']));
          break;
        default: {
          const row = table.row[rng.int(table.row.length)] as { col?: unknown[] } | null;
          if (row && Array.isArray(row.col)) row.col[rng.int(row.col.length + 1)] = randomValue(rng);
        }
      }
    }
    return table;
  },
  typical: (n) => tableValue(Math.max(1, Math.floor(n / 40))),
  hostile: {
    'crash 3: rows without col': (n) => ({ ...tableValue(1), row: Array.from({ length: Math.max(1, Math.floor(n / 40)) }, () => ({})) }),
    'crash 3: cells that are not strings': (n) => ({
      colHeading: ['A'],
      row: Array.from({ length: Math.max(1, Math.floor(n / 40)) }, (_, i) => ({ col: [i] })),
    }),
    'crash 1: null rows': (n) => ({ colHeading: ['A'], row: [...Array.from({ length: Math.max(1, Math.floor(n / 40)) }, () => ({ col: ['x'] })), null] }),
    'crash 2: null heading': (n) => ({ colHeading: [null, 'B'], row: Array.from({ length: Math.max(1, Math.floor(n / 40)) }, () => ({ col: ['x', 'y'] })) }),
    'one huge heading': (n) => ({ colHeading: [`${'Word '.repeat(Math.floor(n / 5))}`], row: [{ col: ['x'] }] }),
    'many colliding headings': (n) => ({ colHeading: Array.from({ length: Math.max(2, Math.floor(n / 8)) }, () => 'User Id'), row: [] }),
  },
  size: (input) => {
    const table = input as OciTable;
    try {
      return JSON.stringify(table)?.length ?? 1;
    } catch {
      return 1;
    }
  },
};

// ---------------------------------------------------------------------------------------------
// SOAP unwrap

function soapTarget(): FuzzTarget {
  const inner = doc('<command xmlns="" xsi:type="LogoutRequest"><userId>u&amp;v</userId></command>');
  const seeds = [
    wrapSoapRequest(inner),
    wrapSoapResponse(inner),
    wrapSoapRequest(inner).replace('arg0', 'in0').replace('</arg0', '</in0'),
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>INVALID_REQUEST</faultstring><detail><string>x</string></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>',
  ];
  const open = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>';
  return {
    name: 'soap-unwrap',
    description: 'unwrapSoapRequest and unwrapSoapResponse (the XML scanner of the transport) on envelope bytes',
    run(input) {
      // Both readers see every input; an untyped exception from either surfaces, and a typed
      // error only when neither could read it (an envelope is a request or a response).
      const bytes = input as Buffer;
      const errors: unknown[] = [];
      for (const unwrap of [unwrapSoapRequest, unwrapSoapResponse]) {
        try {
          unwrap(bytes);
        } catch (error) {
          errors.push(error);
        }
      }
      const untyped = errors.find((error) => !isThorsHammerError(error));
      if (untyped !== undefined || errors.length === 2) throw untyped ?? errors[0];
    },
    mutant: (rng) => Buffer.from(mutate(rng, rng.pick(seeds), seeds), rng.int(5) === 0 ? 'latin1' : 'utf8'),
    typical: (n) => Buffer.from(wrapSoapResponse(tableDocument(Math.max(1, Math.floor(n / 110))))),
    hostile: {
      'crash 4: <!x> × N before the envelope': (n) => Buffer.from(`${'<!x>'.repeat(Math.floor(n / 4))}${seeds[1]}`),
      'comments × N': (n) => Buffer.from(`${'<!--c-->'.repeat(Math.floor(n / 8))}${seeds[0]}`),
      'processing instructions × N': (n) => Buffer.from(`${'<?p?>'.repeat(Math.floor(n / 5))}${seeds[0]}`),
      'superlinear 2: nested <a>': (n) => Buffer.from(`${open}${'<a>'.repeat(Math.floor(n / 7))}${'</a>'.repeat(Math.floor(n / 7))}`),
      'nested elements each declaring a prefix': (n) => Buffer.from(`${open}${'<a xmlns:p="u">'.repeat(Math.floor(n / 15))}`),
      'one tag of junk without =': (n) => Buffer.from(`${open}<a ${'b '.repeat(Math.floor(n / 2))}>`),
      'one long name': (n) => Buffer.from(`${open}<${'a'.repeat(n)}>`),
      'many attributes': (n) => Buffer.from(`${open}<a${' b="1"'.repeat(Math.floor(n / 6))}>`),
      'entity references in the return': (n) => Buffer.from(wrapSoapResponse('&'.repeat(Math.floor(n / 5)))),
      'unclosed comment': (n) => Buffer.from(`${open}<!--${'x'.repeat(n)}`),
    },
    size: (input) => (input as Buffer).length,
  };
}

// ---------------------------------------------------------------------------------------------
// vBox decode

function vboxFrames(): Buffer[] {
  const frames: Buffer[] = [];
  for (const [command] of Object.entries(dispatch.v2)) frames.push(encodeFrame(Direction.INCOMING, Number(command), 1, Buffer.from([1, 2, 3, 4, 5, 6])));
  for (const command of Object.keys(requestsByCommand)) frames.push(encodeFrame(Direction.OUTGOING, Number(command), 1, Buffer.from([1, 2, 0, 4])));
  frames.push(Buffer.from('5654553c1a000b8700c903009153e69c718a', 'hex'));
  return frames;
}

const vboxDecodeTarget: FuzzTarget = (() => {
  const seeds = vboxFrames();
  const mutantFrame = (rng: Rng): Buffer => {
    const base = rng.pick(seeds);
    if (rng.int(4) === 0) {
      // A fresh, correctly checksummed frame with a random payload: reaches the field decoders.
      const command = base[4]!;
      return encodeFrame(base[3]!, command, rng.int(256), rng.bytes(rng.int(64)));
    }
    const bytes = Buffer.from(base);
    for (let k = rng.int(3); k >= 0; k--) if (bytes.length > 0) bytes[rng.int(bytes.length)] = rng.int(256);
    return rng.int(5) === 0 ? bytes.subarray(0, rng.int(bytes.length + 1)) : bytes;
  };
  return {
    name: 'vbox-decode',
    description: 'parseFrame (strict and lenient), decodeResponse / decodeRequest (lenient and strict, v1 and v2)',
    run(input) {
      const bytes = input as Buffer;
      let frame;
      try {
        frame = parseFrame(bytes);
      } catch (error) {
        frame = parseFrame(bytes, { lenient: true }); // may throw again: typed
        void error;
      }
      const decode = frame.direction === Direction.OUTGOING ? decodeRequest : decodeResponse;
      decode(frame, { version: 'v1' });
      decode(frame);
      decode(frame, { strict: true });
    },
    mutant: mutantFrame,
    typical: (n) => encodeFrame(Direction.INCOMING, seeds[0]![4]!, 1, Buffer.alloc(Math.min(n, 0xfff0), 0x41)),
    hostile: {
      'bad input 6: odd UTF-16 byte count': () => seeds[seeds.length - 1]!,
      'largest payload of zeros': () => encodeFrame(Direction.INCOMING, 0x1a, 1, Buffer.alloc(0xfff0)),
      'largest payload of 0xFF (counts claim everything)': () => encodeFrame(Direction.INCOMING, 0x1a, 1, Buffer.alloc(0xfff0, 0xff)),
      'length and checksum both wrong': () => Buffer.from('5654553c00000500003f', 'hex'),
    },
    size: (input) => (input as Buffer).length,
  };
})();

// ---------------------------------------------------------------------------------------------
// Framers

function framerChunks(rng: Rng, stream: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const size = rng.int(4) === 0 ? 1 : 1 + rng.int(512);
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

const vboxFramerTarget: FuzzTarget = (() => {
  const seeds = vboxFrames();
  return {
    name: 'vbox-framer',
    description: 'VboxFramer on byte streams (frames, garbage, corrupt lengths and checksums) pushed in random chunks; it must never throw',
    run(input) {
      const chunks = input as Buffer[];
      let frames = 0;
      const framer = new VboxFramer({
        onFrame: (frame) => {
          // Every delivered frame re-parses: the framer never hands out a broken one.
          parseFrame(frame.raw, { direction: Direction.INCOMING });
          frames++;
        },
        partialFrameTimeoutMs: 0,
        onCallbackError: (error) => {
          throw error;
        },
      });
      for (const chunk of chunks) framer.push(chunk);
      framer.close();
      void frames;
    },
    mutant(rng) {
      const parts: Buffer[] = [];
      for (let k = 1 + rng.int(6); k > 0; k--) {
        const frame = Buffer.from(rng.pick(seeds));
        if (rng.int(3) === 0) frame[rng.int(frame.length)] = rng.int(256);
        parts.push(rng.int(4) === 0 ? rng.bytes(rng.int(20)) : frame);
      }
      return framerChunks(rng, Buffer.concat(parts));
    },
    typical: (n) => [new Rng(7).bytes(n)],
    hostile: {
      'superlinear 4: 56 54 55 3E 00 1F F0 repeated': (n) => [repeatTo(Buffer.from('5654553e001ff0', 'hex'), n)],
      'superlinear 4, in 1-KB chunks': (n) => chunked(repeatTo(Buffer.from('5654553e001ff0', 'hex'), n), 1024),
      'prefix-only 56 54 55 repeated': (n) => [repeatTo(Buffer.from('565455', 'hex'), n)],
      'candidates claiming 8 KB, incoming direction': (n) => [repeatTo(Buffer.from('5654553c001ff0', 'hex'), n)],
      'valid frames byte by byte': (n) => chunked(repeatTo(encodeFrame(Direction.INCOMING, 0, 1, Buffer.from([0])), Math.min(n, 65536)), 1),
    },
    size: (input) => (input as Buffer[]).reduce((sum, chunk) => sum + chunk.length, 0),
  };
})();

const ociFramerTarget: FuzzTarget = (() => {
  const seeds = [tableDocument(2), doc('<command xmlns="" xsi:type="LogoutRequest"><userId>u</userId></command>'), `${doc('<!-- </BroadsoftDocument> -->')}`];
  return {
    name: 'oci-framer',
    description: 'OciDocumentSplitter on byte streams pushed in random chunks (1 MiB limits so hostile runs end quickly)',
    run(input) {
      const splitter = new OciDocumentSplitter({ maxDocumentBytes: 4 * 1024 * 1024, maxUnterminatedBytes: 1024 * 1024 });
      for (const chunk of input as Buffer[]) splitter.push(chunk);
    },
    mutant(rng) {
      const stream = Array.from({ length: 1 + rng.int(4) }, () => `${mutate(rng, rng.pick(seeds), seeds)}\n`).join('');
      return framerChunks(rng, Buffer.from(stream));
    },
    typical: (n) => chunked(Buffer.from(`${tableDocument(Math.max(1, Math.floor(n / 80)))}\n`), 65536),
    hostile: {
      'memory 5: unclosed <!--': (n) => chunked(Buffer.from(`<BroadsoftDocument><!--${'x'.repeat(n)}`), 65536),
      'memory 5: unclosed <?': (n) => chunked(Buffer.from(`<BroadsoftDocument><?pi ${'x'.repeat(n)}`), 65536),
      'memory 5: unclosed <![CDATA[': (n) => chunked(Buffer.from(`<BroadsoftDocument><![CDATA[${'x'.repeat(n)}`), 65536),
      'root name repeated (never an end tag)': (n) => chunked(Buffer.from(`<${'BroadsoftDocument '.repeat(Math.floor(n / 18))}`), 65536),
      '</BroadsoftDocument without > repeated': (n) => chunked(Buffer.from('</BroadsoftDocument '.repeat(Math.floor(n / 20))), 4096),
      '<! and <? markers without a construct': (n) => chunked(Buffer.from('<!x<?'.repeat(Math.floor(n / 5))), 65536),
      'documents byte by byte': (n) => chunked(Buffer.from(`${tableDocument(Math.max(1, Math.floor(Math.min(n, 65536) / 80)))}\n`), 1),
    },
    size: (input) => (input as Buffer[]).reduce((sum, chunk) => sum + chunk.length, 0),
  };
})();

function repeatTo(unit: Buffer, n: number): Buffer {
  return Buffer.alloc(Math.max(unit.length, n), unit);
}

function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** Every target, in a stable order. */
export async function fuzzTargets(): Promise<FuzzTarget[]> {
  const schema = await fuzzSchema();
  return [ociDecodeTarget(schema, 'string'), ociDecodeTarget(schema, 'buffer'), tableTarget, soapTarget(), vboxDecodeTarget, vboxFramerTarget, ociFramerTarget];
}
