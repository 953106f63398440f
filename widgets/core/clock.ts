import type { ReactiveController, ReactiveControllerHost } from 'lit';

const TICK_MS = 30_000;
const hosts = new Set<ReactiveControllerHost>();
let timer: ReturnType<typeof setInterval> | undefined;

/** Re-renders its host every 30 s (relative times such as "2 min. ago"); one timer for the whole page. */
export class TickController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    hosts.add(this.host);
    timer ??= setInterval(() => hosts.forEach((host) => host.requestUpdate()), TICK_MS);
  }

  hostDisconnected(): void {
    hosts.delete(this.host);
    if (hosts.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  }
}
