import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { compress } from 'hono/compress';
import { Hono, type MiddlewareHandler } from 'hono';
import { signEmbedToken } from './auth/tokens.js';

/**
 * The demo CRM page's own web server, in front of the API (`serve --demo`): the page at `/`, its
 * files under `/demo/`, the built widgets under `/dist/`, and `/demo/token`, which stands for the
 * host CRM's backend minting an embed token for its signed-in user. Everything else goes to the
 * API app unchanged, so the API itself carries no demo code.
 */

/** The page is served as a host with a strict policy would serve it: the widgets need nothing looser. */
export const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/** The widget bundle the page loads; without it `/dist/` answers 503 with what to run. */
export const BUNDLE = 'ai-receptionist.min.js';

/** How long the page's embed tokens live (the widgets ask for a new one before expiry). */
const TOKEN_TTL_SECONDS = 15 * 60;

/** File types each folder may serve: the demo folder also holds its test, which is not a page asset. */
const DEMO_FILES = /\.(?:html|css|js|svg|png|ico|webp)$/;
const DIST_FILES = /\.(?:js|map|json)$/;

export interface DemoHostOptions {
  /** The demo tenant's slug: the tenant `/demo/token` mints for. */
  tenant: string;
  embedSecret: string;
  /** The repository root holding `demo/` and `dist/`; defaults to this package's root. */
  root?: string;
}

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

export function createDemoHost(api: { fetch: Fetch }, options: DemoHostOptions) {
  const root = options.root ?? fileURLToPath(new URL('..', import.meta.url));
  const dist = join(root, 'dist');
  const host = new Hono();

  const pageHeaders: MiddlewareHandler = async (c, next) => {
    await next();
    c.header('Content-Security-Policy', DEMO_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-cache');
  };
  const only = (allowed: RegExp): MiddlewareHandler => async (c, next) => (allowed.test(c.req.path) ? next() : c.notFound());

  host.use('/', pageHeaders);
  host.use('/demo/*', pageHeaders);
  host.use('/dist/*', pageHeaders);
  // The page's files go compressed (the single-file bundle shrinks about fourfold), as a CDN would send them.
  host.use('/', compress());
  host.use('/demo/*', compress());
  host.use('/dist/*', compress());

  host.get('/', serveStatic({ root, path: 'demo/index.html' }));

  // Stands for the host CRM's own backend: a real one would mint only for its signed-in user (its
  // session cookie), with that user as the subject. The demo has one user, so no credential is asked.
  host.get('/demo/token', async (c) => {
    const { token, expiresAt } = await signEmbedToken(options.embedSecret, {
      tenant: options.tenant,
      subject: 'demo-user',
      scopes: ['read', 'errors:write'],
      ttlSeconds: TOKEN_TTL_SECONDS,
    });
    c.header('Cache-Control', 'no-store');
    return c.json({ token, expires_at: new Date(expiresAt).toISOString() });
  });
  host.get('/demo/*', only(DEMO_FILES), serveStatic({ root }));

  host.get('/dist/*', (c, next) =>
    existsSync(join(dist, BUNDLE))
      ? next()
      : c.text(`The widget bundle (dist/${BUNDLE}) has not been built yet: run npm run build, then reload.\n`, 503),
  );
  host.get('/dist/*', only(DIST_FILES), serveStatic({ root }));

  // A path that is no page file (or tries to leave the folder) is the API's to answer, 404 included.
  host.notFound((c) => api.fetch(c.req.raw, c.env));
  host.all('*', (c) => api.fetch(c.req.raw, c.env));
  return host;
}
