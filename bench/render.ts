/**
 * Time to first render with data, per widget (SPEC §9), in headless Chromium: a real server
 * (`serve --demo` on a temporary database, so the demo tenant is seeded; the traffic simulator is
 * off so nothing else moves), the single-file bundle dist/ai-receptionist.min.js, and for each tag
 * a fresh page (in a fresh browser context: no cache, no shared client or stream) that has loaded
 * the bundle. The clock starts before `document.createElement` and the append, and stops when the
 * widget's shadow root holds a part that only data puts there (a feed row, a health chip, a KPI
 * value…), seen by a MutationObserver. For the one-tag dashboard, when every panel inside it does.
 *
 * One unmeasured run per widget first warms the server (SQLite pages, JIT) and the browser.
 *
 * Run alone: `npx tsx -e "import('./bench/render.ts').then((m) => m.renderBench({ quick: true })).then(console.log)"`.
 */
import { ensureBundle } from '../api/test/bundle.js';
import { spawnServer, stopProcess as stop } from '../api/test/server-process.js';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { Row } from './table.js';

const DASHBOARD = '/api/v1/ai-receptionist/dashboard';
const RUN_TIMEOUT_MS = 30_000;
const log = (s: string) => process.stderr.write(s + '\n');

/**
 * Where each widget's data shows: a path of selectors through shadow roots, starting in the
 * widget's own. A widget has rendered with data when every one of its probes matches.
 */
const PROBES: Record<string, string[][]> = {
  'ai-system-health-bar': [['[part~="chip"]']],
  'ai-activity-feed': [['[part~="row"]']],
  'ai-conversation': [['[part~="turn"]']],
  'ai-metrics-dashboard': [['[part~="tile-value"]']],
  'ai-error-log': [['[part~="item"]']],
  'ai-skills-heatmap': [['[part~="row"]']],
  'ai-roi-metrics': [['[part~="figure"]']],
};
PROBES['ai-receptionist-dashboard'] = Object.entries(PROBES).map(([tag, [probe]]) => [tag, ...probe!]);




interface RunArgs {
  tag: string;
  attributes: Record<string, string>;
  probes: string[][];
  timeoutMs: number;
}

/**
 * The page each run starts from: the bundle loaded, and `measure(args)`, which creates the widget
 * and answers the milliseconds until all its probes match. Every shadow root in the widget is
 * observed as it appears, so each change is checked at once. (Plain JavaScript in the page: a
 * function handed to page.evaluate would carry the TypeScript loader's helpers with it.)
 */
const PAGE = `<!doctype html><html lang="en-US"><head><meta charset="utf-8">
<script type="module">
import '/dist/ai-receptionist.min.js';

function find(root, path) {
  let scope = root;
  for (let i = 0; i < path.length; i++) {
    const el = scope?.querySelector(path[i]);
    if (!el) return false;
    if (i === path.length - 1) return true;
    scope = el.shadowRoot;
  }
  return false;
}

window.measure = ({ tag, attributes, probes, timeoutMs }) =>
  new Promise((resolve, reject) => {
    const observed = new WeakSet();
    const observer = new MutationObserver(() => check());
    const observe = (root) => {
      if (!root) return;
      if (!observed.has(root)) {
        observed.add(root);
        observer.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
      }
      for (const child of root.querySelectorAll('*')) if (child.shadowRoot) observe(child.shadowRoot);
    };
    const start = performance.now();
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    document.getElementById('host').append(el);
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('<' + tag + '> showed no data within ' + timeoutMs + ' ms'));
    }, timeoutMs);
    function check() {
      if (!probes.every((path) => find(el.shadowRoot, path))) return observe(el.shadowRoot);
      const elapsed = performance.now() - start;
      clearTimeout(timer);
      observer.disconnect();
      resolve(elapsed);
    }
    check();
  });
window.bundleLoaded = true;
</script>
</head><body style="margin:0"><main id="host" style="width:1280px"></main></body></html>`;

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function renderBench(options: { quick: boolean }): Promise<Row[]> {
  const runs = options.quick ? 2 : 5;
  const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROME_PATH.`);
  ensureBundle();

  const dir = mkdtempSync(join(tmpdir(), 'bench-render-'));
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    log('render: starting the demo server…');
    const started = await spawnServer({
      dbPath: join(dir, 'render.db'),
      secret: randomBytes(32).toString('base64url'),
      demo: true,
      env: { SIMULATOR_EVENTS_PER_MINUTE: '0' },
    });
    server = started.child;
    const base = started.url;
    const { token } = (await (await fetch(`${base}/demo/token`)).json()) as { token: string };
    const conversations = (await (await fetch(`${base}${DASHBOARD}/conversations?limit=1`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      data: { id: string }[];
    };
    const conversationId = conversations.data[0]?.id;
    if (!conversationId) throw new Error('render: the demo tenant has no conversation');

    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });

    /** One run: a fresh context and page with the bundle loaded, then the widget created and timed. */
    const run = async (tag: string): Promise<number> => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.route(`${base}/bench-render`, (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
        await page.goto(`${base}/bench-render`);
        await page.waitForFunction(() => (window as unknown as { bundleLoaded?: boolean }).bundleLoaded === true);
        const attributes: Record<string, string> = { 'api-base': base, token, theme: 'light' };
        if (tag === 'ai-conversation') attributes['conversation-id'] = conversationId;
        const args: RunArgs = { tag, attributes, probes: PROBES[tag]!, timeoutMs: RUN_TIMEOUT_MS };
        const ms = await page.evaluate((a) => (window as unknown as { measure(a: RunArgs): Promise<number> }).measure(a), args);
        if (errors.length) throw new Error(`render: <${tag}> page errors: ${errors.join('; ')}`);
        return ms;
      } finally {
        await context.close();
      }
    };

    const rows: Row[] = [];
    for (const tag of Object.keys(PROBES)) {
      await run(tag); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push(await run(tag));
      log(`render: <${tag}> ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);
      rows.push({
        figure: `first render with data: <${tag}>`,
        goal: '—',
        measured: `median ${median(samples).toFixed(0)} ms (${Math.min(...samples).toFixed(0)}–${Math.max(...samples).toFixed(0)})`,
      });
    }
    return rows;
  } finally {
    await browser?.close();
    if (server) await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
