import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StreamEventMap } from '../../api/contract.js';
import type { ApiClient } from './api-client.js';

/** What a widget shows about the live connection. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export type StreamEventType = keyof StreamEventMap;
export type StreamHandlers = { [K in StreamEventType]?: (data: StreamEventMap[K], id: string) => void };

export interface StreamSubscriber {
  events: StreamHandlers;
  /** The server no longer has the events since our last id: refetch over REST. */
  onReset?(): void;
  onState?(state: ConnectionState): void;
}

/** One connection carries every topic, so widgets joining later never reopen it. */
const TOPICS = 'activity,metrics,health,errors';
/** The server sends a heartbeat at least every 15 s; silence for this long means the connection is dead. */
const SILENCE_LIMIT_MS = 45_000;
const BACKOFF_MAX_MS = 30_000;
/** After this many failed attempts in a row the widgets say "offline" (they keep retrying). */
const OFFLINE_AFTER = 3;

/**
 * The page's connection to the event stream for one API and credential, shared by every widget
 * that uses them (browsers allow six HTTP/1.1 connections per host). Reads the stream with fetch,
 * so the token travels in the `Authorization` header, parses it with eventsource-parser, and
 * reconnects with exponential backoff and full jitter, resuming from the last event id. A `reset`
 * (the server no longer holds the events we missed) tells every subscriber to refetch.
 */
export class SharedStream {
  state: ConnectionState = 'connecting';
  lastEventId: string | undefined;
  readonly #subscribers = new Set<StreamSubscriber>();
  #abort: AbortController | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #retryMs = 1_000;
  #running = false;

  constructor(readonly client: ApiClient) {}

  get subscribers(): number {
    return this.#subscribers.size;
  }

  subscribe(subscriber: StreamSubscriber): () => void {
    this.#subscribers.add(subscriber);
    clearTimeout(this.#closeTimer);
    if (!this.#running) this.#start();
    return () => {
      this.#subscribers.delete(subscriber);
      // A widget moved in the DOM disconnects and reconnects at once: close only if nobody came back.
      if (this.#subscribers.size === 0) this.#closeTimer = setTimeout(() => this.#subscribers.size === 0 && this.close(), 0);
    };
  }

  /** Reconnects now if waiting (the browser came back online). */
  retryNow = (): void => {
    if (this.#running && this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      void this.#connect();
    }
  };

  close(): void {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#abort?.abort();
    globalThis.removeEventListener?.('online', this.retryNow);
    streams.get(this.client) === this && streams.delete(this.client);
  }

  #start(): void {
    this.#running = true;
    globalThis.addEventListener?.('online', this.retryNow);
    void this.#connect();
  }

  async #connect(): Promise<void> {
    const abort = (this.#abort = new AbortController());
    let silence: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(), SILENCE_LIMIT_MS);
    };
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (this.lastEventId !== undefined) headers['Last-Event-ID'] = this.lastEventId;
      watch();
      const response = await this.client.fetch(this.client.url('/stream', { topics: TOPICS }), { headers, signal: abort.signal, cache: 'no-store' });
      const parser = createParser({ onEvent: (message) => this.#dispatch(message), onRetry: (ms) => (this.#retryMs = ms) });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        watch();
        parser.feed(value);
      }
    } catch {
      // Network errors, refused credentials and silence all count as failures: the host may configure a new token meanwhile.
    } finally {
      clearTimeout(silence);
    }
    if (!this.#running) return;
    this.#failures++;
    this.#setState(this.#failures >= OFFLINE_AFTER || globalThis.navigator?.onLine === false ? 'offline' : 'reconnecting');
    // Exponential backoff with full jitter, starting from the server's `retry:` (at most a second).
    const ceiling = Math.min(BACKOFF_MAX_MS, Math.min(this.#retryMs, 1_000) * 2 ** (this.#failures - 1));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  #dispatch(message: EventSourceMessage): void {
    if (message.id !== undefined) this.lastEventId = message.id;
    const type = message.event;
    if (type === 'ready') {
      this.#failures = 0;
      this.#setState('connected');
      return;
    }
    if (type === 'reset') {
      for (const subscriber of [...this.#subscribers]) subscriber.onReset?.();
      return;
    }
    if (!type) return;
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    for (const subscriber of [...this.#subscribers]) {
      const handler = subscriber.events[type as StreamEventType] as ((data: unknown, id: string) => void) | undefined;
      handler?.(data, message.id ?? '');
    }
  }

  #setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const subscriber of [...this.#subscribers]) subscriber.onState?.(state);
  }
}

const streams = new Map<ApiClient, SharedStream>();

/** The page's stream for an API client (one per API base and credential). */
export function streamFor(client: ApiClient): SharedStream {
  let stream = streams.get(client);
  if (!stream) streams.set(client, (stream = new SharedStream(client)));
  return stream;
}

/** A host with the API client it currently uses (undefined until configured). */
export interface ClientHost extends ReactiveControllerHost {
  readonly client: ApiClient | undefined;
}

/**
 * Subscribes a widget to the page's shared stream while it is connected, follows a change of
 * API base or credential, and keeps `state` for the widget to show.
 */
export class StreamController implements ReactiveController {
  state: ConnectionState = 'connecting';
  #stream: SharedStream | undefined;
  #unsubscribe: (() => void) | undefined;
  #connected = false;

  constructor(
    private readonly host: ClientHost,
    private readonly subscriber: Omit<StreamSubscriber, 'onState'>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.#sync();
  }

  /** Also while disconnected a host may update (a late fetch, a blur on removal): it must not subscribe again then. */
  hostUpdate(): void {
    if (this.#connected) this.#sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = this.#stream = undefined;
  }

  #sync(): void {
    const client = this.host.client;
    const stream = client && streamFor(client);
    if (stream === this.#stream) return;
    this.#unsubscribe?.();
    this.#stream = stream;
    this.#unsubscribe = stream?.subscribe({
      ...this.subscriber,
      onState: (state) => {
        this.state = state;
        this.host.requestUpdate();
      },
    });
    this.state = stream?.state ?? 'offline';
  }
}
