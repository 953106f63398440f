// `cem analyze` (part of `npm run build`): dist/custom-elements.json from the widgets' classes and
// their JSDoc (@summary, @fires, @csspart, @cssproperty), with the base element so the shared
// attributes (api-base, token, theme, locale) are listed on every tag. Module paths point at the
// built files in dist/, which is what a consumer imports.

/** `widgets/x/y.ts` (or `.js`) → `dist/x/y.js`, in every `path` and `module` reference of the manifest. */
function pathsToDist() {
  const toDist = (value) => value.replace(/^\/?widgets\/(.*)\.[jt]s$/, 'dist/$1.js');
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'path' || key === 'module') && typeof value === 'string') node[key] = toDist(value);
      else walk(value);
    }
  };
  return { name: 'paths-to-dist', packageLinkPhase: ({ customElementsManifest }) => walk(customElementsManifest) };
}

export default {
  globs: ['widgets/core/base-element.ts', 'widgets/*/*.ts'],
  exclude: ['widgets/core/!(base-element).ts', 'widgets/test/**', 'widgets/index.ts', '**/*.test.ts', '**/*.styles.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
  plugins: [pathsToDist()],
};
