/** A TestBackend whose access list includes configured people (config `people`) and the backend's Slurm defaults. */
import { TestBackend } from './TestBackend.js';
import { makeServices } from './fakeServices.js';
import { createAuthorizer } from '../../src/dispatch/Authorizer.js';
import { createPeopleDirectory } from '../../src/people/PeopleDirectory.js';
import { PeopleConfigSchema } from '../../src/people/config.js';
import type { ChargeDefaults } from '../../src/people/ChargePolicy.js';

/** Alice on Slack, Mattermost and e-mail with her own Slurm account; Bob (admin) and Dan (no account of his own). */
export const PEOPLE = {
  alice: {
    name: 'Alice Example',
    role: 'launcher',
    identities: ['slack:U0ALICE', 'mattermost:8xk3alice', 'alice@iac.es', 'test:alice'],
    slurm: { account: 'lst_alice', partition: 'short', qos: 'high' },
  },
  bob: { name: 'Bob Admin', role: 'admin', identities: ['slack:U0BOB', 'bob@iac.es'] },
  dan: { name: 'Dan', role: 'launcher', identities: ['slack:U0DAN', 'dan@iac.es'] },
};

export function peopleBackend(opts: { people?: unknown; auth?: Record<string, string>; charge?: ChargeDefaults } = {}): TestBackend {
  const people = PeopleConfigSchema.parse(opts.people ?? PEOPLE);
  const services = makeServices({ people, charge: opts.charge ?? { backend: 'slurm', account: 'aswg' } });
  return new TestBackend({ services, authorizer: createAuthorizer(opts.auth ?? {}, createPeopleDirectory(people)) });
}
