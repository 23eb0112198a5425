/**
 * The API's pools open their connections when it starts and keep them: a connection opened in the
 * middle of a burst (a new server process, its authentication) cost the first reads of measurement 7
 * 3.6 s on a loaded machine, where a warm pool answered in milliseconds.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createPool, warmPool, type Pool } from '../../activities/db.js';

const pools: Pool[] = [];
afterAll(() => Promise.all(pools.map((p) => p.end())));

describe('a warmed pool', () => {
  it('has every connection open and idle before its first query', async () => {
    const pool = createPool(inject('databaseUrl'), { max: 3, role: APP_ROLE, keepIdle: true });
    pools.push(pool);
    expect(pool.totalCount).toBe(0);
    await warmPool(pool);
    expect(pool.totalCount).toBe(3);
    expect(pool.idleCount).toBe(3);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(pool.totalCount).toBe(3);
  });

  it('fails, for the caller to report, when the database cannot be reached', async () => {
    const url = new URL(inject('databaseUrl'));
    url.port = '1';
    const pool = createPool(url.toString(), { max: 2, connectionTimeoutMillis: 500, onError: () => {} });
    pools.push(pool);
    await expect(warmPool(pool)).rejects.toThrow();
    expect(pool.totalCount).toBe(0);
  });
});
