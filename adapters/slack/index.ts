export { SlackConfigSchema, resolveSlackSecrets, type SlackConfig } from './config.js';
export { createSlackAdapter, type SlackAdapterDeps } from './createSlackAdapter.js';
export { SlackAdapter } from './SlackAdapter.js';
export { SlackHttpReceiver } from './SlackHttpReceiver.js';
export { computeSlackSignature, verifySlackSignature, ReplayGuard } from './slackSignature.js';
