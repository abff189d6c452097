import type { AnyCommandSpec } from '../src/dispatch/CommandSpec.js';
import { launch } from './launch.js';
import { status } from './status.js';
import { cancel } from './cancel.js';
import { jobs } from './jobs.js';
import { sources } from './sources.js';
import { nights } from './nights.js';
import { subscribe } from './subscribe.js';
import { unsubscribe } from './unsubscribe.js';
import { subscriptions } from './subscriptions.js';
import { createHelp } from './help.js';

/** Every command, in the order `help` lists them. */
export const commandSpecs: readonly AnyCommandSpec[] = (() => {
  const list: AnyCommandSpec[] = [launch, status, cancel, jobs, sources, nights, subscribe, unsubscribe, subscriptions];
  list.push(createHelp(() => list));
  return list;
})();

export { launch, status, cancel, jobs, sources, nights, subscribe, unsubscribe, subscriptions, createHelp };
