/**
 * Ingest rate limiting (SPEC §3): a token bucket per credential. The bucket is keyed by the
 * authenticated principal (tenant and subject), never by anything the client could vary, such as
 * a header or its address.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/problem.js';
import type { AppEnv } from '../lib/router.js';

export interface RateLimitOptions {
  /** Tokens added per second: the sustained rate. */
  ratePerSecond?: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst?: number;
  clock?: () => number;
}

export const DEFAULT_RATE_PER_SECOND = 1000;
export const DEFAULT_BURST = 2000;
/** Buckets beyond this many are swept of full (idle) ones, so memory stays bounded by active credentials. */
const SWEEP_AT = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #clock: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions = {}) {
    this.ratePerSecond = options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
    this.burst = options.burst ?? DEFAULT_BURST;
    this.#clock = options.clock ?? Date.now;
    if (!(this.ratePerSecond > 0) || !(this.burst >= 1)) throw new RangeError('rate must be positive and burst at least 1');
  }

  /** Takes one token for `key`: 0 when allowed, else the whole seconds to wait before one is available. */
  take(key: string): number {
    const now = this.#clock();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep(now);
      bucket = { tokens: this.burst, at: now };
      this.#buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
  }

  #sweep(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.ratePerSecond >= this.burst) this.#buckets.delete(key);
    }
  }
}

/** Answers 429 with `Retry-After` once the caller's credential has used up its bucket. Runs after authentication. */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    const wait = limiter.take(`${auth.tenant.id}:${auth.subject}`);
    if (wait > 0) {
      throw new ApiError(429, `This credential may send ${limiter.ratePerSecond} requests per second (bursts of ${limiter.burst}); retry in ${wait} s.`, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    await next();
  };
}
