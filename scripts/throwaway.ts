/** Disposable parts for tests and benchmarks: a database of their own, and the workflow bundle built once. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import { failureConverterPath } from '../temporal/connection.js';
import { sharedWorkflowModules, workflowInterceptorModules, workflowsPath } from '../worker/worker.js';
import { migrate } from './migrate.js';
import { withDatabase } from './postgres.js';

async function admin(adminUrl: string, sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated database on the same server; `drop()` removes it even with connections open. */
export async function createThrowawayDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(adminUrl, name);
  await migrate(url);
  return { url, drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Bundles the workflows once into `dir`, for every Worker to load (`workflowBundle: { codePath }`). */
export async function buildWorkflowBundle(dir: string): Promise<string> {
  const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} };
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    preloadModules: sharedWorkflowModules,
    workflowInterceptorModules,
    logger: quiet,
  });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}
