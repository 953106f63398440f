import { css } from 'lit';

export default css`
  :host {
    --turn-max-width: 85%;
    --transcript-max-height: none;
    --match-background: color-mix(in srgb, var(--_color-warning) 28%, var(--_color-surface));
    --match-current-background: color-mix(in srgb, var(--_color-warning) 55%, var(--_color-surface));
  }

  [part='base'] {
    min-height: 8rem;
  }

  .details {
    display: grid;
    gap: var(--_space-2);
    padding: var(--_space-3) var(--_space-4);
    border-bottom: 1px solid var(--_color-border);
  }
  .heading {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_space-1) var(--_space-3);
  }
  .heading .title {
    margin-inline-end: 0;
    overflow-wrap: anywhere;
  }
  .phone {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .heading .connection {
    margin-inline-start: auto;
  }
  dl.facts {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
    gap: var(--_space-2) var(--_space-4);
    margin: 0;
  }
  dl.facts > div {
    min-width: 0;
  }
  dt {
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  dd {
    display: flex;
    align-items: center;
    gap: var(--_space-1);
    margin: 0;
    overflow-wrap: anywhere;
    font-variant-numeric: tabular-nums;
  }
  [data-sentiment='positive'] svg.icon {
    color: var(--_color-success);
  }
  [data-sentiment='negative'] svg.icon {
    color: var(--_color-danger);
  }
  [data-sentiment='mixed'] svg.icon {
    color: var(--_color-warning);
  }

  [part='summary'] {
    padding: var(--_space-3) var(--_space-4);
    border-bottom: 1px solid var(--_color-border);
  }
  h3 {
    margin: 0 0 var(--_space-1);
    font-size: var(--_font-size-sm);
    font-weight: 600;
    color: var(--_color-text-muted);
  }
  [part='summary'] p {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1);
    margin: var(--_space-2) 0 0;
    padding: 0;
    list-style: none;
  }
  .actions li {
    padding: 0 var(--_space-2);
    border: 1px solid var(--_color-border);
    border-radius: 999px;
    background: var(--_color-surface-raised);
    font-size: var(--_font-size-xs);
  }

  [part='search'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
    padding: var(--_space-2) var(--_space-4);
    border-bottom: 1px solid var(--_color-border);
  }
  .search-field {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    flex: 1 1 12rem;
    min-width: 0;
    max-width: 28rem;
    color: var(--_color-text-muted);
  }
  .search-field input {
    flex: 1;
    min-width: 0;
    color: var(--_color-text);
  }
  .match-nav {
    display: inline-flex;
    gap: var(--_space-1);
  }
  .match-nav .button {
    padding: 0 var(--_space-2);
  }
  .match-nav .up svg.icon {
    transform: rotate(180deg);
  }
  .match-count {
    min-width: 7em;
    font-size: var(--_font-size-sm);
    color: var(--_color-text-muted);
  }

  .transcript-scroll {
    flex: 1 1 auto;
    min-height: 0;
    max-height: var(--transcript-max-height);
    overflow-y: auto;
  }
  [part='transcript'] {
    display: flex;
    flex-direction: column;
    gap: var(--_space-3);
    margin: 0;
    padding: var(--_space-3) var(--_space-4);
    list-style: none;
  }
  [part~='turn'] {
    max-width: var(--turn-max-width);
    padding: var(--_space-2) var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
  }
  [part~='turn'][data-speaker='ai'] {
    align-self: flex-start;
    background: color-mix(in srgb, var(--_color-accent) 9%, var(--_color-surface));
    border-end-start-radius: var(--_radius-sm);
  }
  [part~='turn'][data-speaker='caller'] {
    align-self: flex-end;
    background: var(--_color-surface-sunken);
    border-end-end-radius: var(--_radius-sm);
  }
  [part~='turn'][data-speaker='agent'] {
    align-self: flex-start;
    background: var(--_color-surface-raised);
    border-inline-start: 4px solid var(--_color-warning);
  }
  .turn-meta {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-1) var(--_space-2);
    margin-bottom: 2px;
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  [part~='speaker'] {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    font-weight: 600;
    color: var(--_color-text);
  }
  [data-speaker='ai'] [part~='speaker'] svg.icon {
    color: var(--_color-accent);
  }
  [data-speaker='agent'] [part~='speaker'] svg.icon {
    color: var(--_color-warning);
  }
  .confidence {
    display: inline-flex;
    align-items: center;
    gap: 2px;
  }
  .confidence[data-low] {
    color: var(--_color-warning);
    font-weight: 600;
  }
  .turn-text {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  mark {
    border-radius: 2px;
    background: var(--match-background);
    color: inherit;
  }
  mark[aria-current] {
    background: var(--match-current-background);
    outline: 2px solid var(--_color-accent);
    outline-offset: 1px;
  }

  .no-turns {
    margin: 0;
    padding: var(--_space-4);
    color: var(--_color-text-muted);
  }
  .state {
    flex: 1;
    align-content: center;
  }

  @container (max-width: 479px) {
    .details,
    [part='summary'],
    [part='search'],
    [part='transcript'] {
      padding-inline: var(--_space-3);
    }
    dl.facts {
      grid-template-columns: repeat(2, minmax(0, 1fr));
    }
    [part~='turn'][data-speaker] {
      max-width: 100%;
      align-self: stretch;
    }
  }
`;
