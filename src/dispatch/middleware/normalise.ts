import type { Middleware } from './DispatchContext.js';
import { normalizeCommandText } from '../parsing/normalizeText.js';

/** Longest command accepted; longer text is almost certainly a paste, not a command. */
export const MAX_COMMAND_CHARS = 2000;

export const normalise: Middleware = async (ctx, next) => {
  const raw = typeof ctx.msg.text === 'string' ? ctx.msg.text : '';
  if (raw.length > MAX_COMMAND_CHARS * 2) return ctx.reply({ text: `That message is too long for a command (limit ${MAX_COMMAND_CHARS} characters). \`/astran help\` lists the commands.`, ephemeral: true, rejected: true });
  ctx.text = normalizeCommandText(raw);
  if (ctx.text.length > MAX_COMMAND_CHARS) return ctx.reply({ text: `That message is too long for a command (limit ${MAX_COMMAND_CHARS} characters). \`/astran help\` lists the commands.`, ephemeral: true, rejected: true });
  return next();
};
