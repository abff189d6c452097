import { z } from 'zod';

/** The `store` section: the SQLite file holding jobs, outbox, key-value entries and standing orders. */
export const StoreConfigSchema = z.object({ path: z.string().default('./astran.db') }).strict().prefault({});
export type StoreConfig = z.infer<typeof StoreConfigSchema>;
