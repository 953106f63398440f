import { createRouter, type AppContext } from '../../app.js';

export function roiRoutes(_ctx: AppContext) {
  return createRouter();
}
