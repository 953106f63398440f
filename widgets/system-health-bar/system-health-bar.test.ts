import { expect, fixture, html } from '@open-wc/testing';
import { ref } from 'lit/directives/ref.js';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import type { Component, SystemHealth } from '../../api/contract.js';
import { apiFetch, ingest, nextEvent, restartApi, startApi, stopApi, streamCount, until, type Api } from '../test/api.js';
import '../conversation/conversation.js';
import type { AiConversation } from '../conversation/conversation.js';
import './system-health-bar.js';
import type { AiSystemHealthBar } from './system-health-bar.js';

const WORD = { active: 'Operational', degraded: 'Degraded', down: 'Down', unknown: 'Unknown' } as const;

const q = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const chip = (el: Element, name: string) => q<HTMLButtonElement>(el, `li[data-name="${name}"] [part~="chip"]`);
const tooltip = (el: Element, name: string) => q(el, `li[data-name="${name}"] [role="tooltip"]`)!;
const isOpen = (tip: Element) => tip.matches(':popover-open');
const badge = (el: Element) => q(el, '[part="connection"]')?.dataset.state;
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

/** Moves the real mouse to the centre of an element. */
async function hover(target: Element): Promise<void> {
  const r = target.getBoundingClientRect();
  await sendMouse({ type: 'move', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

/** Sets an element's width through CSSOM: a style attribute would be refused by the test page's CSP (style-src 'self'). */
const width = (px: number) => ref((el) => el && ((el as HTMLElement).style.width = `${px}px`));

describe('<ai-system-health-bar>', () => {
  let api: Api;
  /** A component ingested as down three times in a row, before any widget loads. */
  const FAILING = 'a_test_gateway';
  let failing: Component;

  before(async () => {
    api = await startApi('demo');
    for (let i = 0; i < 3; i++) {
      const res = await ingest<{ data: Component }>(api, `/system-health/${FAILING}`, { status: 'down', latency_ms: 1234, error_rate: 0.25, message: 'HTTP 503 from the gateway' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      failing = res.body.data;
    }
    expect(failing.consecutive_failures).to.equal(3);
  });
  after(async () => {
    await resetMouse();
    await stopApi(api);
  });
  afterEach(() => resetMouse());

  const bar = async (theme: 'light' | 'dark' = 'light') => {
    const el = await fixture<AiSystemHealthBar>(html`<ai-system-health-bar api-base=${api.apiBase} token=${api.tokens.read} theme=${theme}></ai-system-health-bar>`);
    await until(() => q(el, '[part~="chip"]'), 'the chips render');
    return el;
  };

  it('renders every component of GET /system-health with its status word, icon and an overall summary', async () => {
    const { body } = await apiFetch<SystemHealth>(api, '/system-health');
    const el = await bar();
    const chips = [...el.shadowRoot!.querySelectorAll('[part~="chip"]')];
    expect(chips.map((c) => c.closest('li')!.dataset.name)).to.deep.equal(body.data.map((c) => c.component_name));
    for (const component of body.data) {
      const button = chip(el, component.component_name)!;
      expect(text(button.querySelector('[part="chip-status"]'))).to.equal(WORD[component.status]);
      expect(button.querySelector('[part="chip-icon"] svg'), 'an icon beside the colour').to.exist;
      expect(button.getAttribute('aria-describedby')).to.equal(tooltip(el, component.component_name).id);
    }
    expect(text(chip(el, 'voice_endpoint')?.querySelector('[part="chip-label"]'))).to.equal('Voice endpoint');
    expect(text(chip(el, 'sms_integration')?.querySelector('[part="chip-label"]'))).to.equal('SMS integration');

    const { down, degraded, unknown } = body.summary;
    expect(down).to.be.greaterThan(0);
    const expected = [down && `${down} down`, degraded && `${degraded} degraded`, unknown && `${unknown} unknown`].filter(Boolean).join(', ');
    const summary = q(el, '[part="summary"]')!;
    expect(summary.getAttribute('role')).to.equal('status');
    expect(text(summary)).to.equal(expected);
  });

  it('shows the details on keyboard focus, with "Down since … (3 failures)", and Escape hides them', async () => {
    const page = await fixture<HTMLDivElement>(html`<div>
      <button>before</button>
      <ai-system-health-bar api-base=${api.apiBase} token=${api.tokens.read}></ai-system-health-bar>
    </div>`);
    const el = page.querySelector('ai-system-health-bar')!;
    await until(() => q(el, '[part~="chip"]'), 'the chips render');
    page.querySelector('button')!.focus();
    // The failing component sorts first: the next Tab lands on its chip.
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(chip(el, FAILING));
    const tip = tooltip(el, FAILING);
    await until(() => isOpen(tip), 'the tooltip opens on focus');
    const details = text(tip);
    expect(details).to.include('1,234 ms');
    expect(details).to.include('Error rate 25%');
    expect(details).to.match(/Uptime \(24 h\) \d+(\.\d)?%/);
    expect(details).to.include('HTTP 503 from the gateway');
    const time = new Intl.DateTimeFormat(navigator.language, { hour: 'numeric', minute: '2-digit' }).format(new Date(failing.down_since!));
    expect(details).to.include(`Down since ${time} (3 failures)`);
    const box = tip.getBoundingClientRect();
    expect(box.width).to.be.greaterThan(0);

    await sendKeys({ press: 'Escape' });
    await until(() => !isOpen(tip), 'Escape hides the tooltip');
    expect(el.shadowRoot!.activeElement, 'focus stays on the chip').to.equal(chip(el, FAILING));

    await sendKeys({ press: 'Tab' });
    const second = el.shadowRoot!.activeElement!.closest('li')!.dataset.name!;
    await until(() => isOpen(tooltip(el, second)), 'the next chip’s tooltip opens when it gets focus');
  });

  it('shows the details on hover and keeps them open while the pointer is over the tooltip', async () => {
    const el = await bar();
    const tip = tooltip(el, 'calendly_api');
    expect(isOpen(tip)).to.equal(false);
    await hover(chip(el, 'calendly_api')!);
    await until(() => isOpen(tip), 'the tooltip opens on hover');
    expect(text(tip)).to.match(/Latency [\d,]+ ms/);
    expect(text(tip)).to.include('Last checked');

    await hover(tip);
    // Longer than the grace period the pointer has to reach the tooltip: it must still be open.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(isOpen(tip), 'stays open while hovered').to.equal(true);

    await sendMouse({ type: 'move', position: [2, 2] });
    await until(() => !isOpen(tip), 'the tooltip closes when the pointer leaves');

    await hover(chip(el, 'calendly_api')!);
    await until(() => isOpen(tip), 'it opens again');
    await sendKeys({ press: 'Escape' });
    await until(() => !isOpen(tip), 'Escape hides a hovered tooltip without moving the pointer');
  });

  it('keeps a tooltip inside the viewport in a narrow container (compact grid)', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div ${width(320)}>
      <ai-system-health-bar api-base=${api.apiBase} token=${api.tokens.read}></ai-system-health-bar>
    </div>`);
    const el = wrapper.querySelector('ai-system-health-bar')!;
    await until(() => q(el, '[part~="chip"]'), 'the chips render');
    expect(getComputedStyle(q(el, '[part="chips"]')!).display).to.equal('grid');
    const last = [...el.shadowRoot!.querySelectorAll<HTMLElement>('li[data-name]')].at(-1)!;
    last.querySelector('button')!.focus();
    const tip = tooltip(el, last.dataset.name!);
    await until(() => isOpen(tip), 'the tooltip opens');
    const box = tip.getBoundingClientRect();
    expect(box.left).to.be.at.least(0);
    expect(box.right).to.be.at.most(document.documentElement.clientWidth);
  });

  it('changes a chip in place when its status changes through ingest, and updates the summary', async () => {
    const el = await bar();
    await until(() => badge(el) === 'connected', 'the stream is live');
    const before = chip(el, 'crm_pipeline')!;
    expect(text(before.querySelector('[part="chip-status"]'))).to.equal('Operational');
    const summaryBefore = text(q(el, '[part="summary"]'));

    const res = await ingest(api, '/system-health/crm_pipeline', { status: 'down', message: 'Pipeline unreachable' });
    expect(res.status).to.equal(200);
    await until(() => text(chip(el, 'crm_pipeline')?.querySelector('[part="chip-status"]')) === 'Down', 'the chip turns Down live');
    expect(chip(el, 'crm_pipeline'), 'the same element, updated in place').to.equal(before);
    expect(before.dataset.status).to.equal('down');
    expect(text(q(el, '[part="summary"]'))).to.not.equal(summaryBefore);
    const downCount = Number(/(\d+) down/.exec(summaryBefore)![1]);
    expect(text(q(el, '[part="summary"]'))).to.include(`${downCount + 1} down`);

    await ingest(api, '/system-health/crm_pipeline', { status: 'active' });
    await until(() => text(chip(el, 'crm_pipeline')?.querySelector('[part="chip-status"]')) === 'Operational', 'and back to Operational');
  });

  it('fires ai-health-select with the component when a chip is activated', async () => {
    const el = await bar();
    const clicked = nextEvent<CustomEvent<{ component: Component }>>(el, 'ai-health-select');
    chip(el, 'voice_endpoint')!.click();
    expect((await clicked).detail.component.component_name).to.equal('voice_endpoint');

    chip(el, 'calendly_api')!.focus();
    const entered = nextEvent<CustomEvent<{ component: Component }>>(el, 'ai-health-select');
    await sendKeys({ press: 'Enter' });
    const event = await entered;
    expect(event.detail.component.component_name).to.equal('calendly_api');
    expect(event.bubbles && event.composed).to.equal(true);
  });

  it('shows an error with a retry when the token is refused', async () => {
    const el = await fixture<AiSystemHealthBar>(html`<ai-system-health-bar api-base=${api.apiBase} token="not-a-token"></ai-system-health-bar>`);
    await until(() => q(el, '[part="error"]'), 'the error state');
    expect(text(q(el, '[part="error"]'))).to.include('Not signed in');
    expect(q(el, '[part="retry"]')).to.exist;
  });

  it('says so when no component has reported yet', async () => {
    const empty = await startApi('empty');
    try {
      const el = await fixture<AiSystemHealthBar>(html`<ai-system-health-bar api-base=${empty.apiBase} token=${empty.tokens.read}></ai-system-health-bar>`);
      await until(() => q(el, '[part="empty"]'), 'the empty state');
      expect(text(q(el, '[part="empty"]'))).to.equal('No components reported yet');
    } finally {
      await stopApi(empty);
    }
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`is accessible in the ${theme} theme, also with a tooltip open`, async () => {
      const el = await bar(theme);
      await expect(el).to.be.accessible();
      chip(el, FAILING)!.focus();
      await until(() => isOpen(tooltip(el, FAILING)), 'the tooltip opens');
      await expect(el).to.be.accessible();
    });
  }

  describe('the shared stream', () => {
    it('serves a health bar and a conversation with ONE connection, which resumes after a restart without a gap', async () => {
      await until(async () => (await streamCount(api)) === 0, 'the earlier tests’ streams are closed');
      const conversationId = (await apiFetch<{ data: { id: string }[] }>(api, '/conversations?limit=1')).body.data[0]!.id;
      const page = await fixture<HTMLDivElement>(html`<div>
        <ai-system-health-bar api-base=${api.apiBase} token=${api.tokens.read}></ai-system-health-bar>
        <ai-conversation api-base=${api.apiBase} token=${api.tokens.read} conversation-id=${conversationId}></ai-conversation>
      </div>`);
      const el = page.querySelector('ai-system-health-bar')!;
      const conversation = page.querySelector<AiConversation>('ai-conversation')!;
      await until(() => badge(el) === 'connected' && badge(conversation) === 'connected', 'both widgets are live');
      expect(await streamCount(api)).to.equal(1);
      expect(chip(el, 'sms_integration')?.dataset.status).to.not.equal('degraded');
      expect(chip(el, 'voice_endpoint')?.dataset.status).to.not.equal('down');

      // From here on, a change must arrive over the stream: count the REST reads of /system-health.
      const realFetch = window.fetch;
      let healthReads = 0;
      window.fetch = (input, init) => {
        if (String(input instanceof Request ? input.url : input).includes('/dashboard/system-health')) healthReads++;
        return realFetch(input, init);
      };
      try {
        const seen = new Set<string | undefined>();
        const reconnected = until(
          () => {
            seen.add(badge(el));
            return seen.has('reconnecting') && badge(el) === 'connected';
          },
          'the badge goes reconnecting → Live',
          10_000,
        );
        await restartApi(api);
        // Committed while the widget's stream is still down (it waits at least half a second before retrying).
        const during = await ingest(api, '/system-health/sms_integration', { status: 'degraded', latency_ms: 4200 });
        expect(during.status).to.equal(200);
        await reconnected;
        expect(text(q(el, '[part="connection"]'))).to.equal('Live');
        await until(() => badge(conversation) === 'connected', 'the conversation is live again too');
        expect(await streamCount(api)).to.equal(1);

        await until(() => chip(el, 'sms_integration')?.dataset.status === 'degraded', 'the change made during the restart is replayed');
        const after = await ingest(api, '/system-health/voice_endpoint', { status: 'down' });
        expect(after.status).to.equal(200);
        await until(() => chip(el, 'voice_endpoint')?.dataset.status === 'down', 'a change after the restart arrives live');
        expect(healthReads, 'both changes came over the resumed stream, not a refetch').to.equal(0);
      } finally {
        window.fetch = realFetch;
      }
    });
  });
});
