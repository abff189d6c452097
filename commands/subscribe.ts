import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { NewSubscription, Place } from '../src/core/WatchStore.js';
import { numberArg, intArg, textArg } from '../src/dispatch/validation/argSchemas.js';
import { quoteValue } from '../src/dispatch/validation/checkArgs.js';
import { resolveTarget, TARGET_ARGS } from '../src/dispatch/validation/targetArgs.js';
import { type Problem } from '../src/dispatch/validation/Problem.js';
import { placeOf } from '../src/watch/placeOf.js';
import { cutsText, placeText, sourceText, thresholdsText } from '../src/watch/describe.js';

export interface SubscribeArgs {
  sub: NewSubscription;
}

export const subscribe: CommandSpec<SubscribeArgs> = {
  name: 'subscribe',
  summary:
    'Standing order: analyse every night of a source automatically, post the result here, a morning digest, and an alert when it flares. A target of opportunity works with ra=, dec= (and name=).',
  usage: 'subscribe source=NAME [theta2_cut=…] [off_regions=…] [emin=…] [emax=…] [alert_sigma=…] [alert_rate=…] | subscribe ra=DEG dec=DEG [name=…] …',
  examples: ['subscribe source=Crab', 'subscribe source="Mrk 421" alert_sigma=5 alert_rate=3', 'subscribe ra=288.26 dec=19.77 name=GRB_261201A'],
  args: [
    {
      name: 'source',
      positional: true,
      requiredUnless: ['ra', 'dec', 'name'],
      description: 'Source name or alias from `/astran sources` (or give ra= and dec= for a target of opportunity).',
      example: 'Crab',
      schema: textArg(),
    },
    ...TARGET_ARGS,
    { name: 'theta2_cut', description: 'ON-region θ² cut in deg², 0 < x ≤ 0.5 (default from config).', example: '0.03', schema: numberArg({ gt: 0, max: 0.5, unit: 'deg²' }) },
    { name: 'off_regions', description: 'Number of wobble OFF regions, 1–5 (default from config).', example: '3', schema: intArg(1, 5) },
    { name: 'emin', description: 'Minimum reconstructed energy in TeV.', example: '0.1', schema: numberArg({ gt: 0, max: 1000, unit: 'TeV' }) },
    { name: 'emax', description: 'Maximum reconstructed energy in TeV (above emin).', example: '10', schema: numberArg({ gt: 0, max: 1000, unit: 'TeV' }) },
    { name: 'alert_sigma', description: 'Alert when the night is at least this significant (σ; default from config).', example: '5', schema: numberArg({ gt: 0, max: 1000, unit: 'σ' }) },
    { name: 'alert_rate', description: 'Alert only when the excess rate is at least this (excess events/min; default from config).', example: '3', schema: numberArg({ gt: 0, max: 1e6, unit: 'excess/min' }) },
  ],
  permission: 'launcher',
  sideEffects: 'stores a subscription of this place; every night of the source then launches jobs automatically',

  // Runs with partial values too, so a ToO missing dec= and an unknown source are reported in the same reply.
  checkPartial: true,
  async check(ctx, parsed, values) {
    const problems: Problem[] = [];
    const w = ctx.services.watch;
    // Standing-order jobs run under the default Slurm account (never a subscriber's): without one they could not run.
    const charge = ctx.services.people.standingOrderCharge();
    if (!charge.ok) return { ok: false, problems: [{ message: charge.message.replace('so the watcher could not launch anything', 'so a standing order could never run'), fix: charge.fix }] };
    const place: Place | null = placeOf(ctx.msg);
    if (!place) problems.push({ message: 'I cannot tell which channel this was typed in, so there is nowhere to post the results.', fix: 'Type it in a channel, a thread or an e-mail.' });

    // A known source, or a target of opportunity by its coordinates: the same rules as launch.
    const resolved = resolveTarget(ctx.services.sources, parsed, values);
    problems.push(...resolved.problems);
    const source = resolved.target?.source.name;
    const too: NewSubscription['too'] = resolved.target?.too ? { ra: resolved.target.source.ra, dec: resolved.target.source.dec } : null;

    const emin = parsed.emin as number | undefined;
    const emax = parsed.emax as number | undefined;
    if (emin !== undefined && emax !== undefined && emin >= emax) problems.push({ message: `emin (${emin} TeV) must be below emax (${emax} TeV).`, fix: 'Swap them or widen the range.' });

    if (place && source) {
      const existing = w.store.listSubscriptions({ place, source }).find((s) => s.subscriber.adapter === ctx.identity.adapter && s.subscriber.userId === ctx.identity.userId);
      if (existing) problems.push(duplicateProblem(existing.source, existing.cuts, place));
    }
    if (problems.length) return { ok: false, problems };
    const cuts: NewSubscription['cuts'] = {
      theta2_cut: (parsed.theta2_cut as number | undefined) ?? w.defaults.theta2_cut,
      off_regions: (parsed.off_regions as number | undefined) ?? w.defaults.off_regions,
    };
    if (emin !== undefined) cuts.emin = emin;
    if (emax !== undefined) cuts.emax = emax;
    return {
      ok: true,
      args: {
        sub: {
          place: place!,
          subscriber: ctx.identity,
          source: source!,
          too,
          cuts,
          alertSigma: (parsed.alert_sigma as number | undefined) ?? null,
          alertRate: (parsed.alert_rate as number | undefined) ?? null,
        },
      },
    };
  },

  async run(ctx, { sub }) {
    const w = ctx.services.watch;
    const r = w.store.addSubscription(sub);
    // Checked in validate; a second identical command racing this one lands here.
    if (!r.ok) {
      const p = duplicateProblem(r.existing.source, r.existing.cuts, sub.place);
      return { text: `${p.message} ${p.fix}`, rejected: true };
    }
    const s = r.subscription;
    const sigma = s.alertSigma ?? w.defaults.alert_sigma;
    const rate = s.alertRate ?? w.defaults.alert_rate;
    return {
      text:
        `Subscribed ${placeText(s.place)} to *${sourceText(s)}* (${cutsText(s.cuts)}). ` +
        `From ${w.defaults.start_utc} UTC each morning I analyse the night's runs of it as soon as their DL1 is ready and post the result here; ` +
        `digest at ${w.defaults.digest_utc} UTC; alert at once when a night is ${thresholdsText(sigma, rate)}. ` +
        `\`/astran subscriptions\` lists this place's subscriptions; \`/astran unsubscribe source=${quoteValue(s.source)}\` stops it.`,
    };
  },
};

function duplicateProblem(source: string, cuts: NewSubscription['cuts'], place: Place): Problem {
  return {
    message: `You have already subscribed ${placeText(place)} to ${source} (${cutsText(cuts)}).`,
    fix: `To change its cuts or thresholds, \`/astran unsubscribe source=${quoteValue(source)}\` first, then subscribe again.`,
  };
}
