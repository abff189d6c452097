import { pino, type Logger } from 'pino';
import { z } from 'zod';

/** The `log` section of the config file. */
export const LogConfigSchema = z
  .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe level written to the log (JSON lines on stderr).') })
  .strict()
  .prefault({})
  .describe('Logging.');

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'token', '*.token', '*.*.token', 'password', '*.password', '*.*.password', 'pass', '*.pass', '*.*.pass',
  'secret', '*.secret', '*.signingSecret', '*.appToken', '*.botToken', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'privateKey', '*.privateKey', '*.*.privateKey',
];

const TOKEN_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g, // Slack tokens
  /xapp-[A-Za-z0-9-]+/g, // Slack app-level tokens
  /(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Remove anything that looks like a secret from free text before it is logged. */
export function redactText(s: string): string {
  let out = s;
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (m) => (m.startsWith('Bearer') || m.startsWith('Token') ? m.split(/\s+/)[0] + ' [REDACTED]' : '[REDACTED]'));
  return out;
}

export interface LogOptions {
  level?: string;
  /** Write to this stream (default stderr, so stdout stays for command output). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // Redact token-looking text in string arguments too.
          const cleaned = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as typeof args;
          return method.apply(this, cleaned);
        },
      },
    },
    (opts.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything: default in unit tests. */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
