/// <reference types="mocha" />
// ↑ mocha's globals (describe, it, before…) for every widget test: tsconfig's "types" lists only node.
/**
 * Browser-side helpers for widget tests: a REAL API server per test file (see ./api-plugin.ts,
 * which runs it in the test runner's Node process), and small awaiting utilities.
 *
 *   let api: Api;
 *   before(async () => (api = await startApi('demo')));
 *   after(() => stopApi(api));
 */
import { executeServerCommand } from '@web/test-runner-commands';
import type { ApiInfo, ApiResponse, FetchPayload, IdPayload, IngestPayload, Seed, StartPayload } from './api-plugin.js';

export type { ApiInfo, ApiResponse, Seed } from './api-plugin.js';
export type Api = ApiInfo;

/** Starts a real API on a fresh database: 'demo' (the seeded mortgage tenant) or 'empty'. */
export function startApi(seed: Seed = 'demo'): Promise<Api> {
  return executeServerCommand<Api, StartPayload>('api-start', { seed });
}

/** Stops the server, removes its database. Safe to call with `undefined` (a failed `before`). */
export async function stopApi(api: Api | undefined): Promise<void> {
  if (!api) return;
  await executeServerCommand<true, IdPayload>('api-stop', { id: api.id });
}

/**
 * Drops every connection abruptly and starts a new app on the same port and database; resolves
 * when it listens again. Open streams break and must reconnect (with Last-Event-ID).
 */
export async function restartApi(api: Api): Promise<void> {
  await executeServerCommand<Api, IdPayload>('api-restart', { id: api.id });
}

/**
 * POSTs to `/api/v1/ai-receptionist/ingest${path}` with an ingest key of the first tenant, through
 * real HTTP from Node. Paths: `/activity`, `/conversations`, `/errors`, `/system-health/<component>`.
 */
export function ingest<T = unknown>(api: Api, path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
  return executeServerCommand<ApiResponse<T>, IngestPayload>('api-ingest', { id: api.id, path, body, headers });
}

/** How many SSE streams of the first tenant are open (past their replay) right now. */
export function streamCount(api: Api): Promise<number> {
  return executeServerCommand<number, IdPayload>('api-stream-count', { id: api.id });
}

/** GET `/api/v1/ai-receptionist/dashboard${path}` from Node with the tenant's read (or write) token. */
export function apiFetch<T = unknown>(api: Api, path: string, token: 'read' | 'write' = 'read'): Promise<ApiResponse<T>> {
  return executeServerCommand<ApiResponse<T>, FetchPayload>('api-fetch', { id: api.id, path, token });
}

/**
 * Resolves once `predicate` holds (checked every frame, or every 16 ms when frames are throttled);
 * throws `message` after `timeoutMs`. Awaits a condition; it never just sleeps.
 */
export async function until(predicate: () => unknown | Promise<unknown>, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (performance.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${message}${cause}`);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 16);
      requestAnimationFrame(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The next `name` event dispatched on `el` (or rejects with a clear message after `timeoutMs`). */
export function nextEvent<E extends Event = CustomEvent>(el: EventTarget, name: string, timeoutMs = 5000): Promise<E> {
  return new Promise<E>((resolve, reject) => {
    const timer = setTimeout(() => {
      el.removeEventListener(name, listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for a "${name}" event`));
    }, timeoutMs);
    const listener = (e: Event) => {
      clearTimeout(timer);
      resolve(e as E);
    };
    el.addEventListener(name, listener, { once: true });
  });
}
