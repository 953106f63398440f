import { css } from 'lit';

export default css`
  :host {
    --row-height: 64px;
    --max-height: 480px;
  }
  .filters {
    border-bottom: 1px solid var(--_color-border);
    font-size: var(--_font-size-sm);
  }
  .filters summary {
    padding: var(--_space-2) var(--_space-4);
    cursor: pointer;
    color: var(--_color-text-muted);
  }
  .filters[open] summary {
    padding-bottom: 0;
  }
  .filter-body {
    display: flex;
    flex-wrap: wrap;
    align-items: end;
    gap: var(--_space-2);
    padding: var(--_space-2) var(--_space-4) var(--_space-3);
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1);
    width: 100%;
    margin: 0;
    padding: 0;
    border: 0;
  }
  .chips legend {
    padding: 0 0 var(--_space-1);
    color: var(--_color-text-muted);
  }
  .chip {
    min-height: 28px;
    border-radius: 999px;
    font-size: var(--_font-size-xs);
  }
  .chip[aria-pressed='true'] {
    background: var(--_color-accent);
    color: var(--_color-accent-contrast);
  }
  label {
    display: grid;
    gap: 2px;
    color: var(--_color-text-muted);
  }
  .body {
    position: relative;
    flex: 1;
    min-height: 0;
  }
  .item {
    width: 100%;
    border-bottom: 1px solid var(--_color-border);
  }
  .row {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    grid-template-areas: 'icon head meta' 'icon msg msg';
    align-items: center;
    column-gap: var(--_space-3);
    row-gap: 2px;
    width: 100%;
    min-height: var(--row-height);
    padding: var(--_space-2) var(--_space-4);
    border: 0;
    background: none;
    text-align: start;
    cursor: pointer;
  }
  .row:hover,
  .row[aria-expanded='true'] {
    background: var(--_color-surface-raised);
  }
  .row:focus-visible {
    outline-offset: -2px;
  }
  .icon-wrap {
    grid-area: icon;
    display: grid;
    place-items: center;
    width: 32px;
    height: 32px;
    border-radius: 50%;
    background: var(--_color-surface-sunken);
    color: var(--_color-accent);
  }
  .head,
  .meta,
  .msg {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    min-width: 0;
    white-space: nowrap;
  }
  .head {
    grid-area: head;
    overflow: hidden;
  }
  .action {
    font-weight: 600;
  }
  .client {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  time {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .meta {
    grid-area: meta;
    justify-content: end;
  }
  .msg {
    grid-area: msg;
    display: block;
    overflow: hidden;
    text-overflow: ellipsis;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 3px;
    padding: 0 6px;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: var(--_font-size-xs);
    line-height: 18px;
  }
  [data-level='high'],
  [data-outcome='success'] {
    color: var(--_color-success);
  }
  [data-level='medium'],
  [data-outcome='pending'] {
    color: var(--_color-warning);
  }
  [data-level='low'],
  [data-outcome='failed'] {
    color: var(--_color-danger);
  }
  [data-outcome='escalated'] {
    color: var(--_color-accent);
  }
  .details {
    margin: 0;
    padding: 0 var(--_space-4) var(--_space-3) calc(var(--_space-4) + 32px + var(--_space-3));
    background: var(--_color-surface-raised);
    font-size: var(--_font-size-sm);
  }
  .details div {
    display: flex;
    gap: var(--_space-2);
  }
  .details dt {
    flex: none;
    min-width: 6em;
    color: var(--_color-text-muted);
  }
  .details dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .footer {
    padding: var(--_space-3);
    text-align: center;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .connection[data-state='paused'] {
    color: var(--_color-warning);
  }
  @container (max-width: 479px) {
    .row {
      grid-template-columns: auto minmax(0, 1fr);
      grid-template-areas: 'icon head' 'icon meta' 'icon msg';
    }
    .meta {
      justify-content: start;
      flex-wrap: wrap;
      row-gap: 2px;
    }
    .head {
      flex-wrap: wrap;
      row-gap: 0;
    }
    .header,
    .filters summary,
    .filter-body,
    .row {
      padding-inline: var(--_space-3);
    }
    .details {
      padding-inline-start: var(--_space-3);
    }
  }
`;
