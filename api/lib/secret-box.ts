/**
 * Secrets the server must read back — webhook signing secrets, which sign every delivery and so
 * cannot be hashed — are stored sealed with AES-256-GCM, so a copy of the database (a backup, a
 * stolen file) does not hold them in clear.
 *
 * A sealed value is `v1:<iv>:<tag>:<ciphertext>`, each part base64url (a fresh 12-byte IV per
 * seal, the 16-byte GCM tag). The associated data names the row the value belongs to (for a
 * webhook, `webhooks.secret:<tenant>:<id>`): a sealed value copied into another row does not open.
 *
 * The key is `DATA_KEY` (32 bytes, hex or base64) or, when that is unset, derived with
 * HKDF-SHA256 from `EMBED_SECRET` with a fixed info string. With `DATA_KEY` set, values sealed
 * under the derived key still open (they are reported stale, so the caller can reseal them).
 * A value without the `v1:` prefix was written before sealing existed: it is read as it is, and
 * reported stale too.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const SEALED_PREFIX = 'v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The HKDF info of the key derived from EMBED_SECRET; changing it would make every sealed value unreadable. */
const DERIVED_KEY_INFO = 'ai-receptionist data key v1';

/** A sealed value that does not open: damaged, sealed for another row, or under another key. */
export class SecretBoxError extends Error {}

/** The data key derived from the embed secret (when DATA_KEY is not set). */
export function deriveDataKey(embedSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', embedSecret, Buffer.alloc(0), DERIVED_KEY_INFO, KEY_BYTES));
}

/** A DATA_KEY value as 32 bytes: 64 hex digits, or base64 / base64url of 32 bytes; null otherwise. */
export function parseDataKey(value: string): Buffer | null {
  const s = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const key = Buffer.from(s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url');
    if (key.length === KEY_BYTES) return key;
  }
  return null;
}

export class SecretBox {
  readonly #key: Buffer;
  readonly #previous: readonly Buffer[];

  /** `previous` keys only open values (reported stale); new values are sealed with `key`. */
  constructor(key: Buffer, previous: readonly Buffer[] = []) {
    if (key.length !== KEY_BYTES || previous.some((k) => k.length !== KEY_BYTES)) throw new RangeError(`a data key is ${KEY_BYTES} bytes`);
    this.#key = key;
    this.#previous = previous;
  }

  /** The configured box: DATA_KEY when given (the derived key still opens older values), else the key derived from the embed secret. */
  static fromConfig(config: { embedSecret: string; dataKey?: Buffer | undefined }): SecretBox {
    const derived = deriveDataKey(config.embedSecret);
    return config.dataKey ? new SecretBox(config.dataKey, [derived]) : new SecretBox(derived);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ciphertext.toString('base64url')}`;
  }

  /**
   * The plain value of a stored one. `stale` is true for a value stored in clear (written before
   * sealing) or sealed under a previous key: the caller should store `seal(value)` instead.
   * Throws {@link SecretBoxError} when a sealed value does not open.
   */
  open(stored: string, context: string): { value: string; stale: boolean } {
    if (!stored.startsWith(SEALED_PREFIX)) return { value: stored, stale: true };
    const parts = stored.slice(SEALED_PREFIX.length).split(':');
    const [iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, 'base64url'));
    if (parts.length !== 3 || iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES) throw new SecretBoxError('the sealed value is malformed');
    for (const [i, key] of [this.#key, ...this.#previous].entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(tag!);
        const value = Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
        return { value, stale: i > 0 };
      } catch {
        // Not this key (or not this row, or damaged): try the next one.
      }
    }
    throw new SecretBoxError('the sealed value does not open: it was damaged, moved from another row, or sealed under another key (DATA_KEY or EMBED_SECRET changed?)');
  }
}
