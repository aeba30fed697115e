import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHex, splitFrames } from '../../cli/commands/vbox/codec.js';
import { projectRoot } from '../../runtime/paths.js';
import { hex, WORKED_EXAMPLES } from './examples.js';

// `hammer vbox encode|decode` and `hammer generate vbox`, run as real processes.

function hammer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hammer.mjs', ...args], { cwd: projectRoot, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vbox-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('CLI helpers (in process)', () => {
  test('parseHex tolerates spaces, colons, commas and 0x; rejects odd or non-hex text', () => {
    expect(parseHex(['56 54:55,0x3c']).toString('hex')).toBe('5654553c');
    expect(parseHex(['56', '54']).toString('hex')).toBe('5654');
    for (const bad of [['565'], ['xyz'], ['']]) {
      expect(() => parseHex(bad)).toThrow(expect.objectContaining({ code: 'TH_ERR_VBOX_HEX' }));
    }
  });

  test('splitFrames: back-to-back frames split by their lengths; anything else stays one frame', () => {
    const e6 = hex(WORKED_EXAMPLES.E6);
    const e7 = hex(WORKED_EXAMPLES.E7);
    expect(splitFrames(Buffer.concat([e6, e7, e6])).map((f) => f.toString('hex'))).toEqual([e6, e7, e6].map((f) => f.toString('hex')));
    expect(splitFrames(e7)).toEqual([e7]);
    const ragged = Buffer.concat([e6, e7.subarray(0, 5)]);
    expect(splitFrames(ragged)).toEqual([ragged]);
  });
});

describe('hammer vbox encode / decode', () => {
  test('encode prints the frame as lowercase hex; bad input exits 1 with one line', async () => {
    // Each process costs about a second of CPU, so a few cases cover the paths; the codec itself is tested in-process.
    const [e4, timer, badEnum, badPair] = await Promise.all([
      hammer(['vbox', 'encode', 'ToggleKeyStatus', 'nodeId=1', 'keyId=2', 'power=OFF', '--message-id', '121']),
      hammer(['vbox', 'encode', 'ToggleKeyStatus', 'nodeId=1', 'keyId=2', 'power=70', 'timer=6890', '--message-id', '0x79']),
      hammer(['vbox', 'encode', 'ToggleKeyStatus', 'nodeId=1', 'keyId=2', 'power=DIM']),
      hammer(['vbox', 'encode', 'RoomMetaData', 'roomId']),
    ]);
    expect(e4).toEqual({ code: 0, stdout: `${hex(WORKED_EXAMPLES.E4).toString('hex')}\n`, stderr: '' });
    expect(timer.stdout).toBe('5654553e28000879010246001aea33\n');
    for (const [result, code] of [
      [badEnum, 'TH_ERR_VBOX_FIELD'],
      [badPair, 'TH_ERR_CLI_USAGE'],
    ] as const) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(`^hammer: ${code}: `));
    }
  });

  test('decode prints JSON; a bad checksum or length is an error unless --lenient', async () => {
    const badSum = '56:54:55:3C:00:00:03:00:00:3F';
    const [e8, request, checksum, lenient, two] = await Promise.all([
      hammer(['vbox', 'decode', ...WORKED_EXAMPLES.E8.split(' ')]),
      hammer(['vbox', 'decode', '5654553e280008790102460000002f']),
      hammer(['vbox', 'decode', badSum]),
      hammer(['vbox', 'decode', '--lenient', badSum]),
      hammer(['vbox', 'decode', WORKED_EXAMPLES.E6, WORKED_EXAMPLES.E7]),
    ]);
    expect(JSON.parse(two.stdout).map((r: { response: string }) => r.response)).toEqual(['Acknowledgement', 'RoomCount']);
    expect(e8.code).toBe(0);
    const node = JSON.parse(e8.stdout);
    expect(node).toMatchObject({
      response: 'NodeMetaDataV2',
      messageId: 0x34,
      macAddress: '00:0D:6F:00:0E:FB:96:21',
      model: 'VT-MW3-SR3-10A',
      version: '7.93',
    });
    expect(JSON.parse(request.stdout)).toEqual({
      request: 'ToggleKeyStatus',
      command: 0x28,
      messageId: 0x79,
      nodeId: 1,
      keyId: 2,
      power: 'OFF',
      dimmerRatio: 0,
      timer: 0,
    });
    expect([checksum.code, checksum.stderr]).toEqual([1, 'hammer: TH_ERR_VBOX_CHECKSUM: checksum byte is 3f, expected 3e\n']);
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({
      response: 'Acknowledgement',
      isOK: true,
      frameErrors: ['TH_ERR_VBOX_CHECKSUM: checksum byte is 3f, expected 3e'],
    });
  });

  test('generate vbox --spec: a spec mistake exits 1 with its location', async () => {
    const spec = readFileSync(join(projectRoot, 'schemas/vbox/vtu.yaml'), 'utf8');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, spec.replace('{ name: keyId, type: u8, doc: Keys are numbered from 0. }', '{ name: keyId, type: u9 }'));
    const broken = await hammer(['generate', 'vbox', '--spec', bad, '--out', join(dir, 'never')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^hammer: TH_ERR_VBOX_SPEC: invalid vBox spec: .*bad\.yaml:\d+:\d+: \/commands\/ToggleKeyStatus\/request\/fields\/1\/type: must be one of/,
    );
  });
});
