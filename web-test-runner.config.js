// Widget tests: @web/test-runner in headless Chromium, against REAL API servers started by
// widgets/test/api-plugin.ts in this process. Run with `npm run test:widgets` (under tsx, so the
// plugin imports the API's TypeScript directly).
import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  throw new Error(
    `Chromium not found at ${executablePath}. Install it (apt-get install chromium) or set CHROME_PATH to a Chrome/Chromium executable.`,
  );
}

/** The API plugin is TypeScript: imported directly under `node --import tsx`, else through tsx's API. */
async function loadApiPlugin() {
  try {
    return await import('./widgets/test/api-plugin.ts');
  } catch (e) {
    if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    const { tsImport } = await import('tsx/esm/api');
    return tsImport('./widgets/test/api-plugin.ts', import.meta.url);
  }
}
const { apiPlugin } = await loadApiPlugin();

/** Chromium reports this when a ResizeObserver callback resizes what it observes; harmless (the next frame delivers). */
const RESIZE_OBSERVER_LOOP = 'ResizeObserver loop completed with undelivered notifications';

/**
 * Mocha's window.onerror fails the running test on any uncaught error, and Chromium dispatches the
 * ResizeObserver loop notice as one (an ErrorEvent with no error object, logged as `null`). A
 * capture listener on window runs before both mocha's handler and wtr's error logger and stops
 * exactly that message; every other error still fails the test.
 */
const ignoreResizeObserverLoop = `window.addEventListener('error', (e) => {
  if (typeof e.message === 'string' && e.message.includes(${JSON.stringify(RESIZE_OBSERVER_LOOP)})) {
    e.stopImmediatePropagation();
    e.preventDefault();
  }
}, true);`;

const mentionsResizeObserverLoop = (value) =>
  (typeof value === 'string' && value.includes(RESIZE_OBSERVER_LOOP)) ||
  (value instanceof Object && typeof value.message === 'string' && value.message.includes(RESIZE_OBSERVER_LOOP));

/**
 * The style policy of a strict host page (the demo's): no inline style attributes or <style>
 * elements. Widgets style themselves through adopted stylesheets and CSSOM, which it allows.
 */
const STYLE_POLICY = "style-src 'self'";

/**
 * A blocked style is only a console warning, so a widget could break under a strict host and still
 * pass. Each violation is rethrown as an uncaught error, which fails the running test.
 */
const failOnPolicyViolation = `document.addEventListener('securitypolicyviolation', (e) => {
  const where = e.target instanceof Element ? '<' + e.target.localName + '>' : 'the document';
  throw new Error('Content-Security-Policy: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + where + ' (widgets must work under ' + ${JSON.stringify(STYLE_POLICY)} + ')');
});`;

export default {
  files: ['widgets/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 2,
  testsFinishTimeout: 120_000,
  testFramework: { config: { timeout: 10_000 } },
  browsers: [
    chromeLauncher({
      // One browser context per test file: each page is then in the foreground. Two tabs of one
      // context would leave one hidden, where requestAnimationFrame and focus events never come.
      createPage: async ({ browser }) => (await browser.createBrowserContext()).newPage(),
      launchOptions: {
        executablePath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
  testRunnerHtml: (testFramework) =>
    `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${STYLE_POLICY}">` +
    `<script>${ignoreResizeObserverLoop}${failOnPolicyViolation}</script></head>` +
    `<body><script type="module" src="${testFramework}"></script></body></html>`,
  // Lit's development build announces itself on every page; the tests run it on purpose (its extra checks).
  filterBrowserLogs: ({ args }) => !args.some((arg) => mentionsResizeObserverLoop(arg) || (typeof arg === 'string' && arg.startsWith('Lit is in dev mode'))),
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' }), apiPlugin()],
};
