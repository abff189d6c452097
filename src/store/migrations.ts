/**
 * Schema migrations of the SQLite job store, as an ordered list. The applied version lives in
 * `PRAGMA user_version` (in the file header, so it commits or rolls back with the migration).
 * Never edit a released migration: append a new one.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { SchemaTooNewError } from './StoreErrors.js';

type Db = BetterSqlite3.Database;

export interface Migration {
  /** 1, 2, 3... contiguous. */
  version: number;
  description: string;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, job events, submissions, processed messages, meta',
    up(db) {
      db.exec(`
        -- AUTOINCREMENT (not plain rowid) so a sequence number is never handed out twice.
        CREATE TABLE jobs (
          seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
          id                  TEXT NOT NULL UNIQUE,
          state               TEXT NOT NULL,
          stage               TEXT,
          params              TEXT NOT NULL,
          requester           TEXT NOT NULL,
          requester_user_id   TEXT NOT NULL,
          thread_adapter      TEXT,
          thread_key          TEXT,
          progress_message    TEXT,
          run_ids             TEXT NOT NULL,
          created_at          TEXT NOT NULL,
          updated_at          TEXT NOT NULL,
          finished_at         TEXT,
          error               TEXT,
          result              TEXT,
          cancel_requested_by TEXT
        );
        CREATE INDEX jobs_thread ON jobs (thread_adapter, thread_key);
        CREATE INDEX jobs_state ON jobs (state);
        CREATE INDEX jobs_requester ON jobs (requester_user_id);

        CREATE TABLE job_events (
          id      INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id  TEXT NOT NULL REFERENCES jobs (id),
          at      TEXT NOT NULL,
          kind    TEXT NOT NULL,
          message TEXT NOT NULL,
          data    TEXT
        );
        CREATE INDEX job_events_job ON job_events (job_id, id);

        CREATE TABLE submissions (
          job_id      TEXT NOT NULL REFERENCES jobs (id),
          stage       TEXT NOT NULL,
          attempt     INTEGER NOT NULL,
          backend_ref TEXT,
          state       TEXT NOT NULL,
          detail      TEXT,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL,
          PRIMARY KEY (job_id, stage, attempt)
        );

        CREATE TABLE processed_messages (
          source     TEXT NOT NULL,
          message_id TEXT NOT NULL,
          at         TEXT NOT NULL,
          PRIMARY KEY (source, message_id)
        );

        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'outbox: every message of a job recorded before delivery (src/core/Outbox.ts)',
    up(db) {
      db.exec(`
        CREATE TABLE outbox (
          seq        INTEGER PRIMARY KEY AUTOINCREMENT,
          key        TEXT NOT NULL UNIQUE,
          job_id     TEXT,
          state      TEXT NOT NULL,
          item       TEXT NOT NULL
        );
        CREATE INDEX outbox_state ON outbox (state, seq);
        CREATE INDEX outbox_job ON outbox (job_id, seq);
      `);
    },
  },
  {
    version: 3,
    description: 'standing orders: subscriptions, watcher launches, watcher notices',
    up(db) {
      db.exec(`
        CREATE TABLE watch_subscriptions (
          id                 INTEGER PRIMARY KEY AUTOINCREMENT,
          place_adapter      TEXT NOT NULL,
          place_channel      TEXT NOT NULL,
          subscriber         TEXT NOT NULL,
          subscriber_key     TEXT NOT NULL,
          source             TEXT NOT NULL,
          too                TEXT,
          cuts               TEXT NOT NULL,
          alert_sigma        REAL,
          alert_rate         REAL,
          created_at         TEXT NOT NULL,
          -- One subscription per person, place and source: a second one is a duplicate, not a new row.
          UNIQUE (place_adapter, place_channel, subscriber_key, source)
        );
        CREATE INDEX watch_subscriptions_source ON watch_subscriptions (source);

        CREATE TABLE watch_launches (
          source     TEXT NOT NULL,
          night      TEXT NOT NULL,
          cuts_key   TEXT NOT NULL,
          part       INTEGER NOT NULL,
          run_ids    TEXT NOT NULL,
          job_id     TEXT,
          created_at TEXT NOT NULL,
          PRIMARY KEY (source, night, cuts_key, part)
        );
        CREATE INDEX watch_launches_night ON watch_launches (night);

        CREATE TABLE watch_notices (
          key           TEXT PRIMARY KEY,
          place_adapter TEXT NOT NULL,
          place_channel TEXT NOT NULL,
          kind          TEXT NOT NULL,
          text          TEXT NOT NULL,
          files         TEXT NOT NULL,
          reply_to      TEXT,
          state         TEXT NOT NULL,
          attempts      INTEGER NOT NULL DEFAULT 0,
          posted        TEXT,
          last_error    TEXT,
          created_at    TEXT NOT NULL,
          updated_at    TEXT NOT NULL
        );
        CREATE INDEX watch_notices_state ON watch_notices (state);
      `);
    },
  },
  {
    version: 4,
    description: 'watcher notices: people to mention (alerts)',
    up(db) {
      db.exec(`ALTER TABLE watch_notices ADD COLUMN mentions TEXT`);
    },
  },
  {
    version: 5,
    description: "adapters' handled ids and job threads under their key/value keys (stores written before the KeyValueStore port)",
    up(db) {
      migrateToKeyValueKeys(db);
    },
  },
  {
    version: 6,
    description: 'jobs: the person who launched them (owner) and their Slurm account/partition/QoS (charge)',
    up(db) {
      db.exec(`
        ALTER TABLE jobs ADD COLUMN owner TEXT;
        ALTER TABLE jobs ADD COLUMN owner_person TEXT;
        ALTER TABLE jobs ADD COLUMN charge TEXT;
        CREATE INDEX jobs_owner_person ON jobs (owner_person);
      `);
    },
  },
];

/**
 * Before the KeyValueStore port (src/core/KeyValueStore.ts), adapters recorded handled inbound ids in
 * `processed_messages` (source, id) and knew their job threads from the jobs table only. They now read `meta` keys:
 * a store written by that version would otherwise handle a mail or a redelivered chat message a second time, and
 * would not see replies in its old job threads as meant for ASTRAN. Existing keys are never overwritten.
 */
export function migrateToKeyValueKeys(db: Db): void {
  const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  const handled = db.prepare('SELECT source, message_id, at FROM processed_messages ORDER BY rowid').all() as { source: string; message_id: string; at: string }[];
  for (const r of handled) {
    // E-mail: an inbox entry saying the mail was answered (adapters/email/EmailAdapter.ts InboxEntry).
    if (r.source === 'email') put.run(`email:inbox:${r.message_id}`, JSON.stringify({ state: 'answered', reason: `handled by an earlier version at ${r.at}` }));
    // Slack (`slack-msg`, `slack-cmd`) and Mattermost (`mattermost-post`) claim `<source>:<id>` (claimOnce).
    else put.run(`${r.source}:${r.message_id}`, r.at);
  }
  const threads = db
    .prepare('SELECT id, thread_adapter, thread_key FROM jobs WHERE thread_adapter IS NOT NULL AND thread_key IS NOT NULL ORDER BY seq')
    .all() as { id: string; thread_adapter: string; thread_key: string }[];
  const setJob = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
  const get = db.prepare('SELECT value FROM meta WHERE key = ?');
  let lastConsole = Number((get.get('console:last_thread') as { value: string } | undefined)?.value ?? 0) || 0;
  for (const t of threads) {
    if (t.thread_adapter === 'slack' || t.thread_adapter === 'mattermost') put.run(`${t.thread_adapter}:job_thread:${t.thread_key}`, t.id);
    else if (t.thread_adapter === 'console') {
      // The old console numbered threads from T1 at every start: the latest job of a number owns it.
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(`console:thread:${t.thread_key}`, t.id);
      const n = /^T(\d+)$/.exec(t.thread_key);
      if (n) lastConsole = Math.max(lastConsole, Number(n[1]));
    } else if (t.thread_adapter === 'email') {
      const raw = (get.get(`email:thread:${t.thread_key}`) as { value: string } | undefined)?.value;
      if (!raw) continue;
      try {
        const info = JSON.parse(raw) as Record<string, unknown>;
        if (info && typeof info === 'object' && info.jobId === undefined) setJob.run(JSON.stringify({ ...info, jobId: t.id }), `email:thread:${t.thread_key}`);
      } catch {
        // an unreadable entry stays as it was (the thread index ignores it)
      }
    }
  }
  if (lastConsole > 0) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('console:last_thread', String(lastConsole));
}

/** Highest schema version this build knows. */
export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: position ${i} has version ${m.version}`);
  });
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Bring the database up to the latest version, one transaction per migration. Refuses (throws
 * SchemaTooNewError, touching nothing) when the file was written by a newer schema.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  checkOrder(migrations);
  const latest = latestVersion(migrations);
  const from = schemaVersion(db);
  if (from > latest) throw new SchemaTooNewError(from, latest);
  for (const m of migrations) {
    if (m.version <= from) continue;
    // IMMEDIATE takes the write lock first; re-reading the version inside makes two processes
    // opening the same fresh file at once apply each migration only once.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      // Integer from our own list, never user input: safe to interpolate (PRAGMA takes no parameters).
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: latest };
}
