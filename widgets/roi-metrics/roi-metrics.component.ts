import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Task, TaskStatus } from '@lit/task';
import type { Roi, RoiAssumptions } from '../../api/contract.js';
import { ApiError } from '../core/api-client.js';
import { AiElement } from '../core/base-element.js';
import { icon } from '../core/icons.js';
import { connectionBadge, errorState, skeleton } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import { RefreshController } from '../core/refresh.js';
import styles from './roi-metrics.styles.js';

export type RoiRange = '7d' | '30d' | '90d';

/** The ranges of the selector and how many local days (today included) each covers. */
const RANGES: Record<RoiRange, { days: number; label: string }> = {
  '7d': { days: 7, label: '7 days' },
  '30d': { days: 30, label: '30 days' },
  '90d': { days: 90, label: '90 days' },
};

/** Live updates refetch at most this often: `metric.update` comes several times a second under load. */
const REFRESH_MS = 2_000;

/** A `YYYY-MM-DD` day moved by whole days (calendar arithmetic in UTC, so no time zone shifts it). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The browser's local day: the first guess at the tenant's, until the API tells us. */
function browserToday(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())).toISOString().slice(0, 10);
}

/** A `YYYY-MM-DD` day as a Date at noon UTC, so formatting it in UTC never moves it to another day. */
const dayAsDate = (day: string) => new Date(`${day}T12:00:00Z`);

/**
 * Business hours in the locale's words: "Mon–Fri 9 AM–5 PM". Consecutive ISO weekdays collapse
 * into a range; hours are [start_hour, end_hour) local hours.
 */
export function businessHours(hours: RoiAssumptions['business_hours'], locale: string): string {
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  // 2024-01-01 was a Monday: ISO weekday n is January n.
  const dayName = (iso: number) => weekday.format(new Date(Date.UTC(2024, 0, iso, 12)));
  const days = [...new Set(hours.weekdays)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const day of days) {
    const last = runs.at(-1);
    if (last && day === last[1] + 1) last[1] = day;
    else runs.push([day, day]);
  }
  const dayText = runs.map(([from, to]) => (from === to ? dayName(from) : to === from + 1 ? `${dayName(from)}, ${dayName(to)}` : `${dayName(from)}–${dayName(to)}`)).join(', ');
  const hour = new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' });
  const at = (h: number) => hour.format(new Date(Date.UTC(2024, 0, 1, h % 24)));
  return `${dayText || '—'} ${at(hours.start_hour)}–${at(hours.end_hour)}`;
}

/**
 * What the AI receptionist earns and saves over a range of days: revenue created, labor hours
 * saved, cost per interaction and ROI %, the cost of a human receptionist doing the same work,
 * after-hours coverage, and the assumptions behind every figure. Follows `metric.update` live
 * while its range includes today.
 *
 * The range is `range` (the last 7, 30 or 90 days of the tenant, today included) unless
 * `start-date` / `end-date` give one; the selector in the header switches between the relative ranges.
 *
 * @summary Revenue, savings and ROI of the AI receptionist against a human one, with its assumptions.
 *
 * @csspart base - The panel.
 * @csspart header - The header: title, range, range selector and connection.
 * @csspart title - The title.
 * @csspart range - The days shown ("Nov 1 – Nov 30, 2026").
 * @csspart range-selector - The group of range buttons; each is a `range-button` (`aria-pressed`).
 * @csspart figures - The headline figures.
 * @csspart figure - One headline figure (label and value).
 * @csspart comparison - The AI versus human receptionist comparison.
 * @csspart track - The groove of a comparison bar (an `<svg>`).
 * @csspart bar - A comparison bar (an SVG `<rect>`: colour it with `fill`); also `bar-ai` or `bar-human`.
 * @csspart coverage - Cost savings, after-hours conversations and missed calls saved.
 * @csspart assumptions - The assumptions the figures rest on.
 * @csspart connection - The live-connection badge.
 * @csspart skeleton - Placeholder lines while the first data loads.
 * @csspart error - Shown when loading failed (with a `retry` button, except for a token that may not see ROI).
 *
 * @cssproperty [--bar-ai-color=var(--ai-color-accent)] - The AI receptionist's bar.
 * @cssproperty [--bar-human-color=var(--ai-color-neutral)] - The human receptionist's bar.
 * @cssproperty [--bar-height=14px] - The thickness of a comparison bar.
 * @cssproperty [--figure-min-width=10rem] - The narrowest a headline figure gets before the figures wrap.
 */
export class AiRoiMetrics extends AiElement {
  static override styles = [...AiElement.styles, styles];

  /** The last `7d`, `30d` or `90d` of the tenant's days, today included; ignored when `start-date` or `end-date` is set. */
  @property() range: RoiRange = '30d';

  /** First day of an explicit range (`YYYY-MM-DD`, the tenant's local day); wins over `range`. */
  @property({ attribute: 'start-date' }) startDate?: string;

  /** Last day of an explicit range (`YYYY-MM-DD`); defaults to the tenant's today. */
  @property({ attribute: 'end-date' }) endDate?: string;

  /** The figures shown: the last answer, kept while a refetch is on its way. */
  @state() private roi: Roi | undefined;

  /** The tenant's local today, as the API last told us (its answers and `metric.update`). */
  #tenantToday: string | undefined;

  readonly #task = new Task(this, {
    args: () => [this.client, this.configVersion, this.startDate, this.endDate, this.range] as const,
    task: async ([client, , startDate, endDate, range], { signal }) => {
      if (!client) throw new Error('This widget is not configured: set its api-base and token attributes, or call configure().');
      if (startDate || endDate) return client.get('/roi', { start_date: startDate, end_date: endDate }, signal);
      const days = (RANGES[range] ?? RANGES['30d']).days;
      // Without end_date the API ends the range on the tenant's today; the start is our best guess of it.
      let roi = await client.get('/roi', { start_date: addDays(this.#tenantToday ?? browserToday(), 1 - days) }, signal);
      if (roi.start_date !== addDays(roi.end_date, 1 - days)) {
        // The tenant's day is not the browser's: ask again for exactly `days` days ending on the tenant's today.
        roi = await client.get('/roi', { start_date: addDays(roi.end_date, 1 - days), end_date: roi.end_date }, signal);
      }
      this.#tenantToday = roi.end_date;
      return roi;
    },
    onComplete: (roi: Roi) => (this.roi = roi),
  });

  readonly #refresh = new RefreshController(this, { delayMs: REFRESH_MS, tasks: () => [this.#task] });

  readonly #stream = new StreamController(this, {
    events: {
      'metric.update': (snapshot) => {
        this.#tenantToday = snapshot.date;
        if (this.#includesToday()) this.#refresh.schedule();
      },
    },
    onReset: () => this.#refresh.now(),
  });

  #includesToday(): boolean {
    if (!this.startDate && !this.endDate) return true;
    const today = this.#tenantToday;
    if (!today) return false;
    return (!this.startDate || this.startDate <= today) && (!this.endDate || today <= this.endDate);
  }

  #select(range: RoiRange): void {
    this.startDate = undefined;
    this.endDate = undefined;
    this.range = range;
  }

  protected override render(): TemplateResult {
    const roi = this.roi;
    const failed = this.#task.status === TaskStatus.ERROR;
    const busy = this.#task.status === TaskStatus.PENDING;
    let body: TemplateResult;
    if (failed && isForbidden(this.#task.error))
      body = html`<div class="state" part="error" data-kind="error" role="alert">
        <span>${icon('warning')} ROI covers the whole business, so it is not available to a token limited to one client.</span>
      </div>`;
    else if (failed && !roi) body = errorState(this.#task.error, () => void this.#task.run());
    else if (!roi) body = skeleton(6);
    else body = this.#figures(roi);
    return html`<section class="panel" part="base" aria-labelledby="title" aria-busy=${busy ? 'true' : 'false'}>
      <header class="header" part="header">
        <h2 class="title" id="title" part="title">Return on investment</h2>
        ${roi && !(failed && isForbidden(this.#task.error))
          ? html`<span class="range" part="range" data-start=${roi.start_date} data-end=${roi.end_date}>${this.#rangeText(roi)}</span>`
          : nothing}
        ${this.#selector()} ${connectionBadge(this.#stream.state)}
      </header>
      ${failed && roi && !isForbidden(this.#task.error) ? errorState(this.#task.error, () => void this.#task.run()) : nothing} ${body}
    </section>`;
  }

  #selector(): TemplateResult {
    const explicit = Boolean(this.startDate || this.endDate);
    return html`<div class="ranges" part="range-selector" role="group" aria-label="Range">
      ${(Object.keys(RANGES) as RoiRange[]).map(
        (range) =>
          html`<button
            type="button"
            class="button"
            part="range-button"
            data-range=${range}
            aria-pressed=${!explicit && this.range === range ? 'true' : 'false'}
            @click=${() => this.#select(range)}
          >
            ${RANGES[range].label}
          </button>`,
      )}
    </div>`;
  }

  #rangeText(roi: Roi): string {
    const f = new Intl.DateTimeFormat(this.format.locale, { dateStyle: 'medium', timeZone: 'UTC' });
    return f.formatRange(dayAsDate(roi.start_date), dayAsDate(roi.end_date));
  }

  #figures(roi: Roi): TemplateResult {
    const f = this.format;
    const a = roi.assumptions;
    const money = (value: number) => f.currency(value, a.currency);
    // Cents add nothing to a figure in the thousands.
    const whole = new Intl.NumberFormat(f.locale, { style: 'currency', currency: a.currency, maximumFractionDigits: 0 });
    const amount = (value: number) => (Math.abs(value) >= 1000 ? whole.format(value) : money(value));
    const hours = new Intl.NumberFormat(f.locale, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 });
    const headline: [key: string, label: string, value: string, note: string][] = [
      ['revenue', 'Revenue created', amount(roi.revenue_created), `${f.number(roi.appointments_booked)} appointments booked`],
      ['hours', 'Labor hours saved', hours.format(roi.labor_hours_saved), `${amount(roi.labor_cost_saved)} of staff time`],
      ['cost', 'Cost per interaction', money(roi.cost_per_interaction), `${f.number(roi.total_conversations)} conversations`],
      ['roi', 'ROI', f.percent(roi.roi_pct / 100), 'on the AI’s cost'],
    ];
    const most = Math.max(roi.ai_cost, roi.human_cost, 0);
    const width = (value: number) => `${most > 0 ? Math.max(0, (value / most) * 100) : 0}%`;
    // An SVG rect sized by its width attribute: a style attribute (styleMap's first render) is
    // refused under a strict Content-Security-Policy (style-src without 'unsafe-inline').
    const bar = (key: 'ai' | 'human', value: number) =>
      html`<svg class="track" part="track" aria-hidden="true"><rect class="bar" part=${`bar bar-${key}`} width=${width(value)} height="100%"></rect></svg>`;
    return html`
      <div class="figures" part="figures" role="status">
        <dl>
          ${headline.map(
            ([key, label, value, note]) => html`<div class="figure" part="figure" data-figure=${key}>
              <dt>${label}</dt>
              <dd class="value">${value}</dd>
              <dd class="note">${note}</dd>
            </div>`,
          )}
        </dl>
      </div>
      <div class="sections">
        <section class="comparison" part="comparison" aria-labelledby="comparison-title">
          <h3 id="comparison-title">AI versus a human receptionist</h3>
          <p class="caption">What the same ${f.number(roi.total_conversations)} conversations cost.</p>
          <ul class="bars">
            <li data-bar="ai">
              <span class="bar-label">AI receptionist</span>
              <span class="bar-value">${amount(roi.ai_cost)}</span>
              ${bar('ai', roi.ai_cost)}
            </li>
            <li data-bar="human">
              <span class="bar-label">Human receptionist</span>
              <span class="bar-value">${amount(roi.human_cost)}</span>
              ${bar('human', roi.human_cost)}
            </li>
          </ul>
          <dl class="coverage" part="coverage">
            <div data-figure="savings">
              <dt>Cost savings</dt>
              <dd>${f.percent(roi.cost_savings_pct / 100)}</dd>
            </div>
            <div data-figure="after-hours">
              <dt>After-hours conversations handled</dt>
              <dd>${f.number(roi.after_hours_conversations)}</dd>
            </div>
            <div data-figure="missed-calls">
              <dt>Missed calls saved</dt>
              <dd>${f.number(roi.missed_calls_saved)}</dd>
            </div>
          </dl>
        </section>
        <section class="assumptions" part="assumptions" aria-labelledby="assumptions-title">
          <h3 id="assumptions-title">Assumptions</h3>
          <dl>
            <div data-assumption="revenue_per_booking">
              <dt>Revenue per booking</dt>
              <dd>${money(a.revenue_per_booking)}</dd>
            </div>
            <div data-assumption="minutes_per_conversation">
              <dt>Human minutes per conversation</dt>
              <dd>${new Intl.NumberFormat(f.locale, { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }).format(a.minutes_per_conversation)}</dd>
            </div>
            <div data-assumption="human_hourly_cost">
              <dt>Human hourly cost</dt>
              <dd>${money(a.human_hourly_cost)}</dd>
            </div>
            <div data-assumption="ai_cost_per_interaction">
              <dt>AI cost per interaction</dt>
              <dd>${money(a.ai_cost_per_interaction)}</dd>
            </div>
            <div data-assumption="business_hours">
              <dt>Business hours</dt>
              <dd>${businessHours(a.business_hours, f.locale)}</dd>
            </div>
          </dl>
          <p class="caption">ROI = (revenue + labor cost saved − AI cost) ÷ AI cost. Conversations outside business hours count as after-hours.</p>
        </section>
      </div>
    `;
  }
}

function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}
