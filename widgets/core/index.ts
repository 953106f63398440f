export { configure, type GetToken, type WidgetConfig } from './config.js';
export { AiElement } from './base-element.js';
export { ApiClient, ApiError, clientFor, DASHBOARD_PATH, type Query } from './api-client.js';
export { Credential } from './credential.js';
export { SharedStream, StreamController, streamFor, type ConnectionState, type StreamHandlers } from './stream.js';
export { Format, formatFor } from './format.js';
export { TickController } from './clock.js';
export { tokens } from './theme.styles.js';
export type * from '../../api/contract.js';
