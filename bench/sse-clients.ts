/**
 * A light SSE load client for the live benchmarks, run as a child process and driven over IPC
 * (`serialization: 'advanced'`). It opens many streams with node's `http` module (not fetch, to
 * keep each connection cheap), parses frames minimally, and timestamps every `activity.new` it
 * receives against the `metadata.sent_at` the publisher put in it (ms since the epoch, fractional),
 * sorted by `metadata.phase` (`latency` or `burst`; anything else is a warm-up and not counted).
 *
 * Commands (parent → child):
 *   { type: 'open', url, token, count, concurrency }  → { type: 'opened', open, failed, error? } once every new stream is at `event: ready`
 *   { type: 'stats' }                                 → { type: 'stats', open, latency, burst, lastReceivedAt, dropped }
 *   { type: 'collect' }                               → { type: 'results', latency: Float64Array, burst: Float64Array, lastReceivedAt }
 *   { type: 'counts' }                                → { type: 'counts', counts: Uint32Array } counted frames per stream opened since the last drop
 *   { type: 'drop' }                                  → { type: 'dropped' } after every stream is closed
 *   { type: 'exit' }
 * The process also exits when its parent goes away.
 */
import http from 'node:http';

type Command =
  | { type: 'open'; url: string; token: string; count: number; concurrency: number }
  | { type: 'stats' }
  | { type: 'collect' }
  | { type: 'counts' }
  | { type: 'drop' }
  | { type: 'exit' };

const now = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** A growable list of doubles (millions of samples without a JS array of boxed numbers). */
class Samples {
  #data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.length++] = v;
  }
  take(): Float64Array {
    const out = this.#data.slice(0, this.length);
    this.#data = new Float64Array(1 << 16);
    this.length = 0;
    return out;
  }
}

const streams = new Set<http.ClientRequest>();
const latency = new Samples();
const burst = new Samples();
let lastReceivedAt = 0;
/** Counted frames of each stream that became ready since the last drop. */
let perStream: { n: number }[] = [];
/** Streams that ended or failed after they were ready. */
let dropped = 0;

const SENT_AT = '"sent_at":';

/** One frame (without its blank line). Only `activity.new` and `ready` matter; answers whether it was counted. */
function onFrame(frame: string, at: number, ready: () => void): boolean {
  if (frame.includes('\nevent: activity.new\n')) {
    const i = frame.indexOf(SENT_AT);
    if (i < 0) return false;
    const sentAt = parseFloat(frame.slice(i + SENT_AT.length, i + SENT_AT.length + 24));
    if (frame.includes('"phase":"latency"')) latency.push(at - sentAt);
    else if (frame.includes('"phase":"burst"')) burst.push(at - sentAt);
    else return false; // warm-up
    lastReceivedAt = at;
    return true;
  } else if (frame.includes('event: ready')) {
    ready();
  }
  return false;
}

function openOne(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        settle(new Error(`HTTP ${res.statusCode}`));
        res.resume();
        req.destroy();
        return;
      }
      res.setEncoding('utf8');
      let rest = '';
      const count = { n: 0 };
      const ready = () => {
        streams.add(req);
        perStream.push(count);
        settle();
      };
      res.on('data', (chunk: string) => {
        const at = now();
        let buf = rest.length ? rest + chunk : chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          if (onFrame(buf.slice(0, end), at, ready)) count.n++;
          buf = buf.slice(end + 2);
        }
        rest = buf;
      });
      res.on('close', () => {
        if (streams.delete(req)) dropped++;
        settle(new Error('stream closed before ready'));
      });
    });
    // A stream that is not ready in time counts as failed (the server is overloaded or refused it).
    const timer = setTimeout(() => req.destroy(new Error('not ready within 30 s')), 30_000);
    req.on('error', (e) => {
      if (streams.delete(req)) dropped++;
      settle(e);
    });
  });
}

async function open(cmd: Extract<Command, { type: 'open' }>): Promise<void> {
  let next = 0;
  let failed = 0;
  let error: string | undefined;
  const worker = async () => {
    while (next < cmd.count) {
      next++;
      try {
        await openOne(cmd.url, cmd.token);
      } catch (e) {
        failed++;
        error ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(cmd.concurrency, cmd.count) }, worker));
  send({ type: 'opened', open: streams.size, failed, error });
}

async function drop(): Promise<void> {
  const closing = [...streams].map((req) => new Promise<void>((resolve) => {
    req.once('close', () => resolve());
    req.destroy();
  }));
  streams.clear();
  perStream = [];
  await Promise.all(closing);
  send({ type: 'dropped' });
}

function send(message: unknown): void {
  process.send?.(message);
}

process.on('message', (cmd: Command) => {
  switch (cmd.type) {
    case 'open':
      void open(cmd);
      break;
    case 'stats':
      send({ type: 'stats', open: streams.size, latency: latency.length, burst: burst.length, lastReceivedAt, dropped });
      break;
    case 'collect':
      send({ type: 'results', latency: latency.take(), burst: burst.take(), lastReceivedAt });
      break;
    case 'counts':
      send({ type: 'counts', counts: Uint32Array.from(perStream, (c) => c.n) });
      break;
    case 'drop':
      void drop();
      break;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'started' });
