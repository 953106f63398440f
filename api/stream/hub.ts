import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Principal } from '../auth/principal.js';
import { ApiError } from '../lib/problem.js';
import type { Delivery } from './bus.js';
import { EVENT_TOPICS, frameOf, mayReceive, type Topic } from './events.js';
import type { LivePipeline } from './live.js';

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': heartbeat\n\n');
const CRLF = Buffer.from('\r\n');

/** `bytes` framed as one HTTP/1.1 chunk (`<size in hex>\r\n<bytes>\r\n`). */
export function httpChunk(bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(bytes.byteLength.toString(16) + '\r\n'), bytes, CRLF]);
}
const HEARTBEAT_CHUNK = httpChunk(HEARTBEAT);

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

/** Where a stream's bytes go: a ReadableStream (any runtime) or a Node response (the server). */
interface Sink {
  write(chunk: Uint8Array): void;
  /** Writes a shared frame: a live event (with its slot for the framed chunk) or the heartbeat. */
  share(delivery: Delivery | 'heartbeat'): void;
  /** Bytes written but not yet sent. */
  queued(): number;
  end(): void;
}

/**
 * One client's stream: the `retry:` line, `reset` when its id is no longer stored, the stored
 * events after its id in batches, then `ready` and live events, each exactly once and only those
 * its credential may receive. Transport-neutral: the hub feeds it to a ReadableStream or writes
 * it straight to a Node socket.
 */
class Session {
  /** The newest sequence number this client has been given or skipped. */
  #lastSeq = 0;
  #replaying = true;
  #closed = false;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly hub: StreamHub,
    private readonly auth: Principal,
    private readonly topics: ReadonlySet<Topic>,
    private readonly sink: Sink,
    private readonly onRelease: () => void,
  ) {}

  get replaying(): boolean {
    return this.#replaying && !this.#closed;
  }

  begin(lastEventId: number | undefined): void {
    const { outbox } = this.hub.live;
    this.sink.write(encoder.encode(`retry: ${this.hub.options.retryMs}\n\n`));
    const window = outbox.window(this.auth.tenant.id);
    const newest = window.last ?? 0;
    if (lastEventId === undefined) {
      this.#lastSeq = newest;
    } else if (lastEventId > newest || (lastEventId < newest && (window.first === null || lastEventId < window.first - 1))) {
      // Asked for events that are no longer stored (or never were): the client must refetch.
      const data = JSON.stringify({ reason: 'The events after this id are no longer available; refetch over REST.', last_event_id: lastEventId });
      this.sink.write(encoder.encode(`event: reset\ndata: ${data}\n\n`));
      this.#lastSeq = newest;
    } else {
      this.#lastSeq = lastEventId;
    }
  }

  /**
   * Sends stored events until something was sent or the backlog is done. When the outbox has
   * nothing newer, the client switches to live events in the same synchronous step: no event can
   * be committed in between, so none is missed.
   */
  replayStep(): void {
    if (!this.replaying) return;
    const { outbox, bus } = this.hub.live;
    const tenantId = this.auth.tenant.id;
    for (let batch = outbox.after(tenantId, this.#lastSeq, 500); batch.length; batch = outbox.after(tenantId, this.#lastSeq, 500)) {
      let sent = false;
      for (const event of batch) {
        if (this.topics.has(EVENT_TOPICS[event.type]) && mayReceive(event.audience, this.auth.clientId)) {
          this.sink.write(encoder.encode(frameOf(event)));
          sent = true;
        }
        this.#lastSeq = event.seq;
      }
      if (sent) return;
    }
    this.#replaying = false;
    const ready = JSON.stringify({ last_event_id: this.#lastSeq, topics: [...this.topics] });
    this.sink.write(encoder.encode(`id: ${this.#lastSeq}\nevent: ready\ndata: ${ready}\n\n`));
    this.#unsubscribe = bus.subscribe(tenantId, this.topics, this.#deliver);
    this.hub.adopt(this);
  }

  #deliver = (d: Delivery): void => {
    if (d.event.seq <= this.#lastSeq) return;
    this.#lastSeq = d.event.seq;
    if (!mayReceive(d.event.audience, this.auth.clientId)) return;
    this.send(d);
  };

  /** Writes a shared frame; a client whose backlog passes the limit is dropped (it resumes by id). */
  send(shared: Delivery | 'heartbeat'): void {
    if (this.#closed) return;
    this.sink.share(shared);
    if (this.sink.queued() > this.hub.options.maxQueuedBytes) this.close();
  }

  /** Frees the client's place and listener; ends its stream unless the client already went away. */
  close(ended = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.onRelease();
    if (!ended) this.sink.end();
  }
}

/**
 * The open SSE streams of one server. Frames are serialized and encoded once per event and the
 * same bytes are written to every client. On Node the bytes go straight to each client's socket
 * (no stream machinery per client per event); elsewhere (and under `app.request` in tests) each
 * client is a ReadableStream. The bytes a client has not yet taken are the backpressure signal, so
 * a client that cannot keep up is dropped instead of buffered without bound. One shared timer
 * sends every heartbeat.
 */
export class StreamHub {
  readonly options: HubOptions;
  readonly #perTenant = new Map<number, number>();
  readonly #live = new Set<Session>();
  #corked: Socket[] = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly live: LivePipeline,
    options: Partial<HubOptions> = {},
  ) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = { ...DEFAULT_HUB_OPTIONS, ...given };
  }

  get size(): number {
    return this.#live.size;
  }

  /** Counts the caller's stream against its tenant's cap (429 when full); answers the release. */
  #admit(auth: Principal): () => void {
    const tenantId = auth.tenant.id;
    const open = this.#perTenant.get(tenantId) ?? 0;
    if (open >= this.options.maxPerTenant) {
      throw new ApiError(429, `This tenant already has ${open} open streams, the most allowed; close one or retry later.`, {
        headers: { 'Retry-After': String(Math.ceil(this.options.retryMs / 1000)) },
      });
    }
    this.#perTenant.set(tenantId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.#perTenant.get(tenantId) ?? 1) - 1;
      if (n > 0) this.#perTenant.set(tenantId, n);
      else this.#perTenant.delete(tenantId);
    };
  }

  /** A session that finished its replay now receives live events and heartbeats. */
  adopt(session: Session): void {
    this.#live.add(session);
    this.#startHeartbeat();
  }

  #forget(session: Session): void {
    this.#live.delete(session);
    if (this.#live.size === 0) this.#stopHeartbeat();
  }

  /**
   * Opens a stream for the caller as a ReadableStream: `retry:`, `reset` or the stored events after
   * `lastEventId` in order, `ready` with the id it continues from, then live events, each exactly once.
   */
  open(auth: Principal, topics: ReadonlySet<Topic>, lastEventId: number | undefined): ReadableStream<Uint8Array> {
    const release = this.#admit(auth);
    let session: Session;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const sink: Sink = {
            write: (chunk) => controller.enqueue(chunk),
            share: (shared) => controller.enqueue(shared === 'heartbeat' ? HEARTBEAT : shared.frame),
            queued: () => -(controller.desiredSize ?? 0),
            end: () => {
              try {
                controller.close();
              } catch {
                // already closed by the reader
              }
            },
          };
          session = new Session(this, auth, topics, sink, () => {
            release();
            this.#forget(session);
          });
          session.begin(lastEventId);
        },
        // Replay is pulled in batches as the client reads, so a long backlog goes at its pace.
        pull: () => session.replayStep(),
        cancel: () => session.close(true),
      },
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  /**
   * Opens a stream for the caller straight on a Node response: the same bytes as `open()`, written
   * to the socket. Checks the cap at once (429); the caller writes the head and calls `start()`
   * once the response's headers are final. Replay waits for the socket to drain between batches.
   *
   * Once the head is on the wire, shared frames go to the socket itself, framed as HTTP chunks
   * once per event for all clients: one socket write per client and event, without the response
   * object's per-write work (chunk header, CRLF and their writes). The response still ends the
   * stream (its last chunk). When the socket is not the response's own yet (a pipelined request),
   * or the response is not chunked (HTTP/1.0), frames go through the response.
   */
  openOnSocket(auth: Principal, topics: ReadonlySet<Topic>, lastEventId: number | undefined, res: ServerResponse) {
    const release = this.#admit(auth);
    let socket: Socket | null = null;
    const sink: Sink = {
      write: (chunk) => {
        if (socket) socket.write(httpChunk(chunk));
        else res.write(chunk);
      },
      share: (shared) => {
        if (!socket) return void res.write(shared === 'heartbeat' ? HEARTBEAT : shared.frame);
        this.#corkUntilNextTick(socket);
        socket.write(shared === 'heartbeat' ? HEARTBEAT_CHUNK : (shared.chunk ??= httpChunk(shared.frame)));
      },
      queued: () => res.writableLength,
      end: () => res.end(),
    };
    const session: Session = new Session(this, auth, topics, sink, () => {
      release();
      this.#forget(session);
    });
    res.once('close', () => session.close(true));
    const pump = () => {
      while (session.replaying) {
        session.replayStep();
        if (res.writableNeedDrain) {
          res.once('drain', pump);
          return;
        }
      }
    };
    return {
      start: (status: number, headers: Record<string, string>) => {
        if (res.destroyed) return session.close(true);
        res.writeHead(status, headers);
        res.flushHeaders();
        const own = res.socket;
        const chunked = (res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding === true;
        if (own && chunked && res.writableLength === own.writableLength) socket = own;
        session.begin(lastEventId);
        pump();
      },
      abandon: () => session.close(true),
    };
  }

  /**
   * Holds a socket's writes until the current tick ends, so the events published together (a
   * batch's commit) leave in one system call per client rather than one per event and client.
   */
  #corkUntilNextTick(socket: Socket): void {
    if (socket.writableCorked) return;
    socket.cork();
    this.#corked.push(socket);
    if (this.#corked.length === 1) process.nextTick(this.#uncork);
  }

  #uncork = (): void => {
    const corked = this.#corked;
    this.#corked = [];
    for (const socket of corked) socket.uncork();
  };

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      for (const session of this.#live) session.send('heartbeat');
    }, this.options.heartbeatMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** Ends every stream (shutdown); clients reconnect and resume by id. */
  closeAll(): void {
    for (const session of [...this.#live]) session.close();
    this.#stopHeartbeat();
  }
}
