import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Task, TaskStatus } from '@lit/task';
import type { Activity, DailyAccuracy, ReceptionistError, Skill, SkillDetail, SkillStatus } from '../../api/contract.js';
import { ApiError } from '../core/api-client.js';
import { AiElement } from '../core/base-element.js';
import { ChartController } from '../core/chart.js';
import { chartStyles } from '../core/chart.styles.js';
import { icon, type IconName } from '../core/icons.js';
import { connectionBadge, emptyState, errorState, skeleton } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import { RefreshController } from '../core/refresh.js';
import styles from './skills-heatmap.styles.js';

export type SkillSort = 'accuracy' | 'usage' | 'trend';
export type SkillsView = 'table' | 'heatmap';

/** Each status in colour (the `data-status` styles), icon and word. */
export const STATUS: Record<SkillStatus, { word: string; icon: IconName }> = {
  healthy: { word: 'Healthy', icon: 'check' },
  watch: { word: 'Watch', icon: 'alert' },
  needs_retraining: { word: 'Needs retraining', icon: 'warning' },
};

/** The API's orders: accuracy and usage best first, trend most declining first. */
const SORTS: Record<SkillSort, { label: string; order: 'descending' | 'ascending' }> = {
  accuracy: { label: 'Accuracy', order: 'descending' },
  usage: { label: 'Usage', order: 'descending' },
  trend: { label: 'Trend', order: 'ascending' },
};

/**
 * The heatmap's colour bins by accuracy: lower bounds, from the worst. The 75 % and 85 % bounds are
 * those of the statuses (watch, healthy), so warm cells are the days below healthy.
 */
export const LEVELS: readonly { min: number; label: string }[] = [
  { min: 0, label: '< 60%' },
  { min: 0.6, label: '60–75%' },
  { min: 0.75, label: '75–85%' },
  { min: 0.85, label: '85–95%' },
  { min: 0.95, label: '≥ 95%' },
];

/** The heatmap level of an accuracy, 1 (worst) to 5; 0 for a day without decided outcomes. */
export function levelOf(accuracy: number | null): number {
  if (accuracy === null) return 0;
  let level = 1;
  LEVELS.forEach((l, i) => accuracy >= l.min && (level = i + 1));
  return level;
}

/** A trend within this of zero (a twentieth of a point) shows as flat. */
const FLAT = 0.0005;
/** Live activities refetch the skills at most this often. */
const REFRESH_MS = 5_000;

/** A `YYYY-MM-DD` day as a Date at noon UTC, formatted in UTC so it never moves to another day. */
const dayAsDate = (day: string) => new Date(`${day}T12:00:00Z`);

/**
 * How accurately each skill of the AI receptionist works: a sortable table (accuracy over 30 and 7
 * days, trend, usage, status in colour, icon and word) and a skills × last-14-days heatmap.
 * Selecting a skill opens its detail: daily accuracy over 30 days (a chart and its data table)
 * and its recent failures, the callers' words and the errors' root causes. Today's figures follow
 * the live activity.
 *
 * Keyboard: every skill name is a button (Enter or Space opens its detail); the sortable column
 * headers are buttons; the heatmap and the table scroll sideways in their own box, which takes focus.
 *
 * @summary Skills by accuracy, trend, usage and status, a 14-day heatmap, and each skill's detail.
 *
 * @fires ai-skill-select - The user opened a skill's detail; `detail.skill` is the skill.
 *
 * @csspart base - The panel.
 * @csspart header - The header: title, view switch, sort and connection.
 * @csspart title - The title.
 * @csspart view-switch - The Table / Heatmap buttons (`aria-pressed`); each is a `view-button`.
 * @csspart sort-select - The sort select.
 * @csspart table - The skills table.
 * @csspart row - One skill's row in the table or the heatmap; `row-selected` too when its detail is open.
 * @csspart skill-button - A skill's name, the button that opens its detail.
 * @csspart status - A status badge (icon and word); `data-status` is `healthy`, `watch` or `needs_retraining`.
 * @csspart trend - A trend (arrow and signed points).
 * @csspart heatmap - The heatmap's scrolling box.
 * @csspart cell - A heatmap cell; `data-level` is 0 (no activity) to 5.
 * @csspart legend - The heatmap's legend.
 * @csspart detail - A skill's detail.
 * @csspart close-button - The button that closes the detail.
 * @csspart chart - The daily accuracy chart.
 * @csspart chart-table - The chart's data, as a table in a disclosure.
 * @csspart failures - The recent failures.
 * @csspart connection - The live-connection badge.
 * @csspart skeleton - Placeholder lines while data loads.
 * @csspart empty - Shown when the tenant has no skills.
 * @csspart error - Shown when loading failed (with a `retry` button, except for a token that may not see skills).
 *
 * @cssproperty [--heat-1=#b2182b] - Heatmap cells below 60 % (dark theme: #f0716a); `--heat-ink-1` is the text on them.
 * @cssproperty [--heat-2=#ef8a62] - Cells from 60 to 75 % (dark: #b4553f); text `--heat-ink-2`.
 * @cssproperty [--heat-3=#fddbc7] - Cells from 75 to 85 % (dark: #5b4038); text `--heat-ink-3`.
 * @cssproperty [--heat-4=#67a9cf] - Cells from 85 to 95 % (dark: #2f5f8a); text `--heat-ink-4`.
 * @cssproperty [--heat-5=#2166ac] - Cells from 95 % (dark: #79b8ff); text `--heat-ink-5`.
 * @cssproperty [--cell-size=3rem] - The narrowest a heatmap cell gets (the heatmap scrolls sideways below that).
 * @cssproperty [--skill-column-width=11rem] - The widest the sticky skill names get.
 */
export class AiSkillsHeatmap extends AiElement {
  static override styles = [...AiElement.styles, chartStyles, styles];

  /** `accuracy` (best first), `usage` (most used first) or `trend` (most declining first). */
  @property() sort: SkillSort = 'accuracy';

  /** `table` or `heatmap`. */
  @property() view: SkillsView = 'table';

  /** The skills shown: the last answer, kept while a refetch is on its way. */
  @state() private skills: Skill[] | undefined;
  /** The skill whose detail is open. */
  @state() private selected: string | undefined;
  /** The open skill's detail, kept while it is refetched live. */
  @state() private detail: SkillDetail | undefined;


  readonly #list = new Task(this, {
    args: () => [this.client, this.configVersion, this.sort] as const,
    task: async ([client, , sort], { signal }) => {
      if (!client) throw new Error('This widget is not configured: set its api-base and token attributes, or call configure().');
      return client.get('/skills', { sort: SORTS[sort] ? sort : 'accuracy' }, signal);
    },
    onComplete: ({ data }) => (this.skills = data),
  });

  readonly #detail = new Task(this, {
    args: () => [this.client, this.configVersion, this.selected] as const,
    task: async ([client, , name], { signal }) => {
      if (!client || name === undefined) return undefined;
      return client.get(`/skills/${encodeURIComponent(name)}`, undefined, signal);
    },
    onComplete: (detail) => (this.detail = detail),
  });

  readonly #refresh = new RefreshController(this, {
    delayMs: REFRESH_MS,
    tasks: () => (this.selected === undefined ? [this.#list] : [this.#list, this.#detail]),
  });

  readonly #stream = new StreamController(this, {
    events: {
      'activity.new': (activity) => {
        if (activity.skill_name && (activity.outcome_status === 'success' || activity.outcome_status === 'failed')) this.#refresh.schedule();
      },
    },
    onReset: () => this.#refresh.now(),
  });

  readonly #chart = new ChartController(this, {
    container: () => this.renderRoot.querySelector<HTMLElement>('.chart'),
    height: 180,
    yMax: 100,
    format: (value) => `${Math.round(value)}%`,
  });

  #sortBy(sort: SkillSort): void {
    this.sort = sort;
  }

  #select(skill: Skill): void {
    if (this.selected === skill.skill_name) {
      this.#close();
      return;
    }
    this.selected = skill.skill_name;
    this.detail = undefined;
    this.emit('ai-skill-select', { skill });
    // The detail opens under the list: bring its heading into view (a long list can hide it).
    void this.updateComplete.then(() => this.renderRoot.querySelector('#detail')?.scrollIntoView({ block: 'nearest' }));
  }

  #close(): void {
    const name = this.selected;
    this.selected = undefined;
    this.detail = undefined;
    // Focus goes back to where the detail was opened from.
    void this.updateComplete.then(() => {
      const button = [...this.renderRoot.querySelectorAll<HTMLElement>('[part~="skill-button"]')].find((b) => b.dataset.skill === name);
      button?.focus();
    });
  }

  protected override willUpdate(): void {
    const detail = this.selected !== undefined && this.detail?.skill_name === this.selected ? this.detail : undefined;
    this.#chart.set(
      detail && {
        labels: detail.daily_accuracy.map((d) => this.#shortDay(d.date)),
        series: [{ label: 'Accuracy', kind: 'line', color: 'accent', values: detail.daily_accuracy.map((d) => (d.accuracy === null ? null : d.accuracy * 100)) }],
      },
    );
  }

  protected override render(): TemplateResult {
    const skills = this.skills;
    const failed = this.#list.status === TaskStatus.ERROR;
    const forbidden = failed && isForbidden(this.#list.error);
    let body: TemplateResult;
    if (forbidden)
      body = html`<div class="state" part="error" data-kind="error" role="alert">
        <span>${icon('warning')} Skills cover the whole business, so they are not available to a token limited to one client.</span>
      </div>`;
    else if (failed && !skills) body = errorState(this.#list.error, () => void this.#list.run());
    else if (!skills) body = skeleton(6);
    else if (skills.length === 0) body = emptyState('No skills yet: they appear once activities name them.');
    else body = this.view === 'heatmap' ? this.#heatmap(skills) : this.#table(skills);
    return html`<section class="panel" part="base" aria-labelledby="title" aria-busy=${this.#list.status === TaskStatus.PENDING ? 'true' : 'false'}>
      <header class="header" part="header">
        <h2 class="title" id="title" part="title">Skills</h2>
        ${forbidden ? nothing : this.#controls()} ${connectionBadge(this.#stream.state)}
      </header>
      ${failed && skills && !forbidden ? errorState(this.#list.error, () => void this.#list.run()) : nothing} ${body}
      ${this.selected !== undefined && !forbidden ? this.#detailView(this.selected) : nothing}
    </section>`;
  }

  #controls(): TemplateResult {
    const views: [SkillsView, string][] = [
      ['table', 'Table'],
      ['heatmap', 'Heatmap'],
    ];
    return html`<div class="segmented" part="view-switch" role="group" aria-label="View">
        ${views.map(
          ([view, label]) =>
            html`<button type="button" class="button" part="view-button" data-view=${view} aria-pressed=${this.view === view ? 'true' : 'false'} @click=${() => (this.view = view)}>
              ${label}
            </button>`,
        )}
      </div>
      <label class="sort">
        <span>Sort by</span>
        <select class="field" part="sort-select" .value=${this.sort} @change=${(e: Event) => this.#sortBy((e.target as HTMLSelectElement).value as SkillSort)}>
          ${(Object.keys(SORTS) as SkillSort[]).map((sort) => html`<option value=${sort} ?selected=${this.sort === sort}>${SORTS[sort].label}</option>`)}
        </select>
      </label>`;
  }

  #skillButton(skill: Skill): TemplateResult {
    const open = this.selected === skill.skill_name;
    return html`<button
      type="button"
      class="skill"
      part="skill-button"
      data-skill=${skill.skill_name}
      aria-expanded=${open ? 'true' : 'false'}
      aria-controls=${open ? 'detail' : nothing}
      @click=${(e: Event) => {
        e.stopPropagation();
        this.#select(skill);
      }}
    >
      ${skill.skill_name}
    </button>`;
  }

  #sortHeader(sort: SkillSort, label: string): TemplateResult {
    const active = this.sort === sort;
    return html`<th scope="col" class="num" aria-sort=${active ? SORTS[sort].order : nothing}>
      <button type="button" class="sort-button" data-sort=${sort} @click=${() => this.#sortBy(sort)}>
        ${label}${active ? html`<span class="sort-arrow" data-order=${SORTS[sort].order}>${icon('arrowDown')}</span>` : nothing}
      </button>
    </th>`;
  }

  #table(skills: Skill[]): TemplateResult {
    const f = this.format;
    const percent = (value: number | null) => (value === null ? '—' : f.percent(value));
    return html`<div class="scroll" role="region" aria-labelledby="table-caption" tabindex="0">
      <table part="table" class="skills">
        <caption id="table-caption" class="sr-only">Skills, by ${SORTS[this.sort].label.toLowerCase()}</caption>
        <thead>
          <tr>
            <th scope="col">Skill</th>
            ${this.#sortHeader('accuracy', 'Accuracy (30\u00a0d)')}
            <th scope="col" class="num">7 days</th>
            ${this.#sortHeader('trend', 'Trend')} ${this.#sortHeader('usage', 'Usage')}
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          ${repeat(
            skills,
            (s) => s.skill_name,
            (s) => html`<tr
              part=${this.selected === s.skill_name ? 'row row-selected' : 'row'}
              data-skill=${s.skill_name}
              @click=${() => this.#select(s)}
            >
              <th scope="row">${this.#skillButton(s)}<span class="category">${s.skill_category}</span></th>
              <td class="num" data-col="accuracy" data-label="30 days">${percent(s.accuracy_score)}</td>
              <td class="num" data-col="accuracy-7d" data-label="7 days">${percent(s.accuracy_score_7day)}</td>
              <td class="num" data-col="trend" data-label="Trend">${this.#trend(s.trend)}</td>
              <td class="num" data-col="usage" data-label="Usage">${f.number(s.usage_count)}</td>
              <td data-col="status">${statusBadge(s.status)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  #trend(trend: number | null): TemplateResult {
    if (trend === null) return html`<span class="trend" part="trend" data-direction="none">—</span>`;
    const direction = trend > FLAT ? 'up' : trend < -FLAT ? 'down' : 'flat';
    const signed = new Intl.NumberFormat(this.format.locale, { signDisplay: 'exceptZero', maximumFractionDigits: 1 });
    return html`<span class="trend" part="trend" data-direction=${direction} title="Percentage points, 7 days against the 7 before"
      >${icon('arrowDown')}${signed.format(direction === 'flat' ? 0 : trend * 100)} pts</span
    >`;
  }

  #heatmap(skills: Skill[]): TemplateResult {
    const days = skills[0]?.daily_accuracy.map((d) => d.date) ?? [];
    const weekday = new Intl.DateTimeFormat(this.format.locale, { weekday: 'short', timeZone: 'UTC' });
    const dayOfMonth = new Intl.DateTimeFormat(this.format.locale, { day: 'numeric', timeZone: 'UTC' });
    const long = new Intl.DateTimeFormat(this.format.locale, { dateStyle: 'full', timeZone: 'UTC' });
    return html`<div class="heatmap-box">
      <div class="scroll heatmap-scroll" part="heatmap" role="region" aria-labelledby="heatmap-caption" tabindex="0">
        <table class="heatmap">
          <caption id="heatmap-caption" class="sr-only">Daily accuracy of each skill, last ${days.length} days</caption>
          <thead>
            <tr>
              <th scope="col">Skill</th>
              ${days.map(
                (day, i) =>
                  html`<th scope="col" class="day" data-date=${day}>
                    <abbr title=${long.format(dayAsDate(day))}
                      ><span class="weekday">${weekday.format(dayAsDate(day))}</span>
                      <span class="date">${i === 0 || day.endsWith('-01') ? this.#shortDay(day) : dayOfMonth.format(dayAsDate(day))}</span></abbr
                    >
                  </th>`,
              )}
            </tr>
          </thead>
          <tbody>
            ${repeat(
              skills,
              (s) => s.skill_name,
              (s) => html`<tr part=${this.selected === s.skill_name ? 'row row-selected' : 'row'} data-skill=${s.skill_name} @click=${() => this.#select(s)}>
                <th scope="row">${this.#skillButton(s)}</th>
                ${s.daily_accuracy.map((d) => this.#cell(s, d))}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${this.#legend()}
    </div>`;
  }

  #cell(skill: Skill, day: DailyAccuracy): TemplateResult {
    const level = levelOf(day.accuracy);
    const date = this.#day(day.date);
    const value = day.accuracy === null ? 'no activity' : `${this.format.percent(day.accuracy)} of ${this.format.number(day.total)} ${day.total === 1 ? 'outcome' : 'outcomes'}`;
    const cellPercent = new Intl.NumberFormat(this.format.locale, { style: 'percent', maximumFractionDigits: 0 });
    return html`<td
      part="cell"
      class="cell"
      data-date=${day.date}
      data-level=${level}
      data-accuracy=${day.accuracy ?? ''}
      title=${`${skill.skill_name}, ${date}: ${value}`}
    >
      ${day.accuracy === null ? html`<span class="sr-only">No activity</span>` : cellPercent.format(day.accuracy)}
    </td>`;
  }

  #legend(): TemplateResult {
    return html`<div class="legend" part="legend">
      <span class="legend-title">Accuracy</span>
      <ul>
        ${LEVELS.map((l, i) => html`<li><span class="swatch" data-level=${i + 1}></span>${l.label}</li>`)}
        <li><span class="swatch" data-level="0"></span>No activity</li>
      </ul>
    </div>`;
  }

  #detailView(name: string): TemplateResult {
    const detail = this.detail?.skill_name === name ? this.detail : undefined;
    const failed = this.#detail.status === TaskStatus.ERROR;
    let body: TemplateResult;
    if (failed && !detail) body = errorState(this.#detail.error, () => void this.#detail.run());
    else if (!detail) body = skeleton(5);
    else body = this.#detailBody(detail);
    return html`<section class="detail" part="detail" id="detail" aria-labelledby="detail-title" aria-busy=${this.#detail.status === TaskStatus.PENDING ? 'true' : 'false'}>
      <header class="detail-header">
        <h3 id="detail-title">${name}</h3>
        ${detail ? html`<span class="category">${detail.skill_category}</span>${statusBadge(detail.status)}` : nothing}
        <button type="button" class="button close" part="close-button" @click=${() => this.#close()}>${icon('cross')} Close</button>
      </header>
      ${body}
    </section>`;
  }

  #detailBody(d: SkillDetail): TemplateResult {
    const f = this.format;
    const percent = (value: number | null) => (value === null ? '—' : f.percent(value));
    const first = d.daily_accuracy[0]?.date;
    const last = d.daily_accuracy.at(-1)?.date;
    const range = first && last ? `${this.#day(first)} to ${this.#day(last)}` : '';
    return html`<dl class="stats">
        <div><dt>Accuracy (30 d)</dt><dd data-stat="accuracy">${percent(d.accuracy_score)}</dd></div>
        <div><dt>Accuracy (7 d)</dt><dd data-stat="accuracy-7d">${percent(d.accuracy_score_7day)}</dd></div>
        <div><dt>Trend</dt><dd data-stat="trend">${this.#trend(d.trend)}</dd></div>
        <div><dt>Usage</dt><dd data-stat="usage">${f.number(d.usage_count)}</dd></div>
        <div><dt>Last trained</dt><dd data-stat="trained">${d.last_trained_at ? f.date(d.last_trained_at) : 'Never'}</dd></div>
      </dl>
      <div class="detail-grid">
        <div class="accuracy">
          <h4 id="chart-title">Daily accuracy, last ${d.daily_accuracy.length} days</h4>
          <div class="chart" part="chart" role="img" aria-label=${`Line chart of ${d.skill_name}’s daily accuracy from ${range}; the same figures are in the table below.`}></div>
          <details part="chart-table">
            <summary>Show as a table</summary>
            <table class="data">
              <caption class="sr-only">Daily accuracy of ${d.skill_name}</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" class="num">Accuracy</th>
                  <th scope="col" class="num">Outcomes</th>
                </tr>
              </thead>
              <tbody>
                ${d.daily_accuracy.map(
                  (day) => html`<tr data-date=${day.date}>
                    <th scope="row">${this.#day(day.date)}</th>
                    <td class="num">${day.accuracy === null ? '—' : f.percent(day.accuracy)}</td>
                    <td class="num">${f.number(day.total)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </details>
        </div>
        <div class="failures" part="failures">
          <h4 id="failures-title">Recent failures</h4>
          ${d.recent_failures.activities.length === 0 && d.recent_failures.errors.length === 0
            ? html`<p class="none">No failures recorded.</p>`
            : html`<div class="failure-scroll" role="region" aria-labelledby="failures-title" tabindex="0">
                ${this.#failedActivities(d.recent_failures.activities)} ${this.#errors(d.recent_failures.errors)}
              </div>`}
        </div>
      </div>`;
  }

  #failedActivities(activities: Activity[]): TemplateResult | typeof nothing {
    if (activities.length === 0) return nothing;
    return html`<h5>What callers said</h5>
      <ul class="failure-list" data-kind="activities">
        ${repeat(
          activities,
          (a) => a.id,
          (a) => html`<li data-id=${a.id}>
            <p class="meta"><time datetime=${a.timestamp}>${this.format.dateTime(a.timestamp)}</time>${a.client_name ? html` · <span class="client">${a.client_name}</span>` : nothing}</p>
            <blockquote class="words">${a.message_in ?? '(nothing recorded)'}</blockquote>
            ${a.message_out ? html`<p class="answer"><span class="label">AI answered:</span> ${a.message_out}</p>` : nothing}
          </li>`,
        )}
      </ul>`;
  }

  #errors(errors: ReceptionistError[]): TemplateResult | typeof nothing {
    if (errors.length === 0) return nothing;
    return html`<h5>Errors and their root causes</h5>
      <ul class="failure-list" data-kind="errors">
        ${repeat(
          errors,
          (e) => e.id,
          (e) => html`<li data-id=${e.id}>
            <p class="meta"><time datetime=${e.timestamp}>${this.format.dateTime(e.timestamp)}</time> · <span class="severity" data-severity=${e.severity}>${e.severity}</span></p>
            ${e.message_in ? html`<blockquote class="words">${e.message_in}</blockquote>` : nothing}
            <p class="cause"><span class="label">Root cause:</span> ${e.root_cause ?? 'Not diagnosed yet'}</p>
            ${e.recommended_fix ? html`<p class="fix"><span class="label">Recommended fix:</span> ${e.recommended_fix}</p>` : nothing}
          </li>`,
        )}
      </ul>`;
  }

  /** A tenant's local day, "Nov 20, 2026". */
  #day(day: string): string {
    return new Intl.DateTimeFormat(this.format.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(dayAsDate(day));
  }

  /** "Nov 20". */
  #shortDay(day: string): string {
    return new Intl.DateTimeFormat(this.format.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(dayAsDate(day));
  }
}

function statusBadge(status: SkillStatus): TemplateResult {
  const { word, icon: name } = STATUS[status];
  return html`<span class="status" part="status" data-status=${status}>${icon(name)}<span>${word}</span></span>`;
}

function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}
