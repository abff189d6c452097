/**
 * A fake Mattermost plus a started MattermostAdapter wired to it, for contract and end-to-end tests.
 * The bot token and slash token are real values the fake checks, so wrong ones fail loudly.
 */
import type { InboundHandler } from '../../../src/core/types.js';
import type { JobStore } from '../../../src/core/JobStore.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { createMattermostAdapter } from '../../../adapters/mattermost/index.js';
import type { MattermostAdapter } from '../../../adapters/mattermost/MattermostAdapter.js';
import { startFakeMattermost, type FakeMattermost, type FakeMattermostOptions } from './FakeMattermost.js';

export const RIG_SLASH_TOKEN = 'slashtok-4f8e2c1d9a7b6e5f';

export interface MattermostRig {
  fake: FakeMattermost;
  adapter: MattermostAdapter;
  store: JobStore;
  slashUrl: string;
  slashToken: string;
  /** Build and start another adapter on the same fake and store (e.g. after a restart). */
  restartAdapter(handler: InboundHandler): Promise<MattermostAdapter>;
  close(): Promise<void>;
}

export interface MattermostRigOptions {
  handler: InboundHandler;
  store?: JobStore;
  log?: Logger;
  /** Overrides of the adapter config (merged over the rig's defaults). */
  config?: Record<string, unknown>;
  fake?: FakeMattermostOptions;
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function startMattermostRig(opts: MattermostRigOptions): Promise<MattermostRig> {
  const fake = await startFakeMattermost(opts.fake);
  const store = opts.store ?? new MemoryJobStore();
  const env = { MATTERMOST_BOT_TOKEN: fake.bot.token, MATTERMOST_SLASH_TOKEN: RIG_SLASH_TOKEN };
  const build = () =>
    createMattermostAdapter({
      config: {
        url: fake.url,
        listen: { host: '127.0.0.1', port: 0, path: '/mattermost/command' },
        reconnect: { min_s: 0.02, max_s: 0.2 },
        ...opts.config,
      },
      env,
      log: opts.log ?? silentLogger,
      kv: store.keyValues(),
    });
  let adapter = build();
  const startIt = async (a: MattermostAdapter, h: InboundHandler) => {
    await a.start(h);
    await waitFor(() => a.socketConnected && fake.socketCount >= 1, 'the adapter WebSocket');
    await a.whenIdle();
  };
  await startIt(adapter, opts.handler);
  const rig: MattermostRig = {
    fake,
    get adapter() {
      return adapter;
    },
    store,
    get slashUrl() {
      return adapter.slashCommandUrl!;
    },
    slashToken: RIG_SLASH_TOKEN,
    async restartAdapter(handler) {
      await adapter.stop();
      adapter = build();
      await startIt(adapter, handler);
      return adapter;
    },
    async close() {
      await adapter.stop();
      await fake.close();
      // Every request the adapter sent must fit Mattermost's API description (apiSchemas.ts).
      if (fake.schemaViolations.length) throw new Error(`requests outside Mattermost's API description:\n${fake.schemaViolations.join('\n')}`);
    },
  } as MattermostRig;
  return rig;
}
