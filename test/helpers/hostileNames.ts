/**
 * Issue 12 failure 7: hostile requester names (a phishing link with a broadcast, a bidi override...) and what must
 * never reach another user's screen, whatever the platform. Used by each adapter's contract test. Names are escaped
 * per string (src/core/userText.ts): even a harmless `*bold*` in a name shows as typed, the listing's own formatting
 * stays.
 */
import assert from 'node:assert/strict';
import type { makeServices } from '../fakes/fakeServices.js';

export const HOSTILE_NAMES = [
  '@channel [Reset your ASTRAN password](https://evil.example/login)',
  '<!channel> <https://evil.example/login|Click here>',
  '@here ![pixel](https://evil.example/p.png)',
  'Alice \u202Egnp.exe',
  '@all \u2066hidden\u2069',
  '*Alice* the _great_',
];

/** One e-mail-launched job per hostile name (A-0001 … A-0005). */
export function seedJobs(services: ReturnType<typeof makeServices>): void {
  for (const name of HOSTILE_NAMES) {
    services.store.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: { adapter: 'email', userId: 'mallory@evil.test', displayName: name } });
  }
}

/** What must never reach another user's screen, whatever the platform. */
export function assertInert(text: string, platform: string, special: RegExp): void {
  assert.doesNotMatch(text, /[\u202A-\u202E\u2066-\u2069]/, `${platform}: bidi controls stripped`);
  assert.doesNotMatch(text, /(^|[^\u200B])@(channel|here|all)\b/, `${platform}: broadcasts inert`);
  // A name carrying the platform's own syntax (or a bidi control or broadcast) never comes out unchanged.
  for (const name of HOSTILE_NAMES.filter((n) => special.test(n) || /[@\u202A-\u202E\u2066-\u2069]/.test(n))) {
    assert.ok(!text.includes(name), `${platform}: ${JSON.stringify(name)} not echoed raw`);
  }
}
