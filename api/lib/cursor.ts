import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidField } from './problem.js';

/**
 * Opaque keyset cursors: the sort key of the last row handed out, signed so that a client can
 * neither forge a position nor read anything into it. A cursor that fails the check is a 400
 * naming `cursor`, never a query with attacker-chosen values.
 */
export class CursorCodec {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('cursor-v1').digest();
  }

  #sign(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest().subarray(0, 16);
  }

  encode(key: readonly [number, string]): string {
    const body = Buffer.from(JSON.stringify(key)).toString('base64url');
    return `${body}.${this.#sign(body).toString('base64url')}`;
  }

  decode(cursor: string, field = 'cursor'): [number, string] {
    const bad = () => invalidField(field, 'is not a cursor this API issued (use next_cursor exactly as returned)');
    const [body, sig, extra] = cursor.split('.');
    if (!body || !sig || extra !== undefined) throw bad();
    const expected = this.#sign(body);
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(body, 'base64url').toString());
    } catch {
      throw bad();
    }
    if (!Array.isArray(key) || key.length !== 2 || !Number.isSafeInteger(key[0]) || typeof key[1] !== 'string') throw bad();
    return key as [number, string];
  }
}
