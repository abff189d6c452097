import type { ChargeDecision, PeopleServices, Person } from '../core/services.js';
import type { SlurmCharge } from '../core/JobStore.js';
import type { PeopleDirectory } from './PeopleDirectory.js';

/** The backend's own defaults: `pipeline.backend` and backends.slurm's account, partition and qos. */
export interface ChargeDefaults {
  backend: string;
  account?: string;
  partition?: string;
  qos?: string;
}

/**
 * What cluster work is charged to. A person's own Slurm account (and partition/QoS) wins; what they leave out falls
 * back to backends.slurm. With no account of theirs and no default, a launch on Slurm is refused before anything is
 * submitted. Standing orders serve every subscriber of a source at once, at night, with nobody in the chat: they are
 * charged to the default account, never to one subscriber's. The local backend has no accounts.
 */
export class ChargePolicy implements PeopleServices {
  constructor(
    private readonly defaults: ChargeDefaults,
    private readonly directory: PeopleDirectory,
  ) {}

  chargeFor(person: Person | undefined): ChargeDecision {
    if (this.defaults.backend !== 'slurm') return { ok: true, charge: null };
    const own: SlurmCharge = {};
    if (person?.slurm.account) own.account = person.slurm.account;
    if (person?.slurm.partition) own.partition = person.slurm.partition;
    if (person?.slurm.qos) own.qos = person.slurm.qos;
    if (own.account || this.defaults.account) return { ok: true, charge: Object.keys(own).length ? own : null };
    const ask = this.whomToAsk();
    return person
      ? {
          ok: false,
          message: `You have no Slurm account in ASTRAN's configuration, and there is no default account to charge, so nothing was submitted.`,
          fix: `Ask ${ask} to add your Slurm account to your entry \`people.${person.id}\` (\`slurm: { account: … }\`).`,
        }
      : {
          ok: false,
          message: `You have no Slurm account: you are not one of ASTRAN's configured people, and there is no default account to charge, so nothing was submitted.`,
          fix: `Ask ${ask} to add you to \`people\` with your Slurm account.`,
        };
  }

  standingOrderCharge(): ChargeDecision {
    if (this.defaults.backend !== 'slurm' || this.defaults.account) return { ok: true, charge: null };
    return {
      ok: false,
      message: `Standing orders run under ASTRAN's default Slurm account, and none is configured, so the watcher could not launch anything.`,
      fix: `Ask ${this.whomToAsk()} to set \`backends.slurm.account\`.`,
    };
  }

  /** "an ASTRAN admin (Bob, Carol)": the configured admins by name. */
  private whomToAsk(): string {
    const names = this.directory.admins().map((p) => p.name);
    if (!names.length) return 'an ASTRAN admin';
    return `an ASTRAN admin (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`;
  }
}
