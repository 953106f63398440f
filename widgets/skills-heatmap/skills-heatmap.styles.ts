import { css, unsafeCSS } from 'lit';

/**
 * The heatmap's diverging scale, red below healthy and blue from it (told apart with every common
 * colour-vision deficiency), with the text colour that reads on each. Light: the extremes are
 * dark; dark: the extremes are bright, so the scale keeps its meaning on a dark surface.
 */
const HEAT = {
  light: [
    ['#b2182b', '#ffffff'],
    ['#ef8a62', '#1f2328'],
    ['#fddbc7', '#1f2328'],
    ['#67a9cf', '#1f2328'],
    ['#2166ac', '#ffffff'],
  ],
  dark: [
    ['#f0716a', '#0f1419'],
    ['#b4553f', '#ffffff'],
    ['#5b4038', '#e6edf3'],
    ['#2f5f8a', '#e6edf3'],
    ['#79b8ff', '#0f1419'],
  ],
} as const;

const heat = (theme: keyof typeof HEAT) =>
  unsafeCSS(HEAT[theme].map(([fill, ink], i) => `--_heat-${i + 1}: var(--heat-${i + 1}, ${fill}); --_heat-ink-${i + 1}: var(--heat-ink-${i + 1}, ${ink});`).join(''));

export default css`
  :host {
    ${heat('light')}
    --_cell-size: var(--cell-size, 3rem);
    --_skill-width: var(--skill-column-width, 11rem);
    --_selected: color-mix(in srgb, var(--_color-accent) 12%, var(--_color-surface));
  }
  :host([theme='dark']) {
    ${heat('dark')}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${heat('dark')}
    }
  }
  h3,
  h4,
  h5,
  p,
  dl,
  dd,
  blockquote {
    margin: 0;
  }
  .segmented {
    display: inline-flex;
  }
  .segmented .button {
    border-radius: 0;
  }
  .segmented .button + .button {
    margin-inline-start: -1px;
  }
  .segmented .button:first-child {
    border-start-start-radius: var(--_radius-md);
    border-end-start-radius: var(--_radius-md);
  }
  .segmented .button:last-child {
    border-start-end-radius: var(--_radius-md);
    border-end-end-radius: var(--_radius-md);
  }
  .segmented .button[aria-pressed='true'] {
    position: relative;
    background: var(--_color-accent);
    border-color: var(--_color-accent);
    color: var(--_color-accent-contrast);
  }
  .segmented .button:focus-visible {
    position: relative;
    z-index: 1;
  }
  .sort {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    font-size: var(--_font-size-sm);
    color: var(--_color-text-muted);
  }
  .sort select {
    color: var(--_color-text);
  }

  /* Tables: both views scroll sideways in their own box, the skill names stay in view. */
  .scroll {
    /* The containing block of the visually hidden text inside, which would otherwise escape the scrolling box. */
    position: relative;
    overflow-x: auto;
    overscroll-behavior-x: contain;
  }
  .scroll:focus-visible {
    outline-offset: -2px;
  }
  table {
    border-collapse: separate;
    border-spacing: 0;
    font-variant-numeric: tabular-nums;
  }
  .skills {
    width: max-content;
    min-width: 100%;
  }
  .skills th[scope='row'] {
    min-width: 9rem;
  }
  th {
    font-weight: 600;
    text-align: start;
  }
  thead th {
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
    white-space: nowrap;
  }
  .skills th,
  .skills td {
    padding: var(--_space-2) var(--_space-3);
    border-bottom: 1px solid var(--_color-border);
  }
  .skills td {
    white-space: nowrap;
  }
  .skills tbody tr:last-child > * {
    border-bottom: 0;
  }
  .num {
    text-align: end;
  }
  .skills thead th {
    padding-block: var(--_space-2);
  }
  .skills thead th:has(.sort-button) {
    padding: 0;
  }
  .sort-button {
    display: inline-flex;
    align-items: center;
    justify-content: flex-end;
    gap: 2px;
    width: 100%;
    min-height: 36px;
    padding: 0 var(--_space-3);
    border: 0;
    background: none;
    font-weight: 600;
    color: inherit;
    cursor: pointer;
    white-space: nowrap;
  }
  .sort-button:focus-visible {
    outline-offset: -2px;
  }
  .sort-button:hover {
    color: var(--_color-text);
  }
  [aria-sort] .sort-button {
    color: var(--_color-text);
  }
  .sort-arrow[data-order='ascending'] svg {
    transform: rotate(180deg);
  }
  th[scope='row'],
  thead th:first-child {
    position: sticky;
    inset-inline-start: 0;
    z-index: 1;
    background: var(--_color-surface);
  }
  tbody tr {
    cursor: pointer;
  }
  .skills tbody tr:hover > *,
  .heatmap tbody tr:hover > th {
    background: var(--_color-surface-raised);
  }
  .skills tbody tr[part~='row-selected'] > *,
  .heatmap tbody tr[part~='row-selected'] > th {
    background: var(--_selected);
  }
  .skill {
    display: block;
    width: max-content;
    max-width: var(--_skill-width);
    min-height: 28px;
    padding: 0;
    border: 0;
    background: none;
    font-weight: 600;
    text-align: start;
    overflow-wrap: break-word;
    cursor: pointer;
  }
  .skill:hover {
    color: var(--_color-accent);
    text-decoration: underline;
  }
  .skill[aria-expanded='true'] {
    color: var(--_color-accent);
  }
  .category {
    color: var(--_color-text-muted);
  }
  .skills .category {
    display: block;
    font-size: var(--_font-size-xs);
    font-weight: 400;
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    padding: 1px var(--_space-2);
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: var(--_font-size-xs);
    font-weight: 600;
    white-space: nowrap;
  }
  .status[data-status='healthy'] {
    color: var(--_color-success);
  }
  .status[data-status='watch'] {
    color: var(--_color-warning);
  }
  .status[data-status='needs_retraining'] {
    color: var(--_color-danger);
  }
  .trend {
    display: inline-flex;
    align-items: center;
    gap: 2px;
    white-space: nowrap;
    /* Its baseline is the arrow's bottom edge: aligned by it, the figure would sit higher than its neighbours. */
    vertical-align: top;
  }
  .trend[data-direction='up'] {
    color: var(--_color-success);
  }
  .trend[data-direction='up'] svg {
    transform: rotate(180deg);
  }
  .trend[data-direction='down'] {
    color: var(--_color-danger);
  }
  .trend[data-direction='flat'],
  .trend[data-direction='none'] {
    color: var(--_color-text-muted);
  }
  .trend[data-direction='flat'] svg {
    transform: rotate(-90deg);
  }

  /* The heatmap. */
  .heatmap-box {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: var(--_space-2);
    padding-bottom: var(--_space-3);
  }
  .heatmap {
    width: 100%;
    margin: var(--_space-2) 0;
    padding-inline-end: var(--_space-4);
  }
  .heatmap th[scope='row'],
  .heatmap thead th:first-child {
    padding: 0 var(--_space-3) 0 var(--_space-4);
    min-width: 8rem;
    box-shadow: 1px 0 0 var(--_color-border);
  }
  .heatmap .skill {
    width: auto;
  }
  .heatmap .day {
    padding: 0 0 var(--_space-1);
    text-align: center;
    font-weight: 500;
  }
  .heatmap abbr {
    display: grid;
    text-decoration: none;
  }
  .heatmap .date {
    color: var(--_color-text);
  }
  .cell {
    min-width: var(--_cell-size);
    height: 2rem;
    padding: 0;
    border: 1px solid var(--_color-surface);
    border-radius: var(--_radius-sm);
    text-align: center;
    font-size: var(--_font-size-xs);
    font-weight: 600;
  }
  .heatmap tr:hover .cell {
    border-color: var(--_color-text);
  }
  [data-level='0'] {
    background: repeating-linear-gradient(135deg, transparent 0 4px, var(--_color-border) 4px 5px);
    color: var(--_color-text-muted);
  }
  [data-level='1'] {
    background: var(--_heat-1);
    color: var(--_heat-ink-1);
  }
  [data-level='2'] {
    background: var(--_heat-2);
    color: var(--_heat-ink-2);
  }
  [data-level='3'] {
    background: var(--_heat-3);
    color: var(--_heat-ink-3);
  }
  [data-level='4'] {
    background: var(--_heat-4);
    color: var(--_heat-ink-4);
  }
  [data-level='5'] {
    background: var(--_heat-5);
    color: var(--_heat-ink-5);
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-1) var(--_space-3);
    padding: 0 var(--_space-4);
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .legend-title {
    font-weight: 600;
  }
  .legend ul {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1) var(--_space-3);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .legend li {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
  }
  .swatch {
    width: 14px;
    height: 14px;
    border: 1px solid var(--_color-border);
    border-radius: 3px;
  }

  /* A skill's detail. */
  .detail {
    display: grid;
    gap: var(--_space-3);
    padding: var(--_space-3) var(--_space-4) var(--_space-4);
    border-top: 1px solid var(--_color-border);
    background: var(--_color-surface);
  }
  .detail-header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
  }
  .detail-header h3 {
    font-size: var(--_font-size-lg);
    overflow-wrap: anywhere;
  }
  .detail-header .close {
    margin-inline-start: auto;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 7.5rem), 1fr));
    gap: var(--_space-2);
  }
  .stats div {
    padding: var(--_space-2) var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
  }
  .stats dt {
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .stats dd {
    font-size: var(--_font-size-lg);
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  .detail-grid {
    display: grid;
    gap: var(--_space-4);
  }
  .detail-grid > div {
    display: grid;
    align-content: start;
    gap: var(--_space-2);
    min-width: 0;
  }
  h4 {
    font-size: var(--_font-size-md);
    font-weight: 600;
  }
  h5 {
    margin-top: var(--_space-1);
    font-size: var(--_font-size-sm);
    font-weight: 600;
    color: var(--_color-text-muted);
  }
  .chart {
    width: 100%;
    min-height: 180px;
  }
  details summary {
    cursor: pointer;
    font-size: var(--_font-size-sm);
    color: var(--_color-accent);
  }
  .data {
    width: 100%;
    margin-top: var(--_space-2);
    font-size: var(--_font-size-sm);
  }
  .data th,
  .data td {
    padding: 2px var(--_space-2);
    border-bottom: 1px solid var(--_color-border);
  }
  .data th[scope='row'] {
    position: static;
    font-weight: 400;
  }
  .data tbody tr {
    cursor: auto;
  }
  .failure-scroll {
    display: grid;
    gap: var(--_space-2);
    max-height: 30rem;
    overflow-y: auto;
    overscroll-behavior-y: contain;
  }
  .failure-scroll:focus-visible {
    outline-offset: -2px;
  }
  .failure-list {
    display: grid;
    gap: var(--_space-2);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .failure-list li {
    display: grid;
    gap: var(--_space-1);
    padding: var(--_space-2) var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    overflow-wrap: anywhere;
  }
  .meta {
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .words {
    padding-inline-start: var(--_space-2);
    border-inline-start: 3px solid var(--_color-border);
    white-space: pre-wrap;
  }
  .words::before {
    content: '“';
  }
  .words::after {
    content: '”';
  }
  .label {
    font-weight: 600;
  }
  .answer,
  .cause,
  .fix {
    font-size: var(--_font-size-sm);
  }
  .severity {
    text-transform: capitalize;
  }
  .none {
    color: var(--_color-text-muted);
  }
  @container (min-width: 760px) {
    .detail-grid {
      grid-template-columns: 3fr 2fr;
    }
  }
  /* Tighter cells and the long header on two lines, so every column fits without scrolling sideways. */
  @container (max-width: 800px) {
    .skills {
      width: 100%;
    }
    .skills th,
    .skills td {
      padding-inline: var(--_space-2);
    }
    .sort-button {
      padding-inline: var(--_space-2);
      white-space: normal;
      text-align: end;
    }
    .skills th[scope='row'] {
      min-width: 7.5rem;
    }
    .skills .skill {
      width: auto;
    }
  }
  /* A narrow table becomes a card per skill: name, category and status, then the figures with their labels. */
  @container (max-width: 640px) {
    .skills thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    .skills,
    .skills tbody {
      display: block;
      width: auto;
      min-width: 0;
    }
    .skills tr {
      display: grid;
      grid-template-columns: repeat(4, minmax(0, 1fr));
      grid-template-areas:
        'name name status status'
        'accuracy week trend usage';
      gap: 2px var(--_space-4);
      padding: var(--_space-2) var(--_space-3);
      border-bottom: 1px solid var(--_color-border);
    }
    .skills tbody tr:last-child {
      border-bottom: 0;
    }
    .skills tr > th,
    .skills tr > td,
    .skills tbody tr:hover > * {
      padding: 0;
      border: 0;
      background: none;
      text-align: start;
    }
    .skills tbody tr:hover,
    .skills tbody tr[part~='row-selected'] {
      background: var(--_color-surface-raised);
    }
    .skills tbody tr[part~='row-selected'] {
      background: var(--_selected);
    }
    .skills th[scope='row'] {
      grid-area: name;
      position: static;
      min-width: 0;
    }
    .skills .skill {
      width: auto;
      max-width: none;
    }
    .skills [data-col='status'] {
      grid-area: status;
      justify-self: end;
    }
    .skills [data-col='accuracy'] {
      grid-area: accuracy;
    }
    .skills [data-col='accuracy-7d'] {
      grid-area: week;
    }
    .skills [data-col='trend'] {
      grid-area: trend;
    }
    .skills [data-col='usage'] {
      grid-area: usage;
    }
    .skills td[data-label]::before {
      content: attr(data-label);
      display: block;
      font-size: var(--_font-size-xs);
      color: var(--_color-text-muted);
    }
  }
  @container (max-width: 480px) {
    .header,
    .detail {
      padding-inline: var(--_space-3);
    }
    /* The status on a line of its own, and two figures a line: side by side they would run into each other ("+1.9 pts318"). */
    .skills tr {
      grid-template-areas:
        'name name name name'
        'status status status status'
        'accuracy accuracy week week'
        'trend trend usage usage';
      row-gap: var(--_space-1);
    }
    .skills [data-col='status'] {
      justify-self: start;
    }
    .heatmap th[scope='row'],
    .heatmap thead th:first-child {
      padding-inline: var(--_space-3) var(--_space-2);
      min-width: 6rem;
      max-width: 8rem;
    }
    .legend {
      padding-inline: var(--_space-3);
    }
  }
`;
