import { css } from 'lit';

export default css`
  :host {
    --_tile-min-height: var(--tile-min-height, 6.5rem);
    --_trend-good: var(--trend-good-color, var(--_color-success));
    --_trend-bad: var(--trend-bad-color, var(--_color-danger));
    --_donut-ai: var(--donut-ai-color, var(--_color-accent));
    --_donut-escalated: var(--donut-escalated-color, var(--_color-warning));
  }

  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
    width: 100%;
  }

  /* Day / week / month: native radios (arrow keys move and select), drawn as a segmented control. */
  .segmented {
    display: inline-flex;
    margin: 0;
    padding: 2px;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
  }
  .segmented label {
    position: relative;
    display: inline-flex;
    align-items: center;
    min-height: 28px;
    padding: 0 var(--_space-3);
    border-radius: calc(var(--_radius-md) - 2px);
    cursor: pointer;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .segmented input {
    position: absolute;
    inset: 0;
    margin: 0;
    opacity: 0;
    cursor: pointer;
  }
  .segmented label:has(input:checked) {
    background: var(--_color-surface);
    color: var(--_color-text);
    font-weight: 600;
    box-shadow: 0 0 0 1px var(--_color-accent);
  }
  .segmented label:has(input:focus-visible) {
    outline: 2px solid var(--_color-focus);
    outline-offset: 1px;
  }

  .dates {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-2);
  }
  .date {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    font-size: var(--_font-size-sm);
    color: var(--_color-text-muted);
  }
  .date > span {
    min-width: 2.25em;
  }
  .date input {
    color: var(--_color-text);
  }
  .controls .button[part='export'] {
    margin-inline-start: auto;
  }
  .button:disabled {
    cursor: default;
    opacity: 0.6;
  }
  .message {
    flex-basis: 100%;
    display: flex;
    align-items: center;
    gap: var(--_space-1);
    margin: 0;
    color: var(--_color-danger);
    font-size: var(--_font-size-sm);
  }

  /* Today so far */
  .today {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_space-2) var(--_space-4);
    padding: var(--_space-2) var(--_space-4);
    border-bottom: 1px solid var(--_color-border);
    background: var(--_color-surface-raised);
  }
  .today-title {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    margin: 0;
    font-size: var(--_font-size-sm);
    font-weight: 600;
  }
  .today-note {
    font-weight: 400;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
  }
  .today-figures {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1) var(--_space-4);
    margin: 0;
  }
  .today-figure {
    display: flex;
    align-items: baseline;
    gap: var(--_space-1);
    font-size: var(--_font-size-sm);
  }
  .today-figure dt {
    color: var(--_color-text-muted);
  }
  .today-figure dd {
    margin: 0;
  }
  .today-value {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .today-then {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
  }

  .range {
    display: flex;
    flex-wrap: wrap;
    gap: 0 var(--_space-2);
    margin: 0;
    padding: var(--_space-3) var(--_space-4) 0;
    font-weight: 600;
  }
  .range-previous {
    font-weight: 400;
    color: var(--_color-text-muted);
  }

  /* KPI tiles: 3 columns, 2 when narrower, 1 on a phone. */
  .tiles {
    display: grid;
    grid-template-columns: repeat(3, minmax(0, 1fr));
    gap: var(--_space-3);
    padding: var(--_space-3) var(--_space-4);
  }
  .tile {
    display: flex;
    flex-direction: column;
    gap: var(--_space-1);
    min-height: var(--_tile-min-height);
    padding: var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
    background: var(--_color-surface-raised);
  }
  .tile-label {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-sm);
  }
  .tile-value {
    font-size: 1.5rem;
    font-weight: 600;
    line-height: 1.2;
    font-variant-numeric: tabular-nums;
  }
  .trend {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
    margin-top: auto;
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .trend[data-mood='good'] {
    color: var(--_trend-good);
  }
  .trend[data-mood='bad'] {
    color: var(--_trend-bad);
  }

  /* Charts: a grid that stacks when narrow. */
  .charts {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: var(--_space-3);
    padding: 0 var(--_space-4) var(--_space-4);
  }
  .chart {
    display: flex;
    flex-direction: column;
    gap: var(--_space-2);
    min-width: 0;
    margin: 0;
    padding: var(--_space-3);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-md);
  }
  .chart.wide {
    grid-column: 1 / -1;
  }
  .chart-title {
    font-weight: 600;
  }
  .chart-canvas {
    position: relative;
    width: 100%;
    min-width: 0;
    overflow: hidden;
  }
  .chart-table summary {
    width: max-content;
    color: var(--_color-accent);
    font-size: var(--_font-size-sm);
    cursor: pointer;
  }
  .table-scroll {
    max-height: 18rem;
    margin-top: var(--_space-2);
    overflow: auto;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: var(--_font-size-sm);
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: start;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
    padding-bottom: var(--_space-1);
  }
  th,
  td {
    padding: var(--_space-1) var(--_space-2);
    border-bottom: 1px solid var(--_color-border);
    text-align: end;
  }
  th[scope='row'],
  thead th:first-child {
    text-align: start;
    font-weight: 400;
  }
  thead th {
    font-weight: 600;
    color: var(--_color-text-muted);
  }

  /* Funnel */
  .funnel {
    display: grid;
    gap: var(--_space-3);
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .funnel-step {
    display: grid;
    gap: 2px;
  }
  .funnel-label {
    display: flex;
    justify-content: space-between;
    gap: var(--_space-2);
    font-size: var(--_font-size-sm);
  }
  .funnel-label strong {
    font-variant-numeric: tabular-nums;
  }
  .funnel-bar {
    display: block;
    width: 100%;
    height: 14px;
  }
  .funnel-track {
    fill: var(--_color-surface-sunken);
  }
  .funnel-fill {
    fill: var(--_donut-ai);
  }
  .funnel-share {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
  }

  /* Donut */
  .donut {
    position: relative;
    width: min(100%, 10rem);
    margin-inline: auto;
  }
  .donut svg {
    display: block;
    width: 100%;
    height: auto;
  }
  .donut circle {
    fill: none;
    stroke-width: 16;
  }
  .donut-track {
    stroke: var(--_color-surface-sunken);
  }
  .donut-escalated {
    stroke: var(--_donut-escalated);
  }
  .donut-ai {
    stroke: var(--_donut-ai);
  }
  .donut-centre {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    text-align: center;
    line-height: 1.2;
  }
  .donut-centre strong {
    font-size: var(--_font-size-xl);
    font-variant-numeric: tabular-nums;
  }
  .donut-centre span {
    color: var(--_color-text-muted);
    font-size: var(--_font-size-xs);
  }
  .donut-legend {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: var(--_space-1) var(--_space-4);
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: var(--_font-size-sm);
  }
  .donut-legend li {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
  }
  .swatch {
    width: 10px;
    height: 10px;
    border-radius: 2px;
    background: var(--_donut-ai);
  }
  .swatch[data-part='escalated'] {
    background: var(--_donut-escalated);
  }

  @container (max-width: 760px) {
    .tiles {
      grid-template-columns: repeat(2, minmax(0, 1fr));
    }
    .charts {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  @container (max-width: 440px) {
    .header,
    .today,
    .range,
    .tiles,
    .charts {
      padding-inline: var(--_space-3);
    }
    .tiles {
      grid-template-columns: minmax(0, 1fr);
    }
    .tile {
      display: grid;
      grid-template-columns: 1fr auto;
      align-items: baseline;
      min-height: 0;
      padding: var(--_space-2) var(--_space-3);
    }
    .tile-value {
      font-size: var(--_font-size-xl);
    }
    .trend {
      grid-column: 1 / -1;
    }
    .controls .button[part='export'] {
      margin-inline-start: 0;
    }
  }
`;
