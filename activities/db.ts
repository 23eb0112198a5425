/** One way to open PostgreSQL and one way to run a transaction, for every process. */
import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** The least-privilege role the application acts as (db/migrations/*_app_role.sql). */
export const APP_ROLE = 'huanjie_app';

export function createPool(
  connectionString: string,
  options: { max?: number; onError?: (e: Error) => void; role?: string } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    // Every connection acts as the application role, whoever the URL logs in as.
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
    max: options.max ?? 10,
    // A full pool must fail fast rather than wait forever (pg's default is 0 = forever).
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'huanjie',
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', options.onError ?? ((e) => console.error(`postgres: idle connection error: ${e.message}`)));
  return pool;
}

/** Runs `fn` in one transaction on one client (never through pool.query, which may use several). */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
