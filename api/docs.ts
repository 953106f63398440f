export function renderDocs(doc: unknown): string {
  return `<pre>${JSON.stringify(doc)}</pre>`;
}
