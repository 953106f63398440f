/**
 * The browser-test infrastructure end to end: a real API started from the browser, reached
 * cross-origin (CORS for the test runner's origin), its SSE stream read with fetch, ingest, the
 * stream count, an abrupt restart on the same port and database.
 */
import { expect } from '@open-wc/testing';
import { apiFetch, ingest, restartApi, startApi, stopApi, streamCount, until, type Api } from './api.js';

const DASHBOARD = '/api/v1/ai-receptionist/dashboard';

interface Frame {
  id?: string;
  event: string;
  data: string;
}

/** An SSE stream read with fetch (headers allowed, unlike EventSource); frames are parsed as they arrive. */
class SseReader {
  readonly frames: Frame[] = [];
  #buffer = '';
  #done = false;
  readonly #controller = new AbortController();
  readonly opened: Promise<Response>;

  constructor(url: string, headers: Record<string, string>) {
    this.opened = fetch(url, { headers, signal: this.#controller.signal }).then((res) => {
      if (res.ok && res.body) void this.#read(res.body.getReader());
      return res;
    });
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>) {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.#buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
          const block = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + 2);
          const frame: Frame = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon === 0) continue; // comment (heartbeat)
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') frame.id = value;
            else if (field === 'event') frame.event = value;
            else if (field === 'data') {
              frame.data += (hasData ? '\n' : '') + value;
              hasData = true;
            }
          }
          if (hasData) this.frames.push(frame);
        }
      }
    } catch {
      // aborted, or the connection was dropped
    } finally {
      this.#done = true;
    }
  }

  get done(): boolean {
    return this.#done;
  }

  find(event: string, predicate: (data: any) => boolean = () => true): Frame | undefined {
    return this.frames.find((f) => f.event === event && predicate(JSON.parse(f.data)));
  }

  close(): void {
    this.#controller.abort();
  }
}

describe('browser-test infrastructure (real API)', () => {
  let api: Api;
  const streams: SseReader[] = [];
  const auth = () => ({ Authorization: `Bearer ${api.tokens.read}` });

  before(async () => {
    api = await startApi('demo');
  });

  after(async () => {
    for (const s of streams) s.close();
    await stopApi(api);
  });

  it('answers a cross-origin fetch from the test page with the seeded demo data', async () => {
    expect(api.apiBase).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(api.apiBase).origin).to.not.equal(location.origin);
    const res = await fetch(`${api.apiBase}${DASHBOARD}/activity/feed?limit=5`, { headers: auth() });
    // A cross-origin response is readable only if the API allowed this page's origin (CORS).
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body.data).to.have.length(5);
    expect(body.data[0]).to.include.keys('id', 'action_type', 'channel');

    const fromNode = await apiFetch<{ data: { id: string }[] }>(api, '/activity/feed?limit=5');
    expect(fromNode.status).to.equal(200);
    expect(fromNode.body.data.map((a) => a.id)).to.deep.equal(body.data.map((a: { id: string }) => a.id));
  });

  it('gives each token its own view: other tenant, client-locked token', async () => {
    expect(api.clientId).to.be.a('string');
    const locked = await fetch(`${api.apiBase}${DASHBOARD}/activity/feed?limit=20`, { headers: { Authorization: `Bearer ${api.tokens.clientLocked}` } });
    expect(locked.status).to.equal(200);
    const lockedRows: { client_id: string }[] = (await locked.json()).data;
    expect(lockedRows.length).to.be.greaterThan(0);
    expect(lockedRows.every((a) => a.client_id === api.clientId)).to.equal(true);

    const mine = (await apiFetch<{ data: { id: string }[] }>(api, '/activity/feed?limit=5')).body.data.map((a) => a.id);
    const other = await fetch(`${api.apiBase}${DASHBOARD}/activity/feed?limit=5`, { headers: { Authorization: `Bearer ${api.tokens.otherTenant}` } });
    expect(other.status).to.equal(200);
    const otherIds: string[] = (await other.json()).data.map((a: { id: string }) => a.id);
    expect(otherIds.some((id) => mine.includes(id))).to.equal(false);
  });

  it('streams activity.new over SSE (fetch + reader) after an ingest, and counts the stream', async () => {
    expect(await streamCount(api)).to.equal(0);
    const stream = new SseReader(`${api.apiBase}${DASHBOARD}/stream?topics=activity`, auth());
    streams.push(stream);
    const res = await stream.opened;
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
    await until(() => stream.find('ready'), 'the stream sends ready');
    expect(await streamCount(api)).to.equal(1);

    const posted = await ingest<{ id: string }>(api, '/activity', {
      action_type: 'incoming_call',
      channel: 'voice',
      client_id: 'cl_infra',
      client_name: 'Infra Test',
      message_in: 'Is the infrastructure working?',
      skill_name: 'refinance_faq',
    });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    await until(() => stream.find('activity.new', (a) => a.client_id === 'cl_infra'), 'activity.new for the ingested activity');
    const frame = stream.find('activity.new', (a) => a.client_id === 'cl_infra')!;
    expect(frame.id).to.match(/^\d+$/);
  });

  it('is not failed by the harmless ResizeObserver loop notice (web-test-runner.config.js ignores exactly it)', async () => {
    const el = document.createElement('div');
    el.style.width = '10px';
    document.body.append(el);
    let calls = 0;
    // Resizing what it observes makes Chromium report "ResizeObserver loop completed with undelivered notifications".
    const ro = new ResizeObserver(() => {
      calls++;
      el.style.width = `${10 + calls}px`;
    });
    ro.observe(el);
    try {
      await until(() => calls >= 3, 'the observer runs a few times');
    } finally {
      ro.disconnect();
      el.remove();
    }
  });

  it('restarts abruptly on the same port and database; streams resume with Last-Event-ID', async () => {
    const first = streams[0]!;
    const lastId = [...first.frames].reverse().find((f) => f.id !== undefined)!.id!;
    await restartApi(api);
    await until(() => first.done, 'the old stream is dropped by the restart');
    expect(await streamCount(api)).to.equal(0);

    // Same apiBase, same data (the activity ingested before the restart is still there).
    const res = await fetch(`${api.apiBase}${DASHBOARD}/activity/feed?limit=5&client_id=cl_infra`, { headers: auth() });
    expect(res.status).to.equal(200);
    const rows: { client_id: string }[] = (await res.json()).data;
    expect(rows.map((a) => a.client_id)).to.include('cl_infra');

    // An event committed while no stream is open is replayed to a client resuming from its last id.
    const posted = await ingest(api, '/activity', { action_type: 'incoming_text', channel: 'sms', client_id: 'cl_after_restart' });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    const resumed = new SseReader(`${api.apiBase}${DASHBOARD}/stream?topics=activity`, { ...auth(), 'Last-Event-ID': lastId });
    streams.push(resumed);
    expect((await resumed.opened).status).to.equal(200);
    await until(() => resumed.find('activity.new', (a) => a.client_id === 'cl_after_restart'), 'the missed activity.new is replayed');
    await until(() => resumed.find('ready'), 'ready after the replay');
    expect(resumed.find('activity.new', (a) => a.client_id === 'cl_infra'), 'nothing before Last-Event-ID is replayed').to.equal(undefined);
    await until(async () => (await streamCount(api)) === 1, 'the new server counts the resumed stream');

    resumed.close();
    await until(async () => (await streamCount(api)) === 0, 'closing the stream releases it on the server');
  });
});
