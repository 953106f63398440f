import { createRouter, type AppContext } from '../../app.js';

export function systemHealthRoutes(_ctx: AppContext) {
  return createRouter();
}
