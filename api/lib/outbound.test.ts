import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';
import { startTestServer, type TestServer } from '../test/http-server.js';
import { blockedAddress, describeOutboundFailure, guardedLookup, OutboundPolicy, OutboundRefusedError, type Resolver } from './outbound.js';

/** A resolver answering from a table; each call takes the next answer of its name (the last one repeats). */
function fakeDns(table: Record<string, string[][]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answer = answers[Math.min(calls.filter((c) => c === hostname).length, answers.length) - 1]!;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

describe('blockedAddress', () => {
  test('refuses every internal IPv4 class, with its name', () => {
    const cases: [string, string][] = [
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['10.0.0.7', 'private'],
      ['10.255.255.255', 'private'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['100.127.255.254', 'carrier-grade NAT'],
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.0.0.8', 'reserved'],
      ['192.168.1.1', 'private'],
      ['198.18.0.1', 'reserved'],
      ['224.0.0.251', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'broadcast'],
    ];
    for (const [ip, kind] of cases) assert.deepEqual(blockedAddress(ip), { kind }, ip);
  });

  test('refuses every internal IPv6 class, and IPv4 addresses carried in IPv6 by the class of the IPv4 one', () => {
    const cases: [string, string, string?][] = [
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['fc00::1', 'unique-local'],
      ['fd12:3456:789a::1', 'unique-local'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf::1', 'link-local'],
      ['fec0::1', 'site-local'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
      ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
      ['::ffff:a9fe:a9fe', 'link-local', '169.254.169.254'],
      ['::ffff:10.1.2.3', 'private', '10.1.2.3'],
      ['64:ff9b::7f00:1', 'loopback', '127.0.0.1'],
      ['2002:c0a8:101::1', 'private', '192.168.1.1'],
      ['::7f00:1', 'reserved'],
      ['100::1', 'reserved'],
    ];
    for (const [ip, kind, ipv4] of cases) assert.deepEqual(blockedAddress(ip), ipv4 ? { kind, ipv4 } : { kind }, ip);
  });

  test('lets public addresses through, IPv4 carried in IPv6 included', () => {
    for (const ip of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700:4700::1111', '2001:db8::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', 'fe00::1']) {
      assert.equal(blockedAddress(ip), null, ip);
    }
  });
});

describe('OutboundPolicy.check (registration)', () => {
  test('refuses literal internal hosts in every spelling the URL parser accepts', async () => {
    const policy = new OutboundPolicy({ resolve: fakeDns({}) });
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:8080/x', /^must be a public address: 127\.0\.0\.1 is a loopback address$/],
      ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
      ['http://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
      ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback address/],
      ['http://127.1/', /127\.0\.0\.1 is a loopback address/],
      ['http://127.0.0.1./', /127\.0\.0\.1 is a loopback address/],
      ['http://0/', /0\.0\.0\.0 is an unspecified address/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['https://10.0.0.7/', /10\.0\.0\.7 is a private address/],
      ['https://100.100.100.200/', /carrier-grade NAT/],
      ['http://[::1]/', /::1 is a loopback address/],
      ['http://[::]/', /:: is an unspecified address/],
      ['http://[::ffff:127.0.0.1]/', /::ffff:7f00:1 is a loopback address \(it carries 127\.0\.0\.1\)/],
      ['http://[fd00::1]/', /fd00::1 is a unique-local address/],
      ['http://[fe80::1]/', /fe80::1 is a link-local address/],
      ['http://[ff02::1]/', /multicast/],
      ['http://255.255.255.255/', /broadcast/],
    ];
    for (const [url, message] of cases) assert.match((await policy.check(url)) ?? 'accepted', message, url);
  });

  test('a name is checked by what it resolves to: every address must be public', async () => {
    const dns = fakeDns({
      'public.example': [['93.184.216.34', '2606:2800:220:1::1']],
      'mixed.example': [['93.184.216.34', '10.0.0.5']],
      'meta.example': [['169.254.169.254']],
      'v6.example': [['fd00::5']],
    });
    const policy = new OutboundPolicy({ resolve: dns });
    assert.equal(await policy.check('https://public.example/hook'), null);
    assert.equal(await policy.check('https://mixed.example/hook'), 'must be a public address: mixed.example resolves to 10.0.0.5, a private address');
    assert.equal(await policy.check('https://meta.example/'), 'must be a public address: meta.example resolves to 169.254.169.254, a link-local address');
    assert.equal(await policy.check('https://v6.example/'), 'must be a public address: v6.example resolves to fd00::5, a unique-local address');
    assert.match((await policy.check('https://public.example./hook')) ?? 'accepted', /accepted/, 'a trailing dot is the same name');
  });

  test('the real resolver: localhost resolves to a loopback address', async () => {
    assert.match((await new OutboundPolicy().check('http://localhost:9/x'))!, /^must be a public address: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
  });

  test('a name that does not resolve (or not in time) is accepted: every request checks again', async () => {
    assert.equal(await new OutboundPolicy({ resolve: fakeDns({}) }).check('https://not-yet.example/hook'), null);
    const hanging = new OutboundPolicy({ resolve: () => new Promise(() => {}), resolveTimeoutMs: 20 });
    assert.equal(await hanging.check('https://slow-dns.example/hook'), null);
  });

  test('OUTBOUND_ALLOW_PRIVATE: everything is accepted without resolving', async () => {
    const dns = fakeDns({ 'internal.example': [['10.0.0.1']] });
    const policy = new OutboundPolicy({ allowPrivate: true, resolve: dns });
    for (const url of ['http://127.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/', 'http://internal.example/']) assert.equal(await policy.check(url), null, url);
    assert.deepEqual(dns.calls, []);
  });
});

describe('OutboundPolicy.request', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer((res) => res.writeHead(202, { 'content-type': 'text/plain' }).end('a body that is not read'));
  });
  after(() => server.close());
  const port = () => new URL(server.url).port;

  test('with OUTBOUND_ALLOW_PRIVATE, a POST reaches a local server with its headers and exact body', async () => {
    const received = server.nextRequest();
    const body = JSON.stringify({ text: 'héllo' });
    const res = await new OutboundPolicy({ allowPrivate: true }).request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': '1' }, body });
    assert.equal(res.status, 202);
    const r = await received;
    assert.deepEqual([r.method, r.path, r.body, r.headers['x-test'], r.headers['content-length']], ['POST', '/hook', body, '1', String(Buffer.byteLength(body))]);
  });

  test('a literal internal address is refused before any connection', async () => {
    const before = server.received.length;
    const policy = new OutboundPolicy({ resolve: fakeDns({}) });
    for (const url of [server.url, `http://[::ffff:127.0.0.1]:${port()}/hook`, `http://2130706433:${port()}/hook`]) {
      await assert.rejects(policy.request(url, { method: 'GET', headers: {} }), (e: Error) => {
        assert.ok(e instanceof OutboundRefusedError);
        assert.match(describeOutboundFailure(e), /^refused: .* is a loopback address/);
        return true;
      });
    }
    assert.equal(server.received.length, before);
  });

  test('a name that resolves to an internal address is refused, and the server listening there is never reached', async () => {
    const before = server.received.length;
    await assert.rejects(new OutboundPolicy().request(`http://localhost:${port()}/hook`, { method: 'POST', headers: {}, body: '{}' }), (e: Error) => {
      assert.ok(e instanceof OutboundRefusedError, String(e));
      assert.match(e.message, /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
      return true;
    });
    assert.equal(server.received.length, before);
  });

  test('DNS rebinding: a name public at registration and internal at the request is refused at the request', async () => {
    const dns = fakeDns({ 'rebind.example': [['93.184.216.34'], ['127.0.0.1']] });
    const policy = new OutboundPolicy({ resolve: dns });
    assert.equal(await policy.check(`http://rebind.example:${port()}/hook`), null);
    const before = server.received.length;
    await assert.rejects(policy.request(`http://rebind.example:${port()}/hook`, { method: 'GET', headers: {} }), /refused: rebind\.example resolves to 127\.0\.0\.1, a loopback address/);
    assert.equal(server.received.length, before);
    assert.deepEqual(dns.calls, ['rebind.example', 'rebind.example']);
  });

  test('a connection failure and an abort reject with what happened', async () => {
    const closed = await startTestServer(() => {});
    const url = closed.url;
    await closed.close();
    const allow = new OutboundPolicy({ allowPrivate: true });
    await assert.rejects(allow.request(url, { method: 'GET', headers: {} }), (e) => describeOutboundFailure(e) === 'no answer: ECONNREFUSED');
    const hanging = await startTestServer(() => {});
    try {
      await assert.rejects(allow.request(hanging.url, { method: 'GET', headers: {}, signal: AbortSignal.timeout(50) }), { name: 'AbortError' });
    } finally {
      await hanging.close();
    }
  });
});

describe('guardedLookup (what net.connect calls)', () => {
  const lookup = guardedLookup(fakeDns({ 'two.example': [['93.184.216.34', '2606:2800:220:1::1']], 'bad.example': [['93.184.216.34', '192.168.0.1']] }));
  const call = (hostname: string, options: object) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      lookup(hostname, options, (err, address, family) => resolve({ err, address, family })),
    );

  test('hands over the checked addresses: all of them when asked for all, else the first of the family asked', async () => {
    assert.deepEqual(await call('two.example', { all: true }), {
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
      family: undefined,
    });
    assert.deepEqual(await call('two.example', {}), { err: null, address: '93.184.216.34', family: 4 });
    assert.deepEqual(await call('two.example', { family: 6 }), { err: null, address: '2606:2800:220:1::1', family: 6 });
  });

  test('refuses a name with any internal address; passes on resolution errors', async () => {
    const refused = await call('bad.example', { all: true });
    assert.ok(refused.err instanceof OutboundRefusedError);
    assert.equal(refused.err.message, 'refused: bad.example resolves to 192.168.0.1, a private address');
    assert.equal((await call('missing.example', {})).err?.code, 'ENOTFOUND');
  });
});

test('OUTBOUND_ALLOW_PRIVATE in the configuration: off by default, on with 1 or true, anything else refused', () => {
  const base = { EMBED_SECRET: 'config-test-secret-0123456789abcdef0123' };
  assert.equal(loadConfig(base).outboundAllowPrivate, false);
  assert.equal(loadConfig({ ...base, OUTBOUND_ALLOW_PRIVATE: '0' }).outboundAllowPrivate, false);
  assert.equal(loadConfig({ ...base, OUTBOUND_ALLOW_PRIVATE: '1' }).outboundAllowPrivate, true);
  assert.equal(loadConfig({ ...base, OUTBOUND_ALLOW_PRIVATE: 'true' }).outboundAllowPrivate, true);
  assert.throws(() => loadConfig({ ...base, OUTBOUND_ALLOW_PRIVATE: 'yes' }), (e: Error) => e instanceof ConfigError && /OUTBOUND_ALLOW_PRIVATE/.test(e.message));
});
