import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import uPlot from 'uplot';

/** How a series is drawn: a line, bars, or a line with the area under it filled. */
export type ChartKind = 'line' | 'bar' | 'area';

/** Theme colours a series can take; each is read from the matching `--_color-*` token of the host. */
export type ChartColor = 'accent' | 'success' | 'warning' | 'danger' | 'neutral' | 'text-muted';

export interface ChartSeries {
  /** Shown in the legend and the hover read-out. */
  label: string;
  kind: ChartKind;
  /** A theme colour (default `accent`). */
  color?: ChartColor;
  /** One value per label; `null` is a gap. */
  values: readonly (number | null)[];
}

/** What a chart shows: categories along x (hours, days, weeks…) and one or more series over them. */
export interface ChartData {
  /** The x categories, in order, as the axis and read-out show them. */
  labels: readonly string[];
  series: readonly ChartSeries[];
}

export interface ChartOptions {
  /** The element the chart is drawn in, looked up after each render of the host (it may be re-rendered or absent). */
  container: () => HTMLElement | null | undefined;
  /** Height of the chart in CSS pixels (default 180), or a function read each time the chart is built; the width follows the container. */
  height?: number | (() => number);
  /** Formats y values for the axis and the read-out (default: the number as is). */
  format?: (value: number) => string;
  /** A fixed top of the y scale (e.g. 100 for percentages); by default it fits the data. */
  yMax?: number;
}

type Palette = Record<ChartColor | 'text' | 'border' | 'font', string>;
const COLORS: readonly (keyof Palette)[] = ['accent', 'success', 'warning', 'danger', 'neutral', 'text-muted', 'text', 'border'];
const DEFAULT_HEIGHT = 180;
const X_STEPS = [1, 2, 3, 4, 6, 7, 12, 14, 24, 30, 60, 90, 180, 365];

/**
 * A uPlot chart drawn inside the host's shadow root, as a Lit `ReactiveController`.
 *
 * ```ts
 * #hourly = new ChartController(this, { container: () => this.renderRoot.querySelector('#hourly') });
 * protected willUpdate() { this.#hourly.set({ labels, series: [{ label: 'Conversations', kind: 'line', values }] }); }
 * ```
 *
 * - The chart is (re)created after the host renders, whenever its container element appears or is
 *   replaced, and updated in place when only the data changes.
 * - It takes the container's width (a `ResizeObserver`), so it resizes with its container.
 * - Colours and font come from the host's theme tokens (`--_color-accent`, `--_color-text-muted`,
 *   `--_color-border`, `--_font-family`…); a change of `theme` or of `prefers-color-scheme`
 *   rebuilds the chart in the new colours. After changing `--ai-*` tokens from outside, call
 *   `host.requestUpdate()`.
 * - Nothing animates (uPlot draws each frame at once), so reduced motion needs no special case.
 * - The chart is destroyed when the host disconnects. Give the container `role="img"` and an
 *   `aria-label`, and render a data table next to it: a canvas says nothing to a screen reader.
 */
export class ChartController implements ReactiveController {
  #data: ChartData | undefined;
  #plot: uPlot | undefined;
  #element: HTMLElement | undefined;
  #shape = '';
  #values = '';
  #palette = '';
  #width = 0;
  #resize: ResizeObserver | undefined;
  #scheme: MediaQueryList | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: ChartOptions,
  ) {
    host.addController(this);
  }

  /** The uPlot instance while the chart is on screen (for tests and special cases). */
  get plot(): uPlot | undefined {
    return this.#plot;
  }

  /** Sets what the chart shows; applied after the host's next render (call it from `willUpdate` or `render`). */
  set(data: ChartData | undefined): void {
    this.#data = data;
  }

  hostConnected(): void {
    this.#scheme ??= globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    this.#scheme?.addEventListener('change', this.#onScheme);
    if (this.#data) this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.#scheme?.removeEventListener('change', this.#onScheme);
    this.#destroy();
  }

  hostUpdated(): void {
    const element = this.options.container() ?? undefined;
    const data = this.#data;
    if (!element || !data || !this.host.isConnected) {
      this.#destroy();
      return;
    }
    const palette = readPalette(this.host);
    const paletteKey = JSON.stringify(palette);
    const shape = JSON.stringify([data.labels.length, data.series.map((s) => [s.kind, s.color, s.label])]);
    if (element !== this.#element || shape !== this.#shape || paletteKey !== this.#palette) {
      this.#create(element, data, palette);
      this.#shape = shape;
      this.#palette = paletteKey;
      this.#values = JSON.stringify([data.labels, data.series.map((s) => s.values)]);
      return;
    }
    const values = JSON.stringify([data.labels, data.series.map((s) => s.values)]);
    if (values !== this.#values) {
      this.#values = values;
      this.#plot?.setData(aligned(data));
    }
  }

  #onScheme = (): void => this.host.requestUpdate();

  #create(element: HTMLElement, data: ChartData, palette: Palette): void {
    this.#destroy();
    this.#element = element;
    this.#width = Math.floor(element.clientWidth);
    const option = this.options.height;
    const height = (typeof option === 'function' ? option() : option) ?? DEFAULT_HEIGHT;
    this.#plot = new uPlot(plotOptions(data, palette, this.#width, height, this.options), aligned(data), element);
    this.#resize = new ResizeObserver((entries) => {
      const width = Math.floor(entries[entries.length - 1]!.contentRect.width);
      if (width === this.#width || !this.#plot) return;
      this.#width = width;
      this.#plot.setSize({ width, height });
    });
    this.#resize.observe(element);
  }

  #destroy(): void {
    this.#resize?.disconnect();
    this.#plot?.destroy();
    this.#resize = this.#plot = this.#element = undefined;
    this.#shape = this.#values = this.#palette = '';
  }
}

/** A legend for a chart's series, in the same theme colours (uPlot's own legend is turned off: it is not keyboard operable). */
export function chartLegend(series: readonly Pick<ChartSeries, 'label' | 'kind' | 'color'>[]): TemplateResult {
  return html`<ul class="chart-legend" part="chart-legend">
    ${series.map((s) => html`<li><span class="chart-swatch" data-kind=${s.kind} data-color=${s.color ?? 'accent'}></span>${s.label}</li>`)}
  </ul>`;
}

function aligned(data: ChartData): uPlot.AlignedData {
  return [data.labels.map((_, i) => i), ...data.series.map((s) => s.values as (number | null)[])];
}

function readPalette(host: HTMLElement): Palette {
  const style = getComputedStyle(host);
  const palette = { font: style.getPropertyValue('--_font-family').trim() || 'system-ui, sans-serif' } as Palette;
  for (const name of COLORS) palette[name] = style.getPropertyValue(`--_color-${name}`).trim() || '#888888';
  return palette;
}

let probe: CanvasRenderingContext2D | null | undefined;

/** A CSS colour with an alpha, through a canvas that normalises any colour syntax to `#rrggbb` or `rgba()`. */
function withAlpha(color: string, alpha: number): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return color;
  probe.fillStyle = '#000';
  probe.fillStyle = color;
  const value = String(probe.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgba = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(value);
  return rgba ? `rgba(${rgba[1]},${rgba[2]},${rgba[3]}, ${alpha})` : color;
}

function plotOptions(data: ChartData, palette: Palette, width: number, height: number, options: ChartOptions): uPlot.Options {
  const format = options.format ?? String;
  const font = `12px ${palette.font}`;
  const hasBars = data.series.some((s) => s.kind === 'bar');
  const axis = { stroke: palette['text-muted'], font, grid: { stroke: palette.border, width: 1 }, ticks: { stroke: palette.border, width: 1, size: 4 } };
  const last = data.labels.length - 1;
  // Room for the longest label between two x ticks (about 7 px a character at 12 px).
  const xSpace = Math.max(40, Math.max(0, ...data.labels.map((l) => l.length)) * 7 + 12);
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 7, fill: palette.text } },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    scales: {
      x: { time: false, range: hasBars ? () => [-0.5, Math.max(last, 0) + 0.5] : () => [0, Math.max(last, 1)] },
      y: { range: (_u, _min, max) => [0, options.yMax ?? (max > 0 ? niceCeiling(max * 1.1) : 1)] },
    },
    axes: [
      {
        ...axis,
        grid: { show: false },
        incrs: X_STEPS,
        space: xSpace,
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (data.labels[i] ?? '') : '')),
      },
      { ...axis, size: 56, space: 32, values: (_u, splits) => splits.map((v) => format(v)) },
    ],
    series: [
      {},
      ...data.series.map((s): uPlot.Series => {
        const color = palette[s.color ?? 'accent'];
        const common = { label: s.label, stroke: color, width: 2 };
        if (s.kind === 'bar') return { ...common, width: 0, fill: color, paths: uPlot.paths.bars!({ size: [0.6, 48], radius: 0.15 }), points: { show: false } };
        if (s.kind === 'area') return { ...common, fill: withAlpha(color, 0.18), points: { show: false } };
        return { ...common, points: { show: data.labels.length <= 31, size: 5, fill: color } };
      }),
    ],
    plugins: [readout(data, format)],
  };
}

/** Rounds a scale maximum up to 1, 2 or 5 × 10ⁿ, so the y axis ends on a tick. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((f) => f * power >= value) ?? 10;
  return step * power;
}

/** A small read-out of the values under the pointer (the legend is off); hidden from assistive technology, which reads the data table. */
function readout(data: ChartData, format: (value: number) => string): uPlot.Plugin {
  let box: HTMLDivElement;
  return {
    hooks: {
      init: (u) => {
        box = document.createElement('div');
        box.className = 'chart-readout';
        box.setAttribute('aria-hidden', 'true');
        box.hidden = true;
        u.over.append(box);
      },
      setCursor: (u) => {
        const index = u.cursor.idx;
        if (index == null || u.cursor.left == null || u.cursor.left < 0) {
          box.hidden = true;
          return;
        }
        const values = data.series.map((s) => `${s.label}: ${s.values[index] == null ? '–' : format(s.values[index]!)}`);
        box.textContent = [data.labels[index] ?? '', ...values].join(' · ');
        box.hidden = false;
        const left = u.valToPos(index, 'x');
        const right = left > u.over.clientWidth / 2;
        box.style.left = right ? '' : `${left + 8}px`;
        box.style.right = right ? `${u.over.clientWidth - left + 8}px` : '';
      },
    },
  };
}
