import { createRouter, type AppContext } from '../../app.js';

export function conversationRoutes(_ctx: AppContext) {
  return createRouter();
}
