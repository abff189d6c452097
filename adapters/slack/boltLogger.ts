import { format } from 'node:util';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { redactText, type Logger } from '../../src/log.js';

/** Route bolt / socket-mode / web-api logging into our pino logger (token-looking text redacted). */
export function boltLogger(log: Logger): BoltLogger {
  let name = 'slack';
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', msgs: unknown[]) => {
    // bolt logs a lot at debug: skip formatting and redaction when the level is off.
    if (!log.isLevelEnabled(level)) return;
    log[level]({ component: name }, redactText(format(...msgs)));
  };
  return {
    debug: (...m: unknown[]) => emit('debug', m),
    info: (...m: unknown[]) => emit('info', m),
    warn: (...m: unknown[]) => emit('warn', m),
    error: (...m: unknown[]) => emit('error', m),
    setLevel: () => undefined,
    getLevel: () => {
      const l = log.level;
      return l === 'debug' || l === 'trace' ? LogLevel.DEBUG : l === 'info' ? LogLevel.INFO : l === 'warn' ? LogLevel.WARN : LogLevel.ERROR;
    },
    setName: (n: string) => {
      name = n;
    },
  };
}
