import { z } from 'zod';
import { DEFAULT_DB_PATH } from './openStoreDatabase.js';

/** The `store` section: the SQLite file holding jobs, outbox, key-value entries and standing orders. */
export const StoreConfigSchema = z
  .object({ path: z.string().default(DEFAULT_DB_PATH).describe('The SQLite file (relative paths resolve against the working folder). Never under data.read_only_roots.') })
  .strict()
  .prefault({})
  .describe('Where jobs, messages waiting for delivery and standing orders are kept.');
export type StoreConfig = z.infer<typeof StoreConfigSchema>;
