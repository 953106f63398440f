import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Roi } from '../../api/contract.js';
import { apiFetch, ingest, startApi, stopApi, until, type Api } from '../test/api.js';
import { addDays, businessHours } from './roi-metrics.component.js';
import './roi-metrics.js';
import type { AiRoiMetrics } from './roi-metrics.js';

const LOCALE = 'en-US';
const money = (value: number, currency: string) => new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).format(value);
/** Amounts in the thousands are shown without cents. */
const amount = (value: number, currency: string) =>
  Math.abs(value) >= 1000 ? new Intl.NumberFormat(LOCALE, { style: 'currency', currency, maximumFractionDigits: 0 }).format(value) : money(value, currency);
const percent = (pct: number) => new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 1 }).format(pct / 100);
const count = (value: number) => new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 }).format(value);
const hours = (value: number) => new Intl.NumberFormat(LOCALE, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);

const root = (el: Element) => el.shadowRoot!;
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const figure = (el: Element, key: string) => text(root(el).querySelector(`[data-figure="${key}"] dd`));
const assumption = (el: Element, key: string) => text(root(el).querySelector(`[data-assumption="${key}"] dd`));
const range = (el: Element) => root(el).querySelector<HTMLElement>('[part="range"]');
const button = (el: Element, r: string) => root(el).querySelector<HTMLButtonElement>(`[part="range-button"][data-range="${r}"]`)!;

describe('<ai-roi-metrics>', () => {
  let api: Api;
  /** The tenant's today, as the API reports it (the end of its default range). */
  let today: string;

  before(async () => {
    api = await startApi('demo');
    today = (await apiFetch<Roi>(api, '/roi')).body.end_date;
  });
  after(() => stopApi(api));

  async function render(attrs: { token?: string; range?: string; start?: string; end?: string; theme?: 'light' | 'dark' } = {}) {
    const el = await fixture<AiRoiMetrics>(html`<ai-roi-metrics
      api-base=${api.apiBase}
      token=${attrs.token ?? api.tokens.read}
      locale=${LOCALE}
      range=${attrs.range ?? '30d'}
      start-date=${attrs.start ?? ''}
      end-date=${attrs.end ?? ''}
      theme=${attrs.theme ?? 'light'}
    ></ai-roi-metrics>`);
    return el;
  }

  /** Waits until the widget shows `start`…`end`, then returns what the API answers for that range. */
  async function shown(el: AiRoiMetrics, start: string, end: string): Promise<Roi> {
    await until(() => range(el)?.dataset.start === start && range(el)?.dataset.end === end, `the range ${start}…${end}`);
    const { status, body } = await apiFetch<Roi>(api, `/roi?start_date=${start}&end_date=${end}`);
    expect(status).to.equal(200);
    return body;
  }

  function expectFigures(el: AiRoiMetrics, roi: Roi): void {
    const c = roi.assumptions.currency;
    expect(figure(el, 'revenue')).to.equal(amount(roi.revenue_created, c));
    expect(figure(el, 'hours')).to.equal(hours(roi.labor_hours_saved));
    expect(figure(el, 'cost')).to.equal(money(roi.cost_per_interaction, c));
    expect(figure(el, 'roi')).to.equal(percent(roi.roi_pct));
    expect(text(root(el).querySelector('[data-bar="ai"] .bar-value'))).to.equal(amount(roi.ai_cost, c));
    expect(text(root(el).querySelector('[data-bar="human"] .bar-value'))).to.equal(amount(roi.human_cost, c));
    expect(figure(el, 'savings')).to.equal(percent(roi.cost_savings_pct));
    expect(figure(el, 'after-hours')).to.equal(count(roi.after_hours_conversations));
    expect(figure(el, 'missed-calls')).to.equal(count(roi.missed_calls_saved));
  }

  it('shows the figures of GET /roi for the last 30 days, formatted in the assumptions’ currency', async () => {
    const el = await render();
    const roi = await shown(el, addDays(today, -29), today);
    expect(roi.total_conversations, 'the demo tenant has conversations').to.be.greaterThan(0);
    expect(roi.revenue_created).to.be.greaterThan(0);
    expectFigures(el, roi);
    expect(button(el, '30d').getAttribute('aria-pressed')).to.equal('true');
  });

  it('draws the comparison bars to scale under a strict style policy, from the first render', async () => {
    // The test page refuses inline style attributes, as the demo's CSP does: a bar sized by one
    // would be drawn full width.
    const policy = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
    expect(policy, 'the test page has a strict style policy').to.match(/style-src 'self'(;|$)/);
    const el = await render();
    const roi = await shown(el, addDays(today, -29), today);
    expect(roi.ai_cost).to.be.greaterThan(0);
    expect(roi.ai_cost / roi.human_cost, 'the demo AI is much cheaper').to.be.lessThan(0.5);
    const width = (bar: string) => root(el).querySelector(`[data-bar="${bar}"] .bar`)!.getBoundingClientRect().width;
    const track = root(el).querySelector('[data-bar="human"] .track')!.getBoundingClientRect().width;
    expect(track).to.be.greaterThan(100);
    // The human bar is the longer one, and the AI's is drawn to scale against it.
    expect(width('human')).to.be.closeTo(track, 1);
    expect(width('ai') / track).to.be.closeTo(roi.ai_cost / roi.human_cost, 0.02);
    expect(root(el).querySelectorAll('[style]').length, 'no inline style attribute').to.equal(0);
  });

  it('refetches with the right dates when the range selector changes', async () => {
    const el = await render();
    await shown(el, addDays(today, -29), today);
    button(el, '7d').click();
    expectFigures(el, await shown(el, addDays(today, -6), today));
    expect(button(el, '7d').getAttribute('aria-pressed')).to.equal('true');
    expect(button(el, '30d').getAttribute('aria-pressed')).to.equal('false');
    expect(el.range).to.equal('7d');

    // By keyboard too.
    button(el, '90d').focus();
    await sendKeys({ press: 'Enter' });
    expectFigures(el, await shown(el, addDays(today, -89), today));
  });

  it('takes the range attribute and explicit start-date / end-date', async () => {
    const seven = await render({ range: '7d' });
    expectFigures(seven, await shown(seven, addDays(today, -6), today));

    const start = addDays(today, -10);
    const end = addDays(today, -4);
    const explicit = await render({ start, end });
    expectFigures(explicit, await shown(explicit, start, end));
    expect([...root(explicit).querySelectorAll('[part="range-button"]')].map((b) => b.getAttribute('aria-pressed'))).to.deep.equal(['false', 'false', 'false']);
    const day = (d: string) => new Date(`${d}T12:00:00Z`);
    const days = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' }).formatRange(day(start), day(end));
    expect(text(range(explicit))).to.equal(days.replace(/\s+/g, ' '));
  });

  it('shows the assumptions the figures rest on', async () => {
    const el = await render();
    const roi = await shown(el, addDays(today, -29), today);
    const a = roi.assumptions;
    expect(assumption(el, 'revenue_per_booking')).to.equal(money(a.revenue_per_booking, a.currency));
    expect(assumption(el, 'minutes_per_conversation')).to.equal(
      new Intl.NumberFormat(LOCALE, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(a.minutes_per_conversation),
    );
    expect(assumption(el, 'human_hourly_cost')).to.equal(money(a.human_hourly_cost, a.currency));
    expect(assumption(el, 'ai_cost_per_interaction')).to.equal(money(a.ai_cost_per_interaction, a.currency));
    expect(a.business_hours).to.deep.equal({ start_hour: 9, end_hour: 17, weekdays: [1, 2, 3, 4, 5] });
    expect(assumption(el, 'business_hours')).to.equal('Mon–Fri 9 AM–5 PM');
  });

  it('words business hours in the locale, collapsing consecutive days', () => {
    expect(businessHours({ start_hour: 8, end_hour: 20, weekdays: [1, 2, 3, 4, 5, 6] }, 'en-US')).to.equal('Mon–Sat 8 AM–8 PM');
    expect(businessHours({ start_hour: 9, end_hour: 17, weekdays: [1, 3, 5] }, 'en-US')).to.equal('Mon, Wed, Fri 9 AM–5 PM');
    expect(businessHours({ start_hour: 9, end_hour: 17, weekdays: [6, 7] }, 'en-US')).to.equal('Sat, Sun 9 AM–5 PM');
    expect(businessHours({ start_hour: 0, end_hour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] }, 'en-US')).to.equal('Mon–Sun 12 AM–12 AM');
  });

  it('refetches live on metric.update while its range includes today', async () => {
    const el = await render({ range: '7d' });
    const before = await shown(el, addDays(today, -6), today);
    const conversations = () => text(root(el).querySelector('[data-figure="cost"] .note'));
    expect(conversations()).to.equal(`${count(before.total_conversations)} conversations`);
    const res = await ingest(api, '/activity', { action_type: 'incoming_call', channel: 'voice', client_name: 'Live ROI caller', outcome_status: 'success' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await until(() => conversations() === `${count(before.total_conversations + 1)} conversations`, 'the new conversation counted', 8000);
    expectFigures(el, (await apiFetch<Roi>(api, `/roi?start_date=${addDays(today, -6)}&end_date=${today}`)).body);
  });

  it('tells a client-locked token that ROI is not available to it', async () => {
    expect(api.tokens.clientLocked).to.be.a('string');
    expect((await apiFetch<Roi>(api, '/roi')).status).to.equal(200);
    const el = await render({ token: api.tokens.clientLocked! });
    await until(() => root(el).querySelector('[part="error"]'), 'the error');
    const error = root(el).querySelector('[part="error"]')!;
    expect(error.getAttribute('role')).to.equal('alert');
    expect(text(error)).to.include('not available to a token limited to one client');
    expect(error.querySelector('[part="retry"]'), 'retrying cannot help').to.equal(null);
    expect(root(el).querySelector('[part="figures"]')).to.equal(null);
  });

  it('shows a skeleton first, and an error with a retry when the API cannot be reached', async () => {
    const el = await fixture<AiRoiMetrics>(html`<ai-roi-metrics api-base="http://127.0.0.1:9" token=${api.tokens.read}></ai-roi-metrics>`);
    expect(root(el).querySelector('[part="skeleton"]')).to.exist;
    await until(() => root(el).querySelector('[part="error"] [part="retry"]'), 'the error with a retry');
    expect(text(root(el).querySelector('[part="error"]'))).to.include('could not be reached');
    el.apiBase = api.apiBase;
    await el.updateComplete;
    await shown(el, addDays(today, -29), today);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`passes axe in theme="${theme}"`, async () => {
      const el = await render({ theme });
      await shown(el, addDays(today, -29), today);
      await until(() => root(el).querySelector('[part="connection"]')?.getAttribute('data-state') === 'connected', 'live');
      await expect(el).to.be.accessible();
    });
  }
});
