import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Task, TaskStatus } from '@lit/task';
import type { ErrorDetail, ErrorType, Page, ReceptionistError, ResolutionStatus, Severity } from '../../api/contract.js';
import { ApiError, type ApiClient } from '../core/api-client.js';
import { AiElement } from '../core/base-element.js';
import { TickController } from '../core/clock.js';
import { tokenClaims } from '../core/credential.js';
import { downloadFile } from '../core/download.js';
import type { Format } from '../core/format.js';
import { icon, type IconName } from '../core/icons.js';
import { connectionBadge, describeError, emptyState, errorState, skeleton } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import styles from './error-log.styles.js';

/** What a person can do to an error from the log (the API's workflow routes). */
export type ErrorAction = 'approve-fix' | 'needs-review' | 'wont-fix';

/** The detail of `ai-error-action`. */
export interface ErrorActionDetail {
  error: ReceptionistError;
  action: ErrorAction;
  /** The note typed for the action, if any. */
  note?: string;
}

const SEVERITIES: Record<Severity, readonly [word: string, icon: IconName]> = {
  critical: ['Critical', 'warning'],
  high: ['High', 'alert'],
  medium: ['Medium', 'alert'],
  low: ['Low', 'dot'],
};

const STATUSES: Record<ResolutionStatus, readonly [word: string, icon: IconName]> = {
  unresolved: ['Unresolved', 'clock'],
  needs_review: ['Needs review', 'user'],
  fix_approved: ['Fix approved', 'check'],
  wont_fix: ['Won’t fix', 'cross'],
  resolved: ['Resolved', 'check'],
};

const TYPES: Record<ErrorType, string> = {
  unrecognized_request: 'Unrecognized request',
  low_confidence: 'Low confidence',
  api_failure: 'API failure',
  integration_down: 'Integration down',
  transfer_failed: 'Transfer failed',
  other: 'Other error',
};

const ACTIONS: Record<ErrorAction, { label: string; icon: IconName; to: ResolutionStatus; verb: string; done: string }> = {
  'approve-fix': { label: 'Approve fix', icon: 'check', to: 'fix_approved', verb: 'approve the fix', done: 'Fix approved' },
  'needs-review': { label: 'Needs review', icon: 'user', to: 'needs_review', verb: 'ask for a review', done: 'Marked as needing review' },
  'wont-fix': { label: 'Won’t fix', icon: 'cross', to: 'wont_fix', verb: 'mark it won’t fix', done: 'Marked won’t fix' },
};

/** The audit trail's actions in words ("Dana approved the fix"). */
const AUDITED: Record<string, string> = {
  'approve-fix': 'approved the fix',
  'needs-review': 'asked for a review',
  'wont-fix': 'marked it won’t fix',
  resolve: 'resolved it',
};

/** What "the error is already …" says of a status. */
const ALREADY: Record<ResolutionStatus, string> = {
  unresolved: 'unresolved',
  fix_approved: 'approved',
  needs_review: 'marked as needing review',
  wont_fix: 'marked won’t fix',
  resolved: 'resolved',
};

const FINAL: ReadonlySet<ResolutionStatus> = new Set(['resolved', 'wont_fix']);
const SEVERITY_LIST = Object.keys(SEVERITIES) as Severity[];
const STATUS_LIST = Object.keys(STATUSES) as ResolutionStatus[];
const TYPE_LIST = Object.keys(TYPES) as ErrorType[];
/** The statuses shown unless the `status` attribute says otherwise: every error still open. */
const OPEN = 'unresolved,needs_review,fix_approved';

const listOf = <T extends string>(value: string, known: readonly T[]): T[] => {
  const chosen = value.split(',').map((v) => v.trim());
  return known.filter((k) => chosen.includes(k));
};

/** Newest first, as the API pages them (timestamp, then id). */
const newerFirst = (a: ReceptionistError, b: ReceptionistError) =>
  a.timestamp === b.timestamp ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : Date.parse(b.timestamp) - Date.parse(a.timestamp);

/** A detail loading (null), loaded, or failed. */
type DetailState = ErrorDetail | Error | null;

/**
 * The errors the AI receptionist ran into, newest first: severity, type, the caller's words, the
 * skill and component involved, the root cause and recommended fix, and where each stands in the
 * fix workflow. Filter by status, severity and type; expand an error for its context and audit
 * trail; export the error patterns as CSV.
 *
 * With an embed token that has the `errors:write` scope, each open error offers Approve fix, Needs
 * review and Won't fix (with an optional note). The badge changes at once; if the API refuses, it
 * goes back to the error's real status and the reason is shown beside it. Without the scope the
 * actions are not shown. New errors (`error.detected`) appear at the top and changes made elsewhere
 * (`error.updated`) are applied in place, live. While the reader is scrolled away from the top of
 * the list, or has an error's details or note open, new errors are held instead of shifting the
 * list under them: an "N new" button (announced to screen readers) counts the held errors that
 * match the filters, and shows them at the top, focusing the newest. Changes to held errors are
 * applied to them meanwhile.
 *
 * @summary Errors with their diagnosis and the approve / review / won't-fix workflow, live.
 *
 * @fires ai-error-action - Before an action is sent; `detail` is `{ error, action, note? }`. Cancelable: `preventDefault()` keeps it from being sent.
 *
 * @csspart base - The panel.
 * @csspart header - The header: title, connection and export.
 * @csspart title - The title.
 * @csspart connection - The live-connection badge.
 * @csspart export-button - The button that downloads the error patterns as CSV.
 * @csspart filters - The filters disclosure: status, severity and type.
 * @csspart new-pill - The "N new" button shown while new errors are held; it shows them.
 * @csspart list - The list of errors.
 * @csspart item - One error.
 * @csspart severity - An error's severity (colour, icon and word).
 * @csspart type - An error's type in words.
 * @csspart status - An error's resolution status badge.
 * @csspart message - The caller's words.
 * @csspart diagnosis - The root cause and recommended fix.
 * @csspart actions - An error's action buttons, note and details toggle.
 * @csspart action-button - One of Approve fix, Needs review and Won't fix.
 * @csspart note - The optional note sent with the next action.
 * @csspart action-error - Why an action failed (`role="alert"`).
 * @csspart details - An expanded error's context and audit trail.
 * @csspart load-more - The button that loads older errors.
 * @csspart skeleton - Placeholder lines while the first page loads.
 * @csspart empty - Shown when there are no errors (or none match the filters).
 * @csspart error - Shown when loading failed, with its retry button (`retry`).
 *
 * @cssproperty [--max-height=640px] - The tallest the list gets before it scrolls.
 */
export class AiErrorLog extends AiElement {
  static override styles = [...AiElement.styles, styles];

  /**
   * Only errors in these resolution statuses, comma-separated (`unresolved`, `needs_review`,
   * `fix_approved`, `wont_fix`, `resolved`). Defaults to the open ones,
   * `unresolved,needs_review,fix_approved`; empty for every status.
   */
  @property() status = OPEN;

  /** Only these severities, comma-separated (`low`, `medium`, `high`, `critical`); empty for all. */
  @property() severity = '';

  /** Only these error types, comma-separated (e.g. `api_failure,integration_down`); empty for all. */
  @property({ attribute: 'error-types' }) errorTypes = '';

  /** Only the errors of this skill. */
  @property({ attribute: 'skill-name' }) skillName = '';

  /** Errors per request, 1–200. */
  @property({ attribute: 'page-size', type: Number }) pageSize = 20;

  /** The errors shown, newest first, as the API last said they are. */
  @state() private items: ReceptionistError[] = [];
  /** Live errors not shown yet (the reader is scrolled away or has an error open), newest first. */
  @state() private held: ReceptionistError[] = [];
  @state() private more: 'idle' | 'loading' | 'error' = 'idle';
  /** Whether the credential may change errors (its `errors:write` scope, and no 403 since). */
  @state() private canWrite = false;
  @state() private exporting: 'idle' | 'busy' | Error = 'idle';
  /** The last thing done, for screen readers. */
  @state() private announcement = '';

  /** Actions on their way: the status each error is shown in meanwhile. */
  #pending = new Map<string, ResolutionStatus>();
  /** Why the last action on an error failed. */
  #failures = new Map<string, string>();
  #notes = new Map<string, string>();
  #noteOpen = new Set<string>();
  #expanded = new Set<string>();
  #details = new Map<string, DetailState>();
  /** Live events that came while a page was on its way, applied once it is in. */
  #incoming: { type: 'error.detected' | 'error.updated'; error: ReceptionistError }[] = [];
  #cursor: string | null = null;
  #moreAbort: AbortController | undefined;
  #loaded = false;
  #deniedBy: ApiClient | undefined;
  #f!: Format;

  @query('.scroller') private scroller?: HTMLElement;

  readonly #first = new Task(this, {
    args: () => [this.client, this.status, this.severity, this.errorTypes, this.skillName, this.pageSize] as const,
    task: async ([client], { signal }) => {
      if (!client) throw new Error('This widget is not configured: set its api-base and token attributes, or call configure().');
      this.#moreAbort?.abort();
      const [page, token] = await Promise.all([client.get('/errors', this.#query(), signal), client.credential.current()]);
      return { page, writable: mayWrite(token) && this.#deniedBy !== client };
    },
    onComplete: ({ page, writable }) => {
      this.canWrite = writable;
      this.#reset(page);
    },
  });

  readonly #stream = new StreamController(this, {
    events: {
      'error.detected': (error) => this.#live('error.detected', error),
      'error.updated': (error) => this.#live('error.updated', error),
    },
    onReset: () => void this.#first.run(),
  });

  constructor() {
    super();
    new TickController(this);
  }

  /** Loads the next (older) page; answers whether more remain. */
  async loadMore(): Promise<boolean> {
    const client = this.client;
    const cursor = this.#cursor;
    if (!client || !cursor || this.#first.status !== TaskStatus.COMPLETE || this.more === 'loading') return cursor !== null;
    const abort = (this.#moreAbort = new AbortController());
    this.more = 'loading';
    try {
      const page = await client.get('/errors', { ...this.#query(), cursor }, abort.signal);
      const known = new Set([...this.items, ...this.held].map((e) => e.id));
      this.items = this.items.concat(page.data.filter((e) => !known.has(e.id)));
      this.#cursor = page.next_cursor;
      this.more = 'idle';
    } catch {
      if (!abort.signal.aborted) this.more = 'error';
    }
    return this.#cursor !== null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#f = this.format;
  }

  get #statuses(): ResolutionStatus[] {
    return listOf(this.status, STATUS_LIST);
  }

  get #severities(): Severity[] {
    return listOf(this.severity, SEVERITY_LIST);
  }

  get #types(): ErrorType[] {
    return listOf(this.errorTypes, TYPE_LIST);
  }

  #query() {
    return {
      status: this.#statuses,
      severity: this.#severities,
      error_type: this.#types,
      skill_name: this.skillName.trim(),
      limit: Math.min(200, Math.max(1, Math.round(this.pageSize) || 20)),
    };
  }

  #matches(e: ReceptionistError): boolean {
    const { status, severity, error_type, skill_name } = this.#query();
    return (
      (!status.length || status.includes(e.resolution_status)) &&
      (!severity.length || severity.includes(e.severity)) &&
      (!error_type.length || error_type.includes(e.error_type)) &&
      (!skill_name || e.skill_name === skill_name)
    );
  }

  #reset(page: Page<ReceptionistError>): void {
    this.#loaded = true;
    this.items = page.data;
    this.held = []; // the new page has those that match
    this.#cursor = page.next_cursor;
    this.more = 'idle';
    this.#details.clear();
    for (const e of page.data) if (this.#expanded.has(e.id)) void this.#loadDetail(e.id);
    const incoming = this.#incoming;
    this.#incoming = [];
    for (const { type, error } of incoming) this.#apply(type, error);
  }

  #live(type: 'error.detected' | 'error.updated', error: ReceptionistError): void {
    if (this.#first.status === TaskStatus.COMPLETE) this.#apply(type, error);
    else this.#incoming.push({ type, error });
  }

  /**
   * A new error goes to the top; a changed one is replaced where it is (and kept even if it no
   * longer matches the filters: rows do not vanish under the reader). A changed error that now
   * matches is inserted where it belongs, if that is within what is loaded. While the list must not
   * move (see {@link #mustHold}), what would be inserted is held instead, and changes to held errors
   * are applied to them.
   */
  #apply(type: 'error.detected' | 'error.updated', error: ReceptionistError): void {
    const at = this.items.findIndex((e) => e.id === error.id);
    if (at >= 0) {
      if (type === 'error.detected') return;
      this.items = this.items.map((e, i) => (i === at ? error : e));
      // Its audit trail has a new entry: reload it if shown, else forget it.
      if (this.#expanded.has(error.id)) void this.#loadDetail(error.id);
      else this.#details.delete(error.id);
      return;
    }
    if (this.held.some((e) => e.id === error.id)) {
      if (type === 'error.updated') this.held = this.held.map((e) => (e.id === error.id ? error : e));
      return;
    }
    if (!this.#matches(error)) return;
    const last = this.items[this.items.length - 1];
    if (this.#cursor !== null && last && newerFirst(error, last) > 0) return; // older than what is loaded: a later page has it
    if (this.#mustHold()) {
      this.held = [...this.held, error].sort(newerFirst);
      return;
    }
    // The list may move: whatever was held comes in with it.
    this.items = this.#merge([error]);
    if (type === 'error.detected') this.announcement = `New ${SEVERITIES[error.severity][0].toLowerCase()} error: ${TYPES[error.error_type]}`;
  }

  /** The shown errors with `more` and the held ones that still match the filters, newest first; empties the held ones. */
  #merge(more: ReceptionistError[]): ReceptionistError[] {
    const fresh = [...more, ...this.held.filter((e) => this.#matches(e))];
    this.held = [];
    const known = new Set(this.items.map((e) => e.id));
    return [...this.items, ...fresh.filter((e) => !known.has(e.id))].sort(newerFirst);
  }

  /** Whether inserting errors now would move what the reader is looking at: scrolled away from the top, or an error open. */
  #mustHold(): boolean {
    const list = this.scroller;
    if (list && list.scrollTop >= 2) return true;
    return this.items.some((e) => this.#expanded.has(e.id) || (this.canWrite && this.#noteOpen.has(e.id)));
  }

  /** The "N new" button: shows the held errors at the top of the list and focuses the newest. */
  #showNew = async () => {
    const held = new Set(this.held.filter((e) => this.#matches(e)).map((e) => e.id));
    this.items = this.#merge([]);
    const list = this.scroller;
    if (list) list.scrollTop = 0;
    await this.updateComplete;
    const first = this.items.find((e) => held.has(e.id));
    const article = first && this.renderRoot.querySelector<HTMLElement>(`[part="item"][data-id="${CSS.escape(first.id)}"] article`);
    if (!article) return;
    article.focus({ preventScroll: true });
    if (list && first !== this.items[0]) article.scrollIntoView({ block: 'nearest' });
  };

  async #act(error: ReceptionistError, action: ErrorAction): Promise<void> {
    const client = this.client;
    if (!client || this.#pending.has(error.id)) return;
    const note = this.#notes.get(error.id)?.trim() || undefined;
    const event = this.emit('ai-error-action', { error, action, ...(note ? { note } : {}) }, { cancelable: true });
    if (event.defaultPrevented) return;
    const { to, verb, done } = ACTIONS[action];
    this.#pending.set(error.id, to);
    this.#failures.delete(error.id);
    this.requestUpdate();
    try {
      const detail = await client.post<ErrorDetail>(`/errors/${encodeURIComponent(error.id)}/${action}`, note ? { note } : {});
      this.#notes.delete(error.id);
      this.#noteOpen.delete(error.id);
      this.#details.set(error.id, detail);
      this.#replace(detail);
      this.announcement = `${done}: ${TYPES[error.error_type]}`;
    } catch (failure) {
      this.#failures.set(error.id, `Could not ${verb}${await this.#reason(client, error.id, failure)}`);
    } finally {
      this.#pending.delete(error.id);
      this.requestUpdate();
    }
  }

  /** Why an action failed, to follow "Could not approve the fix"; learns the error's real status on a conflict. */
  async #reason(client: ApiClient, id: string, failure: unknown): Promise<string> {
    const otherwise = `. ${describeError(failure)}`;
    if (!(failure instanceof ApiError)) return otherwise;
    if (failure.status === 403) {
      this.#deniedBy = client;
      this.canWrite = false;
      return ': this token is not allowed to change errors, so the actions are hidden.';
    }
    if (failure.status === 404) return ': the error no longer exists.';
    if (failure.status === 409) {
      try {
        const current = await client.get(`/errors/${encodeURIComponent(id)}`);
        this.#replace(current);
        return `: the error is already ${ALREADY[current.resolution_status]}.`;
      } catch {
        return `. ${failure.message}`;
      }
    }
    return otherwise;
  }

  #replace(error: ReceptionistError): void {
    const { audit: _audit, ...plain } = error as ErrorDetail;
    this.items = this.items.map((e) => (e.id === error.id ? plain : e));
  }

  #toggleDetails(id: string): void {
    if (this.#expanded.delete(id)) return this.requestUpdate();
    this.#expanded.add(id);
    const known = this.#details.get(id);
    if (known === undefined || known instanceof Error) void this.#loadDetail(id);
    this.requestUpdate();
  }

  async #loadDetail(id: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (!this.#details.get(id)) this.#details.set(id, null);
    this.requestUpdate();
    let detail: DetailState;
    try {
      detail = await client.get(`/errors/${encodeURIComponent(id)}`);
    } catch (error) {
      detail = error instanceof Error ? error : new Error(String(error));
    }
    this.#details.set(id, detail);
    this.requestUpdate();
  }

  async #export(): Promise<void> {
    const client = this.client;
    if (!client || this.exporting === 'busy') return;
    this.exporting = 'busy';
    try {
      await downloadFile(client, '/errors/patterns', { format: 'csv', status: this.#statuses }, 'error-patterns.csv');
      this.exporting = 'idle';
    } catch (error) {
      this.exporting = error instanceof Error ? error : new Error(String(error));
    }
  }

  #toggleFilter(name: 'status' | 'severity' | 'errorTypes', known: readonly string[], value: string, on: boolean): void {
    const chosen = new Set(listOf(this[name], known));
    if (on) chosen.add(value);
    else chosen.delete(value);
    this[name] = known.filter((k) => chosen.has(k)).join(',');
  }

  override render(): TemplateResult {
    const status = this.#first.status;
    const filtered = this.#statuses.length + this.#severities.length + this.#types.length + (this.skillName.trim() ? 1 : 0);
    const onlyOpen = this.#statuses.join(',') === listOf(OPEN, STATUS_LIST).join(',') && filtered === this.#statuses.length;
    let body: TemplateResult;
    if (status === TaskStatus.ERROR) body = errorState(this.#first.error, () => void this.#first.run());
    else if (!this.#loaded) body = skeleton(6);
    else if (!this.items.length)
      body = emptyState(
        !filtered
          ? 'No errors — the receptionist is handling everything'
          : onlyOpen
            ? 'No open errors — the receptionist is handling everything'
            : 'No errors match these filters',
      );
    else body = this.#list(status === TaskStatus.PENDING);
    const exportFailed = this.exporting instanceof Error ? this.exporting : undefined;
    const held = this.held.filter((e) => this.#matches(e)).length;
    return html`<div class="panel" part="base">
      <div class="header" part="header">
        <h2 class="title" part="title">Errors</h2>
        ${connectionBadge(this.#stream.state)}
        <button class="button" part="export-button" ?disabled=${this.exporting === 'busy' || !this.client} @click=${() => void this.#export()}>
          ${icon('arrowDown')}${this.exporting === 'busy' ? 'Exporting…' : 'Export patterns (CSV)'}
        </button>
        ${exportFailed ? html`<p class="export-error" role="alert">${icon('warning')} Export failed: ${describeError(exportFailed)}</p>` : nothing}
      </div>
      ${this.#filters()}
      <div class="sr-only" role="status">${this.announcement}</div>
      <div class="body">
        <div class="pill-wrap" role="status">
          ${held
            ? html`<button class="button pill" part="new-pill" @click=${this.#showNew}>
                ${icon('arrowDown')}${this.#f.number(held)} new<span class="sr-only"> ${held === 1 ? 'error' : 'errors'}</span>
              </button>`
            : nothing}
        </div>
        ${body}
      </div>
    </div>`;
  }

  #filters(): TemplateResult {
    const statuses = this.#statuses;
    const severities = this.#severities;
    const types = this.#types;
    const active = statuses.length + severities.length + types.length;
    const summary = [
      `Status: ${statuses.length ? statuses.map((s) => STATUSES[s][0]).join(', ') : 'any'}`,
      `Severity: ${severities.length ? severities.map((s) => SEVERITIES[s][0]).join(', ') : 'any'}`,
      `Type: ${types.length ? types.map((t) => TYPES[t]).join(', ') : 'any'}`,
    ].join(' · ');
    const group = <T extends string>(legend: string, name: 'status' | 'severity' | 'errorTypes', known: readonly T[], chosen: T[], label: (v: T) => string) =>
      html`<fieldset class="group" data-group=${name}>
        <legend>${legend}</legend>
        ${known.map(
          (v) =>
            html`<label class="check"
              ><input
                type="checkbox"
                name=${name}
                value=${v}
                .checked=${chosen.includes(v)}
                @change=${(e: Event) => this.#toggleFilter(name, known, v, (e.target as HTMLInputElement).checked)}
              />${label(v)}</label
            >`,
        )}
      </fieldset>`;
    return html`<details class="filters" part="filters">
      <summary>
        <span class="filters-label">${icon('filter')}Filters</span>
        <span class="filters-summary">${summary}</span>
        ${active ? html`<span class="filters-count">(${active})</span>` : nothing}
      </summary>
      <div class="filter-body">
        ${group('Status', 'status', STATUS_LIST, statuses, (s) => STATUSES[s][0])}
        ${group('Severity', 'severity', SEVERITY_LIST, severities, (s) => SEVERITIES[s][0])}
        ${group('Type', 'errorTypes', TYPE_LIST, types, (t) => TYPES[t])}
        <p class="hint">No box ticked in a group means any.</p>
      </div>
    </details>`;
  }

  #list(busy: boolean): TemplateResult {
    const footer =
      this.more === 'loading'
        ? html`<p class="footer" role="status">Loading more…</p>`
        : this.more === 'error'
          ? html`<p class="footer" role="alert">Couldn’t load more. <button class="button" @click=${() => void this.loadMore()}>${icon('refresh')}Retry</button></p>`
          : this.#cursor
            ? html`<p class="footer"><button class="button" part="load-more" @click=${() => void this.loadMore()}>Load more</button></p>`
            : html`<p class="footer">${this.items.length === 1 ? '1 error' : `${this.#f.number(this.items.length)} errors`}</p>`;
    return html`<div class="scroller" aria-busy=${busy}>
      <ul class="list" part="list" aria-label="Errors">
        ${repeat(
          this.items,
          (e) => e.id,
          (e) => this.#item(e),
        )}
      </ul>
      ${footer}
    </div>`;
  }

  #item(e: ReceptionistError): TemplateResult {
    const f = this.#f;
    const pending = this.#pending.get(e.id);
    const shown = pending ?? e.resolution_status;
    const [severity, severityIcon] = SEVERITIES[e.severity];
    const [statusWord, statusIcon] = STATUSES[shown];
    const open = this.#expanded.has(e.id);
    const failure = this.#failures.get(e.id);
    const titleId = `t-${e.id}`;
    return html`<li class="item" part="item" data-id=${e.id} data-status=${shown}>
      <article aria-labelledby=${titleId} tabindex="-1">
        <div class="top">
          <span class="severity" part="severity" data-severity=${e.severity}>${icon(severityIcon)}${severity}</span>
          <h3 class="type" part="type" id=${titleId}>${TYPES[e.error_type]}</h3>
          <span class="status" part="status" data-status=${shown} aria-busy=${pending !== undefined}>${icon(statusIcon)}${statusWord}</span>
          <time datetime=${e.timestamp} title=${f.dateTime(e.timestamp)}>${f.relative(e.timestamp)}</time>
        </div>
        ${e.message_in ? html`<p class="said"><span class="label">Caller said</span> <q part="message">${e.message_in}</q></p>` : nothing}
        ${e.skill_name || e.component
          ? html`<p class="where">
              ${e.skill_name ? html`<span><span class="label">Skill</span> ${e.skill_name}</span>` : nothing}
              ${e.component ? html`<span><span class="label">Component</span> <code>${e.component}</code></span>` : nothing}
            </p>`
          : nothing}
        <dl class="diagnosis" part="diagnosis">
          <div><dt>Root cause</dt><dd>${e.root_cause ?? 'Not diagnosed yet'}</dd></div>
          <div><dt>Recommended fix</dt><dd>${e.recommended_fix ?? 'None yet'}</dd></div>
        </dl>
        ${this.#actions(e, shown, pending !== undefined, open)}
        ${failure
          ? html`<div class="action-error" part="action-error" role="alert">
              ${icon('warning')}<span>${failure}</span>
              <button class="button dismiss" aria-label="Dismiss" @click=${() => (this.#failures.delete(e.id), this.requestUpdate())}>${icon('cross')}</button>
            </div>`
          : nothing}
        ${open ? this.#detail(e) : nothing}
      </article>
    </li>`;
  }

  #actions(e: ReceptionistError, shown: ResolutionStatus, busy: boolean, open: boolean): TemplateResult {
    const writable = this.canWrite && !FINAL.has(shown);
    const noteOpen = writable && this.#noteOpen.has(e.id);
    const noteId = `n-${e.id}`;
    return html`<div class="actions" part="actions">
        ${writable
          ? html`${(Object.keys(ACTIONS) as ErrorAction[])
                .filter((a) => ACTIONS[a].to !== shown)
                .map(
                  (a) =>
                    html`<button class="button action" part="action-button" data-action=${a} ?disabled=${busy} @click=${() => void this.#act(e, a)}>
                      ${icon(ACTIONS[a].icon)}${ACTIONS[a].label}
                    </button>`,
                )}
              <button
                class="button subtle"
                aria-expanded=${noteOpen}
                aria-controls=${noteId}
                @click=${() => (this.#noteOpen.has(e.id) ? this.#noteOpen.delete(e.id) : this.#noteOpen.add(e.id), this.requestUpdate())}
              >
                ${icon('message')}Note
              </button>`
          : nothing}
        <button class="button subtle details-toggle" aria-expanded=${open} aria-controls=${`d-${e.id}`} @click=${() => this.#toggleDetails(e.id)}>
          ${icon('chevron')}Details
        </button>
      </div>
      ${noteOpen
        ? html`<label class="note" part="note" id=${noteId}
            >Note for the next action (optional)
            <input
              class="field"
              type="text"
              maxlength="2000"
              .value=${this.#notes.get(e.id) ?? ''}
              @input=${(ev: Event) => this.#notes.set(e.id, (ev.target as HTMLInputElement).value)}
          /></label>`
        : nothing}`;
  }

  #detail(e: ReceptionistError): TemplateResult {
    const f = this.#f;
    const d = this.#details.get(e.id);
    const pair = (term: string, value: unknown) => (value === null || value === undefined || value === '' ? nothing : html`<div><dt>${term}</dt><dd>${value}</dd></div>`);
    let audit: TemplateResult;
    if (!d) audit = html`<p class="muted" role="status">Loading…</p>`;
    else if (d instanceof Error) audit = html`<p class="muted" role="alert">${describeError(d)} <button class="button" @click=${() => void this.#loadDetail(e.id)}>${icon('refresh')}Retry</button></p>`;
    else if (!d.audit.length) audit = html`<p class="muted">No changes yet.</p>`;
    else
      audit = html`<ol class="audit">
        ${d.audit.map(
          (a) =>
            html`<li>
              <time datetime=${a.at} title=${f.dateTime(a.at)}>${f.dateTime(a.at)}</time>
              <span><strong>${a.actor}</strong> ${AUDITED[a.action] ?? a.action} (${STATUSES[a.from_status][0]} → ${STATUSES[a.to_status][0]})</span>
              ${a.note ? html`<q class="audit-note">${a.note}</q>` : nothing}
            </li>`,
        )}
      </ol>`;
    return html`<div class="details" part="details" id=${`d-${e.id}`}>
      <dl>
        ${pair('Context', e.context)} ${pair('Conversation', e.conversation_id)} ${pair('Human review', e.needs_human_review ? 'Needed' : null)}
        ${pair('Reported', f.dateTime(e.timestamp))} ${e.resolved_by ? pair('Last changed by', e.resolved_by) : nothing}
        ${e.resolved_at ? pair('Closed', f.dateTime(e.resolved_at)) : nothing}
      </dl>
      <h4>Audit trail</h4>
      ${audit}
    </div>`;
  }
}

/** Whether an embed token carries the `errors:write` scope (read from its claims; the API still decides). */
function mayWrite(token: string): boolean {
  const scope = tokenClaims(token)?.scope;
  return typeof scope === 'string' && scope.split(' ').includes('errors:write');
}
