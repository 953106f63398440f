// The dashboard's panels are tags of their own: defining the dashboard defines them too.
import '../activity-feed/activity-feed.js';
import '../conversation/conversation.js';
import '../error-log/error-log.js';
import '../metrics-dashboard/metrics-dashboard.js';
import '../roi-metrics/roi-metrics.js';
import '../skills-heatmap/skills-heatmap.js';
import '../system-health-bar/system-health-bar.js';
import { AiReceptionistDashboard } from './receptionist-dashboard.component.js';

export { AiReceptionistDashboard };

if (!customElements.get('ai-receptionist-dashboard')) customElements.define('ai-receptionist-dashboard', AiReceptionistDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'ai-receptionist-dashboard': AiReceptionistDashboard;
  }
}
