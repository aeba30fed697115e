// The mock's kept read answers: keyed by request (echo aside), dropped when the state generation
// moves, and bounded in bytes (answers and keys) so that no client can make the mock hold more.
import { ReadAnswers } from '../../runtime/mock/oci/read-answers.js';
import type { OciCommand } from '../../runtime/oci/codec.js';

const answer = (n: number): OciCommand => ({ $type: 'UserGetResponse23V2', lastName: `L${n}` });

test('the key is the request without its echo; another member or type is another key', () => {
  const plain = ReadAnswers.key({ $type: 'UserGetRequest23V2', userId: 'a@x' });
  expect(ReadAnswers.key({ $type: 'UserGetRequest23V2', userId: 'a@x', echo: 'e1' })).toBe(plain);
  expect(ReadAnswers.key({ $type: 'UserGetRequest23V2', userId: 'b@x' })).not.toBe(plain);
  expect(ReadAnswers.key({ $type: 'UserGetRequest22', userId: 'a@x' })).not.toBe(plain);
  expect(ReadAnswers.key({ $type: 'UserGetRequest23V2', userId: 'a@x', extra: null })).not.toBe(plain);
});

test('answers are given back in the generation they were kept in, and dropped when it moves', () => {
  const kept = new ReadAnswers();
  expect(kept.get('k', 5)).toBeUndefined();
  kept.set('k', 5, answer(1), 100);
  expect(kept.get('k', 5)).toEqual(answer(1));
  // Kept in an older generation (the state changed while the answer was built): not kept.
  kept.set('old', 4, answer(2), 100);
  expect(kept.get('old', 5)).toBeUndefined();
  expect(kept.get('k', 6)).toBeUndefined();
  expect(kept.size).toBe(0);
  expect(kept.get('k', 5)).toBeUndefined();
});

test('bounded: an answer or key over 1 MiB is not kept, and beyond 32 MiB the oldest go first', () => {
  const kept = new ReadAnswers();
  kept.get('', 1);
  kept.set('huge answer', 1, answer(0), 1024 * 1024 + 1);
  kept.set('x'.repeat(1024 * 1024), 1, answer(0), 10);
  expect(kept.size).toBe(0);
  const mib = 1024 * 1024 - 16;
  for (let i = 0; i < 40; i++) kept.set(`key-${String(i).padStart(4, '0')}`, 1, answer(i), mib);
  expect(kept.size).toBe(32);
  expect(kept.get('key-0000', 1)).toBeUndefined();
  expect(kept.get('key-0007', 1)).toBeUndefined();
  expect(kept.get('key-0008', 1)).toEqual(answer(8));
  expect(kept.get('key-0039', 1)).toEqual(answer(39));
  // The same key again replaces its answer, without counting twice.
  kept.set('key-0039', 1, answer(99), mib);
  expect(kept.size).toBe(32);
  expect(kept.get('key-0039', 1)).toEqual(answer(99));
});
