/**
 * Fuzzing from the OpenAPI document: at least 10,000 generated requests, spread over every
 * operation it lists (routes added later included), each sent with a credential that passes
 * authentication and authorization so that it reaches validation and the handlers (and, where the
 * scope allows one, now and then a client-locked token). Parameters,
 * headers and bodies are derived from the documented schemas and then broken (see
 * fuzz-requests.ts). For every answer:
 *   - never a 5xx;
 *   - a 4xx is a complete problem+json whose status is the HTTP status (a 400 names each field);
 *   - a 2xx has a documented status and content type, and its JSON matches the documented schema
 *     (an event stream is read up to its `ready` event, then cancelled, and its frames checked);
 *   - a request that is not answered 2xx changed nothing: no row of any table was inserted,
 *     updated or deleted (SQLite's total_changes() on the app's connection), and every 40th request
 *     is also checked with a checksum of every table before and after.
 * `FUZZ_SEED` replays another sequence; `FUZZ_REQUESTS` changes the total.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { signEmbedToken } from '../auth/tokens.js';
import {
  allows,
  checksum,
  contractViolations,
  credentialsOf,
  exampleRequest,
  isAggregate,
  label,
  loadDocument,
  probeNeed,
  readAnswer,
  rightCredential,
  totalChanges,
  type ApiDocument,
  type Credential,
  type Operation,
} from './api-document.js';
import { describeRequest, requestArb, type FuzzRequest } from './fuzz-requests.js';
import { createHarness, NOW, SECRET, type Harness } from './harness.js';
import { ID_QUERY_PARAMS, idFor, seedMarkedTenant, type IdSet } from './tenant-data.js';

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261120);
const CHECKSUM_EVERY = 40;

let h: Harness;
let api: ApiDocument;
let idSets: IdSet[];
/** The credentials each operation is fuzzed with: the least powerful it accepts, and the client-locked token that has its scope (none for a public one). */
const credentialsFor = new Map<Operation, Credential[]>();

before(async () => {
  // metric.update is pushed only on request here, so no timer writes while a rejected request is being checked.
  h = await createHarness({ live: { metricIntervalMs: 3_600_000 } });
  const a = await seedMarkedTenant(h, h.a, 'acme');
  const b = await seedMarkedTenant(h, h.b, 'bravo');
  idSets = [a.own, a.otherClient, b.own];
  api = await loadDocument(h);
  const lockedWrite = (await signEmbedToken(SECRET, { tenant: 'acme', subject: 'locked@acme', scopes: ['read', 'errors:write'], clientId: 'cl_a1' }, NOW)).token;
  const creds = credentialsOf(h.a, lockedWrite);
  for (const op of api.operations) {
    if (op.public) {
      credentialsFor.set(op, []);
      continue;
    }
    const need = await probeNeed(op, creds, async (c) => {
      const { url, body } = exampleRequest(api, op, (name) => (op.path.includes(`{${name}}`) ? idFor(op.path, name, a.own) : undefined));
      return (await readAnswer(await h.get(url, c.secret, { method: op.method, body, headers: body ? { 'content-type': 'application/json' } : {} }))).status;
    });
    // A locked token only ever gets 403 from a tenant-wide aggregate (the isolation tests check that).
    const locked = isAggregate(op) ? [] : creds.filter((c) => c.clientId !== null && allows(c, need));
    credentialsFor.set(op, [rightCredential(creds, need), ...locked]);
  }
});
after(() => h.close());

/**
 * Ids and names that 2xx answers have shown, by the collection they belong to (`errors`,
 * `webhooks`, `system-health`, …): what the fuzzer created is fuzzed in turn.
 */
const learned = new Map<string, string[]>();
const LEARNED_MAX = 50;

/** The collection a path is about: the segment before its first parameter, else its last segment. */
function collectionOf(path: string, param?: string): string {
  const segments = path.split('/');
  const at = segments.findIndex((s) => (param ? s === `{${param}}` : s.startsWith('{')));
  return at > 0 ? segments[at - 1]! : segments[segments.length - 1]!;
}

function learn(op: Operation, text: string): void {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return;
  }
  const key = collectionOf(op.path);
  const values = learned.get(key) ?? [];
  for (const row of [body, body?.data, ...(Array.isArray(body?.data) ? body.data.slice(0, 5) : [])]) {
    for (const field of ['id', 'component_name', 'skill_name']) {
      const v = row?.[field];
      if (typeof v === 'string' && !values.includes(v)) values.push(v);
    }
  }
  learned.set(key, values.slice(-LEARNED_MAX));
}

/** Ids that exist (seeded in either tenant, or learned from answers), so that some generated requests reach real rows. */
function known(path: string, param: string): string[] {
  const inPath = path.includes(`{${param}}`);
  if (!inPath && !ID_QUERY_PARAMS.has(param)) return [];
  return [...new Set([...idSets.map((ids) => idFor(path, param, ids)), ...(inPath ? (learned.get(collectionOf(path, param)) ?? []) : [])])];
}

/** The operation a request reaches: the one of its path template and method, if the document has it. */
function operationFor(op: Operation, method: string): Operation | undefined {
  return method === op.method ? op : api.operations.find((o) => o.path === op.path && o.method === method);
}

const statuses: Record<string, number> = {};
const successes = new Map<Operation, number>();
let sent = 0;
let checksums = 0;

/**
 * The clock moves a little with each request (the ingest rate limiter refills), but less than a
 * minute in all: authentication records a key's use at most once a minute, a write that would
 * otherwise land on some rejected request.
 */
const CLOCK_STEP_MS = Math.min(1, 50_000 / TOTAL);

async function check(op: Operation, r: FuzzRequest): Promise<void> {
  h.clock.now += CLOCK_STEP_MS;
  const sampled = sent % CHECKSUM_EVERY === 0;
  const changesBefore = totalChanges(h.db);
  const sumBefore = sampled ? checksum(h.db) : '';
  const res = await h.app.request(r.url, { method: r.method, headers: r.headers, body: r.body });
  const answer = await readAnswer(res);
  sent++;
  const key = `${r.method} ${answer.status}`;
  statuses[key] = (statuses[key] ?? 0) + 1;
  if (answer.status >= 200 && answer.status < 300 && r.method === op.method) successes.set(op, (successes.get(op) ?? 0) + 1);

  const reached = operationFor(op, r.method);
  if (answer.status >= 200 && answer.status < 300 && answer.contentType.startsWith('application/json')) learn(reached ?? op, answer.text);
  const violations = reached
    ? contractViolations(api, reached, answer)
    : answer.status >= 200 && answer.status < 300
      ? [`${r.method} is not documented for this path, yet answered ${answer.status}`]
      : contractViolations(api, op, answer);
  if (violations.length) assert.deepEqual(violations, [], describeRequest(r));
  if (answer.status < 200 || answer.status >= 300) {
    assert.equal(totalChanges(h.db), changesBefore, `answered ${answer.status} but wrote to the database: ${describeRequest(r)}`);
    if (sampled) {
      checksums++;
      assert.equal(checksum(h.db), sumBefore, `answered ${answer.status} but the tables changed: ${describeRequest(r)}`);
    }
  }
}

test(`${TOTAL} generated requests over every operation of the OpenAPI document`, async (t) => {
  // Writes that create come first, so that updates, reads and deletes find what they created.
  const rank = (op: Operation) => (op.method === 'DELETE' ? 4 : op.method === 'GET' ? 3 : op.path.includes('{') ? (op.method === 'PUT' ? 1 : 2) : 0);
  const ops = [...api.operations].sort((x, y) => rank(x) - rank(y));
  assert.ok(ops.length >= 25, `the document lists ${ops.length} operations`);
  const perOperation = Math.ceil(TOTAL / ops.length);
  const started = performance.now();
  for (const [i, op] of ops.entries()) {
    await t.test(label(op), async () => {
      const arb = requestArb(api.schemas, op, credentialsFor.get(op)!.map((c) => c.secret), known, NOW);
      await fc.assert(
        fc.asyncProperty(arb, (r) => check(op, r)),
        { numRuns: perOperation, seed: SEED + i },
      );
    });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const summary = Object.entries(statuses)
    .sort()
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  t.diagnostic(`fuzz: ${sent} requests over ${ops.length} operations in ${seconds} s (seed ${SEED}); ${checksums} full checksums; ${summary}`);
  assert.ok(sent >= TOTAL, `${sent} requests sent`);
  // The generators are not all noise: every operation got past validation now and then.
  const neverOk = ops.filter((op) => !successes.get(op)).map(label);
  assert.deepEqual(neverOk, [], 'operations that never answered 2xx');
  assert.equal(h.live.bus.subscriberCount(), 0, 'every stream opened by the fuzzer was closed');
});
