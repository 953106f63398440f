import { html, nothing, svg, type PropertyValues, type SVGTemplateResult, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { initialState, Task, TaskStatus } from '@lit/task';
import type { Channel, Conversation, Sentiment, Speaker } from '../../api/contract.js';
import { ApiError } from '../core/api-client.js';
import { AiElement } from '../core/base-element.js';
import { icon, type IconName } from '../core/icons.js';
import { connectionBadge, emptyState, errorState, skeleton } from '../core/states.js';
import { StreamController } from '../core/stream.js';
import styles from './conversation.styles.js';

const SPEAKER: Record<Speaker, { label: string; icon: IconName }> = {
  ai: { label: 'AI', icon: 'bot' },
  caller: { label: 'Caller', icon: 'user' },
  agent: { label: 'Agent', icon: 'escalate' },
};

const CHANNEL: Record<Channel, { label: string; icon: IconName }> = {
  voice: { label: 'Voice call', icon: 'phone' },
  sms: { label: 'SMS', icon: 'message' },
  email: { label: 'Email', icon: 'send' },
  chat: { label: 'Chat', icon: 'message' },
};

/** Faces for the sentiment, next to its word (never colour alone). */
const FACE = 'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM9 9h.01M15 9h.01';
const SENTIMENT: Record<Sentiment, { label: string; mouth: string }> = {
  positive: { label: 'Positive', mouth: 'M8 14s1.5 2 4 2 4-2 4-2' },
  neutral: { label: 'Neutral', mouth: 'M8 15h8' },
  negative: { label: 'Negative', mouth: 'M16 16s-1.5-2-4-2-4 2-4 2' },
  mixed: { label: 'Mixed', mouth: 'M8 15.5c1.3-1.5 2.7-1.5 4 0s2.7 1.5 4 0' },
};

function sentimentIcon(sentiment: Sentiment): SVGTemplateResult {
  return svg`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${`${FACE}${SENTIMENT[sentiment].mouth}`}></path></svg>`;
}

const SPELLING: Record<string, string> = { ai: 'AI', api: 'API', crm: 'CRM', faq: 'FAQ', sms: 'SMS' };

/** `appointment_booked` → "Appointment booked", `crm_updated` → "CRM updated". */
function words(value: string): string {
  return value
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((word, i) => SPELLING[word.toLowerCase()] ?? (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ');
}

/** AI turns below this confidence are flagged with an icon and a word. */
const LOW_CONFIDENCE = 0.6;
/** Live activities of a conversation in progress come in bursts: one refetch per burst. */
const REFETCH_DEBOUNCE_MS = 400;

/** A match of the search in one turn's text, as [start, end) offsets. */
type Span = readonly [start: number, end: number];

function searchPattern(query: string): RegExp | undefined {
  const trimmed = query.trim();
  return trimmed ? new RegExp(trimmed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu') : undefined;
}

/**
 * One conversation: who and when, how it went (outcome, sentiment, intent, the AI's confidence),
 * its summary and its transcript by speaker, with a search that highlights and steps through the
 * matches. A conversation still going on grows as its activities arrive on the live stream.
 *
 * @summary A conversation's header, summary and searchable transcript.
 *
 * @csspart base - The panel.
 * @csspart header - Client, channel, times, outcome, sentiment, intent and confidence.
 * @csspart title - The client's name (else phone).
 * @csspart summary - The summary and what the receptionist did.
 * @csspart search - The search field, its match count and next/previous buttons.
 * @csspart search-input - The search field itself.
 * @csspart match-count - "3 of 7 matches".
 * @csspart transcript - The ordered list of turns.
 * @csspart turn - One turn; also `turn-ai`, `turn-caller` or `turn-agent`.
 * @csspart speaker - The speaker's label in a turn.
 * @csspart match - A highlighted match; the current one also has `current-match`.
 * @csspart connection - The live-connection badge.
 * @csspart skeleton - Placeholder while loading.
 * @csspart empty - Shown without a `conversation-id`.
 * @csspart not-found - Shown when the conversation does not exist (or belongs to another tenant).
 * @csspart error - Shown when loading failed, with its retry button (`retry`).
 *
 * @cssproperty [--turn-max-width=85%] - Widest a turn gets (full width below 480 px).
 * @cssproperty [--transcript-max-height=none] - Height after which the transcript scrolls on its own.
 * @cssproperty --match-background - Background of a search match (a tint of the warning colour).
 * @cssproperty --match-current-background - Background of the current match.
 */
export class AiConversation extends AiElement {
  static override styles = [...AiElement.styles, styles];

  /** The conversation to show (its id from the API). */
  @property({ attribute: 'conversation-id' }) conversationId?: string;

  @state() private query = '';
  /** Index of the current match among all matches, in transcript order. */
  @state() private current = 0;
  /** The last conversation loaded; kept while a live refetch runs. */
  @state() private conversation: Conversation | undefined;

  #refetchTimer: ReturnType<typeof setTimeout> | undefined;
  #scrollToCurrent = false;

  readonly #task = new Task(this, {
    args: () => [this.client, this.conversationId, this.configVersion] as const,
    task: async ([client, id], { signal }) => {
      if (!id) return initialState;
      if (!client) throw new Error('This widget is not configured: set its api-base and token attributes, or call configure().');
      return client.get(`/conversations/${encodeURIComponent(id)}`, undefined, signal);
    },
    onComplete: (conversation: Conversation) => (this.conversation = conversation),
  });

  readonly #stream = new StreamController(this, {
    events: {
      'activity.new': (activity) => {
        if (activity.conversation_id && activity.conversation_id === this.conversationId) this.#refetchSoon();
      },
    },
    onReset: () => this.#refetchSoon(),
  });

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#refetchTimer);
  }

  #refetchSoon(): void {
    clearTimeout(this.#refetchTimer);
    this.#refetchTimer = setTimeout(() => {
      if (this.conversationId) void this.#task.run();
    }, REFETCH_DEBOUNCE_MS);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId')) this.current = 0;
  }

  protected override render(): TemplateResult {
    const id = this.conversationId;
    const shown = this.conversation?.id === id ? this.conversation : undefined;
    let body: TemplateResult;
    if (!id) body = html`${this.#bar()}${emptyState('Select a conversation')}`;
    else if (shown) body = this.#content(shown);
    else if (this.#task.status === TaskStatus.ERROR)
      body =
        this.#task.error instanceof ApiError && this.#task.error.status === 404
          ? html`${this.#bar()}<div class="state" part="not-found" data-kind="empty" role="status">Conversation not found</div>`
          : html`${this.#bar()}${errorState(this.#task.error, () => void this.#task.run())}`;
    else body = html`${this.#bar()}${skeleton(6)}`;
    return html`<article class="panel" part="base" aria-label="Conversation" aria-busy=${this.#task.status === TaskStatus.PENDING ? 'true' : 'false'}>
      ${body}
    </article>`;
  }

  /** The header's first line alone, for the states without a conversation. */
  #bar(): TemplateResult {
    return html`<header class="header" part="header"><h2 class="title" part="title">Conversation</h2>${connectionBadge(this.#stream.state)}</header>`;
  }

  #content(c: Conversation): TemplateResult {
    const f = this.format;
    const pattern = searchPattern(this.query);
    const spans = c.transcript.map((turn) => (pattern ? [...turn.text.matchAll(pattern)].map((m): Span => [m.index, m.index + m[0].length]) : []));
    const total = spans.reduce((n, s) => n + s.length, 0);
    const current = total === 0 ? -1 : Math.min(this.current, total - 1);
    let first = 0;
    return html`<header class="details" part="header">
        <div class="heading">
          <h2 class="title" part="title">${c.client_name || c.client_phone || 'Unknown caller'}</h2>
          ${c.client_name && c.client_phone ? html`<span class="phone">${c.client_phone}</span>` : nothing}
          ${connectionBadge(this.#stream.state)}
        </div>
        <dl class="facts">
          <div><dt>Channel</dt><dd>${icon(CHANNEL[c.channel].icon)}${CHANNEL[c.channel].label}</dd></div>
          <div><dt>Started</dt><dd><time datetime=${c.started_at}>${f.dateTime(c.started_at)}</time></dd></div>
          <div><dt>Duration</dt><dd>${c.duration_seconds === null ? 'In progress' : f.duration(c.duration_seconds)}</dd></div>
          <div><dt>Outcome</dt><dd>${c.outcome ? words(c.outcome) : '—'}</dd></div>
          <div>
            <dt>Sentiment</dt>
            <dd data-sentiment=${c.sentiment ?? nothing}>${c.sentiment ? html`${sentimentIcon(c.sentiment)}${SENTIMENT[c.sentiment].label}` : '—'}</dd>
          </div>
          <div><dt>Intent</dt><dd>${c.intent ? words(c.intent) : '—'}</dd></div>
          <div><dt>Avg. confidence</dt><dd>${c.avg_confidence_score === null ? '—' : f.percent(c.avg_confidence_score)}</dd></div>
        </dl>
      </header>
      <section part="summary" aria-labelledby="summary-heading">
        <h3 id="summary-heading">Summary</h3>
        <p>${c.summary || 'No summary yet.'}</p>
        ${c.activities.length
          ? html`<ul class="actions" aria-label="What the receptionist did">
              ${c.activities.map((a) => html`<li><time datetime=${a.timestamp}>${f.time(a.timestamp)}</time> ${words(a.action_type)}</li>`)}
            </ul>`
          : nothing}
      </section>
      ${c.transcript.length ? this.#search(total, current) : nothing}
      <div class="transcript-scroll" role="region" aria-label="Transcript" tabindex="0">
        ${c.transcript.length
          ? html`<ol part="transcript">
              ${c.transcript.map((turn, i) => {
                const offset = first;
                first += spans[i]!.length;
                const speaker = SPEAKER[turn.speaker];
                const low = turn.confidence !== null && turn.confidence < LOW_CONFIDENCE;
                return html`<li part="turn turn-${turn.speaker}" data-speaker=${turn.speaker}>
                  <div class="turn-meta">
                    <span part="speaker">${icon(speaker.icon)}${speaker.label}</span>
                    <time datetime=${turn.at}>${f.time(turn.at)}</time>
                    ${turn.speaker === 'ai' && turn.confidence !== null
                      ? html`<span class="confidence" ?data-low=${low}>${low ? icon('warning') : nothing}${low ? 'Low confidence' : 'Confidence'}
                          ${f.percent(turn.confidence)}</span>`
                      : nothing}
                  </div>
                  <p class="turn-text">${this.#highlight(turn.text, spans[i]!, offset, current)}</p>
                </li>`;
              })}
            </ol>`
          : html`<p class="no-turns">No turns yet.</p>`}
      </div>`;
  }

  #search(total: number, current: number): TemplateResult {
    const searching = searchPattern(this.query) !== undefined;
    const count = !searching ? '' : total === 0 ? 'No matches' : `${this.format.number(current + 1)} of ${this.format.number(total)} ${total === 1 ? 'match' : 'matches'}`;
    return html`<div part="search" role="search" aria-label="Search within the conversation">
      <label class="search-field">
        ${icon('search')}
        <span class="sr-only">Search within the conversation</span>
        <input
          class="field"
          part="search-input"
          type="search"
          placeholder="Search within…"
          autocomplete="off"
          .value=${this.query}
          @input=${(e: Event) => this.#setQuery((e.target as HTMLInputElement).value)}
          @keydown=${this.#onSearchKey}
        />
      </label>
      <span class="match-nav">
        <button type="button" class="button up" aria-label="Previous match" ?disabled=${total === 0} @click=${() => this.#step(-1)}>
          ${icon('chevron')}
        </button>
        <button type="button" class="button" aria-label="Next match" ?disabled=${total === 0} @click=${() => this.#step(1)}>${icon('chevron')}</button>
      </span>
      <span class="match-count" part="match-count" role="status">${count}</span>
    </div>`;
  }

  /** The text as text nodes with the matches in <mark> elements: Lit bindings only, never HTML. */
  #highlight(text: string, spans: readonly Span[], offset: number, current: number): unknown {
    if (spans.length === 0) return text;
    const pieces: unknown[] = [];
    let at = 0;
    spans.forEach(([start, end], i) => {
      if (start > at) pieces.push(text.slice(at, start));
      const isCurrent = offset + i === current;
      pieces.push(
        html`<mark part=${isCurrent ? 'match current-match' : 'match'} data-match=${offset + i} aria-current=${isCurrent ? 'true' : nothing}
          >${text.slice(start, end)}</mark
        >`,
      );
      at = end;
    });
    if (at < text.length) pieces.push(text.slice(at));
    return pieces;
  }

  #setQuery(value: string): void {
    this.query = value;
    this.current = 0;
    this.#scrollToCurrent = true;
  }

  #onSearchKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.#step(event.shiftKey ? -1 : 1);
  };

  /** Moves to the next (1) or previous (-1) match, wrapping around. */
  #step(direction: 1 | -1): void {
    const total = this.renderRoot.querySelectorAll('mark[data-match]').length;
    if (total === 0) return;
    this.current = (Math.min(this.current, total - 1) + direction + total) % total;
    this.#scrollToCurrent = true;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.#scrollToCurrent) return;
    this.#scrollToCurrent = false;
    const mark = this.renderRoot.querySelector('mark[aria-current]');
    const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
    mark?.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: reduced ? 'auto' : 'smooth' });
  }
}
