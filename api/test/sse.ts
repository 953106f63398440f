import { createParser, type EventSourceMessage } from 'eventsource-parser';

const decoder = new TextDecoder();

export interface OpenStream {
  /** Events parsed so far (as a browser's EventSource would see them). */
  events: EventSourceMessage[];
  /** The raw text received so far. */
  raw(): string;
  /** Reads until `predicate` holds over what has arrived; throws if the stream ends first. */
  until(predicate: (events: EventSourceMessage[]) => boolean): Promise<void>;
  cancel(): Promise<void>;
}

/** Reads an SSE answer frame by frame. */
export function openStream(res: Response): OpenStream {
  if (res.status !== 200 || !res.body) throw new Error(`expected an open stream, got ${res.status}`);
  const reader = res.body.getReader();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  let text = '';
  return {
    events,
    raw: () => text,
    async until(predicate) {
      while (!predicate(events)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before the expected events; got ${events.map((e) => e.event).join(', ')}`);
        const chunk = decoder.decode(value, { stream: true });
        text += chunk;
        parser.feed(chunk);
      }
    },
    cancel: () => reader.cancel(),
  };
}

export const isReady = (events: EventSourceMessage[]) => events.some((e) => e.event === 'ready');
