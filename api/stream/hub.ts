import type { Principal } from '../auth/principal.js';
import { ApiError } from '../lib/problem.js';
import type { Delivery } from './bus.js';
import { EVENT_TOPICS, frameOf, mayReceive, type Topic } from './events.js';
import type { LivePipeline } from './live.js';

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': heartbeat\n\n');

export interface HubOptions {
  /** Open streams allowed per tenant; more answer 429. */
  maxPerTenant: number;
  /** A comment line is sent this often, so proxies keep the connection open and clients notice a dead one. */
  heartbeatMs: number;
  /** The reconnection delay the client is told (`retry:`). */
  retryMs: number;
  /** A client whose unsent frames exceed this many bytes is dropped; it resumes by id when it reconnects. */
  maxQueuedBytes: number;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = { maxPerTenant: 2_000, heartbeatMs: 15_000, retryMs: 3_000, maxQueuedBytes: 1 << 20 };

interface Client {
  controller: ReadableStreamDefaultController<Uint8Array>;
  close(): void;
}

/**
 * The open SSE streams of one server. Each client is a ReadableStream fed synchronously with
 * frames that were serialized and encoded once per event; its queue size is the backpressure
 * signal, so a client that cannot keep up is dropped instead of buffered without bound. One
 * shared timer sends every heartbeat.
 */
export class StreamHub {
  readonly options: HubOptions;
  readonly #perTenant = new Map<number, number>();
  readonly #clients = new Set<Client>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly live: LivePipeline,
    options: Partial<HubOptions> = {},
  ) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = { ...DEFAULT_HUB_OPTIONS, ...given };
  }

  get size(): number {
    return this.#clients.size;
  }

  /**
   * Opens a stream for the caller: `retry:`, a `ready` event carrying the id it starts from, the
   * stored events after `lastEventId` in order (or `reset` when they are no longer stored), then
   * live events, each exactly once.
   */
  open(auth: Principal, topics: ReadonlySet<Topic>, lastEventId: number | undefined): ReadableStream<Uint8Array> {
    const tenantId = auth.tenant.id;
    const clientId = auth.clientId;
    const open = this.#perTenant.get(tenantId) ?? 0;
    if (open >= this.options.maxPerTenant) {
      throw new ApiError(429, `This tenant already has ${open} open streams, the most allowed; close one or retry later.`, {
        headers: { 'Retry-After': String(Math.ceil(this.options.retryMs / 1000)) },
      });
    }
    this.#perTenant.set(tenantId, open + 1);

    const { outbox, bus } = this.live;
    const { maxQueuedBytes, retryMs } = this.options;
    let unsubscribe: (() => void) | undefined;
    let closed = false;
    let replaying = true;
    /** The newest sequence number this client has been given or skipped (other topics). */
    let lastSeq = 0;
    let client: Client;

    const release = () => {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      this.#clients.delete(client);
      const n = (this.#perTenant.get(tenantId) ?? 1) - 1;
      if (n > 0) this.#perTenant.set(tenantId, n);
      else this.#perTenant.delete(tenantId);
      if (this.#clients.size === 0) this.#stopHeartbeat();
    };

    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = {
            controller,
            close: () => {
              if (closed) return;
              release();
              try {
                controller.close();
              } catch {
                // already closed by the reader
              }
            },
          };
          controller.enqueue(encoder.encode(`retry: ${retryMs}\n\n`));
          const window = outbox.window(tenantId);
          const newest = window.last ?? 0;
          if (lastEventId === undefined) {
            lastSeq = newest;
          } else if (lastEventId > newest || (lastEventId < newest && (window.first === null || lastEventId < window.first - 1))) {
            // Asked for events that are no longer stored (or never were): the client must refetch.
            const data = JSON.stringify({ reason: 'The events after this id are no longer available; refetch over REST.', last_event_id: lastEventId });
            controller.enqueue(encoder.encode(`event: reset\ndata: ${data}\n\n`));
            lastSeq = newest;
          } else {
            lastSeq = lastEventId;
          }
        },
        // Replay is pulled in batches as the client reads, so a long backlog is sent at the
        // client's pace. When the outbox has nothing newer, the client switches to live events in
        // the same synchronous step: no event can be committed in between, so none is missed.
        pull: (controller) => {
          if (!replaying || closed) return;
          // Batches of other topics' events send nothing; keep reading until something is sent or
          // the backlog is done, since the stream asks again only after something was enqueued.
          for (let batch = outbox.after(tenantId, lastSeq, 500); batch.length; batch = outbox.after(tenantId, lastSeq, 500)) {
            let sent = false;
            for (const event of batch) {
              if (topics.has(EVENT_TOPICS[event.type]) && mayReceive(event.audience, clientId)) {
                controller.enqueue(encoder.encode(frameOf(event)));
                sent = true;
              }
              lastSeq = event.seq;
            }
            if (sent) return;
          }
          replaying = false;
          controller.enqueue(encoder.encode(`id: ${lastSeq}\nevent: ready\ndata: ${JSON.stringify({ last_event_id: lastSeq, topics: [...topics] })}\n\n`));
          unsubscribe = bus.subscribe(tenantId, topics, (d: Delivery) => {
            if (d.event.seq <= lastSeq) return;
            lastSeq = d.event.seq;
            if (!mayReceive(d.event.audience, clientId)) return;
            controller.enqueue(d.frame);
            if ((controller.desiredSize ?? 0) < -maxQueuedBytes) client.close();
          });
          this.#clients.add(client);
          this.#startHeartbeat();
        },
        cancel: () => release(),
      },
      // Queue size in bytes: the backpressure signal that drops a slow client.
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      for (const c of this.#clients) {
        c.controller.enqueue(HEARTBEAT);
        if ((c.controller.desiredSize ?? 0) < -this.options.maxQueuedBytes) c.close();
      }
    }, this.options.heartbeatMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** Ends every stream (shutdown); clients reconnect and resume by id. */
  closeAll(): void {
    for (const c of [...this.#clients]) c.close();
    this.#stopHeartbeat();
  }
}
