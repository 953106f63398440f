/**
 * End to end: the demo CRM page in Chromium against the real server (`serve --demo` in this
 * process, on a temporary database): the page and its token route, the widgets loading live data
 * (the live panels and the analytics panels), an ingested event reaching the feed, the feed
 * selecting a conversation, a fix approval round-tripping through the API and back to a second
 * error log, the theme switcher, and no console error or Content-Security-Policy violation on the
 * way. Full-page screenshots at 1440 and 360 px in every theme go to .scratch/shots/demo5-*.png for
 * a human to look at.
 */
import { ensureBundle } from '../api/test/bundle.js';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ErrorDetail, Page as ApiPage, ReceptionistError, Skill } from '../api/contract.js';
import { createApiKey } from '../api/auth/keys.js';
import { findTenant } from '../api/auth/tenants.js';
import { verifyEmbedToken } from '../api/auth/tokens.js';
import { loadConfig } from '../api/config.js';
import { BUNDLE, createDemoHost, DEMO_CSP } from '../api/demo-host.js';
import { startServer } from '../api/main.js';
import { DASHBOARD_BASE } from '../api/app.js';
import { INGEST_BASE } from '../api/routes/ingest/ingest.routes.js';
import { DEMO_TENANT } from '../api/seed/demo.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(ROOT, '.scratch', 'shots');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
/** Chromium reports this when a ResizeObserver callback resizes what it observes (the virtualized feed); harmless. */
const RESIZE_OBSERVER_LOOP = 'ResizeObserver loop completed with undelivered notifications';
const WAIT_MS = 20_000;
const THEMES = ['light', 'dark', 'partner'] as const;
/** Every widget on the page, and in each a part that is there only once it shows data. */
const WIDGETS = {
  'ai-system-health-bar': '[part~="chip"]',
  'ai-activity-feed': '[part~="row"]',
  'ai-conversation': '[part~="turn"]',
  'ai-metrics-dashboard': '[part~="tile-value"]',
  'ai-error-log': '[part~="item"]',
  'ai-roi-metrics': '[part~="figure"]',
  'ai-skills-heatmap': '[part~="row"]',
} as const;
const TAGS = Object.keys(WIDGETS) as (keyof typeof WIDGETS)[];
const ANALYTICS = ['ai-metrics-dashboard', 'ai-error-log', 'ai-roi-metrics', 'ai-skills-heatmap'] as const;


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
  /** A read key of the demo tenant, for checking what the API holds. */
  let readKey: string;
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

  /** A GET of the dashboard API with the read key, from Node. */
  const read = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${DASHBOARD_BASE}${path}`, { headers: { Authorization: `Bearer ${readKey}` } });
    const text = await response.text();
    assert.equal(response.status, 200, `GET ${path}: ${text}`);
    return JSON.parse(text) as T;
  };

  /**
   * A full-page screenshot from the top, once every widget shows data. The feed renders rows only
   * inside the viewport, so the viewport is made as tall as the page while the picture is taken.
   */
  const screenshot = async (p: Page, name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await everyWidgetLoaded(p);
    const viewport = p.viewportSize()!;
    const height = await p.evaluate(() => document.documentElement.scrollHeight);
    await p.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    // Scrolling (after the resize) is what makes the virtualized feed recompute what is visible.
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.mouse.move(0, 0);
    await p.locator('ai-activity-feed [part~="row"]').first().waitFor({ timeout: WAIT_MS });
    // The virtualizer lays out the rows that came into view on its next frames.
    await p.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await p.screenshot({ path: join(SHOTS, `demo5-${name}.png`), fullPage: true });
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

  /** Waits until every widget on the page shows data, each scrolled into view (the feed renders rows only on screen). */
  const everyWidgetLoaded = async (p: Page) => {
    for (const tag of TAGS) {
      await p.locator(tag).first().scrollIntoViewIfNeeded();
      await p.locator(`${tag} ${WIDGETS[tag]}`).first().waitFor({ timeout: WAIT_MS });
    }
    await p.evaluate(() => window.scrollTo(0, 0));
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
    readKey = createApiKey(server.db, tenant.id, ['read'], 'demo e2e reader').key;

    browser = await chromium.launch({
      executablePath: CHROME,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext();
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      // The target is retargeted to the outermost shadow host: the widget at fault.
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in <${(e.target as Element | null)?.localName ?? 'document'}>`),
      );
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

  test('the analytics panels render the API\'s data below the pipeline', async () => {
    for (const tag of ANALYTICS) {
      await page.locator(tag).scrollIntoViewIfNeeded();
      await page.locator(`${tag} ${WIDGETS[tag]}`).first().waitFor({ timeout: WAIT_MS });
    }
    const tiles = await page.locator('ai-metrics-dashboard [part~="tile-value"]').allTextContents();
    assert.ok(tiles.length >= 4 && tiles.every((t) => /\d/.test(t)), `KPI tiles with figures: ${tiles.join(', ')}`);
    const figures = await page.locator('ai-roi-metrics [part~="figure"]').allTextContents();
    assert.ok(figures.length >= 4 && figures.every((t) => /\d/.test(t)), `ROI figures: ${figures.join(' | ')}`);

    const skills = (await read<{ data: Skill[] }>('/skills')).data;
    await page.waitForFunction(
      (n) => document.querySelector('ai-skills-heatmap')!.shadowRoot!.querySelectorAll('tbody [part~="row"]').length === n,
      skills.length,
      { timeout: WAIT_MS },
    );
    const skillNames = await page.locator('ai-skills-heatmap tbody [part~="row"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.skill));
    assert.deepEqual(new Set(skillNames), new Set(skills.map((s) => s.skill_name)), 'one row per skill');

    const open = await read<ApiPage<ReceptionistError>>('/errors?status=unresolved&status=needs_review&status=fix_approved&limit=5');
    assert.ok(open.data.length > 0, 'the demo has open errors');
    await page.locator(`ai-error-log [part~="item"][data-id="${open.data[0]!.id}"]`).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('ai-error-log [part~="item"]').first().getAttribute('data-id'), open.data[0]!.id, 'newest open error first');
    // The demo's token has errors:write, so the workflow is offered.
    assert.ok((await page.locator('ai-error-log [part~="action-button"]').count()) > 0, 'Approve fix / Needs review / Won’t fix shown');
  });

  test('a fix approval round-trips: the API records it, and a second error log shows it live', async () => {
    const log = page.locator('ai-error-log.errors');
    await log.scrollIntoViewIfNeeded();
    await log.locator('[part~="connection"][data-state="connected"]').waitFor({ timeout: WAIT_MS });
    // A second error log, as a host would put another one on the page (configured by the page's configure()).
    await page.evaluate(() => {
      const second = document.createElement('ai-error-log');
      second.id = 'second-error-log';
      document.querySelector('.insights-grid')!.append(second);
    });
    const second = page.locator('#second-error-log');
    await second.locator('[part~="connection"][data-state="connected"]').waitFor({ timeout: WAIT_MS });

    const said = `Do you finance tiny homes on wheels? (${randomUUID().slice(0, 8)})`;
    const error = await ingest('/errors', {
      error_type: 'unrecognized_request',
      severity: 'high',
      message_in: said,
      skill_name: 'loan_products_faq',
      component: 'openai_api',
      root_cause: 'No skill covers this request',
      recommended_fix: 'Add tiny-home financing to the FAQ',
    });
    const item = log.locator(`[part~="item"][data-id="${error.id}"]`);
    const secondItem = second.locator(`[part~="item"][data-id="${error.id}"]`);
    // Both learn of the new error over the page's one stream (error.detected).
    await item.locator('[part~="message"]', { hasText: said }).waitFor({ timeout: WAIT_MS });
    await secondItem.waitFor({ timeout: WAIT_MS });
    assert.equal((await secondItem.locator('[part~="status"]').textContent())?.trim(), 'Unresolved');

    await item.locator('[part~="action-button"][data-action="approve-fix"]').click();
    await item.locator('[part~="status"]', { hasText: 'Fix approved' }).waitFor({ timeout: WAIT_MS });

    // The API holds the new status and who set it.
    let detail = await read<ErrorDetail>(`/errors/${error.id}`);
    for (let i = 0; detail.resolution_status !== 'fix_approved' && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      detail = await read<ErrorDetail>(`/errors/${error.id}`);
    }
    assert.equal(detail.resolution_status, 'fix_approved');
    const audit = detail.audit.at(-1);
    assert.equal(audit?.action, 'approve-fix');
    assert.equal(audit?.to_status, 'fix_approved');
    assert.equal(audit?.actor, 'demo-user', 'recorded as the CRM user the embed token names');

    // The other error log, which sent nothing, follows through error.updated.
    await secondItem.locator('[part~="status"]', { hasText: 'Fix approved' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await item.locator('[part~="action-error"]').count(), 0, 'no failure shown');
    await page.evaluate(() => document.getElementById('second-error-log')!.remove());
  });

  test('the theme switcher turns every widget dark, persists, and brands them for the partner with tokens and parts only', async () => {
    await loaded(page);
    await screenshot(page, '1440-light');
    const themes = () => page.evaluate((tags) => tags.map((t) => document.querySelector(t)!.getAttribute('theme')), TAGS);
    const panel = (tag: string) =>
      page.evaluate((t) => getComputedStyle(document.querySelector(t)!.shadowRoot!.querySelector('[part~="base"]')!).backgroundColor, tag);
    const every = (theme: string) => TAGS.map(() => theme);

    assert.deepEqual(await themes(), every('light'));
    const lightPanel = await panel('ai-activity-feed');

    await page.getByLabel('Theme').selectOption('dark');
    assert.deepEqual(await themes(), every('dark'));
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const darkPanel = await panel('ai-activity-feed');
    assert.notEqual(darkPanel, lightPanel);
    for (const tag of TAGS.filter((t) => t !== 'ai-system-health-bar')) {
      const background = await panel(tag);
      assert.ok(luminance(background) < 0.1, `<${tag}>'s panel is dark (${background})`);
    }
    await screenshot(page, '1440-dark');

    // The choice outlives a reload.
    await page.reload();
    await loaded(page);
    assert.equal(await page.getByLabel('Theme').inputValue(), 'dark');
    assert.deepEqual(await themes(), every('dark'));

    await page.getByLabel('Theme').selectOption('partner');
    assert.deepEqual(await themes(), every('light'), 'the partner brand is a light theme');
    for (const tag of TAGS) {
      const accent = await page.evaluate((t) => getComputedStyle(document.querySelector(t)!).getPropertyValue('--ai-color-accent').trim(), tag);
      assert.equal(accent, '#1e6b47', `the brand reaches <${tag}> through its public tokens`);
    }
    for (const tag of TAGS.filter((t) => t !== 'ai-system-health-bar')) {
      const header = await page.evaluate(
        (t) => getComputedStyle(document.querySelector(t)!.shadowRoot!.querySelector('[part~="header"]')!).borderBottomColor,
        tag,
      );
      assert.equal(header, 'rgb(200, 164, 90)', `and through <${tag}>::part(header)`);
    }
    await screenshot(page, '1440-partner');
    await page.getByLabel('Theme').selectOption('light');
  });

  test('is usable 360 px wide, in every theme', async () => {
    const narrow = await newPage({ width: 360, height: 780 });
    await narrow.goto(`${base}/`);
    await loaded(narrow);
    for (const theme of THEMES) {
      await narrow.getByLabel('Theme').selectOption(theme);
      await screenshot(narrow, `360-${theme}`);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `no horizontal scrolling of the page (${theme})`);
    }
    await narrow.getByLabel('Theme').selectOption('light');
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
