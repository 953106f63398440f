/**
 * The API reference page at /docs, rendered on the server from the OpenAPI document: no script,
 * no CDN, so it works offline and under a strict Content-Security-Policy.
 */
interface Param {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Schema {
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  $ref?: string;
  description?: string;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Param[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}
interface Doc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, { properties?: Record<string, Schema>; required?: string[] }> };
}

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const code = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function typeOf(s: Schema | undefined): string {
  if (!s) return '';
  if (s.$ref) return s.$ref.split('/').pop()!;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.items) return s.items.enum ? `(${typeOf(s.items)})[]` : `${typeOf(s.items)}[]`;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` (${s.minimum ?? ''}–${s.maximum ?? ''})` : '';
  return `${t}${s.format ? ` (${s.format})` : ''}${range}`;
}

function schemaTable(doc: Doc, name: string): string {
  const s = doc.components?.schemas?.[name];
  if (!s?.properties) return '';
  const rows = Object.entries(s.properties)
    .map(([k, v]) => `<tr><td><code>${esc(k)}</code>${s.required?.includes(k) ? '' : ' <small>optional</small>'}</td><td>${esc(typeOf(v))}</td><td>${code(v.description ?? '')}</td></tr>`)
    .join('');
  return `<details><summary>${esc(name)}</summary><table><tbody>${rows}</tbody></table></details>`;
}

export function renderDocs(doc: Doc): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <small>required</small>' : ''}</td><td>${esc(p.in)}</td><td>${esc(typeOf(p.schema))}</td><td>${code(p.description ?? p.schema?.description ?? '')}</td></tr>`,
        )
        .join('');
      const bodyRef = Object.values(op.requestBody?.content ?? {})[0]?.schema.$ref?.split('/').pop();
      const responses = Object.entries(op.responses)
        .map(([status, r]) => {
          const ref = Object.values(r.content ?? {})[0]?.schema.$ref?.split('/').pop();
          const types = Object.keys(r.content ?? {}).join(', ');
          return `<li><b>${esc(status)}</b> ${code(r.description)}${types ? ` <small>${esc(types)}</small>` : ''}${ref && ref !== 'Problem' ? schemaTable(doc, ref) : ''}</li>`;
        })
        .join('');
      const html =
        `<section id="${esc(method + path)}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>` +
        `<p>${code(op.summary ?? '')}</p>${op.description ? `<p>${code(op.description)}</p>` : ''}` +
        (params ? `<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr></thead><tbody>${params}</tbody></table>` : '') +
        (bodyRef ? `<h4>Request body</h4>${schemaTable(doc, bodyRef)}` : '') +
        `<h4>Responses</h4><ul>${responses}</ul></section>`;
      const tag = op.tags?.[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const nav = [...byTag.keys()].map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ');
  const body = [...byTag].map(([t, ops]) => `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${ops.join('')}`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)}</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:0 auto;padding:1rem 1.25rem;color:#1c2430;background:#fff}
code{font:13px ui-monospace,monospace;background:#f1f4f8;padding:1px 4px;border-radius:4px}
h2{border-bottom:2px solid #e3e8ef;padding-top:1rem}section{border:1px solid #e3e8ef;border-radius:8px;padding:.25rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #eef1f5;padding:4px 6px;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:3.5em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#1d6fd8}.post{background:#1b8a4b}.put,.patch{background:#b26a00}.delete{background:#c62828}small{color:#5b6675}
@media (prefers-color-scheme:dark){body{background:#12161c;color:#e3e8ef}code{background:#1f2630}section,h2{border-color:#2a323d}td,th{border-color:#222a33}small{color:#9aa5b4}}
</style></head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${code(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;API key or embed token&gt;</code>. Errors are <code>application/problem+json</code>.</p>
<nav>${nav}</nav>${body}</body></html>`;
}
