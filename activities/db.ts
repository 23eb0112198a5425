/** One way to open PostgreSQL and one way to run a transaction, for every process. */
import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** The least-privilege role the application acts as (db/migrations/*_app_role.sql). */
export const APP_ROLE = 'huanjie_app';

export function createPool(
  connectionString: string,
  options: {
    max?: number;
    onError?: (e: Error) => void;
    role?: string;
    connectionTimeoutMillis?: number;
    /** Shown as application_name in pg_stat_activity, after "huanjie ", so an operator sees who holds what. */
    name?: string;
    /** Idle connections stay open (the API's pools, opened at start by warmPool); otherwise closed after 30 s. */
    keepIdle?: boolean;
  } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    // Every connection acts as the application role, whoever the URL logs in as.
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
    max: options.max ?? 10,
    // A full pool or an unreachable server must fail fast rather than wait forever (pg's default is
    // 0 = forever): the API answers 503 within ~3 s and the caller retries (isConnectionError).
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2_000,
    idleTimeoutMillis: options.keepIdle ? 0 : 30_000,
    application_name: options.name ? `huanjie ${options.name}` : 'huanjie',
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', options.onError ?? ((e) => console.error(`postgres: idle connection error: ${e.message}`)));
  return pool;
}

/**
 * Opens every connection of `pool` now: a connection opened during a burst (a new server process and
 * its authentication, on a loaded machine) cost a read seconds. Rejects if one cannot be opened.
 */
export async function warmPool(pool: pg.Pool): Promise<void> {
  const opened = await Promise.allSettled(Array.from({ length: pool.options.max }, () => pool.connect()));
  for (const o of opened) if (o.status === 'fulfilled') o.value.release();
  const failed = opened.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * The API's two pools: inputs, and reads (GET) apart so that a burst of inputs never queues a read.
 * Both keep their connections; `warm` opens every one of them (warmPool).
 */
export function createApiPools(connectionString: string, options: { role?: string; inputs: number; reads: number }) {
  const { role } = options;
  const pool = createPool(connectionString, { role, max: options.inputs, keepIdle: true, name: 'api inputs' });
  const readPool = createPool(connectionString, { role, max: options.reads, keepIdle: true, name: 'api reads' });
  return { pool, readPool, warm: async () => void (await Promise.all([warmPool(pool), warmPool(readPool)])) };
}

const PREPARED = new Map<string, string>();

/**
 * A statement prepared once per connection (pg's named query): the server parses and plans it at a
 * connection's first use, then only binds and runs it. For the hot paths only — a reader's GET, the
 * worker's projection write per activation, the audit append under its lock — where planning cost as
 * much server CPU as running: a cycle's GET took 0.70–0.84 ms of PostgreSQL CPU unnamed and
 * 0.37–0.39 ms named (docs/benchmarks.md, the 12-05 13:33 run). One name, one text: a second text under a
 * name already taken throws at load, since pg would run the first one's plan. Columns named, never
 * `*`: a column a migration adds would change a prepared `SELECT *`'s result, which PostgreSQL refuses
 * ("cached plan must not change result type") on every connection that prepared it.
 */
export function prepared(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  const taken = PREPARED.get(name);
  if (taken !== undefined && taken !== text) throw new Error(`prepared statement ${name} has two texts`);
  PREPARED.set(name, text);
  return (values) => ({ name, text, values });
}

/** Runs `fn` in one transaction on one client (never through pool.query, which may use several). */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection dropped while the client is handed out (Postgres restarting, a network cut) is
  // emitted as an 'error' event on it — with no listener, an uncaught exception that ends the process.
  // It is this transaction's failure: its query rejects, and the client is discarded, not pooled.
  let dropped: Error | undefined;
  const onDrop = (e: Error) => {
    dropped = e;
  };
  client.on('error', onDrop);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    if (!dropped) await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.off('error', onDrop);
    client.release(dropped);
  }
}

/** Socket-level failures reaching the server (Node's codes) and the server going away. */
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// pg's own messages for a connection it could not make or lost (it gives them no code).
const PG_CONNECTION_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
  'Client was closed',
];

/**
 * True when `e` says PostgreSQL cannot be reached right now — a transient outage the caller should
 * retry — rather than a problem with the statement: refused or lost sockets, pg's connect timeout,
 * the server's own "going away" SQLSTATEs (class 08 connection exceptions; 57P01-57P03 admin
 * shutdown, crash shutdown, cannot connect now), and a server with no connection left to give
 * (53300: max_connections, or a role's connection limit, reached).
 */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NET_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (code === '53300') return true;
  }
  if (e instanceof AggregateError && e.errors.some(isConnectionError)) return true;
  return PG_CONNECTION_MESSAGES.some((m) => e.message.startsWith(m));
}
