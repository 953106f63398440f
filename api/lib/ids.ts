import { randomFillSync } from 'node:crypto';

const pool = new Uint8Array(10 * 256);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562): 48 bits of milliseconds, then random bits. New rows land at the end
 * of the primary-key index instead of on a random page, which keeps ingest writes local.
 */
export function uuidv7(now = Date.now()): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = pool.subarray(offset, (offset += 10));
  const t = now.toString(16).padStart(12, '0');
  return (
    `${t.slice(0, 8)}-${t.slice(8, 12)}-` +
    `7${HEX[r[0]!]!.slice(1)}${HEX[r[1]!]}-` +
    `${HEX[(r[2]! & 0x3f) | 0x80]}${HEX[r[3]!]}-` +
    `${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`
  );
}
