import { readFileSync } from 'node:fs';
import { isThorsHammerError, ThorsHammerError } from '../../runtime/errors.js';
import * as clientErrors from '../../runtime/vbox/client-errors.js';
import { projectRoot } from '../../runtime/paths.js';

// Every client/mock error class: stable code, name, brand; and the docs catalogue agrees with the code.

const instances: Array<[string, ThorsHammerError]> = [
  ['TH_ERR_VBOX_CONFIG', new clientErrors.VboxConfigError('bad', { option: 'port' })],
  ['TH_ERR_VBOX_NOT_CONNECTED', new clientErrors.VboxNotConnectedError()],
  ['TH_ERR_VBOX_CONNECT', new clientErrors.VboxConnectError('refused')],
  ['TH_ERR_VBOX_CONNECTION_LOST', new clientErrors.VboxConnectionLostError('lost')],
  ['TH_ERR_VBOX_AUTH', new clientErrors.VboxAuthError('refused')],
  ['TH_ERR_VBOX_NACK', new clientErrors.VboxNackError(3, 'IN_USE', { request: 'ToggleKeyStatus' })],
  ['TH_ERR_VBOX_TIMEOUT', new clientErrors.VboxTimeoutError('late')],
  ['TH_ERR_VBOX_RECONNECT_GAVE_UP', new clientErrors.VboxReconnectGaveUpError(5)],
  ['TH_ERR_VBOX_REQUEST', new clientErrors.VboxRequestError('bad')],
  ['TH_ERR_VBOX_MOCK', new clientErrors.VboxMockError('bad')],
  ['TH_ERR_VBOX_ABORTED', new clientErrors.VboxAbortedError('aborted', { request: 'ToggleKeyStatus', sent: false })],
  ['TH_ERR_VBOX_QUEUE_TIMEOUT', new clientErrors.VboxQueueTimeoutError('not sent', { request: 'ToggleKeyStatus', queueTimeout: 4000 })],
];

test.each(instances)('%s: code, class name, brand', (code, error) => {
  expect(error.code).toBe(code);
  expect(error).toBeInstanceOf(ThorsHammerError);
  expect(isThorsHammerError(error)).toBe(true);
  expect(error.name).toMatch(/^Vbox\w+Error$/);
  expect(error.message.length).toBeGreaterThan(2);
});

test('every exported error class is covered above', () => {
  const exported = Object.values(clientErrors).filter((value) => typeof value === 'function');
  expect(exported).toHaveLength(instances.length);
  for (const cls of exported) expect(instances.some(([, e]) => e.constructor === cls)).toBe(true);
});

test('VboxNackError carries the AckType and names the request', () => {
  const error = new clientErrors.VboxNackError(3, 'IN_USE', { request: 'ToggleKeyStatus' });
  expect([error.ackType, error.ackTypeName]).toEqual([3, 'IN_USE']);
  expect(error.message).toBe('the vBox refused ToggleKeyStatus: IN_USE (3)');
  expect(error.context).toMatchObject({ ackType: 3, ackTypeName: 'IN_USE' });
});

test('VboxAbortedError says whether the request was written; VboxQueueTimeoutError never was', () => {
  expect(new clientErrors.VboxAbortedError('x', { sent: true }).sent).toBe(true);
  expect(new clientErrors.VboxAbortedError('x', { sent: false }).context).toEqual({ sent: false });
  expect(new clientErrors.VboxQueueTimeoutError('x', { queueTimeout: 5 }).context).toEqual({ queueTimeout: 5, sent: false });
});

test('docs/vbox-client.md documents exactly the codes the client and mock use', () => {
  const source = readFileSync(`${projectRoot}runtime/vbox/client-errors.ts`, 'utf8');
  const docs = readFileSync(`${projectRoot}docs/vbox-client.md`, 'utf8');
  const declared = new Set([...source.matchAll(/'(TH_ERR_VBOX_[A-Z_]+)'/g)].map((m) => m[1]!));
  const catalogue = docs.slice(docs.indexOf('## Error codes'));
  const documented = new Set([...catalogue.matchAll(/^\| `(TH_ERR_VBOX_[A-Z_]+)`/gm)].map((m) => m[1]!));
  expect([...declared].sort()).toEqual([...documented].sort());
  expect(declared.size).toBe(instances.length);
});
