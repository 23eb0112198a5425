/**
 * Repro of the sdk-core fault workflows/tasks-never-empty.ts works around (TS SDK 1.24.0): a run
 * rebuilt from history after an eviction gets a task that left no command and the next Update's task
 * as one activation, the Update first; a replay of the same history later gets them one task apart,
 * in recorded order, and fails (TMPRL1100).
 *
 *   npx tsx bench/repro/merged-tasks.ts [seconds=40] [fix=0]
 *
 * A worker with a cache of two runs eight `victim` workflows while pairs of Updates arrive at random
 * ones; then every victim's history is checked for non-determinism failures and replayed afresh.
 * With fix=1 the victims keep their tasks from ending empty (and the worker has the interceptor).
 * REPRO_DEBUG=1 prints sdk-core's activations. Seen here: 5–7 of 8 victims fail without the fix, 0 with.
 */
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { startDevServer } from '../../scripts/dev-server.js';
import { ensureTemporalCli } from '../../scripts/temporal-cli.js';
import { workflowInterceptorModules } from '../../worker/worker.js';

const [seconds = 40, fix = 0] = process.argv.slice(2).map(Number);
const debug = process.env.REPRO_DEBUG === '1';
Runtime.install({
  logger: new DefaultLogger(debug ? 'DEBUG' : 'ERROR', (entry) => {
    if (!debug || entry.message.includes('Sending activation'))
      console.log(`[${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {}).slice(0, 600)}`);
  }),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: debug ? 'DEBUG' : 'ERROR' }), forward: {} },
  },
});

const server = await startDevServer({ cli: await ensureTemporalCli(), port: 7311, namespace: 'default' });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const taskQueue = `repro-${randomUUID()}`;
const workflowsPath = fileURLToPath(new URL('./merged-tasks-workflows.ts', import.meta.url));
const interceptors = fix ? { interceptors: { workflowModules: workflowInterceptorModules } } : {};
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address: server.address }),
  taskQueue,
  workflowsPath,
  ...interceptors,
  activities: { note: async () => {} },
  maxCachedWorkflows: 2,
  maxConcurrentWorkflowTaskExecutions: 2,
});
const running = worker.run();

const victims = await Promise.all(
  Array.from({ length: 8 }, (_, i) =>
    client.workflow.start('victim', { taskQueue, workflowId: `victim-${i}`, args: [fix === 1] }),
  ),
);
const until = Date.now() + seconds * 1000;
const sent: Promise<unknown>[] = [];
while (Date.now() < until) {
  const v = victims[Math.floor(Math.random() * victims.length)]!;
  for (let k = 0; k < 2; k++) sent.push(v.executeUpdate('poke').catch(() => undefined));
  await new Promise((r) => setTimeout(r, 150));
}
await Promise.race([Promise.all(sent), new Promise((r) => setTimeout(r, 20_000))]);

const histories = await Promise.all(
  victims.map(async (v) => ({ workflowId: v.workflowId, history: await v.fetchHistory() })),
);
const failedLive = histories.filter(({ history }) =>
  history.events?.some((e) => e.workflowTaskFailedEventAttributes?.failure?.message?.includes('TMPRL1100')),
).length;
worker.shutdown();
await running;
let failedReplay = 0;
for await (const r of Worker.runReplayHistories({ workflowsPath, ...interceptors }, histories))
  if (r.error) failedReplay++;
console.log(JSON.stringify({ fix: fix === 1, seconds, victims: victims.length, failedLive, failedReplay }));
await server.stop();
process.exit(0);
