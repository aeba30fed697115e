import type { Argv, CommandModule } from 'yargs';
import { requestClasses } from '../../../generated/vbox/index.js';
import { ThorsHammerError } from '../../../runtime/errors.js';
import { createRequest, decodeRequest, decodeResponse, type ProtocolVersion } from '../../../runtime/vbox/codec.js';
import { VboxFrameError } from '../../../runtime/vbox/errors.js';
import { jsonValue } from '../../../runtime/vbox/fields.js';
import { Direction, HEADER_LENGTH, parseFrame, type VboxFrame } from '../../../runtime/vbox/frame.js';
import { usageFailure } from './connection.js';
import { exampleRows } from '../../examples.js';

// `hammer vbox encode` and `hammer vbox decode`: VTU frames from/to the command line.

interface EncodeArgs {
  request: string;
  fields?: string[];
  messageId: number;
  protocol: ProtocolVersion;
}

interface DecodeArgs {
  hex: string[];
  protocol: ProtocolVersion;
  lenient: boolean;
}

/** `nodeId=1 power=OFF` → `{ nodeId: '1', power: 'OFF' }` (the codec converts text to numbers/enums). */
function parseAssignments(pairs: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ThorsHammerError('TH_ERR_CLI_USAGE', `expected field=value, got '${pair}'`);
    fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return fields;
}

/** Hex text → bytes; spaces, colons, commas and 0x prefixes are tolerated. */
export function parseHex(parts: string[]): Buffer {
  const text = parts
    .join(' ')
    .replace(/0x/gi, '')
    .replace(/[\s:,]/g, '');
  if (text.length === 0) throw new ThorsHammerError('TH_ERR_VBOX_HEX', 'no frame given: pass the frame as hex, e.g. 5654553c...');
  if (text.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(text)) {
    throw new ThorsHammerError('TH_ERR_VBOX_HEX', `not an even-length hex string: '${parts.join(' ')}'`);
  }
  return Buffer.from(text, 'hex');
}

/** Splits a frame without checking it (for --lenient): header fields, payload before the last byte. */
function looseFrame(bytes: Buffer): VboxFrame {
  if (bytes.length < HEADER_LENGTH + 1) {
    throw new VboxFrameError('TH_ERR_VBOX_LENGTH', `a frame has at least ${HEADER_LENGTH + 1} bytes, got ${bytes.length}`);
  }
  return { direction: bytes[3]!, command: bytes[4]!, messageId: bytes[7]!, payload: bytes.subarray(HEADER_LENGTH, bytes.length - 1), raw: bytes };
}

const encode: CommandModule<object, EncodeArgs> = {
  command: 'encode <request> [fields..]',
  describe: 'Print the VTU frame of a request as hex (fields as name=value, enum values by name or number)',
  builder: (y: Argv) =>
    usageFailure(y, 'vbox encode')
      .positional('request', { type: 'string', demandOption: true, describe: `request name: ${Object.keys(requestClasses).join(', ')}` })
      .positional('fields', { type: 'string', array: true, describe: 'field=value pairs, e.g. nodeId=1 keyId=2 power=OFF' })
      .option('message-id', { type: 'number', default: 1, describe: 'message id byte (0–255)' })
      .option('protocol', { choices: ['v1', 'v2'] as const, default: 'v2' as const, describe: 'protocol version (layouts)' })
      .example(
        exampleRows([
          ['$0 vbox encode ToggleKeyStatus nodeId=1 keyId=2 power=OFF --message-id 121', '5654553e280008790102460000002f'],
          ['$0 vbox encode Login username=user password=super', 'the Login frame'],
        ]),
      ) as unknown as Argv<EncodeArgs>,
  handler: async (args) => {
    const request = createRequest(args.request, parseAssignments(args.fields ?? []));
    process.stdout.write(`${request.toBuffer(args.messageId, args.protocol).toString('hex')}\n`);
  },
};

const decode: CommandModule<object, DecodeArgs> = {
  command: 'decode <hex..>',
  describe:
    'Decode VTU frames given as hex and print them as JSON (vBox→client as responses, client→vBox as requests; several back-to-back frames give an array)',
  builder: (y: Argv) =>
    usageFailure(y, 'vbox decode')
      .positional('hex', { type: 'string', array: true, demandOption: true, describe: 'the frame(s); spaces and colons are allowed' })
      .option('protocol', { choices: ['v1', 'v2'] as const, default: 'v2' as const, describe: 'protocol version (layouts)' })
      .option('lenient', {
        type: 'boolean',
        default: false,
        describe: 'decode despite a bad checksum, a wrong length field or a payload that does not match its layout',
      })
      .example(
        exampleRows([
          ['$0 vbox decode 56 54 55 3C 00 00 03 00 00 3E', 'an Acknowledgement'],
          ['$0 vbox decode --protocol v1 5654553c1f00...', 'NodeMetaData in the V1 layout'],
        ]),
      ) as unknown as Argv<DecodeArgs>,
  handler: async (args) => {
    const bytes = parseHex(args.hex);
    // Several back-to-back frames (a pasted capture) print as a JSON array, one entry per frame.
    const frames = splitFrames(bytes);
    const decoded = frames.map((one) => decodeOne(one, args));
    process.stdout.write(`${JSON.stringify(decoded.length === 1 ? decoded[0] : decoded, null, 2)}\n`);
  },
};

/**
 * Splits bytes into consecutive frames when their length fields tile the input exactly
 * (at least two frames); otherwise returns the input as one frame, to be checked as such.
 */
export function splitFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let pos = 0;
  while (pos + HEADER_LENGTH <= bytes.length) {
    const total = bytes.readUInt16BE(pos + 5) + 7;
    if (total < HEADER_LENGTH + 1 || pos + total > bytes.length) break;
    frames.push(bytes.subarray(pos, pos + total));
    pos += total;
  }
  return pos === bytes.length && frames.length > 1 ? frames : [bytes];
}

/** One frame as JSON: a response (vBox→client) or a request (client→vBox). */
function decodeOne(bytes: Buffer, args: DecodeArgs): Record<string, unknown> {
  let frame: VboxFrame;
  const frameErrors: string[] = [];
  try {
    frame = parseFrame(bytes, { lenient: args.lenient });
  } catch (error) {
    if (!args.lenient || (error as VboxFrameError).code === 'TH_ERR_VBOX_PREFIX') throw error;
    frameErrors.push(`${(error as VboxFrameError).code}: ${(error as Error).message}`);
    frame = looseFrame(bytes);
  }
  const options = { version: args.protocol, strict: !args.lenient };
  let out: Record<string, unknown>;
  if (frame.direction === Direction.OUTGOING) {
    const decoded = decodeRequest(frame, options);
    const descriptor = requestClasses[decoded.name]!.descriptor;
    const fields: Record<string, unknown> = {};
    for (const f of descriptor.fields) if (f.name in decoded.fields) fields[f.name] = jsonValue(f.type, decoded.fields[f.name]);
    out = { request: decoded.name, command: frame.command, messageId: frame.messageId, ...fields };
    if (decoded.lengthMismatch) Object.assign(out, { lengthMismatch: true, problems: decoded.problems });
  } else {
    out = decodeResponse(frame, options).toJSON();
  }
  if (frame.lengthMismatch) frameErrors.push('TH_ERR_VBOX_LENGTH: the length field disagrees with the frame size (tolerated: the checksum is valid)');
  if (frameErrors.length > 0) out.frameErrors = frameErrors;
  return out;
}

/** The frame codec commands of `hammer vbox`. */
const commands: CommandModule[] = [encode as unknown as CommandModule, decode as unknown as CommandModule];
export default commands;
