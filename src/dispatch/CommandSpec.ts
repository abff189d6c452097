import type { z } from 'zod';
import type { CommandContext, Role } from '../core/services.js';
import type { Reply } from '../core/types.js';
import type { Problem } from './validation/Problem.js';

/** One parameter of a command: its help text, example and the zod schema that parses its text value. */
export interface ArgSpec {
  /** Canonical key (lower case, `_`). */
  name: string;
  description: string;
  /** Example value for help and usage hints; a function when it depends on the date (dates). */
  example: string | ((now: Date) => string);
  required?: boolean;
  /** Required unless one of these parameters is given (e.g. `source` unless `ra`/`dec`/`name` name a target). */
  requiredUnless?: string[];
  /** May be typed without `key=` (status JOB, cancel JOB, help VERB). At most one per command. */
  positional?: boolean;
  /** Boolean flag: a bare `dry_run` means `dry_run=yes`. */
  flag?: boolean;
  /** Parses the raw text; its issue messages are shown to the user. */
  schema: z.ZodType<unknown, string>;
}

export type Validation<A> = { ok: true; args: A } | { ok: false; problems: Problem[] };

/** Raw text values by canonical key, after unknown keys, duplicates and positionals were checked. */
export type ArgValues = Record<string, string>;

/** Values that passed their parameter's schema, by key (typed by each ArgSpec's schema). */
export type ParsedArgs = Record<string, unknown>;

/**
 * A command, declared hubot-CommandBus style. Help and "did you mean" come from these specs,
 * so there is no separate help text to drift.
 */
export interface CommandSpec<A = unknown> {
  name: string;
  summary: string;
  /** e.g. `status [JOB]` (without the /astran prefix). */
  usage: string;
  examples: string[];
  args: ArgSpec[];
  /** Weakest role allowed to use the command (finer checks, e.g. own jobs, live in validate/run). */
  permission: Role;
  /** What the command changes, for help and audit ("none" for read-only commands). */
  sideEffects: string;
  /** When set, the dispatcher asks this question and runs only after a `yes` from the same person. */
  confirmation?: {
    timeoutMs: number;
    prompt(ctx: CommandContext, args: A): string;
  };
  /**
   * The command's own domain checks (the job exists, the source is known, emin < emax), turning the parsed
   * values into its arguments. The validate middleware has already bound the words to parameters, listed the
   * missing ones and run every parameter's schema; `values` are the raw texts, for quoting them back.
   * It runs when every parameter is present and valid. Without `check`, `run` gets the parsed values as they are.
   */
  check?(ctx: CommandContext, args: ParsedArgs, values: ArgValues): Promise<Validation<A>>;
  /** Run `check` even when a parameter is missing or invalid (with the values that passed), so one reply lists every problem. */
  checkPartial?: boolean;
  run(ctx: CommandContext, args: A): Promise<Reply>;
}

// Specs are stored together regardless of their argument types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandSpec = CommandSpec<any>;

export function exampleValue(arg: ArgSpec, now: Date): string {
  return typeof arg.example === 'function' ? arg.example(now) : arg.example;
}
