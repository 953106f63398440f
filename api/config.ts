import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseDataKey } from './lib/secret-box.js';

const origin = z.string().refine((s) => {
  try {
    return new URL(s).origin === s;
  } catch {
    return false;
  }
}, 'must be an origin such as https://crm.example.com (scheme, host and port only, no path or trailing slash)');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('0.0.0.0'),
  DB_PATH: z.string().min(1).default('./data/ai-receptionist.db'),
  EMBED_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(origin)),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  EVENT_RETENTION_DAYS: z.coerce.number().min(0.001).max(365).default(7),
  SSE_MAX_PER_TENANT: z.coerce.number().int().min(1).max(100_000).default(2_000),
  SSE_HEARTBEAT_SECONDS: z.coerce.number().min(1).max(60).default(15),
  INGEST_RATE_PER_SECOND: z.coerce.number().min(1).max(10_000_000).default(1_000),
  SIMULATOR_EVENTS_PER_MINUTE: z.coerce.number().min(0).max(60_000).default(30),
  OUTBOUND_ALLOW_PRIVATE: z.enum(['0', '1', 'false', 'true']).default('0').transform((v) => v === '1' || v === 'true'),
  DATA_KEY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const key = parseDataKey(v);
      if (!key) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex digits or base64 (e.g. openssl rand -base64 32)' });
      return key ?? undefined;
    }),
  // Uptime is computed over the last 24 hours of checks: at least a day of them is kept.
  HEALTH_CHECK_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
  WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
});

export interface Config {
  port: number;
  host: string;
  dbPath: string;
  embedSecret: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Origins allowed to embed every tenant's widgets, beside each tenant's own list. */
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** Events are kept this long for stream replay, then pruned. */
  eventRetentionMs: number;
  sseMaxPerTenant: number;
  sseHeartbeatMs: number;
  /** Ingest requests per second allowed per credential (bursts of twice that). */
  ingestRatePerSecond: number;
  /** The demo traffic simulator's rate (`serve --demo`). */
  simulatorEventsPerMinute: number;
  /** Lets probes and webhooks call loopback, private and link-local addresses (development, tests); see api/lib/outbound.ts. */
  outboundAllowPrivate: boolean;
  /** Seals stored webhook secrets (api/lib/secret-box.ts); when absent, a key derived from the embed secret does. */
  dataKey?: Buffer;
  /** Health checks are kept this long (at least a day: uptime is over 24 hours), then pruned. */
  healthCheckRetentionMs: number;
  /** Finished webhook deliveries and their attempts are kept this long, then pruned. */
  webhookLogRetentionMs: number;
}

export class ConfigError extends Error {}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Reads the environment once, at start-up. Every bad value is reported with its name; an absent
 * EMBED_SECRET is generated once and kept beside the database, so tokens survive restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dbPath: c.DB_PATH,
    embedSecret: c.EMBED_SECRET ?? storedSecret(c.DB_PATH),
    logLevel: c.LOG_LEVEL,
    corsOrigins: c.CORS_ORIGINS,
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    eventRetentionMs: c.EVENT_RETENTION_DAYS * 24 * 3600 * 1000,
    sseMaxPerTenant: c.SSE_MAX_PER_TENANT,
    sseHeartbeatMs: c.SSE_HEARTBEAT_SECONDS * 1000,
    ingestRatePerSecond: c.INGEST_RATE_PER_SECOND,
    simulatorEventsPerMinute: c.SIMULATOR_EVENTS_PER_MINUTE,
    outboundAllowPrivate: c.OUTBOUND_ALLOW_PRIVATE,
    dataKey: c.DATA_KEY,
    healthCheckRetentionMs: c.HEALTH_CHECK_RETENTION_DAYS * DAY_MS,
    webhookLogRetentionMs: c.WEBHOOK_LOG_RETENTION_DAYS * DAY_MS,
  };
}

function storedSecret(dbPath: string): string {
  const file = join(dbPath === ':memory:' ? './data' : dirname(dbPath), '.embed-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
