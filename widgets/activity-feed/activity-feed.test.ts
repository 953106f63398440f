import { expect, fixture, html } from '@open-wc/testing';
import { ref } from 'lit/directives/ref.js';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Activity, Conversation, Page } from '../../api/contract.js';
import { apiFetch, ingest, nextEvent, startApi, stopApi, until, type Api } from '../test/api.js';
import type { AiActivityFeed } from './activity-feed.js';
import './activity-feed.js';

const PAGE = 20;

describe('<ai-activity-feed>', () => {
  let api: Api;
  before(async () => (api = await startApi('demo')));
  after(() => stopApi(api));

  const root = (el: AiActivityFeed) => el.shadowRoot!;
  /** The rendered rows in list order (the virtualizer keeps only those near the viewport). */
  const rows = (el: AiActivityFeed) =>
    [...root(el).querySelectorAll<HTMLElement>('.row')].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
  const row = (el: AiActivityFeed, index: number) => root(el).querySelector<HTMLElement>(`.row[data-index="${index}"]`);
  const scroller = (el: AiActivityFeed) => root(el).querySelector<HTMLElement>('.scroller')!;
  const has = (el: AiActivityFeed, id: string) => root(el).querySelector(`.row[data-id="${id}"]`) !== null;
  const pill = (el: AiActivityFeed) => root(el).querySelector<HTMLElement>('[part="new-pill"]');
  const feedPage = async (query: string) => (await apiFetch<Page<Activity>>(api, `/activity/feed?${query}`)).body;

  async function render(token = api.tokens.read, attrs: { pageSize?: number; theme?: 'light' | 'dark'; types?: string } = {}) {
    const el = await fixture<AiActivityFeed>(
      html`<ai-activity-feed api-base=${api.apiBase} token=${token} page-size=${attrs.pageSize ?? PAGE} theme=${attrs.theme ?? 'light'} action-types=${attrs.types ?? ''}></ai-activity-feed>`,
    );
    await until(() => row(el, 0), 'the first row renders');
    return el;
  }

  /** Renders and waits for the live connection, so what is ingested next arrives as an event. */
  async function renderLive(token?: string) {
    const el = await render(token);
    await until(() => root(el).querySelector('[part="connection"][data-state="connected"]'), 'the stream is connected');
    return el;
  }

  let n = 0;
  async function post(more: Partial<Activity> = {}): Promise<Activity> {
    const res = await ingest<{ data: Activity }>(api, '/activity', {
      action_type: 'incoming_call',
      channel: 'voice',
      client_id: `cl_feed_${++n}`,
      client_name: `Feed Test ${n}`,
      message_in: 'Calling about my rate lock.',
      confidence_score: 0.72,
      ...more,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.data;
  }

  /** A local calendar day as a date input holds it, and the instants the widget sends for it. */
  function day(daysAgo: number) {
    const d = new Date();
    d.setDate(d.getDate() - daysAgo);
    const value = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    return { value, from: new Date(`${value}T00:00`).toISOString(), to: new Date(`${value}T23:59:59.999`).toISOString() };
  }

  function setDate(el: AiActivityFeed, which: 'From' | 'To', value: string) {
    const input = [...root(el).querySelectorAll('label')].find((l) => l.textContent!.trim().startsWith(which))!.querySelector('input')!;
    input.value = value;
    input.dispatchEvent(new Event('change'));
  }

  async function openFilters(el: AiActivityFeed) {
    root(el).querySelector('details')!.open = true;
    await until(() => root(el).querySelector('.chip'), 'the filters render when opened');
  }

  const chip = (el: AiActivityFeed, label: string) =>
    [...root(el).querySelectorAll<HTMLButtonElement>('.chip')].find((b) => b.textContent!.trim() === label)!;

  /**
   * Waits until the list shows the first page of `query`: the page is loaded (not the stale rows
   * kept while it loads) and every rendered row is the API's row at its index.
   */
  async function showsFirstPage(el: AiActivityFeed, query: string, message: string): Promise<Page<Activity>> {
    const page = await feedPage(`limit=${PAGE}${query}`);
    const ids = (el: AiActivityFeed) => rows(el).map((r) => r.dataset.id);
    await until(
      () => scroller(el).getAttribute('aria-busy') === 'false' && ids(el).length > 0 && ids(el).join() === page.data.slice(0, ids(el).length).map((a) => a.id).join(),
      message,
    );
    return page;
  }

  it('shows a skeleton, then the newest activities exactly as the API pages them', async () => {
    const el = await fixture<AiActivityFeed>(html`<ai-activity-feed api-base=${api.apiBase} token=${api.tokens.read} page-size=${PAGE}></ai-activity-feed>`);
    expect(!!root(el).querySelector('[part="skeleton"]'), 'skeleton on first load').to.equal(true);
    await until(() => row(el, 0), 'the first row renders');
    const page = await feedPage(`limit=${PAGE}`);
    const shown = rows(el);
    expect(shown.length).to.be.greaterThan(3);
    expect(shown.map((r) => r.dataset.id)).to.deep.equal(page.data.slice(0, shown.length).map((a) => a.id));

    const first = page.data[0]!;
    const text = shown[0]!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.include(first.client_name ?? first.client_phone ?? 'Unknown caller');
    expect(shown[0]!.querySelector('time')!.getAttribute('datetime')).to.equal(first.timestamp);
    expect(shown[0]!.querySelector('time')!.title).to.not.equal('');
    expect(shown[0]!.querySelector('[part="outcome"]')!.textContent!.trim().toLowerCase()).to.equal(first.outcome_status);
    expect(scroller(el).getAttribute('role')).to.equal('log');
    expect(scroller(el).getAttribute('aria-label')).to.be.a('string').and.not.equal('');
  });

  it('prepends a posted activity live, once', async () => {
    const el = await renderLive();
    const posted = await post({ action_type: 'appointment_booked', channel: 'sms', confidence_score: 0.95 });
    await until(() => row(el, 0)?.dataset.id === posted.id, 'the posted activity is the first row');
    const text = row(el, 0)!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.include('Appointment booked').and.include(posted.client_name!).and.include('SMS').and.include('95% high');
    expect(root(el).querySelectorAll(`.row[data-id="${posted.id}"]`).length).to.equal(1);
    expect(pill(el) === null, 'no pill').to.equal(true);
  });

  it('filters by action type (several) and refetches the first page; live events outside the filter are not inserted', async () => {
    const el = await renderLive();
    await openFilters(el);
    chip(el, 'Appointment booked').click();
    await el.updateComplete;
    expect(scroller(el).getAttribute('aria-busy'), 'stale rows stay while the filtered page loads').to.equal('true');
    // The stale first row may already be the newest booking (the test before posted one): the
    // filtered page counts only once it has loaded.
    const page = await showsFirstPage(el, '&action_type=appointment_booked', 'the filtered first page');
    expect(page.data.every((a) => a.action_type === 'appointment_booked')).to.equal(true);
    expect(chip(el, 'Appointment booked').getAttribute('aria-pressed')).to.equal('true');

    chip(el, 'Escalated').click();
    await el.updateComplete;
    await showsFirstPage(el, '&action_type=appointment_booked&action_type=escalated', 'the first page of both types');
    expect(el.actionTypes).to.equal('appointment_booked,escalated');

    const outside = await post({ action_type: 'faq_answered' });
    const inside = await post({ action_type: 'escalated', outcome_status: 'escalated' });
    await until(() => row(el, 0)?.dataset.id === inside.id, 'the matching live activity is inserted');
    expect(has(el, outside.id), 'an activity outside the filter').to.equal(false);
  });

  it('starts with the action-types attribute as its filter', async () => {
    const el = await render(api.tokens.read, { types: 'escalated,ai_uncertainty' });
    const page = await feedPage(`limit=${PAGE}&action_type=escalated&action_type=ai_uncertainty`);
    expect(rows(el).map((r) => r.dataset.id)).to.deep.equal(page.data.slice(0, rows(el).length).map((a) => a.id));
    expect(root(el).querySelector('summary')!.textContent).to.include('(2)');
  });

  it('filters by a date range in local days, and says when nothing matches', async () => {
    const el = await render();
    await openFilters(el);
    const { value, from, to } = day(3);
    setDate(el, 'From', value);
    setDate(el, 'To', value);
    const page = await showsFirstPage(el, `&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, 'the first page of that day');
    expect(page.data.length).to.be.greaterThan(0);

    const old = day(400).value;
    setDate(el, 'From', old);
    setDate(el, 'To', old);
    await until(() => root(el).querySelector('[part="empty"]'), 'the empty state');
    expect(root(el).querySelector('[part="empty"]')!.textContent).to.include('No activity matches these filters');
  });

  it('loads the next page with the cursor when scrolled to the end', async () => {
    const el = await render();
    const first = await feedPage(`limit=${PAGE}`);
    const next = await feedPage(`limit=${PAGE}&cursor=${encodeURIComponent(first.next_cursor!)}`);
    const list = scroller(el);
    await until(() => {
      list.scrollTop = list.scrollHeight;
      return row(el, PAGE + 2);
    }, 'rows of the second page render');
    const beyond = rows(el).filter((r) => Number(r.dataset.index) >= PAGE && Number(r.dataset.index) < 2 * PAGE);
    expect(beyond.length).to.be.greaterThan(2);
    for (const r of beyond) expect(r.dataset.id).to.equal(next.data[Number(r.dataset.index) - PAGE]!.id);
  });

  it('holds live activities behind an "N new" pill while scrolled away (no jump), and reveals them on demand', async () => {
    const el = await renderLive();
    const page = await feedPage(`limit=${PAGE}`);
    const list = scroller(el);
    await until(() => {
      list.scrollTop = 300;
      return list.scrollTop >= 300;
    }, 'the list scrolls');
    list.dispatchEvent(new Event('scroll'));
    const posted = await post();
    await until(() => pill(el)?.textContent?.includes('1 new'), 'the pill counts one new activity');
    expect(!!pill(el)!.closest('[role="status"]'), 'the count is announced').to.equal(true);
    expect(list.scrollTop).to.equal(300);
    // Every row is still where it was: nothing was inserted above.
    for (const r of rows(el)) expect(r.dataset.id).to.equal(page.data[Number(r.dataset.index)]?.id);
    expect(has(el, posted.id), 'the held activity is not shown').to.equal(false);

    pill(el)!.click();
    await until(() => row(el, 0)?.dataset.id === posted.id && list.scrollTop === 0, 'revealed at the top');
    await until(() => root(el).activeElement === row(el, 0), 'focus moves to the newest row');
    expect(pill(el) === null, 'no pill').to.equal(true);
  });

  it('pauses live updates (held and counted) and applies them on resume', async () => {
    const el = await renderLive();
    const pause = root(el).querySelector<HTMLButtonElement>('[part="pause-button"]')!;
    pause.click();
    await el.updateComplete;
    expect(el.paused).to.equal(true);
    expect(pause.getAttribute('aria-pressed')).to.equal('true');
    expect(root(el).querySelector('[part="connection"]')!.textContent).to.include('Paused');
    const top = row(el, 0)!.dataset.id;
    const posted = await post();
    await until(() => pill(el)?.textContent?.includes('1 new'), 'the held activity is counted');
    expect(row(el, 0)!.dataset.id).to.equal(top);

    pause.click();
    await until(() => row(el, 0)?.dataset.id === posted.id, 'resuming applies it');
    expect(pause.getAttribute('aria-pressed')).to.equal('false');
    expect(pill(el) === null, 'no pill').to.equal(true);
  });

  it('moves between rows with the arrow keys, Home and End', async () => {
    const el = await render();
    row(el, 0)!.focus();
    expect(row(el, 0)!.tabIndex).to.equal(0);
    expect(row(el, 1)!.tabIndex).to.equal(-1);
    await sendKeys({ press: 'ArrowDown' });
    await until(() => root(el).activeElement === row(el, 1), 'focus on the second row');
    expect(row(el, 1)!.tabIndex).to.equal(0);
    await sendKeys({ press: 'End' });
    await until(() => (root(el).activeElement as HTMLElement | null)?.dataset.index === String(PAGE - 1), 'focus on the last loaded row');
    await sendKeys({ press: 'Home' });
    await until(() => root(el).activeElement === row(el, 0), 'focus back on the first row');
  });

  it('expands a row on Enter with its conversation summary and fires ai-activity-select', async () => {
    const el = await render();
    const page = await feedPage(`limit=${PAGE}`);
    const index = page.data.findIndex((a) => a.conversation_id);
    expect(index, 'a seeded activity with a conversation').to.be.at.least(0);
    const activity = page.data[index]!;
    const conversation = (await apiFetch<Conversation>(api, `/conversations/${activity.conversation_id}`)).body;
    const target = row(el, index)!;
    target.focus();
    const selected = nextEvent<CustomEvent<{ activity: Activity }>>(el, 'ai-activity-select');
    await sendKeys({ press: 'Enter' });
    const event = await selected;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail.activity.id).to.equal(activity.id);
    expect(target.getAttribute('aria-expanded')).to.equal('true');
    const details = () => root(el).querySelector(`#${CSS.escape(target.getAttribute('aria-controls')!)}`);
    await until(() => details()?.textContent?.includes(conversation.summary!), 'the conversation summary shows');
    expect(details()!.getAttribute('part')).to.equal('details');
    expect(details()!.textContent).to.include(conversation.sentiment!);

    await sendKeys({ press: 'Enter' });
    await until(() => target.getAttribute('aria-expanded') === 'false', 'Enter again collapses it');
  });

  it('renders markup in untrusted text as inert text', async () => {
    const el = await renderLive();
    const hostile = '<img src=x onerror="window.__feedXss=1"><script>window.__feedXss=2</script>';
    const posted = await post({ client_name: '<b>Mallory</b>', message_in: hostile });
    await until(() => row(el, 0)?.dataset.id === posted.id, 'the hostile activity is shown');
    const r = row(el, 0)!;
    expect(r.querySelectorAll('img, script, b').length, 'elements made from the text').to.equal(0);
    expect(r.textContent).to.include(hostile).and.include('<b>Mallory</b>');
    expect((window as { __feedXss?: number }).__feedXss).to.equal(undefined);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`passes axe in theme="${theme}" (filters open, a row expanded)`, async () => {
      const el = await render(api.tokens.read, { theme });
      await openFilters(el);
      chip(el, 'Incoming call').click();
      await el.updateComplete;
      const page = await feedPage(`limit=${PAGE}&action_type=incoming_call`);
      await until(() => scroller(el).getAttribute('aria-busy') === 'false' && row(el, 0)?.dataset.id === page.data[0]!.id, 'the filtered list');
      row(el, 0)!.click();
      await until(() => root(el).querySelector('[part="details"] dd'), 'the expanded row');
      await expect(el).to.be.accessible();
    });
  }

  it('renders the rows that come on screen when the page around it changes, without a scroll', async () => {
    window.scrollTo(0, 0);
    const viewport = { width: window.innerWidth, height: window.innerHeight };
    // Below the fold, farther down than the rows the virtualizer renders beyond the viewport.
    const below = viewport.height + 800;
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <div class="spacer" ${ref((d) => d && ((d as HTMLElement).style.height = `${below}px`))}></div>
      <ai-activity-feed api-base=${api.apiBase} token=${api.tokens.read} page-size=${PAGE}></ai-activity-feed>
    </div>`);
    const el = wrapper.querySelector('ai-activity-feed')!;
    const spacer = wrapper.querySelector<HTMLElement>('.spacer')!;
    await until(() => root(el).querySelector('.scroller')?.getAttribute('aria-busy') === 'false', 'the first page is loaded');
    await until(() => !row(el, 0), 'no row is rendered off screen');

    // The window made taller: the list comes on screen, though nothing scrolled and nothing in it changed size.
    await setViewport({ width: viewport.width, height: below + 300 });
    try {
      await until(() => row(el, 0), 'rows render once the window shows the list');
    } finally {
      await setViewport(viewport);
    }

    // Pushed off screen and back by the content above it.
    spacer.style.height = `${below + 1000}px`;
    await until(() => !row(el, 0), 'the rows go once the list is off screen');
    spacer.style.height = '0px';
    await until(() => row(el, 0), 'rows render once the content above shrinks');
    expect(window.scrollY, 'nothing scrolled').to.equal(0);
  });

  it('shows only the locked client’s activities to a client-locked token', async () => {
    const el = await render(api.tokens.clientLocked!);
    const page = await feedPage(`limit=${PAGE}&client_id=${encodeURIComponent(api.clientId!)}`);
    expect(rows(el).map((r) => r.dataset.id)).to.deep.equal(page.data.slice(0, rows(el).length).map((a) => a.id));
  });

  it('shows a client-locked token only the locked client’s live activities', async () => {
    const el = await renderLive(api.tokens.clientLocked!);
    const someoneElse = await post();
    const theirs = await post({ client_id: api.clientId!, client_name: 'Locked Client' });
    await until(() => row(el, 0)?.dataset.id === theirs.id, 'the locked client’s live activity shows');
    expect(has(el, someoneElse.id), 'another client’s live activity').to.equal(false);
  });

  it('explains a refused token and retries', async () => {
    const el = await fixture<AiActivityFeed>(html`<ai-activity-feed api-base=${api.apiBase} token="not-a-token"></ai-activity-feed>`);
    await until(() => root(el).querySelector('[part="error"]'), 'the error state');
    expect(root(el).querySelector('[part="error"]')!.textContent).to.include('Not signed in');
    el.token = api.tokens.read;
    await until(() => row(el, 0), 'a new token loads the feed');
  });

  describe('on an empty tenant', () => {
    let empty: Api;
    before(async () => (empty = await startApi('empty')));
    after(() => stopApi(empty));

    it('says there is no activity yet, then shows live activity and the end of the list', async () => {
      const el = await fixture<AiActivityFeed>(html`<ai-activity-feed api-base=${empty.apiBase} token=${empty.tokens.read}></ai-activity-feed>`);
      await until(() => root(el).querySelector('[part="empty"]'), 'the empty state');
      expect(root(el).querySelector('[part="empty"]')!.textContent).to.include('No activity yet');
      await until(() => root(el).querySelector('[part="connection"][data-state="connected"]'), 'the stream is connected');
      const res = await ingest<{ data: Activity }>(empty, '/activity', { action_type: 'faq_answered', channel: 'chat' });
      expect(res.status).to.equal(201);
      await until(() => row(el, 0)?.dataset.id === res.body.data.id, 'the live activity shows');
      expect(row(el, 0)!.textContent).to.include('Unknown caller');
      expect(root(el).querySelector('.footer')!.textContent).to.include('End of activity');
    });
  });
});
