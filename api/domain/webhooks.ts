/**
 * Webhook signatures and retry timing.
 *
 * A delivery is a POST of the event as JSON with three headers:
 * - `Webhook-Id`: the delivery's id, the same on every attempt (receivers deduplicate on it);
 * - `Webhook-Timestamp`: the attempt's time in whole seconds since the epoch;
 * - `Webhook-Signature`: `v1=` and the hex HMAC-SHA256, keyed with the webhook's secret (the
 *   whole `whsec_…` string as UTF-8), of `<timestamp>.<body>` — the exact bytes of the body.
 * A receiver recomputes the HMAC, compares in constant time, and refuses timestamps more than a
 * few minutes old (so a captured request cannot be replayed later).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: true when one of the (space-separated) signatures matches and the
 * timestamp is within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string; signature: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!/^\d+$/.test(headers.timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  return headers.signature.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Attempts of one delivery before it is given up as `failed`. */
export const MAX_ATTEMPTS = 5;
/** The wait after the first failed attempt; each later one waits four times longer (1 min, 4 min, 16 min, 64 min). */
export const FIRST_RETRY_MS = 60_000;

/** When the attempt after failed attempt number `attempt` (1-based) is due, or null when none is left. */
export function nextAttemptAt(attempt: number, now: number, maxAttempts = MAX_ATTEMPTS, firstRetryMs = FIRST_RETRY_MS): number | null {
  if (attempt >= maxAttempts) return null;
  return now + firstRetryMs * 4 ** (attempt - 1);
}
