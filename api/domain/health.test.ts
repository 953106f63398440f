import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { afterHeartbeat, afterProbe, type ComponentState, type ProbeResult } from './health.js';

const T = 1_000_000;
const ok = (latency_ms = 40): ProbeResult => ({ ok: true, latency_ms, detail: `HTTP 200 in ${latency_ms} ms` });
const fail: ProbeResult = { ok: false, latency_ms: null, detail: 'timed out after 5000 ms' };

/** Runs probes in order, each one minute apart, and answers the statuses. */
function run(probes: ProbeResult[], threshold = 1000) {
  let state: ComponentState | undefined;
  const outcomes: boolean[] = [];
  return probes.map((p, i) => {
    const next = afterProbe(state, p, [...outcomes].reverse(), threshold, T + i * 60_000);
    outcomes.push(next.ok);
    state = next;
    return next;
  });
}

describe('afterProbe', () => {
  test('healthy: active, no failures, the answer as message', () => {
    const [d] = run([ok()]);
    assert.deepEqual(d, { ok: true, status: 'active', consecutive_failures: 0, down_since: null, latency_ms: 40, error_rate: null, message: 'HTTP 200 in 40 ms' });
  });

  test('slow: degraded above the threshold, active at it', () => {
    assert.equal(run([ok(1001)])[0]!.status, 'degraded');
    assert.equal(run([ok(1001)])[0]!.message, 'slow: 1001 ms, above the 1000 ms threshold');
    assert.equal(run([ok(1000)])[0]!.status, 'active');
  });

  test('failing: degraded, degraded, then down from the third failure, down_since kept', () => {
    const states = run([fail, fail, fail, fail, fail]);
    assert.deepEqual(
      states.map((s) => [s.status, s.consecutive_failures, s.down_since]),
      [
        ['degraded', 1, null],
        ['degraded', 2, null],
        ['down', 3, T + 120_000],
        ['down', 4, T + 120_000],
        ['down', 5, T + 120_000],
      ],
    );
    assert.equal(states[2]!.message, 'timed out after 5000 ms (3 failures in a row)');
    assert.equal(states[0]!.message, 'timed out after 5000 ms (1 failure in a row)');
  });

  test('recovering: degraded while any of the last five checks failed, then active', () => {
    const states = run([fail, fail, fail, ok(), ok(), ok(), ok(), ok()]);
    assert.deepEqual(
      states.map((s) => s.status),
      ['degraded', 'degraded', 'down', 'degraded', 'degraded', 'degraded', 'degraded', 'active'],
    );
    assert.equal(states[3]!.message, 'recovering: 3 of the last 4 checks failed');
    assert.equal(states[3]!.down_since, null);
    assert.equal(states[6]!.message, 'recovering: 1 of the last 5 checks failed');
  });

  test('a single blip: degraded, then active once it has left the window', () => {
    assert.deepEqual(
      run([ok(), fail, ok(), ok(), ok(), ok(), ok()]).map((s) => s.status),
      ['active', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'active'],
    );
  });

  test('only the four checks before this one count', () => {
    assert.equal(afterProbe(undefined, ok(), [true, true, true, true, false], 1000, T).status, 'active');
    assert.equal(afterProbe(undefined, ok(), [true, true, true, false], 1000, T).status, 'degraded');
  });
});

describe('afterHeartbeat', () => {
  test('states its own status; down counts failures and starts down_since, anything else clears it', () => {
    const first = afterHeartbeat(undefined, { status: 'down', message: 'no dial tone' }, T);
    assert.deepEqual(first, { ok: false, status: 'down', consecutive_failures: 1, down_since: T, latency_ms: null, error_rate: null, message: 'no dial tone' });
    const second = afterHeartbeat(first, { status: 'down' }, T + 1);
    assert.deepEqual([second.consecutive_failures, second.down_since], [2, T]);
    const unknown = afterHeartbeat(second, { status: 'unknown' }, T + 2);
    assert.deepEqual([unknown.ok, unknown.consecutive_failures, unknown.down_since], [false, 2, null]);
    const back = afterHeartbeat(unknown, { status: 'degraded', latency_ms: 900, error_rate: 0.1 }, T + 3);
    assert.deepEqual([back.ok, back.consecutive_failures, back.latency_ms, back.error_rate], [true, 0, 900, 0.1]);
  });
});
