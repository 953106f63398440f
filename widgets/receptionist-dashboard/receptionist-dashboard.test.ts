import { expect, fixture, html } from '@open-wc/testing';
import { ref } from 'lit/directives/ref.js';
import type { Activity, Component, Conversation, Page, ReceptionistError } from '../../api/contract.js';
import { configure } from '../core/config.js';
import { apiFetch, ingest, nextEvent, startApi, stopApi, streamCount, until, type Api } from '../test/api.js';
import type { AiReceptionistDashboard } from './receptionist-dashboard.js';
import './receptionist-dashboard.js';

/** The panels, and in each a part that is there only once the panel shows data. */
const PANELS = {
  'ai-system-health-bar': '[part~="chip"]',
  'ai-metrics-dashboard': '[part~="tile-value"]',
  'ai-activity-feed': '[part~="row"]',
  'ai-conversation': '[part~="turn"]',
  'ai-error-log': '[part~="item"]',
  'ai-skills-heatmap': '[part~="row"]',
  'ai-roi-metrics': '[part~="figure"]',
} as const;
type PanelTag = keyof typeof PANELS;
const TAGS = Object.keys(PANELS) as PanelTag[];

const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const panel = <T extends PanelTag>(el: AiReceptionistDashboard, tag: T) => el.shadowRoot!.querySelector(tag)! as HTMLElementTagNameMap[T];
const inPanel = (el: AiReceptionistDashboard, tag: PanelTag, selector: string) => panel(el, tag).shadowRoot?.querySelector<HTMLElement>(selector) ?? null;

/** Relative luminance of an `rgb(r, g, b)` colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Sets an element's width through CSSOM: a style attribute would be refused by the test page's CSP (style-src 'self'). */
const width = (px: number) => ref((el) => el && ((el as HTMLElement).style.width = `${px}px`));

describe('<ai-receptionist-dashboard>', () => {
  let api: Api;
  before(async () => (api = await startApi('demo')));
  after(() => stopApi(api));

  async function render(attrs: { theme?: 'light' | 'dark'; locale?: string; width?: number } = {}) {
    const wrapper = await fixture<HTMLDivElement>(
      html`<div ${width(attrs.width ?? 1200)}>
        <ai-receptionist-dashboard api-base=${api.apiBase} token=${api.tokens.write} theme=${attrs.theme ?? 'light'} locale=${attrs.locale ?? 'en-US'}></ai-receptionist-dashboard>
      </div>`,
    );
    return wrapper.querySelector('ai-receptionist-dashboard')!;
  }

  /** Waits for every panel's data; the feed is virtualized and renders rows only on screen, so each panel is scrolled into view. */
  async function loaded(el: AiReceptionistDashboard) {
    for (const tag of TAGS) {
      panel(el, tag).scrollIntoView({ block: 'nearest' });
      await until(() => inPanel(el, tag, PANELS[tag]), `<${tag}> shows data`, 15_000);
    }
  }

  const connected = (el: AiReceptionistDashboard) =>
    until(
      () => TAGS.every((tag) => inPanel(el, tag, '[part~="connection"]')?.dataset.state === 'connected'),
      'every panel is live',
      15_000,
    );

  // First, while no other dashboard's stream is open on the API.
  it('opens one stream connection for the whole dashboard', async function () {
    this.timeout(30_000);
    const el = await render();
    await loaded(el);
    await connected(el);
    await until(async () => (await streamCount(api)) === 1, 'one stream for seven panels');
    expect(await streamCount(api)).to.equal(1);
  });

  it('renders data in every panel, from the API', async function () {
    this.timeout(30_000);
    const el = await render();
    await loaded(el);

    const health = (await apiFetch<{ data: Component[] }>(api, '/system-health')).body.data;
    expect(panel(el, 'ai-system-health-bar').shadowRoot!.querySelectorAll('[part~="chip"]')).to.have.length(health.length);

    const feed = (await apiFetch<Page<Activity>>(api, '/activity/feed?limit=1')).body.data[0]!;
    panel(el, 'ai-activity-feed').scrollIntoView();
    await until(() => inPanel(el, 'ai-activity-feed', '.row[data-index="0"]')?.dataset.id === feed.id, 'the newest activity first in the feed');

    const errors = (await apiFetch<Page<ReceptionistError>>(api, '/errors?status=unresolved&status=needs_review&status=fix_approved&limit=1')).body.data[0]!;
    expect(inPanel(el, 'ai-error-log', '[part~="item"]')?.dataset.id).to.equal(errors.id);

    // Until an activity is selected, the conversation is the newest one.
    const newest = (await apiFetch<Page<{ id: string }>>(api, '/conversations?limit=1')).body.data[0]!;
    expect(panel(el, 'ai-conversation').conversationId).to.equal(newest.id);

    expect(text(inPanel(el, 'ai-metrics-dashboard', '[part~="tile-value"]'))).to.match(/\d/);
    expect(text(inPanel(el, 'ai-roi-metrics', '[part~="figure"]'))).to.match(/\d/);
  });

  it('passes its api-base, token, theme and locale down, and a change of theme too', async function () {
    this.timeout(30_000);
    const el = await render({ theme: 'dark', locale: 'de-DE' });
    for (const tag of TAGS) {
      const child = panel(el, tag);
      expect(child.apiBase, tag).to.equal(api.apiBase);
      expect(child.token, tag).to.equal(api.tokens.write);
      expect(child.locale, tag).to.equal('de-DE');
      expect(child.getAttribute('theme'), tag).to.equal('dark');
    }
    await loaded(el);
    const background = (tag: PanelTag) => getComputedStyle(inPanel(el, tag, '[part~="base"]')!).backgroundColor;
    for (const tag of TAGS) expect(luminance(background(tag)), `${tag} is dark`).to.be.lessThan(0.1);

    el.theme = 'light';
    await el.updateComplete;
    for (const tag of TAGS) {
      expect(panel(el, tag).getAttribute('theme'), tag).to.equal('light');
      expect(luminance(background(tag)), `${tag} is light`).to.be.greaterThan(0.8);
    }

    el.theme = undefined;
    await el.updateComplete;
    for (const tag of TAGS) expect(panel(el, tag).hasAttribute('theme'), `${tag} follows the system again`).to.equal(false);
  });

  it('shows the conversation of the activity selected in the feed', async function () {
    this.timeout(30_000);
    const el = await render();
    await loaded(el);
    await connected(el);
    const client = `Dashboard Borrower ${Math.random().toString(36).slice(2, 8)}`;
    const said = 'Can I lock my rate before the appraisal comes back?';
    const at = new Date(Date.now() - 60_000).toISOString();
    const conversation = await ingest<{ data: Conversation }>(api, '/conversations', {
      client_name: client,
      channel: 'voice',
      started_at: at,
      ended_at: new Date().toISOString(),
      transcript: [
        { speaker: 'caller', text: said, at, confidence: null },
        { speaker: 'ai', text: 'Yes: I will ask your loan officer to lock it today.', at, confidence: 0.91 },
      ],
      summary: 'Caller asked to lock a rate before the appraisal.',
      intent: 'rate_lock',
      sentiment: 'neutral',
      outcome: 'transferred',
    });
    expect(conversation.status, JSON.stringify(conversation.body)).to.equal(201);
    const id = conversation.body.data.id;
    const res = await ingest(api, '/activity', { action_type: 'escalated', channel: 'voice', client_name: client, message_in: said, outcome_status: 'escalated', conversation_id: id });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);

    const feed = panel(el, 'ai-activity-feed');
    feed.scrollIntoView();
    const row = () => [...feed.shadowRoot!.querySelectorAll<HTMLElement>('[part~="row"]')].find((r) => text(r).includes(client));
    await until(row, 'the new activity is in the feed', 10_000);
    const selected = nextEvent<CustomEvent<{ activity: Activity }>>(el, 'ai-activity-select');
    row()!.click();
    expect((await selected).detail.activity.conversation_id, 'the selection leaves the dashboard for the host too').to.equal(id);

    const conversationPanel = panel(el, 'ai-conversation');
    await el.updateComplete;
    expect(conversationPanel.conversationId).to.equal(id);
    await until(() => text(inPanel(el, 'ai-conversation', '[part~="title"]')) === client, 'the conversation shows its client');
    expect([...conversationPanel.shadowRoot!.querySelectorAll('[part~="turn"]')].map(text).join(' ')).to.contain(said);

    // An activity without a conversation keeps the one shown and says why.
    const lone = await ingest(api, '/activity', { action_type: 'faq_answered', channel: 'sms', client_name: `${client} (SMS)`, message_in: 'What are your hours?', outcome_status: 'success' });
    expect(lone.status).to.equal(201);
    const loneRow = () => [...feed.shadowRoot!.querySelectorAll<HTMLElement>('[part~="row"]')].find((r) => text(r).includes(`${client} (SMS)`));
    await until(loneRow, 'the activity without a conversation is in the feed', 10_000);
    loneRow()!.click();
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('[part="conversation-note"]'))).to.contain('has no recorded conversation');
    expect(conversationPanel.conversationId).to.equal(id);
  });

  it('lays the panels out by its own width: two columns, stacked pairs, one column', async function () {
    this.timeout(30_000);
    const el = await render({ width: 1200 });
    const box = (tag: PanelTag) => (tag === 'ai-conversation' ? panel(el, tag).parentElement! : panel(el, tag)).getBoundingClientRect();
    const sideBySide = (a: PanelTag, b: PanelTag) => Math.abs(box(a).top - box(b).top) < 1 && box(a).right <= box(b).left;
    const above = (a: PanelTag, b: PanelTag) => box(a).bottom <= box(b).top && Math.abs(box(a).left - box(b).left) < 1;

    expect(sideBySide('ai-activity-feed', 'ai-conversation'), 'wide: feed beside conversation').to.equal(true);
    expect(sideBySide('ai-error-log', 'ai-roi-metrics'), 'wide: errors beside ROI').to.equal(true);
    expect(box('ai-metrics-dashboard').width).to.equal(box('ai-system-health-bar').width);
    expect(box('ai-skills-heatmap').width, 'wide: skills across').to.equal(box('ai-system-health-bar').width);

    el.parentElement!.style.width = '800px';
    await until(() => above('ai-error-log', 'ai-roi-metrics') && above('ai-roi-metrics', 'ai-skills-heatmap'), 'medium: errors, ROI and skills stacked');
    expect(sideBySide('ai-activity-feed', 'ai-conversation'), 'medium: feed still beside conversation').to.equal(true);

    el.parentElement!.style.width = '320px';
    await until(() => above('ai-activity-feed', 'ai-conversation'), 'narrow: one column');
    await loaded(el);
    for (const tag of TAGS) {
      const child = panel(el, tag);
      expect(child.getBoundingClientRect().width, `${tag} fits`).to.be.at.most(320);
      const base = child.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!;
      expect(base.scrollWidth, `${tag} has no sideways scrolling`).to.be.at.most(base.clientWidth + 2);
    }
  });

  it('lets the page style each region and the panels’ inner parts through ::part()', async function () {
    this.timeout(30_000);
    // A constructed sheet: the test page's CSP refuses a <style> element, as a strict host would.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`
      ai-receptionist-dashboard::part(feed) { outline: 3px solid rgb(1, 2, 3); }
      ai-receptionist-dashboard::part(header) { border-bottom-color: rgb(200, 164, 90); }
      ai-receptionist-dashboard::part(feed-row) { color: rgb(4, 5, 6); }
      ai-receptionist-dashboard::part(health-chip) { color: rgb(7, 8, 9); }
      ai-receptionist-dashboard::part(errors-item) { color: rgb(10, 11, 12); }
    `);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    try {
      const el = await render();
      await loaded(el);
      panel(el, 'ai-activity-feed').scrollIntoView();
      await until(() => inPanel(el, 'ai-activity-feed', '[part~="row"]'), 'feed rows');
      expect(getComputedStyle(panel(el, 'ai-activity-feed')).outlineColor).to.equal('rgb(1, 2, 3)');
      for (const tag of TAGS.filter((t) => t !== 'ai-system-health-bar')) {
        expect(getComputedStyle(inPanel(el, tag, '[part~="header"]')!).borderBottomColor, `${tag} header`).to.equal('rgb(200, 164, 90)');
      }
      expect(getComputedStyle(inPanel(el, 'ai-activity-feed', '[part~="row"]')!).color).to.equal('rgb(4, 5, 6)');
      expect(getComputedStyle(inPanel(el, 'ai-system-health-bar', '[part~="chip"]')!).color).to.equal('rgb(7, 8, 9)');
      expect(getComputedStyle(inPanel(el, 'ai-error-log', '[part~="item"]')!).color).to.equal('rgb(10, 11, 12)');
    } finally {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    }
  });

  it('works with configure() alone', async function () {
    this.timeout(30_000);
    configure({ apiBase: api.apiBase, token: api.tokens.read });
    try {
      const wrapper = await fixture<HTMLDivElement>(html`<div ${width(1200)}><ai-receptionist-dashboard theme="light"></ai-receptionist-dashboard></div>`);
      const el = wrapper.querySelector('ai-receptionist-dashboard')!;
      await loaded(el);
      for (const tag of TAGS) expect(panel(el, tag).token, tag).to.equal(undefined);
    } finally {
      configure({ apiBase: undefined, token: undefined });
    }
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`is accessible in the ${theme} theme`, async function () {
      this.timeout(90_000);
      const el = await render({ theme });
      await loaded(el);
      await expect(el).to.be.accessible();
    });
  }
});
