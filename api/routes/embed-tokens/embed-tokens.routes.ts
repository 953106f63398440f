import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { createRouter, type AppContext, type AppEnv } from '../../lib/router.js';
import { requireScope } from '../../auth/middleware.js';
import { hasScope } from '../../auth/principal.js';
import { DEFAULT_TOKEN_TTL_SECONDS, EMBED_SCOPES, MAX_TOKEN_TTL_SECONDS, signEmbedToken } from '../../auth/tokens.js';
import { ApiError } from '../../lib/problem.js';

const TokenRequest = z
  .object({
    subject: z.string().min(1).max(200).openapi({ description: 'The CRM user the token is for (recorded in audit trails).', example: 'officer@crm.example.com' }),
    scopes: z.array(z.enum(EMBED_SCOPES)).min(1).default(['read']).openapi({ description: '`errors:write` needs an admin key.' }),
    ttl_seconds: z.number().int().min(60).max(MAX_TOKEN_TTL_SECONDS).default(DEFAULT_TOKEN_TTL_SECONDS),
    client_id: z.string().min(1).max(200).optional().openapi({ description: 'Lock the token to one client: widgets then see only that client’s rows.' }),
  })
  .strict()
  .openapi('EmbedTokenRequest');

const TokenResponse = z
  .object({
    token: z.string(),
    token_type: z.literal('Bearer'),
    expires_at: z.string().openapi({ format: 'date-time' }),
    tenant: z.string(),
    scopes: z.array(z.enum(EMBED_SCOPES)),
    client_id: z.string().nullable(),
  })
  .openapi('EmbedToken');

/** Only an API key mints: an embed token cannot mint another. */
const apiKeyOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('auth').kind !== 'api_key') throw new ApiError(403, 'Only an API key can mint embed tokens; an embed token cannot mint another.');
  await next();
};

const mint = createRoute({
  method: 'post',
  path: '/embed-tokens',
  tags: ['Auth'],
  summary: 'Mint an embed token for a browser (API key only)',
  description:
    'The host CRM’s server calls this with its API key and hands the token to the page. Tokens are HS256 JWTs with ' +
    'claims `tenant`, `sub`, `scope`, `iat`, `exp` (at most 24 h), `aud` = "ai-receptionist" and optional `client_id`.',
  // Who may mint is settled before the body is read: a caller that may not gets 403 whatever it sent.
  middleware: [apiKeyOnly, requireScope('read')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: TokenRequest } } } },
  responses: {
    201: { description: 'The token.', content: { 'application/json': { schema: TokenResponse } } },
  },
});

export function embedTokenRoutes(ctx: AppContext, embedSecret: string) {
  return createRouter().openapi(mint, async (c) => {
    const auth = c.get('auth');
    const body = c.req.valid('json');
    const scopes = [...new Set(body.scopes)];
    if (scopes.includes('errors:write') && !hasScope(auth, 'errors:write')) {
      throw new ApiError(403, 'Granting "errors:write" needs an admin key.', {
        errors: [{ field: 'scopes', in: 'body', message: 'errors:write needs an admin key' }],
      });
    }
    const { token, expiresAt } = await signEmbedToken(
      embedSecret,
      { tenant: auth.tenant.slug, subject: body.subject, scopes, ttlSeconds: body.ttl_seconds, clientId: body.client_id },
      ctx.clock(),
    );
    return c.json(
      { token, token_type: 'Bearer' as const, expires_at: new Date(expiresAt).toISOString(), tenant: auth.tenant.slug, scopes, client_id: body.client_id ?? null },
      201,
    );
  });
}
