import { z } from 'zod';
import { DEFAULT_DB_PATH } from './openStoreDatabase.js';

/** The `store` section: the SQLite file holding jobs, outbox, key-value entries and standing orders. */
export const StoreConfigSchema = z.object({ path: z.string().default(DEFAULT_DB_PATH) }).strict().prefault({});
export type StoreConfig = z.infer<typeof StoreConfigSchema>;
