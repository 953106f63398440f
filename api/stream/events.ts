/** The events of the stream (SPEC §5), and the topic each belongs to. */
export const EVENT_TOPICS = {
  'activity.new': 'activity',
  'metric.update': 'metrics',
  'system.health.change': 'health',
  'error.detected': 'errors',
  'error.updated': 'errors',
  'fix.approved': 'errors',
} as const;

export type EventType = keyof typeof EVENT_TOPICS;
export type Topic = (typeof EVENT_TOPICS)[EventType];
export const TOPICS = ['activity', 'metrics', 'health', 'errors'] as const satisfies readonly Topic[];

/** An event as stored in the outbox and published to the stream. */
export interface StreamEvent {
  tenantId: number;
  /** The tenant's own sequence number: the SSE `id:`. */
  seq: number;
  type: EventType;
  /** The JSON of `data:`, serialized once. */
  data: string;
  createdAt: number;
  /** Who may receive it (see `mayReceive`). */
  audience: string | null;
}

/** The audience of tenant-wide figures: credentials that are not locked to a client. */
export const UNLOCKED_ONLY = '*';

/**
 * Whether a credential may receive an event. Unlocked credentials receive every event of their
 * tenant; a credential locked to a client receives the events for everyone (system health) and
 * those about its own client, never tenant-wide aggregates nor other clients' rows — the same
 * rule as the REST routes.
 */
export function mayReceive(audience: string | null, clientId: string | null): boolean {
  return clientId === null || audience === null || audience === clientId;
}

/**
 * The SSE frame of an event, built once per event and written as is to every client. JSON never
 * contains a raw newline, and the type and id are ours, so no field can inject a line.
 */
export function frameOf(event: Pick<StreamEvent, 'seq' | 'type' | 'data'>): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}
