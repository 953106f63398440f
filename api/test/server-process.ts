import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Settles when the process has exited. */
  exited: Promise<void>;
}

export interface ServerProcessOptions {
  dbPath: string;
  secret: string;
  /** `serve --demo`: the demo tenant, the simulator (unless its rate is 0) and the demo page. */
  demo?: boolean;
  /** More environment (LOG_LEVEL defaults to warn). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * `ai-receptionist serve` in a child process on a free loopback port, as it runs in production;
 * resolves once it listens (the port is read from its start-up line), rejects if it exits first.
 * Tests and benchmarks stop it through `child`.
 */
export function spawnServer(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/cli.ts', 'serve', ...(options.demo ? ['--demo'] : [])], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      ...options.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DB_PATH: options.dbPath,
      EMBED_SECRET: options.secret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      reject(new Error(`the server did not listen within ${timeoutMs / 1000} s`));
      child.kill('SIGKILL');
    }, timeoutMs);
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      const port = Number(m[1]);
      resolve({ child, port, url: `http://127.0.0.1:${port}`, exited });
    };
    child.stdout!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before listening (code ${child.exitCode}, signal ${child.signalCode})`));
    });
  });
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`; settles once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
