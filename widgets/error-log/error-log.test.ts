import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ErrorDetail, ErrorPattern, Page, ReceptionistError } from '../../api/contract.js';
import { configure } from '../core/config.js';
import { apiFetch, ingest, nextEvent, startApi, stopApi, until, type Api } from '../test/api.js';
import type { AiErrorLog, ErrorActionDetail } from './error-log.js';
import './error-log.js';

const PAGE = 10;
const OPEN = 'status=unresolved&status=needs_review&status=fix_approved';
const DASHBOARD = '/api/v1/ai-receptionist/dashboard';

const root = (el: AiErrorLog) => el.shadowRoot!;
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const items = (el: AiErrorLog) => [...root(el).querySelectorAll<HTMLElement>('[part="item"]')];
const ids = (el: AiErrorLog) => items(el).map((li) => li.dataset.id);
const item = (el: AiErrorLog, id: string) => root(el).querySelector<HTMLElement>(`[part="item"][data-id="${id}"]`);
const badge = (el: AiErrorLog, id: string) => text(item(el, id)?.querySelector('[part="status"]'));
const actionButtons = (el: AiErrorLog) => [...root(el).querySelectorAll<HTMLButtonElement>('[part="action-button"]')];
const actionButton = (el: AiErrorLog, id: string, label: string) =>
  [...item(el, id)!.querySelectorAll<HTMLButtonElement>('[part="action-button"]')].find((b) => text(b) === label);
const pill = (el: AiErrorLog) => root(el).querySelector<HTMLButtonElement>('[part="new-pill"]');
const scroller = (el: AiErrorLog) => root(el).querySelector<HTMLElement>('.scroller')!;
const checkbox = (el: AiErrorLog, name: string, value: string) => root(el).querySelector<HTMLInputElement>(`input[name="${name}"][value="${value}"]`)!;

/** Ticks or unticks a filter box as a person would (click), and waits for the render. */
async function setFilter(el: AiErrorLog, name: string, value: string, checked: boolean) {
  const box = checkbox(el, name, value);
  if (box.checked !== checked) box.click();
  await el.updateComplete;
}

describe('<ai-error-log>', () => {
  let api: Api;
  before(async () => (api = await startApi('demo')));
  after(() => stopApi(api));

  const errors = async (query: string) => {
    const res = await apiFetch<Page<ReceptionistError>>(api, `/errors?${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const errorDetail = async (id: string) => (await apiFetch<ErrorDetail>(api, `/errors/${id}`)).body;

  /** Changes an error's status through the API with the write token, as another person would. */
  async function actBehind(id: string, action: string) {
    const res = await fetch(`${api.apiBase}${DASHBOARD}/errors/${id}/${action}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${api.tokens.write}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status, await res.clone().text()).to.equal(200);
  }

  async function render(attrs: { token?: string; status?: string; theme?: 'light' | 'dark' } = {}) {
    const el = await fixture<AiErrorLog>(
      html`<ai-error-log api-base=${api.apiBase} token=${attrs.token ?? api.tokens.read} page-size=${PAGE} theme=${attrs.theme ?? 'light'} status=${attrs.status ?? 'unresolved,needs_review,fix_approved'}></ai-error-log>`,
    );
    await until(() => items(el).length || root(el).querySelector('[part="empty"]'), 'the first page renders');
    return el;
  }

  const connected = (el: AiErrorLog) => until(() => root(el).querySelector('[part="connection"][data-state="connected"]'), 'the stream is connected');

  let n = 0;
  async function post(more: Record<string, unknown> = {}): Promise<ReceptionistError> {
    const res = await ingest<{ data: ReceptionistError }>(api, '/errors', {
      error_type: 'unrecognized_request',
      severity: 'high',
      message_in: `Do you finance houseboats? (${++n})`,
      skill_name: 'loan_products_faq',
      component: 'openai_api',
      root_cause: 'No skill covers this request',
      recommended_fix: 'Add houseboat financing to the FAQ',
      ...more,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.data;
  }

  /** A fresh open error at the top of the list, for a test to act on. */
  async function freshError(el: AiErrorLog, more: Record<string, unknown> = {}) {
    await connected(el);
    const error = await post(more);
    await until(() => item(el, error.id), 'the new error is listed');
    return error;
  }

  it('shows a skeleton, then the open errors exactly as GET /errors pages them, with every field in words', async () => {
    const el = await fixture<AiErrorLog>(html`<ai-error-log api-base=${api.apiBase} token=${api.tokens.read} page-size=${PAGE}></ai-error-log>`);
    expect(root(el).querySelector('[part="skeleton"]'), 'skeleton on first load').to.exist;
    await until(() => items(el).length, 'the first page renders');
    const page = await errors(`${OPEN}&limit=${PAGE}`);
    expect(page.data.length).to.equal(PAGE);
    expect(ids(el)).to.deep.equal(page.data.map((e) => e.id));

    const withWords = page.data.find((e) => e.message_in && e.root_cause && e.recommended_fix)!;
    const li = item(el, withWords.id)!;
    expect(li.querySelector('q[part="message"]')!.textContent).to.equal(withWords.message_in);
    const [root_cause, fix] = [...li.querySelectorAll('[part="diagnosis"] dd')].map((dd) => dd.textContent);
    expect(root_cause).to.equal(withWords.root_cause);
    expect(fix).to.equal(withWords.recommended_fix);
    const severity = li.querySelector('[part="severity"]')!;
    expect(text(severity).toLowerCase()).to.equal(withWords.severity);
    expect(severity.querySelector('svg'), 'an icon beside the colour').to.exist;
    expect(text(li.querySelector('[part="type"]'))).to.not.include('_');
    const time = li.querySelector('time')!;
    expect(time.getAttribute('datetime')).to.equal(withWords.timestamp);
    expect(time.title).to.not.equal('');
    const words = { unresolved: 'Unresolved', needs_review: 'Needs review', fix_approved: 'Fix approved' } as Record<string, string>;
    for (const e of page.data) expect(badge(el, e.id)).to.equal(words[e.resolution_status]);
  });

  it('loads older errors with "Load more" through the cursor', async () => {
    const el = await render();
    const first = await errors(`${OPEN}&limit=${PAGE}`);
    const second = await errors(`${OPEN}&limit=${PAGE}&cursor=${encodeURIComponent(first.next_cursor!)}`);
    root(el).querySelector<HTMLButtonElement>('[part="load-more"]')!.click();
    await until(() => items(el).length === 2 * PAGE, 'the second page is appended');
    expect(ids(el)).to.deep.equal([...first.data, ...second.data].map((e) => e.id));
  });

  it('refetches the matching rows when a filter changes, and starts from the status attribute', async () => {
    const el = await render();
    await setFilter(el, 'severity', 'critical', true);
    let page = await errors(`${OPEN}&severity=critical&limit=${PAGE}`);
    await until(() => ids(el).join() === page.data.map((e) => e.id).join(), 'the critical open errors');
    expect(el.severity).to.equal('critical');

    await setFilter(el, 'severity', 'critical', false);
    for (const s of ['unresolved', 'needs_review', 'fix_approved']) await setFilter(el, 'status', s, false);
    await setFilter(el, 'status', 'resolved', true);
    await setFilter(el, 'errorTypes', 'integration_down', true);
    await setFilter(el, 'errorTypes', 'api_failure', true);
    page = await errors(`status=resolved&error_type=api_failure&error_type=integration_down&limit=${PAGE}`);
    expect(page.data.length).to.be.greaterThan(0);
    await until(() => ids(el).join() === page.data.map((e) => e.id).join(), 'the resolved integration errors');
    expect(items(el).every((li) => li.dataset.status === 'resolved')).to.equal(true);

    const wontFix = await render({ status: 'wont_fix' });
    expect(ids(wontFix)).to.deep.equal((await errors(`status=wont_fix&limit=${PAGE}`)).data.map((e) => e.id));
    expect(checkbox(wontFix, 'status', 'wont_fix').checked).to.equal(true);
    expect(checkbox(wontFix, 'status', 'unresolved').checked).to.equal(false);
  });

  it('says when nothing matches the filters', async () => {
    const el = await render({ status: 'resolved' });
    await setFilter(el, 'errorTypes', 'transfer_failed', true);
    await setFilter(el, 'severity', 'low', true);
    const page = await errors('status=resolved&error_type=transfer_failed&severity=low');
    expect(page.data).to.deep.equal([]);
    await until(() => root(el).querySelector('[part="empty"]'), 'the empty state');
    expect(text(root(el).querySelector('[part="empty"]'))).to.equal('No errors match these filters');
  });

  it('shows no action buttons to a read-only token', async () => {
    const el = await render({ token: api.tokens.read });
    expect(items(el).length).to.equal(PAGE);
    expect(actionButtons(el)).to.deep.equal([]);
    expect(root(el).querySelector('[part="note"]')).to.equal(null);
    const writable = await render({ token: api.tokens.write });
    expect(actionButtons(writable).length, 'the same list with errors:write has actions').to.be.greaterThan(PAGE);
  });

  it('approves a fix with a note: the badge changes at once, the API records it, and a second log updates live', async () => {
    const container = await fixture<HTMLElement>(html`<div>
      <ai-error-log id="writer" api-base=${api.apiBase} token=${api.tokens.write} page-size=${PAGE}></ai-error-log>
      <ai-error-log id="reader" api-base=${api.apiBase} token=${api.tokens.read} page-size=${PAGE}></ai-error-log>
    </div>`);
    const writer = container.querySelector<AiErrorLog>('#writer')!;
    const reader = container.querySelector<AiErrorLog>('#reader')!;
    await Promise.all([connected(writer), connected(reader)]);
    const error = await post();
    await until(() => item(writer, error.id) && item(reader, error.id), 'both logs list the new error');
    expect(badge(reader, error.id)).to.equal('Unresolved');

    item(writer, error.id)!.querySelector<HTMLButtonElement>('[aria-controls^="n-"]')!.click();
    await writer.updateComplete;
    const note = item(writer, error.id)!.querySelector<HTMLInputElement>('[part="note"] input')!;
    note.value = 'Added to the FAQ on Monday';
    note.dispatchEvent(new Event('input'));

    const fired = nextEvent<CustomEvent<ErrorActionDetail>>(writer, 'ai-error-action');
    actionButton(writer, error.id, 'Approve fix')!.click();
    const { detail } = await fired;
    expect(detail.action).to.equal('approve-fix');
    expect(detail.error.id).to.equal(error.id);
    expect(detail.note).to.equal('Added to the FAQ on Monday');
    await writer.updateComplete;
    expect(badge(writer, error.id), 'optimistic').to.equal('Fix approved');

    await until(async () => (await errorDetail(error.id)).resolution_status === 'fix_approved', 'the API holds the approval');
    const saved = await errorDetail(error.id);
    expect(saved.audit.map((a) => [a.action, a.from_status, a.to_status, a.note])).to.deep.equal([['approve-fix', 'unresolved', 'fix_approved', 'Added to the FAQ on Monday']]);
    expect(saved.audit[0]!.actor).to.be.a('string').and.not.equal('');

    await until(() => badge(reader, error.id) === 'Fix approved', 'the second log shows the approval (error.updated)');
    await until(() => !item(writer, error.id)!.querySelector('[part="status"][aria-busy="true"]'), 'the action settles');
    expect(badge(writer, error.id)).to.equal('Fix approved');
    expect(actionButton(writer, error.id, 'Approve fix'), 'approving twice is not offered').to.equal(undefined);
    expect(actionButton(writer, error.id, 'Won’t fix')).to.exist;
    expect(item(writer, error.id)!.querySelector('[role="alert"]')).to.equal(null);

    // The expanded audit trail shows who did what, with the note.
    item(reader, error.id)!.querySelector<HTMLButtonElement>('.details-toggle')!.click();
    await until(() => item(reader, error.id)!.querySelector('.audit li'), 'the audit trail loads');
    const entry = text(item(reader, error.id)!.querySelector('.audit li'));
    expect(entry).to.include(saved.audit[0]!.actor).and.include('approved the fix').and.include('Added to the FAQ on Monday');
  });

  it('sends nothing when the host cancels ai-error-action', async () => {
    const el = await render({ token: api.tokens.write });
    const error = await freshError(el);
    el.addEventListener('ai-error-action', (e) => e.preventDefault(), { once: true });
    actionButton(el, error.id, 'Won’t fix')!.click();
    await el.updateComplete;
    expect(badge(el, error.id)).to.equal('Unresolved');
    expect((await errorDetail(error.id)).resolution_status).to.equal('unresolved');
  });

  describe('a failing action', () => {
    const realFetch = window.fetch;
    afterEach(() => {
      window.fetch = realFetch;
      configure({ token: '' });
    });

    it('rolls back to the real status and says why when the error was resolved behind its back (409)', async () => {
      const error = await post();
      // This log hears no events (its stream is held), so it still believes the error is open.
      window.fetch = (input, init) =>
        String(input instanceof Request ? input.url : input).includes(`${DASHBOARD}/stream`)
          ? new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
          : realFetch(input, init);
      configure({ getToken: () => api.tokens.write });
      const el = await fixture<AiErrorLog>(html`<ai-error-log api-base=${api.apiBase} page-size=${PAGE}></ai-error-log>`);
      await until(() => item(el, error.id), 'the error is listed');
      await actBehind(error.id, 'resolve');

      actionButton(el, error.id, 'Approve fix')!.click();
      await el.updateComplete;
      expect(badge(el, error.id), 'optimistic').to.equal('Fix approved');
      await until(() => item(el, error.id)!.querySelector('[role="alert"]'), 'a visible error');
      expect(text(item(el, error.id)!.querySelector('[role="alert"]'))).to.include('Could not approve the fix: the error is already resolved');
      expect(badge(el, error.id)).to.equal('Resolved');
      expect(actionButton(el, error.id, 'Approve fix'), 'a final status offers no actions').to.equal(undefined);
      expect((await errorDetail(error.id)).resolution_status).to.equal('resolved');
    });

    it('goes back to the status it had when the API cannot be reached', async () => {
      const el = await render({ token: api.tokens.write });
      const error = await freshError(el);
      window.fetch = (input, init) => (init?.method === 'POST' ? Promise.reject(new TypeError('Failed to fetch')) : realFetch(input, init));
      actionButton(el, error.id, 'Needs review')!.click();
      await el.updateComplete;
      expect(badge(el, error.id), 'optimistic').to.equal('Needs review');
      await until(() => item(el, error.id)!.querySelector('[role="alert"]'), 'a visible error');
      expect(badge(el, error.id)).to.equal('Unresolved');
      expect(text(item(el, error.id)!.querySelector('[role="alert"]'))).to.include('Could not ask for a review. The API could not be reached.');
      expect(actionButton(el, error.id, 'Needs review'), 'the action can be tried again').to.exist;
      expect((await errorDetail(error.id)).resolution_status).to.equal('unresolved');
    });

    it('hides the actions and says so when the API answers 403', async () => {
      const el = await render({ token: api.tokens.write });
      const error = await freshError(el);
      window.fetch = (input, init) =>
        init?.method === 'POST'
          ? Promise.resolve(
              new Response(JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Needs the errors:write scope.' }), {
                status: 403,
                headers: { 'Content-Type': 'application/problem+json' },
              }),
            )
          : realFetch(input, init);
      actionButton(el, error.id, 'Approve fix')!.click();
      await until(() => item(el, error.id)!.querySelector('[role="alert"]'), 'a visible error');
      expect(text(item(el, error.id)!.querySelector('[role="alert"]'))).to.include('not allowed to change errors');
      expect(badge(el, error.id)).to.equal('Unresolved');
      expect(actionButtons(el)).to.deep.equal([]);
    });
  });

  it('inserts a detected error live at the top when it matches the filters, once, with the caller’s words inert', async () => {
    const el = await render({ token: api.tokens.read });
    el.severity = 'critical';
    await until(() => items(el).every((li) => text(li.querySelector('[part="severity"]')) === 'Critical'), 'the critical errors');
    await connected(el);
    const before = ids(el);

    const quiet = await post({ severity: 'low' });
    const words = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Call me back`;
    const loud = await post({ severity: 'critical', message_in: words });
    await until(() => ids(el)[0] === loud.id, 'the critical error is first');
    expect(ids(el)).to.deep.equal([loud.id, ...before]);
    expect(item(el, quiet.id), 'a low error is not inserted under a critical filter').to.equal(null);

    const li = item(el, loud.id)!;
    expect(li.querySelector('q[part="message"]')!.textContent).to.equal(words);
    expect(root(el).querySelector('script, img')).to.equal(null);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    expect(text(root(el).querySelector('[role="status"].sr-only'))).to.include('New critical error');
  });

  it('exports the error patterns of the chosen statuses as the API’s CSV', async () => {
    const el = await render({ status: 'unresolved,needs_review' });
    const created = URL.createObjectURL;
    let blob: Blob | undefined;
    URL.createObjectURL = (object: Blob | MediaSource) => {
      blob = object as Blob;
      return created.call(URL, object);
    };
    // The download link's click is kept from navigating; it names the file.
    let onClick: (e: MouseEvent) => void = () => {};
    const clicked = new Promise<HTMLAnchorElement>((resolve) => {
      onClick = (e) => {
        if (!(e.target instanceof HTMLAnchorElement)) return;
        e.preventDefault();
        resolve(e.target);
      };
      document.addEventListener('click', onClick, { capture: true });
    });
    try {
      root(el).querySelector<HTMLButtonElement>('[part="export-button"]')!.click();
      const link = await clicked;
      expect(link.download).to.equal('error-patterns.csv');
    } finally {
      URL.createObjectURL = created;
      document.removeEventListener('click', onClick, { capture: true });
    }
    const csv = await apiFetch<string>(api, '/errors/patterns?format=csv&status=unresolved&status=needs_review');
    expect(csv.status).to.equal(200);
    const exported = await blob!.text();
    expect(exported).to.equal(csv.body);
    const json = await apiFetch<{ data: ErrorPattern[] }>(api, '/errors/patterns?status=unresolved&status=needs_review');
    expect(exported.trim().split('\n').length).to.equal(json.body.data.length + 1);
  });

  /** Scrolls the list away from its top, as a reader would. */
  async function scrollAway(el: AiErrorLog, by = 300) {
    const list = scroller(el);
    await until(() => {
      list.scrollTop = by;
      return list.scrollTop === by;
    }, 'the list scrolls');
  }

  describe('new errors while reading', () => {
    it('appear at once when the reader is at the top with nothing open', async () => {
      const el = await render();
      await connected(el);
      expect(scroller(el).scrollTop).to.equal(0);
      const before = ids(el);
      const error = await post();
      await until(() => ids(el)[0] === error.id, 'the new error is first');
      expect(ids(el)).to.deep.equal([error.id, ...before]);
      expect(pill(el), 'no pill').to.equal(null);
    });

    it('are held behind an "N new" button while scrolled away (the list does not move), and shown in order from the keyboard', async () => {
      const el = await render();
      await connected(el);
      await scrollAway(el);
      const before = ids(el);
      const watched = items(el)[2]!;
      const top = watched.getBoundingClientRect().top;

      const older = await post({ severity: 'medium' });
      const newer = await post({ severity: 'critical' });
      await until(() => text(pill(el)) === '2 new errors', 'the button counts two new errors');
      expect(pill(el)!.closest('[role="status"]'), 'the count is announced').to.exist;
      expect(pill(el)!.querySelector('svg'), 'an icon beside the words').to.exist;
      expect(ids(el), 'nothing inserted').to.deep.equal(before);
      expect(scroller(el).scrollTop).to.equal(300);
      expect(watched.getBoundingClientRect().top, 'the error being read stays put').to.equal(top);
      expect(item(el, newer.id)).to.equal(null);

      pill(el)!.focus();
      expect(root(el).activeElement, 'the button takes focus').to.equal(pill(el));
      await sendKeys({ press: 'Enter' });
      await until(() => ids(el)[0] === newer.id && scroller(el).scrollTop === 0, 'shown at the top');
      expect(ids(el)).to.deep.equal([newer.id, older.id, ...before]);
      await until(() => root(el).activeElement === item(el, newer.id)!.querySelector('article'), 'focus moves to the newest error');
      expect(pill(el), 'no pill').to.equal(null);
    });

    it('are held while an error is open, at the top too, and changes reach the held ones', async () => {
      const el = await render();
      await connected(el);
      items(el)[0]!.querySelector<HTMLButtonElement>('.details-toggle')!.click();
      await el.updateComplete;
      expect(scroller(el).scrollTop).to.equal(0);
      const before = ids(el);

      const error = await post();
      await until(() => text(pill(el)) === '1 new error', 'the button counts one new error');
      expect(ids(el)).to.deep.equal(before);
      // A second log on the page hears the same events: once it shows the change, the first has had it too.
      const other = await render();
      await until(() => item(other, error.id), 'the second log lists the error');
      await actBehind(error.id, 'approve-fix');
      await until(() => badge(other, error.id) === 'Fix approved', 'the change has arrived');
      expect(item(el, error.id), 'still held').to.equal(null);

      pill(el)!.click();
      await until(() => ids(el)[0] === error.id, 'shown at the top');
      await until(() => badge(el, error.id) === 'Fix approved', 'the held error got its change');
      expect(root(el).activeElement).to.equal(item(el, error.id)!.querySelector('article'));
    });

    it('counts only the held errors that match the filters', async () => {
      const el = await render({ status: 'unresolved,needs_review,fix_approved' });
      el.severity = 'critical';
      await until(() => items(el).length && items(el).every((li) => text(li.querySelector('[part="severity"]')) === 'Critical'), 'the critical errors');
      await connected(el);
      // Enough critical errors to scroll.
      while (scroller(el).scrollHeight <= scroller(el).clientHeight + 300) {
        const filler = await post({ severity: 'critical' });
        await until(() => item(el, filler.id), 'the filler is listed');
      }
      await scrollAway(el);
      const before = ids(el);

      await post({ severity: 'low' });
      const critical = await post({ severity: 'critical' });
      await until(() => text(pill(el)) === '1 new error', 'only the critical error counts');
      // Resolved elsewhere while held: it no longer matches the open statuses.
      await actBehind(critical.id, 'resolve');
      await until(() => pill(el) === null, 'the resolved error no longer counts');
      const later = await post({ severity: 'critical' });
      await until(() => text(pill(el)) === '1 new error', 'the next critical error counts');

      pill(el)!.click();
      await until(() => ids(el)[0] === later.id, 'shown at the top');
      expect(ids(el)).to.deep.equal([later.id, ...before]);
      expect(item(el, critical.id), 'the resolved error is not shown').to.equal(null);
    });
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`is accessible in the ${theme} theme, with actions, filters and details open`, async () => {
      const el = await render({ token: api.tokens.write, theme });
      root(el).querySelector('details')!.open = true;
      const first = items(el)[0]!;
      first.querySelector<HTMLButtonElement>('.details-toggle')!.click();
      first.querySelector<HTMLButtonElement>('[aria-controls^="n-"]')!.click();
      await until(() => first.querySelector('.audit, .details p.muted:not([role="status"])'), 'the details load');
      expect(actionButtons(el).length).to.be.greaterThan(0);
      // An error is open, so a new one waits behind the "N new" button.
      await connected(el);
      await post();
      await until(() => pill(el), 'the "N new" button');
      await expect(el).to.be.accessible();
    });
  }
});
