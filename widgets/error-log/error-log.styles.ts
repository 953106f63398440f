import { css } from 'lit';

export default css`
  :host {
    --max-height: 640px;
  }
  .export-error {
    display: flex;
    align-items: center;
    gap: var(--_space-1);
    width: 100%;
    margin: 0;
    color: var(--_color-danger);
    font-size: var(--_font-size-sm);
  }
  .button:disabled {
    cursor: default;
    opacity: 0.6;
  }
  .filters {
    border-bottom: 1px solid var(--_color-border);
    font-size: var(--_font-size-sm);
  }
  .filters summary {
    display: flex;
    align-items: baseline;
    gap: var(--_space-2);
    padding: var(--_space-2) var(--_space-4);
    cursor: pointer;
    color: var(--_color-text-muted);
  }
  .filters summary::before {
    content: '▸';
    flex: none;
  }
  .filters[open] summary::before {
    content: '▾';
  }
  .filters summary::-webkit-details-marker {
    display: none;
  }
  .filters-label {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    flex: none;
    color: var(--_color-text);
    font-weight: 600;
  }
  .filters-summary {
    min-width: 0;
  }
  .filters-count {
    display: none;
  }
  .filter-body {
    display: grid;
    grid-template-columns: repeat(3, minmax(0, max-content));
    gap: var(--_space-2) calc(2 * var(--_space-4));
    padding: 0 var(--_space-4) var(--_space-3);
  }
  .group {
    display: grid;
    align-content: start;
    gap: 2px;
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  .group legend {
    padding: 0 0 var(--_space-1);
    font-weight: 600;
  }
  .check {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    min-height: 28px;
    cursor: pointer;
  }
  .check input {
    width: 16px;
    height: 16px;
    margin: 0;
    accent-color: var(--_color-accent);
  }
  .hint {
    grid-column: 1 / -1;
    margin: 0;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
  }
  .body {
    position: relative;
  }
  article:focus-visible {
    outline-offset: 6px;
  }
  .list {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .item {
    display: block;
    padding: var(--_space-3) var(--_space-4);
    border-bottom: 1px solid var(--_color-border);
  }
  article {
    display: grid;
    gap: var(--_space-2);
    min-width: 0;
  }
  .top {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-1) var(--_space-2);
  }
  .type {
    margin: 0;
    margin-inline-end: auto;
    font-size: var(--_font-size-md);
    font-weight: 600;
  }
  time {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
    white-space: nowrap;
  }
  .severity,
  .status {
    display: inline-flex;
    align-items: center;
    gap: 3px;
    padding: 0 7px;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: var(--_font-size-xs);
    font-weight: 600;
    line-height: 20px;
    white-space: nowrap;
  }
  .severity[data-severity='critical'] {
    border-color: var(--_color-danger);
    background: var(--_color-danger);
    color: var(--_color-surface);
  }
  .severity[data-severity='high'] {
    color: var(--_color-danger);
  }
  .severity[data-severity='medium'] {
    color: var(--_color-warning);
  }
  .severity[data-severity='low'] {
    color: var(--_color-neutral);
  }
  .status {
    border-radius: var(--_radius-sm);
    background: var(--_color-surface-raised);
  }
  .status[data-status='unresolved'],
  .status[data-status='wont_fix'] {
    color: var(--_color-text-muted);
  }
  .status[data-status='needs_review'] {
    color: var(--_color-warning);
  }
  .status[data-status='fix_approved'] {
    color: var(--_color-accent);
  }
  .status[data-status='resolved'] {
    color: var(--_color-success);
  }
  .status[aria-busy='true'] {
    border-style: dashed;
  }
  .label {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
  .said {
    margin: 0;
    padding: var(--_space-1) var(--_space-3);
    border-inline-start: 3px solid var(--_color-border);
    overflow-wrap: anywhere;
  }
  .said q {
    font-style: italic;
  }
  .where {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1) var(--_space-4);
    margin: 0;
    font-size: var(--_font-size-sm);
  }
  code {
    font-family: var(--_font-family-mono);
    font-size: var(--_font-size-sm);
    overflow-wrap: anywhere;
  }
  dl {
    margin: 0;
  }
  .diagnosis {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    gap: var(--_space-2) var(--_space-4);
    font-size: var(--_font-size-sm);
  }
  .diagnosis dt {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
  }
  .action[data-action='approve-fix'] {
    border-color: var(--_color-accent);
    color: var(--_color-accent);
    font-weight: 600;
  }
  .subtle {
    border-color: transparent;
    background: none;
    color: var(--_color-text-muted);
  }
  .details-toggle {
    margin-inline-start: auto;
  }
  .details-toggle[aria-expanded='true'] svg {
    transform: rotate(180deg);
  }
  .note {
    display: grid;
    gap: 2px;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .note .field {
    width: 100%;
    max-width: 40rem;
    color: var(--_color-text);
  }
  .action-error {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    padding: var(--_space-1) var(--_space-1) var(--_space-1) var(--_space-3);
    border: 1px solid var(--_color-danger);
    border-radius: var(--_radius-md);
    color: var(--_color-danger);
    font-size: var(--_font-size-sm);
  }
  .action-error span {
    flex: 1;
  }
  .dismiss {
    min-height: 28px;
    padding: 0 var(--_space-2);
    border-color: transparent;
    background: none;
    color: inherit;
  }
  .details {
    display: grid;
    gap: var(--_space-2);
    padding: var(--_space-3);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
    font-size: var(--_font-size-sm);
  }
  .details dl div {
    display: flex;
    gap: var(--_space-2);
  }
  .details dt {
    flex: none;
    min-width: 8em;
    color: var(--_color-text-muted);
  }
  .details h4 {
    margin: var(--_space-1) 0 0;
    font-size: var(--_font-size-sm);
  }
  .audit {
    display: grid;
    gap: var(--_space-2);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .audit li {
    display: grid;
    gap: 2px;
    padding-inline-start: var(--_space-3);
    border-inline-start: 2px solid var(--_color-border);
  }
  .audit-note {
    color: var(--_color-text-muted);
    font-style: italic;
  }
  .muted {
    margin: 0;
    color: var(--_color-text-muted);
  }
  .footer {
    margin: 0;
    padding: var(--_space-3);
    text-align: center;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .footer .button {
    margin-inline: auto;
  }
  @container (max-width: 599px) {
    .filter-body {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
    .group[data-group='errorTypes'] {
      grid-column: 1 / -1;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      column-gap: var(--_space-4);
    }
    .diagnosis {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  @container (max-width: 439px) {
    .header,
    .filters summary,
    .item {
      padding-inline: var(--_space-3);
    }
    .filter-body {
      padding-inline: var(--_space-3);
    }
    .filters-summary {
      display: none;
    }
    .filters-count {
      display: inline;
    }
    .details dl div {
      display: grid;
      gap: 0;
    }
    .details-toggle {
      margin-inline-start: 0;
    }
  }
`;
