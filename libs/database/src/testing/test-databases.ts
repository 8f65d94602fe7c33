/**
 * Fresh databases for tests, one per call, in both dialects: a new SQLite file, and a new
 * database on the PostgreSQL server of TEST_POSTGRES_URL (default: the local server on
 * 127.0.0.1:5432 as the current OS user, trusted), dropped again by `dropAll`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DatabaseConfig } from '../database';

const serverUrl = process.env.TEST_POSTGRES_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/postgres`;

export class TestDatabases {
  private readonly folder = mkdtempSync(join(tmpdir(), 'test-db-'));
  private readonly created: string[] = [];

  sqlite(): DatabaseConfig {
    return { kind: 'sqlite', file: join(this.folder, `${randomUUID()}.sqlite`) };
  }

  async postgres(): Promise<DatabaseConfig> {
    const name = `test_${randomUUID().replaceAll('-', '')}`;
    await this.admin((client) => client.query(`CREATE DATABASE ${name}`));
    this.created.push(name);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return { kind: 'postgres', url: url.toString() };
  }

  async dropAll(): Promise<void> {
    const names = this.created.splice(0);
    if (names.length > 0) {
      await this.admin(async (client) => {
        for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async admin(work: (client: Client) => Promise<unknown>): Promise<void> {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  }
}
