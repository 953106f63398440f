import type { DashboardReadPath, DashboardReadResponse, Problem } from '../../api/contract.js';
import type { Credential } from './credential.js';

/** Where the dashboard routes live under the API base. */
export const DASHBOARD_PATH = '/api/v1/ai-receptionist/dashboard';

/** Query parameters; arrays repeat the name (`action_type=a&action_type=b`), empty values are left out. */
export type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

/** A failed API call: the HTTP status and the problem document the API answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(problem?.detail ?? problem?.title ?? (status ? `The API answered ${status}.` : 'The API could not be reached.'));
    this.name = 'ApiError';
  }
}

/**
 * The widgets' API client: JSON over fetch with the embed token, typed by the API's contract.
 * A 401 gets one token refresh and one retry; any other failure is an `ApiError`.
 */
export class ApiClient {
  constructor(
    readonly apiBase: string,
    readonly credential: Credential,
  ) {}

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null || value === '') continue;
      if (Array.isArray(value)) for (const v of value) params.append(name, v);
      else params.set(name, String(value));
    }
    const search = params.toString();
    return `${this.apiBase.replace(/\/+$/, '')}${DASHBOARD_PATH}${path}${search ? `?${search}` : ''}`;
  }

  async get<P extends DashboardReadPath>(path: P, query?: Query, signal?: AbortSignal): Promise<DashboardReadResponse<P>> {
    const response = await this.fetch(this.url(path, query), { signal });
    return (await response.json()) as DashboardReadResponse<P>;
  }

  async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.fetch(this.url(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      signal,
    });
    return (await response.json()) as T;
  }

  /** A fetch with the credential; answers only 2xx responses and throws `ApiError` for the rest. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    let response = await this.#send(url, init, await this.credential.current());
    if (response.status === 401 && this.credential.canRefresh) response = await this.#send(url, init, await this.credential.refresh());
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    return response;
  }

  async #send(url: string, init: RequestInit, token: string): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    try {
      return await fetch(url, { ...init, headers });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0);
    }
  }
}

async function problemOf(response: Response): Promise<Problem | undefined> {
  try {
    return (await response.json()) as Problem;
  } catch {
    return undefined;
  }
}

const clients = new WeakMap<Credential, Map<string, ApiClient>>();

/** The client of an API base and credential, shared by every widget that uses the same pair. */
export function clientFor(apiBase: string, credential: Credential): ApiClient {
  let byBase = clients.get(credential);
  if (!byBase) clients.set(credential, (byBase = new Map()));
  let client = byBase.get(apiBase);
  if (!client) byBase.set(apiBase, (client = new ApiClient(apiBase, credential)));
  return client;
}
