// `npm run build` (with tsc for the declarations and the custom-elements manifest analyzer):
//   1. dist/**/*.js — ES modules, one per source module under widgets/, for npm users; the runtime
//      dependencies (lit, @lit/task, @lit-labs/virtualizer, eventsource-parser) stay imports so the
//      host's bundler shares them with the rest of the page.
//   2. dist/ai-receptionist.min.js — everything in one minified file for a CDN
//      `<script type="module">`; it also exports `configure`.
// Widgets are found by their folders: widgets/<name>/<name>.ts defines the tag, and
// widgets/<name>/<name>.component.ts holds the class.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
const TARGET = 'es2022';
const BUNDLE_FILE = 'dist/ai-receptionist.min.js';

/** The widget folders: widgets/<name>/ with a widgets/<name>/<name>.ts. */
function widgetNames() {
  return readdirSync('widgets', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`widgets/${d.name}/${d.name}.ts`))
    .map((d) => d.name)
    .sort();
}

/** TypeScript through esbuild, with tsconfig.json so the legacy decorators compile as tsc would. */
function transpile(options = {}) {
  return esbuild({ tsconfig: 'tsconfig.json', target: TARGET, sourceMap: false, ...options });
}

/**
 * Fails the build when a widget is not published: widgets/index.ts must define its tag and
 * package.json must export it as `./<name>`.
 */
function everyWidgetPublished() {
  return {
    name: 'every-widget-published',
    buildStart() {
      const index = readFileSync('widgets/index.ts', 'utf8');
      const problems = widgetNames().flatMap((name) => [
        ...(index.includes(`'./${name}/${name}.js'`) ? [] : [`widgets/index.ts does not import './${name}/${name}.js'`]),
        ...(pkg.exports?.[`./${name}`] ? [] : [`package.json "exports" has no "./${name}"`]),
      ]);
      if (problems.length) this.error(problems.join('; '));
    },
  };
}

/** A license line on top of the minified file (esbuild's minifier drops `output.banner`). */
function licenseBanner(text) {
  return { name: 'license-banner', renderChunk: (code) => ({ code: `${text}\n${code}`, map: null }) };
}

const isDependency = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    input: [
      'widgets/index.ts',
      'widgets/core/index.ts',
      ...widgetNames().flatMap((name) =>
        [`widgets/${name}/${name}.ts`, `widgets/${name}/${name}.component.ts`].filter((file) => existsSync(file)),
      ),
    ],
    external: isDependency,
    plugins: [everyWidgetPublished(), transpile()],
    output: {
      dir: 'dist',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'widgets',
      entryFileNames: '[name].js',
    },
  },
  {
    input: 'widgets/index.ts',
    plugins: [
      nodeResolve(),
      transpile({ minify: true, legalComments: 'none' }),
      licenseBanner(
        `/*! ${pkg.name} ${pkg.version} (${pkg.license}); includes lit, @lit/task, @lit-labs/virtualizer (BSD-3-Clause, Google LLC) and eventsource-parser (MIT) */`,
      ),
    ],
    // The virtualizer loads its default layout with import(): inlined too, so the bundle stays one file.
    output: { file: BUNDLE_FILE, format: 'es', inlineDynamicImports: true },
  },
];
