import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { createApp } from '../app.js';
import { createHarness, problem, SECRET, type Harness } from '../test/harness.js';
import { migrate, openDb } from '../db/client.js';
import { Statements } from '../lib/sql.js';
import { StreamHub } from './hub.js';
import { LivePipeline } from './live.js';

const decoder = new TextDecoder();

/** Reads a stream frame by frame: `raw` chunks for exact-frame tests, parsed events for the rest. */
function open(res: Response) {
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  let done = false;
  return {
    events,
    comments,
    async raw(): Promise<string> {
      const { value, done: end } = await reader.read();
      if (end) throw new Error('stream ended');
      const text = decoder.decode(value);
      parser.feed(text);
      return text;
    },
    /** Reads until `predicate` holds over what has arrived. */
    async until(predicate: () => boolean): Promise<void> {
      while (!predicate()) {
        const { value, done: end } = await reader.read();
        if (end) {
          done = true;
          throw new Error('stream ended');
        }
        parser.feed(decoder.decode(value));
      }
    },
    async ended(): Promise<boolean> {
      if (done) return true;
      for (;;) {
        const { done: end } = await reader.read();
        if (end) return true;
      }
    },
    cancel: () => reader.cancel(),
  };
}

const ids = (events: EventSourceMessage[], type?: string) => events.filter((e) => !type || e.event === type).map((e) => Number(e.id));

let h: Harness;
before(async () => {
  h = await createHarness({ sseMaxPerTenant: 3, sseHeartbeatMs: 1000 });
});
after(() => h.close());

function publish(tenantId: number, n: number, type: 'activity.new' | 'error.detected' | 'metric.update' = 'activity.new') {
  return h.live.outbox.commit(tenantId, (emit) => Array.from({ length: n }, (_, i) => emit(type, { n: i, text: 'line1\nline2 <b>' }).seq));
}

describe('GET /stream', () => {
  test('exact frames: retry, ready with the starting id, then each event with id, type and one-line JSON data', async () => {
    const s = open(await h.get('/stream', h.a.tokens.read));
    const start = h.live.outbox.window(h.a.tenant.id).last ?? 0;
    assert.equal(await s.raw(), 'retry: 3000\n\n');
    assert.equal(await s.raw(), `id: ${start}\nevent: ready\ndata: {"last_event_id":${start},"topics":["activity","metrics","health","errors"]}\n\n`);
    publish(h.a.tenant.id, 1);
    assert.equal(await s.raw(), `id: ${start + 1}\nevent: activity.new\ndata: {"n":0,"text":"line1\\nline2 <b>"}\n\n`);
    await s.cancel();
  });

  test('the headers of an unbuffered event stream', async () => {
    const res = await h.get('/stream', h.a.tokens.read);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.match(res.headers.get('cache-control')!, /no-cache/);
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    await res.body!.cancel();
  });

  test('a tenant’s stream never carries another tenant’s events, and topics filter', async () => {
    const a = open(await h.get('/stream?topics=activity', h.a.tokens.read));
    await a.until(() => a.events.some((e) => e.event === 'ready'));
    publish(h.b.tenant.id, 3);
    publish(h.a.tenant.id, 1, 'error.detected');
    const [mine] = publish(h.a.tenant.id, 1);
    await a.until(() => a.events.some((e) => e.event === 'activity.new'));
    assert.deepEqual(ids(a.events, 'activity.new'), [mine]);
    assert.ok(!a.events.some((e) => e.event === 'error.detected'));
    await a.cancel();
  });

  test('a client-locked token receives its client’s activities and errors and system health, never other clients’ rows or aggregates', async () => {
    const tenantId = h.a.tenant.id;
    h.db.$client
      .prepare('INSERT INTO ai_receptionist_conversations (id, tenant_id, client_id, channel, started_at, transcript, total_turns) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('conv-locked-1', tenantId, 'cl_a1', 'voice', Date.now(), '[]', 0);
    const locked = open(await h.get('/stream', h.a.tokens.locked));
    const full = open(await h.get('/stream', h.a.tokens.read));
    await locked.until(() => locked.events.some((e) => e.event === 'ready'));
    await full.until(() => full.events.some((e) => e.event === 'ready'));
    const seqs = h.live.outbox.commit(tenantId, (emit) => ({
      mine: emit('activity.new', { client_id: 'cl_a1' }).seq,
      other: emit('activity.new', { client_id: 'cl_zz' }).seq,
      anonymous: emit('activity.new', { client_id: null }).seq,
      metric: emit('metric.update', { today: {} }).seq,
      myError: emit('error.detected', { conversation_id: 'conv-locked-1' }).seq,
      otherError: emit('error.detected', { conversation_id: null }).seq,
      fix: emit('fix.approved', { error_id: 'e' }).seq,
      health: emit('system.health.change', { component_name: 'x', status: 'down' }).seq,
    }));
    await full.until(() => ids(full.events).includes(seqs.health));
    await locked.until(() => ids(locked.events).includes(seqs.health));
    assert.deepEqual(ids(locked.events.filter((e) => e.event !== 'ready')), [seqs.mine, seqs.myError, seqs.health]);
    assert.equal(ids(full.events).filter((id) => id >= seqs.mine).length, 8);
    await locked.cancel();
    // Replay applies the same rule.
    const replay = open(await h.get(`/stream?last_event_id=${seqs.mine - 1}`, h.a.tokens.locked));
    await replay.until(() => replay.events.some((e) => e.event === 'ready'));
    assert.deepEqual(ids(replay.events.filter((e) => e.event !== 'ready')), [seqs.mine, seqs.myError, seqs.health]);
    await replay.cancel();
    await full.cancel();
  });

  test('Last-Event-ID (header or parameter) replays what was missed, in order, exactly once, then goes live', async () => {
    const before = h.live.outbox.window(h.a.tenant.id).last!;
    const missed = publish(h.a.tenant.id, 1200); // more than one replay batch
    for (const init of [{ headers: { 'last-event-id': String(before) } }, {}]) {
      const path = init.headers ? '/stream' : `/stream?last_event_id=${before}`;
      const s = open(await h.get(path, h.a.tokens.read, init));
      await s.until(() => s.events.some((e) => e.event === 'ready'));
      const live = publish(h.a.tenant.id, 2);
      await s.until(() => ids(s.events, 'activity.new').length === missed.length + 2);
      assert.deepEqual(ids(s.events, 'activity.new'), [...missed, ...live]);
      missed.push(...live);
      await s.cancel();
    }
  });

  test('an id past the retention window, or from the future, gets event: reset, then live events', async () => {
    const h2 = await createHarness({ live: { retentionMs: 60_000 } });
    try {
      publish.call(null, 0, 0);
      const old = h2.live.outbox.commit(h2.a.tenant.id, (emit) => [emit('activity.new', {}).seq, emit('activity.new', {}).seq]);
      h2.clock.now += 120_000;
      const recent = h2.live.outbox.commit(h2.a.tenant.id, (emit) => emit('activity.new', {}).seq);
      assert.equal(h2.live.prune(), 2);
      for (const last of [old[0]! - 1, 999]) {
        const s = open(await h2.get('/stream', h2.a.tokens.read, { headers: { 'last-event-id': String(last) } }));
        await s.until(() => s.events.some((e) => e.event === 'ready'));
        assert.equal(s.events[0]!.event, 'reset');
        assert.equal(JSON.parse(s.events[0]!.data).last_event_id, last);
        assert.equal(Number(s.events[1]!.id), recent);
        await s.cancel();
      }
      // The newest event is kept, so the sequence never restarts after pruning.
      assert.equal(h2.live.outbox.window(h2.a.tenant.id).last, recent);
    } finally {
      h2.close();
    }
  });

  test('replay survives a restart: a new app on the same database file resumes where the client stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'air-restart-'));
    const file = join(dir, 'db.sqlite');
    const config = { embedSecret: SECRET, corsOrigins: [], bodyLimitBytes: 1 << 20 };
    try {
      const db1 = openDb(file);
      migrate(db1);
      const boot = await createHarness(); // only for a tenant and a token shape; the file gets its own
      boot.close();
      db1.$client.prepare("INSERT INTO tenants (slug, name) VALUES ('acme', 'ACME')").run();
      const live1 = new LivePipeline(db1, { sql: new Statements(db1.$client), clock: Date.now });
      const app1 = createApp({ db: db1, config, live: live1 });
      const { signEmbedToken } = await import('../auth/tokens.js');
      const token = (await signEmbedToken(SECRET, { tenant: 'acme', subject: 'u', scopes: ['read'] })).token;
      const tenantId = 1;
      const first = live1.outbox.commit(tenantId, (emit) => [emit('activity.new', { a: 1 }).seq, emit('activity.new', { a: 2 }).seq]);
      const s1 = open(await app1.request('/api/v1/ai-receptionist/dashboard/stream', { headers: { authorization: `Bearer ${token}`, 'last-event-id': '0' } }));
      await s1.until(() => ids(s1.events, 'activity.new').length === 2);
      await s1.cancel();
      live1.close();
      db1.$client.close();

      const db2 = openDb(file);
      migrate(db2);
      const live2 = new LivePipeline(db2, { sql: new Statements(db2.$client), clock: Date.now });
      const app2 = createApp({ db: db2, config, live: live2 });
      const later = live2.outbox.commit(tenantId, (emit) => [emit('activity.new', { a: 3 }).seq]);
      assert.equal(later[0], first[1]! + 1, 'the sequence continues across the restart');
      const s2 = open(await app2.request('/api/v1/ai-receptionist/dashboard/stream', { headers: { authorization: `Bearer ${token}`, 'last-event-id': String(first[1]) } }));
      await s2.until(() => ids(s2.events, 'activity.new').length === 1);
      assert.deepEqual(ids(s2.events, 'activity.new'), later);
      await s2.cancel();
      live2.close();
      db2.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('property: a client that disconnects and reconnects at random points receives every event once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.boolean()), { minLength: 1, maxLength: 8 }), async (plan) => {
        const tenantId = h.a.tenant.id;
        let last = h.live.outbox.window(tenantId).last ?? 0;
        const published: number[] = [];
        const received: number[] = [];
        for (const [whileAway, whileConnected, mixTypes] of plan) {
          published.push(...publish(tenantId, whileAway));
          const s = open(await h.get('/stream?topics=activity', h.a.tokens.read, { headers: { 'last-event-id': String(last) } }));
          if (mixTypes) publish(tenantId, 2, 'error.detected');
          published.push(...publish(tenantId, whileConnected));
          // Disconnect at a random point: after some of what is due has arrived.
          const due = published.length;
          await s.until(() => s.events.some((e) => e.event === 'ready') && received.length + ids(s.events, 'activity.new').length >= due - (whileConnected >> 1));
          const got = ids(s.events, 'activity.new');
          received.push(...got);
          if (got.length) last = got[got.length - 1]!;
          else last = Number(s.events.find((e) => e.event === 'ready')?.id ?? last);
          await s.cancel();
        }
        const s = open(await h.get('/stream?topics=activity', h.a.tokens.read, { headers: { 'last-event-id': String(last) } }));
        await s.until(() => s.events.some((e) => e.event === 'ready'));
        received.push(...ids(s.events, 'activity.new'));
        await s.cancel();
        assert.deepEqual(received, published);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  test('no credential → 401; the access_token parameter works; a bad Last-Event-ID → 400; the wrong scope → 403', async () => {
    await problem(await h.request('/stream'), 401);
    const viaQuery = await h.request(`/stream?access_token=${encodeURIComponent(h.a.tokens.read)}`);
    assert.equal(viaQuery.status, 200);
    await viaQuery.body!.cancel();
    const p = await problem(await h.get('/stream', h.a.tokens.read, { headers: { 'last-event-id': '12abc' } }), 400);
    assert.equal(p.errors?.[0]?.field, 'Last-Event-ID');
    await problem(await h.get('/stream?last_event_id=-1', h.a.tokens.read), 400);
    await problem(await h.get('/stream?topics=gossip', h.a.tokens.read), 400);
    await problem(await h.get('/stream', h.a.keys.ingest), 403);
  });

  test('the per-tenant cap answers 429 with Retry-After; closing a stream frees its place and its listener', async () => {
    const baseline = h.live.bus.subscriberCount(h.a.tenant.id);
    const open3 = await Promise.all([1, 2, 3].map(() => h.get('/stream', h.a.tokens.read)));
    const streams = open3.map(open);
    await Promise.all(streams.map((s) => s.until(() => s.events.some((e) => e.event === 'ready'))));
    const refused = await h.get('/stream', h.a.tokens.read);
    await problem(refused, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const other = await h.get('/stream', h.b.tokens.read);
    assert.equal(other.status, 200, 'another tenant is not affected');
    await other.body!.cancel();
    await Promise.all(streams.map((s) => s.cancel()));
    assert.equal(h.live.bus.subscriberCount(h.a.tenant.id), baseline);
    const again = await h.get('/stream', h.a.tokens.read);
    assert.equal(again.status, 200);
    await again.body!.cancel();
  });

  test('heartbeat comments arrive on an idle stream', async () => {
    const h3 = await createHarness({ sseHeartbeatMs: 1000 });
    try {
      const s = open(await h3.get('/stream', h3.a.tokens.read));
      await s.until(() => s.comments.length > 0);
      assert.equal(s.comments[0]!.trim(), 'heartbeat');
      await s.cancel();
    } finally {
      h3.close();
    }
  });
});

describe('GET /stream on the Node server (frames written straight to the socket)', () => {
  test('the head carries the middleware’s CORS headers, then exact frames, live events and heartbeats; leaving frees the place', async () => {
    const h2 = await createHarness({ sseHeartbeatMs: 200 });
    const server = serve({ fetch: h2.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const abort = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/ai-receptionist/dashboard/stream?topics=activity`, {
        headers: { authorization: `Bearer ${h2.a.tokens.read}`, origin: 'https://acme.crm.example' },
        signal: abort.signal,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://acme.crm.example');
      assert.equal(res.headers.get('x-hono-already-sent'), null);
      const s = open(res);
      const start = h2.live.outbox.window(h2.a.tenant.id).last ?? 0;
      await s.until(() => s.events.some((e) => e.event === 'ready'));
      assert.deepEqual(s.events.map((e) => [e.event, e.id]), [['ready', String(start)]]);
      const [seq] = h2.live.outbox.commit(h2.a.tenant.id, (emit) => [emit('activity.new', { client_id: null, n: 1 }).seq]);
      await s.until(() => s.events.some((e) => e.event === 'activity.new'));
      assert.deepEqual(ids(s.events, 'activity.new'), [seq]);
      await s.until(() => s.comments.some((c) => c.trim() === 'heartbeat'));
      assert.equal(h2.live.bus.subscriberCount(h2.a.tenant.id), 1);
      abort.abort();
      for (let i = 0; i < 200 && h2.live.bus.subscriberCount(h2.a.tenant.id) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(h2.live.bus.subscriberCount(h2.a.tenant.id), 0);
    } finally {
      server.closeAllConnections();
      server.close();
      await h2.close();
    }
  });
});

/** The bytes of a raw HTTP request on 127.0.0.1, as they arrive. */
function rawRequest(port: number, request: string) {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.write(request);
  return {
    get text() {
      return text;
    },
    async until(predicate: (text: string) => boolean): Promise<void> {
      for (let i = 0; i < 500 && !predicate(text); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(predicate(text), `not seen in:\n${text}`);
    },
    close: () => socket.destroy(),
  };
}

/** Decodes a chunked body strictly: each chunk must be `<hex size>\r\n<exactly size bytes>\r\n`. */
function chunksOf(body: string): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    assert.ok(eol > at, `a chunk size line at ${at}`);
    const size = parseInt(body.slice(at, eol), 16);
    assert.match(body.slice(at, eol), /^[0-9a-f]+$/);
    const data = body.slice(eol + 2, eol + 2 + size);
    assert.equal(Buffer.byteLength(data, 'latin1'), size);
    assert.equal(body.slice(eol + 2 + size, eol + 4 + size), '\r\n', 'each chunk ends with CRLF');
    chunks.push(data);
    at = eol + 4 + size;
  }
  return chunks;
}

describe('GET /stream on the Node server, byte for byte', () => {
  test('HTTP/1.1: every chunk is whole and holds whole frames (replay, ready, live events published together, heartbeats); HTTP/1.0: plain frames', async () => {
    const h2 = await createHarness({ sseHeartbeatMs: 200 });
    const server = serve({ fetch: h2.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const path = '/api/v1/ai-receptionist/dashboard/stream?topics=activity';
    const tenant = h2.a.tenant.id;
    try {
      const [first] = h2.live.outbox.commit(tenant, (emit) => [emit('activity.new', { client_id: null, n: 1 }).seq, emit('activity.new', { client_id: null, n: 2 }).seq]);
      const http11 = rawRequest(port, `GET ${path}&last_event_id=${first! - 1} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h2.a.tokens.read}\r\n\r\n`);
      await http11.until((t) => t.includes('event: ready'));
      const live = h2.live.outbox.commit(tenant, (emit) => [3, 4, 5].map((n) => emit('activity.new', { client_id: null, n }).seq));
      await http11.until((t) => t.includes(`id: ${live[2]}\n`) && t.includes(': heartbeat'));
      const [head, body] = http11.text.split('\r\n\r\n', 2) as [string, string];
      const rest = http11.text.slice(head.length + 4);
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\ntransfer-encoding: chunked/i);
      assert.ok(body.length > 0);
      // Only whole chunks so far (the last may still be arriving: cut there).
      const whole = rest.slice(0, rest.lastIndexOf('\n\r\n') + 3);
      const chunks = chunksOf(whole);
      for (const chunk of chunks) assert.match(chunk, /\n\n$/, 'a chunk ends where a frame ends');
      const frames = chunks.join('').split('\n\n').filter(Boolean);
      assert.equal(frames[0], 'retry: 3000');
      const events = frames.filter((f) => f.startsWith('id: '));
      assert.deepEqual(
        events.map((f) => f.split('\n').slice(0, 2).join(' ')),
        [
          `id: ${first} event: activity.new`,
          `id: ${first! + 1} event: activity.new`,
          `id: ${first! + 1} event: ready`,
          ...live.map((seq) => `id: ${seq} event: activity.new`),
        ],
      );
      assert.equal(events[3], `id: ${live[0]}\nevent: activity.new\ndata: {"client_id":null,"n":3}`);
      assert.ok(frames.includes(': heartbeat'));
      http11.close();

      const http10 = rawRequest(port, `GET ${path} HTTP/1.0\r\nAuthorization: Bearer ${h2.a.tokens.read}\r\n\r\n`);
      await http10.until((t) => t.includes('event: ready'));
      const [seq] = h2.live.outbox.commit(tenant, (emit) => [emit('activity.new', { client_id: null, n: 6 }).seq]);
      await http10.until((t) => t.includes(`id: ${seq}\n`));
      const [head10] = http10.text.split('\r\n\r\n', 1) as [string];
      assert.doesNotMatch(head10, /transfer-encoding/i);
      assert.ok(http10.text.slice(head10.length + 4).startsWith('retry: 3000\n\n'), 'no chunk framing on HTTP/1.0');
      assert.ok(http10.text.includes(`id: ${seq}\nevent: activity.new\ndata: {"client_id":null,"n":6}\n\n`));
      http10.close();
    } finally {
      server.closeAllConnections();
      server.close();
      await h2.close();
    }
  });
});

describe('Outbox.prune', () => {
  test('deletes each tenant’s events older than the window and nothing newer; a tenant’s newest event always stays', async () => {
    const h2 = await createHarness();
    try {
      const { outbox } = h2.live;
      const [a, b] = [h2.a.tenant.id, h2.b.tenant.id];
      const emit = (tenant: number, n: number) => outbox.commit(tenant, (e) => Array.from({ length: n }, () => e('activity.new', { client_id: null }).seq));
      const aOld = emit(a, 3);
      const bOld = emit(b, 2);
      h2.clock.now += 10_000;
      const aNew = emit(a, 2);
      assert.equal(outbox.prune(5_000), 3 + 1, 'a: its 3 old ones; b: all but its newest');
      assert.deepEqual(outbox.after(a, 0).map((e) => e.seq), aNew);
      assert.deepEqual(outbox.after(b, 0).map((e) => e.seq), [bOld[1]]);
      assert.equal(outbox.prune(5_000), 0, 'nothing more to prune');
      assert.ok(aOld.every((seq) => seq < aNew[0]!));
    } finally {
      h2.close();
    }
  });
});

describe('StreamHub', () => {
  test('a client that does not read is dropped once its queue passes the limit, not buffered without bound', async () => {
    const hub = new StreamHub(h.live, { maxQueuedBytes: 4096 });
    const auth = { tenant: { ...h.a.tenant, roi: {} as never }, kind: 'embed_token' as const, subject: 's', scopes: new Set(['read' as const]), clientId: null };
    const body = hub.open(auth, new Set(['activity']), undefined);
    const reader = body.getReader();
    await reader.read(); // retry:
    await reader.read(); // ready: now live
    assert.equal(hub.size, 1);
    const subscribers = h.live.bus.subscriberCount(h.a.tenant.id);
    for (let i = 0; i < 100 && hub.size; i++) publish(h.a.tenant.id, 1);
    assert.equal(hub.size, 0, 'dropped');
    assert.equal(h.live.bus.subscriberCount(h.a.tenant.id), subscribers - 1, 'its listener is gone');
    // What was queued before the drop can still be read, then the stream ends; the client resumes by id.
    let chunks = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks++;
    assert.ok(chunks > 0);
  });
});
