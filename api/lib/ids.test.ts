import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuidv7 } from './ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuidv7: RFC 9562 version 7 layout, the millisecond in the first 48 bits, ordered by time, unique within one millisecond', () => {
  const ms = Date.UTC(2026, 10, 21, 10, 30);
  const ids = new Set<string>();
  for (let i = 0; i < 50_000; i++) {
    const id = uuidv7(ms);
    assert.match(id, UUID_V7);
    ids.add(id);
  }
  assert.equal(ids.size, 50_000, 'no repeats within a millisecond');
  const id = uuidv7(ms);
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), ms);
  const later = [uuidv7(ms + 1), uuidv7(ms + 1000), uuidv7(ms + 86_400_000)];
  for (const next of later) assert.ok(next > id, `${next} sorts after ${id}`);
  // Random bits vary in every random position (a stuck position would show as one value).
  const sample = [...ids].slice(0, 2000);
  for (const position of [15, 16, 17, 20, 21, 22, 24, 30, 35]) assert.ok(new Set(sample.map((s) => s[position])).size > 8, `position ${position} varies`);
});
