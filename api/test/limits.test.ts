/**
 * The limits of SPEC §3 and §5: the body limit however the body is framed (Content-Length,
 * chunked, both), the ingest rate limit keyed by the credential and nothing the client controls,
 * the cap on open streams, nesting depth in free-form JSON, and event fields that cannot inject
 * SSE lines. Body framing is tested both in process and over real HTTP on 127.0.0.1, where
 * Node's parser decides what a body is.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { createApiKey } from '../auth/keys.js';
import { INGEST_BASE } from '../routes/ingest/ingest.routes.js';
import { checksum, contractViolations, loadDocument, readAnswer, sseViolations, totalChanges, type ApiDocument, type Operation } from './api-document.js';
import { createHarness, json, problem, type Harness } from './harness.js';
import { isReady, openStream, type OpenStream } from './sse.js';

const QUIET = { live: { metricIntervalMs: 3_600_000 } };

/** Serves an app on 127.0.0.1 (a free port) until `close`. */
async function listen(h: Harness) {
  const server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Writes raw bytes to the server and reads until it closes the connection. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.end(text);
  });
}

/** Resolves once `condition` holds (checked every few milliseconds), or fails after `ms`. */
async function eventually(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function chunks(text: string, size = 1000): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += size)));
    },
  });
}

describe('body limit: 413 problem+json and nothing written, however the body is framed', () => {
  const LIMIT = 4096;
  let h: Harness;
  let api: ApiDocument;
  let bodyOps: Operation[];

  before(async () => {
    h = await createHarness({ ...QUIET, bodyLimitBytes: LIMIT });
    api = await loadDocument(h);
    bodyOps = api.operations.filter((op) => op.body);
    assert.ok(bodyOps.length >= 5);
  });
  after(() => h.close());

  /** A JSON body of exactly `bytes` bytes: an object with one long string. */
  const sized = (bytes: number) => JSON.stringify({ note: 'x'.repeat(bytes - 11) });
  const pathOf = (op: Operation) => op.path.replace(/\{\w+\}/g, 'limit_probe');
  const credentialFor = (op: Operation) => (op.path.startsWith(`${INGEST_BASE}/`) ? h.a.keys.ingest : h.a.keys.admin);

  const framings = {
    'Content-Length': (body: string) => ({ body, headers: { 'content-length': String(Buffer.byteLength(body)) } }),
    'chunked (no Content-Length)': (body: string) => ({ body: chunks(body), duplex: 'half', headers: {} }),
    'Content-Length and chunked': (body: string) => ({ body: chunks(body), duplex: 'half', headers: { 'content-length': '10', 'transfer-encoding': 'chunked' } }),
  } as const;

  for (const [framing, frame] of Object.entries(framings)) {
    test(`${framing}: every operation with a body`, async () => {
      assert.equal(sized(LIMIT).length, LIMIT);
      for (const op of bodyOps) {
        const send = (body: string) => {
          const { headers, ...init } = frame(body);
          return h.request(pathOf(op), {
            ...(init as RequestInit),
            method: op.method,
            credential: credentialFor(op),
            headers: { ...headers, 'content-type': 'application/json' },
          });
        };
        const changes = totalChanges(h.db);
        const sum = checksum(h.db);
        const over = await send(sized(LIMIT + 1));
        const answer = await readAnswer(over);
        assert.equal(answer.status, 413, `${op.method} ${op.path}: ${answer.status} ${answer.text}`);
        assert.deepEqual(contractViolations(api, op, answer), []);
        assert.equal(totalChanges(h.db), changes, 'nothing written');
        assert.equal(checksum(h.db), sum, 'nothing written');
        // At the limit exactly, the body is read (and then judged on its content).
        const at = await send(sized(LIMIT));
        assert.notEqual(at.status, 413, `${op.method} ${op.path} at the limit`);
        await at.arrayBuffer();
      }
    });
  }

  test('over real HTTP: Content-Length and chunked bodies over the limit → 413; both headers at once are refused by the parser', async () => {
    const server = await listen(h);
    try {
      const url = `${server.url}${INGEST_BASE}/activity`;
      const headers = { authorization: `Bearer ${h.a.keys.ingest}`, 'content-type': 'application/json' };
      const body = JSON.stringify({ action_type: 'incoming_call', channel: 'voice', message_in: 'x'.repeat(LIMIT) });
      const changes = totalChanges(h.db);

      await problem(await fetch(url, { method: 'POST', headers, body }), 413);
      await problem(await fetch(url, { method: 'POST', headers, body: chunks(body), duplex: 'half' } as RequestInit), 413);
      // Content-Length and Transfer-Encoding together are what request smuggling is made of: Node's parser refuses them
      // before the app sees anything.
      const chunked = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      const both = await raw(
        server.port,
        `POST ${INGEST_BASE}/activity HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.a.keys.ingest}\r\nContent-Type: application/json\r\n` +
          `Content-Length: 10\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`,
      );
      assert.match(both, /^HTTP\/1\.1 400 /);
      // A Content-Length smaller than the body: only that many bytes are the body (not JSON here), and the rest is
      // parsed as a next request, which is malformed: the connection is answered 400 and closed.
      const short = await raw(
        server.port,
        `POST ${INGEST_BASE}/activity HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.a.keys.ingest}\r\nContent-Type: application/json\r\n` +
          `Content-Length: 10\r\n\r\n${body}`,
      );
      assert.match(short, /^HTTP\/1\.1 400 /);
      assert.doesNotMatch(short, /HTTP\/1\.1 2\d\d /);
      assert.equal(totalChanges(h.db), changes, 'nothing written');
    } finally {
      await server.close();
    }
  });
});

describe('free-form JSON is bounded in depth', () => {
  test('metadata nested deeper than 32 levels → 400 naming it, also thousands deep (it used to overflow the stack: 500)', async () => {
    const h = await createHarness(QUIET);
    try {
      const send = (depth: number) =>
        h.request(`${INGEST_BASE}/activity`, {
          method: 'POST',
          credential: h.a.keys.ingest,
          headers: { 'content-type': 'application/json' },
          body: `{"action_type":"incoming_call","channel":"voice","metadata":{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}}`,
        });
      await json(await send(32), 201);
      const changes = totalChanges(h.db);
      for (const depth of [33, 5_000, 100_000]) {
        const p = await problem(await send(depth), 400);
        assert.deepEqual(p.errors?.map((e) => e.field), ['metadata'], `depth ${depth}`);
      }
      assert.equal(totalChanges(h.db), changes);
    } finally {
      h.close();
    }
  });
});

describe('dates are bounded', () => {
  test('a date parameter outside 1970-01-01…9999-12-30 → 400 naming it, on every operation that takes one (year 99 used to send the hourly series into a loop of minutes)', async () => {
    const h = await createHarness(QUIET);
    try {
      const api = await loadDocument(h);
      const dated = api.operations.flatMap((op) =>
        op.parameters.filter((p) => p.in === 'query' && typeof p.schema === 'object' && p.schema.format === 'date').map((p) => ({ op, name: p.name })),
      );
      assert.ok(dated.length >= 5, `${dated.length} date parameters`);
      for (const { op, name } of dated) {
        for (const date of ['0099-12-31', '0000-01-01', '1969-12-31', '9999-12-31']) {
          const p = await problem(await h.get(`${op.path}?${name}=${date}`, h.a.keys.admin, { method: op.method }), 400);
          assert.deepEqual(p.errors?.map((e) => e.field), [name], `${op.method} ${op.path}?${name}=${date}`);
        }
        const ok = await h.get(`${op.path}?${name}=1970-01-01`, h.a.keys.admin, { method: op.method });
        assert.notEqual(ok.status, 500);
        await ok.arrayBuffer();
      }
    } finally {
      h.close();
    }
  });
});

describe('ingest rate limit: a bucket per credential, never per anything the client sends', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ ...QUIET, ingestRatePerSecond: 1 }); // bursts of 2
  });
  after(() => h.close());

  const activity = JSON.stringify({ action_type: 'incoming_call', channel: 'voice' });
  const send = (credential: string, headers: Record<string, string> = {}) =>
    h.request(`${INGEST_BASE}/activity`, { method: 'POST', credential, body: activity, headers: { 'content-type': 'application/json', ...headers } });

  const SPOOFS: Record<string, string>[] = [
    { 'x-forwarded-for': '203.0.113.7' },
    { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' },
    { 'x-real-ip': '203.0.113.8' },
    { forwarded: 'for=203.0.113.10;proto=https' },
    { 'cf-connecting-ip': '203.0.113.11' },
    { 'true-client-ip': '203.0.113.12' },
    { 'x-client-ip': '203.0.113.13' },
    { 'fly-client-ip': '203.0.113.14' },
    { 'x-cluster-client-ip': '203.0.113.15' },
    { 'user-agent': 'another-agent/1.0', origin: 'https://acme.crm.example' },
    { 'idempotency-key': 'fresh-key-1' },
  ];

  test('429 with Retry-After once the credential’s bucket is empty; spoofed client headers change nothing; nothing written', async () => {
    const key = h.a.keys.ingest;
    await json(await send(key), 201);
    await json(await send(key), 201);
    const changes = totalChanges(h.db);
    const refused = await send(key);
    await problem(refused, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    for (const headers of SPOOFS) {
      const res = await send(key, headers);
      await problem(res, 429);
      assert.equal(res.headers.get('retry-after'), '1', JSON.stringify(headers));
    }
    assert.equal(totalChanges(h.db), changes, 'refused requests write nothing');

    // Other credentials have their own buckets: another key of the same tenant, another tenant's key.
    await json(await send(createApiKey(h.db, h.a.tenant.id, ['ingest']).key), 201);
    await json(await send(h.b.keys.ingest), 201);
    // Time refills the bucket.
    h.clock.now += 1000;
    await json(await send(key), 201);
    await problem(await send(key), 429);
  });

  test('failed authentication takes nothing from any bucket', async () => {
    h.clock.now += 10_000;
    const key = createApiKey(h.db, h.a.tenant.id, ['ingest']).key;
    for (let i = 0; i < 20; i++) await problem(await send(`${key.slice(0, -2)}${String(i).padStart(2, '0')}`), 401);
    await json(await send(key), 201);
    await json(await send(key), 201);
    await problem(await send(key), 429);
  });

  test('over real HTTP, from different client addresses: one bucket per credential', async () => {
    h.clock.now += 10_000;
    const key = createApiKey(h.db, h.a.tenant.id, ['ingest']).key;
    const server = await listen(h);
    try {
      const from = (localAddress: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            `${server.url}${INGEST_BASE}/activity`,
            { method: 'POST', localAddress, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-forwarded-for': localAddress } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          );
          req.on('error', reject);
          req.end(activity);
        });
      assert.deepEqual([await from('127.0.0.2'), await from('127.0.0.3'), await from('127.0.0.4')], [201, 201, 429]);
    } finally {
      await server.close();
    }
  });
});

describe('SSE connection cap', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ ...QUIET, sseMaxPerTenant: 2 });
  });
  after(() => h.close());

  /** Streams still open when a test ends (failing or not) are closed, so no stream outlives its test. */
  const open: OpenStream[] = [];
  const stream = async (res: Response) => {
    const s = openStream(res);
    open.push(s);
    await s.until(isReady);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.cancel().catch(() => {});
  });

  test('the tenant’s cap → 429 with Retry-After, however the stream is asked for; other tenants unaffected; a closed stream frees its place', async () => {
    const first = await stream(await h.get('/stream', h.a.tokens.read));
    await stream(await h.get('/stream?topics=errors', h.a.tokens.locked));
    for (const res of [
      await h.get('/stream', h.a.keys.read),
      await h.request(`/stream?access_token=${encodeURIComponent(h.a.tokens.read)}`),
      await h.get('/stream', h.a.tokens.read, { headers: { 'x-forwarded-for': '203.0.113.7', 'last-event-id': '0' } }),
    ]) {
      await problem(res, 429);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    }
    await (await stream(await h.get('/stream', h.b.tokens.read))).cancel();
    await first.cancel();
    await stream(await h.get('/stream', h.a.tokens.read));
  });

  test('refused requests (400, 401, 403) take no place', async () => {
    for (let i = 0; i < 10; i++) {
      await problem(await h.get('/stream', h.a.tokens.read, { headers: { 'last-event-id': 'x' } }), 400);
      await problem(await h.get('/stream', h.a.tokens.expired), 401);
      await problem(await h.get('/stream', h.a.keys.ingest), 403);
    }
    await stream(await h.get('/stream', h.a.tokens.read));
    await stream(await h.get('/stream', h.a.tokens.read));
    await problem(await h.get('/stream', h.a.tokens.read), 429);
  });

  test('over real HTTP, a client that goes away gives its place back', async () => {
    const server = await listen(h);
    try {
      const client = async () => {
        const abort = new AbortController();
        const res = await fetch(`${server.url}/api/v1/ai-receptionist/dashboard/stream`, { headers: { authorization: `Bearer ${h.a.tokens.read}` }, signal: abort.signal });
        assert.equal(res.status, 200);
        const s = openStream(res);
        await s.until(isReady);
        return abort;
      };
      for (let round = 0; round < 3; round++) {
        const clients = [await client(), await client()];
        assert.equal((await fetch(`${server.url}/api/v1/ai-receptionist/dashboard/stream`, { headers: { authorization: `Bearer ${h.a.tokens.read}` } })).status, 429);
        for (const c of clients) c.abort();
        await eventually(() => h.live.bus.subscriberCount(h.a.tenant.id) === 0, 'the server to notice the disconnects');
      }
    } finally {
      await server.close();
    }
  });
});

describe('event fields cannot inject SSE lines', () => {
  const INJECTIONS = [
    '\n\nevent: fake\ndata: x',
    '\r\n\r\nevent: fake\r\ndata: x\r\n\r\n',
    '\revent: fake\rdata: x\r\r',
    'ok\nid: 999999\nretry: 1\n\n',
    '\n: comment\n\ndata: x\n\n',
    '\u2028event: fake\u2029data: x',
    '\u0085event: fake',
  ];

  test('CR, LF and other line breaks in every text field stay inside one data line, live and on replay', async () => {
    const h = await createHarness(QUIET);
    const streams: OpenStream[] = [];
    try {
      const ingest = async (path: string, body: unknown, status = 201) =>
        json(await h.request(`${INGEST_BASE}${path}`, { method: 'POST', credential: h.a.keys.ingest, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }), status);
      const live = openStream(await h.get('/stream', h.a.tokens.read));
      streams.push(live);
      await live.until(isReady);
      const start = h.live.outbox.window(h.a.tenant.id).last ?? 0;

      const sent: string[] = [];
      for (const [i, s] of INJECTIONS.entries()) {
        const activity = {
          action_type: 'incoming_call',
          channel: 'voice',
          client_id: `cl${s}`,
          client_name: `name${s}`,
          message_in: `in${s}`,
          message_out: `out${s}`,
          skill_name: `skill${s}`,
          lead_stage: `stage${s}`,
          metadata: { [`key${s}`]: `value${s}`, nested: [s] },
        };
        sent.push(JSON.stringify((await ingest('/activity', activity)).data));
        const error = (await ingest('/errors', { error_type: 'other', severity: 'low', message_in: s, context: s, skill_name: s, root_cause: s, recommended_fix: s })).data;
        const approved = await h.request(`/errors/${error.id}/approve-fix`, {
          method: 'POST',
          credential: h.a.tokens.write,
          body: JSON.stringify({ note: `note${s}` }),
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(approved.status, 200);
        await ingest(`/system-health/inject_${i}`, { status: i % 2 ? 'down' : 'degraded', message: s }, 200);
      }
      await ingest('/system-health/sentinel', { status: 'down' }, 200);

      const done = (events: { event?: string; data: string }[]) => events.some((e) => e.event === 'system.health.change' && e.data.includes('"sentinel"'));
      const replay = openStream(await h.get(`/stream?last_event_id=${start}`, h.a.tokens.read));
      streams.push(replay);
      for (const s of [live, replay]) await s.until((events) => done(events) && isReady(events));
      for (const [name, s] of Object.entries({ live, replay })) {
        const text = s.raw();
        assert.deepEqual(sseViolations(text), [], `${name}: every frame is id, event and one data line`);
        // SSE lines end at CR, LF or CRLF only (U+2028, U+2029 and U+0085 are ordinary characters there).
        const injected = text.split(/\r\n|\r|\n/).filter((line) => /^(event: fake|data: x|id: 999999|retry: 1|: comment)/.test(line));
        assert.deepEqual(injected, [], `${name}: injected lines`);
        assert.deepEqual(new Set(s.events.map((e) => e.event)), new Set(['ready', 'activity.new', 'error.detected', 'error.updated', 'fix.approved', 'system.health.change']), name);
        // What arrives is what was sent, byte for byte.
        const activities = s.events.filter((e) => e.event === 'activity.new').map((e) => JSON.stringify(JSON.parse(e.data)));
        assert.deepEqual(activities, sent, name);
      }
    } finally {
      for (const s of streams) await s.cancel();
      h.close();
    }
  });
});
