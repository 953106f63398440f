import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from './cli.js';
import { migrate, openDb } from './db/client.js';
import { verifyWebhook } from './domain/webhooks.js';
import { startTestServer } from './test/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'air-cli-admin-'));
const env = { DB_PATH: join(dir, 'cli.db'), EMBED_SECRET: 'cli-test-secret-0123456789abcdef0123', LOG_LEVEL: 'silent' };
const saved = { ...process.env };
before(() => Object.assign(process.env, env));
after(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a command in this process and answers what it printed. The command prints strings; the
 * test runner's own messages to its parent (binary) pass through untouched.
 */
async function cli(...args: string[]): Promise<{ stdout: string }> {
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write.call(process.stdout, chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await run(args);
  } finally {
    process.stdout.write = write;
  }
  return { stdout };
}

async function fails(args: string[], message: RegExp) {
  await assert.rejects(cli(...args), (e: Error) => {
    assert.equal(e.constructor.name, 'UsageError', `${args.join(' ')}: ${e.stack}`);
    assert.match(e.message, message);
    return true;
  });
}

test('monitor add, list and remove', async () => {
  await cli('tenant', 'create', 'acme');
  const added = await cli('monitor', 'add', '--tenant', 'acme', '--component', 'calendly_api', '--url', 'https://status.calendly.example/health', '--interval', '30', '--timeout', '2.5', '--latency-threshold', '800');
  assert.equal(added.stdout, 'Monitoring acme/calendly_api: GET https://status.calendly.example/health every 30 s\n');
  assert.match((await cli('monitor', 'add', '--tenant', 'acme', '--component', 'calendly_api', '--url', 'https://status.calendly.example/v2')).stdout, /^Updated acme\/calendly_api/);
  await cli('monitor', 'add', '--tenant', 'acme', '--component', 'crm_pipeline', '--url', 'http://crm.internal:8080/ping');
  assert.equal(
    (await cli('monitor', 'list')).stdout,
    'acme\tcalendly_api\thttps://status.calendly.example/v2\tevery 60 s, timeout 5 s, slow above 1000 ms\tnot checked yet\n' +
      'acme\tcrm_pipeline\thttp://crm.internal:8080/ping\tevery 60 s, timeout 5 s, slow above 1000 ms\tnot checked yet\n',
  );
  assert.equal((await cli('monitor', 'remove', '--tenant', 'acme', '--component', 'crm_pipeline')).stdout, 'Stopped probing acme/crm_pipeline\n');

  const db = openDb(env.DB_PATH);
  migrate(db);
  const rows = db.$client.prepare('SELECT component_name, probe_url, interval_ms, timeout_ms, latency_threshold_ms, enabled FROM ai_receptionist_monitored_components').all();
  assert.deepEqual(rows, [{ component_name: 'calendly_api', probe_url: 'https://status.calendly.example/v2', interval_ms: 60_000, timeout_ms: 5_000, latency_threshold_ms: 1_000, enabled: 1 }]);
  db.$client.close();

  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x', '--url', 'ftp://x.example'], /--url must use http or https/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x', '--url', 'https://u:p@x.example'], /--url must not contain credentials/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x', '--url', 'http://169.254.169.254/latest'], /--url must be a public address: 169\.254\.169\.254 is a link-local address/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x', '--url', 'http://localhost:8080/'], /--url must be a public address: localhost resolves to/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x'], /--url <probe URL> is required/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x', '--url', 'https://x.example', '--interval=-60'], /--interval must be a number of seconds from 10 to 86400/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'x', '--url', 'https://x.example', '--timeout', '30', '--interval', '10'], /--timeout must not exceed the interval/);
  await fails(['monitor', 'add', '--tenant', 'acme', '--component', 'Bad!', '--url', 'https://x.example'], /--component/);
  await fails(['monitor', 'remove', '--tenant', 'acme', '--component', 'nothing'], /does not monitor "nothing"/);
});

test('webhook add (secret printed once), list and remove', async () => {
  await cli('tenant', 'create', 'bravo');
  const out = (await cli('webhook', 'add', '--tenant', 'bravo', '--url', 'https://crm.example/hooks', '--events', 'fix.approved,error.detected')).stdout;
  const [line, , secret] = out.trim().split('\n');
  const id = /^Webhook (wh_[0-9a-f]{32}) for "bravo" → https:\/\/crm.example\/hooks \(fix.approved, error.detected\)$/.exec(line!)?.[1];
  assert.ok(id, out);
  assert.match(secret!, /^whsec_/);
  const list = (await cli('webhook', 'list', '--tenant', 'bravo')).stdout;
  assert.equal(list, `${id}\thttps://crm.example/hooks\tfix.approved,error.detected\n`);
  assert.ok(!list.includes(secret!));
  await fails(['webhook', 'add', '--tenant', 'bravo', '--url', 'gopher://crm.example', '--events', 'fix.approved'], /--url must use http or https/);
  await fails(['webhook', 'add', '--tenant', 'bravo', '--events', 'fix.approved'], /--url is required/);
  await fails(['webhook', 'add', '--tenant', 'bravo', '--url', 'http://[::ffff:10.0.0.1]/hook', '--events', 'fix.approved'], /--url must be a public address: .* is a private address/);
  await fails(['webhook', 'add', '--tenant', 'bravo', '--url', 'https://crm.example', '--events', 'fix.approved,bogus'], /--events must be a comma-separated list of .*fix\.approved/);
  await fails(['webhook', 'remove', 'wh_nope', '--tenant', 'bravo'], /no webhook "wh_nope"/);
  assert.equal((await cli('webhook', 'remove', id!, '--tenant', 'bravo')).stdout, `Deleted webhook ${id}\n`);
  assert.equal((await cli('webhook', 'list', '--tenant', 'bravo')).stdout, '');
});

test('monitor probe and webhook deliver run the jobs once: a probe’s status change reaches a webhook', async () => {
  const component = await startTestServer((res) => res.end('ok'), '/health');
  const hook = await startTestServer((res) => res.writeHead(204).end());
  // Both servers listen on 127.0.0.1.
  process.env.OUTBOUND_ALLOW_PRIVATE = '1';
  try {
    await cli('tenant', 'create', 'carol');
    await cli('monitor', 'add', '--tenant', 'carol', '--component', 'voice_endpoint', '--url', component.url, '--latency-threshold', '60000');
    const out = await cli('webhook', 'add', '--tenant', 'carol', '--url', hook.url, '--events', 'system.health.change');
    const secret = out.stdout.trim().split('\n').at(-1)!;
    assert.match((await cli('monitor', 'probe', '--tenant', 'carol')).stdout, /^carol\/voice_endpoint: active \(HTTP 200 in \d+ ms\)\n$/);
    assert.equal(component.received.length, 1);
    assert.equal((await cli('webhook', 'deliver')).stdout, 'Webhook deliveries: 1 delivered, 0 pending, 0 failed\n');
    assert.equal(hook.received.length, 1);
    const body = JSON.parse(hook.received[0]!.body);
    assert.deepEqual([body.type, body.data.component_name, body.data.previous_status, body.data.status], ['system.health.change', 'voice_endpoint', null, 'active']);
    const h = hook.received[0]!.headers;
    assert.ok(verifyWebhook(secret, { timestamp: String(h['webhook-timestamp']), signature: String(h['webhook-signature']) }, hook.received[0]!.body, Date.now() / 1000));
  } finally {
    delete process.env.OUTBOUND_ALLOW_PRIVATE;
    await component.close();
    await hook.close();
  }
});
