/**
 * Idempotent ingest (SPEC §4.3). A request carries an `Idempotency-Key` header, or an event its
 * own `external_id`; the first answer given under a key is stored in the same transaction as the
 * rows it created. A repeat with the same request gets that answer again and writes nothing; the
 * same key with a different request is a 409. Keys are kept for {@link IDEMPOTENCY_TTL_MS}.
 *
 * Keys live in one table per tenant, namespaced by where they came from: `header:<key>` for the
 * header, `<kind>:<external_id>` (e.g. `activity:CA12…`) for an event's own id.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ApiError, invalidField } from '../lib/problem.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Set to `true` on an answer that repeats a stored one. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header's value, or undefined when absent; a malformed one is a 400 naming the header. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!VALID_KEY.test(header)) {
    throw invalidField(IDEMPOTENCY_HEADER, 'must be 1–255 visible ASCII characters (no spaces)', 'header');
  }
  return header;
}

/** JSON with object keys sorted at every depth, so equal bodies have equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${members.join(',')}}`;
}

/** SHA-256 of what a request asks for: the route and its canonical body. */
export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonicalJson(body)).digest('base64url');
}

export interface StoredAnswer {
  status: number;
  body: unknown;
}

/** A key and the hash of the request made under it; `field` names the key in a 409 (`Idempotency-Key`, `items.3.external_id`). */
export interface IdempotencyClaim {
  key: string;
  hash: string;
  field: string;
}

export function headerClaim(key: string, route: string, body: unknown): IdempotencyClaim {
  return { key: `header:${key}`, hash: requestHash(route, body), field: IDEMPOTENCY_HEADER };
}

export function externalIdClaim(kind: string, externalId: string, body: unknown, field = 'external_id'): IdempotencyClaim {
  return { key: `${kind}:${externalId}`, hash: requestHash(kind, body), field };
}

/** The 409 for a key that was already used for a different request. */
export function idempotencyConflict(claim: IdempotencyClaim): ApiError {
  return new ApiError(
    409,
    `${claim.field}: this key was already used for a different request; send the same request to get its answer again, or use a new key.`,
    { errors: [{ field: claim.field, in: claim.field === IDEMPOTENCY_HEADER ? 'header' : 'body', message: 'already used for a different request' }] },
  );
}

/** The stored answers. Call {@link find} and {@link save} inside the transaction that does the writes. */
export class IdempotencyStore {
  readonly #find;
  readonly #save;
  readonly #prune;

  constructor(sqlite: Database.Database) {
    this.#find = sqlite.prepare<[number, string], { request_hash: string; status: number; response: string }>(
      'SELECT request_hash, status, response FROM idempotency_keys WHERE tenant_id = ? AND key = ?',
    );
    this.#save = sqlite.prepare<[number, string, string, number, string, number]>(
      'INSERT OR REPLACE INTO idempotency_keys (tenant_id, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#prune = sqlite.prepare<[number]>('DELETE FROM idempotency_keys WHERE created_at < ?');
  }

  /**
   * The answer stored under the claim's key, if any. A key used before for a different request is
   * a 409 (thrown, so the surrounding transaction writes nothing).
   */
  find(tenantId: number, claim: IdempotencyClaim): StoredAnswer | undefined {
    const row = this.#find.get(tenantId, claim.key);
    if (!row) return undefined;
    if (row.request_hash !== claim.hash) throw idempotencyConflict(claim);
    return { status: row.status, body: JSON.parse(row.response) };
  }

  save(tenantId: number, claim: IdempotencyClaim, answer: StoredAnswer, now: number): void {
    this.#save.run(tenantId, claim.key, claim.hash, answer.status, JSON.stringify(answer.body), now);
  }

  /** Forgets keys older than the TTL; answers how many. */
  prune(now: number, ttlMs = IDEMPOTENCY_TTL_MS): number {
    return this.#prune.run(now - ttlMs).changes;
  }
}

/** Forgets idempotency keys older than 24 hours (for the scheduler); answers how many. */
export function pruneIdempotencyKeys(sqlite: Database.Database, now: number, ttlMs = IDEMPOTENCY_TTL_MS): number {
  return new IdempotencyStore(sqlite).prune(now, ttlMs);
}
