/**
 * Bundle sizes (SPEC §9): what a page downloads, minified and gzipped (level 9), built in memory
 * with the single-file bundle's options from rollup.config.js (lit and every dependency inlined,
 * minified by esbuild), each from a different entry:
 * - core + the activity feed: a consumer importing only widgets/activity-feed/activity-feed.ts;
 * - each widget alone with what it needs;
 * - the single-file bundle of all widgets (widgets/index.ts).
 * When core + feed misses its goal, the rows after it say what each inlined package adds to it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rollup, type MergedRollupOptions, type OutputChunk } from 'rollup';
import { loadConfigFile } from 'rollup/loadConfigFile';
import type { Row } from './table.js';

const FEED_GOAL_KB = 20;
/** The live panels (feed, health bar, conversation) in one file. */
const LIVE_GOAL_KB = 45;
/** Every widget in one file. */
const ALL_GOAL_KB = 55;
const LIVE_PANELS = ['activity-feed', 'system-health-bar', 'conversation'];
const BUNDLE_FILE = 'dist/ai-receptionist.min.js';

const kb = (bytes: number) => bytes / 1024;
const fmtKb = (bytes: number) => `${kb(bytes).toFixed(1)} KB`;

export interface BundleSize {
  /** Minified bytes. */
  min: number;
  /** Minified and gzipped (level 9) bytes. */
  gzip: number;
  /** The npm packages inlined. */
  packages: string[];
}

/** Lit's packages, counted as one: `lit` re-exports the other three. */
const LIT = ['lit', 'lit-html', 'lit-element', '@lit/reactive-element'];

/** The builds of rollup.config.js, as `npm run build` runs them. */
async function configs(): Promise<MergedRollupOptions[]> {
  const { options, warnings } = await loadConfigFile(resolve('rollup.config.js'), { silent: true });
  warnings.flush();
  return options;
}

/** The single-file bundle's options. */
function bundleOptions(configs: MergedRollupOptions[]): MergedRollupOptions {
  const bundle = configs.find((o) => o.output.some((out) => out.file === BUNDLE_FILE));
  if (!bundle) throw new Error(`rollup.config.js has no build of ${BUNDLE_FILE}`);
  return bundle;
}

/** Builds `entry` as one minified file, in memory, and measures it; `leaveOut` packages stay imports. */
export async function bundleSize(entry: string, options?: MergedRollupOptions, leaveOut: readonly string[] = []): Promise<BundleSize> {
  const { output, ...input } = options ?? bundleOptions(await configs());
  const external = (id: string) => leaveOut.some((pkg) => id === pkg || id.startsWith(`${pkg}/`));
  const build = await rollup({ ...input, input: entry, external, onLog: () => {} });
  try {
    const { output: files } = await build.generate({ ...output[0], file: undefined });
    const chunk = files.find((f): f is OutputChunk => f.type === 'chunk')!;
    const packages = new Set(Object.keys(chunk.modules).map((id) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)?.[1]).filter((p) => p !== undefined));
    return { min: Buffer.byteLength(chunk.code), gzip: gzipSync(chunk.code, { level: 9 }).length, packages: [...packages].sort() };
  } finally {
    await build.close();
  }
}

/**
 * Where the gzipped bytes go: what each inlined package adds (the bundle with it minus the bundle
 * without it), and the rest, which is the widgets' own code. Largest first.
 */
export async function whereBytesGo(entry: string, options?: MergedRollupOptions): Promise<[string, number][]> {
  const opts = options ?? bundleOptions(await configs());
  const full = await bundleSize(entry, opts);
  const groups = [...new Set(full.packages.map((p) => (LIT.includes(p) ? 'lit' : p)))];
  const costs: [string, number][] = [];
  for (const group of groups) {
    const without = await bundleSize(entry, opts, group === 'lit' ? LIT : [group]);
    costs.push([group, full.gzip - without.gzip]);
  }
  costs.push(["widgets' own code (the rest)", full.gzip - costs.reduce((sum, [, bytes]) => sum + bytes, 0)]);
  return costs.sort((a, b) => b[1] - a[1]);
}

/** The widgets rollup.config.js builds: the entries widgets/<name>/<name>.ts of its npm build. */
function widgetNames(configs: MergedRollupOptions[]): string[] {
  const inputs = configs.flatMap((c) => (Array.isArray(c.input) ? c.input : typeof c.input === 'string' ? [c.input] : Object.values(c.input ?? {})));
  const names = inputs.map((file) => /^widgets\/([^/]+)\/\1\.ts$/.exec(file)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

export async function bundleBench(): Promise<Row[]> {
  const all = await configs();
  const options = bundleOptions(all);
  const widgets = widgetNames(all);
  const rows: Row[] = [];
  const measured = (s: BundleSize) => `${fmtKb(s.gzip)} (min ${fmtKb(s.min)})`;

  if (widgets.includes('activity-feed')) {
    const feed = await bundleSize('widgets/activity-feed/activity-feed.ts', options);
    const ok = kb(feed.gzip) <= FEED_GOAL_KB;
    rows.push({ figure: 'bundle: core + activity feed, min+gzip', goal: `≤ ${FEED_GOAL_KB} KB`, measured: measured(feed), ok });
    if (!ok) {
      for (const [origin, bytes] of await whereBytesGo('widgets/activity-feed/activity-feed.ts', options))
        rows.push({ figure: `  of which ${origin}`, goal: '', measured: `${fmtKb(bytes)} gzip` });
    }
  }
  for (const name of widgets.filter((n) => n !== 'activity-feed')) {
    const size = await bundleSize(`widgets/${name}/${name}.ts`, options);
    rows.push({ figure: `bundle: core + ${name}, min+gzip`, goal: '', measured: measured(size) });
  }
  if (LIVE_PANELS.every((name) => widgets.includes(name))) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
    try {
      const entry = join(dir, 'live-panels.ts');
      writeFileSync(entry, LIVE_PANELS.map((name) => `import ${JSON.stringify(resolve(`widgets/${name}/${name}.ts`))};`).join('\n'));
      const live = await bundleSize(entry, options);
      rows.push({ figure: `bundle: the live panels (${LIVE_PANELS.join(', ')}), min+gzip`, goal: `≤ ${LIVE_GOAL_KB} KB`, measured: measured(live), ok: kb(live.gzip) <= LIVE_GOAL_KB });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const bundle = await bundleSize('widgets/index.ts', options);
  rows.push({ figure: `bundle: all ${widgets.length} widgets (${BUNDLE_FILE}), min+gzip`, goal: `≤ ${ALL_GOAL_KB} KB`, measured: measured(bundle), ok: kb(bundle.gzip) <= ALL_GOAL_KB });
  return rows;
}
