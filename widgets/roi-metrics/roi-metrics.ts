import { AiRoiMetrics } from './roi-metrics.component.js';

export { AiRoiMetrics };
export type { RoiRange } from './roi-metrics.component.js';

if (!customElements.get('ai-roi-metrics')) customElements.define('ai-roi-metrics', AiRoiMetrics);

declare global {
  interface HTMLElementTagNameMap {
    'ai-roi-metrics': AiRoiMetrics;
  }
}
