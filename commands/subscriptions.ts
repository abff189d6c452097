import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { Subscription } from '../src/core/WatchStore.js';
import { placeKey } from '../src/core/WatchStore.js';
import { roleAtLeast } from '../src/core/services.js';
import { boolArg } from '../src/dispatch/validation/argSchemas.js';
import type { Problem } from '../src/dispatch/validation/Problem.js';
import { placeOf } from '../src/watch/placeOf.js';
import { cutsText, placeText, sourceText, subscriberName, thresholdsText } from '../src/watch/describe.js';

export interface SubscriptionsArgs {
  all: boolean;
}

const SHOWN = 50;

export const subscriptions: CommandSpec<SubscriptionsArgs> = {
  name: 'subscriptions',
  summary: 'List the standing orders of this place (admins: `subscriptions all` lists every place’s).',
  usage: 'subscriptions [all]',
  examples: ['subscriptions', 'subscriptions all'],
  args: [{ name: 'all', flag: true, description: 'Every place, not just this one (admins; yes/no).', example: 'yes', schema: boolArg() }],
  permission: 'viewer',
  sideEffects: 'none',

  async check(ctx, parsed) {
    const problems: Problem[] = [];
    if (parsed.all === true && !roleAtLeast(ctx.role, 'admin')) problems.push({ message: 'Only ASTRAN admins can list every place’s subscriptions.', fix: '`/astran subscriptions` lists this place’s.' });
    if (parsed.all !== true && !placeOf(ctx.msg)) problems.push({ message: 'I cannot tell which channel this was typed in.' });
    return problems.length ? { ok: false, problems } : { ok: true, args: { all: parsed.all === true } };
  },

  async run(ctx, { all }) {
    const w = ctx.services.watch;
    const place = placeOf(ctx.msg);
    const list = all ? w.store.listSubscriptions() : w.store.listSubscriptions({ place: place! });
    if (!list.length) return { text: all ? 'There are no subscriptions anywhere yet.' : `${placeText(place!)} has no subscriptions. Try: \`/astran subscribe source=Crab\`.` };
    const line = (s: Subscription) =>
      `• ${sourceText(s)} — ${cutsText(s.cuts)} · alert ${thresholdsText(s.alertSigma ?? w.defaults.alert_sigma, s.alertRate ?? w.defaults.alert_rate)} · by ${subscriberName(s)}`;
    const out: string[] = [];
    if (all) {
      const byPlace = new Map<string, Subscription[]>();
      for (const s of list) byPlace.set(placeKey(s.place), [...(byPlace.get(placeKey(s.place)) ?? []), s]);
      out.push(`*Subscriptions (${list.length} in ${byPlace.size} place${byPlace.size === 1 ? '' : 's'})*`);
      let n = 0;
      for (const subs of byPlace.values()) {
        if (n >= SHOWN) break;
        out.push(`${placeText(subs[0].place)} (${subs[0].place.adapter}):`, ...subs.slice(0, SHOWN - n).map(line));
        n += subs.length;
      }
    } else {
      out.push(`*Subscriptions of ${placeText(place!)} (${list.length})*`, ...list.slice(0, SHOWN).map(line));
    }
    if (list.length > SHOWN) out.push(`…and ${list.length - SHOWN} more.`);
    out.push(`Analysed from ${w.defaults.start_utc} UTC each morning; digest at ${w.defaults.digest_utc} UTC.`);
    return { text: out.join('\n') };
  },
};
