import { html, nothing, svg, type PropertyValues, type SVGTemplateResult, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Task, TaskStatus } from '@lit/task';
import type { Granularity, HourlySeries, Kpis, MetricsPeriod, MetricsSeries, RealtimeSnapshot } from '../../api/contract.js';
import { ApiError } from '../core/api-client.js';
import { AiElement } from '../core/base-element.js';
import { ChartController, chartLegend, type ChartData, type ChartSeries } from '../core/chart.js';
import { chartStyles } from '../core/chart.styles.js';
import { downloadFile } from '../core/download.js';
import { icon } from '../core/icons.js';
import { connectionBadge, describeError, emptyState, errorState, skeleton } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import { RefreshController } from '../core/refresh.js';
import styles from './metrics-dashboard.styles.js';

/** A range of the tenant's local days, both ends included (`YYYY-MM-DD`). */
export interface DayRange {
  start: string;
  end: string;
}

/** The totals of a range, computed from its rows as the API rolls days up into weeks and months. */
export interface RangeTotals {
  conversations: number;
  appointments: number;
  leads: number;
  escalations: number;
  /** appointments / conversations × 100; 0 without conversations. */
  bookingRatePct: number;
  /** (conversations − escalations) / conversations × 100; 0 without conversations. */
  coveragePct: number;
  /** The rows' mean response times weighted by their activities; null when none has one. */
  avgResponseMs: number | null;
}

const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month'];
const GRANULARITY_LABEL: Record<Granularity, string> = { day: 'Day', week: 'Week', month: 'Month' };
/** The most days GET /metrics/daily answers for. */
const MAX_RANGE_DAYS = 366;
/**
 * Live updates refetch the range at most this often: `metric.update` comes several times a second
 * under load, and the tiles are a live region that a screen reader should not read out constantly.
 * The "Today so far" strip follows every update.
 */
const REFRESH_MS = 10_000;
const NOT_CONFIGURED = 'This widget is not configured: set its api-base and token attributes, or call configure().';

/** A `YYYY-MM-DD` day moved by whole days (calendar arithmetic in UTC, so no time zone shifts it). */
function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The number of days of a range, both ends included. */
export function rangeDays(range: DayRange): number {
  return Math.round((Date.parse(`${range.end}T00:00:00Z`) - Date.parse(`${range.start}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The default range of a granularity, ending on `today`: 14 days, the last 12 ISO weeks, the last 6 calendar months. */
export function defaultRange(granularity: Granularity, today: string): DayRange {
  if (granularity === 'week') {
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
    return { start: addDays(today, -weekday - 7 * 11), end: today };
  }
  if (granularity === 'month') {
    const date = new Date(`${today}T00:00:00Z`);
    const start = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 5, 1));
    return { start: start.toISOString().slice(0, 10), end: today };
  }
  return { start: addDays(today, -13), end: today };
}

/** The range of the same length that ends the day before `range` starts (for the trend arrows). */
export function previousRange(range: DayRange): DayRange {
  return { start: addDays(range.start, -rangeDays(range)), end: addDays(range.start, -1) };
}

/** The browser's local day: the first guess at the tenant's, until the API tells us. */
function browserToday(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())).toISOString().slice(0, 10);
}

const pctOf = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);

/** Sums a range's rows: counts summed, rates recomputed from the sums, response time weighted by activities. */
export function totalsOf(rows: readonly Kpis[]): RangeTotals {
  let conversations = 0;
  let appointments = 0;
  let leads = 0;
  let escalations = 0;
  let responseSum = 0;
  let responseWeight = 0;
  for (const row of rows) {
    conversations += row.total_conversations;
    appointments += row.appointments_booked;
    leads += row.leads_prescreened;
    escalations += row.escalations;
    if (row.avg_response_time_ms !== null) {
      responseSum += row.avg_response_time_ms * row.total_activities;
      responseWeight += row.total_activities;
    }
  }
  return {
    conversations,
    appointments,
    leads,
    escalations,
    bookingRatePct: pctOf(appointments, conversations),
    coveragePct: pctOf(conversations - escalations, conversations),
    avgResponseMs: responseWeight === 0 ? null : Math.round(responseSum / responseWeight),
  };
}

/** What one load shows: the range, its rows and the previous range's, and the hours of its last day. */
interface Loaded {
  granularity: Granularity;
  range: DayRange;
  previous: DayRange;
  current: MetricsSeries;
  before: MetricsSeries;
  hourly: HourlySeries;
}

type Better = 'up' | 'down';
interface Tile {
  key: string;
  label: string;
  value: number | null;
  previous: number | null;
  /** Which direction is good news (response time and escalations are better down). */
  better: Better;
  /** Rates compare in percentage points, other figures in percent. */
  points?: boolean;
  text: (value: number) => string;
}

/** Locale-bound formatters the shared `Format` does not have. */
class Formats {
  readonly day: Intl.DateTimeFormat;
  readonly month: Intl.DateTimeFormat;
  readonly range: Intl.DateTimeFormat;
  readonly hour: Intl.DateTimeFormat;
  readonly ms: Intl.NumberFormat;
  readonly seconds: Intl.NumberFormat;
  readonly signed: Intl.NumberFormat;
  readonly rate: Intl.NumberFormat;

  constructor(readonly locale: string) {
    this.day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    this.month = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
    this.range = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    this.hour = new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' });
    this.ms = new Intl.NumberFormat(locale, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 });
    this.seconds = new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 });
    this.signed = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    this.rate = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  }

  /** A response time: "850 ms", "1.2 sec". */
  responseTime(ms: number): string {
    return ms < 1000 ? this.ms.format(ms) : this.seconds.format(ms / 1000);
  }

  /** A percentage given × 100 (as the API's `_pct` fields). */
  pct(value: number): string {
    return this.rate.format(value / 100);
  }

  dayOf(day: string): string {
    return this.day.format(new Date(`${day}T12:00:00Z`));
  }

  /** "Mar 1 – 14, 2026" */
  rangeOf(range: DayRange): string {
    return this.range.formatRange(new Date(`${range.start}T12:00:00Z`), new Date(`${range.end}T12:00:00Z`));
  }

  /** A local hour, 0–23: "9 AM". */
  hourOf(hour: number): string {
    return this.hour.format(new Date(Date.UTC(2000, 0, 1, hour)));
  }

  /** How a period is named on an axis and in a table. */
  periodOf(row: MetricsPeriod, granularity: Granularity, long = false): string {
    if (granularity === 'month') return this.month.format(new Date(`${row.period_start}T12:00:00Z`));
    if (granularity === 'week') return `${long ? 'Week of ' : ''}${this.dayOf(row.period_start)}`;
    return this.dayOf(row.period_start);
  }
}

const formats = new Map<string, Formats>();
function formatsFor(locale: string): Formats {
  let f = formats.get(locale);
  if (!f) formats.set(locale, (f = new Formats(locale)));
  return f;
}

/** Trend arrows: up, down, level. Decorative: the words next to them carry the meaning. */
const TREND_PATHS = { up: 'M7 17 17 7M8 7h9v9', down: 'M7 7l10 10M17 8v9H8', level: 'M5 12h14M15 8l4 4-4 4' } as const;
const trendIcon = (direction: keyof typeof TREND_PATHS): SVGTemplateResult =>
  svg`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${TREND_PATHS[direction]}></path></svg>`;

/**
 * The AI receptionist's performance over a range of days: KPI tiles with trend arrows against the
 * previous range of the same length, today's figures live, conversations per hour, booking rate and
 * response time per period (uPlot), the lead conversion funnel and the AI coverage donut. Every
 * chart has a data table with the same numbers. The range's rows export as CSV.
 *
 * The range is `start-date`…`end-date` (the tenant's local days) with rows per `granularity`;
 * without dates it is the default of the granularity, ending on the tenant's today: 14 days, 12 ISO
 * weeks or 6 calendar months. Choosing a granularity in the panel goes back to its default range.
 * While the range includes today, `metric.update` refreshes the range's figures (at most every 10 s); the
 * "Today so far" strip follows every update at once.
 *
 * @summary KPI tiles with trends, live today figures, charts with data tables, funnel, coverage and CSV export.
 *
 * @fires ai-range-change - The user chose a granularity or dates; `detail` is `{ granularity, start_date, end_date }`.
 *
 * @csspart base - The panel.
 * @csspart header - The header: title, connection and controls.
 * @csspart title - The title.
 * @csspart controls - The granularity, dates and export controls.
 * @csspart granularity - The day / week / month radio group; each option is a `granularity-option`.
 * @csspart date-input - The start and end date inputs.
 * @csspart export - The "Export CSV" button.
 * @csspart today - The "Today so far" strip (live).
 * @csspart range - The line naming the range and the range it is compared with.
 * @csspart tiles - The KPI tiles (`role="status"`).
 * @csspart tile - One KPI tile; also `tile-value`, `tile-label` and `tile-trend`.
 * @csspart charts - The grid of charts.
 * @csspart chart - One chart's card (a `figure`); its canvas area is `chart-canvas`, its table `chart-table`.
 * @csspart chart-legend - A chart's legend.
 * @csspart funnel - The lead conversion funnel.
 * @csspart donut - The AI coverage donut.
 * @csspart connection - The live-connection badge.
 * @csspart skeleton - Placeholder lines while the first data loads.
 * @csspart empty - Shown when the range has no activity.
 * @csspart error - Shown when loading failed, with its retry button (`retry`).
 *
 * @cssproperty [--tile-min-height=6.5rem] - The height of a KPI tile.
 * @cssproperty [--chart-height=180px] - The height of each uPlot chart, axes included (read when the chart is built).
 * @cssproperty [--trend-good-color=var(--ai-color-success)] - A trend that is good news.
 * @cssproperty [--trend-bad-color=var(--ai-color-danger)] - A trend that is bad news.
 * @cssproperty [--donut-ai-color=var(--ai-color-accent)] - The "handled by AI" part of the donut, and the funnel's bars.
 * @cssproperty [--donut-escalated-color=var(--ai-color-warning)] - The "escalated" part of the donut.
 */
export class AiMetricsDashboard extends AiElement {
  static override styles = [...AiElement.styles, chartStyles, styles];

  /** Rows per `day`, ISO `week` or calendar `month`. */
  @property() granularity: Granularity = 'day';

  /** First day of the range (`YYYY-MM-DD`, the tenant's local day); default: the granularity's default range. */
  @property({ attribute: 'start-date' }) startDate?: string;

  /** Last day of the range (`YYYY-MM-DD`); default: the tenant's today. */
  @property({ attribute: 'end-date' }) endDate?: string;

  /** What is shown: the last answer, kept while a refetch is on its way. */
  @state() private loaded: Loaded | undefined;
  /** Today so far and yesterday at the same time, from GET /metrics/realtime and then `metric.update`. */
  @state() private live: RealtimeSnapshot | undefined;
  /** Why the dates typed in were not applied. */
  @state() private rangeError = '';
  @state() private exporting = false;
  @state() private exportError = '';


  readonly #task = new Task(this, {
    args: () => [this.client, this.configVersion, this.granularity, this.startDate, this.endDate] as const,
    task: async ([client, , granularity, startDate, endDate], { signal }): Promise<Loaded> => {
      if (!client) throw new Error(NOT_CONFIGURED);
      const live = this.live ?? (await client.get('/metrics/realtime', undefined, signal));
      if (!this.live || live.as_of > this.live.as_of) this.live = live;
      const g = GRANULARITIES.includes(granularity) ? granularity : 'day';
      const range = this.#resolve(g, startDate, endDate, live.date);
      const previous = previousRange(range);
      const [current, before, hourly] = await Promise.all([
        client.get('/metrics/daily', { start_date: range.start, end_date: range.end, granularity: g }, signal),
        client.get('/metrics/daily', { start_date: previous.start, end_date: previous.end, granularity: g }, signal),
        client.get('/metrics/hourly', { date: range.end }, signal),
      ]);
      return { granularity: g, range, previous, current, before, hourly };
    },
    onComplete: (loaded) => (this.loaded = loaded),
  });

  readonly #refresh = new RefreshController(this, { delayMs: REFRESH_MS, tasks: () => [this.#task] });

  readonly #stream = new StreamController(this, {
    events: {
      'metric.update': (snapshot) => {
        if (!this.live || snapshot.as_of >= this.live.as_of) this.live = snapshot;
        const range = this.loaded?.range;
        if (range && range.start <= snapshot.date && snapshot.date <= range.end) this.#refresh.schedule();
      },
    },
    onReset: () => {
      this.live = undefined;
      this.#refresh.now();
    },
  });

  readonly #hourlyChart = new ChartController(this, {
    container: () => this.renderRoot.querySelector<HTMLElement>('#chart-hourly'),
    height: () => this.#chartHeight(),
    format: (v) => this.format.number(v),
  });
  readonly #bookingChart = new ChartController(this, {
    container: () => this.renderRoot.querySelector<HTMLElement>('#chart-booking'),
    height: () => this.#chartHeight(),
    format: (v) => formatsFor(this.format.locale).pct(v),
  });
  readonly #responseChart = new ChartController(this, {
    container: () => this.renderRoot.querySelector<HTMLElement>('#chart-response'),
    height: () => this.#chartHeight(),
    format: (v) => formatsFor(this.format.locale).responseTime(v),
  });

  /** The range the panel shows, or is loading: from the attributes, else the granularity's default ending on the tenant's today. */
  get range(): DayRange {
    return this.#resolve(this.granularity, this.startDate, this.endDate, this.live?.date ?? browserToday());
  }

  #chartHeight(): number {
    const value = parseFloat(getComputedStyle(this).getPropertyValue('--chart-height'));
    return Number.isFinite(value) && value > 40 ? value : 180;
  }

  #resolve(granularity: Granularity, startDate: string | undefined, endDate: string | undefined, today: string): DayRange {
    const end = endDate || today;
    if (startDate) return { start: startDate, end };
    return defaultRange(granularity, end);
  }

  #emitRange(): void {
    const { start, end } = this.range;
    this.emit('ai-range-change', { granularity: this.granularity, start_date: start, end_date: end });
  }

  #chooseGranularity(granularity: Granularity): void {
    if (granularity === this.granularity && !this.startDate && !this.endDate) return;
    this.granularity = granularity;
    this.startDate = this.endDate = undefined;
    this.rangeError = '';
    this.#emitRange();
  }

  #chooseDates(): void {
    const start = this.renderRoot.querySelector<HTMLInputElement>('#start-date')!.value;
    const end = this.renderRoot.querySelector<HTMLInputElement>('#end-date')!.value;
    if (!start || !end) {
      this.rangeError = 'Choose both a start and an end date.';
      return;
    }
    if (end < start) {
      this.rangeError = 'The start date must be on or before the end date.';
      return;
    }
    if (rangeDays({ start, end }) > MAX_RANGE_DAYS) {
      this.rangeError = `A range can span at most ${MAX_RANGE_DAYS} days.`;
      return;
    }
    this.rangeError = '';
    if (start === this.range.start && end === this.range.end) return;
    this.startDate = start;
    this.endDate = end;
    this.#emitRange();
  }

  async #export(): Promise<void> {
    const client = this.client;
    const loaded = this.loaded;
    if (!client || !loaded) return;
    const { range, granularity } = loaded;
    this.exporting = true;
    this.exportError = '';
    try {
      await downloadFile(client, '/metrics/daily', { start_date: range.start, end_date: range.end, granularity, format: 'csv' }, `metrics-${range.start}-${range.end}.csv`);
    } catch (error) {
      this.exportError = `The export failed: ${describeError(error)}`;
    } finally {
      this.exporting = false;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const loaded = this.loaded;
    const f = formatsFor(this.format.locale);
    this.#hourlyChart.set(loaded && hourlyChart(loaded, f));
    this.#bookingChart.set(loaded && bookingChart(loaded, f));
    this.#responseChart.set(loaded && responseChart(loaded, f));
  }

  protected override render(): TemplateResult {
    const loaded = this.loaded;
    const failed = this.#task.status === TaskStatus.ERROR;
    const forbidden = failed && this.#task.error instanceof ApiError && this.#task.error.status === 403;
    let body: TemplateResult;
    if (forbidden)
      body = html`<div class="state" part="error" data-kind="error" role="alert">
        <span>${icon('warning')} ${forbiddenMessage(this.#task.error as ApiError)}</span>
      </div>`;
    else if (failed && !loaded) body = errorState(this.#task.error, () => void this.#task.run());
    else if (!loaded) body = skeleton(8);
    else body = this.#body(loaded);
    return html`<section class="panel" part="base" aria-labelledby="title" aria-busy=${this.#task.status === TaskStatus.PENDING ? 'true' : 'false'}>
      <header class="header" part="header">
        <h2 class="title" id="title" part="title">Performance</h2>
        ${connectionBadge(this.#stream.state)} ${forbidden ? nothing : this.#controls()}
      </header>
      ${failed && loaded && !forbidden ? errorState(this.#task.error, () => void this.#task.run()) : nothing} ${forbidden ? nothing : this.#today()} ${body}
    </section>`;
  }

  #controls(): TemplateResult {
    const range = this.range;
    const explicit = Boolean(this.startDate || this.endDate);
    return html`<div class="controls" part="controls">
      <fieldset class="segmented" part="granularity">
        <legend class="sr-only">Group by</legend>
        ${GRANULARITIES.map(
          (g) => html`<label part="granularity-option">
            <input
              type="radio"
              name="granularity"
              value=${g}
              .checked=${this.granularity === g}
              @change=${() => this.#chooseGranularity(g)}
              @click=${() => explicit && this.granularity === g && this.#chooseGranularity(g)}
            />
            <span>${GRANULARITY_LABEL[g]}</span>
          </label>`,
        )}
      </fieldset>
      <div class="dates">
        <label class="date">
          <span>From</span>
          <input id="start-date" class="field" part="date-input" type="date" .value=${range.start} max=${range.end} @change=${() => this.#chooseDates()} />
        </label>
        <label class="date">
          <span>To</span>
          <input id="end-date" class="field" part="date-input" type="date" .value=${range.end} min=${range.start} @change=${() => this.#chooseDates()} />
        </label>
      </div>
      <button class="button" part="export" type="button" ?disabled=${!this.loaded || this.exporting} @click=${() => void this.#export()}>
        ${icon('arrowDown')} ${this.exporting ? 'Exporting…' : 'Export CSV'}
      </button>
      ${this.rangeError ? html`<p class="message" role="alert">${icon('warning')} ${this.rangeError}</p>` : nothing}
      ${this.exportError ? html`<p class="message" role="alert">${icon('warning')} ${this.exportError}</p>` : nothing}
    </div>`;
  }

  /** Today so far against yesterday at the same time; updated by every `metric.update`. Not a live region: it may change several times a second. */
  #today(): TemplateResult | typeof nothing {
    const live = this.live;
    if (!live) return nothing;
    const f = formatsFor(this.format.locale);
    const n = (v: number) => this.format.number(v);
    const t = live.today;
    const y = live.yesterday_same_time;
    const rt = (v: number | null) => (v === null ? '–' : f.responseTime(v));
    const items: [key: string, label: string, today: string, yesterday: string][] = [
      ['conversations', 'Conversations', n(t.total_conversations), n(y.total_conversations)],
      ['appointments', 'Booked', n(t.appointments_booked), n(y.appointments_booked)],
      ['booking-rate', 'Booking rate', f.pct(t.booking_rate_pct), f.pct(y.booking_rate_pct)],
      ['escalations', 'Escalations', n(t.escalations), n(y.escalations)],
      ['response-time', 'Avg response', rt(t.avg_response_time_ms), rt(y.avg_response_time_ms)],
    ];
    return html`<section class="today" part="today" aria-labelledby="today-title">
      <h3 id="today-title" class="today-title">${icon('clock')} Today so far <span class="today-note">vs yesterday at this time</span></h3>
      <dl class="today-figures">
        ${items.map(
          ([key, label, today, yesterday]) => html`<div class="today-figure" data-key=${key}>
            <dt>${label}</dt>
            <dd><span class="today-value">${today}</span> <span class="today-then">yesterday ${yesterday}</span></dd>
          </div>`,
        )}
      </dl>
    </section>`;
  }

  #body(loaded: Loaded): TemplateResult {
    const f = formatsFor(this.format.locale);
    const current = totalsOf(loaded.current.data);
    const before = totalsOf(loaded.before.data);
    const hasPrevious = loaded.before.data.some((r) => r.total_activities > 0);
    const rt = (v: number) => f.responseTime(v);
    const n = (v: number) => this.format.number(v);
    const tiles: Tile[] = [
      { key: 'conversations', label: 'Conversations', value: current.conversations, previous: before.conversations, better: 'up', text: n },
      { key: 'appointments', label: 'Appointments booked', value: current.appointments, previous: before.appointments, better: 'up', text: n },
      { key: 'booking-rate', label: 'Booking rate', value: current.bookingRatePct, previous: before.bookingRatePct, better: 'up', points: true, text: (v) => f.pct(v) },
      { key: 'coverage', label: 'AI coverage', value: current.coveragePct, previous: before.coveragePct, better: 'up', points: true, text: (v) => f.pct(v) },
      { key: 'response-time', label: 'Avg response time', value: current.avgResponseMs, previous: before.avgResponseMs, better: 'down', text: rt },
      { key: 'escalations', label: 'Escalations', value: current.escalations, previous: before.escalations, better: 'down', text: n },
    ];
    const empty = !loaded.current.data.some((r) => r.total_activities > 0);
    return html`<p class="range" part="range" data-start=${loaded.range.start} data-end=${loaded.range.end}>
        <span>${f.rangeOf(loaded.range)}</span>
        <span class="range-previous">compared with ${f.rangeOf(loaded.previous)}</span>
      </p>
      <div class="tiles" part="tiles" role="status" aria-label="Key figures for ${f.rangeOf(loaded.range)}">
        ${tiles.map((tile) => this.#tile(tile, hasPrevious))}
      </div>
      ${empty ? emptyState('No activity in this range.') : this.#charts(loaded, current, f)}`;
  }

  #tile(tile: Tile, hasPrevious: boolean): TemplateResult {
    return html`<div class="tile" part="tile" data-key=${tile.key}>
      <span class="tile-label" part="tile-label">${tile.label}</span>
      <span class="tile-value" part="tile-value" data-value=${tile.value ?? ''}>${tile.value === null ? '–' : tile.text(tile.value)}</span>
      ${this.#trend(tile, hasPrevious)}
    </div>`;
  }

  #trend(tile: Tile, hasPrevious: boolean): TemplateResult {
    const { value, previous } = tile;
    if (!hasPrevious || value === null || previous === null || (!tile.points && previous === 0)) {
      return html`<span class="trend" part="tile-trend" data-direction="none">No earlier data to compare with</span>`;
    }
    const change = tile.points ? value - previous : ((value - previous) / previous) * 100;
    const magnitude = Math.abs(change);
    const direction = magnitude < 0.05 ? 'level' : change > 0 ? 'up' : 'down';
    const amount = tile.points
      ? `${formatsFor(this.format.locale).signed.format(magnitude)} pts`
      : formatsFor(this.format.locale).rate.format(magnitude / 100);
    const words = direction === 'level' ? 'No change' : `${direction === 'up' ? 'Up' : 'Down'} ${amount}`;
    const mood = direction === 'level' ? 'neutral' : direction === tile.better ? 'good' : 'bad';
    return html`<span class="trend" part="tile-trend" data-direction=${direction} data-mood=${mood}>
      ${trendIcon(direction)}<span>${words} vs previous period</span>
    </span>`;
  }

  #charts(loaded: Loaded, totals: RangeTotals, f: Formats): TemplateResult {
    const hourly = hourlyChart(loaded, f);
    const booking = bookingChart(loaded, f);
    const response = responseChart(loaded, f);
    const n = (v: number) => this.format.number(v);
    const peak = hourly.series[0]!.values.reduce<number>((best, v, i, all) => ((v ?? 0) > (all[best] ?? 0) ? i : best), 0);
    const hourlyTotal = hourly.series[0]!.values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    const rows = loaded.current.data;
    const bookingValues = rows.map((r) => r.booking_rate_pct);
    const period = loaded.granularity === 'day' ? 'day' : loaded.granularity === 'week' ? 'week' : 'month';
    const avgRt = rows.map((r) => r.avg_response_time_ms).filter((v): v is number => v !== null);
    const day = loaded.hourly.start_date;
    const isToday = this.live?.date === day;
    const hourlyTitle = isToday ? 'Conversations per hour, today so far' : `Conversations per hour on ${f.dayOf(day)}`;
    return html`<div class="charts" part="charts">
      ${this.#figure({
        id: 'hourly',
        wide: true,
        title: hourlyTitle,
        summary:
          hourlyTotal === 0
            ? `${hourlyTitle}: no conversations.`
            : `${hourlyTitle}: ${n(hourlyTotal)} in all, the busiest hour ${hourly.labels[peak]} with ${n(hourly.series[0]!.values[peak] ?? 0)}.`,
        series: hourly.series,
        table: {
          caption: hourlyTitle,
          columns: ['Hour', 'Conversations'],
          rows: hourly.labels.flatMap((label, i) => (hourly.series[0]!.values[i] == null ? [] : [[label, n(hourly.series[0]!.values[i]!)]])),
        },
      })}
      ${this.#figure({
        id: 'booking',
        title: `Booking rate per ${period}`,
        summary: `Booking rate per ${period}: ${f.pct(totals.bookingRatePct)} over the range, from ${f.pct(Math.min(...bookingValues))} to ${f.pct(Math.max(...bookingValues))}.`,
        series: booking.series,
        table: {
          caption: `Booking rate per ${period}`,
          columns: [GRANULARITY_LABEL[loaded.granularity], 'Conversations', 'Appointments booked', 'Booking rate'],
          rows: rows.map((r) => [f.periodOf(r, loaded.granularity, true), n(r.total_conversations), n(r.appointments_booked), f.pct(r.booking_rate_pct)]),
        },
      })}
      ${this.#figure({
        id: 'response',
        title: `Response time per ${period}`,
        summary:
          avgRt.length === 0
            ? `Response time per ${period}: no response times recorded.`
            : `Average response time per ${period}: ${totals.avgResponseMs === null ? '–' : f.responseTime(totals.avgResponseMs)} over the range, from ${f.responseTime(Math.min(...avgRt))} to ${f.responseTime(Math.max(...avgRt))}.`,
        series: response.series,
        table: {
          caption: `Response time per ${period}${loaded.granularity === 'day' ? '' : ' (p95: the largest daily p95, an upper bound)'}`,
          columns: [GRANULARITY_LABEL[loaded.granularity], 'Average', '95th percentile'],
          rows: rows.map((r) => [
            f.periodOf(r, loaded.granularity, true),
            r.avg_response_time_ms === null ? '–' : f.responseTime(r.avg_response_time_ms),
            r.p95_response_time_ms === null ? '–' : f.responseTime(r.p95_response_time_ms),
          ]),
        },
      })}
      ${this.#funnel(totals, f)} ${this.#donut(totals, f)}
    </div>`;
  }

  #figure(chart: {
    id: string;
    title: string;
    summary: string;
    series: readonly ChartSeries[];
    wide?: boolean;
    table: { caption: string; columns: string[]; rows: string[][] };
  }): TemplateResult {
    return html`<figure class="chart ${chart.wide ? 'wide' : ''}" part="chart" data-chart=${chart.id}>
      <figcaption class="chart-title">${chart.title}</figcaption>
      ${chart.series.length > 1 ? chartLegend(chart.series) : nothing}
      <div id="chart-${chart.id}" class="chart-canvas" part="chart-canvas" role="img" aria-label=${chart.summary}></div>
      ${this.#table(chart.table)}
    </figure>`;
  }

  #table(table: { caption: string; columns: string[]; rows: string[][] }): TemplateResult {
    return html`<details class="chart-table" part="chart-table">
      <summary>Show as table</summary>
      <div class="table-scroll" tabindex="0" role="region" aria-label=${table.caption}>
        <table>
          <caption>${table.caption}</caption>
          <thead>
            <tr>${table.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr>
          </thead>
          <tbody>
            ${table.rows.map(([head, ...cells]) => html`<tr><th scope="row">${head}</th>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}
          </tbody>
        </table>
      </div>
    </details>`;
  }

  #funnel(totals: RangeTotals, f: Formats): TemplateResult {
    const n = (v: number) => this.format.number(v);
    const steps = [
      { label: 'Conversations', value: totals.conversations },
      { label: 'Leads pre-screened', value: totals.leads },
      { label: 'Appointments booked', value: totals.appointments },
    ];
    const widest = Math.max(1, ...steps.map((s) => s.value));
    const shareOf = (part: number, whole: number) => (whole === 0 ? '–' : f.pct((part / whole) * 100));
    // Bookings are not a subset of pre-screened leads in the data, so a step can exceed 100 % of the one before it.
    const shareText = (i: number) =>
      i === 1
        ? `${shareOf(steps[1]!.value, steps[0]!.value)} of conversations`
        : `${shareOf(steps[2]!.value, steps[1]!.value)} of leads pre-screened, ${shareOf(steps[2]!.value, steps[0]!.value)} of conversations`;
    const summary = `Lead conversion funnel: ${steps.map((s, i) => `${s.label} ${n(s.value)}${i > 0 ? ` (${shareText(i)})` : ''}`).join(', ')}.`;
    return html`<figure class="chart" part="chart funnel" data-chart="funnel">
      <figcaption class="chart-title">Lead conversion funnel</figcaption>
      <div class="funnel" role="img" aria-label=${summary}>
        ${steps.map(
          (s, i) => html`<div class="funnel-step">
            <span class="funnel-label"><span>${s.label}</span> <strong>${n(s.value)}</strong></span>
            <svg class="funnel-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
              <rect class="funnel-track" x="0" y="0" width="100" height="10" rx="1.5"></rect>
              <rect class="funnel-fill" x=${(100 - (s.value / widest) * 100) / 2} y="0" width=${(s.value / widest) * 100} height="10" rx="1.5"></rect>
            </svg>
            ${i > 0 ? html`<span class="funnel-share">${shareText(i)}</span>` : nothing}
          </div>`,
        )}
      </div>
      ${this.#table({
        caption: 'Lead conversion funnel',
        columns: ['Step', 'Count', '% of previous step', '% of conversations'],
        rows: steps.map((s, i) => [s.label, n(s.value), i === 0 ? '–' : shareOf(s.value, steps[i - 1]!.value), shareOf(s.value, steps[0]!.value)]),
      })}
    </figure>`;
  }

  #donut(totals: RangeTotals, f: Formats): TemplateResult {
    const n = (v: number) => this.format.number(v);
    const handled = Math.max(0, totals.conversations - totals.escalations);
    const escalated = totals.escalations;
    const coverage = totals.coveragePct;
    const summary =
      totals.conversations === 0
        ? 'AI coverage: no conversations.'
        : `AI coverage ${f.pct(coverage)}: ${n(handled)} conversations handled by AI, ${n(escalated)} escalated.`;
    // Circumference as pathLength 100: the dash is the share in percent.
    return html`<figure class="chart" part="chart donut" data-chart="coverage">
      <figcaption class="chart-title">AI coverage</figcaption>
      <div class="donut" role="img" aria-label=${summary}>
        <svg viewBox="0 0 120 120" aria-hidden="true">
          <circle class="donut-track" cx="60" cy="60" r="48" pathLength="100"></circle>
          ${totals.conversations === 0
            ? nothing
            : svg`<circle class="donut-escalated" cx="60" cy="60" r="48" pathLength="100"></circle>
                <circle class="donut-ai" cx="60" cy="60" r="48" pathLength="100" stroke-dasharray="${coverage} ${100 - coverage}" transform="rotate(-90 60 60)"></circle>`}
        </svg>
        <div class="donut-centre">
          <strong>${totals.conversations === 0 ? '–' : f.pct(coverage)}</strong>
          <span>handled by AI</span>
        </div>
      </div>
      <ul class="donut-legend">
        <li><span class="swatch" data-part="ai"></span>Handled by AI <strong>${n(handled)}</strong></li>
        <li><span class="swatch" data-part="escalated"></span>Escalated <strong>${n(escalated)}</strong></li>
      </ul>
      ${this.#table({
        caption: 'AI coverage',
        columns: ['Conversations', 'Count', 'Share'],
        rows: [
          ['Handled by AI', n(handled), totals.conversations === 0 ? '–' : f.pct(coverage)],
          ['Escalated', n(escalated), totals.conversations === 0 ? '–' : f.pct(100 - coverage)],
        ],
      })}
    </figure>`;
  }
}

/** Why a 403 came: a token locked to one client may not read the business's figures; else the token lacks the `read` scope. */
function forbiddenMessage(error: ApiError): string {
  return /locked/i.test(`${error.problem?.detail ?? ''} ${error.problem?.title ?? ''}`)
    ? 'These metrics are not available to a client-locked token: they cover every client of the business.'
    : describeError(error);
}

/** Conversations per local hour of the range's last day; hours still to come are gaps, not zeros. */
function hourlyChart(loaded: Loaded, f: Formats, now = Date.now()): ChartData {
  const rows = loaded.hourly.data;
  return {
    labels: rows.map((r) => f.hourOf(r.local_hour)),
    series: [{ label: 'Conversations', kind: 'line', color: 'accent', values: rows.map((r) => (Date.parse(r.hour_start) > now ? null : r.conversations)) }],
  };
}

function bookingChart(loaded: Loaded, f: Formats): ChartData {
  const rows = loaded.current.data;
  return {
    labels: rows.map((r) => f.periodOf(r, loaded.granularity)),
    series: [{ label: 'Booking rate', kind: 'bar', color: 'accent', values: rows.map((r) => r.booking_rate_pct) }],
  };
}

function responseChart(loaded: Loaded, f: Formats): ChartData {
  const rows = loaded.current.data;
  return {
    labels: rows.map((r) => f.periodOf(r, loaded.granularity)),
    series: [
      { label: 'Average', kind: 'area', color: 'accent', values: rows.map((r) => r.avg_response_time_ms) },
      { label: '95th percentile', kind: 'line', color: 'warning', values: rows.map((r) => r.p95_response_time_ms) },
    ],
  };
}
