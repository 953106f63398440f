import { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { CursorCodec } from './cursor.js';
import type { Logger } from './logger.js';
import { ApiError, type FieldError } from './problem.js';
import type { LivePipeline } from '../stream/live.js';
import type { Statements } from './sql.js';

export interface AppDeps {
  db: Db;
  config: Pick<Config, 'embedSecret' | 'corsOrigins' | 'bodyLimitBytes'> &
    Partial<Pick<Config, 'sseMaxPerTenant' | 'sseHeartbeatMs' | 'ingestRatePerSecond' | 'outboundAllowPrivate' | 'dataKey'>>;
  /** Milliseconds since the epoch; injected so tests can pin "now". */
  clock?: () => number;
  log?: Logger;
  /** The live pipeline (bus, outbox, realtime metrics); created with the app when not given. */
  live?: LivePipeline;
}

/** What a handler gets: the dependencies, resolved once per app. */
export interface AppContext {
  db: Db;
  clock: () => number;
  cursors: CursorCodec;
  sql: Statements;
  log: Logger;
  live: LivePipeline;
}

export type AppEnv = { Variables: { auth: Principal } };

export const API_BASE = '/api/v1/ai-receptionist';
export const DASHBOARD_BASE = `${API_BASE}/dashboard`;

/** Validation failures of any zod-declared route become one 400 problem naming every field at fault. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const where = result.target === 'json' ? 'body' : result.target;
      const errors: FieldError[] = result.error.issues.flatMap((issue) => {
        // A repeated query parameter is one field (`status`), however many values it had; a body
        // field keeps its full path (`items.3.channel`) so the caller can find the item.
        const path = result.target === 'json' ? issue.path.map(String) : [String(issue.path[0] ?? '')].filter(Boolean);
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...path, key].join('.'), in: where, message: 'is not a known field' }));
        return [{ field: path.join('.') || where, in: where, message: issue.message }];
      });
      const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      throw new ApiError(400, detail, { errors });
    },
  });
}

