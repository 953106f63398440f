/**
 * fast-check generators of HTTP requests for one operation of the OpenAPI document: parameters
 * and bodies derived from the documented schemas, then broken in the ways clients break them —
 * wrong types, missing or unknown fields, huge or odd strings, nulls, deep nesting, malformed
 * JSON, bytes that are not UTF-8, another content type, a wrong method.
 */
import fc from 'fast-check';
import type { Operation } from './api-document.js';
import type { SchemaSet } from './json-schema.js';

export interface FuzzRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** Values a parameter of a route may be given that exist in the database (so some requests reach real rows); asked again for each request. */
export type KnownValues = (path: string, param: string) => string[];

/** Strings that have broken parsers, encoders and queries before. */
const NASTY = [
  '', ' ', '0', '-1', '1e309', 'NaN', 'Infinity', 'null', 'undefined', 'true', '[]', '{}', '[object Object]',
  '2026-02-30', '2026-11-20T25:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01', '1970-01-01T00:00:00Z',
  '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '😀'.repeat(8), 'a\u0301\u0301\u0301', '\u202eevil', '\u2028\u2029', '\ufeff',
  "' OR 1=1 --", '"; DROP TABLE tenants; --', '%', '%25', '%00', '../../etc/passwd', '<script>alert(1)</script>',
  '\n\nevent: fake\ndata: x\n\n', '\r\n', '*', '?', '#', '&', '=', ',,,', 'a,b,,c',
];

const nasty = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY), weight: 4 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: fc.constantFrom(300, 5_000, 70_000).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** A header value: a ByteString without CR, LF or NUL (fetch refuses those before any server sees them). */
const headerValue = fc.oneof(
  fc.string({ maxLength: 40, unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('0', '-1', '1e9', '18446744073709551616', ' 12 ', '12abc', 'x'.repeat(9000), 'null'),
  fc.nat().map(String),
);

/** A string as a header can carry it: characters beyond Latin-1, CR, LF and NUL become "?". */
const byteString = (s: string) => s.replace(/[^\x20-\x7e\x80-\xff\t]/g, '?');

/** JSON texts to put where a value was: wrong types, extremes, deep nesting, huge strings. */
const junkJson: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('null', 'true', 'false', '0', '-0', '-1', '0.5', '1e308', '-1e308', '1e400', '9007199254740993', '""', '[]', '{}', '[null]', '{"":null}'), weight: 5 },
  { arbitrary: nasty.map((s) => JSON.stringify(s)), weight: 5 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 2, max: 20_000 }), fc.boolean())
      .map(([depth, arrays]) => (arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth))),
    weight: 1,
  },
  { arbitrary: fc.constantFrom(10_001, 100_000, 900_000, 1_100_000).map((n) => JSON.stringify('é'.repeat(n / 2))), weight: 1 },
);

const unknownKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'tenant_id', 'tenant', 'id', 'timestamp', 'created_at', 'resolution_status', '', ' ', 'x'.repeat(300)),
  fc.string({ maxLength: 12 }),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every position in a JSON value (objects and arrays included), root first. */
function positions(v: Json, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (out.length > 200) return out;
  if (Array.isArray(v)) v.forEach((x, i) => positions(x, [...path, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) positions(v[k]!, [...path, k], out);
  return out;
}

const PLACEHOLDER = '\u0000\u0001junk\u0001\u0000';

type Edit = { kind: 'delete' | 'replace' | 'add' | 'duplicate'; at: number; key: string; junk: string };
type Edited = { value: Json; junk?: string; duplicate?: string };

/**
 * Applies one edit at the `at`-th position of the value. A replaced or added value is a
 * placeholder that the raw junk text replaces after serialization (junk may be too deep for
 * JSON.stringify); `duplicate` names a top-level key to give twice.
 */
function applyEdit(root: Json, edit: Edit): Edited {
  const all = positions(root);
  const path = all[edit.at % all.length]!;
  const value = structuredClone(root);
  if (edit.kind === 'duplicate') {
    const first = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value)[0] : undefined;
    return first === undefined ? { value } : { value, duplicate: first };
  }
  if (path.length === 0) return edit.kind === 'add' && value && typeof value === 'object' ? addTo(value, edit) : { value: PLACEHOLDER, junk: edit.junk };
  let parent: any = value;
  for (const p of path.slice(0, -1)) parent = parent[p];
  const last = path[path.length - 1]!;
  switch (edit.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      return { value };
    case 'replace':
      parent[last] = PLACEHOLDER;
      return { value, junk: edit.junk };
    case 'add': {
      const node = parent[last];
      return node && typeof node === 'object' ? { ...addTo(node, edit), value } : { value };
    }
  }
}

/** Adds an unknown member (an own property, even for `__proto__`) or item holding the placeholder. */
function addTo(node: Json[] | { [k: string]: Json }, edit: Edit): Edited {
  if (Array.isArray(node)) node.push(PLACEHOLDER);
  else Object.defineProperty(node, edit.key, { value: PLACEHOLDER, enumerable: true, configurable: true, writable: true });
  return { value: node, junk: edit.junk };
}

function serialize(value: Json, edited: Edited, junkForDuplicate: string): string {
  let text = JSON.stringify(value);
  if (edited.junk !== undefined) text = text.replace(JSON.stringify(PLACEHOLDER), () => edited.junk!);
  // The key given twice, junk first: JSON.parse keeps the last, so only a reader of the raw text would see the junk.
  if (edited.duplicate !== undefined && text.startsWith('{')) text = `{${JSON.stringify(edited.duplicate)}:${junkForDuplicate},${text.slice(1)}`;
  return text;
}

/** Ways to break a JSON text itself. */
const malform = (text: string) =>
  fc.oneof(
    fc.nat().map((n) => text.slice(0, n % Math.max(1, text.length))),
    fc.tuple(fc.nat(), fc.constantFrom(',', '}', ']', '"', "'", '\\', ':', '\u0000', 'NaN', '//', '/*')).map(([n, c]) => {
      const i = n % (text.length + 1);
      return text.slice(0, i) + c + text.slice(i);
    }),
    fc.constantFrom('', ' ', 'undefined', 'NaN', '{', '{"a":1,}', "{'a':1}", '{"a":01}', '[1,]', '\ufeff' + text, text + text, text + 'x', '{"a":"\\x"}', '{"a":"\\ud800"}'),
  );

const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => {
  const out = new Uint8Array(bytes.length + 8);
  out.set(new TextEncoder().encode('{"a":"'), 0);
  out.set(bytes.map((b) => b | 0x80), 6);
  out.set(new TextEncoder().encode('"}'), bytes.length + 6);
  return out;
});

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];
const contentType = fc.oneof(
  { arbitrary: fc.constantFrom(...JSON_TYPES), weight: 12 },
  {
    arbitrary: fc.constantFrom<string | undefined>(
      undefined, 'APPLICATION/JSON', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz', 'application/problem+json', 'application/vnd.api+json', 'application/json-seq', '*/*', 'application/xml', '',
    ),
    weight: 3,
  },
);

/** A body for an operation: valid, edited, malformed, not UTF-8, or absent; with a content type. */
function bodyArb(schemas: SchemaSet, op: Operation, now: number): fc.Arbitrary<{ body?: string | Uint8Array<ArrayBuffer>; contentType?: string }> {
  const schema = op.body?.content['application/json']?.schema ?? true;
  const valid = schemas.arbitrary(schema, now) as fc.Arbitrary<Json>;
  const edit = fc.record({ kind: fc.constantFrom<Edit['kind']>('delete', 'replace', 'replace', 'add', 'duplicate'), at: fc.nat(), key: unknownKey, junk: junkJson });
  const edited = fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 3 }), junkJson).map(([v, edits, dupJunk]) => {
    let last: Edited = { value: v };
    for (const e of edits) {
      const r = applyEdit(last.value, e);
      last = { ...r, junk: r.junk ?? last.junk, duplicate: r.duplicate ?? last.duplicate };
    }
    // One placeholder gets the junk text; any other left by an earlier edit becomes null.
    return serialize(last.value, last, dupJunk).split(JSON.stringify(PLACEHOLDER)).join('null');
  });
  const text = fc.oneof(
    { arbitrary: valid.map((v) => JSON.stringify(v)), weight: 3 },
    { arbitrary: edited, weight: 8 },
    { arbitrary: valid.chain((v) => malform(JSON.stringify(v))), weight: 2 },
  );
  return fc.oneof(
    { arbitrary: fc.tuple(text, contentType).map(([body, contentType]) => ({ body, contentType })), weight: 12 },
    { arbitrary: invalidUtf8.map((body) => ({ body, contentType: 'application/json' })), weight: 1 },
    { arbitrary: fc.constant({ contentType: 'application/json' }), weight: 1 },
  );
}

/** encodeURIComponent, which throws on a lone surrogate: such a string is sent as the replacement character a URL would hold. */
const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

function stringify(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  return [typeof v === 'object' ? JSON.stringify(v) : String(v)];
}

/** Requests to one operation, each with one of `credentials` (none for a public operation) in the Authorization header. */
export function requestArb(schemas: SchemaSet, op: Operation, credentials: string[], known: KnownValues, now: number): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');

  // Read when a value is generated, not when the generator is built: ids created meanwhile are included.
  const existing = (name: string) =>
    fc.nat().map((i) => {
      const values = known(op.path, name);
      return values.length ? values[i % values.length]! : 'none';
    });
  const segment = (name: string, schema: unknown) => {
    return fc.oneof(
      { arbitrary: existing(name).map(encode), weight: 4 },
      { arbitrary: (schemas.arbitrary((schema as never) ?? true, now) as fc.Arbitrary<unknown>).map((v) => encode(String(v))), weight: 3 },
      { arbitrary: nasty.map(encode), weight: 3 },
      { arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%2e%2e', '..', '.', 'a%2Fb', '%00', '%FF%FE'), weight: 1 },
    );
  };
  const path = fc.tuple(...pathParams.map((p) => segment(p.name, p.schema))).map((values) => {
    let i = 0;
    return op.path.replace(/\{\w+\}/g, () => values[i++] || '%20');
  });

  const queryValue = (p: (typeof queryParams)[number]) => {
    const hasKnown = known(op.path, p.name).length > 0;
    return fc.oneof(
      ...(hasKnown ? [{ arbitrary: existing(p.name).map((v) => [v]), weight: 2 }] : []),
      { arbitrary: (schemas.arbitrary(p.schema ?? true, now) as fc.Arbitrary<unknown>).map(stringify), weight: 4 },
      { arbitrary: fc.array(nasty, { minLength: 1, maxLength: 3 }), weight: 3 },
    );
  };
  const query = fc
    .tuple(
      fc.tuple(...queryParams.map((p) => fc.option(queryValue(p), { freq: 2 }))),
      fc.array(fc.tuple(fc.oneof(unknownKey, fc.constantFrom(...NASTY)), nasty), { maxLength: 2 }),
      fc.option(fc.constantFrom('&&&', '=x', 'a=%zz', '%zz=1', 'limit', 'limit=', '&limit=1&limit=2', '%00=%00', '?=?'), { freq: 8 }),
    )
    .map(([values, extra, raw]) => {
      const qs = new URLSearchParams();
      values.forEach((vs, i) => vs?.forEach((v) => qs.append(queryParams[i]!.name, v)));
      for (const [k, v] of extra) qs.append(k, v);
      const text = qs.toString();
      return [text, raw].filter(Boolean).join('&');
    });

  const headers = fc
    .tuple(
      fc.tuple(
        ...headerParams.map((p) =>
          fc.option(fc.oneof((schemas.arbitrary(p.schema ?? true, now) as fc.Arbitrary<unknown>).map((v) => byteString(String(v))), headerValue), { freq: 2 }),
        ),
      ),
      fc.option(headerValue, { freq: 4 }),
      fc.option(headerValue, { freq: 4 }),
      fc.option(fc.constantFrom('application/json', 'text/csv', 'text/event-stream', '*/*', 'image/png', ''), { freq: 4 }),
      fc.option(headerValue, { freq: 6 }),
    )
    .map(([declared, lastEventId, idempotencyKey, accept, forwarded]) => {
      const out: Record<string, string> = {};
      declared.forEach((v, i) => {
        if (v !== null) out[headerParams[i]!.name.toLowerCase()] = v;
      });
      if (lastEventId !== null) out['last-event-id'] ??= lastEventId;
      if (idempotencyKey !== null) out['idempotency-key'] ??= idempotencyKey;
      if (accept !== null) out.accept = accept;
      if (forwarded !== null) out['x-forwarded-for'] = forwarded;
      return out;
    });

  const method = fc.oneof({ arbitrary: fc.constant(op.method), weight: 30 }, { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), weight: 1 });
  const body = op.body ? bodyArb(schemas, op, now) : fc.constant({} as { body?: string | Uint8Array<ArrayBuffer>; contentType?: string });

  const credential = credentials.length ? fc.constantFrom(...credentials) : fc.constant(undefined);
  return fc.record({ method, path, query, headers, body, credential }).map(({ method, path, query, headers, body: b, credential }) => {
    const h: Record<string, string> = { ...headers, ...(credential ? { authorization: `Bearer ${credential}` } : {}) };
    const withBody = method !== 'GET' && b.body !== undefined;
    if (withBody && b.contentType !== undefined) h['content-type'] = b.contentType;
    const request: FuzzRequest = { method, url: query ? `${path}?${query}` : path, headers: h, ...(withBody ? { body: b.body } : {}) };
    return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
  });
}

/** A request as a short text (counterexamples print this rather than megabytes of body). */
export function describeRequest(r: FuzzRequest): string {
  const { authorization: _, ...headers } = r.headers;
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : `<${r.body.length} bytes: ${Buffer.from(r.body).toString('hex').slice(0, 80)}>`;
  const shown = body.length > 400 ? `${body.slice(0, 300)}…(${body.length} chars)…${body.slice(-60)}` : body;
  return `${r.method} ${r.url.length > 400 ? r.url.slice(0, 400) + '…' : r.url} ${JSON.stringify(headers).slice(0, 400)} ${shown}`;
}
