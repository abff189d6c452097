/** An orchestrator on a MemoryJobStore, the FakeBackend and a recording chat adapter, for unit tests of job runs. */
import { ConfigSchema } from '../../src/bot/config.js';
import { SourceCatalog } from '../../src/config/SourceCatalog.js';
import { Orchestrator } from '../../src/orchestrator/Orchestrator.js';
import type { AnalysisStep } from '../../src/orchestrator/JobAnalysis.js';
import { MemoryJobStore } from '../../src/store/MemoryJobStore.js';
import { silentLogger } from '../../src/log.js';
import { FakeBackend } from '../fakes/FakeBackend.js';
import type { InboundMessage } from '../../src/core/types.js';
import { RecordingChat } from '../fakes/RecordingChat.js';
import type { LoadedConfig } from '../../src/bot/config.js';
import type { RunInfo } from '../../src/core/services.js';

const sources = SourceCatalog.fromFile(new URL('../../config/sources.yaml', import.meta.url).pathname);

export function loadedConfig(over: { bot?: Record<string, unknown>; pipeline?: Record<string, unknown> } = {}): LoadedConfig {
  const config = ConfigSchema.parse({
    bot: { poll_interval_s: 0.05, progress_edit_interval_s: 0, delivery: { retry_initial_s: 0.01, retry_max_s: 0.05, patience_s: 60 }, ...over.bot },
    data: { base: '/d', night_index: 'run_catalog', run_catalog: '{base}/rc/RunCatalog_{night}.ecsv' },
    paths: {
      dl1: '{base}/DL1/{night}/dl1_LST-1.Run{run:05}.h5',
      dl2: '{base}/DL2/{night}/dl2_LST-1.Run{run:05}.h5',
      dl3_dir: '{base}/DL3/{night}',
      dl3: '{dl3_dir}/dl3_LST-1.Run{run:05}.fits.gz',
      dl3_index: '{dl3_dir}/obs-index.fits.gz',
    },
    pipeline: {
      retries: 1,
      dl1_wait: { interval_s: 0.05, deadline_s: 0.72, on_deadline: 'proceed' },
      stages: [
        { name: 'dl1_to_dl2', per: 'run', inputs: ['{dl1}'], outputs: ['{dl2}'], command: ['t12', '{dl1}'] },
        { name: 'dl2_to_dl3', per: 'run', inputs: ['{dl2}'], outputs: ['{dl3}'], command: ['t23', '{dl2}'] },
        { name: 'dl3_index', per: 'night', outputs: ['{dl3_index}'], command: ['idx', '{dl3_dir}'] },
      ],
      ...over.pipeline,
    },
  });
  return { file: '/x.yaml', config, base: '/d', sources };
}

export const request: InboundMessage = { id: 'm1', identity: { adapter: 'rec', userId: 'alice' }, text: '', receivedAt: new Date(), async ack() {} };
export const runs: RunInfo[] = [
  { runId: 1807, night: '20231207', source: 'Crab Nebula' },
  { runId: 1808, night: '20231207', source: 'Crab Nebula' },
];
export const params = { source: 'Crab Nebula', nightFrom: '20231207', nightTo: '20231207' };
export const dl1 = (r: number) => `/d/DL1/20231207/dl1_LST-1.Run0${r}.h5`;
export const dl2 = (r: number) => `/d/DL2/20231207/dl2_LST-1.Run0${r}.h5`;

/**
 * A rig with the config of `loadedConfig(over)`. Both runs' DL1 files are there unless `dl1: false`. The default
 * analysis step records the DL3 files it was given in `analysed`; `setAnalysis` replaces it.
 */
export function harness(over: Parameters<typeof loadedConfig>[0] & { dl1?: boolean } = {}, dirs = { resultsDir: '/tmp/astran-test-out', cacheDir: '/tmp/astran-test-cache' }) {
  const store = new MemoryJobStore();
  const backend = new FakeBackend();
  const chat = new RecordingChat();
  const analysed: string[][] = [];
  let analysis: AnalysisStep = async (_job, _source, files) => {
    analysed.push(files);
    return {
      summary: { total: { significance: 5.5, excess: 10, livetime_s: 3600 } },
      message: { text: 'SUMMARY 5.5σ', files: [{ name: 'theta2.png', contentType: 'image/png', data: Buffer.from('png') }] },
    };
  };
  const make = () =>
    new Orchestrator({ loaded: loadedConfig(over), store, backend, adapters: new Map([['rec', chat]]), log: silentLogger, analysis: (...a) => analysis(...a), ...dirs });
  if (over.dl1 !== false) runs.forEach((r) => backend.files.add(dl1(r.runId)));
  return { store, backend, chat, analysed, make, setAnalysis: (a: AnalysisStep) => (analysis = a) };
}

export const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};
