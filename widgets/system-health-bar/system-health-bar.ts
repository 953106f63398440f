import type { Component } from '../../api/contract.js';
import { AiSystemHealthBar } from './system-health-bar.component.js';

export { AiSystemHealthBar };

if (!customElements.get('ai-system-health-bar')) customElements.define('ai-system-health-bar', AiSystemHealthBar);

declare global {
  interface HTMLElementTagNameMap {
    'ai-system-health-bar': AiSystemHealthBar;
  }
  interface GlobalEventHandlersEventMap {
    'ai-health-select': CustomEvent<{ component: Component }>;
  }
}
