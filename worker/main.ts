// The worker process: parse config once, connect, run until SIGINT/SIGTERM, then drain and exit.
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { z } from 'zod';
import { createPool } from '../activities/db.js';
import { createWorkflowStarter, runStarter } from '../activities/outbox.js';
import { backendSettings, exitOnConfigError, loadConfig } from '../config/settings.js';
import { codecKeysSchema } from '../temporal/codec.js';
import { temporalTokenSource } from '../temporal/auth.js';
import { connectClient } from '../temporal/connection.js';
import { setupTracing } from '../temporal/tracing.js';
import { ensureLedgerSchedule } from '../temporal/schedules.js';
import { createHuanjieWorker } from './worker.js';

const config = (() => {
  try {
    return loadConfig(
      z.object({
        ...backendSettings,
        CODEC_KEYS: codecKeysSchema,
        // A cached workflow costs ~0.26 MB, an open cycle two of them (README, Benchmarks); unset, the SDK sizes it by heap.
        WORKER_MAX_CACHED_WORKFLOWS: z.coerce
          .number({ error: 'must be a whole number' })
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .optional(),
        // How many workflow tasks (each a replay when the workflow is not cached) run at once; unset, 16
        // (worker/worker.ts says why: the SDK's 40 let a saturated worker's tasks outrun their timeout).
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce
          .number({ error: 'must be a whole number' })
          .int('must be a whole number')
          .min(2, 'must be at least 2 (the SDK needs 2 with a workflow cache)')
          .optional(),
        // The SDK's own Prometheus exporter (task latencies, schedule-to-start, failures): off unless a port is set.
        WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
        WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
      }),
    );
  } catch (e) {
    return exitOnConfigError(e);
  }
})();

Runtime.install({
  logger: new DefaultLogger((process.env.LOG_LEVEL?.toUpperCase() as 'WARN' | undefined) ?? 'WARN'),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
    ...(config.WORKER_METRICS_PORT
      ? {
          metrics: {
            prometheus: {
              bindAddress: `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}`,
              countersTotalSuffix: true,
              unitSuffix: true,
              useSecondsForDurations: true,
            },
          },
        }
      : {}),
  },
});

const codecKeys = config.CODEC_KEYS;
const tracing = (() => {
  try {
    return setupTracing('huanjie-worker');
  } catch (e) {
    console.error((e as Error).message);
    return process.exit(78);
  }
})();

// Activities retry on their own: a busy database may take longer to hand out a connection than the
// API's 2 s (which answers a person 503 instead of making them wait).
const pool = createPool(config.DATABASE_URL, {
  role: config.DATABASE_ROLE,
  connectionTimeoutMillis: 10_000,
  name: 'worker activities',
});
// The projection sink's writes run inside workflow tasks (10 s to complete): waiting up to 10 s for
// one of the activities' connections could cost a task its timeout. A few of its own, quick to give
// up — a write that fails is carried into the workflow's next one (activities/projection.ts).
const projectionPool = createPool(config.DATABASE_URL, {
  role: config.DATABASE_ROLE,
  max: 4,
  connectionTimeoutMillis: 2_000,
  name: 'worker projection',
});
const auth = await temporalTokenSource(config, 'huanjie-worker').catch((e: Error) => {
  console.error(e.message);
  process.exit(78);
});
const connection = await NativeConnection.connect({
  address: config.TEMPORAL_ADDRESS,
  ...(auth ? { apiKey: auth.current(), tls: false } : {}),
}).catch((e: Error) => {
  console.error(`worker: cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${e.message}`);
  process.exit(69);
});
// The native connection takes a string, so each renewed token is handed over explicitly.
auth?.onRenew((token) => connection.setApiKey(token));
const temporal = await connectClient({
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  codecKeys,
  calls: 'patient',
  auth,
  tracing: tracing !== undefined,
});
const worker = await createHuanjieWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  pool,
  projectionPool,
  codecKeys,
  temporal,
  tracing,
  tuning: {
    ...(config.WORKER_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS } : {}),
    ...(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS
      ? { maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }
      : {}),
  },
});
const schedule = await ensureLedgerSchedule(temporal, config.TEMPORAL_TASK_QUEUE);
console.log(
  `worker: daily ledger schedule ${schedule}; polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`,
);
// Intake's outbox: every report or high risk whose workflow start did not happen at intake (a crash
// between the commit and the start, Temporal down) is started here — at once on a restart, then
// every 15 s. Starts younger than 10 s are the API's own, still in flight.
const stopStarter = runStarter(createWorkflowStarter({ pool, temporal }), {
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  everyMs: 15_000,
  olderThanMs: 10_000,
  log: (l) => console.log(`worker: ${l}`),
});
// worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before resolving.
await worker.run();
await stopStarter();
await temporal.connection.close();
await connection.close();
auth?.stop();
await Promise.all([pool.end(), projectionPool.end()]);
console.log('worker: stopped');
