import { z } from '@hono/zod-openapi';

export const MAX_URL_LENGTH = 2048;

/**
 * Why a URL the server will call (a health probe, a webhook) is unacceptable, or null when it is
 * fine: it must be absolute http or https, with a host and without credentials (a password in a
 * URL ends up in logs and API answers; send credentials in the endpoint's own way instead).
 */
export function httpUrlProblem(value: string): string | null {
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must use http or https, not ${url.protocol.slice(0, -1)}`;
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  return null;
}

/** A zod schema for such a URL, answering the specific reason when it is refused. */
export function httpUrl(description: string) {
  return z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = httpUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .openapi({ format: 'uri', maxLength: MAX_URL_LENGTH, description, example: 'https://status.example.com/health' });
}
