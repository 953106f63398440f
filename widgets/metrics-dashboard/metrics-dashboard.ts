import type { Granularity } from '../../api/contract.js';
import { AiMetricsDashboard } from './metrics-dashboard.component.js';

export { AiMetricsDashboard };

if (!customElements.get('ai-metrics-dashboard')) customElements.define('ai-metrics-dashboard', AiMetricsDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'ai-metrics-dashboard': AiMetricsDashboard;
  }
  interface GlobalEventHandlersEventMap {
    'ai-range-change': CustomEvent<{ granularity: Granularity; start_date: string; end_date: string }>;
  }
}
