import { css } from 'lit';

export default css`
  :host {
    --_bar-ai: var(--bar-ai-color, var(--_color-accent));
    --_bar-human: var(--bar-human-color, var(--_color-neutral));
    --_bar-height: var(--bar-height, 14px);
    --_figure-min: var(--figure-min-width, 10rem);
  }
  .range {
    font-size: var(--_font-size-sm);
    color: var(--_color-text-muted);
  }
  .ranges {
    display: inline-flex;
  }
  .ranges .button {
    min-width: 44px;
    justify-content: center;
    border-radius: 0;
  }
  .ranges .button + .button {
    margin-inline-start: -1px;
  }
  .ranges .button:first-child {
    border-start-start-radius: var(--_radius-md);
    border-end-start-radius: var(--_radius-md);
  }
  .ranges .button:last-child {
    border-start-end-radius: var(--_radius-md);
    border-end-end-radius: var(--_radius-md);
  }
  .ranges .button[aria-pressed='true'] {
    position: relative;
    background: var(--_color-accent);
    border-color: var(--_color-accent);
    color: var(--_color-accent-contrast);
  }
  .ranges .button:focus-visible {
    position: relative;
    z-index: 1;
  }
  dl,
  dd,
  h3,
  p {
    margin: 0;
  }
  h3 {
    font-size: var(--_font-size-md);
    font-weight: 600;
  }
  .caption {
    font-size: var(--_font-size-sm);
    color: var(--_color-text-muted);
  }
  .figures dl {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, var(--_figure-min)), 1fr));
    gap: var(--_space-3);
    padding: var(--_space-4);
  }
  .figure {
    display: flex;
    flex-direction: column;
    gap: var(--_space-1);
    padding: var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
  }
  .figure dt {
    font-size: var(--_font-size-sm);
    color: var(--_color-text-muted);
  }
  .figure .value {
    font-size: var(--_font-size-xl);
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  .figure .note {
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .sections {
    display: grid;
    grid-template-columns: 1fr;
    gap: var(--_space-4);
    padding: 0 var(--_space-4) var(--_space-4);
  }
  .comparison,
  .assumptions {
    display: grid;
    align-content: start;
    gap: var(--_space-2);
    min-width: 0;
  }
  .bars {
    display: grid;
    gap: var(--_space-2);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .bars li {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 2px var(--_space-2);
  }
  .bar-value {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .track {
    display: block;
    grid-column: 1 / -1;
    width: 100%;
    height: var(--_bar-height);
    border-radius: var(--_radius-sm);
    background: var(--_color-surface-sunken);
    overflow: hidden;
  }
  .bar {
    rx: var(--_radius-sm);
  }
  [data-bar='ai'] .bar {
    fill: var(--_bar-ai);
  }
  [data-bar='human'] .bar {
    fill: var(--_bar-human);
  }
  .coverage {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 8rem), 1fr));
    gap: var(--_space-2);
    margin-top: var(--_space-2);
  }
  .coverage div {
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .coverage dt {
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .coverage dd {
    font-size: var(--_font-size-lg);
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  .assumptions dl {
    display: grid;
    gap: var(--_space-1);
  }
  .assumptions dl div {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 0 var(--_space-3);
    padding: var(--_space-1) 0;
    border-bottom: 1px solid var(--_color-border);
  }
  .assumptions dt {
    color: var(--_color-text-muted);
  }
  .assumptions dd {
    font-variant-numeric: tabular-nums;
  }
  @container (min-width: 640px) {
    .sections {
      grid-template-columns: 3fr 2fr;
      gap: var(--_space-4) var(--_space-4);
    }
  }
  @container (max-width: 400px) {
    .header,
    .figures dl {
      padding-inline: var(--_space-3);
    }
    .sections {
      padding-inline: var(--_space-3);
    }
    .figures dl {
      grid-template-columns: 1fr 1fr;
      gap: var(--_space-2);
    }
    .figure {
      padding: var(--_space-2);
    }
    .figure .value {
      font-size: var(--_font-size-lg);
    }
  }
`;
