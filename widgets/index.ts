/**
 * Every widget: importing this module defines all the tags. Also exports `configure()` (the page's
 * API base and credential for every widget), the widget classes and the API's types.
 */
import './activity-feed/activity-feed.js';
import './conversation/conversation.js';
import './error-log/error-log.js';
import './metrics-dashboard/metrics-dashboard.js';
import './receptionist-dashboard/receptionist-dashboard.js';
import './roi-metrics/roi-metrics.js';
import './skills-heatmap/skills-heatmap.js';
import './system-health-bar/system-health-bar.js';

export { configure, type GetToken, type WidgetConfig } from './core/config.js';
export { AiActivityFeed } from './activity-feed/activity-feed.component.js';
export { AiConversation } from './conversation/conversation.component.js';
export { AiErrorLog } from './error-log/error-log.component.js';
export { AiMetricsDashboard } from './metrics-dashboard/metrics-dashboard.component.js';
export { AiReceptionistDashboard } from './receptionist-dashboard/receptionist-dashboard.component.js';
export { AiRoiMetrics } from './roi-metrics/roi-metrics.component.js';
export { AiSkillsHeatmap } from './skills-heatmap/skills-heatmap.component.js';
export { AiSystemHealthBar } from './system-health-bar/system-health-bar.component.js';
export type * from './core/index.js';
