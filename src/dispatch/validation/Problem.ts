/** One thing wrong with a command, written for the user, with how to fix it. */
export interface Problem {
  message: string;
  fix?: string;
}

/** Render problems as one reply: a lead line and a bullet per problem (all problems at once). */
export function renderProblems(lead: string, problems: readonly Problem[]): string {
  if (problems.length === 1) {
    const p = problems[0];
    return `${lead}: ${p.message}${p.fix ? ' ' + p.fix : ''}`;
  }
  return [`${lead} (${problems.length} problems):`, ...problems.map((p) => `• ${p.message}${p.fix ? ' ' + p.fix : ''}`)].join('\n');
}

/**
 * Show user-typed text inside a reply: in a code span, shortened, without characters that would
 * end the span or form platform mentions/links (`<!channel>`, `<@U…>`).
 */
export function code(userText: string, max = 60): string {
  let s = userText.replace(/[`<>]/g, (c) => (c === '`' ? "'" : c === '<' ? '‹' : '›'));
  if (s.length > max) s = s.slice(0, max - 1) + '…';
  return '`' + s + '`';
}
