/**
 * What Node's HTTP parser refuses before the app sees a request is answered as problem+json like
 * every other error (SPEC §4), over real HTTP on 127.0.0.1 with raw bytes: conflicting framing,
 * bad chunks, invalid header lines, oversized header blocks, requests that never finish. The
 * connection is closed, and the server goes on serving the next one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { loadConfig, type Config } from './config.js';
import { PROBLEM_TYPE_BASE } from './lib/problem.js';
import { answerClientErrors, clientErrorResponse, startServer } from './main.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent. */
  text: string;
}

/**
 * Writes raw bytes and reads until the server closes the connection. A reset after the answer
 * arrived (the server closed with request bytes still unread) still yields that answer.
 */
function raw(port: number, bytes: string | Buffer, options: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (e) => (chunks.length ? undefined : reject(e)));
    if (options.end === false) socket.write(bytes);
    else socket.end(bytes);
  });
}

/** Parses one HTTP/1.1 answer and checks its framing: exactly content-length bytes of body, then nothing. */
function parse(text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n');
  assert.ok(split > 0, `a complete head: ${JSON.stringify(text)}`);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3}) [A-Za-z ]+$/.exec(statusLine!);
  assert.ok(match, `status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(split + 4);
  assert.equal(Number(headers['content-length']), Buffer.byteLength(body, 'latin1'), 'content-length is the body, and nothing follows it');
  return { status: Number(match[1]), headers, body, text };
}

/** A problem+json answer of `status` that closes the connection and says no more than the parser's error code. */
function assertProblem(text: string, status: number, code?: string) {
  const answer = parse(text);
  assert.equal(answer.status, status, text);
  assert.equal(answer.headers['content-type'], 'application/problem+json');
  assert.equal(answer.headers.connection, 'close');
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(problem).sort(), ['detail', 'status', 'title', 'type']);
  assert.equal(problem.status, status);
  assert.ok(String(problem.type).startsWith(PROBLEM_TYPE_BASE), String(problem.type));
  assert.ok(typeof problem.title === 'string' && problem.title.length > 0);
  if (code) assert.match(String(problem.detail), new RegExp(`\\(${code}\\)`));
  // Node's own error text ("Parse Error: …") and the bytes it choked on stay inside.
  assert.doesNotMatch(answer.text, /Parse Error|rawPacket|bytesParsed|SECRET|at \w+ \(/);
  return problem;
}

const dir = mkdtempSync(join(tmpdir(), 'air-main-http-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('startServer: what the parser refuses is answered as problem+json', () => {
  // The defaults of every setting, as `serve` would have them with no environment but these.
  const config: Config = {
    ...loadConfig({ DB_PATH: join(dir, 'main-http.db'), EMBED_SECRET: 'main-http-test-secret-0123456789abcdef', LOG_LEVEL: 'silent', SIMULATOR_EVENTS_PER_MINUTE: '0' }),
    port: 0,
    host: '127.0.0.1',
  };
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    server = await startServer(config);
  });
  after(() => server.close());

  /** The next connection is served as usual. */
  async function stillServing() {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  }

  const POST = 'POST /api/v1/ai-receptionist/dashboard/ingest/activity HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer SECRET-credential\r\nContent-Type: application/json\r\n';
  const CASES: [name: string, request: string, status: number, code: RegExp][] = [
    ['Content-Length and Transfer-Encoding together', `${POST}Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`, 400, /^HPE_/],
    ['a chunk size that is not hex', `${POST}Transfer-Encoding: chunked\r\n\r\nzz\r\n{"SECRET":1}\r\n0\r\n\r\n`, 400, /^HPE_INVALID_CHUNK_SIZE$/],
    ['a control character in a header value', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x01SECRET\r\n\r\n`, 400, /^HPE_/],
    ['a space in a header name', `GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: SECRET\r\n\r\n`, 400, /^HPE_/],
    ['a header line without a colon', `GET /healthz HTTP/1.1\r\nHost: x\r\nSECRET\r\n\r\n`, 400, /^HPE_/],
    ['a request line that is not HTTP', `GET /healthz SECRET/9\r\n\r\n`, 400, /^HPE_/],
    ['a header block over the limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'SECRET'.repeat(4000)}\r\n\r\n`, 431, /^HPE_HEADER_OVERFLOW$/],
    ['a body longer than its Content-Length (the rest is a malformed next request)', `${POST}Content-Length: 2\r\n\r\n{}SECRET garbage\r\n\r\n`, 400, /^HPE_/],
  ];

  for (const [name, request, status, code] of CASES) {
    test(`${name} → ${status} problem+json, connection closed; the next connection is served`, async () => {
      const text = await raw(server.port, request);
      // The body of a request before the malformed one may have been answered first (keep-alive); the refusal is last.
      const last = text.slice(text.lastIndexOf('HTTP/1.1 '));
      const problem = assertProblem(last, status);
      const reported = /\(([A-Z0-9_]+)\)/.exec(String(problem.detail))?.[1] ?? '';
      assert.match(reported, code, String(problem.detail));
      await stillServing();
    });
  }

  test('many malformed connections at once, then the server still serves', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => raw(server.port, i % 2 ? CASES[0]![1] : CASES[1]![1])));
    for (const text of answers) assertProblem(text, 400);
    await stillServing();
  });
});

describe('answerClientErrors on a bare server', () => {
  let server: Server;
  let port: number;
  let bodies = 0;
  before(async () => {
    server = serve({
      port: 0,
      hostname: '127.0.0.1',
      serverOptions: { headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 25 },
      fetch: async (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/stream') {
          // A response that has begun and goes on.
          return new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('first part\n')) }));
        }
        if (req.body) {
          await req.text();
          bodies++;
        }
        return new Response('ok');
      },
    }) as Server;
    answerClientErrors(server);
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  test('a request that does not arrive in time → 408 problem+json', async () => {
    const text = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', { end: false });
    assertProblem(text, 408, 'ERR_HTTP_REQUEST_TIMEOUT');
  });

  test('chunk extensions over the limit → 413 problem+json, and the app never saw a body', async () => {
    const before = bodies;
    const text = await raw(port, `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=${'x'.repeat(20_000)}\r\na\r\n0\r\n\r\n`);
    assertProblem(text, 413, 'HPE_CHUNK_EXTENSIONS_OVERFLOW');
    assert.equal(bodies, before);
  });

  test('once a response has begun on the connection, nothing is written into it: the connection is only closed', async () => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    // Once the first part of the stream is here, garbage follows on the same connection.
    while (!Buffer.concat(chunks).toString('latin1').includes('first part')) await once(socket, 'data');
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await closed;
    const text = Buffer.concat(chunks).toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.doesNotMatch(text, /problem\+json|HTTP\/1\.1 400/);
  });

  test('the message itself: exact framing and the parser code only when it looks like one', () => {
    for (const [code, status] of [
      ['HPE_INVALID_CHUNK_SIZE', 400],
      ['HPE_HEADER_OVERFLOW', 431],
      ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 413],
      ['ERR_HTTP_REQUEST_TIMEOUT', 408],
      [undefined, 400],
      ['not a code: /etc/passwd', 400],
    ] as const) {
      const problem = assertProblem(clientErrorResponse(code), status);
      if (code && /^[A-Z_]+$/.test(code)) assert.match(String(problem.detail), new RegExp(`\\(${code}\\)`));
      else assert.doesNotMatch(String(problem.detail), /\(|passwd/);
    }
  });
});
