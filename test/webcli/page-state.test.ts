// The page's state logic, without a browser: how websocket events and reloads update a thread,
// the resume cursor, the input box's hints and the "copy as CLI" quoting (web/page/src).
import type { HandlerInfo, ThreadJson } from '../../web/page/src/api.js';
import { hintsFor, shellQuote } from '../../web/page/src/commands.js';
import { applyMessage, cursorOf, mergeThread } from '../../web/page/src/thread-state.js';
import type { ChunkJson } from '../../web/server/store.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const chunk = (id: number, actionId: number, seq: number, text: string, replaceKey: string | null = null, updated = 0): ChunkJson => ({
  id,
  actionId,
  seq,
  mime: 'text/plain',
  text,
  artifact: null,
  replaceKey,
  createdAt: at(0),
  updatedAt: at(updated),
});

function thread(): ThreadJson {
  const action = (id: number, order: number, status: 'running' | 'succeeded', chunks: ChunkJson[]) => ({
    id: 100 + id,
    threadId: 1,
    actionId: id,
    displayOrder: order,
    showQuestion: false,
    showAnswer: true,
    action: {
      id,
      handlerName: 'notes',
      title: `a${id}`,
      rawText: `%md%\n${id}`,
      request: null,
      mutating: false,
      status,
      isCompleted: status !== 'running',
      errorSummary: null,
      createdAt: at(0),
      startedAt: at(0),
      finishedAt: null,
      chunks,
    },
  });
  return {
    id: 1,
    title: 'T',
    description: '',
    createdAt: at(0),
    updatedAt: at(0),
    actions: [action(2, 2, 'running', [chunk(7, 2, 1, 'x', 'table:watch')]), action(1, 1, 'succeeded', [chunk(5, 1, 1, 'a'), chunk(6, 1, 2, 'b')])],
  };
}

test('a loaded thread is put in display order, and its cursor is the highest chunk id', () => {
  const t = mergeThread(null, thread());
  expect(t.actions.map((a) => a.actionId)).toEqual([1, 2]);
  expect(cursorOf(t)).toBe(7);
});

test('chunks are appended in seq order; a keyed chunk replaces the one with its key', () => {
  let t = mergeThread(null, thread());
  t = applyMessage(t, { type: 'chunk', chunk: chunk(9, 1, 4, 'd') }) as ThreadJson;
  t = applyMessage(t, { type: 'chunk', chunk: chunk(8, 1, 3, 'c') }) as ThreadJson;
  expect(t.actions[0]!.action.chunks.map((c) => c.text)).toEqual(['a', 'b', 'c', 'd']);
  // A repeated event (replayed after a resume) changes nothing.
  t = applyMessage(t, { type: 'chunk', chunk: chunk(9, 1, 4, 'd') }) as ThreadJson;
  expect(t.actions[0]!.action.chunks).toHaveLength(4);
  t = applyMessage(t, { type: 'chunk-replaced', chunk: chunk(7, 2, 1, 'y', 'table:watch', 5) }) as ThreadJson;
  expect(t.actions[1]!.action.chunks.map((c) => c.text)).toEqual(['y']);
  expect(cursorOf(t)).toBe(9);
});

test('statuses never go backwards; an event for an unknown action or a reorder asks for a reload', () => {
  let t = mergeThread(null, thread());
  t = applyMessage(t, { type: 'action-status', actionId: 2, status: 'succeeded', finishedAt: at(9) }) as ThreadJson;
  expect(t.actions[1]!.action).toMatchObject({ status: 'succeeded', isCompleted: true, finishedAt: at(9) });
  t = applyMessage(t, { type: 'action-status', actionId: 2, status: 'running' }) as ThreadJson;
  expect(t.actions[1]!.action.status).toBe('succeeded');
  expect(applyMessage(t, { type: 'chunk', chunk: chunk(20, 99, 1, 'z') })).toBe('reload');
  expect(applyMessage(t, { type: 'thread-reload' })).toBe('reload');
  // action-created adds once.
  const created = { ...t.actions[0]!, id: 300, actionId: 3, displayOrder: 3 };
  const once = applyMessage(t, { type: 'action-created', threadAction: created }) as ThreadJson;
  expect(applyMessage(once, { type: 'action-created', threadAction: created })).toBe(once);
  expect(once.actions.map((a) => a.actionId)).toEqual([1, 2, 3]);
});

test('a reload keeps live chunks and statuses newer than the loaded copy', () => {
  const held = applyMessage(mergeThread(null, thread()), { type: 'chunk-replaced', chunk: chunk(7, 2, 1, 'newer', 'table:watch', 9) }) as ThreadJson;
  const heldDone = applyMessage(held, { type: 'action-status', actionId: 2, status: 'succeeded' }) as ThreadJson;
  const merged = mergeThread(heldDone, thread());
  const watch = merged.actions.find((a) => a.actionId === 2)!.action;
  expect(watch.chunks.map((c) => c.text)).toEqual(['newer']);
  expect(watch.status).toBe('succeeded');
});

test('hints: verbs while the verb is typed, then the handler’s usage lines', () => {
  const handlers: HandlerInfo[] = [
    {
      name: 'vbox',
      verbs: ['vbox'],
      synopsis: '%vbox% key|watch …',
      help: '- `%vbox% key <node>/<key> on|off`\n- `%vbox% watch [--for 60s]`',
      available: true,
      configSchema: null,
      secretKeys: [],
      mayMutate: true,
    },
    {
      name: 'notes',
      verbs: ['markdown', 'md', 'html'],
      synopsis: 'a note',
      help: '',
      configSchema: null,
      secretKeys: [],
      available: false,
      reason: 'broken',
      mayMutate: false,
    },
  ];
  expect(hintsFor('', handlers).map((h) => [h.label, h.text])).toEqual([
    ['%vbox%', ''],
    ['%markdown%', ''],
    ['%md%', ''],
    ['%html%', ''],
  ]);
  expect(hintsFor('%m', handlers).map((h) => [h.label, h.text, h.available])).toEqual([
    ['%markdown%', 'a note', false],
    ['%md%', 'a note', false],
  ]);
  expect(hintsFor('%vbox% ke', handlers).map((h) => h.text)).toEqual(['key <node>/<key> on|off', 'watch [--for 60s]']);
  expect(hintsFor('%nope% x', handlers)[0]).toMatchObject({ text: 'unknown verb: see %help%', available: false });
  expect(hintsFor('hello', handlers)[0]!.text).toMatch(/percent signs/);
});

test('copy as CLI quotes the command for a POSIX shell', () => {
  expect(shellQuote('ops@example.com')).toBe('ops@example.com');
  expect(shellQuote("%md%\nit's here")).toBe(`'%md%\nit'\\''s here'`);
});
