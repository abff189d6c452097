/**
 * The version a compute node's environment reports for the pipeline's tool (`pipeline.version_probe`, e.g.
 * `python -c 'import lstchain; print(lstchain.__version__)'`). That output is external input: it is accepted only as
 * one line holding one PEP 440 version, as lstchain prints it (`0.10.5`, `0.10.12.dev5+g6a3f2b1`, `0.11.0rc1`, the
 * setuptools_scm local label `+g<hash>.d20240101`, or the old git-describe form `0.3.0.post233+git0ec4864`).
 * Anything else (warnings on stdout, a traceback, an empty answer, a shell prompt) is reported as unreadable, never
 * passed on.
 */

/** What a probe left behind on the cluster: its exit code and what it printed on stdout. */
export interface ProbeReport {
  exitCode: number;
  stdout: string;
}

export type ToolVersion = { ok: true; version: string } | { ok: false; problem: string };

/** PEP 440 public version with an optional local label; epochs are allowed (`1!2.0`), a leading `v` is not. */
const PEP440 = /^(?:[0-9]{1,4}!)?[0-9]{1,6}(?:\.[0-9]{1,6}){0,4}(?:(?:a|b|rc)[0-9]{1,6})?(?:\.post[0-9]{1,6})?(?:\.dev[0-9]{1,6})?(?:\+[a-z0-9]{1,40}(?:\.[a-z0-9]{1,40}){0,4})?$/i;
const MAX_VERSION_LENGTH = 80;

export function parseToolVersion(report: ProbeReport | null): ToolVersion {
  if (!report) return { ok: false, problem: 'the environment did not report (the probe did not run or was killed)' };
  if (report.exitCode !== 0) return { ok: false, problem: `the probe failed in the configured environment (exit code ${report.exitCode})` };
  const lines = report.stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return { ok: false, problem: 'the probe printed nothing' };
  if (lines.length > 1) return { ok: false, problem: 'the probe printed more than one line' };
  const v = lines[0]!.trim();
  if (v.length > MAX_VERSION_LENGTH || !PEP440.test(v)) return { ok: false, problem: 'the probe printed something that is not a version number' };
  return { ok: true, version: v };
}

/** Exit code file of a probe (`probe.rc`): one integer, nothing else. */
export function parseProbeExitCode(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  return /^[0-9]{1,3}$/.test(t) ? Number(t) : null;
}
