/**
 * How many workflow tasks the worker runs at once. The SDK's 40 let a saturated 2-core worker take more
 * tasks than it finished within their timeout (bench measurement 7: completions refused, projections
 * withdrawn, reads answered 503); 10 left an idle worker two for evicted workflows, its pollers holding
 * the rest (measurement 4); the worker takes 16 unless told otherwise. Real server: the options read here
 * are the ones the SDK compiled for a worker it created.
 */
import { randomUUID } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../activities/db.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { connectClient } from '../../temporal/connection.js';
import { createHuanjieWorker, WORKFLOW_TASK_SLOTS, type HuanjieWorkerOptions } from '../../worker/worker.js';

let connection: NativeConnection;
let temporal: Awaited<ReturnType<typeof connectClient>>;
const pool = createPool(inject('databaseUrl'), { max: 1 });
const codecKeys = parseCodecKeys(inject('codecKeys'));

beforeAll(async () => {
  // Each worker's start and stop would otherwise be logged at INFO.
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* installed already in this process */
  }
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  temporal = await connectClient({ address: inject('temporalAddress'), namespace: inject('namespace'), codecKeys });
});
afterAll(async () => {
  await temporal?.connection.close();
  await connection?.close();
  await pool.end();
});

/** What the SDK made of a worker created with `tuning`: its workflow task slots and pollers. */
async function compiled(tuning?: HuanjieWorkerOptions['tuning']) {
  const worker: Worker = await createHuanjieWorker({
    connection,
    namespace: inject('namespace'),
    taskQueue: `tuning-${randomUUID()}`,
    pool,
    codecKeys,
    temporal,
    workflowBundlePath: inject('workflowBundlePath'),
    ...(tuning ? { tuning } : {}),
  });
  // Started and stopped at once, so nothing it created outlives the test.
  await worker.runUntil(Promise.resolve());
  const { tuner, workflowTaskPollerBehavior } = worker.options;
  const slots = 'workflowTaskSlotSupplier' in tuner ? tuner.workflowTaskSlotSupplier : undefined;
  return {
    slots: slots?.type === 'fixed-size' ? slots.numSlots : undefined,
    pollers: workflowTaskPollerBehavior.type === 'simple-maximum' ? workflowTaskPollerBehavior.maximum : undefined,
  };
}

describe('the worker’s workflow task slots', () => {
  it('are 16 unless told otherwise, not the SDK’s 40, with its 10 pollers', async () => {
    expect(WORKFLOW_TASK_SLOTS).toBe(16);
    expect(await compiled()).toEqual({ slots: 16, pollers: 10 });
  });

  it('are what the operator set (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS), pollers never more than slots', async () => {
    expect(await compiled({ maxConcurrentWorkflowTaskExecutions: 40 })).toEqual({ slots: 40, pollers: 10 });
    expect(await compiled({ maxConcurrentWorkflowTaskExecutions: 4 })).toEqual({ slots: 4, pollers: 4 });
  });

  it('by default never exceed a smaller workflow cache (the SDK would lower them with a warning)', async () => {
    expect(await compiled({ maxCachedWorkflows: 3 })).toEqual({ slots: 3, pollers: 3 });
    expect(await compiled({ maxCachedWorkflows: 500 })).toEqual({ slots: 16, pollers: 10 });
  });
});
