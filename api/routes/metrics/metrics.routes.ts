import { createRouter, type AppContext } from '../../app.js';

export function metricsRoutes(_ctx: AppContext) {
  return createRouter();
}
