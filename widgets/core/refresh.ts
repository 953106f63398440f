import { TaskStatus } from '@lit/task';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What the controller needs of a @lit/task Task. */
interface Refetchable {
  readonly status: TaskStatus;
  run(): Promise<void>;
}

export interface RefreshOptions {
  /** The least time between two refetches caused by live events. */
  delayMs: number;
  /** The tasks a refetch runs (as the panel shows now); while one is under way, the refetch waits for another delay. */
  tasks: () => readonly Refetchable[];
}

/**
 * Coalesces live "the figures changed" signals into at most one refetch per delay, for panels
 * whose figures are computed server-side (metrics, ROI, skills) and so are refetched rather than
 * patched from the event. `now()` refetches at once (a stream reset). The timer ends with the host.
 */
export class RefreshController implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: RefreshOptions,
  ) {
    host.addController(this);
  }

  /** A refetch after the delay, unless one is already scheduled. */
  schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.now();
    }, this.options.delayMs);
  }

  /** A refetch now, or after the delay when a fetch is under way. */
  now(): void {
    const tasks = this.options.tasks();
    if (tasks.some((task) => task.status === TaskStatus.PENDING)) this.schedule();
    else for (const task of tasks) void task.run();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
