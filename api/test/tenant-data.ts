/**
 * Marked data for isolation tests: each tenant gets rows for two clients and rows with no client,
 * ingested through the API (so events, audiences and today's figures are real), with a marker
 * string in every text field. A marker showing up in an answer to a credential that may not see
 * its row is a leak, whatever the route.
 */
import { NOW, json, type Harness, type TenantFixture } from './harness.js';
import { skills } from '../db/schema.js';
import { INGEST_BASE } from '../routes/ingest/ingest.routes.js';

/** The ids a request may name, by kind. */
export interface IdSet {
  conversation: string;
  error: string;
  activity: string;
  skill: string;
  component: string;
  client: string;
  /** Any other id (routes added later): nothing has it. */
  other: string;
}

export interface MarkedTenant {
  /** In every text field of the tenant's rows; never sent in a request. */
  marker: string;
  /** The client a locked token is locked to (`cl_a1`, as in the harness, for both tenants). */
  own: IdSet;
  /** Another client of the same tenant: a token locked to `cl_a1` must not see these rows. */
  otherClient: IdSet;
  /** Markers of the rows a client-locked token may not see (other client's, and rows of no client). */
  hiddenFromLocked: string[];
  /** Everything distinctive of the tenant that a request might carry: ids, names, phones. */
  identifiers: string[];
  /** Ids that only the other client's rows or client-less rows have. */
  otherClientIdentifiers: string[];
}

export const MISSING: IdSet = {
  conversation: 'missing-conversation-00',
  error: 'missing-error-00',
  activity: 'missing-activity-00',
  skill: 'missing_skill_00',
  component: 'missing_component_00',
  client: 'missing_client_00',
  other: 'missing-id-00',
};

/** The id a path or query parameter names: by the collection before it, else by its own name. */
export function idFor(path: string, param: string, ids: IdSet): string {
  const before = new RegExp(`/([\\w-]+)/\\{${param}\\}`).exec(path)?.[1];
  const byCollection: Record<string, keyof IdSet> = {
    errors: 'error',
    conversations: 'conversation',
    activity: 'activity',
    skills: 'skill',
    'system-health': 'component',
    monitors: 'component',
  };
  const byName: Record<string, keyof IdSet> = {
    skill_name: 'skill',
    component: 'component',
    component_name: 'component',
    client_id: 'client',
    conversation_id: 'conversation',
    error_id: 'error',
  };
  const kind = (before ? byCollection[before] : undefined) ?? byName[param] ?? 'other';
  return ids[kind];
}

/** Query parameters that filter by an id (the others are left out of isolation requests). */
export const ID_QUERY_PARAMS = new Set(['client_id', 'skill_name', 'component', 'conversation_id']);

async function ingest(h: Harness, f: TenantFixture, path: string, body: unknown): Promise<any> {
  const res = await h.request(INGEST_BASE + path, {
    method: 'POST',
    credential: f.keys.ingest,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return (await json(res, res.status === 200 ? 200 : 201)).data;
}

/** Seeds `f`'s tenant with marked rows; `prefix` makes its names distinct (`acme`, `bravo`). */
export async function seedMarkedTenant(h: Harness, f: TenantFixture, prefix: string): Promise<MarkedTenant> {
  const MARK = `${prefix.toUpperCase()}MARK`;
  const skill = `${prefix}_skill_7q`;
  const component = `${prefix}_component_7q`;
  const client2 = `${prefix}_client_2`;
  const phones = { cl1: prefix === 'acme' ? '+1 212 555 0101' : '+49 30 5550 0101', cl2: prefix === 'acme' ? '+1 212 555 0202' : '+49 30 5550 0202' };
  const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

  const conversation = (client: string, tag: string, phone: string) =>
    ingest(h, f, '/conversations', {
      client_id: client,
      client_name: `${MARK}-${tag} name`,
      client_phone: phone,
      channel: 'voice',
      started_at: at(120),
      ended_at: at(110),
      transcript: [
        { speaker: 'caller', text: `${MARK}-${tag} caller words`, at: at(120) },
        { speaker: 'ai', text: `${MARK}-${tag} receptionist answer`, at: at(119), confidence: 0.8 },
      ],
      summary: `${MARK}-${tag} summary`,
      intent: `${MARK}-${tag} intent`,
      sentiment: 'positive',
      outcome: `${MARK}-${tag} outcome`,
      ended_reason: `${MARK}-${tag} ended`,
    });
  const conv1 = (await conversation('cl_a1', 'CL1', phones.cl1)).id as string;
  const conv2 = (await conversation(client2, 'CL2', phones.cl2)).id as string;

  const activity = (client: string | null, conversationId: string | null, tag: string, phone: string | null, action_type: string, outcome_status: string) => ({
    action_type,
    channel: 'voice',
    client_id: client,
    client_name: `${MARK}-${tag} name`,
    client_phone: phone,
    message_in: `${MARK}-${tag} message in`,
    message_out: `${MARK}-${tag} message out`,
    confidence_score: 0.7,
    skill_name: skill,
    lead_stage: `${MARK}-${tag} stage`,
    outcome_status,
    response_time_ms: 900,
    conversation_id: conversationId,
    metadata: { note: `${MARK}-${tag} metadata` },
  });
  const activities = (await ingest(h, f, '/activity', {
    items: [
      activity('cl_a1', conv1, 'CL1', phones.cl1, 'incoming_call', 'success'),
      activity('cl_a1', conv1, 'CL1', phones.cl1, 'faq_answered', 'failed'),
      activity(client2, conv2, 'CL2', phones.cl2, 'incoming_call', 'success'),
      activity(client2, conv2, 'CL2', phones.cl2, 'appointment_booked', 'failed'),
      activity(null, null, 'NOCLIENT', null, 'incoming_text', 'escalated'),
    ],
  })) as { id: string }[];

  const error = (conversationId: string | null, tag: string) =>
    ingest(h, f, '/errors', {
      error_type: 'unrecognized_request',
      severity: 'high',
      message_in: `${MARK}-${tag} error words`,
      context: `${MARK}-${tag} context`,
      skill_name: skill,
      component,
      conversation_id: conversationId,
      root_cause: `${MARK}-${tag} root cause`,
      recommended_fix: `${MARK}-${tag} fix`,
    });
  const err1 = (await error(conv1, 'CL1')).id as string;
  const err2 = (await error(conv2, 'CL2')).id as string;
  const errNone = (await error(null, 'NOCLIENT')).id as string;

  await ingest(h, f, `/system-health/${component}`, { status: 'degraded', latency_ms: 900, message: `${MARK}-TENANT health` });
  h.db
    .insert(skills)
    .values({ tenant_id: f.tenant.id, skill_name: skill, skill_category: `${MARK}-TENANT category`, accuracy_score: 0.5, usage_count: 4, needs_retraining: true })
    .onConflictDoNothing()
    .run();

  const other = `${prefix}-other-id`;
  const otherClientIdentifiers = [conv2, err2, errNone, activities[2]!.id, activities[3]!.id, activities[4]!.id, client2, phones.cl2];
  return {
    marker: MARK,
    own: { conversation: conv1, error: err1, activity: activities[0]!.id, skill, component, client: 'cl_a1', other },
    otherClient: { conversation: conv2, error: err2, activity: activities[2]!.id, skill, component, client: client2, other },
    hiddenFromLocked: [`${MARK}-CL2`, `${MARK}-NOCLIENT`],
    identifiers: [conv1, err1, activities[0]!.id, activities[1]!.id, skill, component, phones.cl1, ...otherClientIdentifiers],
    otherClientIdentifiers,
  };
}

/** The strings of `forbidden` that `answer` contains and `request` (what the caller sent) does not. */
export function foreignBytes(answer: string, request: string, forbidden: readonly string[]): string[] {
  return forbidden.filter((s) => answer.includes(s) && !request.includes(s));
}
