/**
 * The live benchmarks of SPEC §9, against a real server process: ingest throughput (single
 * events and batches, acknowledged over HTTP), idle SSE streams and the server's memory per
 * stream, publish→deliver latency and deliveries per second at many subscribers. The load comes
 * from other processes (autocannon, `sse-clients.ts`), so the server's figures are its own.
 *
 * Run alone: `tsx bench/live.ts --db .bench/bench.db --secret … [--tenant bench] [--quick] [--only ingest|sse]`
 * (the database must hold the tenant); `npm run bench` runs it after the other benchmarks.
 */
import { spawnServer, stopProcess as stop } from '../api/test/server-process.js';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiKey } from '../api/auth/keys.js';
import { findTenant } from '../api/auth/tenants.js';
import { signEmbedToken } from '../api/auth/tokens.js';
import { openDb } from '../api/db/client.js';
import { printTable, type Row } from './table.js';
import { tcpFloor } from './tcp-floor.js';
import { ingestCeiling, type IngestCeiling } from './ingest-ceiling.js';

export interface LiveOptions {
  dbPath: string;
  secret: string;
  quick: boolean;
  tenantSlug: string;
  /** Run only one part (for iterating on it). */
  only?: 'ingest' | 'sse';
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('./sse-clients.ts', import.meta.url));
const require = createRequire(import.meta.url);
const log = (s: string) => process.stderr.write(s + '\n');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export const ACTIVITY = {
  action_type: 'incoming_call',
  channel: 'voice',
  client_id: 'cl_1',
  client_name: 'Ann',
  outcome_status: 'success',
  response_time_ms: 900,
  confidence_score: 0.9,
} as const;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** User + system CPU time of a process so far, in ms (all its threads). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
}

export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

// --- server -------------------------------------------------------------------------------------

export interface Server {
  child: ChildProcess;
  port: number;
}

export function startServer(opts: LiveOptions): Promise<Server> {
  return spawnServer({ dbPath: opts.dbPath, secret: opts.secret, env: { SSE_MAX_PER_TENANT: '20000', INGEST_RATE_PER_SECOND: '1000000' } });
}

// --- ingest over HTTP (autocannon in its own process) ----------------------------------------------

export interface LoadResult {
  ok2xx: number;
  seconds: number;
  errors: number;
  p99: number;
}

export function autocannon(args: string[], children: Set<ChildProcess>): Promise<LoadResult> {
  const bin = require.resolve('autocannon/autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-j', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.once('exit', () => {
      children.delete(child);
      try {
        const r = JSON.parse(out);
        resolve({ ok2xx: r['2xx'], seconds: r.duration, errors: r.errors + r.timeouts + r.non2xx, p99: r.latency.p99 });
      } catch (e) {
        reject(new Error(`autocannon gave no result: ${(e as Error).message}`));
      }
    });
  });
}

async function ingestBenchmarks(port: number, apiKey: string, quick: boolean, children: Set<ChildProcess>, ceiling: IngestCeiling | undefined): Promise<Row[]> {
  const seconds = quick ? 3 : 10;
  const url = `http://127.0.0.1:${port}/api/v1/ai-receptionist/ingest/activity`;
  const headers = ['-m', 'POST', '-H', 'content-type=application/json', '-H', `authorization=Bearer ${apiKey}`];
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const rows: Row[] = [];
  try {
    const single = join(dir, 'single.json');
    writeFileSync(single, JSON.stringify(ACTIVITY));
    const batch = join(dir, 'batch.json');
    writeFileSync(batch, JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => ({ ...ACTIVITY, client_id: `cl_${i % 50}` })) }));

    const singleConnections = 32;
    log('ingest: single activities…');
    await autocannon([...headers, '-i', single, '-c', '8', '-d', quick ? '1' : '2', url], children); // warm-up: JIT, page cache
    const s = await autocannon([...headers, '-i', single, '-c', String(singleConnections), '-d', String(seconds), url], children);
    const sRate = s.ok2xx / s.seconds;
    rows.push({
      figure: `ingest, one activity per POST, acknowledged (${singleConnections} connections, ${seconds} s)`,
      goal: '≥ 5,000 events/s, 0 errors',
      measured: `${int(sRate)} events/s, p99 ${s.p99} ms, ${s.errors} errors`,
      ok: s.errors === 0 && sRate >= 5000,
    });

    const batchConnections = 4;
    log('ingest: batches of 1,000…');
    const b = await autocannon([...headers, '-i', batch, '-c', String(batchConnections), '-d', String(seconds), url], children);
    const bRate = (b.ok2xx / b.seconds) * 1000;
    rows.push({
      figure: `ingest, batches of 1,000 per POST, acknowledged (${batchConnections} connections, ${seconds} s)`,
      goal: '≥ 100,000 events/s, 0 errors',
      measured: `${int(bRate)} events/s (${(b.ok2xx / b.seconds).toFixed(1)} req/s), p99 ${b.p99} ms, ${b.errors} errors`,
      baseline: ceiling
        ? `SQLite alone, in process (the server's statements, 1,000 activity + 1,000 event rows per transaction, nothing else): ` +
          `${ceiling.msPerBatch.toFixed(1)} ms per batch = a ceiling of ${int(ceiling.eventsPerSecond)} events/s on one writer`
        : undefined,
      ok: b.errors === 0 && bRate >= 100_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

// --- SSE (client processes driven over IPC) --------------------------------------------------------

export interface Stats {
  open: number;
  latency: number;
  burst: number;
  lastReceivedAt: number;
  dropped: number;
}

/** One `sse-clients.ts` process: commands out, replies in, in order per reply type. */
export class ClientProcess {
  readonly #waiting = new Map<string, { resolve: (m: unknown) => void; reject: (e: Error) => void }[]>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { type: string }) => this.#waiting.get(m.type)?.shift()?.resolve(m));
    child.once('exit', () => {
      for (const list of this.#waiting.values()) for (const w of list.splice(0)) w.reject(new Error('an SSE client process exited'));
    });
  }

  static async start(): Promise<ClientProcess> {
    const child = fork(CLIENT_SCRIPT, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const client = new ClientProcess(child);
    try {
      await client.#reply('started', 30_000);
    } catch (e) {
      await stop(child, 1000);
      throw e;
    }
    return client;
  }

  #reply<T>(type: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return reject(new Error('an SSE client process exited'));
      const list = this.#waiting.get(type) ?? [];
      const waiter = {
        resolve: (m: unknown) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        list.splice(list.indexOf(waiter), 1);
        reject(new Error(`SSE client: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      list.push(waiter);
      this.#waiting.set(type, list);
    });
  }

  request<T>(message: { type: string; [field: string]: unknown }, reply: string, timeoutMs = 60_000): Promise<T> {
    const answer = this.#reply<T>(reply, timeoutMs);
    this.child.send(message);
    return answer;
  }

  open(url: string, token: string, count: number) {
    return this.request<{ open: number; failed: number; error?: string }>({ type: 'open', url, token, count, concurrency: 100 }, 'opened', 120_000);
  }
  stats() {
    return this.request<Stats>({ type: 'stats' }, 'stats', 10_000);
  }
  collect() {
    return this.request<{ latency: Float64Array; burst: Float64Array; lastReceivedAt: number }>({ type: 'collect' }, 'results', 30_000);
  }
  drop() {
    return this.request({ type: 'drop' }, 'dropped', 30_000);
  }
  /** How many counted activity.new frames each stream opened since the last drop received. */
  counts() {
    return this.request<{ counts: Uint32Array }>({ type: 'counts' }, 'counts', 10_000);
  }
  async stop(): Promise<void> {
    await stop(this.child, 2000);
  }
}

export const publisher = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function post(port: number, apiKey: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/ai-receptionist/ingest/activity',
        method: 'POST',
        agent: publisher,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('ingest request timed out')));
    req.once('error', reject);
    req.end(body);
  });
}

/** Polls the clients until `expected` deliveries of a phase have arrived, or none arrived for 3 s. */
export async function awaitDeliveries(clients: ClientProcess[], phase: 'latency' | 'burst', expected: number, maxMs: number): Promise<Stats[]> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const stats = await Promise.all(clients.map((c) => c.stats()));
    const got = stats.reduce((n, s) => n + s[phase], 0);
    if (got !== last) {
      last = got;
      lastChange = Date.now();
    }
    if (got >= expected || Date.now() - lastChange > 3000 || Date.now() > deadline) return stats;
    await sleep(100);
  }
}

/** Pushes its rows as it goes, so the figures measured before a failure are kept. */
async function sseBenchmarks(server: Server, token: string, apiKey: string, quick: boolean, clients: ClientProcess[], rows: Row[]): Promise<void> {
  const streams = quick ? 2_000 : 10_000;
  // Subscribed to activity.new only (what a feed shows): the coalesced metric.update pushes would
  // add fan-outs that the figures below do not count.
  const url = `http://127.0.0.1:${server.port}/api/v1/ai-receptionist/dashboard/stream?topics=activity`;
  const pid = server.child.pid!;

  for (let i = 0; i < 2; i++) clients.push(await ClientProcess.start());
  // Warm-up: the stream route compiled and its modules loaded before the baseline is taken.
  await clients[0]!.open(url, token, 200);
  await clients[0]!.drop();
  await sleep(1500);
  const before = rssKb(pid);

  log(`sse: opening ${int(streams)} streams from ${clients.length} processes…`);
  const t0 = performance.now();
  const share = (i: number) => Math.floor(streams / clients.length) + (i < streams % clients.length ? 1 : 0);
  const opened = await Promise.all(clients.map((c, i) => c.open(url, token, share(i))));
  const openSeconds = (performance.now() - t0) / 1000;
  const held = opened.reduce((n, o) => n + o.open, 0);
  const failed = opened.reduce((n, o) => n + o.failed, 0);
  await sleep(2000);
  const after = rssKb(pid);
  const perStream = (after - before) / Math.max(1, held);
  rows.push({
    figure: `SSE idle streams held, server RSS per stream (${clients.length} client processes, node http)`,
    goal: `${int(streams)} held, ≤ 20 KB/stream`,
    measured:
      `${int(held)} held (${failed} failed${failed ? `: ${opened.find((o) => o.error)?.error}` : ''}, opened in ${openSeconds.toFixed(1)} s), ` +
      `${perStream.toFixed(1)} KB/stream (RSS ${int(before / 1024)} → ${int(after / 1024)} MB)`,
    ok: held === streams && perStream <= 20,
  });
  if (held === 0) return;

  // Publish → deliver: single ingests over HTTP at a steady pace, each stamped with its send time.
  // The pace keeps the fan-out at about 20,000 deliveries/s (2 events/s at 10,000 streams), below
  // what server and clients can absorb on a small machine: above it, the figure would measure a
  // growing queue rather than the latency of a delivery.
  const rate = Math.max(1, Math.round(20_000 / held));
  const seconds = quick ? 5 : 10;
  const events = rate * seconds;
  log(`sse: ${events} single ingests at ${rate}/s to ${int(held)} subscribers…`);
  // Warm-up, not counted: the first fan-outs also compile the delivery path.
  for (let i = 0; i < 3; i++) {
    await post(server.port, apiKey, JSON.stringify({ ...ACTIVITY, metadata: { sent_at: now(), phase: 'warm-up' } }));
    await sleep(300);
  }
  await sleep(1000);
  const posts: Promise<number>[] = [];
  const cpuBefore = cpuMs(pid);
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    posts.push(post(server.port, apiKey, JSON.stringify({ ...ACTIVITY, metadata: { sent_at: now(), phase: 'latency' } })));
  }
  const statuses = await Promise.all(posts);
  const rejected = statuses.filter((s) => s !== 201).length;
  let stats = await awaitDeliveries(clients, 'latency', events * held, 30_000);
  const cpuPerEvent = (cpuMs(pid) - cpuBefore) / events;
  let results = await Promise.all(clients.map((c) => c.collect()));
  const latencies = concat(results.map((r) => r.latency)).sort();
  const dropped = () => stats.reduce((n, s) => n + s.dropped, 0);
  const missing = events * held - latencies.length;
  const p99 = percentile(latencies, 99);
  rows.push({
    figure: `SSE publish→deliver, ${int(held)} subscribers (${events} single ingests over HTTP at ${rate}/s; POST sent → frame received)`,
    goal: 'p99 ≤ 50 ms',
    measured:
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${percentile(latencies, 100).toFixed(0)} ms; ` +
      `${int(latencies.length)} deliveries, ${int(missing)} missing, ${dropped()} streams dropped${rejected ? `, ${rejected} ingests rejected` : ''}; ` +
      `server CPU ${cpuPerEvent.toFixed(0)} ms per event (${((cpuPerEvent * 1000) / held).toFixed(1)} µs per delivery)`,
    ok: p99 <= 50 && missing === 0 && rejected === 0,
  });
  const latencyRow = rows.length - 1;

  // Deliveries per second: a burst of batches of 100, from the first send to the last receipt.
  const batches = quick ? 2 : 1;
  const perBatch = 100;
  log(`sse: burst of ${batches} × ${perBatch} activities to ${int(held)} subscribers…`);
  const burstStart = now();
  let burstRejected = 0;
  for (let b = 0; b < batches; b++) {
    const sentAt = now();
    const items = Array.from({ length: perBatch }, () => ({ ...ACTIVITY, metadata: { sent_at: sentAt, phase: 'burst' } }));
    if ((await post(server.port, apiKey, JSON.stringify({ items }))) !== 201) burstRejected++;
  }
  const expected = batches * perBatch * held;
  stats = await awaitDeliveries(clients, 'burst', expected, 60_000);
  results = await Promise.all(clients.map((c) => c.collect()));
  const delivered = results.reduce((n, r) => n + r.burst.length, 0);
  const lastAt = Math.max(...results.map((r) => r.lastReceivedAt));
  const wallMs = delivered > 0 ? lastAt - burstStart : NaN;
  const perSecond = delivered > 0 ? (delivered / wallMs) * 1000 : 0;
  const burstLatencies = concat(results.map((r) => r.burst)).sort();
  rows.push({
    figure: `SSE deliveries/s, ${int(held)} subscribers (${batches === 1 ? 'a batch' : `${batches} batches`} of ${perBatch} activities ingested at once; first send → last receipt)`,
    goal: '≥ 100,000/s',
    measured:
      `${int(perSecond)} deliveries/s (${int(delivered)} in ${(wallMs / 1000).toFixed(2)} s, ${int(expected - delivered)} missing, ` +
      `${dropped()} streams dropped${burstRejected ? `, ${burstRejected} batches rejected` : ''}); latency p50 ${percentile(burstLatencies, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(burstLatencies, 99).toFixed(0)} ms`,
    ok: perSecond >= 100_000 && delivered === expected && burstRejected === 0,
  });

  await Promise.all(clients.map((c) => c.drop()));

  // The floor under publish→deliver: the same connections written with plain socket writes.
  log(`sse: raw TCP floor at ${int(held)} connections…`);
  await sleep(1000);
  const floor = await tcpFloor(held, events);
  rows[latencyRow]!.baseline =
    `raw TCP floor (same ${int(held)} connections, one socket.write each, no HTTP): p50 ${floor.p50.toFixed(1)} ms, p99 ${floor.p99.toFixed(1)} ms; ` +
    `writer CPU ${(floor.userMs + floor.systemMs).toFixed(0)} ms per round (${floor.systemMs.toFixed(0)} ms in the kernel)` +
    (floor.received === floor.expected ? '' : `; ${int(floor.expected - floor.received)} missing`);
}

// --- entry ------------------------------------------------------------------------------------------

const failed = (figure: string, e: unknown): Row[] => [{ figure, goal: 'runs', measured: `failed: ${e instanceof Error ? e.message : String(e)}`, ok: false }];

/**
 * Starts a server on `dbPath` (which must hold `tenantSlug`), measures, and stops everything it
 * started, also when a measurement fails. Rows come back in table order; a part that fails is a
 * row saying so, so the rest of the table is still printed.
 */
export async function liveBenchmarks(opts: LiveOptions): Promise<Row[]> {
  return run(opts).catch((e) => failed('ingest and SSE benchmarks', e));
}

async function run(opts: LiveOptions): Promise<Row[]> {
  const db = openDb(opts.dbPath);
  let apiKey: string;
  try {
    const tenant = findTenant(db, opts.tenantSlug);
    if (!tenant) throw new Error(`no tenant "${opts.tenantSlug}" in ${opts.dbPath}`);
    apiKey = createApiKey(db, tenant.id, ['ingest'], 'bench').key;
  } finally {
    db.$client.close();
  }
  const token = (await signEmbedToken(opts.secret, { tenant: opts.tenantSlug, subject: 'bench-sse', scopes: ['read'], ttlSeconds: 3600 })).token;

  // Server, load and clients share this machine's cores: other work running now skews every figure.
  log(`live benchmarks: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} before starting`);
  // What SQLite alone takes for a batch, measured before the server opens the database.
  let ceiling: IngestCeiling | undefined;
  if (opts.only !== 'sse') {
    log('ingest: SQLite alone, in process…');
    ceiling = ingestCeiling(opts.dbPath, opts.tenantSlug, ACTIVITY, opts.quick ? 20 : 100);
  }
  const server = await startServer(opts);
  const clients: ClientProcess[] = [];
  const loaders = new Set<ChildProcess>();
  try {
    // Streams first, on a fresh server, so the memory baseline is not the heap left by ingest load.
    const sse: Row[] = [];
    if (opts.only !== 'ingest') await sseBenchmarks(server, token, apiKey, opts.quick, clients, sse).catch((e) => sse.push(...failed('SSE benchmarks', e)));
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    const ingest = opts.only === 'sse' ? [] : await ingestBenchmarks(server.port, apiKey, opts.quick, loaders, ceiling).catch((e) => failed('ingest benchmarks', e));
    return [...ingest, ...sse];
  } finally {
    publisher.destroy();
    await Promise.all([...clients.map((c) => c.stop()), ...[...loaders].map((c) => stop(c, 1000))]);
    await stop(server.child);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      secret: { type: 'string' },
      tenant: { type: 'string', default: 'bench' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  if (!values.db || !values.secret) {
    log('usage: tsx bench/live.ts --db PATH --secret EMBED_SECRET [--tenant bench] [--quick] [--only ingest|sse]');
    process.exit(2);
  }
  const only = values.only === 'ingest' || values.only === 'sse' ? values.only : undefined;
  printTable(await liveBenchmarks({ dbPath: values.db, secret: values.secret, quick: values.quick, tenantSlug: values.tenant, only }));
}
