import { html, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import type { Activity } from '../../api/contract.js';
import { AiElement } from '../core/base-element.js';
import styles from './receptionist-dashboard.styles.js';

/** The panels' inner parts the dashboard passes on, each under `<region>-<part>`. */
const EXPORTED = {
  health: ['base', 'summary', 'chip', 'chip-icon', 'chip-label', 'chip-status', 'tooltip'],
  metrics: ['base', 'header', 'title', 'controls', 'tiles', 'tile', 'tile-value', 'tile-label', 'tile-trend', 'chart'],
  feed: ['base', 'header', 'title', 'list', 'row', 'new-pill'],
  conversation: ['base', 'header', 'title', 'summary', 'transcript', 'turn', 'speaker'],
  errors: ['base', 'header', 'title', 'list', 'item', 'status', 'action-button'],
  skills: ['base', 'header', 'title', 'table', 'row', 'status', 'cell', 'detail'],
  roi: ['base', 'header', 'title', 'figures', 'figure', 'comparison', 'assumptions'],
} as const;
type Region = keyof typeof EXPORTED;

/** Parts every panel has, also passed on under their own names so one rule reaches all panels. */
const SHARED: Record<Region, readonly string[]> = {
  health: ['connection'],
  metrics: ['header', 'title', 'connection'],
  feed: ['header', 'title', 'connection'],
  conversation: ['header', 'title', 'connection'],
  errors: ['header', 'title', 'connection'],
  skills: ['header', 'title', 'connection'],
  roi: ['header', 'title', 'connection'],
};

const exportparts = (region: Region): string =>
  [...EXPORTED[region].map((part) => `${part}:${region}-${part}`), ...SHARED[region]].join(', ');

/**
 * Every panel in one responsive layout, for a one-tag embed: the system health bar across the top,
 * the metrics dashboard, the activity feed beside the conversation of the activity selected in it,
 * the error log, the skills heatmap and the ROI panel. Its own `api-base`, `token`, `theme` and
 * `locale` are passed down to every panel (or, without them, the panels use the page's
 * `configure()`), so all of them share one API client and the page's one stream connection.
 *
 * The layout follows the dashboard's own width (container queries): from 1100 px two columns
 * (metrics across, the feed beside the conversation, the errors beside the ROI, skills across);
 * above 600 px the feed and the conversation stay side by side and the other panels stack; from
 * 600 px down one column.
 *
 * Until an activity is selected the conversation panel shows the newest conversation.
 *
 * @summary All the AI receptionist panels in one responsive, theme-aware layout.
 *
 * @fires ai-activity-select - From the feed: an activity was selected (the dashboard then shows its conversation).
 * @fires ai-error-action - From the error log, before an action is sent (cancelable).
 * @fires ai-skill-select - From the skills heatmap: a skill's detail was opened.
 * @fires ai-range-change - From the metrics dashboard: the user chose a granularity or dates.
 * @fires ai-health-select - From the health bar: a component's chip was activated.
 *
 * @csspart base - The grid holding the panels.
 * @csspart health - The `<ai-system-health-bar>`.
 * @csspart metrics - The `<ai-metrics-dashboard>`.
 * @csspart feed - The `<ai-activity-feed>`.
 * @csspart conversation - The `<ai-conversation>` of the selected activity.
 * @csspart conversation-note - Says when the selected activity has no recorded conversation.
 * @csspart errors - The `<ai-error-log>`.
 * @csspart skills - The `<ai-skills-heatmap>`.
 * @csspart roi - The `<ai-roi-metrics>`.
 * @csspart header - Every panel's header, passed on from each panel so one rule restyles them all.
 * @csspart title - Every panel's title.
 * @csspart connection - Every panel's live-connection badge.
 * @csspart health-chip - The health bar's parts, passed on as `health-<part>`: `health-base`, `health-summary`, `health-chip`, `health-chip-icon`, `health-chip-label`, `health-chip-status`, `health-tooltip`.
 * @csspart metrics-tile - The metrics dashboard's parts as `metrics-<part>`: `metrics-base`, `metrics-header`, `metrics-title`, `metrics-controls`, `metrics-tiles`, `metrics-tile`, `metrics-tile-value`, `metrics-tile-label`, `metrics-tile-trend`, `metrics-chart`.
 * @csspart feed-row - The feed's parts as `feed-<part>`: `feed-base`, `feed-header`, `feed-title`, `feed-list`, `feed-row`, `feed-new-pill`.
 * @csspart conversation-turn - The conversation's parts as `conversation-<part>`: `conversation-base`, `conversation-header`, `conversation-title`, `conversation-summary`, `conversation-transcript`, `conversation-turn`, `conversation-speaker`.
 * @csspart errors-item - The error log's parts as `errors-<part>`: `errors-base`, `errors-header`, `errors-title`, `errors-list`, `errors-item`, `errors-status`, `errors-action-button`.
 * @csspart skills-row - The skills heatmap's parts as `skills-<part>`: `skills-base`, `skills-header`, `skills-title`, `skills-table`, `skills-row`, `skills-status`, `skills-cell`, `skills-detail`.
 * @csspart roi-figure - The ROI panel's parts as `roi-<part>`: `roi-base`, `roi-header`, `roi-title`, `roi-figures`, `roi-figure`, `roi-comparison`, `roi-assumptions`.
 *
 * @cssproperty [--gap=var(--ai-space-4, 16px)] - Space between the panels.
 * @cssproperty [--start-column=1fr] - Width of the first column where there are two (the feed's and the errors' side); a grid track size.
 * @cssproperty [--end-column=1fr] - Width of the second column (the conversation's and the ROI's side); a grid track size.
 * @cssproperty [--feed-height=480px] - The tallest the feed's list and the conversation's transcript get before they scroll.
 */
export class AiReceptionistDashboard extends AiElement {
  static override styles = [...AiElement.styles, styles];

  /** The conversation shown: the one of the activity selected in the feed, else the newest. */
  @state() private conversationId: string | undefined;
  /** Why the selected activity shows no conversation of its own. */
  @state() private note = '';

  #selectedByUser = false;

  constructor() {
    super();
    // The newest conversation, shown until the user selects an activity.
    new Task(this, {
      args: () => [this.client, this.configVersion] as const,
      task: async ([client], { signal }) => {
        if (!client || this.#selectedByUser) return undefined;
        const page = await client.get('/conversations', { limit: 1 }, signal);
        return page.data[0]?.id;
      },
      onComplete: (id) => {
        if (id && !this.#selectedByUser) this.conversationId = id;
      },
      // Without it the conversation panel keeps its own "Select a conversation" state.
      onError: () => {},
    });
  }

  #onSelect = (e: CustomEvent<{ activity: Activity }>) => {
    const { activity } = e.detail;
    this.#selectedByUser = true;
    if (activity.conversation_id) {
      this.conversationId = activity.conversation_id;
      this.note = '';
    } else {
      const who = activity.client_name || activity.client_phone || 'This caller';
      this.note = `${who}: this activity has no recorded conversation.${this.conversationId ? ' Showing the previous one.' : ''}`;
    }
  };

  override render(): TemplateResult {
    // Passed down as properties: undefined leaves a panel on the page's configuration.
    const { apiBase, token, theme, locale } = this;
    return html`<div class="grid" part="base">
      <ai-system-health-bar
        class="health"
        part="health"
        exportparts=${exportparts('health')}
        .apiBase=${apiBase}
        .token=${token}
        .theme=${theme}
        .locale=${locale}
      ></ai-system-health-bar>
      <ai-metrics-dashboard
        class="metrics"
        part="metrics"
        exportparts=${exportparts('metrics')}
        .apiBase=${apiBase}
        .token=${token}
        .theme=${theme}
        .locale=${locale}
      ></ai-metrics-dashboard>
      <ai-activity-feed
        class="feed"
        part="feed"
        exportparts=${exportparts('feed')}
        .apiBase=${apiBase}
        .token=${token}
        .theme=${theme}
        .locale=${locale}
        @ai-activity-select=${this.#onSelect}
      ></ai-activity-feed>
      <div class="conversation">
        <p class=${this.note ? 'note' : 'sr-only'} part="conversation-note" role="status">${this.note}</p>
        <ai-conversation
          part="conversation"
          exportparts=${exportparts('conversation')}
          .apiBase=${apiBase}
          .token=${token}
          .theme=${theme}
          .locale=${locale}
          .conversationId=${this.conversationId}
        ></ai-conversation>
      </div>
      <ai-error-log
        class="errors"
        part="errors"
        exportparts=${exportparts('errors')}
        .apiBase=${apiBase}
        .token=${token}
        .theme=${theme}
        .locale=${locale}
      ></ai-error-log>
      <ai-roi-metrics
        class="roi"
        part="roi"
        exportparts=${exportparts('roi')}
        .apiBase=${apiBase}
        .token=${token}
        .theme=${theme}
        .locale=${locale}
      ></ai-roi-metrics>
      <ai-skills-heatmap
        class="skills"
        part="skills"
        exportparts=${exportparts('skills')}
        .apiBase=${apiBase}
        .token=${token}
        .theme=${theme}
        .locale=${locale}
      ></ai-skills-heatmap>
    </div>`;
  }
}
