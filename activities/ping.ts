import type { Pool } from './db.js';

export function createPingActivities({ pool }: { pool: Pool }) {
  return {
    async pingDatabase(): Promise<string> {
      const { rows } = await pool.query<{ now: Date }>('SELECT now() AS now');
      return rows[0]!.now.toISOString();
    },
  };
}
