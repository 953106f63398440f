import { css } from 'lit';

export default css`
  :host {
    --chip-gap: var(--_space-2);
    --chip-radius: 999px;
    --chip-padding: var(--_space-1) var(--_space-3);
    --tooltip-width: 17rem;
  }

  [part='base'] {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    align-items: start;
    gap: var(--chip-gap) var(--_space-3);
    padding: var(--_space-2) var(--_space-3);
    background: var(--_color-surface);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-lg);
  }

  .summary,
  .connection {
    min-height: 32px;
  }
  .summary {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    margin: 0;
    font-weight: 600;
    white-space: nowrap;
  }
  .summary svg.icon {
    width: 1.15em;
    height: 1.15em;
  }

  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: var(--chip-gap);
    min-width: 0;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .chips > li {
    display: flex;
    min-width: 0;
  }

  [part~='chip'] {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    min-width: 0;
    min-height: 32px;
    padding: var(--chip-padding);
    border: 1px solid var(--_color-border);
    border-radius: var(--chip-radius);
    background: var(--_color-surface-raised);
    font-size: var(--_font-size-sm);
    text-align: start;
    cursor: pointer;
  }
  [part~='chip']:hover {
    background: var(--_color-surface-sunken);
  }
  [part~='chip']:not([data-status='active']) {
    border-color: color-mix(in srgb, var(--_status-color) 55%, var(--_color-border));
    background: color-mix(in srgb, var(--_status-color) 8%, var(--_color-surface));
  }
  [part~='chip']:not([data-status='active']):hover {
    background: color-mix(in srgb, var(--_status-color) 14%, var(--_color-surface));
  }
  [data-status='active'] {
    --_status-color: var(--_color-success);
  }
  [data-status='degraded'] {
    --_status-color: var(--_color-warning);
  }
  [data-status='down'] {
    --_status-color: var(--_color-danger);
  }
  [data-status='unknown'] {
    --_status-color: var(--_color-neutral);
  }
  [part~='chip-icon'] {
    display: inline-flex;
    color: var(--_status-color);
  }
  [part~='chip-label'] {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  [part~='chip-status'] {
    font-weight: 600;
    white-space: nowrap;
    color: var(--_status-color);
  }
  .summary[data-status] {
    color: var(--_status-color);
  }
  .summary[data-status] span {
    color: var(--_color-text);
  }

  [part~='tooltip'] {
    position: fixed;
    inset: auto;
    top: var(--_tip-top, 0);
    left: var(--_tip-left, 0);
    margin: 0;
    width: max-content;
    max-width: min(var(--tooltip-width), calc(100vw - 16px));
    padding: var(--_space-2) var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface);
    color: var(--_color-text);
    box-shadow: var(--_shadow-popover);
    font-size: var(--_font-size-sm);
    overflow: visible;
  }
  [part~='tooltip']:not(:popover-open) {
    display: none;
  }
  .tip-title {
    display: flex;
    align-items: center;
    gap: var(--_space-1);
    margin: 0 0 var(--_space-1);
    font-weight: 600;
  }
  .tip-title .word {
    color: var(--_status-color);
  }
  .tip-title svg.icon {
    color: var(--_status-color);
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 2px var(--_space-3);
    margin: 0;
  }
  dt {
    color: var(--_color-text-muted);
  }
  dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
  }
  .down-since {
    margin: var(--_space-1) 0 0;
    font-weight: 600;
    color: var(--_color-danger);
  }
  .message {
    margin: var(--_space-1) 0 0;
    overflow-wrap: anywhere;
    color: var(--_color-text-muted);
  }

  .chips-skeleton {
    display: flex;
    flex-wrap: wrap;
    grid-column: 1 / 3;
    gap: var(--chip-gap);
    padding: 0;
  }
  .chips-skeleton span {
    width: 8.5rem;
    height: 32px;
    border-radius: var(--chip-radius);
  }
  .chips-skeleton span:nth-child(3n + 2),
  .chips-skeleton span:nth-child(3n) {
    width: 7rem;
  }
  .state {
    grid-column: 1 / 3;
    padding: var(--_space-1) var(--_space-2);
    grid-auto-flow: column;
    justify-content: start;
    align-items: center;
    text-align: start;
  }

  .connection {
    grid-column: 3;
    grid-row: 1;
    justify-self: end;
    white-space: nowrap;
  }

  @container (max-width: 479px) {
    [part='base'] {
      grid-template-columns: minmax(0, 1fr) auto;
      padding: var(--_space-2);
    }
    .connection {
      grid-column: 2;
    }
    .chips,
    .chips-skeleton,
    .state {
      grid-column: 1 / -1;
    }
    .chips {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr));
    }
    [part~='chip'] {
      width: 100%;
      border-radius: var(--_radius-md);
      padding: var(--_space-1) var(--_space-2);
      flex-wrap: wrap;
      align-content: center;
      column-gap: var(--_space-1);
      row-gap: 0;
    }
    [part~='chip-label'] {
      flex: 1 1 0;
      white-space: normal;
      overflow-wrap: anywhere;
    }
    [part~='chip-status'] {
      flex-basis: 100%;
      padding-inline-start: calc(1em + var(--_space-1));
      font-size: var(--_font-size-xs);
    }
    .state {
      grid-auto-flow: row;
    }
  }
`;
