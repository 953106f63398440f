import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Conversation, ConversationSummary, Page } from '../../api/contract.js';
import { apiFetch, ingest, startApi, stopApi, until, type Api } from '../test/api.js';
import './conversation.js';
import type { AiConversation } from './conversation.js';

const q = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const qa = <T extends Element = HTMLElement>(el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll<T>(selector)];
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
/** The value shown for a header fact, by its label. */
const fact = (el: Element, label: string) => text(qa(el, 'dl.facts > div').find((d) => text(d.querySelector('dt')) === label)?.querySelector('dd'));

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)>';

describe('<ai-conversation>', () => {
  let api: Api;
  /** The seeded conversation with the most turns, and another one. */
  let longest: Conversation;
  let other: Conversation;

  before(async () => {
    api = await startApi('demo');
    const list = (await apiFetch<Page<ConversationSummary>>(api, '/conversations?limit=100')).body.data;
    const [first, second] = [...list].sort((a, b) => b.total_turns - a.total_turns);
    longest = (await apiFetch<Conversation>(api, `/conversations/${first!.id}`)).body;
    other = (await apiFetch<Conversation>(api, `/conversations/${second!.id}`)).body;
    expect(longest.transcript.length).to.be.greaterThan(4);
  });
  after(() => stopApi(api));

  const show = async (id: string | undefined, theme: 'light' | 'dark' = 'light') => {
    const el = await fixture<AiConversation>(
      html`<ai-conversation api-base=${api.apiBase} token=${api.tokens.read} conversation-id=${id ?? ''} theme=${theme}></ai-conversation>`,
    );
    if (id) await until(() => q(el, '[part="transcript"], .no-turns, [part="not-found"]'), 'the conversation loads');
    return el;
  };

  it('renders the header, summary and every turn of GET /conversations/{id}', async () => {
    const c = longest;
    const el = await show(c.id);
    const f = new Intl.DateTimeFormat(navigator.language, { hour: 'numeric', minute: '2-digit' });
    expect(text(q(el, '[part="title"]'))).to.equal(c.client_name ?? c.client_phone);
    expect(fact(el, 'Started')).to.equal(new Intl.DateTimeFormat(navigator.language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(c.started_at)));
    expect(fact(el, 'Duration')).to.match(/\d/);
    expect(fact(el, 'Sentiment').toLowerCase()).to.equal(c.sentiment);
    expect(q(el, '[data-sentiment] svg'), 'the sentiment has an icon besides its colour').to.exist;
    expect(fact(el, 'Avg. confidence')).to.equal(new Intl.NumberFormat(navigator.language, { style: 'percent', maximumFractionDigits: 1 }).format(c.avg_confidence_score!));
    expect(fact(el, 'Intent')).to.not.equal('—');
    expect(fact(el, 'Outcome')).to.not.equal('—');
    expect(text(q(el, '[part="summary"] p'))).to.equal(c.summary);

    const list = q(el, '[part="transcript"]')!;
    expect(list.tagName).to.equal('OL');
    const turns = qa(el, '[part~="turn"]');
    expect(turns).to.have.length(c.transcript.length);
    const LABEL = { ai: 'AI', caller: 'Caller', agent: 'Agent' };
    c.transcript.forEach((turn, i) => {
      const li = turns[i]!;
      expect(li.tagName).to.equal('LI');
      expect(text(li.querySelector('[part="speaker"]'))).to.equal(LABEL[turn.speaker]);
      expect(li.dataset.speaker).to.equal(turn.speaker);
      expect(li.querySelector('.turn-text')!.textContent).to.equal(turn.text);
      expect(text(li.querySelector('time'))).to.equal(f.format(new Date(turn.at)));
      if (turn.confidence !== null) expect(text(li.querySelector('.confidence'))).to.match(/\d+(\.\d)?%$/);
    });
    // Speakers look different, not only by their label.
    const ai = turns.find((t) => t.dataset.speaker === 'ai')!;
    const caller = turns.find((t) => t.dataset.speaker === 'caller')!;
    expect(getComputedStyle(ai).backgroundColor).to.not.equal(getComputedStyle(caller).backgroundColor);
  });

  it('highlights and counts the matches of a search, and moves between them with Enter, Shift+Enter and the buttons', async () => {
    const word = longest.transcript.flatMap((t) => t.text.split(/[^\p{L}]+/u)).find((w, _, all) => w.length > 3 && all.filter((x) => x.toLowerCase() === w.toLowerCase()).length > 1);
    expect(word, 'a word said more than once').to.be.a('string');
    const expected = longest.transcript.reduce((n, t) => n + (t.text.match(new RegExp(word!, 'giu'))?.length ?? 0), 0);

    const el = await show(longest.id);
    el.style.setProperty('--transcript-max-height', '160px');
    const input = q<HTMLInputElement>(el, '[part="search-input"]')!;
    input.focus();
    await sendKeys({ type: word!.toUpperCase() });
    const status = q(el, '[part="match-count"]')!;
    expect(status.getAttribute('role')).to.equal('status');
    await until(() => text(status) === `1 of ${expected} matches`, `"1 of ${expected} matches"`);
    const marks = qa(el, 'mark[part~="match"]');
    expect(marks).to.have.length(expected);
    expect(marks.every((m) => m.textContent!.toLowerCase() === word!.toLowerCase())).to.equal(true);
    const current = () => q(el, 'mark[aria-current]')!;
    expect(current().dataset.match).to.equal('0');

    await sendKeys({ press: 'Enter' });
    await until(() => text(status) === `2 of ${expected} matches`, 'Enter moves to the next match');
    expect(current().dataset.match).to.equal('1');
    expect(current().getAttribute('part')).to.equal('match current-match');

    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await until(() => text(status) === `${expected} of ${expected} matches`, 'Shift+Enter moves back and wraps around to the last');
    const region = q(el, '.transcript-scroll')!;
    const visible = () => {
      const box = current().getBoundingClientRect();
      const view = region.getBoundingClientRect();
      return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
    };
    await until(visible, 'the current match is scrolled into view');
    expect(region.scrollTop).to.be.greaterThan(0);

    q<HTMLButtonElement>(el, 'button[aria-label="Next match"]')!.click();
    await until(() => text(status) === `1 of ${expected} matches`, 'the next button wraps to the first');
    await until(visible, 'the first match is scrolled back into view');
    q<HTMLButtonElement>(el, 'button[aria-label="Previous match"]')!.click();
    await until(() => text(status) === `${expected} of ${expected} matches`, 'the previous button');

    input.select();
    await sendKeys({ type: 'zzqx-not-said' });
    await until(() => text(status) === 'No matches', 'no matches');
    expect(qa(el, 'mark')).to.have.length(0);
    expect(q<HTMLButtonElement>(el, 'button[aria-label="Next match"]')!.disabled).to.equal(true);
  });

  it('renders an ingested transcript full of HTML as inert, visible text', async () => {
    const now = new Date().toISOString();
    const res = await ingest<{ data: ConversationSummary }>(api, '/conversations', {
      client_name: HOSTILE,
      channel: 'chat',
      transcript: [
        { speaker: 'caller', text: HOSTILE, at: now },
        { speaker: 'ai', text: `You wrote ${HOSTILE}`, at: now, confidence: 0.4 },
        { speaker: 'agent', text: 'An agent <b>took over</b>.', at: now },
      ],
      summary: HOSTILE,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    let alerted = false;
    const realAlert = window.alert;
    window.alert = () => (alerted = true);
    try {
      const el = await show(res.body.data.id);
      const root = el.shadowRoot!;
      expect(root.querySelector('script, img, b'), 'no element made from the text').to.equal(null);
      expect(text(q(el, '[part="title"]'))).to.equal(HOSTILE);
      expect(text(q(el, '[part="summary"] p'))).to.equal(HOSTILE);
      const turns = qa(el, '[part~="turn"]');
      expect(turns.map((t) => t.querySelector('.turn-text')!.textContent)).to.deep.equal([HOSTILE, `You wrote ${HOSTILE}`, 'An agent <b>took over</b>.']);
      expect(text(turns[2]!.querySelector('[part="speaker"]'))).to.equal('Agent');
      expect(text(turns[1]!.querySelector('.confidence'))).to.equal('Low confidence 40%');
      // The text is visible, not only present.
      expect(turns[0]!.querySelector('.turn-text')!.getBoundingClientRect().height).to.be.greaterThan(0);

      // Searching the markup highlights it as text too.
      q<HTMLInputElement>(el, '[part="search-input"]')!.focus();
      await sendKeys({ type: '<img' });
      await until(() => qa(el, 'mark').length === 2, 'both occurrences are marked');
      expect(root.querySelector('script, img, b')).to.equal(null);
      expect(alerted).to.equal(false);
    } finally {
      window.alert = realAlert;
    }
  });

  it('says "Select a conversation" without an id and "Conversation not found" for an unknown one', async () => {
    const none = await show(undefined);
    expect(text(q(none, '[part="empty"]'))).to.equal('Select a conversation');

    const missing = await show('no-such-conversation');
    expect(text(q(missing, '[part="not-found"]'))).to.equal('Conversation not found');
    expect(q(missing, '[part="transcript"]')).to.equal(null);
  });

  it('loads another conversation when conversation-id changes', async () => {
    const el = await show(longest.id);
    el.conversationId = other.id;
    await until(() => qa(el, '[part~="turn"]').length === other.transcript.length && text(q(el, '[part="summary"] p')) === other.summary, 'the other conversation');
    expect(text(q(el, '[part="title"]'))).to.equal(other.client_name ?? other.client_phone);

    el.setAttribute('conversation-id', 'no-such-conversation');
    await until(() => q(el, '[part="not-found"]'), 'not found after switching to an unknown id');
    el.removeAttribute('conversation-id');
    await until(() => text(q(el, '[part="empty"]')) === 'Select a conversation', 'back to the empty state');
  });

  it('refetches when an activity of this conversation arrives live', async () => {
    const res = await ingest<{ data: ConversationSummary }>(api, '/conversations', {
      client_name: 'Live Caller',
      channel: 'voice',
      transcript: [{ speaker: 'caller', text: 'Hello, I would like to book a call.', at: new Date().toISOString() }],
    });
    expect(res.status).to.equal(201);
    const id = res.body.data.id;
    const el = await show(id);
    expect(q(el, '.actions')).to.equal(null);
    await until(() => q(el, '[part="connection"]')?.dataset.state === 'connected', 'the stream is live');

    const activity = await ingest(api, '/activity', { action_type: 'appointment_booked', channel: 'voice', conversation_id: id, client_name: 'Live Caller' });
    expect(activity.status).to.equal(201);
    await until(() => text(q(el, '.actions')).includes('Appointment booked'), 'the new activity shows up in the conversation');
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`is accessible in the ${theme} theme, also while searching`, async () => {
      const el = await show(longest.id, theme);
      await expect(el).to.be.accessible();
      q<HTMLInputElement>(el, '[part="search-input"]')!.focus();
      await sendKeys({ type: longest.transcript[0]!.text.split(' ')[0]! });
      await until(() => q(el, 'mark'), 'a match is highlighted');
      await expect(el).to.be.accessible();
    });
  }
});
