import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createContext } from '../app.js';
import { roiAssumptions } from '../auth/principal.js';
import { IngestService } from '../ingest/service.js';
import type { StreamEvent } from '../stream/events.js';
import { createHarness, SECRET, type Harness } from '../test/harness.js';
import { TrafficSimulator } from './simulator.js';

let h: Harness;
let sim: TrafficSimulator;
const published: StreamEvent[] = [];

before(async () => {
  h = await createHarness();
  const ctx = createContext({ db: h.db, config: { embedSecret: SECRET, corsOrigins: [], bodyLimitBytes: 1 << 20 }, live: h.live });
  const t = h.a.tenant;
  sim = new TrafficSimulator(new IngestService(ctx), { id: t.id, slug: t.slug, name: t.name, timezone: t.timezone, roi: roiAssumptions(t.roi_assumptions) }, { eventsPerMinute: 60, seed: 3 });
  h.live.bus.observe((e) => published.push(e));
});
after(() => h.close());

test('a simulated conversation goes through ingest: stored, announced, every activity naming its conversation', () => {
  for (let i = 0; i < 10; i++) for (const step of sim.conversation()) step.run();
  const conversations = h.db.$client.prepare('SELECT id, total_turns FROM ai_receptionist_conversations WHERE tenant_id = ?').all(h.a.tenant.id) as { id: string; total_turns: number }[];
  assert.equal(conversations.length, 10);
  assert.ok(conversations.every((c) => c.total_turns >= 2));
  const activities = h.db.$client.prepare('SELECT conversation_id, action_type FROM ai_receptionist_activity WHERE tenant_id = ?').all(h.a.tenant.id) as { conversation_id: string; action_type: string }[];
  const ids = new Set(conversations.map((c) => c.id));
  assert.ok(activities.length >= 20);
  assert.ok(activities.every((a) => ids.has(a.conversation_id)), 'every activity names a stored conversation');
  const starts = activities.filter((a) => ['incoming_call', 'incoming_text', 'outbound_followup'].includes(a.action_type));
  assert.equal(starts.length, 10, 'one starting activity per conversation');
  assert.equal(published.filter((e) => e.type === 'activity.new').length, activities.length);
});

test('a flap degrades or downs a component and then restores it: two status changes', () => {
  const before = published.filter((e) => e.type === 'system.health.change').length;
  for (const step of sim.flap()) step.run();
  const changes = published.filter((e) => e.type === 'system.health.change').slice(before).map((e) => JSON.parse(e.data) as { status: string });
  assert.equal(changes.length, 2);
  assert.notEqual(changes[0]!.status, 'active');
  assert.equal(changes[1]!.status, 'active');
});
