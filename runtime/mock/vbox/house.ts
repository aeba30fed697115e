import { readFileSync } from 'node:fs';
import { KeyCategory, KeyPowerStatus, KeyType, LEDBackgroundBrightness, LockStatus, NodeType } from '../../../generated/vbox/index.js';
import { VboxMockError } from '../../vbox/client-errors.js';

/**
 * The mock vBox's simulated house: rooms, nodes (real NodeTypes) and their keys with live
 * state. A house is written as JSON (`VboxHouseDefinition`, enum values by name or number)
 * and loaded into a mutable `MockHouse` that the mock answers from and updates.
 */

/** A house as written in a JSON file. Key ids are their positions (VTU numbers keys from 0). */
export interface VboxHouseDefinition {
  rooms: Array<{ id: number; name: string }>;
  nodes: Array<{
    id: number;
    /** NodeType name (e.g. `VT_MW3_SR3_10A`) or code. */
    type: string | number;
    /** 8 bytes as colon hex, e.g. `00:0D:6F:00:0E:FB:96:21`. Default derived from the id. */
    mac?: string;
    roomId: number;
    /** Firmware `"7.93"` or `[7, 9, 3]`. Default `"7.93"`. */
    version?: string | [number, number, number];
    lockStatus?: string | number;
    ledLevel?: string | number;
    keys: Array<{
      /** KeyType name (e.g. `TOGGLE`, `DIMMER`) or code. */
      type: string | number;
      name?: string;
      /** KeyCategory name or code. Default `UNDEFINED`. */
      category?: string | number;
      /** KeyPowerStatus name or code. Default `OFF`. */
      power?: string | number;
      dimmerRatio?: number;
      timer?: number;
    }>;
  }>;
}

/** Live state of one key. */
export interface MockKey {
  readonly id: number;
  readonly type: number;
  name: string;
  category: number;
  power: number;
  dimmerRatio: number;
  timer: number;
}

/** Live state of one node. */
export interface MockNode {
  readonly id: number;
  readonly type: number;
  readonly mac: Buffer;
  roomId: number;
  version: [number, number, number];
  lockStatus: number;
  ledLevel: number;
  readonly keys: MockKey[];
}

/** The mock's whole model. */
export interface MockHouse {
  readonly rooms: Array<{ readonly id: number; name: string }>;
  readonly nodes: MockNode[];
}

type EnumObject = Readonly<Record<string, number | string>>;

/** A mid-sized house: Hebrew and English room names, real node models, one key of every KeyType. */
export const DEFAULT_HOUSE: VboxHouseDefinition = {
  rooms: [
    { id: 0, name: 'סלון' },
    { id: 1, name: 'מטבח' },
    { id: 2, name: 'Master bedroom' },
    { id: 3, name: 'חדר ילדים' },
    { id: 4, name: 'Garden' },
  ],
  nodes: [
    {
      id: 1,
      type: 'VT_MW3_SR3_10A',
      mac: '00:0D:6F:00:0E:FB:96:21',
      roomId: 0,
      version: '7.93',
      ledLevel: 'NORMAL',
      keys: [
        { type: 'TOGGLE', name: 'Ceiling', category: 'LIGHT' },
        { type: 'TOGGLE', name: 'תאורה נסתרת', category: 'LIGHT', power: 'ON' },
        { type: 'TOGGLE', name: 'Fan', category: 'FAN' },
      ],
    },
    {
      id: 2,
      type: 'VT_MW4_UD4_6A',
      roomId: 0,
      keys: [
        { type: 'BLIND', name: 'Shutter east' },
        { type: 'BLIND', name: 'Shutter west' },
        { type: 'PUSH_BUTTON', name: 'Doorbell' },
        { type: 'NOT_ACTIVE' },
      ],
    },
    {
      id: 3,
      type: 'VT_MW3_DM3_400W',
      roomId: 1,
      keys: [
        { type: 'DIMMER', name: 'Island', category: 'LIGHT', power: 'ON', dimmerRatio: 60 },
        { type: 'DIMMER_MW', name: 'Counter', category: 'LIGHT' },
        { type: 'SATELLITE', name: 'Satellite' },
      ],
    },
    {
      id: 4,
      type: 'VT_MW3_DP1_16A',
      roomId: 1,
      version: [8, 1, 2],
      keys: [{ type: 'BOILER', name: 'דוד שמש', category: 'BOILER' }],
    },
    {
      id: 5,
      type: 'VT_MW4_SR4_ST4_10A',
      roomId: 2,
      lockStatus: 'LOCKED',
      ledLevel: 'LOW',
      keys: [
        { type: 'TOGGLE_SCENE', name: 'Good night', category: 'SCENARIO' },
        { type: 'DUAL_POLE', name: 'AC' },
        { type: 'BLIND_MW', name: 'Curtain' },
        { type: 'NOT_EXIST' },
      ],
    },
    {
      id: 6,
      type: 'VT_MW3_TMST_H_01',
      roomId: 3,
      keys: [{ type: 'THERMOSTAT', name: 'מזגן', category: 'UNDEFINED' }],
    },
    {
      id: 7,
      type: 'VT_MWR_RPT_A_2',
      roomId: 4,
      keys: [{ type: 'REPEATER' }],
    },
    {
      id: 8,
      type: 'VT_MW3_SR1_10A',
      roomId: 4,
      keys: [{ type: 'TOGGLE', name: 'Garden lights', category: 'LIGHT' }],
    },
  ],
};

/** Reads and validates a house JSON file. */
export function loadHouseFile(path: string): MockHouse {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VboxMockError(`cannot read house file ${path}: ${(error as Error).message}`, { cause: error, context: { path } });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new VboxMockError(`house file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error, context: { path } });
  }
  return buildHouse(json, path);
}

/**
 * Validates a house definition and builds its live model (a fresh copy: the definition is
 * never mutated). Errors name the JSON path, e.g. `nodes[2].keys[0].type`.
 */
export function buildHouse(definition: unknown, origin = 'house'): MockHouse {
  const fail = (path: string, problem: string): never => {
    throw new VboxMockError(`${origin}: ${path} ${problem}`, { context: { origin, path } });
  };
  const u8 = (value: unknown, path: string, max = 255): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) fail(path, `must be a whole number 0–${max}`);
    return value as number;
  };
  const enumValue = (enumObject: EnumObject, value: unknown, path: string, fallback?: number): number => {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'number') return u8(value, path);
    if (typeof value === 'string' && typeof enumObject[value] === 'number') return enumObject[value] as number;
    return fail(
      path,
      `must be one of ${Object.keys(enumObject)
        .filter((k) => Number.isNaN(Number(k)))
        .slice(0, 12)
        .join(', ')}… or a number; got ${JSON.stringify(value)}`,
    );
  };
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

  if (!isObject(definition)) return fail('(root)', 'must be an object with rooms and nodes');
  if (!Array.isArray(definition.rooms)) fail('rooms', 'must be an array');
  if (!Array.isArray(definition.nodes)) fail('nodes', 'must be an array');
  const rooms = (definition.rooms as unknown[]).map((room, i) => {
    if (!isObject(room)) return fail(`rooms[${i}]`, 'must be an object');
    if (typeof room.name !== 'string') fail(`rooms[${i}].name`, 'must be a string');
    if (Buffer.byteLength(room.name as string, 'utf16le') > 255) fail(`rooms[${i}].name`, 'is too long (at most 127 UTF-16 units)');
    return { id: u8(room.id, `rooms[${i}].id`), name: room.name as string };
  });
  const nodes = (definition.nodes as unknown[]).map((node, i): MockNode => {
    const at = `nodes[${i}]`;
    if (!isObject(node)) return fail(at, 'must be an object');
    const id = u8(node.id, `${at}.id`);
    if (!Array.isArray(node.keys)) fail(`${at}.keys`, 'must be an array');
    const keys = (node.keys as unknown[]).map((key, k): MockKey => {
      const kat = `${at}.keys[${k}]`;
      if (!isObject(key)) return fail(kat, 'must be an object');
      if (key.name !== undefined && typeof key.name !== 'string') fail(`${kat}.name`, 'must be a string');
      const timer = key.timer === undefined ? 0 : u8(key.timer, `${kat}.timer`, 0xffff);
      return {
        id: k,
        type: enumValue(KeyType, key.type, `${kat}.type`),
        name: (key.name as string | undefined) ?? `Key ${k}`,
        category: enumValue(KeyCategory, key.category, `${kat}.category`, KeyCategory.UNDEFINED),
        power: enumValue(KeyPowerStatus, key.power, `${kat}.power`, KeyPowerStatus.OFF),
        dimmerRatio: key.dimmerRatio === undefined ? 0 : u8(key.dimmerRatio, `${kat}.dimmerRatio`, 100),
        timer,
      };
    });
    if (keys.length > 255) fail(`${at}.keys`, 'has more than 255 keys');
    return {
      id,
      type: enumValue(NodeType, node.type, `${at}.type`),
      mac: node.mac === undefined ? defaultMac(id) : parseMac(node.mac, `${at}.mac`, fail),
      roomId: u8(node.roomId, `${at}.roomId`),
      version: parseVersion(node.version, `${at}.version`, fail),
      lockStatus: enumValue(LockStatus, node.lockStatus, `${at}.lockStatus`, LockStatus.UNLOCKED),
      ledLevel: enumValue(LEDBackgroundBrightness, node.ledLevel, `${at}.ledLevel`, LEDBackgroundBrightness.NORMAL),
      keys,
    };
  });
  assertUnique(
    rooms.map((r) => r.id),
    'rooms',
    fail,
  );
  assertUnique(
    nodes.map((n) => n.id),
    'nodes',
    fail,
  );
  return { rooms, nodes };
}

function assertUnique(ids: number[], what: string, fail: (path: string, problem: string) => never): void {
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) fail(what, `has the id ${id} twice`);
    seen.add(id);
  }
}

function defaultMac(id: number): Buffer {
  return Buffer.from([0x00, 0x0d, 0x6f, 0x00, 0x0e, 0xfb, 0x90, id]);
}

function parseMac(value: unknown, path: string, fail: (path: string, problem: string) => never): Buffer {
  const hex = typeof value === 'string' ? value.replace(/[:\s-]/g, '') : '';
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) fail(path, 'must be 8 bytes of hex, e.g. 00:0D:6F:00:0E:FB:96:21');
  return Buffer.from(hex, 'hex');
}

function parseVersion(value: unknown, path: string, fail: (path: string, problem: string) => never): [number, number, number] {
  if (value === undefined) return [7, 9, 3];
  if (Array.isArray(value) && value.length === 3 && value.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    return [value[0], value[1], value[2]];
  }
  // "{a}.{b}{c}" as the decoder prints it: "7.93" → 7, 9, 3.
  const match = typeof value === 'string' ? /^(\d{1,3})\.(\d)(\d{1,3})$/.exec(value) : null;
  if (match === null) return fail(path, 'must be "a.bc" (e.g. "7.93") or [a, b, c]');
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Finds a node and key in the model (undefined when either does not exist). */
export function findKey(house: MockHouse, nodeId: number, keyId: number): { node: MockNode; key: MockKey } | undefined {
  const node = house.nodes.find((n) => n.id === nodeId);
  const key = node?.keys.find((k) => k.id === keyId);
  return node && key ? { node, key } : undefined;
}
