import type { ApiClient, Query } from './api-client.js';

/**
 * Downloads what the API answers for `path` as a file (CSV exports): fetched with the widget's
 * credential, then saved through a temporary object URL, so it works cross-origin and under a
 * strict Content-Security-Policy.
 */
export async function downloadFile(client: ApiClient, path: string, query: Query, filename: string): Promise<void> {
  const response = await client.fetch(client.url(path, query));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
