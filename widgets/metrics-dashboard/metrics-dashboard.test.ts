import { expect, fixture, html } from '@open-wc/testing';
import { ref } from 'lit/directives/ref.js';
import { sendKeys } from '@web/test-runner-commands';
import type { Granularity, HourlySeries, Kpis, MetricsPeriod, MetricsSeries, RealtimeSnapshot } from '../../api/contract.js';
import { apiFetch, ingest, nextEvent, startApi, stopApi, until, type Api } from '../test/api.js';
import './metrics-dashboard.js';
import type { AiMetricsDashboard } from './metrics-dashboard.component.js';

const LOCALE = 'en-US';
const number = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 1 });
const pct = (v: number) => percent.format(v / 100);
const ms = (v: number) =>
  v < 1000
    ? new Intl.NumberFormat(LOCALE, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 }).format(v)
    : new Intl.NumberFormat(LOCALE, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 }).format(v / 1000);

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const root = (el: Element) => el.shadowRoot!;
const q = <T extends Element = HTMLElement>(el: Element, selector: string) => root(el).querySelector<T>(selector);
const text = (node: Element | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const tileValue = (el: Element, key: string) => text(q(el, `.tile[data-key="${key}"] .tile-value`));
const tileTrend = (el: Element, key: string) => text(q(el, `.tile[data-key="${key}"] .trend`));
/** A chart's data table as rows of cell texts (header row left out). */
const tableRows = (el: Element, chart: string) =>
  [...root(el).querySelectorAll(`[data-chart="${chart}"] tbody tr`)].map((tr) => [...tr.children].map((c) => text(c)));

/** What the tiles should show for these rows: counts summed, rates recomputed, response time weighted by activities. */
function expectedTiles(rows: readonly Kpis[]) {
  const sum = (pick: (k: Kpis) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const conversations = sum((r) => r.total_conversations);
  const appointments = sum((r) => r.appointments_booked);
  const escalations = sum((r) => r.escalations);
  const timed = rows.filter((r) => r.avg_response_time_ms !== null);
  const weight = timed.reduce((s, r) => s + r.total_activities, 0);
  const avg = weight === 0 ? null : Math.round(timed.reduce((s, r) => s + r.avg_response_time_ms! * r.total_activities, 0) / weight);
  const rate = (part: number) => (conversations === 0 ? 0 : Math.round((part / conversations) * 10_000) / 100);
  return {
    conversations,
    appointments,
    escalations,
    bookingRatePct: rate(appointments),
    coveragePct: rate(conversations - escalations),
    avgResponseMs: avg,
  };
}

/** Sets an element's width through CSSOM: a style attribute would be refused by the test page's CSP (style-src 'self'). */
const width = (px: number) => ref((el) => el && ((el as HTMLElement).style.width = `${px}px`));

describe('<ai-metrics-dashboard>', () => {
  let api: Api;
  let today: string;

  before(async () => {
    api = await startApi('demo');
    today = (await apiFetch<RealtimeSnapshot>(api, '/metrics/realtime')).body.date;
  });
  after(() => stopApi(api));

  async function render(attrs: { granularity?: Granularity; start?: string; end?: string; theme?: 'light' | 'dark'; token?: string } = {}) {
    const el = await fixture<AiMetricsDashboard>(html`<ai-metrics-dashboard
      api-base=${api.apiBase}
      token=${attrs.token ?? api.tokens.read}
      locale=${LOCALE}
      theme=${attrs.theme ?? 'light'}
      granularity=${attrs.granularity ?? 'day'}
      start-date=${attrs.start ?? ''}
      end-date=${attrs.end ?? ''}
      ${width(1000)}
    ></ai-metrics-dashboard>`);
    return el;
  }

  /** Waits for the tiles of `range` and the charts' canvases. */
  async function loaded(el: AiMetricsDashboard, range?: { start: string; end: string }) {
    await until(() => {
      const shown = q(el, '[part="range"]');
      if (!shown || (range && (shown.dataset.start !== range.start || shown.dataset.end !== range.end))) return false;
      return root(el).querySelectorAll('.chart-canvas canvas').length === 3;
    }, `the panel shows ${range ? `${range.start}…${range.end}` : 'data'} with its charts`);
  }

  const daily = async (start: string, end: string, granularity: Granularity = 'day') =>
    (await apiFetch<MetricsSeries>(api, `/metrics/daily?start_date=${start}&end_date=${end}&granularity=${granularity}`)).body.data;

  it('shows tile figures that add up to the API rows of the range, with trends against the previous range', async () => {
    const range = { start: addDays(today, -6), end: today };
    const el = await render(range);
    await loaded(el, range);
    const rows = await daily(range.start, range.end);
    const previousRows = await daily(addDays(range.start, -7), addDays(range.start, -1));
    expect(rows.length).to.equal(7);
    const now = expectedTiles(rows);
    expect(tileValue(el, 'conversations')).to.equal(number.format(now.conversations));
    expect(tileValue(el, 'appointments')).to.equal(number.format(now.appointments));
    expect(tileValue(el, 'escalations')).to.equal(number.format(now.escalations));
    expect(tileValue(el, 'booking-rate')).to.equal(pct(now.bookingRatePct));
    expect(tileValue(el, 'coverage')).to.equal(pct(now.coveragePct));
    expect(tileValue(el, 'response-time')).to.equal(ms(now.avgResponseMs!));
    // The exact figures behind the rounded text.
    const raw = (key: string) => Number(q(el, `.tile[data-key="${key}"] .tile-value`)!.dataset.value);
    expect([raw('conversations'), raw('appointments'), raw('escalations'), raw('booking-rate'), raw('coverage'), raw('response-time')]).to.deep.equal([
      now.conversations,
      now.appointments,
      now.escalations,
      now.bookingRatePct,
      now.coveragePct,
      now.avgResponseMs,
    ]);

    const before = expectedTiles(previousRows);
    const change = ((now.conversations - before.conversations) / before.conversations) * 100;
    const words = Math.abs(change) < 0.05 ? 'No change' : `${change > 0 ? 'Up' : 'Down'} ${percent.format(Math.abs(change) / 100)}`;
    expect(tileTrend(el, 'conversations')).to.equal(`${words} vs previous period`);
    const trend = q(el, '.tile[data-key="conversations"] .trend')!;
    expect(trend.dataset.mood).to.equal(change > 0 ? 'good' : 'bad');
    expect(trend.querySelector('svg.icon'), 'an arrow next to the words').to.exist;
    const points = now.bookingRatePct - before.bookingRatePct;
    expect(tileTrend(el, 'booking-rate')).to.equal(
      Math.abs(points) < 0.05 ? 'No change vs previous period' : `${points > 0 ? 'Up' : 'Down'} ${number.format(Math.abs(points))} pts vs previous period`,
    );
    // Fewer escalations is good news.
    const escalationTrend = q(el, '.tile[data-key="escalations"] .trend')!;
    if (now.escalations !== before.escalations) expect(escalationTrend.dataset.mood).to.equal(now.escalations < before.escalations ? 'good' : 'bad');
    expect(q(el, '.tiles')!.getAttribute('role')).to.equal('status');
  });

  it('has data tables with the numbers of the API for every chart', async () => {
    const range = { start: addDays(today, -9), end: addDays(today, -1) };
    const el = await render(range);
    await loaded(el, range);
    const rows = await daily(range.start, range.end);
    const day = (d: string) => new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${d}T12:00:00Z`));
    expect(tableRows(el, 'booking')).to.deep.equal(
      rows.map((r) => [day(r.period_start), number.format(r.total_conversations), number.format(r.appointments_booked), pct(r.booking_rate_pct)]),
    );
    expect(tableRows(el, 'response')).to.deep.equal(
      rows.map((r) => [day(r.period_start), r.avg_response_time_ms === null ? '–' : ms(r.avg_response_time_ms), r.p95_response_time_ms === null ? '–' : ms(r.p95_response_time_ms)]),
    );
    // A past day: all 24 hours, as the API counts them.
    const hourly = (await apiFetch<HourlySeries>(api, `/metrics/hourly?date=${range.end}`)).body.data;
    const hour = (h: number) => new Intl.DateTimeFormat(LOCALE, { hour: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 1, h)));
    expect(tableRows(el, 'hourly')).to.deep.equal(hourly.map((r) => [hour(r.local_hour), number.format(r.conversations)]));

    const t = expectedTiles(rows);
    const leads = rows.reduce((s, r) => s + r.leads_prescreened, 0);
    const share = (part: number, whole: number) => pct((part / whole) * 100);
    expect(tableRows(el, 'funnel')).to.deep.equal([
      ['Conversations', number.format(t.conversations), '–', pct(100)],
      ['Leads pre-screened', number.format(leads), share(leads, t.conversations), share(leads, t.conversations)],
      ['Appointments booked', number.format(t.appointments), share(t.appointments, leads), share(t.appointments, t.conversations)],
    ]);
    expect(tableRows(el, 'coverage')).to.deep.equal([
      ['Handled by AI', number.format(t.conversations - t.escalations), pct(t.coveragePct)],
      ['Escalated', number.format(t.escalations), pct(100 - t.coveragePct)],
    ]);
    // Each chart says what it shows.
    for (const chart of root(el).querySelectorAll('[role="img"]')) expect(chart.getAttribute('aria-label')).to.match(/\d/);
    for (const table of root(el).querySelectorAll('table')) {
      expect(text(table.querySelector('caption'))).to.not.equal('');
      expect(table.querySelectorAll('th[scope="col"]').length).to.be.greaterThan(1);
    }
  });

  it('refetches with the granularity and default range chosen with the toggle (arrow keys too)', async () => {
    const el = await render();
    await loaded(el, { start: addDays(today, -13), end: today });
    expect(tableRows(el, 'booking')).to.have.length((await daily(addDays(today, -13), today)).length);

    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const weeks = { start: addDays(today, -weekday - 77), end: today };
    const changed = nextEvent<CustomEvent>(el, 'ai-range-change');
    q<HTMLInputElement>(el, 'input[value="day"]')!.focus();
    await sendKeys({ press: 'ArrowRight' });
    expect((await changed).detail).to.deep.equal({ granularity: 'week', start_date: weeks.start, end_date: weeks.end });
    expect(q<HTMLInputElement>(el, 'input[value="week"]')!.checked).to.equal(true);
    await loaded(el, weeks);
    const weekRows = await daily(weeks.start, weeks.end, 'week');
    expect(weekRows.every((r: MetricsPeriod) => r.period_start >= weeks.start)).to.equal(true);
    await until(() => tableRows(el, 'booking').length === weekRows.length, 'one row per week');
    expect(tableRows(el, 'booking').map((r) => r[3])).to.deep.equal(weekRows.map((r) => pct(r.booking_rate_pct)));
    expect(tableRows(el, 'booking')[0]![0]).to.match(/^Week of /);
    expect(tileValue(el, 'conversations')).to.equal(number.format(expectedTiles(weekRows).conversations));

    const d = new Date(`${today}T00:00:00Z`);
    const months = { start: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 5, 1)).toISOString().slice(0, 10), end: today };
    const monthly = nextEvent<CustomEvent>(el, 'ai-range-change');
    q<HTMLInputElement>(el, 'input[value="month"]')!.click();
    expect((await monthly).detail).to.deep.equal({ granularity: 'month', start_date: months.start, end_date: months.end });
    await loaded(el, months);
    const monthRows = await daily(months.start, months.end, 'month');
    await until(() => tableRows(el, 'booking').length === monthRows.length, 'one row per month');
    expect(tableRows(el, 'booking').map((r) => r[1])).to.deep.equal(monthRows.map((r) => number.format(r.total_conversations)));
  });

  it('applies dates typed in, and says why when they do not make a range', async () => {
    const el = await render();
    await loaded(el);
    const start = q<HTMLInputElement>(el, '#start-date')!;
    const end = q<HTMLInputElement>(el, '#end-date')!;
    start.value = addDays(today, -3);
    end.value = addDays(today, -5);
    end.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(text(q(el, '[role="alert"]'))).to.contain('start date must be on or before the end date');

    const changed = nextEvent<CustomEvent>(el, 'ai-range-change');
    end.value = addDays(today, -1);
    end.dispatchEvent(new Event('change'));
    expect((await changed).detail).to.deep.equal({ granularity: 'day', start_date: addDays(today, -3), end_date: addDays(today, -1) });
    await loaded(el, { start: addDays(today, -3), end: addDays(today, -1) });
    expect(q(el, '[role="alert"]')).to.equal(null);
    expect(tableRows(el, 'booking')).to.have.length(3);
  });

  it('exports the rows shown as CSV', async () => {
    const range = { start: addDays(today, -4), end: today };
    const el = await render({ ...range, granularity: 'day' });
    await loaded(el, range);
    const createObjectURL = URL.createObjectURL;
    const click = HTMLAnchorElement.prototype.click;
    let blob: Blob | undefined;
    let filename = '';
    URL.createObjectURL = (b: Blob | MediaSource) => {
      blob = b as Blob;
      return createObjectURL.call(URL, b);
    };
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      filename = this.download;
    };
    try {
      q<HTMLButtonElement>(el, '[part="export"]')!.click();
      await until(() => filename, 'the download starts');
    } finally {
      URL.createObjectURL = createObjectURL;
      HTMLAnchorElement.prototype.click = click;
    }
    expect(filename).to.equal(`metrics-${range.start}-${range.end}.csv`);
    const expected = await apiFetch<string>(api, `/metrics/daily?start_date=${range.start}&end_date=${range.end}&granularity=day&format=csv`);
    const csv = await blob!.text();
    expect(csv).to.equal(expected.body);
    expect(csv.trim().split('\n')).to.have.length(1 + tableRows(el, 'booking').length);
  });

  it('charts resize with their container and are rebuilt in the colours of a new theme', async () => {
    const el = await render();
    await loaded(el);
    const canvasBox = () => q(el, '#chart-booking')!.getBoundingClientRect().width;
    const plotWidth = () => q(el, '#chart-booking .uplot')!.getBoundingClientRect().width;
    await until(() => Math.abs(plotWidth() - canvasBox()) <= 1, 'the chart fills its container');
    const wide = plotWidth();
    el.style.width = '360px';
    await until(() => Math.abs(plotWidth() - canvasBox()) <= 1 && plotWidth() < wide - 100, 'the chart follows its narrower container');
    expect(q<HTMLCanvasElement>(el, '#chart-booking canvas')!.getBoundingClientRect().width).to.be.lessThan(360);

    const before = q(el, '#chart-hourly .uplot');
    el.theme = 'dark';
    await until(() => q(el, '#chart-hourly .uplot') !== before, 'the chart is rebuilt for the dark theme');
    expect(root(el).querySelectorAll('#chart-hourly .uplot')).to.have.length(1);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`is accessible in the ${theme} theme, tables open`, async () => {
      const el = await render({ theme });
      await loaded(el);
      await expect(el).to.be.accessible();
      for (const details of root(el).querySelectorAll('details')) details.open = true;
      await expect(el).to.be.accessible();
    });
  }

  it('tells a client-locked token that these metrics are not available to it', async () => {
    expect(api.tokens.clientLocked).to.be.a('string');
    const el = await render({ token: api.tokens.clientLocked! });
    await until(() => q(el, '[part="error"]'), 'the error');
    const error = q(el, '[part="error"]')!;
    expect(error.getAttribute('role')).to.equal('alert');
    expect(text(error)).to.contain('These metrics are not available to a client-locked token');
    expect(q(el, '[part="retry"]')).to.equal(null);
    expect(q(el, '.tiles')).to.equal(null);
  });

  // Last: it adds an activity to the shared API.
  it('follows metric.update live: today so far at once, the range after a refresh', async function () {
    this.timeout(25_000);
    const el = await render();
    await loaded(el);
    const todayConversations = () => text(q(el, '.today-figure[data-key="conversations"] .today-value'));
    await until(() => todayConversations() !== '', 'today so far');
    const live = (await apiFetch<RealtimeSnapshot>(api, '/metrics/realtime')).body.today.total_conversations;
    expect(todayConversations()).to.equal(number.format(live));
    await until(() => q(el, '[part="connection"]')?.dataset.state === 'connected', 'the stream is connected');
    const tiles = tileValue(el, 'conversations');
    const res = await ingest(api, '/activity', { action_type: 'incoming_call', channel: 'voice', client_name: 'Live metrics caller', outcome_status: 'success' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await until(() => todayConversations() === number.format(live + 1), 'the new conversation counted today', 5000);
    await until(() => tileValue(el, 'conversations') !== tiles, 'the range totals refreshed', 15_000);
    expect(tileValue(el, 'conversations')).to.equal(number.format(expectedTiles(await daily(addDays(today, -13), today)).conversations));
  });
});
