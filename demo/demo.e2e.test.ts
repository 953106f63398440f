/**
 * End to end: the demo CRM page in Chromium against the real server (`serve --demo` in this
 * process, on a temporary database): the page and its token route, the widgets loading live data,
 * an ingested event reaching the feed, the feed selecting a conversation, the theme switcher, and
 * no console error or Content-Security-Policy violation on the way. Screenshots go to
 * .scratch/shots/demo-*.png for a human to look at.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../api/auth/keys.js';
import { findTenant } from '../api/auth/tenants.js';
import { verifyEmbedToken } from '../api/auth/tokens.js';
import { loadConfig } from '../api/config.js';
import { BUNDLE, createDemoHost, DEMO_CSP } from '../api/demo-host.js';
import { startServer } from '../api/main.js';
import { INGEST_BASE } from '../api/routes/ingest/ingest.routes.js';
import { DEMO_TENANT } from '../api/seed/demo.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(ROOT, '.scratch', 'shots');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
/** Chromium reports this when a ResizeObserver callback resizes what it observes (the virtualized feed); harmless. */
const RESIZE_OBSERVER_LOOP = 'ResizeObserver loop completed with undelivered notifications';
const WAIT_MS = 20_000;

/** The bundle is built when missing or older than any widget source, so the page never tests stale widgets. */
function ensureBundle(): void {
  const bundle = join(ROOT, 'dist', BUNDLE);
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory()
          ? e.name === 'test'
            ? 0
            : newest(join(dir, e.name))
          : /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)
            ? statSync(join(dir, e.name)).mtimeMs
            : 0,
      ),
    );
  if (built > newest(join(ROOT, 'widgets'))) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(result.status, 0, 'npm run build failed: the demo page needs dist/' + BUNDLE);
}

/** A GET sent exactly as written (fetch would normalize `..` away before sending). */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo CRM page', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let ingestKey: string;
  let embedSecret: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors, uncaught exceptions and CSP violations, from every page this test opens. */
  const problems: string[] = [];

  const watch = (p: Page) => {
    p.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes(RESIZE_OBSERVER_LOOP)) problems.push(`console: ${message.text()}`);
    });
    p.on('pageerror', (error) => {
      if (!error.message.includes(RESIZE_OBSERVER_LOOP)) problems.push(`pageerror: ${error.message}`);
    });
  };

  const newPage = async (viewport = { width: 1440, height: 900 }) => {
    const p = await context.newPage();
    await p.setViewportSize(viewport);
    watch(p);
    return p;
  };

  /** The CSP violations the page itself saw (recorded by the init script below). */
  const violations = (p: Page) => p.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

  const ingest = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${INGEST_BASE}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ingestKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.equal(response.status, 201, `POST ${path}: ${text}`);
    return (JSON.parse(text) as { data: { id: string } }).data;
  };

  /**
   * A full-page screenshot from the top. The feed renders rows only inside the viewport, so the
   * viewport is made as tall as the page while the picture is taken.
   */
  const screenshot = async (p: Page, name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    const viewport = p.viewportSize()!;
    const height = await p.evaluate(() => document.documentElement.scrollHeight);
    await p.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    // Scrolling (after the resize) is what makes the virtualized feed recompute what is visible.
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.mouse.move(0, 0);
    await p.locator('ai-activity-feed [part~="row"]').first().waitFor({ timeout: WAIT_MS });
    // The virtualizer lays out the rows that came into view on its next frames.
    await p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await p.screenshot({ path: join(SHOTS, `demo-${name}.png`), fullPage: true });
    await p.setViewportSize(viewport);
  };

  /**
   * Waits until the page's widgets have their first data (health chips and feed rows). The feed's
   * list is virtualized and renders rows only while it is on screen, so it is scrolled into view.
   */
  const loaded = async (p: Page) => {
    await p.locator('ai-system-health-bar [part~="chip"]').first().waitFor({ timeout: WAIT_MS });
    await p.locator('ai-activity-feed').scrollIntoViewIfNeeded();
    await p.locator('ai-activity-feed [part~="row"]').first().waitFor({ timeout: WAIT_MS });
  };

  before(async () => {
    ensureBundle();
    assert.ok(existsSync(CHROME), `Chromium not found at ${CHROME}: apt-get install chromium, or set CHROME_PATH`);
    dir = mkdtempSync(join(tmpdir(), 'air-demo-e2e-'));
    embedSecret = randomBytes(32).toString('base64url');
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DB_PATH: join(dir, 'demo.db'),
      EMBED_SECRET: embedSecret,
      LOG_LEVEL: 'warn',
      SIMULATOR_EVENTS_PER_MINUTE: '6',
    });
    server = await startServer(config, { demo: true });
    base = `http://127.0.0.1:${server.port}`;
    const tenant = findTenant(server.db, DEMO_TENANT);
    assert.ok(tenant, 'serve --demo creates the demo tenant');
    ingestKey = createApiKey(server.db, tenant.id, ['ingest'], 'demo e2e').key;

    browser = await chromium.launch({
      executablePath: CHROME,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext();
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
    });
    page = await newPage();
    await page.goto(`${base}/`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('serves the page under a strict CSP, its files, and nothing outside them', async () => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('content-security-policy'), DEMO_CSP);
    assert.match(await response.text(), /<ai-activity-feed/);

    const css = await fetch(`${base}/demo/demo.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    const js = await fetch(`${base}/dist/${BUNDLE}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);

    assert.equal(await rawGet(server.port, '/demo/../package.json'), 404);
    assert.equal(await rawGet(server.port, '/demo/%2e%2e/package.json'), 404);
    assert.equal(await rawGet(server.port, '/dist/../package.json'), 404);
    assert.equal(await rawGet(server.port, '/demo/demo.e2e.test.ts'), 404, 'the demo folder serves page assets only');
    // The API still answers beside the page.
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  test('/demo/token mints a 15-minute read + errors:write embed token for the demo tenant, as a host backend would', async () => {
    const response = await fetch(`${base}/demo/token`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const { token, expires_at } = (await response.json()) as { token: string; expires_at: string };
    const claims = await verifyEmbedToken(embedSecret, token);
    assert.equal(claims.tenant, DEMO_TENANT);
    assert.deepEqual([...claims.scopes].sort(), ['errors:write', 'read']);
    const ttl = claims.expiresAt - Date.now();
    assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, `lives 15 minutes (${ttl} ms left)`);
    assert.equal(Date.parse(expires_at), claims.expiresAt);
  });

  test('the three widgets render live data', async () => {
    await loaded(page);
    assert.ok((await page.locator('ai-system-health-bar [part~="chip"]').count()) >= 3, 'one chip per component');
    assert.ok((await page.locator('ai-activity-feed [part~="row"]').count()) >= 3, 'feed rows');
    // Until the user picks an activity, the conversation panel shows the newest conversation.
    await page.locator('ai-conversation [part~="turn"]').first().waitFor({ timeout: WAIT_MS });
    assert.ok(await page.locator('ai-conversation').getAttribute('conversation-id'));
    await page.locator('ai-activity-feed [part~="connection"]', { hasText: 'Live' }).waitFor({ timeout: WAIT_MS });
  });

  test('an ingested event appears in the feed, and selecting it shows its conversation', async () => {
    const client = `E2E Borrower ${randomUUID().slice(0, 8)}`;
    const said = `I would like to lock my rate today (${randomUUID().slice(0, 8)})`;
    const started = new Date(Date.now() - 120_000).toISOString();
    const conversation = await ingest('/conversations', {
      client_name: client,
      client_phone: '+1 (617) 555-0100',
      channel: 'voice',
      started_at: started,
      ended_at: new Date().toISOString(),
      transcript: [
        { speaker: 'caller', text: said, at: started, confidence: null },
        { speaker: 'ai', text: 'I can help with that. Let me connect you with your loan officer.', at: started, confidence: 0.92 },
      ],
      summary: 'Caller asked to lock a rate; transferred to the loan officer.',
      intent: 'rate_lock',
      sentiment: 'positive',
      outcome: 'transferred',
    });
    await ingest('/activity', {
      action_type: 'escalated',
      channel: 'voice',
      client_name: client,
      message_in: said,
      confidence_score: 0.88,
      outcome_status: 'escalated',
      conversation_id: conversation.id,
    });

    const row = page.locator('ai-activity-feed [part~="row"]', { hasText: client });
    await row.waitFor({ timeout: WAIT_MS });
    const selected = page.evaluate(
      () => new Promise<string | null>((resolve) => document.addEventListener('ai-activity-select', (e) => resolve(e.detail.activity.conversation_id), { once: true })),
    );
    await row.click();
    assert.equal(await selected, conversation.id, 'ai-activity-select carries the activity');
    assert.equal(await page.locator('ai-conversation').getAttribute('conversation-id'), conversation.id);
    await page.locator('ai-conversation [part~="turn"]', { hasText: said }).waitFor({ timeout: WAIT_MS });
    await page.locator('ai-conversation [part~="title"]', { hasText: client }).waitFor({ timeout: WAIT_MS });
  });

  test('the theme switcher turns the widgets dark, persists, and brands them for the partner with tokens and parts only', async () => {
    await loaded(page);
    await screenshot(page, 'light');
    const widgets = ['ai-system-health-bar', 'ai-activity-feed', 'ai-conversation'];
    const themes = () => page.evaluate((tags) => tags.map((t) => document.querySelector(t)!.getAttribute('theme')), widgets);
    const panel = (tag: string) =>
      page.evaluate((t) => getComputedStyle(document.querySelector(t)!.shadowRoot!.querySelector('[part~="base"]')!).backgroundColor, tag);

    assert.deepEqual(await themes(), ['light', 'light', 'light']);
    const lightPanel = await panel('ai-activity-feed');

    await page.getByLabel('Theme').selectOption('dark');
    assert.deepEqual(await themes(), ['dark', 'dark', 'dark']);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const darkPanel = await panel('ai-activity-feed');
    assert.notEqual(darkPanel, lightPanel);
    assert.ok(luminance(darkPanel) < 0.1, `the feed's panel is dark (${darkPanel})`);
    await screenshot(page, 'dark');

    // The choice outlives a reload.
    await page.reload();
    await loaded(page);
    assert.equal(await page.getByLabel('Theme').inputValue(), 'dark');
    assert.deepEqual(await themes(), ['dark', 'dark', 'dark']);

    await page.getByLabel('Theme').selectOption('partner');
    assert.deepEqual(await themes(), ['light', 'light', 'light'], 'the partner brand is a light theme');
    const accent = await page.evaluate(() => getComputedStyle(document.querySelector('ai-activity-feed')!).getPropertyValue('--ai-color-accent').trim());
    assert.equal(accent, '#1e6b47', 'the brand reaches the widgets through their public tokens');
    const header = await page.evaluate(
      () => getComputedStyle(document.querySelector('ai-activity-feed')!.shadowRoot!.querySelector('[part~="header"]')!).borderBottomColor,
    );
    assert.equal(header, 'rgb(200, 164, 90)', 'and through ::part(header)');
    await page.locator('ai-conversation [part~="turn"]').first().waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'partner');
    await page.getByLabel('Theme').selectOption('light');
  });

  test('is usable 360 px wide', async () => {
    const narrow = await newPage({ width: 360, height: 780 });
    await narrow.goto(`${base}/`);
    await loaded(narrow);
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling of the page');
    await narrow.locator('ai-conversation [part~="turn"]').first().waitFor({ timeout: WAIT_MS });
    await screenshot(narrow, 'mobile-360');
    assert.deepEqual(await violations(narrow), []);
    await narrow.close();
  });

  test('no console error and no Content-Security-Policy violation', async () => {
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(problems, []);
  });
});

describe('demo host without a built bundle', () => {
  test('answers /dist/ with 503 and what to run, and passes everything else to the API', async () => {
    const root = mkdtempSync(join(tmpdir(), 'air-demo-root-'));
    try {
      const api = { fetch: () => new Response('from the API', { status: 404 }) };
      const host = createDemoHost(api, { tenant: DEMO_TENANT, embedSecret: randomBytes(32).toString('base64url'), root });
      const missing = await host.request(`/dist/${BUNDLE}`);
      assert.equal(missing.status, 503);
      assert.match(await missing.text(), /run npm run build/);
      const other = await host.request('/api/v1/anything');
      assert.equal(await other.text(), 'from the API');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Relative luminance of an `rgb(r, g, b)` colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
