/** The form in which source names and aliases are compared: NFKC, lower case, no spaces or underscores. */
export function sourceKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s_]+/g, '');
}
