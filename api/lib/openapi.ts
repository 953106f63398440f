/**
 * Adds the error answers every route can give to each operation of the OpenAPI document, in one
 * place rather than in each route (and so outside the handlers' response types): 400 where there
 * is input, 401/403 for authenticated routes, 404 where a path names a resource, 413 for bodies.
 */
type Operation = { parameters?: unknown[]; requestBody?: unknown; responses: Record<string, unknown>; security?: unknown[] };
type Doc = { paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

const PROBLEM = {
  type: 'object',
  description: 'RFC 9457 problem details.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'The invalid fields.',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, in: { type: 'string' }, message: { type: 'string' } },
        required: ['field', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export function withErrorResponses<T>(doc: T): T {
  const d = doc as Doc;
  d.components ??= {};
  d.components.schemas = { ...d.components.schemas, Problem: PROBLEM };
  for (const [path, ops] of Object.entries(d.paths ?? {})) {
    const authenticated = path.startsWith('/api/v1/');
    for (const op of Object.values(ops)) {
      const add = (status: number, description: string) => (op.responses[status] ??= problem(description));
      if (op.parameters?.length || op.requestBody) add(400, 'Invalid input: `errors` names each field at fault.');
      if (authenticated) {
        add(401, 'No credential, or an expired, tampered or revoked one.');
        add(403, 'The credential lacks the scope this needs.');
      }
      if (path.includes('{')) add(404, 'Not found, or it belongs to another tenant (the two are indistinguishable).');
      if (op.requestBody) add(413, 'The body is larger than the limit.');
    }
  }
  return doc;
}
