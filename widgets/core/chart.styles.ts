import { css } from 'lit';

/**
 * What a chart drawn by `ChartController` needs inside a shadow root: the rules of uPlot's own
 * stylesheet that apply with its legend off (a page stylesheet does not reach a shadow root), the
 * hover read-out, and the legend from `chartLegend()`. Add it to a widget's `static styles`.
 */
export const chartStyles = css`
  .uplot,
  .uplot *,
  .uplot *::before,
  .uplot *::after {
    box-sizing: border-box;
  }
  .uplot {
    font-family: var(--_font-family);
    line-height: 1.5;
    width: min-content;
  }
  .u-wrap {
    position: relative;
    user-select: none;
  }
  .u-over,
  .u-under {
    position: absolute;
  }
  .u-under {
    overflow: hidden;
  }
  .uplot canvas {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
  }
  .u-axis {
    position: absolute;
  }
  .u-select {
    position: absolute;
    pointer-events: none;
  }
  .u-cursor-x,
  .u-cursor-y {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    will-change: transform;
  }
  .u-hz .u-cursor-x,
  .u-vt .u-cursor-y {
    height: 100%;
    border-right: 1px dashed var(--_color-text-muted);
  }
  .u-hz .u-cursor-y,
  .u-vt .u-cursor-x {
    width: 100%;
    border-bottom: 1px dashed var(--_color-text-muted);
  }
  .u-cursor-y {
    display: none;
  }
  .u-cursor-pt {
    position: absolute;
    top: 0;
    left: 0;
    border-radius: 50%;
    border: 0 solid;
    pointer-events: none;
    will-change: transform;
    background-clip: padding-box !important;
  }
  .u-axis.u-off,
  .u-select.u-off,
  .u-cursor-x.u-off,
  .u-cursor-y.u-off,
  .u-cursor-pt.u-off {
    display: none;
  }
  .chart-readout {
    position: absolute;
    top: 0;
    z-index: 1;
    max-width: 80%;
    padding: 2px var(--_space-2);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-sm);
    background: var(--_color-surface);
    color: var(--_color-text);
    font-size: var(--_font-size-xs);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    pointer-events: none;
  }
  .chart-readout[hidden] {
    display: none;
  }
  .chart-legend {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1) var(--_space-3);
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: var(--_font-size-xs);
    color: var(--_color-text-muted);
  }
  .chart-legend li {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
  }
  .chart-swatch {
    --_swatch: var(--_color-accent);
    width: 12px;
    height: 3px;
    border-radius: 2px;
    background: var(--_swatch);
  }
  .chart-swatch[data-color='success'] {
    --_swatch: var(--_color-success);
  }
  .chart-swatch[data-color='warning'] {
    --_swatch: var(--_color-warning);
  }
  .chart-swatch[data-color='danger'] {
    --_swatch: var(--_color-danger);
  }
  .chart-swatch[data-color='neutral'] {
    --_swatch: var(--_color-neutral);
  }
  .chart-swatch[data-color='text-muted'] {
    --_swatch: var(--_color-text-muted);
  }
  .chart-swatch[data-kind='bar'],
  .chart-swatch[data-kind='area'] {
    height: 10px;
  }
  .chart-swatch[data-kind='area'] {
    background: color-mix(in srgb, var(--_swatch) 30%, transparent);
    border-top: 2px solid var(--_swatch);
  }
`;
