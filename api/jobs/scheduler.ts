/**
 * A small in-process scheduler for the server's periodic jobs (SPEC §4.6).
 *
 * - Each job runs every `everyMs`, measured from the start of its previous run (a run that takes
 *   longer than the period is followed at once by the next one; missed ticks are not replayed).
 * - One run at a time per job: a tick never overlaps a run still in progress.
 * - A failing run is logged and the job keeps its schedule; nothing a job throws reaches the
 *   process.
 * - `stop()` aborts the signal handed to running jobs, waits for them to settle and clears every
 *   timer. Timers are `unref`'d, so the scheduler alone never keeps the process alive.
 * - Jobs that must happen at a wall-clock moment (a tenant's local midnight) are written as
 *   "do what is due" and scheduled every few minutes: restarts, sleeps and clock jumps then cost
 *   nothing but a short delay.
 *
 * `runNow(name)` runs a job immediately (also before `start()`, for the CLI and tests), after any
 * run in progress, and rejects with the job's error.
 */
import type { Logger } from '../lib/logger.js';

export interface Job {
  name: string;
  everyMs: number;
  run: (signal: AbortSignal) => Promise<void> | void;
  /** Run once as soon as the scheduler starts (default: first run after `everyMs`). */
  runAtStart?: boolean;
}

export interface TimerHandle {
  unref?(): unknown;
}

/** The timer functions the scheduler uses; tests inject fakes. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface SchedulerOptions {
  clock?: () => number;
  log?: Logger;
  timers?: Timers;
}

export interface JobStatus {
  name: string;
  everyMs: number;
  running: boolean;
  runs: number;
  failures: number;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_error: string | null;
}

interface Entry {
  job: Job;
  timer: TimerHandle | null;
  /** The run in progress, settled (never rejects). */
  current: Promise<void> | null;
  status: JobStatus;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export class Scheduler {
  readonly #jobs = new Map<string, Entry>();
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #timers: Timers;
  #state: 'idle' | 'started' | 'stopped' = 'idle';
  #abort = new AbortController();

  constructor(options: SchedulerOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#log = options.log ?? silent;
    this.#timers = options.timers ?? realTimers;
  }

  /** Registers a job; if the scheduler is already started, the job is scheduled at once. */
  add(job: Job): this {
    if (this.#jobs.has(job.name)) throw new Error(`a job named "${job.name}" is already scheduled`);
    if (!Number.isFinite(job.everyMs) || job.everyMs <= 0) throw new Error(`job "${job.name}": everyMs must be a positive number`);
    const entry: Entry = {
      job,
      timer: null,
      current: null,
      status: { name: job.name, everyMs: job.everyMs, running: false, runs: 0, failures: 0, last_started_at: null, last_finished_at: null, last_error: null },
    };
    this.#jobs.set(job.name, entry);
    if (this.#state === 'started') this.#schedule(entry, job.runAtStart ? 0 : job.everyMs);
    return this;
  }

  start(): void {
    if (this.#state === 'started') return;
    if (this.#state === 'stopped') this.#abort = new AbortController();
    this.#state = 'started';
    for (const entry of this.#jobs.values()) this.#schedule(entry, entry.job.runAtStart ? 0 : entry.job.everyMs);
  }

  /** Aborts running jobs' signals, waits for them to settle, and clears every timer. */
  async stop(): Promise<void> {
    if (this.#state !== 'started') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    this.#abort.abort(new Error('scheduler stopped'));
    for (const entry of this.#jobs.values()) this.#clear(entry);
    await Promise.all([...this.#jobs.values()].map((e) => e.current));
  }

  /** Runs a job now (after the run in progress, if any); rejects with the job's error. */
  async runNow(name: string): Promise<void> {
    const entry = this.#jobs.get(name);
    if (!entry) throw new Error(`no job named "${name}"`);
    if (this.#state === 'stopped') throw new Error('the scheduler is stopped');
    while (entry.current) await entry.current;
    let failure: { error: unknown } | undefined;
    await this.#run(entry, (error) => (failure = { error }));
    if (failure) throw failure.error;
  }

  status(): JobStatus[] {
    return [...this.#jobs.values()].map((e) => ({ ...e.status }));
  }

  get jobNames(): string[] {
    return [...this.#jobs.keys()];
  }

  #schedule(entry: Entry, delay: number): void {
    this.#clear(entry);
    const timer = this.#timers.setTimeout(() => {
      entry.timer = null;
      void this.#tick(entry);
    }, Math.max(0, delay));
    timer.unref?.();
    entry.timer = timer;
  }

  #clear(entry: Entry): void {
    if (entry.timer) this.#timers.clearTimeout(entry.timer);
    entry.timer = null;
  }

  async #tick(entry: Entry): Promise<void> {
    if (this.#state !== 'started') return;
    // A run started by runNow is still going: this tick is skipped, the next one follows it.
    if (!entry.current) {
      await this.#run(entry, (error) =>
        this.#log.error('job failed', { job: entry.job.name, error: error instanceof Error ? error.message : String(error) }),
      );
    } else {
      await entry.current;
    }
    if (this.#state !== 'started' || entry.timer) return;
    const startedAt = entry.status.last_started_at ?? this.#clock();
    this.#schedule(entry, startedAt + entry.job.everyMs - this.#clock());
  }

  /** Runs once; failures go to `onError`, the returned promise never rejects. */
  #run(entry: Entry, onError: (error: unknown) => void): Promise<void> {
    const { status, job } = entry;
    const signal = this.#abort.signal;
    status.running = true;
    status.last_started_at = this.#clock();
    const run = (async () => {
      // Yield first, so a job that throws synchronously still settles after `current` is set.
      await undefined;
      try {
        await job.run(signal);
        status.last_error = null;
      } catch (error) {
        status.failures++;
        status.last_error = error instanceof Error ? error.message : String(error);
        // A job interrupted by stop() is not a failure worth reporting.
        if (!signal.aborted) onError(error);
      } finally {
        status.runs++;
        status.running = false;
        status.last_finished_at = this.#clock();
        entry.current = null;
      }
    })();
    entry.current = run;
    return run;
  }
}
