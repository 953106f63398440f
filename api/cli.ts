import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { roiAssumptions } from './auth/principal.js';
import { createApiKey } from './auth/keys.js';
import { createTenant, findTenant, TenantInputError } from './auth/tenants.js';
import { DEFAULT_TOKEN_TTL_SECONDS, EMBED_SCOPES, MAX_TOKEN_TTL_SECONDS, signEmbedToken, tenantSigningKey } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { migrate, openDb } from './db/client.js';
import { SCOPES, type Scope } from './db/schema.js';
import { aggregateRange } from './jobs/aggregate.js';
import { addDays, zone } from './lib/time.js';
import { startServer } from './main.js';
import { DEMO_TENANT, seedAndAggregate, tenantHasActivity } from './seed/demo.js';

const USAGE = `Usage: ai-receptionist <command> [options]

Commands:
  serve [--demo]                      run the API (with --demo: seed the demo tenant when empty)
  migrate                             apply database migrations
  seed [--tenant demo] [--days 14] [--per-day 150] [--rows N] [--seed 42]
                                      generate realistic demo data (creates the tenant if missing)
  tenant create <slug> [--name N] [--timezone America/New_York] [--origin https://crm.example.com]...
  key create --tenant <slug> --scopes ingest,read,admin [--name N]
                                      create an API key (the secret is printed once)
  token --tenant <slug> [--scopes read,errors:write] [--ttl 15m] [--client-id X] [--subject S]
                                      print an embed token
  token --tenant <slug> --signing-key print the tenant's HS256 key, for hosts that sign tokens themselves
  aggregate [--tenant slug] [--date YYYY-MM-DD]
                                      fill metrics_daily (default: yesterday, every tenant)

Environment: PORT, HOST, DB_PATH, EMBED_SECRET, LOG_LEVEL, CORS_ORIGINS, BODY_LIMIT_BYTES.`;

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** "15m", "2h", "900s" or "900" → seconds. */
export function parseTtl(value: string): number {
  const m = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!m) throw new UsageError(`--ttl must look like 15m, 2h or 900s, got "${value}"`);
  const seconds = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[m[2] as '' | 's' | 'm' | 'h'];
  if (seconds < 60 || seconds > MAX_TOKEN_TTL_SECONDS) throw new UsageError('--ttl must be between 1m and 24h');
  return seconds;
}

function scopesOf(value: string, allowed: readonly string[]): Scope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !allowed.includes(s));
  if (!scopes.length || bad.length) throw new UsageError(`--scopes must be a comma-separated list of ${allowed.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`);
  return scopes as Scope[];
}

export async function run(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean', default: false },
      tenant: { type: 'string' },
      days: { type: 'string' },
      'per-day': { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      timezone: { type: 'string' },
      origin: { type: 'string', multiple: true },
      scopes: { type: 'string' },
      ttl: { type: 'string' },
      'client-id': { type: 'string' },
      subject: { type: 'string' },
      'signing-key': { type: 'boolean', default: false },
      date: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, arg] = positionals;
  if (o.help || !command) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const config = loadConfig();
  if (command === 'serve') {
    await startServer(config, { demo: o.demo });
    return;
  }
  const db = openDb(config.dbPath);
  migrate(db);
  const tenantOrFail = (slug: string | undefined) => {
    if (!slug) throw new UsageError('--tenant <slug> is required');
    const t = findTenant(db, slug);
    if (!t) throw new UsageError(`no tenant "${slug}" (create it with: ai-receptionist tenant create ${slug})`);
    return t;
  };
  try {
    switch (command) {
      case 'migrate':
        process.stdout.write(`Migrations applied to ${config.dbPath}\n`);
        return;
      case 'seed': {
        const slug = o.tenant ?? DEMO_TENANT;
        const tenant = findTenant(db, slug) ?? createTenant(db, { slug, timezone: o.timezone });
        if (tenantHasActivity(db, tenant.id)) throw new UsageError(`tenant "${slug}" already has data; seed a new tenant instead`);
        const rows = o.rows === undefined ? undefined : positiveInt('rows', o.rows, 0);
        const bar = rows ? new SingleBar({ format: 'seeding [{bar}] {percentage}% {value}/{total} activities, {eta}s left', hideCursor: true }) : undefined;
        bar?.start(rows!, 0);
        const started = performance.now();
        const result = seedAndAggregate(db, tenant, {
          days: positiveInt('days', o.days, 14),
          perDay: positiveInt('per-day', o['per-day'], 150),
          rows,
          seed: positiveInt('seed', o.seed, 42),
          onProgress: (done: number) => bar?.update(done),
        });
        bar?.update(rows!);
        bar?.stop();
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`Seeded tenant "${slug}" in ${seconds} s: ${JSON.stringify(result)}\n`);
        return;
      }
      case 'tenant': {
        if (sub !== 'create' || !arg) throw new UsageError('usage: tenant create <slug> [--name N] [--timezone Z] [--origin O]...');
        const t = createTenant(db, { slug: arg, name: o.name, timezone: o.timezone, origins: o.origin });
        process.stdout.write(`Created tenant "${t.slug}" (${t.timezone})\n`);
        return;
      }
      case 'key': {
        if (sub !== 'create') throw new UsageError('usage: key create --tenant <slug> --scopes ingest,read,admin');
        const t = tenantOrFail(o.tenant);
        const scopes = scopesOf(o.scopes ?? 'read', SCOPES.filter((s) => s !== 'errors:write'));
        const { key } = createApiKey(db, t.id, scopes, o.name ?? '');
        process.stdout.write(`API key for "${t.slug}" with ${scopes.join(', ')} (shown once, store it now):\n${key}\n`);
        return;
      }
      case 'token': {
        const t = tenantOrFail(o.tenant);
        if (o['signing-key']) {
          process.stdout.write(`${Buffer.from(tenantSigningKey(config.embedSecret, t.slug)).toString('base64url')}\n`);
          return;
        }
        const { token } = await signEmbedToken(config.embedSecret, {
          tenant: t.slug,
          subject: o.subject ?? 'cli',
          scopes: scopesOf(o.scopes ?? 'read', EMBED_SCOPES),
          ttlSeconds: o.ttl ? parseTtl(o.ttl) : DEFAULT_TOKEN_TTL_SECONDS,
          clientId: o['client-id'],
        });
        process.stdout.write(token + '\n');
        return;
      }
      case 'aggregate': {
        const targets = o.tenant ? [tenantOrFail(o.tenant)] : db.query.tenants.findMany().sync();
        for (const t of targets) {
          const date = o.date ?? addDays(zone(t.timezone).localDate(Date.now()), -1);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new UsageError(`--date must be YYYY-MM-DD, got "${date}"`);
          aggregateRange(db, { id: t.id, timezone: t.timezone, roi: roiAssumptions(t.roi_assumptions) }, date, date);
          process.stdout.write(`Aggregated ${t.slug} ${date}\n`);
        }
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    db.$client.close();
  }
}

/** Runs a command; usage and configuration errors print one line and exit 2. */
export function main(argv: string[]): void {
  run(argv).catch((e: unknown) => {
    const known = e instanceof UsageError || e instanceof ConfigError || e instanceof TenantInputError || String((e as { code?: string }).code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`ai-receptionist: ${known ? (e as Error).message : e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(known ? 2 : 1);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
