import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Task, TaskStatus } from '@lit/task';
import type { Component, HealthStatus, SystemHealth } from '../../api/contract.js';
import { AiElement } from '../core/base-element.js';
import { TickController } from '../core/clock.js';
import { icon, type IconName } from '../core/icons.js';
import { connectionBadge, emptyState, errorState } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import styles from './system-health-bar.styles.js';

/** How each status is shown: a word and an icon next to its colour. */
const STATUS: Record<HealthStatus, { word: string; icon: IconName }> = {
  active: { word: 'Operational', icon: 'check' },
  degraded: { word: 'Degraded', icon: 'warning' },
  down: { word: 'Down', icon: 'cross' },
  unknown: { word: 'Unknown', icon: 'alert' },
};

/** From best to worst, for the summary's icon. */
const SEVERITY: Record<HealthStatus, number> = { active: 0, unknown: 1, degraded: 2, down: 3 };

/** Words in component names written as their usual spelling. */
const SPELLING: Record<string, string> = {
  ai: 'AI',
  api: 'API',
  crm: 'CRM',
  db: 'DB',
  http: 'HTTP',
  ivr: 'IVR',
  openai: 'OpenAI',
  sms: 'SMS',
  sso: 'SSO',
  url: 'URL',
};

/** `voice_endpoint` → "Voice endpoint", `sms_integration` → "SMS integration". */
export function componentLabel(name: string): string {
  const words = name.split(/[_.\-\s]+/).filter(Boolean);
  return words
    .map((word, i) => SPELLING[word.toLowerCase()] ?? (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ');
}

/** Of what we hold and what just came, the later check (what came, when in doubt). */
function newer(held: Component | undefined, came: Component): Component {
  return held?.last_checked && came.last_checked && Date.parse(came.last_checked) < Date.parse(held.last_checked) ? held : came;
}

/** Data older than this is refetched: heartbeats that do not change a status send no event. */
const REFRESH_MS = 60_000;
/** Time the pointer has to travel from a chip to its tooltip before the tooltip closes. */
const HOVER_GRACE_MS = 200;
/** Distance between a chip and its tooltip, and between a tooltip and the viewport's edges. */
const TIP_GAP = 6;
const VIEWPORT_MARGIN = 8;

/**
 * The state of every monitored integration in one bar: a chip per component with its status in
 * colour, icon and word, and the details (latency, error rate, uptime, last check, since when it is
 * down) in a tooltip on hover and on keyboard focus. Follows `system.health.change` live.
 *
 * @summary One chip per component with its live status, details on hover and focus.
 *
 * @fires ai-health-select - A chip was activated (click, Enter or Space); `detail.component` is the component.
 *
 * @csspart base - The bar.
 * @csspart summary - The overall status at the start ("All systems operational", "1 down, 1 degraded").
 * @csspart chips - The list of chips.
 * @csspart chip - One component's button; also `chip-active`, `chip-degraded`, `chip-down` or `chip-unknown`.
 * @csspart chip-icon - The status icon in a chip.
 * @csspart chip-label - The component's name in a chip.
 * @csspart chip-status - The status word in a chip.
 * @csspart tooltip - A component's details.
 * @csspart connection - The live-connection badge.
 * @csspart skeleton - Placeholder chips while the first data loads.
 * @csspart empty - Shown when no component has reported yet.
 * @csspart error - Shown when loading failed, with its retry button (`retry`).
 *
 * @cssproperty [--chip-gap=var(--ai-space-2, 8px)] - Space between the chips.
 * @cssproperty [--chip-radius=999px] - Corner radius of a chip.
 * @cssproperty [--chip-padding=4px 12px] - Padding inside a chip.
 * @cssproperty [--tooltip-width=17rem] - Widest a tooltip gets (it never exceeds the viewport).
 */
export class AiSystemHealthBar extends AiElement {
  static override styles = [...AiElement.styles, styles];

  /** The components by name, as last fetched and then updated by live events. */
  @state() private components = new Map<string, Component>();
  /** The component whose tooltip is open. */
  @state() private openTip: string | undefined;

  #hovered: string | undefined;
  #focused: string | undefined;
  #hideTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #fetchedAt = 0;

  readonly #task = new Task(this, {
    args: () => [this.client, this.configVersion] as const,
    task: async ([client], { signal }) => {
      if (!client) throw new Error('This widget is not configured: set its api-base and token attributes, or call configure().');
      return client.get('/system-health', undefined, signal);
    },
    onComplete: (health: SystemHealth) => {
      this.#fetchedAt = Date.now();
      // A live change that arrived while this answer was on its way is newer: keep it.
      this.components = new Map(health.data.map((c) => [c.component_name, newer(this.components.get(c.component_name), c)]));
    },
  });

  readonly #stream = new StreamController(this, {
    events: {
      'system.health.change': ({ previous_status: _previous, ...component }) => this.#apply(component),
    },
    onReset: () => void this.#task.run(),
  });

  constructor() {
    super();
    new TickController(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#refreshTimer = setInterval(() => {
      if (document.visibilityState === 'visible' && Date.now() - this.#fetchedAt >= REFRESH_MS && this.#task.status !== TaskStatus.PENDING) void this.#task.run();
    }, REFRESH_MS / 4);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#refreshTimer);
    clearTimeout(this.#hideTimer);
    this.#listenWhileOpen(false);
  }

  /** A live change; an event older than what we hold (it crossed a refetch) is ignored. */
  #apply(component: Component): void {
    if (newer(this.components.get(component.component_name), component) !== component) return;
    const next = new Map(this.components).set(component.component_name, component);
    this.components = new Map([...next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  protected override render(): TemplateResult {
    const components = [...this.components.values()];
    const loaded = this.#fetchedAt > 0;
    let body: TemplateResult;
    if (this.#task.status === TaskStatus.ERROR && components.length === 0) body = errorState(this.#task.error, () => void this.#task.run());
    else if (!loaded && components.length === 0) body = this.#skeleton();
    else if (components.length === 0) body = emptyState('No components reported yet');
    else
      body = html`${this.#summary(components)}
        <ul class="chips" part="chips" aria-label="Components">
          ${repeat(components, (c) => c.component_name, (c) => this.#chip(c))}
        </ul>`;
    return html`<div part="base" aria-label="System health" role="group">${body}${connectionBadge(this.#stream.state)}</div>`;
  }

  #skeleton(): TemplateResult {
    return html`<div class="skeleton chips-skeleton" part="skeleton" role="progressbar" aria-label="Loading system health">
      ${[0, 1, 2, 3, 4].map(() => html`<span></span>`)}
    </div>`;
  }

  #summary(components: Component[]): TemplateResult {
    const counts: Record<HealthStatus, number> = { active: 0, degraded: 0, down: 0, unknown: 0 };
    let worst: HealthStatus = 'active';
    for (const { status } of components) {
      counts[status]++;
      if (SEVERITY[status] > SEVERITY[worst]) worst = status;
    }
    const parts = (['down', 'degraded', 'unknown'] as const).filter((s) => counts[s] > 0).map((s) => `${this.format.number(counts[s])} ${s}`);
    const text = parts.length === 0 ? 'All systems operational' : parts.join(', ');
    return html`<p class="summary" part="summary" role="status" data-status=${worst}>
      ${icon(STATUS[worst].icon)}<span>${text}</span>
    </p>`;
  }

  #chip(c: Component): TemplateResult {
    const name = c.component_name;
    const { word, icon: iconName } = STATUS[c.status];
    const tipId = `tip-${name.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    return html`<li
      data-name=${name}
      @pointerenter=${() => this.#pointerEnter(name)}
      @pointerleave=${() => this.#pointerLeave(name)}
    >
      <button
        type="button"
        part="chip chip-${c.status}"
        data-status=${c.status}
        aria-describedby=${tipId}
        @focus=${() => this.#focus(name)}
        @blur=${() => this.#blur(name)}
        @click=${() => this.emit('ai-health-select', { component: c })}
      >
        <span part="chip-icon">${icon(iconName)}</span>
        <span part="chip-label">${componentLabel(name)}</span>
        <span part="chip-status">${word}</span>
      </button>
      <div id=${tipId} part="tooltip" role="tooltip" popover="manual" data-status=${c.status}>${this.#details(c)}</div>
    </li>`;
  }

  #details(c: Component): TemplateResult {
    const f = this.format;
    const { word, icon: iconName } = STATUS[c.status];
    const failures = c.consecutive_failures;
    return html`<p class="tip-title">${icon(iconName)}<span>${componentLabel(c.component_name)}:</span><span class="word">${word}</span></p>
      <dl>
        <dt>Latency</dt>
        <dd>${c.latency_ms === null ? '—' : `${f.number(c.latency_ms)} ms`}</dd>
        <dt>Error rate</dt>
        <dd>${c.error_rate === null ? '—' : f.percent(c.error_rate)}</dd>
        <dt>Uptime (24 h)</dt>
        <dd>${c.uptime_percentage === null ? '—' : f.percent(c.uptime_percentage / 100)}</dd>
        <dt>Last checked</dt>
        <dd>${c.last_checked === null ? 'Never' : html`<time datetime=${c.last_checked}>${f.relative(c.last_checked)}</time>`}</dd>
      </dl>
      ${c.status === 'down' && c.down_since
        ? html`<p class="down-since">
            Down since <time datetime=${c.down_since}>${this.#when(c.down_since)}</time>
            (${f.number(failures)} ${failures === 1 ? 'failure' : 'failures'})
          </p>`
        : nothing}
      ${c.message ? html`<p class="message">${c.message}</p>` : nothing}`;
  }

  /** A time today ("2:15 PM"), else with its date. */
  #when(instant: string): string {
    const date = new Date(instant);
    return date.toDateString() === new Date().toDateString() ? this.format.time(date) : this.format.dateTime(date);
  }

  #pointerEnter(name: string): void {
    this.#hovered = name;
    this.#show(name);
  }

  #pointerLeave(name: string): void {
    if (this.#hovered === name) this.#hovered = undefined;
    if (this.#focused === name) return;
    clearTimeout(this.#hideTimer);
    this.#hideTimer = setTimeout(() => {
      if (this.openTip === name && this.#hovered !== name && this.#focused !== name) this.openTip = undefined;
    }, HOVER_GRACE_MS);
  }

  #focus(name: string): void {
    this.#focused = name;
    this.#show(name);
  }

  #blur(name: string): void {
    if (this.#focused === name) this.#focused = undefined;
    if (this.openTip === name && this.#hovered !== name) this.openTip = undefined;
  }

  #show(name: string): void {
    clearTimeout(this.#hideTimer);
    this.openTip = name;
  }

  /** Escape closes the open tooltip wherever focus is (WCAG 1.4.13: dismissible without moving the pointer). */
  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.openTip !== undefined) {
      this.openTip = undefined;
    }
  };

  #reposition = (): void => {
    if (this.openTip !== undefined) this.#place(this.openTip);
  };

  #listening = false;
  #listenWhileOpen(open: boolean): void {
    if (open === this.#listening) return;
    this.#listening = open;
    const method = open ? 'addEventListener' : 'removeEventListener';
    document[method]('keydown', this.#onKeydown as EventListener, true);
    window[method]('scroll', this.#reposition, true);
    window[method]('resize', this.#reposition);
  }

  protected override willUpdate(): void {
    if (this.openTip !== undefined && !this.components.has(this.openTip)) this.openTip = undefined;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    for (const tip of this.renderRoot.querySelectorAll<HTMLElement>('[part~="tooltip"]')) {
      const name = tip.closest('li')?.dataset.name;
      const open = name !== undefined && name === this.openTip;
      if (open !== tip.matches(':popover-open')) {
        if (open) tip.showPopover();
        else tip.hidePopover();
      }
    }
    this.#listenWhileOpen(this.openTip !== undefined);
    if (this.openTip !== undefined) this.#place(this.openTip);
  }

  /** Puts the tooltip under its chip (above it when there is no room below), inside the viewport. */
  #place(name: string): void {
    const item = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-name]')].find((li) => li.dataset.name === name);
    const chip = item?.querySelector('button');
    const tip = item?.querySelector<HTMLElement>('[part~="tooltip"]');
    if (!chip || !tip) return;
    const anchor = chip.getBoundingClientRect();
    const { width, height } = tip.getBoundingClientRect();
    const viewportWidth = document.documentElement.clientWidth;
    const viewportHeight = document.documentElement.clientHeight;
    let top = anchor.bottom + TIP_GAP;
    if (top + height > viewportHeight - VIEWPORT_MARGIN && anchor.top - TIP_GAP - height >= VIEWPORT_MARGIN) top = anchor.top - TIP_GAP - height;
    const left = Math.max(VIEWPORT_MARGIN, Math.min(anchor.left, viewportWidth - width - VIEWPORT_MARGIN));
    tip.style.setProperty('--_tip-top', `${Math.round(top)}px`);
    tip.style.setProperty('--_tip-left', `${Math.round(left)}px`);
  }
}
