/**
 * The API as its OpenAPI document describes it, for tests that must cover every route without
 * naming them: the operations, the credential each needs, the answers it may give, and helpers
 * to read answers (SSE included) and to fingerprint the database.
 */
import { createHash } from 'node:crypto';
import { DASHBOARD_BASE } from '../app.js';
import type { Db } from '../db/client.js';
import type { Scope } from '../db/schema.js';
import { INGEST_BASE } from '../routes/ingest/ingest.routes.js';
import { json, type Harness, type TenantFixture } from './harness.js';
import { SchemaSet, type Schema } from './json-schema.js';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: string;
  /** The path template, e.g. `/api/v1/ai-receptionist/dashboard/errors/{id}`. */
  path: string;
  parameters: Parameter[];
  body?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  /** Declared with `security: []`: no credential needed. */
  public: boolean;
}

export interface ApiDocument {
  doc: any;
  schemas: SchemaSet;
  operations: Operation[];
}

export async function loadDocument(h: Harness): Promise<ApiDocument> {
  const doc = await json(await h.request('/api/v1/openapi.json'));
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    const shared: Parameter[] = item.parameters ?? [];
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      const op = item[method];
      if (!op) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: [...shared, ...(op.parameters ?? [])],
        body: op.requestBody && { required: op.requestBody.required === true, content: op.requestBody.content ?? {} },
        responses: op.responses,
        public: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return { doc, schemas: new SchemaSet(doc), operations };
}

export const label = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;
export const isStream = (op: Operation) => Object.values(op.responses).some((r) => r.content?.['text/event-stream']);

// ---------------------------------------------------------------------------------------------
// Credentials and what each route needs (SPEC §3)

export interface Credential {
  label: string;
  secret: string;
  kind: 'api_key' | 'embed_token';
  scopes: readonly Scope[];
  clientId: string | null;
}

/** The credential models of the API: what a route may require. */
export type Need = 'read' | 'errors:write' | 'ingest' | 'admin' | 'read-key';
export const NEEDS: readonly Need[] = ['read', 'errors:write', 'ingest', 'admin', 'read-key'];

/** Mirrors `hasScope`: admin implies read and errors:write, never ingest. */
export function allows(c: Credential, need: Need): boolean {
  const has = (s: Scope) => c.scopes.includes(s) || (s !== 'ingest' && c.scopes.includes('admin'));
  switch (need) {
    case 'read-key':
      return c.kind === 'api_key' && has('read');
    default:
      return has(need);
  }
}

/** Every valid credential of a tenant fixture (a client-locked token with errors:write is added by the caller when it has one). */
export function credentialsOf(f: TenantFixture, lockedWrite?: string): Credential[] {
  const out: Credential[] = [
    { label: 'read key', secret: f.keys.read, kind: 'api_key', scopes: ['read'], clientId: null },
    { label: 'ingest key', secret: f.keys.ingest, kind: 'api_key', scopes: ['ingest'], clientId: null },
    { label: 'admin key', secret: f.keys.admin, kind: 'api_key', scopes: ['admin'], clientId: null },
    { label: 'read token', secret: f.tokens.read, kind: 'embed_token', scopes: ['read'], clientId: null },
    { label: 'write token', secret: f.tokens.write, kind: 'embed_token', scopes: ['read', 'errors:write'], clientId: null },
    { label: 'locked read token', secret: f.tokens.locked, kind: 'embed_token', scopes: ['read'], clientId: 'cl_a1' },
  ];
  if (lockedWrite) out.push({ label: 'locked write token', secret: lockedWrite, kind: 'embed_token', scopes: ['read', 'errors:write'], clientId: 'cl_a1' });
  return out;
}

/** The read routes of SPEC §4.1 (paths relative to the dashboard base). */
const SPEC_READ_ROUTES = [
  /^\/activity\/(feed|count)$/,
  /^\/metrics\/(realtime|daily|hourly)$/,
  /^\/skills(\/\{[^}]+\})?$/,
  /^\/roi$/,
  /^\/errors(\/patterns|\/\{[^}]+\})?$/,
  /^\/system-health(\/\{[^}]+\})?$/,
  /^\/conversations(\/\{[^}]+\})?$/,
  /^\/stream$/,
];

/**
 * What the security model says a route needs, for the routes it names. Routes it does not name
 * (added later) answer `undefined`: tests then find the need by probing and require that it be
 * exactly one of the models.
 */
export function specifiedNeed(op: Operation): Need | undefined {
  if (op.path.startsWith(`${INGEST_BASE}/`)) return 'ingest';
  if (op.path === '/api/v1/embed-tokens') return 'read-key';
  if (!op.path.startsWith(`${DASHBOARD_BASE}/`)) return undefined;
  const rel = op.path.slice(DASHBOARD_BASE.length);
  if (op.method === 'POST' && /^\/errors\/\{[^}]+\}\/(approve-fix|needs-review|wont-fix|resolve)$/.test(rel)) return 'errors:write';
  if (op.method === 'GET' && SPEC_READ_ROUTES.some((re) => re.test(rel))) return 'read';
  return undefined;
}

/** Tenant-wide aggregates: a client-locked token gets 403 there (SPEC §3). */
export function isAggregate(op: Operation): boolean {
  return /^\/(metrics\/|roi$|skills|errors\/patterns$)/.test(op.path.slice(DASHBOARD_BASE.length));
}

/**
 * Finds the credential model a route follows by calling it (`status(credential)`) with each
 * unlocked credential of one tenant, and requires it to be exactly one of the models — and the
 * one the security model names, for the routes it names.
 */
export async function probeNeed(op: Operation, creds: Credential[], status: (c: Credential) => Promise<number>): Promise<Need> {
  const unlocked = creds.filter((c) => c.clientId === null);
  const accepted = new Set<Credential>();
  for (const c of unlocked) {
    const s = await status(c);
    if (s >= 500) throw new Error(`${label(op)} as ${c.label}: ${s}`);
    if (s !== 401 && s !== 403) accepted.add(c);
  }
  const matching = NEEDS.filter((n) => unlocked.every((c) => allows(c, n) === accepted.has(c)));
  if (matching.length !== 1) {
    throw new Error(`${label(op)} accepts ${[...accepted].map((c) => c.label).join(', ') || 'nothing'}: no credential model of the API (${NEEDS.join(', ')})`);
  }
  const specified = specifiedNeed(op);
  if (specified && matching[0] !== specified) throw new Error(`${label(op)} needs ${matching[0]}; the security model says ${specified}`);
  return matching[0]!;
}

/** The unlocked credential a route is called with: the least powerful one it accepts. */
export function rightCredential(creds: Credential[], need: Need): Credential {
  const order = ['read token', 'write token', 'read key', 'ingest key', 'admin key'];
  return order.map((l) => creds.find((c) => c.label === l)!).find((c) => allows(c, need))!;
}

/**
 * A plain request to an operation: path parameters and (id) query parameters from `value`,
 * required query parameters from their examples, the body from its schema's example; an event
 * stream asks for the replay of every stored event.
 */
export function exampleRequest(api: ApiDocument, op: Operation, value: (param: string) => string | undefined): { url: string; body?: string } {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name) ?? 'x'));
  const qs = new URLSearchParams();
  for (const p of op.parameters) {
    if (p.in !== 'query') continue;
    const v = value(p.name);
    if (v !== undefined) qs.set(p.name, v);
    else if (p.required) qs.set(p.name, String(api.schemas.example(p.schema ?? true)));
  }
  if (isStream(op)) qs.set('last_event_id', '0');
  const schema = op.body?.content['application/json']?.schema;
  return { url: qs.size ? `${path}?${qs}` : path, body: schema === undefined ? undefined : JSON.stringify(api.schemas.example(schema)) };
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
}

const decoder = new TextDecoder();

/**
 * Reads an answer whole; an event stream is read up to its `ready` event (after `retry:`, a
 * possible `reset` and the replay) and then cancelled, so the stream's place is given back.
 */
export async function readAnswer(res: Response): Promise<Answer> {
  const contentType = res.headers.get('content-type') ?? '';
  let text = '';
  if (contentType.startsWith('text/event-stream') && res.body) {
    const reader = res.body.getReader();
    try {
      for (let seen = 0; !text.includes('\nevent: ready\n', Math.max(0, seen - 16)); ) {
        const { value, done } = await reader.read();
        if (done) break;
        seen = text.length;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      await reader.cancel();
    }
  } else {
    text = await res.text();
  }
  return { status: res.status, contentType, headers: res.headers, text };
}

/** Why an SSE text is malformed: every frame is `retry:`, a comment, or id/event/data lines with one-line JSON data. */
export function sseViolations(text: string): string[] {
  const out: string[] = [];
  const frames = text.split('\n\n');
  frames.pop(); // what follows the last blank line: nothing, or an unfinished frame
  for (const frame of frames) {
    const lines = frame.split('\n');
    if (lines.length === 1 && /^(retry: \d+|: ?.*)$/s.test(lines[0]!)) continue;
    const fields = lines.map((l) => /^(id|event|data): (.*)$/s.exec(l));
    if (fields.some((f) => !f)) {
      out.push(`malformed frame ${JSON.stringify(frame)}`);
      continue;
    }
    const data = fields.filter((f) => f![1] === 'data');
    if (data.length !== 1) out.push(`frame with ${data.length} data lines: ${JSON.stringify(frame)}`);
    else {
      try {
        JSON.parse(data[0]![2]!);
      } catch {
        out.push(`data is not JSON: ${JSON.stringify(frame)}`);
      }
    }
  }
  if (text.includes('\r')) out.push('a carriage return in the stream');
  return out;
}

/**
 * Why an answer breaks the contract: a 5xx; a 4xx that is not a complete problem+json (a 400
 * must name each field with `field`, `in` and `message`); a 2xx whose status or content type
 * the document does not list for the operation, or whose JSON does not match its schema.
 */
export function contractViolations(api: ApiDocument, op: Operation, a: Answer): string[] {
  const out: string[] = [];
  if (a.status >= 500) return [`answered ${a.status}: ${a.text.slice(0, 300)}`];
  if (a.status >= 400) {
    if (!a.contentType.startsWith('application/problem+json')) return [`${a.status} with content type "${a.contentType}"`];
    let p: any;
    try {
      p = JSON.parse(a.text);
    } catch {
      return [`${a.status} problem is not JSON: ${a.text.slice(0, 200)}`];
    }
    const problemSchema = api.doc.components?.schemas?.Problem;
    if (problemSchema) out.push(...api.schemas.validate(problemSchema, p, 'problem'));
    if (typeof p?.type !== 'string' || !p.type) out.push('problem without type');
    if (typeof p?.title !== 'string' || !p.title) out.push('problem without title');
    if (typeof p?.detail !== 'string' || !p.detail) out.push('problem without detail');
    if (p?.status !== a.status) out.push(`problem status ${p?.status} ≠ HTTP ${a.status}`);
    if (a.status === 400) {
      if (!Array.isArray(p?.errors) || p.errors.length === 0) out.push('400 without errors[]');
      else {
        for (const e of p.errors) {
          if (typeof e?.field !== 'string' || typeof e?.in !== 'string' || !e.in || typeof e?.message !== 'string' || !e.message) {
            out.push(`errors[] entry without field/in/message: ${JSON.stringify(e)}`);
          }
        }
      }
    }
    if (a.status === 401 && !/^Bearer/.test(a.headers.get('www-authenticate') ?? '')) out.push('401 without a Bearer challenge');
    if (a.status === 429 && !/^\d+$/.test(a.headers.get('retry-after') ?? '')) out.push('429 without Retry-After');
    return out.map((v) => `${a.status}: ${v} — ${a.text.slice(0, 300)}`);
  }
  if (a.status >= 200 && a.status < 300) {
    const documented = op.responses[String(a.status)];
    if (!documented) return [`${a.status} is not a documented answer (documented: ${Object.keys(op.responses).join(', ')})`];
    if (a.status === 204 || !documented.content) {
      if (a.text !== '') out.push(`${a.status} has a body though none is documented`);
      return out;
    }
    const mediaType = a.contentType.split(';')[0]!.trim();
    const media = documented.content[mediaType];
    if (!media) return [`${a.status} with content type "${a.contentType}", documented: ${Object.keys(documented.content).join(', ')}`];
    if (mediaType === 'application/json') {
      let body: unknown;
      try {
        body = JSON.parse(a.text);
      } catch {
        return [`${a.status} JSON does not parse: ${a.text.slice(0, 200)}`];
      }
      if (media.schema) out.push(...api.schemas.validate(media.schema, body).map((v) => `${a.status} body ${v}`));
    } else if (mediaType === 'text/event-stream') {
      out.push(...sseViolations(a.text));
    } else if (typeof a.text !== 'string') {
      out.push('no text body');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The database

const changesStatements = new WeakMap<Db, { get(): unknown }>();

/** Rows changed (inserted, updated or deleted) on the app's connection since it opened, rolled-back writes included. */
export function totalChanges(db: Db): number {
  let stmt = changesStatements.get(db);
  if (!stmt) changesStatements.set(db, (stmt = db.$client.prepare('SELECT total_changes()').pluck()));
  return stmt.get() as number;
}

const checksumStatements = new WeakMap<Db, { table: string; rows: { get(): unknown } }[]>();

/**
 * A fingerprint of every table's rows: equal fingerprints, equal data. Each table is rendered to
 * one text by SQLite itself (every column quoted, rows in rowid order) and hashed.
 */
export function checksum(db: Db): string {
  let statements = checksumStatements.get(db);
  if (!statements) {
    const tables = db.$client
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    statements = tables.map((table) => {
      const columns = (db.$client.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).map((c) => `quote("${c}")`);
      const rows = `group_concat(${columns.join(" || ',' || ")}, char(10) ORDER BY rowid)`;
      return { table, rows: db.$client.prepare(`SELECT count(*) || ':' || coalesce(${rows}, '') FROM "${table}"`).pluck() };
    });
    checksumStatements.set(db, statements);
  }
  const hash = createHash('sha256');
  for (const { table, rows } of statements) hash.update(`${table}\n${rows.get() as string}\n`);
  return hash.digest('hex');
}
