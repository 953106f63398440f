import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { virtualize } from '@lit-labs/virtualizer/virtualize.js';
import { Task, TaskStatus } from '@lit/task';
import type { ActionType, Activity, Channel, Conversation, OutcomeStatus, Page } from '../../api/contract.js';
import { AiElement } from '../core/base-element.js';
import { TickController } from '../core/clock.js';
import type { Format } from '../core/format.js';
import { icon, type IconName } from '../core/icons.js';
import { connectionBadge, describeError, emptyState, errorState, skeleton } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import styles from './activity-feed.styles.js';

const ACTIONS: Record<ActionType, readonly [label: string, icon: IconName]> = {
  incoming_call: ['Incoming call', 'phone'],
  incoming_text: ['Incoming text', 'message'],
  outbound_followup: ['Follow-up sent', 'send'],
  appointment_booked: ['Appointment booked', 'calendar'],
  faq_answered: ['FAQ answered', 'help'],
  lead_prescreened: ['Lead pre-screened', 'filter'],
  crm_updated: ['CRM updated', 'database'],
  escalated: ['Escalated', 'escalate'],
  ai_uncertainty: ['AI uncertain', 'alert'],
  error: ['Error', 'warning'],
};
const ACTION_TYPES = Object.keys(ACTIONS) as ActionType[];

const OUTCOMES: Record<OutcomeStatus, readonly [label: string, icon: IconName]> = {
  success: ['Success', 'check'],
  failed: ['Failed', 'cross'],
  escalated: ['Escalated', 'escalate'],
  pending: ['Pending', 'clock'],
};

const CHANNELS: Record<Channel, string> = { voice: 'Voice', sms: 'SMS', email: 'Email', chat: 'Chat' };

/** Live events are applied in batches at most this often, so a burst costs one render. */
const BATCH_MS = 100;
/** Rows from the end of what is loaded at which the next page is fetched. */
const PREFETCH_ROWS = 10;
/**
 * Pixels rendered beyond each edge of the viewport. The flow layout's default (1000) keeps some
 * 40 rows in the DOM. It is not a public option yet, but the layout assigns its config onto itself,
 * so this is the one place that reaches past the documented API; a version without the field
 * ignores the key.
 */
const LAYOUT = { _overhang: 320 } as object;
/**
 * Shares of the list on screen at which the virtualizer is told to look again (every 5 %: a step
 * of the list's default 480 px is 24 px, well inside the rows it renders beyond the viewport).
 */
const ON_SCREEN_STEPS = Array.from({ length: 21 }, (_, i) => i / 20);

const levelOf = (share: number) => (share >= 0.85 ? 'high' : share >= 0.6 ? 'medium' : 'low');

/** A `yyyy-mm-dd` day of a date input at a local time of day, as an ISO instant. */
const instant = (day: string, time: string) => (day ? new Date(`${day}T${time}`).toISOString() : undefined);

/**
 * The tenant's activities as they happen: newest first, with infinite scroll over a virtualized
 * list, filters by action type and date range, live `activity.new` events (held behind an
 * "N new" pill while the reader is scrolled away from the top, or while paused), and a row that
 * expands in place to the conversation's summary.
 *
 * Keyboard: Tab reaches the list once; Up and Down move between rows, Home and End go to the first
 * and the last loaded row; Enter or Space expands a row.
 *
 * @summary A live, filterable, virtualized feed of what the AI receptionist did.
 *
 * @fires ai-activity-select - A row was expanded by the user; `detail.activity` is its activity.
 *
 * @csspart base - The panel.
 * @csspart header - The header: title, connection and pause.
 * @csspart title - The title.
 * @csspart connection - The live-connection badge (shows Paused while paused).
 * @csspart pause-button - The button that pauses live updates (`aria-pressed`).
 * @csspart filters - The filters disclosure: action types and date range.
 * @csspart list - The scrolling list (`role="log"`).
 * @csspart row - One activity (a button that expands it).
 * @csspart row-icon - The action type's icon in a row.
 * @csspart confidence - The confidence badge (percent and high / medium / low).
 * @csspart outcome - The outcome badge (icon and word).
 * @csspart details - An expanded row's conversation summary or messages.
 * @csspart new-pill - The "N new" button shown while new activities are held.
 * @csspart skeleton - Placeholder rows while the first page loads.
 * @csspart empty - Shown when there is no activity (or none matches the filters).
 * @csspart error - Shown when loading failed, with its retry button (`retry`).
 *
 * @cssproperty [--row-height=64px] - The least height of a row.
 * @cssproperty [--max-height=480px] - The tallest the list gets before it scrolls.
 */
export class AiActivityFeed extends AiElement {
  static override styles = [...AiElement.styles, styles];

  /** Stops applying live updates; they are held (and counted) until resumed. */
  @property({ type: Boolean }) paused = false;

  /** Activities per request, 1–200. */
  @property({ attribute: 'page-size', type: Number }) pageSize = 50;

  /** Only these action types, comma-separated (e.g. `appointment_booked,escalated`); empty for all. */
  @property({ attribute: 'action-types' }) actionTypes = '';

  @state() private fromDay = '';
  @state() private toDay = '';
  /** What the list shows, newest first. */
  @state() private items: Activity[] = [];
  /** Live activities not shown yet (scrolled away, or paused), newest first. */
  @state() private held: Activity[] = [];
  @state() private more: 'idle' | 'loading' | 'error' = 'idle';
  @state() private atTop = true;
  /** The row that takes the list's one tab stop. */
  @state() private activeId: string | undefined;
  /** The filters disclosure is open (its controls are rendered only then). */
  @state() private filtersOpen = false;

  @query('.scroller') private scroller?: HTMLElement;

  #expanded = new Set<string>();
  /** Conversations of expanded rows by id: null while loading. */
  #conversations = new Map<string, Conversation | Error | null>();
  #ids = new Set<string>();
  #cursor: string | null = null;
  #incoming: Activity[] = [];
  #batchTimer: ReturnType<typeof setTimeout> | undefined;
  #loading: Promise<boolean> | undefined;
  #moreAbort: AbortController | undefined;
  #loaded = false;
  #f!: Format;
  #onScreen: IntersectionObserver | undefined;
  #watched: HTMLElement | undefined;

  readonly #first = new Task(this, {
    args: () => [this.client, this.actionTypes, this.fromDay, this.toDay, this.pageSize] as const,
    task: ([client], { signal }) => {
      if (!client) throw new Error('This widget is not configured: set its api-base and token attributes, or call configure().');
      this.#moreAbort?.abort();
      return client.get('/activity/feed', this.#query(), signal);
    },
    onComplete: (page) => this.#reset(page),
  });

  readonly #stream = new StreamController(this, {
    events: {
      'activity.new': (activity) => {
        this.#incoming.push(activity);
        this.#batchTimer ??= setTimeout(() => this.#applyIncoming(), BATCH_MS);
      },
    },
    onReset: () => void this.#first.run(),
  });

  constructor() {
    super();
    new TickController(this);
  }

  /**
   * Loads the next (older) page, as scrolling near the end does; answers whether more remain.
   * Calls while a page is on its way share it.
   */
  loadMore(): Promise<boolean> {
    return (this.#loading ??= this.#fetchMore().finally(() => (this.#loading = undefined)));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#watchOnScreen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    this.#watchOnScreen();
  }

  protected override updated(): void {
    this.#watchOnScreen();
  }

  /**
   * The virtualizer works out which rows are on screen on a scroll event or when its own elements
   * change size. When only the page around the list changes (the window made taller, content above
   * the feed shrinking), neither happens, and rows that came into view stay unrendered until the
   * next scroll. An intersection observer sees how much of the list is on screen; on each change a
   * scroll event on the list, which the virtualizer listens to, makes it measure again.
   */
  #watchOnScreen(): void {
    const list = this.isConnected ? (this.scroller ?? undefined) : undefined;
    if (list === this.#watched) return;
    if (this.#watched) this.#onScreen?.unobserve(this.#watched);
    this.#watched = list;
    if (!list) return;
    this.#onScreen ??= new IntersectionObserver(() => this.#watched?.dispatchEvent(new Event('scroll')), { threshold: ON_SCREEN_STEPS });
    this.#onScreen.observe(list);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#f = this.format;
    if (changed.has('paused') && !this.paused && this.atTop) this.#reveal();
  }

  get #types(): ActionType[] {
    return this.actionTypes.split(',').filter((t): t is ActionType => t in ACTIONS);
  }

  #query() {
    return {
      action_type: this.#types,
      from: instant(this.fromDay, '00:00'),
      to: instant(this.toDay, '23:59:59.999'),
      limit: Math.min(200, Math.max(1, Math.round(this.pageSize) || 50)),
    };
  }

  #matches(a: Activity): boolean {
    const { action_type, from, to } = this.#query();
    const t = Date.parse(a.timestamp);
    return (!action_type.length || action_type.includes(a.action_type)) && !(from && t < Date.parse(from)) && !(to && t > Date.parse(to));
  }

  #reset(page: Page<Activity>): void {
    this.#loaded = true;
    this.items = page.data;
    this.held = [];
    this.#ids = new Set(page.data.map((a) => a.id));
    this.#cursor = page.next_cursor;
    this.more = 'idle';
    this.#expanded.clear();
    this.#conversations.clear();
    this.atTop = true;
    if (this.scroller) this.scroller.scrollTop = 0;
    // Events that arrived while the page was on its way: whatever it does not hold yet.
    this.#batchTimer ??= setTimeout(() => this.#applyIncoming(), 0);
  }

  #applyIncoming(): void {
    this.#batchTimer = undefined;
    const status = this.#first.status;
    if (status === TaskStatus.PENDING) return; // applied once the page arrives
    const fresh: Activity[] = [];
    if (status === TaskStatus.COMPLETE) {
      for (const a of this.#incoming) {
        if (this.#ids.has(a.id) || !this.#matches(a)) continue;
        this.#ids.add(a.id);
        fresh.unshift(a);
      }
    }
    this.#incoming = [];
    if (!fresh.length) return;
    this.held = fresh.concat(this.held);
    if (!this.paused && this.atTop) this.#reveal();
  }

  #reveal(): void {
    if (!this.held.length) return;
    this.items = this.held.concat(this.items);
    this.held = [];
  }

  async #fetchMore(): Promise<boolean> {
    const client = this.client;
    const cursor = this.#cursor;
    if (!client || !cursor || this.#first.status !== TaskStatus.COMPLETE) return cursor !== null;
    const abort = (this.#moreAbort = new AbortController());
    this.more = 'loading';
    try {
      const page = await client.get('/activity/feed', { ...this.#query(), cursor }, abort.signal);
      const older = page.data.filter((a) => !this.#ids.has(a.id));
      for (const a of older) this.#ids.add(a.id);
      this.items = this.items.concat(older);
      this.#cursor = page.next_cursor;
      this.more = 'idle';
    } catch {
      if (!abort.signal.aborted) this.more = 'error';
    }
    return this.#cursor !== null;
  }

  #showNew = async () => {
    this.#reveal();
    this.scroller?.scrollTo({ top: 0 });
    this.atTop = true;
    await this.#focusRow(0);
  };

  #onScroll = () => {
    const top = this.scroller!.scrollTop < 2;
    if (top !== this.atTop) this.atTop = top;
  };

  #onVisible = (e: Event & { first?: number; last?: number }) => {
    const { first = 0, last = 0 } = e;
    if (last >= this.items.length - PREFETCH_ROWS && this.more === 'idle' && this.#cursor) void this.loadMore();
    // Without focus in the list, its tab stop is the first row in view.
    if (!this.scroller?.contains(this.shadowRoot!.activeElement)) this.activeId = this.items[first]?.id;
  };

  #onFocus = (e: FocusEvent) => {
    const id = (e.target as HTMLElement).dataset.id;
    if (id) this.activeId = id;
  };

  #onKey = (e: KeyboardEvent) => {
    const index = (e.target as HTMLElement).dataset.index;
    if (index === undefined) return;
    const i = Number(index);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: this.items.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    void this.#focusRow(Math.max(0, Math.min(this.items.length - 1, to)));
  };

  /**
   * Focuses row `i`, first scrolling to where it is when the virtualizer has not rendered it (the
   * list's own scrolling: the virtualizer's scroll-into-view misplaces rows in a scrolling ancestor).
   */
  async #focusRow(i: number): Promise<void> {
    const id = this.items[i]?.id;
    if (id === undefined) return;
    this.activeId = id;
    const find = () => this.renderRoot.querySelector<HTMLElement>(`.row[data-id="${CSS.escape(id)}"]`);
    const list = this.scroller;
    if (!find() && list) list.scrollTop = i === 0 ? 0 : (i / this.items.length) * list.scrollHeight - list.clientHeight / 2;
    for (let frame = 0; frame < 30; frame++) {
      await this.updateComplete;
      const row = find();
      if (row) {
        row.focus({ preventScroll: true });
        return row.scrollIntoView({ block: 'nearest' });
      }
      await new Promise(requestAnimationFrame);
    }
  }

  #toggle(a: Activity): void {
    const open = !this.#expanded.has(a.id);
    const id = a.conversation_id;
    if (open) {
      this.#expanded.add(a.id);
      const known = id ? this.#conversations.get(id) : null;
      if (id && (known === undefined || known instanceof Error)) void this.#loadConversation(id);
      this.emit('ai-activity-select', { activity: a });
    } else {
      this.#expanded.delete(a.id);
    }
    this.activeId = a.id;
    this.requestUpdate();
  }

  async #loadConversation(id: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.#conversations.set(id, null);
    let conversation: Conversation | Error;
    try {
      conversation = await client.get(`/conversations/${encodeURIComponent(id)}`);
    } catch (error) {
      conversation = error instanceof Error ? error : new Error(String(error));
    }
    this.#conversations.set(id, conversation);
    this.requestUpdate();
  }

  #setTypes(types: ActionType[]): void {
    this.actionTypes = ACTION_TYPES.filter((t) => types.includes(t)).join(',');
  }

  override render(): TemplateResult {
    const status = this.#first.status;
    const types = this.#types;
    const filters = types.length + (this.fromDay ? 1 : 0) + (this.toDay ? 1 : 0);
    const held = this.held.length;
    let body: TemplateResult;
    if (status === TaskStatus.ERROR) body = errorState(this.#first.error, () => void this.#first.run());
    else if (!this.#loaded) body = skeleton(5);
    else if (!this.items.length) body = emptyState(filters ? 'No activity matches these filters' : 'No activity yet');
    else body = this.#list(status === TaskStatus.PENDING);
    return html`<div class="panel" part="base">
      <div class="header" part="header">
        <h2 class="title" part="title">Activity</h2>
        ${connectionBadge(this.#stream.state, this.paused)}
        <button class="button" part="pause-button" aria-pressed=${this.paused} @click=${() => (this.paused = !this.paused)}>
          ${icon(this.paused ? 'play' : 'pause')}Pause
        </button>
      </div>
      <details class="filters" part="filters" @toggle=${(e: Event) => (this.filtersOpen = (e.target as HTMLDetailsElement).open)}>
        <summary>Filters${filters ? ` (${filters})` : ''}</summary>
        ${this.filtersOpen ? this.#filters(types, filters) : nothing}
      </details>
      <div class="body">
        <div class="pill-wrap" role="status">
          ${held ? html`<button class="button pill" part="new-pill" @click=${this.#showNew}>${icon('arrowDown')}${held} new</button>` : nothing}
        </div>
        ${body}
      </div>
    </div>`;
  }

  #filters(types: ActionType[], active: number): TemplateResult {
    return html`<div class="filter-body">
      <fieldset class="chips">
        <legend>Action type</legend>
        ${ACTION_TYPES.map(
          (t) =>
            html`<button class="button chip" aria-pressed=${types.includes(t)} @click=${() => this.#setTypes(types.includes(t) ? types.filter((x) => x !== t) : [...types, t])}>
              ${icon(ACTIONS[t][1])}${ACTIONS[t][0]}
            </button>`,
        )}
      </fieldset>
      <label>From <input class="field" type="date" .value=${this.fromDay} max=${this.toDay || nothing} @change=${(e: Event) => (this.fromDay = (e.target as HTMLInputElement).value)} /></label>
      <label>To <input class="field" type="date" .value=${this.toDay} min=${this.fromDay || nothing} @change=${(e: Event) => (this.toDay = (e.target as HTMLInputElement).value)} /></label>
      ${active ? html`<button class="button" @click=${() => (this.actionTypes = this.fromDay = this.toDay = '')}>Clear filters</button>` : nothing}
    </div>`;
  }

  #list(busy: boolean): TemplateResult {
    const footer =
      this.more === 'loading'
        ? 'Loading more…'
        : this.more === 'error'
          ? html`Couldn’t load more. <button class="button" @click=${() => void this.loadMore()}>Retry</button>`
          : this.#cursor
            ? nothing
            : 'End of activity';
    return html`<div
      class="scroller"
      part="list"
      role="log"
      aria-label="Activity feed"
      aria-live=${this.atTop && !this.paused ? 'polite' : 'off'}
      aria-busy=${busy}
      @scroll=${this.#onScroll}
      @keydown=${this.#onKey}
      @focusin=${this.#onFocus}
    >
      <div class="rows" @visibilityChanged=${this.#onVisible}>
        ${virtualize({ items: this.items, layout: LAYOUT, keyFunction: (a: Activity) => a.id, renderItem: (a: Activity, i: number) => this.#row(a, i) })}
      </div>
      ${footer === nothing ? nothing : html`<div class="footer">${footer}</div>`}
    </div>`;
  }

  #row(a: Activity, i: number): TemplateResult {
    const f = this.#f;
    const [action, actionIcon] = ACTIONS[a.action_type];
    const [outcome, outcomeIcon] = OUTCOMES[a.outcome_status];
    const open = this.#expanded.has(a.id);
    const share = a.confidence_score === null ? null : Math.round(a.confidence_score * 100) / 100;
    const level = share === null ? '' : levelOf(share);
    const message = a.message_in || a.message_out;
    return html`<div class="item">
      <button
        class="row"
        part="row"
        data-id=${a.id}
        data-index=${i}
        tabindex=${a.id === (this.activeId ?? this.items[0]?.id) ? 0 : -1}
        aria-expanded=${open}
        aria-controls=${ifDefined(open ? `d-${a.id}` : undefined)}
        @click=${() => this.#toggle(a)}
      >
        <span class="icon-wrap" part="row-icon">${icon(actionIcon)}</span>
        <span class="head">
          <span class="action">${action}</span>
          <span class="client">${a.client_name || a.client_phone || 'Unknown caller'} · ${CHANNELS[a.channel]}</span>
        </span>
        <span class="meta">
          <time datetime=${a.timestamp} title=${f.dateTime(a.timestamp)}>${f.relative(a.timestamp)}</time>
          ${share === null ? nothing : html`<span class="badge" part="confidence" data-level=${level} title="Confidence">${f.percent(share)} ${level}</span>`}
          <span class="badge" part="outcome" data-outcome=${a.outcome_status}>${icon(outcomeIcon)}${outcome}</span>
        </span>
        ${message ? html`<span class="msg">${message}</span>` : nothing}
      </button>
      ${open ? html`<dl class="details" part="details" id=${`d-${a.id}`}>${this.#details(a)}</dl>` : nothing}
    </div>`;
  }

  #details(a: Activity): TemplateResult | typeof nothing {
    const f = this.#f;
    const id = a.conversation_id;
    const c = id ? this.#conversations.get(id) : undefined;
    const pair = (term: string, value: unknown) => (value === null || value === undefined || value === '' ? nothing : html`<div><dt>${term}</dt><dd>${value}</dd></div>`);
    if (!id) return html`${pair('Caller', a.message_in)}${pair('Reply', a.message_out)}${a.message_in || a.message_out ? nothing : pair('Details', 'No messages recorded.')}`;
    if (!c) return pair('Conversation', 'Loading…');
    if (c instanceof Error) return pair('Conversation', describeError(c));
    return html`${pair('Summary', c.summary)}${pair('Intent', c.intent?.replace(/_/g, ' '))}${pair('Sentiment', c.sentiment)}${pair('Outcome', c.outcome?.replace(/_/g, ' '))}${pair(
      'Duration',
      c.duration_seconds === null ? null : f.duration(c.duration_seconds),
    )}`;
  }
}
