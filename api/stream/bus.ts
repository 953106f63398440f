import { EVENT_TOPICS, frameOf, type StreamEvent, type Topic } from './events.js';

/**
 * What a subscriber receives: the event and its frame, serialized and encoded once for all
 * subscribers. `chunk` is a slot for the frame as one HTTP/1.1 chunk, built by the first socket
 * that needs it and reused by the others.
 */
export type Delivery = { event: StreamEvent; frame: Uint8Array; chunk?: Uint8Array };

const encoder = new TextEncoder();
export type Listener = (delivery: Delivery) => void;

interface Subscription {
  topics: ReadonlySet<Topic>;
  listener: Listener;
}

/**
 * In-process fan-out of committed events to the open streams of their tenant. A tenant's events
 * reach only that tenant's subscribers: they are kept in a set per tenant, never filtered from a
 * shared one.
 */
export class EventBus {
  readonly #byTenant = new Map<number, Set<Subscription>>();
  readonly #tenantListeners = new Set<(event: StreamEvent) => void>();

  subscribe(tenantId: number, topics: ReadonlySet<Topic>, listener: Listener): () => void {
    let subs = this.#byTenant.get(tenantId);
    if (!subs) this.#byTenant.set(tenantId, (subs = new Set()));
    const sub: Subscription = { topics, listener };
    subs.add(sub);
    return () => {
      subs.delete(sub);
      if (subs.size === 0 && this.#byTenant.get(tenantId) === subs) this.#byTenant.delete(tenantId);
    };
  }

  /** Server-side observers of every event (realtime metrics, webhooks), whatever the tenant. */
  observe(listener: (event: StreamEvent) => void): () => void {
    this.#tenantListeners.add(listener);
    return () => this.#tenantListeners.delete(listener);
  }

  subscriberCount(tenantId?: number): number {
    if (tenantId !== undefined) return this.#byTenant.get(tenantId)?.size ?? 0;
    let n = 0;
    for (const subs of this.#byTenant.values()) n += subs.size;
    return n;
  }

  publish(event: StreamEvent): void {
    for (const observer of this.#tenantListeners) observer(event);
    const subs = this.#byTenant.get(event.tenantId);
    if (!subs) return;
    const topic = EVENT_TOPICS[event.type];
    const delivery: Delivery = { event, frame: encoder.encode(frameOf(event)) };
    for (const sub of subs) if (sub.topics.has(topic)) sub.listener(delivery);
  }
}
