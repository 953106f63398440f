/**
 * The widget core against a real API: the client's one refresh on 401, tokens refreshed before
 * they expire, the page's single shared stream, reset, resuming after a server restart without a
 * gap, configure() reaching widgets already on the page, events leaving the shadow root, Intl.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { Task } from '@lit/task';
import { html as litHtml } from 'lit';
import { AiElement } from './base-element.js';
import { ApiClient, ApiError } from './api-client.js';
import { configure } from './config.js';
import { Credential } from './credential.js';
import { Format } from './format.js';
import { connectionBadge, errorState } from './states.js';
import { StreamController, streamFor } from './stream.js';
import type { Activity } from '../../api/contract.js';
import { ingest, restartApi, startApi, stopApi, streamCount, until, type Api } from '../test/api.js';

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-probe-ping': CustomEvent<{ n: number }>;
  }
}

/** A minimal widget built only from core parts. */
class CoreProbe extends AiElement {
  readonly received: { id: string; activity: Activity }[] = [];
  resets = 0;
  readonly stream = new StreamController(this, {
    events: { 'activity.new': (activity, id) => this.received.push({ id, activity }) },
    onReset: () => this.resets++,
  });
  readonly health = new Task(this, {
    task: async ([client], { signal }) => {
      if (!client) throw new Error('Not configured: set token or call configure().');
      return client.get('/system-health', undefined, signal);
    },
    args: () => [this.client] as const,
  });

  ping(n: number) {
    return this.emit('ai-probe-ping', { n }, { cancelable: true });
  }

  override render() {
    return litHtml`${connectionBadge(this.stream.state)}
      ${this.health.render({
        pending: () => litHtml`<p id="state">loading</p>`,
        complete: (v) => litHtml`<p id="count">${v.data.length}</p>`,
        error: (e) => errorState(e, () => void this.health.run()),
      })}`;
  }
}
customElements.define('core-probe', CoreProbe);

const activity = (name: string) => ({ action_type: 'incoming_text', channel: 'sms', client_name: name, message_in: `hello from ${name}` });
const jwtExpiringAt = (exp: number) => `${btoa('{"alg":"HS256"}')}.${btoa(JSON.stringify({ exp })).replace(/=+$/, '')}.sig`;

describe('widget core', () => {
  let api: Api;
  before(async () => (api = await startApi('demo')));
  after(() => stopApi(api));

  it('refreshes the token once on a 401 and retries', async () => {
    let calls = 0;
    const credential = new Credential(`${api.tokens.read}x`, () => (calls++, api.tokens.read));
    const page = await new ApiClient(api.apiBase, credential).get('/activity/feed', { limit: 3 });
    expect(page.data).to.have.length(3);
    expect(calls).to.equal(1);
  });

  it('answers a refused fixed token with an ApiError carrying the problem', async () => {
    const error = await new ApiClient(api.apiBase, new Credential('not-a-token')).get('/system-health').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ApiError);
    expect((error as ApiError).status).to.equal(401);
    expect((error as ApiError).problem?.status).to.equal(401);
  });

  it('asks getToken for a new token before the current one expires, without a failed request', async () => {
    let calls = 0;
    const credential = new Credential(jwtExpiringAt(Math.floor(Date.now() / 1000) + 5), () => (calls++, api.tokens.read));
    expect(await credential.current()).to.equal(api.tokens.read);
    expect(calls).to.equal(1);
  });

  it('shares one stream connection between widgets and delivers each event to both', async () => {
    const one = await fixture<CoreProbe>(html`<core-probe api-base=${api.apiBase} token=${api.tokens.read}></core-probe>`);
    const two = await fixture<CoreProbe>(html`<core-probe api-base=${api.apiBase} token=${api.tokens.read}></core-probe>`);
    await until(() => one.stream.state === 'connected' && two.stream.state === 'connected', 'both connected');
    expect(await streamCount(api)).to.equal(1);
    const posted = await ingest<{ data: Activity }>(api, '/activity', activity('Shared Stream'));
    await until(() => one.received.length && two.received.length, 'the event in both widgets');
    expect(one.received.map((r) => r.activity.id)).to.deep.equal([posted.body.data.id]);
    expect(two.received[0]!.id).to.equal(one.received[0]!.id);
    one.remove();
    two.remove();
    await until(async () => (await streamCount(api)) === 0, 'the connection closed once no widget uses it');
  });

  it('tells subscribers to refetch when the server no longer has the missed events', async () => {
    const probe = document.createElement('core-probe') as CoreProbe;
    probe.apiBase = api.apiBase;
    probe.token = api.tokens.write;
    streamFor(probe.client!).lastEventId = '99999999';
    document.body.append(probe);
    await until(() => probe.resets === 1, 'a reset');
    await until(() => probe.stream.state === 'connected', 'connected after the reset');
    probe.remove();
  });

  it('resumes after the server restarts: events committed meanwhile arrive once, in order', async () => {
    const probe = await fixture<CoreProbe>(html`<core-probe api-base=${api.apiBase} token=${api.tokens.read}></core-probe>`);
    await until(() => probe.stream.state === 'connected', 'connected');
    const before = await ingest<{ data: Activity }>(api, '/activity', activity('Before Restart'));
    await until(() => probe.received.length === 1, 'the first event');
    await restartApi(api);
    // Posted before the widget has reconnected (its first retry waits at least half a second).
    const after = [];
    for (const name of ['During One', 'During Two']) after.push((await ingest<{ data: Activity }>(api, '/activity', activity(name))).body.data.id);
    await until(() => probe.received.length === 3, 'the events posted while reconnecting', 10_000);
    expect(probe.received.map((r) => r.activity.id)).to.deep.equal([before.body.data.id, ...after]);
    const ids = probe.received.map((r) => Number(r.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
    await until(() => probe.stream.state === 'connected', 'connected again');
    expect(probe.shadowRoot!.querySelector('[part="connection"]')!.textContent).to.contain('Live');
  });

  it('shows a widget without credentials as not configured until configure() is called', async () => {
    const probe = await fixture<CoreProbe>(html`<core-probe></core-probe>`);
    await until(() => probe.shadowRoot!.querySelector('[part="error"]'), 'the error state');
    expect(probe.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('Not configured');
    configure({ apiBase: api.apiBase, token: api.tokens.read });
    await until(() => probe.shadowRoot!.querySelector('#count'), 'data after configure()');
    expect(Number(probe.shadowRoot!.querySelector('#count')!.textContent)).to.be.greaterThan(0);
  });

  it('fires ai- events that bubble out of the shadow root and can be cancelled', async () => {
    const host = await fixture<HTMLDivElement>(html`<div><core-probe api-base=${api.apiBase} token=${api.tokens.read}></core-probe></div>`);
    let seen: CustomEvent<{ n: number }> | undefined;
    host.addEventListener('ai-probe-ping', (e) => {
      seen = e;
      e.preventDefault();
    });
    const event = host.querySelector<CoreProbe>('core-probe')!.ping(7);
    expect(seen?.detail.n).to.equal(7);
    expect(event.composed && event.bubbles && event.defaultPrevented).to.equal(true);
  });

  it('formats numbers, times and durations in the given locale', () => {
    const de = new Format('de-DE');
    const en = new Format('en-US');
    expect(de.number(1234.5)).to.equal('1.234,5');
    expect(en.percent(0.875)).to.equal('87.5%');
    expect(en.relative(Date.now() - 5 * 60_000)).to.equal('5 min. ago');
    expect(en.relative(Date.now() - 10_000)).to.equal('now');
    expect(en.duration(185)).to.equal('3m 5s');
  });
});
