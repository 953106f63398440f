import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>/<path>` */
  url: string;
  received: ReceivedRequest[];
  /** Resolves with the next request the server receives (its body read). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (a free port) for tests of outgoing requests: each request is
 * recorded with its body, then answered by `handle` (`n` counts requests from 1). A handler that
 * never answers makes a hanging server. `close()` drops open connections.
 */
export async function startTestServer(
  handle: (res: ServerResponse, n: number, req: IncomingMessage) => void,
  path = '/hook',
): Promise<TestServer> {
  let waiting: ((r: ReceivedRequest) => void)[] = [];
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      received.push(r);
      const resolve = waiting;
      waiting = [];
      for (const w of resolve) w(r);
      handle(res, received.length, req);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
