import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { Subscription } from '../src/core/WatchStore.js';
import { roleAtLeast } from '../src/core/services.js';
import { boolArg, textArg } from '../src/dispatch/validation/argSchemas.js';
import { quoteValue } from '../src/dispatch/validation/checkArgs.js';
import { code } from '../src/dispatch/validation/Problem.js';
import { placeOf } from '../src/watch/placeOf.js';
import { placeText, sourceText, subscriberName } from '../src/watch/describe.js';

export interface UnsubscribeArgs {
  remove: Subscription[];
}

export const unsubscribe: CommandSpec<UnsubscribeArgs> = {
  name: 'unsubscribe',
  summary: 'Stop a standing order of this place: your subscription to a source, or all of yours here (admins: anyone’s here).',
  usage: 'unsubscribe source=NAME | unsubscribe all',
  examples: ['unsubscribe source=Crab', 'unsubscribe all'],
  args: [
    { name: 'source', positional: true, description: 'Source (or ToO name) to stop.', example: 'Crab', schema: textArg() },
    { name: 'all', flag: true, description: 'All your subscriptions in this place (yes/no).', example: 'yes', schema: boolArg() },
  ],
  permission: 'launcher',
  sideEffects: 'deletes subscriptions of this place; jobs already launched run to their end',

  async check(ctx, parsed) {
    const place = placeOf(ctx.msg);
    if (!place) return { ok: false, problems: [{ message: 'I cannot tell which channel this was typed in.', fix: 'Type it where you subscribed.' }] };
    const here = ctx.services.watch.store.listSubscriptions({ place });
    const mine = here.filter((s) => s.subscriber.adapter === ctx.identity.adapter && s.subscriber.userId === ctx.identity.userId);
    const all = parsed.all === true;
    if (all === (typeof parsed.source === 'string'))
      return { ok: false, problems: [{ message: all ? 'Give either source= or all, not both.' : 'Which subscription?', fix: 'Try: `/astran unsubscribe source=Crab` or `/astran unsubscribe all`.' }] };
    if (all) {
      if (!mine.length) return { ok: false, problems: [{ message: `You have no subscriptions in ${placeText(place)}.`, fix: here.length ? '`/astran subscriptions` shows whose they are.' : '' }] };
      return { ok: true, args: { remove: mine } };
    }
    const typed = parsed.source as string;
    const canonical = ctx.services.sources.resolve(typed)?.name ?? typed;
    const same = (s: Subscription) => s.source.toLowerCase() === canonical.toLowerCase();
    const own = mine.filter(same);
    if (own.length) return { ok: true, args: { remove: own } };
    const others = here.filter(same);
    if (others.length && roleAtLeast(ctx.role, 'admin')) return { ok: true, args: { remove: others } };
    if (others.length)
      return {
        ok: false,
        problems: [{ message: `${canonical} is subscribed here by ${others.map(subscriberName).join(', ')}, not by you.`, fix: 'Ask them or an ASTRAN admin to unsubscribe it.' }],
      };
    const list = mine.map((s) => `\`${s.source}\``).join(', ');
    return {
      ok: false,
      problems: [{ message: `You have no subscription to ${code(typed)} in ${placeText(place)}.`, fix: list ? `Yours here: ${list}.` : 'You have no subscriptions here; `/astran subscriptions` lists this place’s.' }],
    };
  },

  async run(ctx, { remove }) {
    const gone = ctx.services.watch.store.removeSubscriptions(remove.map((s) => s.id));
    if (!gone.length) return { text: 'Those subscriptions were already removed.' };
    const names = gone.map((s) => sourceText(s) + (s.subscriber.userId !== ctx.identity.userId || s.subscriber.adapter !== ctx.identity.adapter ? ` (of ${subscriberName(s)})` : ''));
    const example = gone[0].source;
    return {
      text: `Unsubscribed ${placeText(gone[0].place)} from ${names.join(', ')}. Jobs already launched still finish in their threads. \`/astran subscribe source=${quoteValue(example)}\` starts again.`,
    };
  },
};
