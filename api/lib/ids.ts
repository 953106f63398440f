import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(10 * 256);
let offset = pool.length;
/** The time part of the last id (`tttttttt-tttt-`) and its millisecond: ids of one request share it. */
let lastMs = -1;
let timePart = '';

/**
 * A UUID version 7 (RFC 9562): 48 bits of milliseconds, then random bits. New rows land at the end
 * of the primary-key index instead of on a random page, which keeps ingest writes local.
 */
export function uuidv7(now = Date.now()): string {
  if (now !== lastMs) {
    const t = now.toString(16).padStart(12, '0');
    timePart = `${t.slice(0, 8)}-${t.slice(8, 12)}-`;
    lastMs = now;
  }
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += 10;
  pool[at + 2] = (pool[at + 2]! & 0x3f) | 0x80; // the variant bits (10)
  const r = pool.toString('hex', at, at + 10);
  // The version nibble (7) takes the place of the first random one.
  return `${timePart}7${r.slice(1, 4)}-${r.slice(4, 8)}-${r.slice(8)}`;
}
