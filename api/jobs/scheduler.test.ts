import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from '../lib/logger.js';
import { Scheduler, type Timers } from './scheduler.js';

/** Manual timers over a manual clock: `advance` fires what falls due, in order, letting runs settle. */
class FakeTimers implements Timers {
  now = 0;
  unrefs = 0;
  #seq = 0;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number) {
    const id = ++this.#seq;
    this.#pending.set(id, { at: this.now + ms, fn });
    return { id, unref: () => void this.unrefs++ };
  }

  clearTimeout(handle: unknown) {
    this.#pending.delete((handle as { id: number }).id);
  }

  get pending(): number[] {
    return [...this.#pending.values()].map((t) => t.at).sort((a, b) => a - b);
  }

  async advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      await settle();
      const next = [...this.#pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.#pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = until;
    await settle();
  }
}

/** Lets every pending promise callback run (job bodies here only await other promises). */
async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function recordingLog() {
  const errors: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = { debug() {}, info() {}, warn() {}, error: (msg, fields) => void errors.push({ msg, fields }) };
  return { log, errors };
}

function setup() {
  const timers = new FakeTimers();
  const { log, errors } = recordingLog();
  const scheduler = new Scheduler({ clock: () => timers.now, timers, log });
  return { timers, scheduler, errors };
}

describe('Scheduler', () => {
  test('runs at start when asked, then every period from each run’s start', async () => {
    const { timers, scheduler } = setup();
    const early: number[] = [];
    const late: number[] = [];
    scheduler.add({ name: 'early', everyMs: 100, runAtStart: true, run: () => void early.push(timers.now) });
    scheduler.add({ name: 'late', everyMs: 250, run: () => void late.push(timers.now) });
    await timers.advance(1_000);
    assert.deepEqual(early, [], 'nothing runs before start()');
    scheduler.start();
    await timers.advance(0);
    assert.deepEqual(early, [1_000]);
    assert.deepEqual(late, []);
    await timers.advance(500);
    assert.deepEqual(early, [1_000, 1_100, 1_200, 1_300, 1_400, 1_500]);
    assert.deepEqual(late, [1_250, 1_500]);
    assert.ok(timers.unrefs >= 8, 'every timer is unref’d');
    await scheduler.stop();
  });

  test('a slow run is never overlapped; the next run follows it when the period has passed', async () => {
    const { timers, scheduler } = setup();
    const gate = deferred();
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    scheduler.add({
      name: 'slow',
      everyMs: 100,
      runAtStart: true,
      run: async () => {
        starts.push(timers.now);
        maxActive = Math.max(maxActive, ++active);
        if (starts.length === 1) await gate.promise;
        active--;
      },
    });
    scheduler.start();
    await timers.advance(350);
    assert.deepEqual(starts, [0], 'ticks during a run do not start another');
    assert.deepEqual(timers.pending, [], 'no timer waits while the job runs');
    gate.resolve();
    await timers.advance(0);
    assert.deepEqual(starts, [0, 350], 'overdue: runs at once after the slow run');
    await timers.advance(100);
    assert.deepEqual(starts, [0, 350, 450]);
    assert.equal(maxActive, 1);
    await scheduler.stop();
  });

  test('failures are logged and the job keeps its schedule; other jobs are unaffected', async () => {
    const { timers, scheduler, errors } = setup();
    let calls = 0;
    let ok = 0;
    scheduler.add({
      name: 'flaky',
      everyMs: 10,
      run: () => {
        calls++;
        if (calls === 1) throw new Error('sync boom');
        if (calls === 2) return Promise.reject(new Error('async boom'));
      },
    });
    scheduler.add({ name: 'steady', everyMs: 10, run: () => void ok++ });
    scheduler.start();
    await timers.advance(30);
    assert.equal(calls, 3);
    assert.equal(ok, 3);
    assert.deepEqual(
      errors.map((e) => [e.msg, e.fields?.job, e.fields?.error]),
      [
        ['job failed', 'flaky', 'sync boom'],
        ['job failed', 'flaky', 'async boom'],
      ],
    );
    const flaky = scheduler.status().find((s) => s.name === 'flaky')!;
    assert.equal(flaky.runs, 3);
    assert.equal(flaky.failures, 2);
    assert.equal(flaky.last_error, null);
    await scheduler.stop();
  });

  test('stop() aborts the signal, waits for the running job and leaves no timer', async () => {
    const { timers, scheduler, errors } = setup();
    let finished = false;
    let aborted = false;
    scheduler.add({
      name: 'long',
      everyMs: 50,
      runAtStart: true,
      run: async (signal) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = signal.aborted;
        await Promise.resolve();
        finished = true;
        throw new Error('interrupted');
      },
    });
    scheduler.add({ name: 'idle', everyMs: 1_000, run: () => {} });
    scheduler.start();
    await timers.advance(0);
    assert.deepEqual(timers.pending, [1_000]);
    await scheduler.stop();
    assert.equal(aborted, true);
    assert.equal(finished, true, 'stop() resolved only after the job settled');
    assert.deepEqual(timers.pending, []);
    assert.deepEqual(errors, [], 'a job ended by stop() is not reported as failed');
    await timers.advance(10_000);
    assert.equal(scheduler.status().find((s) => s.name === 'long')!.runs, 1);
  });

  test('runNow runs before start, after a run in progress, and rejects with the job’s error', async () => {
    const { timers, scheduler } = setup();
    const gate = deferred();
    const log: string[] = [];
    let fail = false;
    scheduler.add({
      name: 'job',
      everyMs: 1_000,
      run: async () => {
        log.push(`start ${log.length}`);
        if (log.length === 3) await gate.promise;
        if (fail) throw new Error('nope');
        log.push('end');
      },
    });
    await scheduler.runNow('job');
    assert.deepEqual(log, ['start 0', 'end']);
    scheduler.start();
    const first = scheduler.runNow('job');
    await settle();
    const second = scheduler.runNow('job');
    await settle();
    assert.deepEqual(log, ['start 0', 'end', 'start 2'], 'the second waits for the first');
    gate.resolve();
    await first;
    await second;
    assert.deepEqual(log, ['start 0', 'end', 'start 2', 'end', 'start 4', 'end']);
    fail = true;
    await assert.rejects(scheduler.runNow('job'), /nope/);
    await assert.rejects(scheduler.runNow('missing'), /no job named "missing"/);
    await scheduler.stop();
    await assert.rejects(scheduler.runNow('job'), /stopped/);
    assert.deepEqual(timers.pending, []);
  });

  test('jobs added after start are scheduled; bad jobs are refused', async () => {
    const { timers, scheduler } = setup();
    scheduler.start();
    let runs = 0;
    scheduler.add({ name: 'later', everyMs: 20, runAtStart: true, run: () => void runs++ });
    await timers.advance(40);
    assert.equal(runs, 3);
    assert.throws(() => scheduler.add({ name: 'later', everyMs: 5, run: () => {} }), /already/);
    assert.throws(() => scheduler.add({ name: 'zero', everyMs: 0, run: () => {} }), /everyMs/);
    await scheduler.stop();
  });

  test('with real timers, every timer is unref’d and none is left after stop', async () => {
    const live = new Set<NodeJS.Timeout>();
    const timers: Timers = {
      setTimeout: (fn, ms) => {
        const t = setTimeout(() => {
          live.delete(t);
          fn();
        }, ms);
        live.add(t);
        return t;
      },
      clearTimeout: (t) => {
        clearTimeout(t as NodeJS.Timeout);
        live.delete(t as NodeJS.Timeout);
      },
    };
    const scheduler = new Scheduler({ timers });
    let ran!: () => void;
    const firstRun = new Promise<void>((resolve) => (ran = resolve));
    scheduler.add({ name: 'a', everyMs: 60_000, runAtStart: true, run: () => ran() });
    scheduler.add({ name: 'b', everyMs: 3_600_000, run: () => {} });
    scheduler.start();
    await firstRun;
    // After its run, `a` is rescheduled: two timers wait, a's next run and b's first.
    while (live.size < 2) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(live.size, 2);
    assert.ok([...live].every((t) => !t.hasRef()));
    await scheduler.stop();
    assert.equal(live.size, 0);
  });
});
