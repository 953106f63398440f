import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { nextAttemptAt, signWebhook, verifyWebhook } from './webhooks.js';

const SECRET = 'whsec_test-secret';
const BODY = '{"id":"d1","type":"fix.approved","data":{"error_id":"e1"}}';

describe('webhook signatures', () => {
  test('v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', SECRET).update(`1700000000.${BODY}`).digest('hex');
    assert.equal(signWebhook(SECRET, 1_700_000_000, BODY), `v1=${expected}`);
  });

  test('verify: the right secret, body and a fresh timestamp only', () => {
    const signature = signWebhook(SECRET, 1_700_000_000, BODY);
    const headers = { timestamp: '1700000000', signature };
    assert.equal(verifyWebhook(SECRET, headers, BODY, 1_700_000_100), true);
    assert.equal(verifyWebhook(SECRET, { ...headers, signature: `v1=00 ${signature}` }, BODY, 1_700_000_100), true);
    assert.equal(verifyWebhook('whsec_other', headers, BODY, 1_700_000_100), false);
    assert.equal(verifyWebhook(SECRET, headers, BODY.replace('e1', 'e2'), 1_700_000_100), false);
    assert.equal(verifyWebhook(SECRET, { ...headers, timestamp: '1700000001' }, BODY, 1_700_000_100), false);
    assert.equal(verifyWebhook(SECRET, headers, BODY, 1_700_000_301), false);
    assert.equal(verifyWebhook(SECRET, { ...headers, timestamp: '1.7e9' }, BODY, 1_700_000_000), false);
  });
});

describe('retry backoff', () => {
  test('1, 4, 16 and 64 minutes after failed attempts 1–4; none after the fifth', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => nextAttemptAt(n, 0)),
      [60_000, 240_000, 960_000, 3_840_000, null],
    );
    assert.equal(nextAttemptAt(2, 1000, 3, 10), 1040);
    assert.equal(nextAttemptAt(3, 1000, 3, 10), null);
  });
});
