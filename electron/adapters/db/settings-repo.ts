import type Database from 'better-sqlite3';
import { write } from './database';

/** Named JSON values. The API key never comes here: it lives in the OS keychain. */
export class SettingsRepository {
  constructor(private readonly db: Database.Database) {}

  read<T>(name: string): T | undefined {
    const row = this.db
      .prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?')
      .get(name);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  write(values: Record<string, unknown>): void {
    const statement = this.db.prepare(
      'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
    write(this.db, () => {
      for (const [name, value] of Object.entries(values)) statement.run(name, JSON.stringify(value));
    });
  }
}
