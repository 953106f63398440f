import { css, unsafeCSS } from 'lit';

/**
 * The design tokens. Each is a public custom property (`--ai-color-surface`, …) that a partner sets
 * anywhere above the widget; the widget reads it through a private copy (`--_color-surface`) whose
 * fallback is the light or dark default. So `theme="dark"`, `prefers-color-scheme: dark` and a
 * partner's brand all compose: the partner's value wins in both themes.
 */
const TOKENS: readonly (readonly [name: string, light: string, dark?: string])[] = [
  ['color-surface', '#ffffff', '#0f1419'],
  ['color-surface-raised', '#f6f8fa', '#161b22'],
  ['color-surface-sunken', '#eef1f4', '#21262d'],
  ['color-text', '#1f2328', '#e6edf3'],
  ['color-text-muted', '#57606a', '#9ba5b0'],
  ['color-border', '#d0d7de', '#30363d'],
  ['color-accent', '#0b62c4', '#58a6ff'],
  ['color-accent-contrast', '#ffffff', '#0b1220'],
  ['color-focus', '#0b62c4', '#79b8ff'],
  ['color-success', '#1a7f37', '#3fb950'],
  ['color-warning', '#8a5a00', '#d29922'],
  ['color-danger', '#c4212e', '#ff7b72'],
  ['color-neutral', '#57606a', '#9ba5b0'],
  ['font-family', 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'],
  ['font-family-mono', 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'],
  ['font-size-xs', '0.75rem'],
  ['font-size-sm', '0.8125rem'],
  ['font-size-md', '0.875rem'],
  ['font-size-lg', '1rem'],
  ['font-size-xl', '1.25rem'],
  ['radius-sm', '4px'],
  ['radius-md', '8px'],
  ['radius-lg', '12px'],
  ['space-1', '4px'],
  ['space-2', '8px'],
  ['space-3', '12px'],
  ['space-4', '16px'],
  ['shadow-popover', '0 6px 24px rgb(0 0 0 / 0.16)', '0 6px 24px rgb(0 0 0 / 0.5)'],
  ['motion-duration', '150ms'],
];

const declarations = (dark: boolean) =>
  TOKENS.filter((t) => !dark || t[2] !== undefined)
    .map(([name, light, darkValue]) => `--_${name}: var(--ai-${name}, ${dark ? darkValue : light});`)
    .join('');

export const tokens = css`
  :host {
    ${unsafeCSS(declarations(false))}
    color-scheme: light;
  }
  :host([theme='dark']) {
    ${unsafeCSS(declarations(true))}
    color-scheme: dark;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${unsafeCSS(declarations(true))}
      color-scheme: dark;
    }
  }
`;
