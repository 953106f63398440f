/**
 * The JSON Schema subset the OpenAPI document uses, for tests: a validator (every 2xx answer is
 * checked against the schema the document promises) and fast-check arbitraries that produce
 * values a schema accepts (the starting point of the fuzzer's mutations).
 *
 * The validator refuses keywords it does not know, so a schema that starts using one fails loudly
 * instead of passing unchecked.
 */
import fc from 'fast-check';

export type Schema = { [keyword: string]: any } | boolean;

/** Keywords that only describe; they constrain nothing. */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', 'default', 'deprecated', 'readOnly', 'writeOnly', 'externalDocs', 'xml', '$comment']);
const ASSERTIONS = new Set([
  '$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'enum', 'const', 'type', 'nullable',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'maxProperties',
  'items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems',
  'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
]);

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export class SchemaSet {
  readonly #patterns = new Map<string, RegExp>();

  constructor(readonly doc: { components?: { schemas?: Record<string, Schema> } }) {}

  resolve(schema: Schema): Schema {
    let s = schema;
    for (let hops = 0; typeof s === 'object' && typeof s.$ref === 'string'; hops++) {
      if (hops > 20) throw new Error(`$ref loop at ${s.$ref}`);
      const m = /^#\/components\/schemas\/(.+)$/.exec(s.$ref);
      const target = m ? this.doc.components?.schemas?.[decodeURIComponent(m[1]!)] : undefined;
      if (target === undefined) throw new Error(`unresolvable $ref ${s.$ref}`);
      const { $ref: _, ...rest } = s;
      s = Object.keys(rest).length ? { allOf: [target, rest] } : target;
    }
    return s;
  }

  #regex(pattern: string): RegExp {
    let re = this.#patterns.get(pattern);
    if (!re) this.#patterns.set(pattern, (re = new RegExp(pattern)));
    return re;
  }

  /** The ways `value` breaks `schema`, each with a JSON path; empty when it conforms. */
  validate(schema: Schema, value: unknown, path = '$'): string[] {
    const s = this.resolve(schema);
    if (s === true) return [];
    if (s === false) return [`${path}: no value is allowed here`];
    for (const k of Object.keys(s)) {
      if (!ASSERTIONS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`unsupported JSON Schema keyword "${k}" at ${path}`);
    }
    const out: string[] = [];
    const fail = (msg: string) => out.push(`${path}: ${msg}`);
    const t = typeOf(value);

    if (s.allOf) for (const sub of s.allOf) out.push(...this.validate(sub, value, path));
    if (s.anyOf && !s.anyOf.some((sub: Schema) => this.validate(sub, value, path).length === 0)) {
      fail(`matches none of anyOf (${s.anyOf.map((sub: Schema) => this.validate(sub, value, path)[0]).join(' | ')})`);
    }
    if (s.oneOf) {
      const n = s.oneOf.filter((sub: Schema) => this.validate(sub, value, path).length === 0).length;
      if (n !== 1) fail(`matches ${n} of oneOf, not exactly one`);
    }
    if (s.not && this.validate(s.not, value, path).length === 0) fail('matches a schema it must not');
    if (s.enum && !s.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) fail(`must be ${JSON.stringify(s.const)}`);
    if (s.type !== undefined) {
      const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
      if (s.nullable) types.push('null');
      const ok = types.some((ty) => ty === t || (ty === 'number' && t === 'integer'));
      if (!ok) {
        fail(`expected ${types.join('|')}, got ${t}`);
        return out;
      }
    }
    if (t === 'number' || t === 'integer') {
      const n = value as number;
      if (!Number.isFinite(n)) fail('not a finite number');
      if (s.minimum !== undefined && n < s.minimum) fail(`${n} < minimum ${s.minimum}`);
      if (s.maximum !== undefined && n > s.maximum) fail(`${n} > maximum ${s.maximum}`);
      if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) fail(`${n} <= exclusiveMinimum ${s.exclusiveMinimum}`);
      if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum) fail(`${n} >= exclusiveMaximum ${s.exclusiveMaximum}`);
      if (s.multipleOf !== undefined && Math.abs(n / s.multipleOf - Math.round(n / s.multipleOf)) > 1e-9) fail(`not a multiple of ${s.multipleOf}`);
    }
    if (t === 'string') {
      const str = value as string;
      const length = [...str].length;
      if (s.minLength !== undefined && length < s.minLength) fail(`shorter than ${s.minLength}`);
      if (s.maxLength !== undefined && length > s.maxLength) fail(`longer than ${s.maxLength}`);
      if (s.pattern !== undefined && !this.#regex(s.pattern).test(str)) fail(`does not match ${s.pattern}`);
      if (s.format === 'date' && !DATE.test(str)) fail(`not a date: ${str}`);
      if (s.format === 'date-time' && (!DATE_TIME.test(str) || Number.isNaN(Date.parse(str)))) fail(`not a date-time: ${str}`);
    }
    if (t === 'array') {
      const arr = value as unknown[];
      if (s.minItems !== undefined && arr.length < s.minItems) fail(`fewer than ${s.minItems} items`);
      if (s.maxItems !== undefined && arr.length > s.maxItems) fail(`more than ${s.maxItems} items`);
      if (s.uniqueItems && new Set(arr.map((v) => JSON.stringify(v))).size !== arr.length) fail('items are not unique');
      const prefix: Schema[] = s.prefixItems ?? [];
      arr.forEach((item, i) => {
        const sub = i < prefix.length ? prefix[i] : s.items;
        if (sub !== undefined) out.push(...this.validate(sub, item, `${path}[${i}]`));
      });
    }
    if (t === 'object') {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (const r of s.required ?? []) if (!Object.hasOwn(obj, r)) fail(`missing required "${r}"`);
      if (s.minProperties !== undefined && keys.length < s.minProperties) fail(`fewer than ${s.minProperties} properties`);
      if (s.maxProperties !== undefined && keys.length > s.maxProperties) fail(`more than ${s.maxProperties} properties`);
      for (const k of keys) {
        const sub = s.properties?.[k] ?? s.additionalProperties;
        if (s.propertyNames) out.push(...this.validate(s.propertyNames, k, `${path}{${k}}`));
        if (sub === false && !s.properties?.[k]) fail(`unknown property "${k}"`);
        else if (sub !== undefined) out.push(...this.validate(sub, obj[k], `${path}.${k}`));
      }
    }
    return out;
  }

  /**
   * Values the schema accepts, biased to small ones. `now` anchors dates (recent, never in the
   * future) so that bodies with times pass the server's plausibility checks now and then.
   */
  arbitrary(schema: Schema, now: number, depth = 0): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (s === true) return fc.jsonValue({ maxDepth: 2 });
    if (s === false) return fc.constant(null);
    if (depth > 8) return fc.constant(null);
    const next = (sub: Schema) => this.arbitrary(sub, now, depth + 1);
    if (s.example !== undefined && !s.enum) return fc.oneof({ arbitrary: fc.constant(s.example), weight: 1 }, { arbitrary: next({ ...s, example: undefined }), weight: 3 });
    if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
    if ('const' in s) return fc.constant(s.const);
    if (s.anyOf || s.oneOf) return fc.oneof(...((s.anyOf ?? s.oneOf) as Schema[]).map(next));
    if (s.allOf) return next(mergeAll(s.allOf.map((sub: Schema) => this.resolve(sub))));
    const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['string', 'number', 'boolean', 'null', 'object', 'array'];
    if (types.length > 1) return fc.oneof(...types.map((type) => next({ ...s, type })));
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: Math.ceil(s.minimum ?? (s.exclusiveMinimum ?? -1_000_001) + 1e-9), max: Math.floor(s.maximum ?? (s.exclusiveMaximum ?? 1_000_001) - 1e-9) });
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case 'string': {
        if (s.format === 'date-time') return fc.integer({ min: now - 30 * 86_400_000, max: now }).map((t) => new Date(t).toISOString());
        if (s.format === 'date') return fc.integer({ min: now - 30 * 86_400_000, max: now }).map((t) => new Date(t).toISOString().slice(0, 10));
        if (s.format === 'uri' || s.format === 'url') return fc.webUrl({ validSchemes: ['http', 'https'] });
        if (s.format === 'email') return fc.emailAddress();
        const min = s.minLength ?? 0;
        const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
        if (s.pattern) {
          return fc.stringMatching(this.#regex(s.pattern)).filter((v) => [...v].length >= min && [...v].length <= (s.maxLength ?? Infinity));
        }
        return fc.string({ minLength: min, maxLength: max, unit: fc.oneof({ arbitrary: fc.string({ minLength: 1, maxLength: 1 }), weight: 5 }, { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), weight: 1 }) });
      }
      case 'array': {
        const minLength = s.minItems ?? 0;
        return fc.array(next(s.items ?? true), { minLength, maxLength: Math.min(s.maxItems ?? minLength + 3, minLength + 3) });
      }
      case 'object': {
        const props: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, sub] of Object.entries<Schema>(s.properties ?? {})) props[k] = next(sub);
        const known = fc.record(props, { requiredKeys: (s.required ?? []).filter((k: string) => k in props) });
        if (s.additionalProperties === undefined || s.additionalProperties === false || s.properties) return known;
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), next(s.additionalProperties), { maxKeys: 4 });
      }
      default:
        throw new Error(`cannot generate type ${types[0]}`);
    }
  }

  /** One small value the schema accepts: its example or default, else the simplest choice. */
  example(schema: Schema, depth = 0): unknown {
    const s = this.resolve(schema);
    if (typeof s === 'boolean' || depth > 8) return null;
    if (s.example !== undefined) return s.example;
    if (s.enum) return s.enum[0];
    if ('const' in s) return s.const;
    if (s.anyOf || s.oneOf) return this.example((s.anyOf ?? s.oneOf)[0], depth + 1);
    if (s.allOf) return this.example(mergeAll(s.allOf.map((sub: Schema) => this.resolve(sub))), depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') ?? 'null' : s.type;
    switch (type) {
      case 'object':
        return Object.fromEntries((s.required ?? []).map((k: string) => [k, this.example(s.properties?.[k] ?? true, depth + 1)]));
      case 'array':
        return Array.from({ length: s.minItems ?? 0 }, () => this.example(s.items ?? true, depth + 1));
      case 'string':
        if (s.format === 'date-time') return '2026-11-20T12:00:00Z';
        if (s.format === 'date') return '2026-11-20';
        return 'x'.repeat(Math.max(1, s.minLength ?? 1));
      case 'integer':
      case 'number':
        return s.minimum ?? 0;
      case 'boolean':
        return false;
      default:
        return null;
    }
  }
}

/** allOf of object schemas as one schema (what zod-openapi emits for a described $ref). */
function mergeAll(schemas: Schema[]): Schema {
  const out: Record<string, any> = {};
  for (const s of schemas) {
    if (typeof s !== 'object') continue;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties') out.properties = { ...out.properties, ...v };
      else if (k === 'required') out.required = [...(out.required ?? []), ...v];
      else out[k] = v;
    }
  }
  return out;
}
