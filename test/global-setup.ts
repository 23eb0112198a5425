/**
 * Once per `npm test`: ONE Temporal dev server (in memory, search attributes registered), ONE
 * workflow bundle, and ONE throw-away PostgreSQL database with the migrations applied. Test files
 * connect to them (each with its own task queue) through `inject`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../scripts/dev-server.js';
import { resolvePostgres } from '../scripts/postgres.js';
import { buildWorkflowBundle, createThrowawayDatabase } from '../scripts/throwaway.js';
import { ensureChromium } from '../scripts/chromium.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { TEST_CODEC_KEYS } from './keys.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    namespace: string;
    databaseUrl: string;
    adminDatabaseUrl: string;
    workflowBundlePath: string;
    codecKeys: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject) {
  const log = (l: string) => console.log(`[test setup] ${l}`);
  const scratch = mkdtempSync(join(tmpdir(), 'huanjie-test-'));
  const cli = await ensureTemporalCli(log);
  ensureChromium(log);
  const namespace = 'default';

  const [temporal, postgres, bundlePath] = await Promise.all([
    freePort().then((port) => startDevServer({ cli, port, namespace, startTimeoutMs: 90_000 })),
    resolvePostgres({
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
      dataDir: scratch,
      database: 'postgres',
      forceEmbedded: process.env.EMBEDDED_POSTGRES === '1',
      log,
    }),
    buildWorkflowBundle(scratch),
  ]);
  // A database of its own, dropped at the end, so runs never see each other's rows.
  const database = await createThrowawayDatabase(postgres.url, 'huanjie_test');
  const databaseUrl = database.url;

  project.provide('temporalAddress', temporal.address);
  project.provide('namespace', namespace);
  project.provide('databaseUrl', databaseUrl);
  project.provide('adminDatabaseUrl', postgres.url);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('codecKeys', TEST_CODEC_KEYS);

  return async () => {
    await database.drop();
    await temporal.stop();
    await postgres.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}
