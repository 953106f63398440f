/**
 * The outbound URL policy: where the server's own HTTP requests (health probes, webhook
 * deliveries) may go. A tenant chooses those URLs, so without a policy an admin key could make the
 * server call its own loopback interface, the private network it runs in, or a cloud metadata
 * service (169.254.169.254) — server-side request forgery.
 *
 * By default a target is refused when its address is loopback, private (RFC 1918), link-local,
 * unique-local (fc00::/7), site-local, unspecified, multicast, broadcast, carrier-grade NAT
 * (100.64/10) or otherwise reserved — IPv4 and IPv6 alike, including IPv4 addresses carried in
 * IPv6 (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`). The WHATWG URL
 * parser already rewrites the other spellings of an IPv4 address (`2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `127.1`) to dotted decimal, so the host is classified after parsing.
 *
 * It is checked twice:
 * - when a URL is registered ({@link OutboundPolicy.check}): a literal address, or what the name
 *   resolves to now. A name that does not resolve is accepted (DNS may not exist yet, and the
 *   answer at registration proves nothing about later ones): the request-time check decides.
 * - at every request ({@link OutboundPolicy.request}): the name is resolved, every address is
 *   checked, and the connection goes to the checked address — the `lookup` handed to
 *   `net.connect` is the check itself, so a name that changes its answer between the check and
 *   the connection (DNS rebinding) cannot slip through. Redirects are never followed.
 *
 * `OUTBOUND_ALLOW_PRIVATE=1` turns the policy off (development against local services, tests).
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, isIPv4, type LookupFunction } from 'node:net';

/** Why an address is refused, as a phrase: "a loopback address". */
export interface BlockedAddress {
  kind: string;
  /** The IPv4 address an IPv6 one carries, when that is what was refused. */
  ipv4?: string;
}

type Range = [base: number, prefix: number, kind: string];

const IPV4_BLOCKED: Range[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'carrier-grade NAT'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('255.255.255.255'), 32, 'broadcast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function v4(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function blockedIPv4(address: string): string | null {
  const n = v4(address);
  for (const [base, prefix, kind] of IPV4_BLOCKED) {
    const size = 2 ** (32 - prefix);
    if (n >= base && n < base + size) return kind;
  }
  return null;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded dotted IPv4 tail included). */
function hextets(address: string): number[] {
  let s = address;
  if (s.includes('.')) {
    const colon = s.lastIndexOf(':');
    const [a, b, c, d] = s.slice(colon + 1).split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, colon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const first = head ? head.split(':') : [];
  const last = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - first.length - last.length;
  return [...first, ...Array<string>(zeros).fill('0'), ...last].map((g) => parseInt(g, 16));
}

function embeddedIPv4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Why `address` (an IPv4 or IPv6 literal, without brackets) may not be called, or null when it is public. */
export function blockedAddress(address: string): BlockedAddress | null {
  const ip = address.replace(/%.*$/, '');
  if (isIPv4(ip)) {
    const kind = blockedIPv4(ip);
    return kind ? { kind } : null;
  }
  if (isIP(ip) !== 6) return { kind: 'unparseable' };
  const h = hextets(ip);
  const zeroUpTo = (n: number) => h.slice(0, n).every((g) => g === 0);
  const carried = (high: number, low: number): BlockedAddress | null => {
    const ipv4 = embeddedIPv4(h[high]!, h[low]!);
    const kind = blockedIPv4(ipv4);
    return kind ? { kind, ipv4 } : null;
  };
  if (zeroUpTo(8)) return { kind: 'unspecified' };
  if (zeroUpTo(7) && h[7] === 1) return { kind: 'loopback' };
  if (zeroUpTo(5) && h[5] === 0xffff) return carried(6, 7); // IPv4-mapped
  if (zeroUpTo(6)) return { kind: 'reserved' };
  if (h[0] === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((g) => g === 0)) return carried(6, 7); // NAT64
  if (h[0] === 0x2002) return carried(1, 2); // 6to4
  if ((h[0]! & 0xfe00) === 0xfc00) return { kind: 'unique-local' };
  if ((h[0]! & 0xffc0) === 0xfe80) return { kind: 'link-local' };
  if ((h[0]! & 0xffc0) === 0xfec0) return { kind: 'site-local' };
  if ((h[0]! & 0xff00) === 0xff00) return { kind: 'multicast' };
  if (h[0] === 0x100 && h[1] === 0 && h[2] === 0 && h[3] === 0) return { kind: 'reserved' }; // discard-only 100::/64
  return null;
}

/** "127.0.0.1 is a loopback address", "::ffff:7f00:1 is a loopback address (it carries 127.0.0.1)". */
function describeBlocked(address: string, blocked: BlockedAddress): string {
  return `${address} is ${phrase(blocked)}`;
}

/** "localhost resolves to 127.0.0.1, a loopback address". */
function describeResolved(hostname: string, address: string, blocked: BlockedAddress): string {
  return `${hostname} resolves to ${address}, ${phrase(blocked)}`;
}

function phrase(blocked: BlockedAddress): string {
  return `${article(blocked.kind)} ${blocked.kind} address${blocked.ipv4 ? ` (it carries ${blocked.ipv4})` : ''}`;
}

function article(word: string): string {
  return /^([aeio]|u(?!ni))/i.test(word) ? 'an' : 'a';
}

/** A request refused by the policy: recorded as a failed probe or delivery attempt, with this message. */
export class OutboundRefusedError extends Error {
  readonly code = 'EOUTBOUNDREFUSED';
}

export interface OutboundRequestInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The answer's status line only: the body is not downloaded. */
export interface OutboundResponse {
  status: number;
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundPolicyOptions {
  /** Allow every address (development against local services, tests); from `OUTBOUND_ALLOW_PRIVATE`. */
  allowPrivate?: boolean;
  /** Name resolution: every address of a name (default `dns.lookup` with `all`). Tests inject their own. */
  resolve?: Resolver;
  /** How long a registration check waits for DNS before it accepts the name unchecked. */
  resolveTimeoutMs?: number;
}

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export class OutboundPolicy {
  readonly allowPrivate: boolean;
  readonly #resolve: Resolver;
  readonly #resolveTimeoutMs: number;
  readonly #lookup: LookupFunction;
  // Own agents without keep-alive: a pooled socket is never shared with requests made under
  // another policy, and none outlives its request.
  readonly #agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

  constructor(options: OutboundPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? false;
    this.#resolve = options.resolve ?? systemResolver;
    this.#resolveTimeoutMs = options.resolveTimeoutMs ?? 3_000;
    this.#lookup = guardedLookup(this.#resolve);
  }

  /**
   * The registration check of an http(s) URL (already syntactically valid): why it is refused, as
   * a message for the field at fault, or null. A name is resolved now; one that does not resolve
   * (or not in time) is accepted and checked again at every request.
   */
  async check(url: string): Promise<string | null> {
    if (this.allowPrivate) return null;
    const host = hostOf(url);
    if (isIP(host)) {
      const blocked = blockedAddress(host);
      return blocked && `must be a public address: ${describeBlocked(host, blocked)}`;
    }
    let addresses: LookupAddress[];
    try {
      addresses = await withTimeout(this.#resolve(host), this.#resolveTimeoutMs);
    } catch {
      return null;
    }
    const refused = firstBlocked(addresses);
    return refused && `must be a public address: ${describeResolved(host, refused.address, refused.blocked)}`;
  }

  /**
   * One HTTP(S) request under the policy, answering once the status line arrives (the body is
   * discarded). Rejects with {@link OutboundRefusedError} for a refused target, before any
   * connection; otherwise with the connection's error, or the signal's abort.
   */
  request(url: string, init: OutboundRequestInit): Promise<OutboundResponse> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const host = hostOf(url);
      if (!this.allowPrivate && isIP(host)) {
        // A literal address never reaches `lookup` (net connects to it directly): check it here.
        const blocked = blockedAddress(host);
        if (blocked) return reject(new OutboundRefusedError(`refused: ${describeBlocked(host, blocked)}`));
      }
      const secure = target.protocol === 'https:';
      const headers = { ...init.headers };
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
      const req = (secure ? https : http).request(target, {
        method: init.method,
        headers,
        signal: init.signal,
        agent: secure ? this.#agents.https : this.#agents.http,
        lookup: this.allowPrivate ? undefined : this.#lookup,
      });
      req.on('error', reject);
      req.once('response', (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
      });
      req.end(init.body);
    });
  }
}

/**
 * A `lookup` for `net.connect` (through http/https request options): resolves the name, refuses
 * with {@link OutboundRefusedError} if any of its addresses is blocked, and otherwise hands over
 * the addresses it checked — the socket connects to one of those, never to a second answer.
 * Answers in both of net's forms: every address when asked for `all` (family autoselection),
 * else the first one.
 */
export function guardedLookup(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const refused = firstBlocked(all);
        if (refused) {
          callback(new OutboundRefusedError(`refused: ${describeResolved(hostname, refused.address, refused.blocked)}`), '', 0);
          return;
        }
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (!usable.length) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** The URL's host as an address or a name: brackets of an IPv6 literal and a trailing dot removed. */
function hostOf(url: string): string {
  const host = new URL(url).hostname;
  return host.startsWith('[') ? host.slice(1, -1) : host.replace(/\.$/, '');
}

function firstBlocked(addresses: readonly LookupAddress[]): { address: string; blocked: BlockedAddress } | null {
  for (const { address } of addresses) {
    const blocked = blockedAddress(address);
    if (blocked) return { address, blocked };
  }
  return null;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * What went wrong with an outbound request, for a check's message or an attempt's log: the
 * policy's refusal as it is, otherwise the error code that says something (ECONNREFUSED,
 * ENOTFOUND, a TLS error…).
 */
export function describeOutboundFailure(e: unknown): string {
  if (e instanceof OutboundRefusedError) return e.message;
  const error = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason = error?.cause?.code ?? error?.code ?? error?.cause?.message ?? (e instanceof Error ? e.message : String(e));
  return `no answer: ${reason}`.slice(0, 300);
}
