import { html, type TemplateResult } from 'lit';
import { ApiError } from './api-client.js';
import { icon } from './icons.js';
import type { ConnectionState } from './stream.js';

const CONNECTION = {
  connecting: ['Connecting…', 'refresh'],
  connected: ['Live', 'dot'],
  reconnecting: ['Reconnecting…', 'refresh'],
  offline: ['Offline', 'cross'],
} as const;

/** The widget's view of the shared stream: icon, colour and a word. */
export function connectionBadge(state: ConnectionState, paused = false): TemplateResult {
  const [label, name] = paused && state === 'connected' ? (['Paused', 'pause'] as const) : CONNECTION[state];
  return html`<span class="connection" part="connection" data-state=${paused ? 'paused' : state} role="status">${icon(name)}${label}</span>`;
}

/** Placeholder lines while the first data loads. */
export function skeleton(lines = 4): TemplateResult {
  return html`<div class="skeleton" part="skeleton" role="progressbar" aria-label="Loading">${Array.from({ length: lines }, () => html`<span></span>`)}</div>`;
}

export function emptyState(message: string): TemplateResult {
  return html`<div class="state" part="empty" data-kind="empty">${message}</div>`;
}

/** A failure in words a host's user understands, and a retry. */
export function errorState(error: unknown, retry: () => void): TemplateResult {
  return html`<div class="state" part="error" data-kind="error" role="alert">
    <span>${icon('warning')} ${describeError(error)}</span>
    <button class="button" part="retry" @click=${retry}>${icon('refresh')} Retry</button>
  </div>`;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return 'The API could not be reached.';
    if (error.status === 401) return 'Not signed in: the embed token was refused or has expired.';
    if (error.status === 403) return 'This token is not allowed to see this panel.';
    if (error.status === 404) return 'Not found.';
    return `The API answered ${error.status}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
