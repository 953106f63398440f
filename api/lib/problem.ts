import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** One invalid input: where it is (`query.limit`, `body.items.3.channel`, `header.authorization`) and why. */
export interface FieldError {
  field: string;
  /** Where the field is: `query`, `param`, `json` (body), `header`. */
  in?: string;
  message: string;
}

/** An RFC 9457 problem details object. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['invalid-request', 'Your request is not valid'],
  401: ['unauthenticated', 'A valid credential is required'],
  403: ['forbidden', 'The credential does not allow this'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['rate-limited', 'Too many requests'],
  500: ['internal', 'Internal server error'],
  503: ['unavailable', 'Service unavailable'],
};

export const PROBLEM_TYPE_BASE = 'https://ai-receptionist.dev/problems/';

/** An error that is answered as problem+json; throw it from anywhere in a request. */
export class ApiError extends HTTPException {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    detail: string,
    options: { errors?: FieldError[]; title?: string; headers?: Record<string, string> } = {},
  ) {
    super(status, { message: detail });
    const [slug, title] = TITLES[status] ?? ['error', 'Error'];
    this.problem = { type: PROBLEM_TYPE_BASE + slug, title: options.title ?? title, status, detail };
    if (options.errors?.length) this.problem.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

/** A 400 naming the one field at fault. */
export function invalidField(field: string, message: string, where = 'query'): ApiError {
  return new ApiError(400, `${field}: ${message}`, { errors: [{ field, in: where, message }] });
}

export function notFound(what: string): ApiError {
  return new ApiError(404, `${what} was not found.`);
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
