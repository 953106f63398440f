/**
 * The floor under the publish→deliver figure: the same number of loopback TCP connections, the
 * same two receiving processes, and one plain `socket.write` of a frame-sized buffer to each
 * connection per event — no HTTP, no SSE, no database, no JSON. Whatever the stream adds is the
 * difference between this and the measured figure; what this costs is the kernel's and Node's
 * share, which no server design on one process can go below.
 *
 * `tcpFloor(connections, events)` answers the latency percentiles (send → receipt) over `events`
 * rounds paced 500 ms apart, like the stream benchmark's pace. Run as a child with `receiver`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Bytes of one buffer: about an `activity.new` frame. */
const FRAME_BYTES = 520;
const STAMP = 't=';
const HELLO = '!';

export interface FloorResult {
  p50: number;
  p99: number;
  received: number;
  expected: number;
  /** Mean CPU of the writing process per round, user and system, ms. */
  userMs: number;
  systemMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN;
}

function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = () => reject(new Error('a TCP floor receiver exited'));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function tcpFloor(connections: number, events: number): Promise<FloorResult> {
  const sockets: net.Socket[] = [];
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write(HELLO); // tells the receiver its connection was accepted
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const receivers = [0, 1].map((i) =>
    fork(SELF, ['receiver', String(port), String(Math.floor(connections / 2) + (i < connections % 2 ? 1 : 0))], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    await Promise.all(receivers.map((r) => message(r, 'open')));
    for (let waited = 0; sockets.length < connections && waited < 30_000; waited += 50) await sleep(50);
    if (sockets.length < connections) throw new Error(`only ${sockets.length} of ${connections} connections accepted`);
    await sleep(1000);
    let user = 0;
    let system = 0;
    for (let round = -2; round < events; round++) {
      // Two rounds of warm-up, not counted (the receivers skip stamps below zero).
      const stamp = round < 0 ? -1 : now();
      const frame = Buffer.alloc(FRAME_BYTES, 'x');
      frame.write(`${STAMP}${stamp.toFixed(3)};`, 0, 'latin1');
      const cpu = process.cpuUsage();
      for (const socket of sockets) socket.write(frame);
      const used = process.cpuUsage(cpu);
      if (round >= 0) {
        user += used.user / 1000;
        system += used.system / 1000;
      }
      await sleep(500);
    }
    const parts = await Promise.all(
      receivers.map((r) => {
        const reply = message<{ latency: Float64Array }>(r, 'latency');
        r.send('collect');
        return reply;
      }),
    );
    const latency = new Float64Array(parts.reduce((n, p) => n + p.latency.length, 0));
    let at = 0;
    for (const p of parts) {
      latency.set(p.latency, at);
      at += p.latency.length;
    }
    latency.sort();
    return {
      p50: percentile(latency, 50),
      p99: percentile(latency, 99),
      received: latency.length,
      expected: connections * events,
      userMs: user / events,
      systemMs: system / events,
    };
  } finally {
    for (const r of receivers) r.kill();
    for (const s of sockets) s.destroy();
    server.close();
  }
}

/** A receiving process: opens its connections (200 at a time), stamps each buffer's arrival against its send time. */
async function receiver(port: number, count: number): Promise<void> {
  const latency: number[] = [];
  const connect = () =>
    new Promise<void>((resolve, reject) => {
      let pending: string | null = null; // null until the server's hello
      const socket = net.connect(port, '127.0.0.1');
      socket.setEncoding('latin1');
      socket.once('error', reject);
      socket.on('data', (chunk: string) => {
        const at = now();
        if (pending === null) {
          chunk = chunk.slice(HELLO.length);
          pending = '';
          resolve();
        }
        // A buffer may arrive in pieces; its stamp is at its start.
        pending += chunk;
        while (pending.length >= FRAME_BYTES) {
          const sent = Number(pending.slice(STAMP.length, pending.indexOf(';')));
          if (sent >= 0) latency.push(at - sent);
          pending = pending.slice(FRAME_BYTES);
        }
      });
    });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await connect();
    }
  };
  await Promise.all(Array.from({ length: Math.min(200, count) }, worker));
  process.send!({ type: 'open' });
  process.on('message', (m) => {
    if (m === 'collect') process.send!({ type: 'latency', latency: Float64Array.from(latency) });
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === 'receiver') await receiver(Number(process.argv[3]), Number(process.argv[4]));
else if (process.argv[1] === SELF) {
  const r = await tcpFloor(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 20));
  console.log(r);
}
