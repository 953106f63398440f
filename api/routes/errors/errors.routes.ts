import { createRouter, type AppContext } from '../../app.js';

export function errorRoutes(_ctx: AppContext) {
  return createRouter();
}
