import mm from '@mattermost/client';
import type { Logger } from '../../src/log.js';

type Client = InstanceType<typeof mm.Client4>;
type FetchWithResponse = (url: string, options: RequestInit) => Promise<{ response: Response; headers: Headers; data: unknown }>;

/** Retries of a request refused with HTTP 429. */
export const RATE_LIMIT_RETRIES = 3;
/** Longest pause honoured from a Retry-After header. */
const MAX_WAIT_MS = 30_000;

/**
 * Mattermost answers HTTP 429 with `Retry-After` and a plain-text body when its rate limit is hit. Client4 turns that
 * into a ClientError without the status or the header, so the adapter could neither tell it from another failure nor
 * wait the right time. This replaces the client's one fetch path (every Client4 call goes through it) with one that
 * waits `Retry-After` (1 s when absent) and retries up to RATE_LIMIT_RETRIES times; other answers are handled as
 * Client4 does (JSON or text body; a ClientError carrying the HTTP status otherwise).
 */
export function retryRateLimits(client: Client, log: Logger, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): void {
  const c = client as unknown as { doFetchWithResponse: FetchWithResponse; getOptions(o: RequestInit): RequestInit; getUrl(): string };
  c.doFetchWithResponse = async (url, options) => {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, c.getOptions(options));
      if (response.status === 429 && attempt < RATE_LIMIT_RETRIES) {
        const header = Number(response.headers.get('retry-after'));
        const waitMs = Math.min(MAX_WAIT_MS, Number.isFinite(header) && header > 0 ? header * 1000 : 1000);
        await response.body?.cancel();
        log.warn({ path: new URL(url).pathname, attempt: attempt + 1, waitMs }, 'mattermost: rate limited (HTTP 429); retrying after Retry-After');
        await sleep(waitMs);
        continue;
      }
      const headers = response.headers;
      const type = headers.get('content-type') ?? '';
      let data: unknown;
      try {
        data = type.startsWith('application/json') ? await response.json() : await response.text();
      } catch (err) {
        throw new mm.ClientError(c.getUrl(), { message: 'Received invalid response from the server.', url }, err);
      }
      if (response.ok) return { response, headers, data };
      const d = (typeof data === 'object' && data !== null ? data : {}) as { message?: string; id?: string; detailed_error?: string };
      throw new mm.ClientError(c.getUrl(), {
        message: d.message || (response.status === 429 ? 'rate limited' : `HTTP ${response.status}`),
        server_error_id: d.id,
        status_code: response.status,
        detailed_error: d.detailed_error,
        url,
      });
    }
  };
}
