import { css } from 'lit';

/** What every panel shares: box model, the panel frame and header, focus ring, buttons, states. */
export const base = css`
  :host {
    display: block;
    box-sizing: border-box;
    container-type: inline-size;
    font-family: var(--_font-family);
    font-size: var(--_font-size-md);
    line-height: 1.4;
    color: var(--_color-text);
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .panel {
    display: flex;
    flex-direction: column;
    min-width: 0;
    height: 100%;
    background: var(--_color-surface);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-lg);
    overflow: hidden;
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
    padding: var(--_space-3) var(--_space-4);
    border-bottom: 1px solid var(--_color-border);
  }
  .title {
    margin: 0;
    margin-inline-end: auto;
    font-size: var(--_font-size-lg);
    font-weight: 600;
  }
  :focus-visible {
    outline: 2px solid var(--_color-focus);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  button,
  select,
  input {
    font: inherit;
    color: inherit;
  }
  .button {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    min-height: 32px;
    padding: 0 var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
    cursor: pointer;
  }
  .button:hover {
    background: var(--_color-surface-sunken);
  }
  .button[aria-pressed='true'] {
    border-color: var(--_color-accent);
    color: var(--_color-accent);
  }
  .field {
    min-height: 32px;
    padding: 0 var(--_space-2);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface);
  }
  svg.icon {
    width: 1em;
    height: 1em;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .connection {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .connection[data-state='connected'] {
    color: var(--_color-success);
  }
  .connection[data-state='offline'] {
    color: var(--_color-danger);
  }
  .state {
    display: grid;
    justify-items: center;
    gap: var(--_space-2);
    padding: var(--_space-4);
    text-align: center;
    color: var(--_color-text-muted);
  }
  .state[data-kind='error'] {
    color: var(--_color-danger);
  }
  .skeleton {
    display: grid;
    gap: var(--_space-2);
    padding: var(--_space-3) var(--_space-4);
  }
  .skeleton span {
    display: block;
    height: 1.1em;
    border-radius: var(--_radius-sm);
    background: linear-gradient(90deg, var(--_color-surface-raised), var(--_color-surface-sunken), var(--_color-surface-raised));
    background-size: 200% 100%;
    animation: shimmer 1.4s linear infinite;
  }
  .skeleton span:nth-child(3n + 2) {
    width: 80%;
  }
  .skeleton span:nth-child(3n) {
    width: 60%;
  }
  /* A scrolling list (the feed, the error log), as tall as the host's --max-height, dimmed while it reloads. */
  .scroller {
    max-height: var(--max-height);
    overflow: auto;
    overscroll-behavior: contain;
  }
  .scroller[aria-busy='true'] {
    opacity: 0.6;
  }
  /* The "N new" button over a list that holds new items back (the feed, the error log). */
  .pill-wrap {
    position: absolute;
    top: var(--_space-2);
    left: 50%;
    transform: translateX(-50%);
    z-index: 1;
  }
  .pill {
    border-radius: 999px;
    border-color: var(--_color-accent);
    background: var(--_color-accent);
    color: var(--_color-accent-contrast);
    box-shadow: var(--_shadow-popover);
    white-space: nowrap;
  }
  .pill svg {
    transform: rotate(180deg);
  }
  .pill:hover {
    background: var(--_color-accent);
    filter: brightness(1.1);
  }
  @keyframes shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
      scroll-behavior: auto !important;
    }
  }
`;
