import type { KeyValueStore } from '../core/KeyValueStore.js';

/** KeyValueStore in a Map: tests, and the one-shot CLI whose state ends with the process. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly map = new Map<string, string>();

  read(key: string): string | undefined {
    return this.map.get(key);
  }

  write(key: string, value: string): void {
    this.map.set(key, value);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Number of keys (tests). */
  get size(): number {
    return this.map.size;
  }
}
