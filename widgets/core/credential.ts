import type { GetToken } from './config.js';

/** Seconds before a token's `exp` at which it is refreshed ahead of use. */
const EXPIRY_MARGIN_S = 30;

/**
 * One credential, shared by the API client and the stream of every widget that uses it, so a
 * refresh happens once for all of them. A fixed token cannot be refreshed; `getToken` is called
 * when there is no token yet, when the current one is about to expire, and after a 401.
 */
export class Credential {
  #token: string | undefined;
  #pending: Promise<string> | undefined;

  constructor(
    token: string | undefined,
    readonly getToken?: GetToken,
  ) {
    this.#token = token || undefined;
  }

  get canRefresh(): boolean {
    return this.getToken !== undefined;
  }

  /** A token to use now. */
  async current(): Promise<string> {
    const token = this.#token;
    if (token !== undefined && (!this.getToken || !expiresSoon(token))) return token;
    if (!this.getToken) throw new Error('No credential: set the `token` attribute or call configure({ token | getToken }).');
    return this.refresh();
  }

  /** A new token from `getToken` (concurrent callers share one call). */
  refresh(): Promise<string> {
    if (!this.getToken) return Promise.reject(new Error('The token was refused and cannot be refreshed: configure getToken.'));
    this.#pending ??= Promise.resolve()
      .then(() => this.getToken!())
      .then((token) => {
        if (typeof token !== 'string' || !token) throw new Error('getToken() returned no token.');
        this.#token = token;
        return token;
      })
      .finally(() => (this.#pending = undefined));
    return this.#pending;
  }
}

/**
 * The claims of a JWT, read without verifying it (the API verifies): for what the widget may offer,
 * never for what it may do. Undefined when the token is not a JWT.
 */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a JWT's `exp` is within the margin. Tokens that are not JWTs never expire here (the API decides). */
function expiresSoon(token: string): boolean {
  const exp = tokenClaims(token)?.exp;
  return typeof exp === 'number' && exp - EXPIRY_MARGIN_S <= Date.now() / 1000;
}

const byToken = new Map<string, Credential>();
const byFunction = new WeakMap<GetToken, Credential>();

/** The shared credential for a fixed token or a `getToken` function (one object per distinct credential). */
export function credentialFor(token: string | undefined, getToken: GetToken | undefined): Credential | undefined {
  if (token) {
    let credential = byToken.get(token);
    if (!credential) byToken.set(token, (credential = new Credential(token)));
    return credential;
  }
  if (getToken) {
    let credential = byFunction.get(getToken);
    if (!credential) byFunction.set(getToken, (credential = new Credential(undefined, getToken)));
    return credential;
  }
  return undefined;
}
