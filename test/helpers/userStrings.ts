/** The hostile and harmless user strings every platform's per-string escaping is tested with (one table, all platforms). */
export const USER_STRINGS: { name: string; input: string }[] = [
  { name: 'markdown link with a broadcast', input: '@channel [Reset your ASTRAN password](https://evil.example/login)' },
  { name: 'Slack special mention and link', input: '<!channel> <https://evil.example/login|Click here>' },
  { name: 'image with @here', input: '@here ![pixel](https://evil.example/p.png)' },
  { name: 'user mention', input: 'by <@U0ADMIN> and @all' },
  { name: 'right-to-left override', input: 'Alice \u202Egnp.exe' },
  { name: 'isolates', input: '@everyone \u2066hidden\u2069' },
  { name: 'harmless markdown', input: '*Alice* _the_ ~great~ **Bob**' },
  { name: 'backticks', input: 'Bob `rm -rf` ```x```' },
  { name: 'heading, quote and table', input: '# Big | table | > quote' },
  { name: 'entity smuggling', input: '&lt;!channel&gt; &amp;' },
  { name: 'our own marks typed by a user', input: 'x\uE001 y \uE000z' },
];

/** What the user typed, as a reader should see it: bidi/control characters and our marks gone, nothing else changed. */
export function asTyped(s: string): string {
  return s.replace(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uE000\uE001]/g, '');
}
