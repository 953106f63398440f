/**
 * Page-wide configuration: where the API is and how to get a credential. Set once with
 * `configure()` for every widget on the page, or per widget with the `api-base` and `token`
 * attributes (which win).
 */

/** Returns a fresh embed token; called again when the API answers 401 or the token expires. */
export type GetToken = () => string | Promise<string>;

export interface WidgetConfig {
  /** The API's origin (and path prefix, if it is mounted under one), e.g. `https://api.example.com`. Empty: the page's origin. */
  apiBase?: string;
  /** A fixed embed token. */
  token?: string;
  /** A function the widgets call for a token, and again when it expires: the host's way to refresh without a reload. */
  getToken?: GetToken;
}

let current: WidgetConfig = {};
const listeners = new Set<() => void>();

/** Configures every widget on the page; widgets already connected reload with it. */
export function configure(config: WidgetConfig): void {
  current = { ...current, ...config };
  if (config.token !== undefined && config.getToken === undefined) delete current.getToken;
  if (config.getToken !== undefined && config.token === undefined) delete current.token;
  for (const listener of listeners) listener();
}

export function pageConfig(): Readonly<WidgetConfig> {
  return current;
}

/** Calls `listener` after each `configure()`; returns the unsubscribe function. */
export function onConfigure(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
