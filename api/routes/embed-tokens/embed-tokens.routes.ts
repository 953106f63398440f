import { createRouter, type AppContext } from '../../app.js';

export function embedTokenRoutes(_ctx: AppContext, _secret: string) {
  return createRouter();
}
