import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { createApiKey } from './auth/keys.js';
import { createTenant, findTenant, TenantInputError } from './auth/tenants.js';
import { DEFAULT_TOKEN_TTL_SECONDS, EMBED_SCOPES, MAX_TOKEN_TTL_SECONDS, signEmbedToken, tenantSigningKey } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { migrate, openDb } from './db/client.js';
import { SCOPES, type Scope } from './db/schema.js';
import { aggregateRange, dueDates, metricsTenant } from './jobs/aggregate.js';
import { scoreAllSkills } from './jobs/skills.js';
import { addDays, daysBetween, zone } from './lib/time.js';
import { HealthMonitor } from './jobs/health-monitor.js';
import { WebhookDispatcher } from './jobs/webhooks.js';
import { OutboundPolicy } from './lib/outbound.js';
import { SecretBox } from './lib/secret-box.js';
import { Statements } from './lib/sql.js';
import { LivePipeline } from './stream/live.js';
import { startServer } from './main.js';
import { ComponentName, deleteMonitor, listMonitors, MONITOR_LIMITS, MonitorInputSchema, putMonitor } from './routes/monitors/monitors.queries.js';
import { WebhookInputSchema } from './routes/webhooks/webhooks.routes.js';
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  sealWebhookSecrets,
  serializeWebhook,
  TooManyWebhooksError,
  WEBHOOK_EVENTS,
} from './routes/webhooks/webhooks.queries.js';
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
                                      fill metrics_daily for a past local day (default: every
                                      day missing up to yesterday, and yesterday; every tenant)
  score-skills [--tenant slug]        recompute the skills' accuracy, trend and retraining flags
  monitor add --tenant <slug> --component <name> --url <probe URL> [--interval 60] [--timeout 5] [--latency-threshold 1000]
                                      probe a component over HTTP (interval and timeout in seconds, threshold in ms)
  monitor list [--tenant slug]        the monitored components
  monitor probe [--tenant slug]       probe every monitored component now (as the server does every interval)
  monitor remove --tenant <slug> --component <name>
  webhook add --tenant <slug> --url <URL> --events fix.approved,error.detected [--description D]
                                      register a webhook (its signing secret is printed once)
  webhook list --tenant <slug>
  webhook deliver                     queue and attempt every due delivery now (as the server does)
  webhook remove <id> --tenant <slug>

Environment: PORT, HOST, DB_PATH, EMBED_SECRET, LOG_LEVEL, CORS_ORIGINS, BODY_LIMIT_BYTES, OUTBOUND_ALLOW_PRIVATE, DATA_KEY
(and the rest in the README).`;

class UsageError extends Error {}

/** A duration flag given in seconds (decimals allowed), as milliseconds within the limits. */
function seconds(name: string, value: string, limits: { min: number; max: number }): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n * 1000 < limits.min || n * 1000 > limits.max) {
    throw new UsageError(`--${name} must be a number of seconds from ${limits.min / 1000} to ${limits.max / 1000}, got "${value}"`);
  }
  return Math.round(n * 1000);
}

function milliseconds(name: string, value: string, limits: { min: number; max: number }): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < limits.min || n > limits.max) throw new UsageError(`--${name} must be whole milliseconds from ${limits.min} to ${limits.max}, got "${value}"`);
  return n;
}

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
      component: { type: 'string' },
      url: { type: 'string' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      'latency-threshold': { type: 'string' },
      events: { type: 'string' },
      description: { type: 'string' },
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
  const outbound = new OutboundPolicy({ allowPrivate: config.outboundAllowPrivate });
  const secrets = SecretBox.fromConfig(config);
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
        if (o.date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(o.date) || Number.isNaN(Date.parse(o.date)))) {
          throw new UsageError(`--date must be YYYY-MM-DD, got "${o.date}"`);
        }
        const now = Date.now();
        for (const t of targets) {
          const yesterday = addDays(zone(t.timezone).localDate(now), -1);
          if (o.date !== undefined && o.date > yesterday) throw new UsageError(`--date must be a day that is over in ${t.slug}'s time zone (${t.timezone}), got ${o.date}`);
          // The days the daily job would aggregate now, and yesterday in any case.
          const [first, last] = o.date !== undefined ? [o.date, o.date] : [dueDates(db, t, now)[0] ?? yesterday, yesterday];
          aggregateRange(db, metricsTenant(t), first, last, now);
          process.stdout.write(`Aggregated ${t.slug} ${first === last ? first : `${first} to ${last} (${daysBetween(first, last) + 1} days)`}\n`);
        }
        return;
      }
      case 'score-skills': {
        const targets = o.tenant ? [tenantOrFail(o.tenant)] : db.query.tenants.findMany().sync();
        const scored = await scoreAllSkills(db, Date.now(), { tenants: targets });
        for (const [i, r] of scored.entries()) process.stdout.write(`Scored ${r.skills} skills of ${targets[i]!.slug} (${r.changed} updated)\n`);
        return;
      }
      case 'monitor': {
        if (sub === 'list') {
          const targets = o.tenant ? [tenantOrFail(o.tenant)] : db.query.tenants.findMany().sync();
          for (const t of targets) {
            for (const m of listMonitors(db, t.id)) {
              process.stdout.write(
                `${t.slug}\t${m.component_name}\t${m.probe_url}\tevery ${m.interval_ms / 1000} s, timeout ${m.timeout_ms / 1000} s, ` +
                  `slow above ${m.latency_threshold_ms} ms\t${m.enabled ? (m.status ?? 'not checked yet') : 'disabled'}\n`,
              );
            }
          }
          return;
        }
        if (sub === 'probe') {
          const targets = o.tenant ? [tenantOrFail(o.tenant)] : db.query.tenants.findMany().sync();
          const live = new LivePipeline(db, { sql: new Statements(db.$client), clock: Date.now });
          const monitor = new HealthMonitor({ db, clock: Date.now, live, outbound });
          for (const t of targets) {
            for (const { component: c } of await monitor.runDue(undefined, t.id)) {
              process.stdout.write(`${t.slug}/${c.component_name}: ${c.status}${c.message ? ` (${c.message})` : ''}\n`);
            }
          }
          return;
        }
        const t = tenantOrFail(o.tenant);
        const component = ComponentName.safeParse(o.component);
        if (!component.success) throw new UsageError(`--component must be 1–64 characters of a–z, 0–9, "_", "." or "-"${o.component === undefined ? '' : `, got "${o.component}"`}`);
        if (sub === 'remove') {
          if (!deleteMonitor(db, t.id, component.data)) throw new UsageError(`"${t.slug}" does not monitor "${component.data}"`);
          process.stdout.write(`Stopped probing ${t.slug}/${component.data}\n`);
          return;
        }
        if (sub !== 'add') throw new UsageError('usage: monitor add|list|remove (see --help)');
        if (!o.url) throw new UsageError('--url <probe URL> is required');
        const { interval, timeout, latencyThreshold } = MONITOR_LIMITS;
        const input = MonitorInputSchema.safeParse({
          probe_url: o.url,
          interval_ms: o.interval === undefined ? undefined : seconds('interval', o.interval, interval),
          timeout_ms: o.timeout === undefined ? undefined : seconds('timeout', o.timeout, timeout),
          latency_threshold_ms: o['latency-threshold'] === undefined ? undefined : milliseconds('latency-threshold', o['latency-threshold'], latencyThreshold),
        });
        if (!input.success) {
          const flags: Record<string, string> = { probe_url: 'url', timeout_ms: 'timeout' };
          const issue = input.error.issues[0]!;
          throw new UsageError(`--${flags[String(issue.path[0])] ?? String(issue.path[0])} ${issue.message.replace('interval_ms', 'the interval')}`);
        }
        const refused = await outbound.check(input.data.probe_url);
        if (refused) throw new UsageError(`--url ${refused} (OUTBOUND_ALLOW_PRIVATE=1 allows internal addresses)`);
        const { created } = putMonitor(db, t.id, component.data, input.data, Date.now());
        process.stdout.write(`${created ? 'Monitoring' : 'Updated'} ${t.slug}/${component.data}: GET ${input.data.probe_url} every ${input.data.interval_ms / 1000} s\n`);
        return;
      }
      case 'webhook': {
        if (sub === 'deliver') {
          sealWebhookSecrets(db, secrets);
          const live = new LivePipeline(db, { sql: new Statements(db.$client), clock: Date.now });
          await new WebhookDispatcher({ db, clock: Date.now, live, outbound, secrets }).run();
          const counts = Object.fromEntries(
            db.$client.prepare<[], [string, number]>('SELECT status, count(*) FROM webhook_deliveries GROUP BY status').raw().all(),
          );
          process.stdout.write(`Webhook deliveries: ${counts.delivered ?? 0} delivered, ${counts.pending ?? 0} pending, ${counts.failed ?? 0} failed\n`);
          return;
        }
        const t = tenantOrFail(o.tenant);
        if (sub === 'list') {
          for (const w of listWebhooks(new Statements(db.$client), t.id).map(serializeWebhook)) {
            process.stdout.write(`${w.id}\t${w.url}\t${w.events.join(',')}${w.description ? `\t${w.description}` : ''}\n`);
          }
          return;
        }
        if (sub === 'remove') {
          if (!arg) throw new UsageError('usage: webhook remove <id> --tenant <slug>');
          if (!deleteWebhook(db, t.id, arg)) throw new UsageError(`"${t.slug}" has no webhook "${arg}"`);
          process.stdout.write(`Deleted webhook ${arg}\n`);
          return;
        }
        if (sub !== 'add') throw new UsageError('usage: webhook add|list|remove (see --help)');
        const input = WebhookInputSchema.safeParse({
          url: o.url,
          events: (o.events ?? '').split(',').map((e) => e.trim()).filter(Boolean),
          description: o.description,
        });
        if (!input.success) {
          const issue = input.error.issues[0]!;
          const field = String(issue.path[0]);
          if (field === 'events') throw new UsageError(`--events must be a comma-separated list of ${WEBHOOK_EVENTS.join(', ')}`);
          throw new UsageError(`--${field} ${o[field as 'url'] === undefined ? 'is required' : issue.message}`);
        }
        const refused = await outbound.check(input.data.url);
        if (refused) throw new UsageError(`--url ${refused} (OUTBOUND_ALLOW_PRIVATE=1 allows internal addresses)`);
        let created;
        try {
          created = createWebhook(db, secrets, t.id, input.data, Date.now());
        } catch (e) {
          if (e instanceof TooManyWebhooksError) throw new UsageError(e.message);
          throw e;
        }
        process.stdout.write(
          `Webhook ${created.webhook.id} for "${t.slug}" → ${created.webhook.url} (${input.data.events.join(', ')})\n` +
            `Signing secret (shown once, store it now):\n${created.secret}\n`,
        );
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
