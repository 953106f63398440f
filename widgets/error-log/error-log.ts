import { AiErrorLog, type ErrorAction, type ErrorActionDetail } from './error-log.component.js';

export { AiErrorLog, type ErrorAction, type ErrorActionDetail };

if (!customElements.get('ai-error-log')) customElements.define('ai-error-log', AiErrorLog);

declare global {
  interface HTMLElementTagNameMap {
    'ai-error-log': AiErrorLog;
  }
  interface GlobalEventHandlersEventMap {
    'ai-error-action': CustomEvent<ErrorActionDetail>;
  }
}
