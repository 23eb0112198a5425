// Wiring only: a Worker with the project's workflows, activities and data converter.
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from '../activities/db.js';
import type { CodecKey } from '../temporal/codec.js';
import { dataConverter, failureConverterPath } from '../temporal/connection.js';
import { createActivities } from './activities.js';

export const workflowsPath = new URL('../workflows/index.ts', import.meta.url).pathname;
export { failureConverterPath };

export interface HuanjieWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  codecKeys: CodecKey[];
  /** For activities that act on other workflows through their Updates (reports on a cycle). */
  temporal: Client;
  /** A prebuilt bundle (tests build one once); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  activities?: WorkerOptions['activities'];
  tuning?: Pick<
    WorkerOptions,
    'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'
  >;
}

export function createHuanjieWorker(o: HuanjieWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundlePath ? { workflowBundle: { codePath: o.workflowBundlePath } } : { workflowsPath }),
    activities:
      o.activities ??
      createActivities({ pool: o.pool, codecKeys: o.codecKeys, temporal: o.temporal, taskQueue: o.taskQueue }),
    dataConverter: dataConverter(o.codecKeys),
    ...o.tuning,
  });
}
