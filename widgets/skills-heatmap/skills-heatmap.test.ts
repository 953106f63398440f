import { expect, fixture, html } from '@open-wc/testing';
import { ref } from 'lit/directives/ref.js';
import { sendKeys } from '@web/test-runner-commands';
import type { Skill, SkillDetail } from '../../api/contract.js';
import { apiFetch, ingest, nextEvent, startApi, stopApi, until, type Api } from '../test/api.js';
import { levelOf } from './skills-heatmap.component.js';
import './skills-heatmap.js';
import type { AiSkillsHeatmap } from './skills-heatmap.js';

const LOCALE = 'en-US';
const WORD = { healthy: 'Healthy', watch: 'Watch', needs_retraining: 'Needs retraining' } as const;
const HOSTILE = '<img src=x onerror=alert(1)>';

const root = (el: Element) => el.shadowRoot!;
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const rows = (el: Element) => [...root(el).querySelectorAll<HTMLTableRowElement>('tbody tr[part~="row"]')];
const names = (el: Element) => rows(el).map((r) => r.dataset.skill);
const skillButton = (el: Element, name: string) =>
  [...root(el).querySelectorAll<HTMLButtonElement>('[part~="skill-button"]')].find((b) => b.dataset.skill === name)!;
const percent = (share: number) => new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 1 }).format(share);

describe('<ai-skills-heatmap>', () => {
  let api: Api;

  before(async () => {
    api = await startApi('demo');
  });
  after(() => stopApi(api));

  const skillsBy = async (sort: string) => (await apiFetch<{ data: Skill[] }>(api, `/skills?sort=${sort}`)).body.data;

  async function render(attrs: { token?: string; sort?: string; view?: string; theme?: 'light' | 'dark' } = {}) {
    const el = await fixture<AiSkillsHeatmap>(html`<ai-skills-heatmap
      api-base=${api.apiBase}
      token=${attrs.token ?? api.tokens.read}
      locale=${LOCALE}
      sort=${attrs.sort ?? 'accuracy'}
      view=${attrs.view ?? 'table'}
      theme=${attrs.theme ?? 'light'}
    ></ai-skills-heatmap>`);
    return el;
  }

  async function loaded(el: AiSkillsHeatmap, expected: Skill[]): Promise<void> {
    const want = expected.map((s) => s.skill_name);
    await until(() => JSON.stringify(names(el)) === JSON.stringify(want), `the rows in the order ${want.join(', ')}`);
  }

  async function openDetail(el: AiSkillsHeatmap, name: string): Promise<SkillDetail> {
    const { status, body } = await apiFetch<SkillDetail>(api, `/skills/${encodeURIComponent(name)}`);
    expect(status).to.equal(200);
    await until(() => root(el).querySelector('[part="detail"] [data-stat="usage"]'), 'the detail');
    return body;
  }

  it('lists the skills of GET /skills in the API’s order for each sort, by the select and by the column headers', async () => {
    const el = await render();
    const byAccuracy = await skillsBy('accuracy');
    expect(byAccuracy.length, 'the demo tenant has skills').to.be.greaterThan(3);
    await loaded(el, byAccuracy);
    const header = (sort: string) => root(el).querySelector(`[data-sort="${sort}"]`)!.closest('th')!;
    expect(header('accuracy').getAttribute('aria-sort')).to.equal('descending');
    expect(header('usage').hasAttribute('aria-sort')).to.equal(false);

    const select = root(el).querySelector<HTMLSelectElement>('[part="sort-select"]')!;
    select.value = 'usage';
    select.dispatchEvent(new Event('change'));
    await loaded(el, await skillsBy('usage'));
    expect(header('usage').getAttribute('aria-sort')).to.equal('descending');
    expect(header('accuracy').hasAttribute('aria-sort')).to.equal(false);

    root(el).querySelector<HTMLButtonElement>('[data-sort="trend"]')!.click();
    const byTrend = await skillsBy('trend');
    await loaded(el, byTrend);
    expect(header('trend').getAttribute('aria-sort')).to.equal('ascending');
    expect(select.value).to.equal('trend');
    expect(el.sort).to.equal('trend');

    // Every figure of every row.
    for (const [i, s] of byTrend.entries()) {
      const cells = rows(el)[i]!;
      const col = (name: string) => text(cells.querySelector(`[data-col="${name}"]`));
      expect(text(cells.querySelector('th [part~="skill-button"]'))).to.equal(s.skill_name);
      expect(text(cells.querySelector('th .category')), 'the category under the name').to.equal(s.skill_category);
      expect(col('accuracy')).to.equal(s.accuracy_score === null ? '—' : percent(s.accuracy_score));
      expect(col('accuracy-7d')).to.equal(s.accuracy_score_7day === null ? '—' : percent(s.accuracy_score_7day));
      expect(col('usage')).to.equal(new Intl.NumberFormat(LOCALE).format(s.usage_count));
      const trend = cells.querySelector<HTMLElement>('[part="trend"]')!;
      if (s.trend === null) expect(col('trend')).to.equal('—');
      else {
        expect(trend.dataset.direction).to.equal(s.trend > 0.0005 ? 'up' : s.trend < -0.0005 ? 'down' : 'flat');
        const points = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 }).format(Math.abs(s.trend * 100));
        if (Math.abs(s.trend) > 0.0005) expect(col('trend')).to.equal(`${s.trend > 0 ? '+' : '-'}${points} pts`);
        expect(trend.querySelector('svg'), 'an arrow').to.exist;
      }
    }
  });

  // The table shows every column from 641 px up; narrower, a card per skill.
  for (const width of [288, 328, 520, 650, 780]) {
    it(`shows every figure and the status without overlap or sideways scrolling ${width} px wide`, async () => {
      // The width through CSSOM: the test page's CSP refuses a style attribute.
      const wrapper = await fixture<HTMLDivElement>(html`<div ${ref((d) => d && ((d as HTMLElement).style.width = `${width}px`))}>
        <ai-skills-heatmap api-base=${api.apiBase} token=${api.tokens.read} locale=${LOCALE}></ai-skills-heatmap>
      </div>`);
      const el = wrapper.querySelector('ai-skills-heatmap')!;
      await loaded(el, await skillsBy('accuracy'));
      const box = root(el).querySelector<HTMLElement>('.scroll')!;
      expect(box.scrollWidth, 'nothing to scroll sideways to').to.be.at.most(box.clientWidth);
      const edge = box.getBoundingClientRect();
      const apart = (a: DOMRect, b: DOMRect) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
      for (const row of rows(el)) {
        const what = (selector: string) => {
          // The content itself (a figure may overflow its cell): a range around the cell's children.
          const range = document.createRange();
          range.selectNodeContents(row.querySelector(selector)!);
          return range.getBoundingClientRect();
        };
        const boxes = ['th', '[data-col="accuracy"]', '[data-col="accuracy-7d"]', '[data-col="trend"]', '[data-col="usage"]', '[data-col="status"]'].map(what);
        for (const [i, a] of boxes.entries()) {
          expect(a.left, `${row.dataset.skill}: inside the panel`).to.be.at.least(edge.left - 0.5);
          expect(a.right, `${row.dataset.skill}: inside the panel`).to.be.at.most(edge.right + 0.5);
          for (const b of boxes.slice(i + 1)) expect(apart(a, b), `${row.dataset.skill}: no figure runs into another`).to.equal(true);
        }
      }
    });
  }

  it('takes the sort attribute', async () => {
    const el = await render({ sort: 'usage' });
    await loaded(el, await skillsBy('usage'));
  });

  it('shows each status as colour, icon and word', async () => {
    const el = await render();
    const skills = await skillsBy('accuracy');
    await loaded(el, skills);
    for (const [i, s] of skills.entries()) {
      const badge = rows(el)[i]!.querySelector<HTMLElement>('[part="status"]')!;
      expect(badge.dataset.status).to.equal(s.status);
      expect(text(badge)).to.equal(WORD[s.status]);
      expect(badge.querySelector('svg'), 'an icon').to.exist;
    }
    expect(new Set(skills.map((s) => s.status)).size, 'the demo data has more than one status').to.be.greaterThan(1);
    const colours = new Set(rows(el).map((r) => getComputedStyle(r.querySelector('[part="status"]')!).color));
    expect(colours.size).to.equal(new Set(skills.map((s) => s.status)).size);
  });

  it('shows a skills × 14-day heatmap whose cells carry the API’s accuracies', async () => {
    const el = await render({ view: 'heatmap' });
    const skills = await skillsBy('accuracy');
    await loaded(el, skills);
    const days = skills[0]!.daily_accuracy.map((d) => d.date);
    expect(days).to.have.length(14);
    expect([...root(el).querySelectorAll<HTMLElement>('thead .day')].map((th) => th.dataset.date)).to.deep.equal(days);
    let empty = 0;
    for (const [i, s] of skills.entries()) {
      const cells = [...rows(el)[i]!.querySelectorAll<HTMLElement>('[part="cell"]')];
      expect(cells.map((c) => c.dataset.date)).to.deep.equal(s.daily_accuracy.map((d) => d.date));
      for (const [j, d] of s.daily_accuracy.entries()) {
        const cell = cells[j]!;
        expect(cell.dataset.accuracy).to.equal(d.accuracy === null ? '' : String(d.accuracy));
        expect(cell.dataset.level).to.equal(String(levelOf(d.accuracy)));
        if (d.accuracy === null) {
          empty++;
          expect(text(cell)).to.include('No activity');
          expect(cell.title).to.include('no activity');
        } else {
          expect(text(cell)).to.equal(new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 }).format(d.accuracy));
          expect(cell.title).to.include(`${s.skill_name}, `).and.include(`${percent(d.accuracy)} of ${d.total} outcome`);
        }
      }
    }
    // Different accuracies get different colours; an empty day looks unlike any of them.
    const background = (level: number) => {
      const cell = root(el).querySelector<HTMLElement>(`[part="cell"][data-level="${level}"]`) ?? root(el).querySelector<HTMLElement>(`.swatch[data-level="${level}"]`)!;
      return getComputedStyle(cell).backgroundImage + getComputedStyle(cell).backgroundColor;
    };
    expect(new Set([0, 1, 2, 3, 4, 5].map(background)).size).to.equal(6);
    expect(text(root(el).querySelector('[part="legend"]'))).to.include('No activity').and.include('≥ 95%');
    expect(empty + skills.length * 14).to.be.greaterThan(0);
    // The skill names stay in view while the heatmap scrolls in its own box.
    expect(getComputedStyle(rows(el)[0]!.querySelector('th')!).position).to.equal('sticky');
  });

  it('switches between the table and the heatmap', async () => {
    const el = await render();
    await loaded(el, await skillsBy('accuracy'));
    const viewButton = (view: string) => root(el).querySelector<HTMLButtonElement>(`[part="view-button"][data-view="${view}"]`)!;
    expect(viewButton('table').getAttribute('aria-pressed')).to.equal('true');
    viewButton('heatmap').click();
    await el.updateComplete;
    expect(el.view).to.equal('heatmap');
    expect(viewButton('heatmap').getAttribute('aria-pressed')).to.equal('true');
    expect(root(el).querySelector('[part="heatmap"]')).to.exist;
    expect(root(el).querySelector('[part="table"]')).to.equal(null);
  });

  it('opens a skill’s detail on click, fires ai-skill-select, and shows GET /skills/{name}', async () => {
    const el = await render();
    const skills = await skillsBy('accuracy');
    await loaded(el, skills);
    const skill = skills.find((s) => s.usage_count > 0 && s.status !== 'healthy') ?? skills[0]!;
    const event = nextEvent<CustomEvent<{ skill: Skill }>>(el, 'ai-skill-select');
    rows(el)
      .find((r) => r.dataset.skill === skill.skill_name)!
      .querySelector<HTMLElement>('[data-col="usage"]')!
      .click();
    const fired = await event;
    expect(fired.bubbles && fired.composed).to.equal(true);
    expect(fired.detail.skill).to.deep.equal(skill);
    expect(skillButton(el, skill.skill_name).getAttribute('aria-expanded')).to.equal('true');

    const detail = await openDetail(el, skill.skill_name);
    const panel = root(el).querySelector('[part="detail"]')!;
    expect(text(panel.querySelector('h3'))).to.equal(skill.skill_name);
    expect(text(panel.querySelector('[data-stat="accuracy"]'))).to.equal(detail.accuracy_score === null ? '—' : percent(detail.accuracy_score));
    expect(text(panel.querySelector('[data-stat="usage"]'))).to.equal(new Intl.NumberFormat(LOCALE).format(detail.usage_count));
    expect(text(panel.querySelector('[part="status"]'))).to.equal(WORD[detail.status]);

    // The chart (uPlot) and its data table: 30 days.
    expect(detail.daily_accuracy).to.have.length(30);
    await until(() => panel.querySelector('[part="chart"] canvas'), 'the chart is drawn');
    expect(panel.querySelector('[part="chart"]')!.getAttribute('role')).to.equal('img');
    const tableRows = [...panel.querySelectorAll<HTMLElement>('[part="chart-table"] tbody tr')];
    expect(tableRows.map((r) => r.dataset.date)).to.deep.equal(detail.daily_accuracy.map((d) => d.date));
    for (const [i, d] of detail.daily_accuracy.entries()) {
      const [accuracy, total] = [...tableRows[i]!.querySelectorAll('td')].map((td) => text(td));
      expect(accuracy).to.equal(d.accuracy === null ? '—' : percent(d.accuracy));
      expect(total).to.equal(String(d.total));
    }

    // Recent failures: the callers' words and the errors' root causes.
    const { activities, errors } = detail.recent_failures;
    expect(activities.length + errors.length, 'the demo skill has failures').to.be.greaterThan(0);
    const words = [...panel.querySelectorAll('[data-kind="activities"] li')].map((li) => text(li.querySelector('.words')));
    expect(words).to.deep.equal(activities.map((a) => a.message_in ?? '(nothing recorded)'));
    const causes = [...panel.querySelectorAll('[data-kind="errors"] li')].map((li) => text(li.querySelector('.cause')));
    expect(causes).to.deep.equal(errors.map((e) => `Root cause: ${e.root_cause ?? 'Not diagnosed yet'}`));

    // Close returns focus to the skill.
    panel.querySelector<HTMLButtonElement>('[part="close-button"]')!.click();
    await until(() => root(el).activeElement === skillButton(el, skill.skill_name), 'focus back on the skill');
    expect(root(el).querySelector('[part="detail"]')).to.equal(null);
    expect(skillButton(el, skill.skill_name).getAttribute('aria-expanded')).to.equal('false');
  });

  it('opens a skill’s detail with the keyboard, from the heatmap too', async () => {
    const el = await render({ view: 'heatmap' });
    const skills = await skillsBy('accuracy');
    await loaded(el, skills);
    const name = skills.at(-1)!.skill_name;
    skillButton(el, name).focus();
    const event = nextEvent<CustomEvent<{ skill: Skill }>>(el, 'ai-skill-select');
    await sendKeys({ press: 'Enter' });
    expect((await event).detail.skill.skill_name).to.equal(name);
    await openDetail(el, name);
  });

  it('renders untrusted text in recent failures as inert text', async () => {
    const skill = (await skillsBy('usage'))[0]!.skill_name;
    const activity = await ingest(api, '/activity', {
      action_type: 'incoming_text',
      channel: 'sms',
      client_name: '<b>Mallory</b>',
      message_in: HOSTILE,
      message_out: '<script>alert(2)</script>',
      skill_name: skill,
      outcome_status: 'failed',
    });
    expect(activity.status, JSON.stringify(activity.body)).to.equal(201);
    const error = await ingest(api, '/errors', { error_type: 'other', severity: 'high', skill_name: skill, message_in: HOSTILE, root_cause: `Cause ${HOSTILE}` });
    expect(error.status, JSON.stringify(error.body)).to.equal(201);

    const el = await render({ sort: 'usage' });
    await loaded(el, await skillsBy('usage'));
    skillButton(el, skill).click();
    await openDetail(el, skill);
    const panel = root(el).querySelector('[part="failures"]')!;
    expect(text(panel.querySelector('[data-kind="activities"] li .words'))).to.equal(HOSTILE);
    expect(text(panel.querySelector('[data-kind="activities"] li .client'))).to.equal('<b>Mallory</b>');
    expect(text(panel.querySelector('[data-kind="activities"] li .answer'))).to.include('<script>alert(2)</script>');
    expect(text(panel.querySelector('[data-kind="errors"] li .cause'))).to.equal(`Root cause: Cause ${HOSTILE}`);
    expect(root(el).querySelector('img, script, b'), 'no element made of the text').to.equal(null);
  });

  it('follows the live activity: today’s cell counts an ingested outcome', async function () {
    this.timeout(20_000);
    const el = await render({ view: 'heatmap' });
    const skills = await skillsBy('accuracy');
    await loaded(el, skills);
    await until(() => root(el).querySelector('[part="connection"]')?.getAttribute('data-state') === 'connected', 'live');
    const skill = skills[0]!;
    const today = () => [...rows(el)[0]!.querySelectorAll<HTMLElement>('[part="cell"]')].at(-1)!;
    const before = skill.daily_accuracy.at(-1)!;
    const res = await ingest(api, '/activity', { action_type: 'faq_answered', channel: 'chat', skill_name: skill.skill_name, outcome_status: 'success' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const after = (await skillsBy('accuracy')).find((s) => s.skill_name === skill.skill_name)!.daily_accuracy.at(-1)!;
    expect(after.total).to.equal(before.total + 1);
    await until(() => today().dataset.accuracy === String(after.accuracy) && today().title.includes(`of ${after.total} outcome`), 'today’s cell refreshed', 12_000);
  });

  it('tells a client-locked token that skills are not available to it', async () => {
    expect(api.tokens.clientLocked).to.be.a('string');
    const el = await render({ token: api.tokens.clientLocked! });
    await until(() => root(el).querySelector('[part="error"]'), 'the error');
    const error = root(el).querySelector('[part="error"]')!;
    expect(error.getAttribute('role')).to.equal('alert');
    expect(text(error)).to.include('not available to a token limited to one client');
    expect(error.querySelector('[part="retry"]')).to.equal(null);
    expect(root(el).querySelector('[part="table"], [part="heatmap"]')).to.equal(null);
  });

  it('shows a skeleton first, and an error with a retry when the API cannot be reached', async () => {
    const el = await fixture<AiSkillsHeatmap>(html`<ai-skills-heatmap api-base="http://127.0.0.1:9" token=${api.tokens.read}></ai-skills-heatmap>`);
    expect(root(el).querySelector('[part="skeleton"]')).to.exist;
    await until(() => root(el).querySelector('[part="error"] [part="retry"]'), 'the error with a retry');
    el.apiBase = api.apiBase;
    await loaded(el, await skillsBy('accuracy'));
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const view of ['table', 'heatmap'] as const) {
      it(`passes axe in theme="${theme}", view="${view}", with a detail open`, async () => {
        const el = await render({ theme, view });
        const skills = await skillsBy('accuracy');
        await loaded(el, skills);
        const name = skills.find((s) => s.status !== 'healthy')?.skill_name ?? skills[0]!.skill_name;
        skillButton(el, name).click();
        await openDetail(el, name);
        root(el).querySelector<HTMLDetailsElement>('[part="chart-table"]')!.open = true;
        await until(() => root(el).querySelector('[part="connection"]')?.getAttribute('data-state') === 'connected', 'live');
        await expect(el).to.be.accessible();
      });
    }
  }
});
