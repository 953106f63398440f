/**
 * Tenant and client isolation (SPEC §3, §5), for every operation of the OpenAPI document — routes
 * added later are covered without naming them — and for the stream.
 *
 * Both tenants hold rows for two clients and rows of no client, with a marker string in every
 * text field (see tenant-data.ts). Each operation is called with no credential, an expired one, a
 * tampered one, each valid credential lacking the scope it needs, a client-locked token, the other
 * tenant's credential and the other tenant's ids; each answer must have the status the security
 * model gives and carry none of the bytes (markers, ids, names) its caller may not see. "Another
 * tenant's id answers exactly as a missing one": the answer for a foreign id is compared with the
 * answer for an id that exists nowhere.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { roiAssumptions } from '../auth/principal.js';
import { signEmbedToken } from '../auth/tokens.js';
import { INGEST_BASE } from '../routes/ingest/ingest.routes.js';
import {
  allows,
  contractViolations,
  credentialsOf,
  exampleRequest,
  isAggregate,
  label,
  loadDocument,
  probeNeed,
  readAnswer,
  rightCredential,
  specifiedNeed,
  type Answer,
  type ApiDocument,
  type Credential,
  type Need,
  type Operation,
} from './api-document.js';
import { createHarness, NOW, SECRET, type Harness, type TenantFixture } from './harness.js';
import { isReady, openStream, type OpenStream } from './sse.js';
import { foreignBytes, ID_QUERY_PARAMS, idFor, MISSING, seedMarkedTenant, type IdSet, type MarkedTenant } from './tenant-data.js';

let h: Harness;
let api: ApiDocument;
let A: MarkedTenant;
let B: MarkedTenant;
let credsA: Credential[];
let credsB: Credential[];
const needs = new Map<Operation, Need>();

interface Sent {
  answer: Answer;
  /** What the caller sent (URL, decoded URL, body): bytes it sent are not foreign to it. */
  request: string;
}

/** One request to `op` naming `ids` in its path and id filters, with the operation's example body. */
async function send(op: Operation, ids: IdSet, credential?: string): Promise<Sent> {
  const { url, body } = exampleRequest(api, op, (name) =>
    op.path.includes(`{${name}}`) || ID_QUERY_PARAMS.has(name) ? idFor(op.path, name, ids) : undefined,
  );
  const res = await h.request(url, { method: op.method, credential, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  return { answer: await readAnswer(res), request: `${url}\n${decodeURIComponent(url)}\n${body ?? ''}` };
}

function tenantContext(f: TenantFixture) {
  const t = f.tenant;
  return { id: t.id, slug: t.slug, name: t.name, timezone: t.timezone, roi: roiAssumptions(t.roi_assumptions) };
}

/** Fresh events of every kind in a tenant (activities, errors, conversations, health), plus a workflow change and a metric update. */
async function activity(f: TenantFixture, prefix: string, into: MarkedTenant): Promise<void> {
  const more = await seedMarkedTenant(h, f, prefix);
  into.identifiers.push(...more.identifiers);
  into.otherClientIdentifiers.push(...more.otherClientIdentifiers);
  for (const error of [more.own.error, more.otherClient.error]) {
    const res = await h.request(`/errors/${error}/approve-fix`, { method: 'POST', credential: f.tokens.write, body: '{"note":"ok"}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200, await res.text());
  }
  h.live.flushMetricUpdates([tenantContext(f)]);
}

before(async () => {
  h = await createHarness({ live: { metricIntervalMs: 3_600_000 } });
  const lockedWrite = async (slug: string) =>
    (await signEmbedToken(SECRET, { tenant: slug, subject: `locked@${slug}`, scopes: ['read', 'errors:write'], clientId: 'cl_a1' }, NOW)).token;
  credsA = credentialsOf(h.a, await lockedWrite('acme'));
  credsB = credentialsOf(h.b, await lockedWrite('bravo'));
  A = await seedMarkedTenant(h, h.a, 'acme');
  B = await seedMarkedTenant(h, h.b, 'bravo');
  api = await loadDocument(h);
  for (const op of api.operations) {
    if (!op.public) needs.set(op, await probeNeed(op, credsA, async (c) => (await send(op, A.own, c.secret)).answer.status));
  }
});
after(() => h.close());

test('the stream: a tenant’s stream never carries another tenant’s events; a client-locked stream carries only its client’s', async () => {
  const opened: OpenStream[] = [];
  const open = async (credential: string, query = '') => {
    const s = openStream(await h.get(`/stream${query}`, credential));
    opened.push(s);
    await s.until(isReady);
    return s;
  };
  try {
    const live = { aFull: await open(h.a.tokens.read), aLocked: await open(h.a.tokens.locked), bFull: await open(h.b.tokens.read), bLocked: await open(h.b.tokens.locked) };

    await activity(h.a, 'acme', A);
    await activity(h.b, 'bravo', B);
    // A status change reaches every stream of its tenant, locked or not: once it has arrived, all that came before it has too.
    for (const f of [h.a, h.b]) {
      const res = await h.request(`${INGEST_BASE}/system-health/sentinel_component`, {
        method: 'POST',
        credential: f.keys.ingest,
        body: '{"status":"down"}',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 200, await res.text());
    }
    const sentinel = (events: { event?: string; data: string }[]) => events.some((e) => e.event === 'system.health.change' && e.data.includes('sentinel_component'));
    for (const s of Object.values(live)) await s.until(sentinel);

    const replay = { aFull: await open(h.a.tokens.read, '?last_event_id=0'), aLocked: await open(h.a.tokens.locked, '?last_event_id=0'), bFull: await open(h.b.tokens.read, '?last_event_id=0'), bLocked: await open(h.b.tokens.locked, '?last_event_id=0') };

    for (const [mode, streams] of Object.entries({ live, replay })) {
      for (const [name, s] of Object.entries(streams)) {
        const [self, other] = name.startsWith('a') ? [A, B] : [B, A];
        const text = s.raw();
        const types = new Set(s.events.map((e) => e.event));
        const where = `${mode} ${name}`;
        assert.deepEqual(foreignBytes(text, '', [other.marker, ...other.identifiers]), [], `${where} carries the other tenant’s data`);
        assert.ok(text.includes(`${self.marker}-CL1`) && types.has('activity.new') && types.has('error.detected') && types.has('error.updated'), `${where} lacks its own events`);
        if (name.endsWith('Locked')) {
          assert.deepEqual(foreignBytes(text, '', [...self.hiddenFromLocked, ...self.otherClientIdentifiers]), [], `${where} carries other clients’ rows`);
          assert.ok(!types.has('metric.update') && !types.has('fix.approved'), `${where} carries tenant-wide events: ${[...types].join(', ')}`);
        } else {
          assert.ok(self.hiddenFromLocked.every((m) => text.includes(m)) && types.has('metric.update') && types.has('fix.approved'), `${where} lacks some of its tenant’s events`);
        }
      }
    }
  } finally {
    for (const s of opened) await s.cancel();
  }
});

test('tenant b’s writes change none of tenant a’s answers', async () => {
  const reads = api.operations.filter((op) => op.method === 'GET' && needs.has(op));
  const locked = credsA.find((c) => c.label === 'locked read token')!;
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const op of reads) {
      for (const c of [rightCredential(credsA, needs.get(op)!), locked]) {
        const { answer } = await send(op, A.own, c.secret);
        out[`${label(op)} as ${c.label}`] = `${answer.status} ${answer.text}`;
      }
    }
    return out;
  };
  const before = await snapshot();
  await activity(h.b, 'bravo', B);
  const afterwards = await snapshot();
  for (const key of Object.keys(before)) assert.equal(afterwards[key], before[key], key);
});

test('every operation × {no credential, expired, tampered, wrong scope, client-locked, other tenant’s credential, other tenant’s ids}', async (t) => {
  // Reads first: a write naming the other tenant's ids creates rows under those names in the caller's tenant.
  const ops = [...api.operations].filter((op) => !op.public).sort((x, y) => Number(x.method !== 'GET') - Number(y.method !== 'GET'));
  const seen = { control: '', locked: '', otherCredential: '' };
  const tamperedKey = (() => {
    const key = h.a.keys.admin;
    return key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  })();
  /** The answer with the ids that differ between two requests masked, so the two can be compared. */
  const norm = (a: Answer, ids: IdSet, other: IdSet) => {
    let text = a.text;
    for (const k of Object.keys(ids) as (keyof IdSet)[]) if (ids[k] !== other[k]) text = text.split(ids[k]).join('<id>');
    return `${a.status} ${text}`;
  };
  /** Client-scoped ids of one client; the tenant-wide ones (skill, component) stay. */
  const clientIds = (base: IdSet, from: IdSet): IdSet => ({ ...base, conversation: from.conversation, error: from.error, activity: from.activity, client: from.client });
  /** A tenant's ids, with a client id only it has (both tenants have a client `cl_a1`). */
  const foreign = (t: MarkedTenant): IdSet => ({ ...t.own, client: t.otherClient.client });
  let requests = 0;

  for (const op of ops) {
    await t.test(label(op), async () => {
      const need = needs.get(op)!;
      const known = specifiedNeed(op) !== undefined;
      const lookup = op.path.includes('{') && !op.path.startsWith(`${INGEST_BASE}/`);
      const right = rightCredential(credsA, need);
      const rightB = credsB.find((c) => c.label === right.label)!;
      const call = async (ids: IdSet, credential: string | undefined, where: string) => {
        requests++;
        const s = await send(op, ids, credential);
        assert.deepEqual(contractViolations(api, op, s.answer), [], `${label(op)} ${where}`);
        return s;
      };
      const expect = (s: Sent, statuses: number[], where: string) =>
        assert.ok(statuses.includes(s.answer.status), `${where}: expected ${statuses.join('/')}, got ${s.answer.status} ${s.answer.text.slice(0, 300)}`);
      const clean = (s: Sent, forbidden: string[], where: string) => assert.deepEqual(foreignBytes(s.answer.text, s.request, forbidden), [], `${where} leaked`);
      /** A foreign id answers exactly as a missing one (bodies of writes that created something differ by their new ids). */
      const likeMissing = async (ids: IdSet, missing: IdSet, credential: string, where: string, forbidden: string[]) => {
        const f = await call(ids, credential, where);
        const m = await call(missing, credential, `${where} (missing ids)`);
        clean(f, forbidden, where);
        if (op.method === 'GET' || f.answer.status >= 400) assert.equal(norm(f.answer, ids, missing), norm(m.answer, missing, ids), `${where}: differs from a missing id`);
        else assert.equal(f.answer.status, m.answer.status, `${where}: differs from a missing id`);
        const namesOther = [...op.path.matchAll(/\{(\w+)\}/g)].some(([, n]) => idFor(op.path, n!, ids) !== idFor(op.path, n!, missing));
        if (known && lookup && namesOther) expect(f, [404], where);
        return f;
      };

      // No credential, an expired or a tampered one: 401 with a challenge (checked by contractViolations).
      expect(await call(A.own, undefined, 'no credential'), [401], 'no credential');
      expect(await call(A.own, h.a.tokens.expired, 'expired token'), [401], 'expired token');
      expect(await call(A.own, h.a.tokens.tampered, 'tampered token'), [401], 'tampered token');
      expect(await call(A.own, tamperedKey, 'tampered key'), [401], 'tampered key');

      // Every valid credential without the needed scope: 403.
      for (const c of credsA.filter((c) => !allows(c, need))) expect(await call(A.own, c.secret, c.label), [403], `wrong scope (${c.label})`);

      // Control: the right credential and the tenant's own ids (so the 404s below are not vacuous).
      const control = await call(A.own, right.secret, `control (${right.label})`);
      expect(control, op.method === 'GET' && known ? [200] : lookup && known ? [200, 201, 409] : [200, 201, 202, 204, 400, 404, 409], 'control');
      clean(control, [B.marker, ...B.identifiers], 'control');
      seen.control += control.answer.text;

      // Client-locked: 403 on tenant-wide aggregates; elsewhere its own client's rows only.
      const locked = credsA.find((c) => c.clientId !== null && allows(c, need));
      const hidden = [...A.hiddenFromLocked, ...A.otherClientIdentifiers, B.marker, ...B.identifiers];
      if (locked) {
        const own = await call(A.own, locked.secret, 'client-locked');
        clean(own, hidden, 'client-locked');
        if (isAggregate(op)) expect(own, [403], 'client-locked on an aggregate');
        else if (!known && own.answer.status === 403) {
          // A route the security model does not name may refuse locked tokens altogether.
        } else {
          if (known && op.method === 'GET') expect(own, [200], 'client-locked, own client');
          seen.locked += own.answer.text;
          await likeMissing(clientIds(A.own, A.otherClient), clientIds(A.own, MISSING), locked.secret, 'client-locked, another client’s ids', hidden);
        }
      } else {
        assert.ok(need !== 'read' && need !== 'errors:write', `${label(op)}: no locked token was tried`);
      }

      // The other tenant's credential on this tenant's ids, and this tenant's credential on the other tenant's ids.
      const viaB = await likeMissing(foreign(A), MISSING, rightB.secret, `other tenant’s credential (${rightB.label})`, [A.marker, ...A.identifiers]);
      seen.otherCredential += viaB.answer.text;
      await likeMissing(foreign(B), MISSING, right.secret, `other tenant’s ids (${right.label})`, [B.marker, ...B.identifiers]);
    });
  }

  // The checks above looked at real data: the answers did show each credential's own rows.
  assert.ok(A.hiddenFromLocked.every((m) => seen.control.includes(m)) && seen.control.includes(`${A.marker}-CL1`), 'tenant a’s answers showed its rows');
  assert.ok(seen.locked.includes(`${A.marker}-CL1`), 'the locked token’s answers showed its client’s rows');
  assert.ok(seen.otherCredential.includes(B.marker), 'tenant b’s answers showed its rows');
  t.diagnostic(`isolation: ${ops.length} operations, ${requests} requests`);
});
