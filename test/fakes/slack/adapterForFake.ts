import type { JobStore } from '../../../src/core/JobStore.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import type { SlackAdapter } from '../../../adapters/slack/SlackAdapter.js';
import type { FakeSlack } from './FakeSlack.js';

export const FAKE_SIGNING_SECRET = 'fake-signing-secret-0123456789abcdef';

/**
 * A Slack adapter wired to a FakeSlack (for contract and end-to-end tests). Socket Mode by default;
 * `mode: 'http'` binds 127.0.0.1 on a free port and points the fake's deliveries at it after start.
 */
export function slackAdapterForFake(
  fake: FakeSlack,
  store: JobStore,
  overrides: Record<string, unknown> = {},
  log: Logger = silentLogger,
): SlackAdapter {
  return createSlackAdapter({
    config: {
      api_url: fake.url,
      client_ping_timeout_s: 0.3,
      min_post_interval_s: 0,
      api_retries: 0,
      http: { host: '127.0.0.1', port: 0, path: '/slack/events' },
      ...overrides,
    },
    env: { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_SIGNING_SECRET: FAKE_SIGNING_SECRET },
    log,
    kv: store.keyValues(),
  });
}

/** After `adapter.start()` in HTTP mode: make the fake deliver commands/events over signed HTTP. */
export function routeFakeToHttp(fake: FakeSlack, adapter: SlackAdapter): void {
  const url = adapter.httpUrl;
  if (!url) throw new Error('adapter is not in HTTP mode or not started');
  fake.eventTarget = { kind: 'http', url, signingSecret: FAKE_SIGNING_SECRET };
}
