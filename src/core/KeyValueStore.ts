/**
 * The narrow storage port adapters get instead of the whole JobStore (modelled on grammY's StorageAdapter:
 * read, write, delete). Keys are namespaced by the caller (`slack:…`, `email:…`); values are strings (JSON where
 * structured). Synchronous like the JobStore: better-sqlite3 is synchronous and the in-memory twin mirrors it,
 * so a read followed by a write cannot interleave with another message's handling.
 */
export interface KeyValueStore {
  read(key: string): string | undefined;
  write(key: string, value: string): void;
  delete(key: string): void;
}

/**
 * Claim `key` once: true the first time (the key is written), false when it was claimed before, also across
 * restarts with a persistent store. The dedupe primitive for request ids (trigger_id, post id, Message-ID).
 */
export function claimOnce(kv: KeyValueStore, key: string, value = new Date().toISOString()): boolean {
  if (kv.read(key) !== undefined) return false;
  kv.write(key, value);
  return true;
}
