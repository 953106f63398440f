import type { Skill } from '../../api/contract.js';
import { AiSkillsHeatmap } from './skills-heatmap.component.js';

export { AiSkillsHeatmap };
export type { SkillSort, SkillsView } from './skills-heatmap.component.js';

if (!customElements.get('ai-skills-heatmap')) customElements.define('ai-skills-heatmap', AiSkillsHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'ai-skills-heatmap': AiSkillsHeatmap;
  }
  interface GlobalEventHandlersEventMap {
    'ai-skill-select': CustomEvent<{ skill: Skill }>;
  }
}
