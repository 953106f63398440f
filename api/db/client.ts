import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate as runMigrations } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens the database with the pragmas a write-ahead-logged, concurrently read SQLite wants:
 * WAL (readers never block the writer), NORMAL sync (durable at each checkpoint, and an
 * acknowledged commit survives a process crash), a busy timeout for other processes such as the
 * CLI, foreign keys on, and a larger page cache and memory-mapped reads for the feed's indexes.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 268435456');
  sqlite.pragma('temp_store = MEMORY');
  return drizzle({ client: sqlite, schema, casing: 'snake_case' }) as Db;
}

/** Applies the committed drizzle-kit migrations; safe to run at every start. */
export function migrate(db: Db): void {
  runMigrations(db, { migrationsFolder });
}
