import type Database from 'better-sqlite3';
import { write } from './database';
import type { ServiceTag } from '../../core/service-model';

/** The team's tags as last pulled, with local changes applied until the service confirms them. */
export class TagsRepository {
  constructor(private readonly db: Database.Database) {}

  list(): ServiceTag[] {
    return this.db
      .prepare<[], ServiceTag>(
        'SELECT service_id AS id, name AS tag, description, created_at AS createdAt FROM tags ORDER BY name',
      )
      .all();
  }

  has(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM tags WHERE name = ?').get(name) !== undefined;
  }

  upsert(tag: ServiceTag): void {
    write(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO tags (name, service_id, description, created_at) VALUES (@tag, @id, @description, @createdAt)
         ON CONFLICT (name) DO UPDATE SET service_id = COALESCE(excluded.service_id, tags.service_id),
           description = excluded.description, created_at = COALESCE(excluded.created_at, tags.created_at)`,
        )
        .run(tag),
    );
  }

  replaceAll(tags: ServiceTag[]): void {
    write(this.db, () => {
      this.db.prepare('DELETE FROM tags').run();
      for (const tag of tags) this.upsert(tag);
    });
  }

  rename(from: string, to: string, description: string | null): void {
    write(this.db, () =>
      this.db
        .prepare('UPDATE tags SET name = ?, description = COALESCE(?, description) WHERE name = ?')
        .run(to, description, from),
    );
  }

  delete(name: string): void {
    write(this.db, () => this.db.prepare('DELETE FROM tags WHERE name = ?').run(name));
  }
}
