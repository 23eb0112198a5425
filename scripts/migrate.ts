/** Runs the SQL migrations in db/migrations (node-pg-migrate). `npm run migrate` applies them to DATABASE_URL. */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const migrationsDir = fileURLToPath(new URL('../db/migrations', import.meta.url));

export async function migrate(
  databaseUrl: string,
  direction: 'up' | 'down' = 'up',
  log: (l: string) => void = () => undefined,
) {
  return runner({
    databaseUrl,
    dir: migrationsDir,
    direction,
    migrationsTable: 'pgmigrations',
    count: direction === 'down' ? 1 : Infinity,
    log,
    logger: { debug: () => undefined, info: log, warn: log, error: log },
    noLock: false,
    checkOrder: true,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('configuration: DATABASE_URL is required (postgres://user@host:port/db)');
    process.exit(78);
  }
  const direction = process.argv[2] === 'down' ? 'down' : 'up';
  migrate(url, direction, console.log).then(
    (ran) => console.log(`migrations ${direction}: ${ran.length} applied`),
    (e: Error) => {
      console.error(`migrate: ${e.message}`);
      process.exit(1);
    },
  );
}
