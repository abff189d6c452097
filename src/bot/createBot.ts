import type { OutboxStore } from '../core/Outbox.js';
import { resolve } from 'node:path';
import type { Adapter, Identity, InboundHandler } from '../core/types.js';
import type { JobRecord, JobStore } from '../core/JobStore.js';
import { Watcher } from '../watch/Watcher.js';
import { parseWatchConfig } from '../watch/config.js';
import { NoticeDelivery } from '../watch/NoticeDelivery.js';
import { WatchThreadOpener, WATCH_ADAPTER } from '../watch/WatchThreadOpener.js';
import { JobRoutes } from '../orchestrator/JobRoutes.js';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import { parseSection } from '../config/sections.js';
import type { LoadedConfig } from './config.js';
import { LocalBackendConfigSchema } from '../pipeline/local/config.js';
import type { Logger } from '../log.js';
import type { NightIndex, CommandServices } from '../core/services.js';
import { SqliteJobStore } from '../store/SqliteJobStore.js';
import { SqliteWatchStore } from '../store/SqliteWatchStore.js';
import { MemoryWatchStore } from '../store/MemoryWatchStore.js';
import type { WatchStore } from '../core/WatchStore.js';
import { createNightIndex } from '../pipeline/NightIndex.js';
import { ClusterDecLinePicker } from '../pipeline/DecLinePicker.js';
import { renderRoots } from '../config/readOnlyRoots.js';
import { Orchestrator } from '../orchestrator/Orchestrator.js';
import { fluxHistory } from '../orchestrator/fluxHistory.js';
import { createAnalysisStep } from '../orchestrator/analysisStep.js';
import type { AnalysisStep } from '../orchestrator/JobAnalysis.js';
import { createDispatcher } from '../dispatch/Dispatcher.js';
import { createAuthorizer } from '../dispatch/Authorizer.js';
import { createPeopleDirectory } from '../people/PeopleDirectory.js';
import { ChargePolicy } from '../people/ChargePolicy.js';
import { SlurmConfigSchema } from '../pipeline/slurm/config.js';
import { commandSpecs } from '../../commands/index.js';
import { createConfiguredAdapters } from './adapterFactories.js';
import { createConfiguredBackend } from './backendFactory.js';

export interface BotOptions {
  loaded: LoadedConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** A person's identities on other adapters, for outage notices; default: from the people directory (config `people`). */
  identitiesOf?: (who: Identity) => readonly Identity[];
  /** Overrides for tests and the one-shot CLI. The store also keeps the outbox (src/core/Outbox.ts). */
  store?: JobStore & OutboxStore;
  backend?: ClusterBackend;
  /** Subscriptions and the watcher's records; default: next to the job store. */
  watchStore?: WatchStore;
  /** Adapters to use instead of the configured ones. */
  adapters?: Adapter[];
  /** Extra adapters next to the configured ones. */
  extraAdapters?: Adapter[];
  nights?: NightIndex;
  analysis?: AnalysisStep;
  resultsDir?: string;
  now?: () => Date;
  /** Attribution line appended to result summaries (e.g. the sample data's licence). */
  attribution?: string;
}

export interface Bot {
  orchestrator: Orchestrator;
  /** Standing orders; `serve` starts its timer, `watch --once` runs single passes. */
  watcher: Watcher;
  store: JobStore & OutboxStore;
  watchStore: WatchStore;
  backend: ClusterBackend;
  adapters: Map<string, Adapter>;
  /** The dispatcher: what every adapter calls with inbound messages. */
  handle: InboundHandler;
  services: CommandServices;
  /** Start adapters and resume unfinished jobs (resume: false for the one-shot `run`). */
  start(opts?: { resume?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** Wire store, backend, orchestrator, dispatcher and adapters from a loaded config. */
export async function createBot(o: BotOptions): Promise<Bot> {
  const { config } = o.loaded;
  const now = o.now ?? (() => new Date());
  const store = o.store ?? new SqliteJobStore({ path: resolve(config.store.path), prefix: config.bot.job_id_prefix, log: o.log });
  // Same database file as the jobs; a caller that brings its own job store brings the watch store too (or gets a memory one).
  const watchStore = o.watchStore ?? (o.store ? new MemoryWatchStore(now) : new SqliteWatchStore({ path: resolve(config.store.path) }));
  // The backend reports reachability before the orchestrator exists; forward once it does.
  let orchestratorRef: Orchestrator | undefined;
  const backend = o.backend ?? (await createConfiguredBackend(o.loaded, o.env, o.log, (up) => orchestratorRef?.clusterReachable(up)));
  const adapterList = [...(o.adapters ?? (await createConfiguredAdapters(o.loaded, o.env, o.log, store))), ...(o.extraAdapters ?? [])];
  const adapters = new Map(adapterList.map((a) => [a.name, a]));
  // Watcher jobs open their threads in the subscribed place through this one (it hands over to the real adapter).
  adapters.set(WATCH_ADAPTER, new WatchThreadOpener(adapters));
  const resultsDir = resolve(o.resultsDir ?? config.bot.results_dir);
  const cacheDir = resolve(parseSection(LocalBackendConfigSchema, config.backends.local ?? {}, 'backends.local').workdir, 'cache');
  const people = createPeopleDirectory(config.people);
  // The job's other route for outage notices: the requester's person, known on other adapters too.
  const identitiesOf = o.identitiesOf ?? ((who: Identity) => people.personOf(who)?.identities ?? []);
  const orchestrator = new Orchestrator({
    loaded: o.loaded,
    store,
    backend,
    adapters,
    log: o.log,
    analysis: o.analysis ?? createAnalysisStep(config, o.attribution, { history: (job, index) => fluxHistory(store, job, index), log: o.log }),
    resultsDir,
    cacheDir,
    routes: new JobRoutes({ watch: watchStore, identitiesOf, running: (name) => name !== WATCH_ADAPTER && adapters.has(name) }),
    now,
  });
  orchestratorRef = orchestrator;
  const nights = o.nights ?? createNightIndex(o.loaded, o.log, backend, resolve(cacheDir, 'night-index'));
  const watchCfg = parseWatchConfig(config.watch);
  const decLines = config.dec_lines
      ? new ClusterDecLinePicker({
          roots: renderRoots(config.dec_lines.roots, config, o.loaded.base, 'dec_lines.roots'),
          maxDistanceDeg: config.dec_lines.max_distance_deg,
          latitudeDeg: config.dec_lines.site_latitude_deg,
          files: backend,
          log: o.log,
        })
      : undefined;
  const watcher = new Watcher({
    config,
    watch: watchCfg,
    base: o.loaded.base,
    sources: o.loaded.sources,
    jobStore: store,
    watchStore,
    nights,
    backend,
    jobs: orchestrator,
    decLines,
    notices: new NoticeDelivery(watchStore, adapters, o.log.child({ component: 'watch' })),
    resultsDir,
    log: o.log.child({ component: 'watch' }),
    now,
  });
  orchestrator.on('final', (job: JobRecord) => watcher.onJobFinal(job));
  const services: CommandServices = {
    store,
    sources: o.loaded.sources,
    nights,
    jobs: orchestrator,
    log: o.log,
    now,
    maxNights: config.bot.max_nights,
    watch: {
      store: watchStore,
      defaults: {
        theta2_cut: config.analysis.theta2_cut,
        off_regions: config.analysis.off_regions,
        alert_sigma: watchCfg.alert_sigma,
        alert_rate: watchCfg.alert_rate,
        start_utc: watchCfg.start_utc,
        digest_utc: watchCfg.digest_utc,
      },
    },
    decLines,
    people: new ChargePolicy(chargeDefaults(o.loaded), people),
  };
  const handle = createDispatcher({ services, authorizer: createAuthorizer(config.auth.users, people), specs: commandSpecs, log: o.log });
  let started = false;
  return {
    orchestrator,
    watcher,
    store,
    watchStore,
    backend,
    adapters,
    handle,
    services,
    async start(opts = {}) {
      await backend.start();
      for (const a of adapters.values()) await a.start(handle);
      if (opts.resume !== false) await orchestrator.start();
      started = true;
    },
    async stop() {
      await watcher.stop();
      for (const a of adapters.values()) await a.stop().catch((e) => o.log.error({ err: e, adapter: a.name }, 'adapter stop failed'));
      await orchestrator.stop();
      if (started) await backend.stop().catch((e) => o.log.error({ err: e }, 'backend stop failed'));
      if (!o.store) store.close();
      if (!o.watchStore) watchStore.close();
    },
  };
}

/** The backend's Slurm defaults (backends.slurm account, partition, qos) that people without their own fall back to. */
function chargeDefaults(loaded: LoadedConfig): ConstructorParameters<typeof ChargePolicy>[0] {
  const { config } = loaded;
  if (config.pipeline.backend !== 'slurm') return { backend: config.pipeline.backend };
  const slurm = parseSection(SlurmConfigSchema, config.backends.slurm, 'backends.slurm');
  return { backend: 'slurm', account: slurm.account, partition: slurm.partition, qos: slurm.qos };
}
