import type { Activity } from '../../api/contract.js';
import { AiActivityFeed } from './activity-feed.component.js';

export { AiActivityFeed };

if (!customElements.get('ai-activity-feed')) customElements.define('ai-activity-feed', AiActivityFeed);

declare global {
  interface HTMLElementTagNameMap {
    'ai-activity-feed': AiActivityFeed;
  }
  interface GlobalEventHandlersEventMap {
    'ai-activity-select': CustomEvent<{ activity: Activity }>;
  }
}
