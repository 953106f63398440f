import { createRouter, type AppContext } from '../../app.js';

export function skillRoutes(_ctx: AppContext) {
  return createRouter();
}
