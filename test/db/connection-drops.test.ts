/**
 * A database connection dropped under a transaction (Postgres restarted, a proxy or network cut) is
 * that transaction's error, never the process's: pg emits the drop as an 'error' event on a client
 * the pool has handed out, which with no listener is an uncaught exception — a worker or API that
 * dies on a Postgres restart. Real Postgres behind a TCP proxy the test cuts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createPool, withTransaction, type Pool } from '../../activities/db.js';
import { cuttableProxy, type CuttableProxy } from '../proxy.js';

let proxy: CuttableProxy;
let pool: Pool;
const uncaught: Error[] = [];
const onUncaught = (e: Error) => void uncaught.push(e);

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  proxy = await cuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = proxy.address;
  pool = createPool(url.toString(), { max: 2, role: APP_ROLE, connectionTimeoutMillis: 1_000, onError: () => {} });
  process.on('uncaughtException', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await pool?.end();
  await proxy?.close();
});

describe('a dropped connection', () => {
  it('fails the transaction it was under, and the next one gets a fresh connection', async () => {
    for (let round = 0; round < 3; round++) {
      await withTransaction(pool, (c) => c.query('SELECT 1'));
      // The idle connection is cut and, before pg has heard of it, handed out to the next transaction.
      await proxy.stop();
      await expect(withTransaction(pool, (c) => c.query('SELECT pg_sleep(0.05)'))).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 50));
      await proxy.start();
      expect((await withTransaction(pool, (c) => c.query<{ one: number }>('SELECT 1 AS one'))).rows).toEqual([
        { one: 1 },
      ]);
    }
    expect(uncaught.map((e) => e.message)).toEqual([]);
  });
});
