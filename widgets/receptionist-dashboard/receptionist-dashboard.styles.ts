import { css } from 'lit';

export default css`
  :host {
    --gap: var(--_space-4);
    --start-column: 1fr;
    --end-column: 1fr;
    --feed-height: 480px;
  }

  .grid {
    display: grid;
    gap: var(--gap);
    grid-template-columns: minmax(0, 1fr);
    grid-template-areas:
      'health'
      'metrics'
      'feed'
      'conversation'
      'errors'
      'roi'
      'skills';
    align-items: start;
  }

  .health {
    grid-area: health;
  }
  .metrics {
    grid-area: metrics;
  }
  .feed {
    grid-area: feed;
    --max-height: var(--feed-height);
  }
  .conversation {
    grid-area: conversation;
    display: grid;
    gap: var(--_space-2);
    min-width: 0;
  }
  .conversation ai-conversation {
    --transcript-max-height: var(--feed-height);
  }
  .errors {
    grid-area: errors;
  }
  .skills {
    grid-area: skills;
  }
  .roi {
    grid-area: roi;
  }
  .grid > * {
    min-width: 0;
  }

  .note {
    margin: 0;
    padding: var(--_space-2) var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
    color: var(--_color-text);
    font-size: var(--_font-size-sm);
  }

  /* Medium: the feed and its conversation side by side (the list beside what it selects); the other panels stack. */
  @container (width > 600px) {
    .grid {
      grid-template-columns: minmax(0, var(--start-column)) minmax(0, var(--end-column));
      grid-template-areas:
        'health health'
        'metrics metrics'
        'feed conversation'
        'errors errors'
        'roi roi'
        'skills skills';
    }
  }

  /* Wide: the errors beside the ROI too; the metrics and the skills table (which wants the room) across both columns. */
  @container (width >= 1100px) {
    .grid {
      grid-template-areas:
        'health health'
        'metrics metrics'
        'feed conversation'
        'errors roi'
        'skills skills';
    }
    /* Half a row wide, the ROI panel's four headline figures read best two by two. */
    .roi {
      --figure-min-width: 14rem;
    }
  }
`;
