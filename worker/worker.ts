// Wiring only: a Worker with the project's workflows, activities and data converter.
import { setMaxListeners, type EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Client } from '@temporalio/client';
import type { Context } from '@temporalio/activity';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from '../activities/db.js';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { CodecKey } from '../temporal/codec.js';
import { workflowTracingModule, type Tracing } from '../temporal/tracing.js';
import { dataConverter, failureConverterPath } from '../temporal/connection.js';
import { createActivities } from './activities.js';
import { createProjectionSinks } from '../activities/projection.js';
import { projectionStaleSignal } from '../workflows/contracts/projection.js';
import { sharedWorkflowModules } from './shared-modules.js';

export const workflowsPath = new URL('../workflows/index.ts', import.meta.url).pathname;
/** Workflow interceptors every bundle carries: no workflow task without a command (the module says why). */
export const workflowInterceptorModules = [new URL('../workflows/tasks-never-empty.ts', import.meta.url).pathname];
export { failureConverterPath, sharedWorkflowModules };

export interface HuanjieWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /**
   * Where the projection sink writes (default: `pool`). Its writes hold up the workflow task they
   * belong to, so in production they get connections of their own rather than queue behind up to a
   * hundred activities for the shared ones.
   */
  projectionPool?: Pool;
  codecKeys: CodecKey[];
  /** For activities that act on other workflows through their Updates (reports on a cycle). */
  temporal: Client;
  /** A prebuilt bundle (tests build one once); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  activities?: WorkerOptions['activities'];
  /** Continue callers' traces in workflows (bundled at start only) and activities. */
  tracing?: Tracing | undefined;
  /** Unset, workflow tasks at once are {@link WORKFLOW_TASK_SLOTS}, the rest the SDK's defaults. */
  tuning?: Pick<
    WorkerOptions,
    'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'
  >;
}

/**
 * Workflow tasks (replays of evicted workflows among them) the worker runs at once unless told otherwise.
 * The SDK's 40 let a saturated 2-core worker take more tasks than it finished within their 10 s timeout:
 * the server refused their completions, cycles' projections were withdrawn and reads answered 503 (bench
 * measurement 7, twice). Fewer slots also leave less for work the cache does not hold: the SDK reserves a
 * slot for each of its 10 pollers while it waits, 8 of them on the sticky queue, so 10 slots left an idle
 * worker two for workflows it had evicted — queries on evicted cycles took twice as long (measurement 4).
 * 16 leaves eight (README, Benchmarks). The SDK polls with at most as many pollers as slots.
 */
export const WORKFLOW_TASK_SLOTS = 16;

/**
 * The activity's signal as the connection needs it. The connection cancels a call by adding an 'abort'
 * listener as the call starts (@temporalio/client connection.js), and a listener added once the signal
 * has fired never hears it: a call an activity started after its cancellation (it timed out while
 * writing its record, then told its cycle) ran on uncancelled, and an Update's poll loops until the
 * workflow answers — never, while that workflow's only worker drains. Here such a listener is called.
 */
export function heardAfterAbort(signal: AbortSignal): AbortSignal {
  return new Proxy(signal, {
    get(target, prop) {
      if (prop === 'addEventListener')
        return (...[type, listener, options]: Parameters<AbortSignal['addEventListener']>) => {
          if (type !== 'abort' || !target.aborted || !listener) return target.addEventListener(type, listener, options);
          const event = new Event('abort');
          queueMicrotask(() =>
            typeof listener === 'function' ? listener.call(target, event) : listener.handleEvent(event),
          );
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Every activity's Temporal calls end when the activity is cancelled. Some activities wait on another
 * workflow's Update (a candidate's record telling its cycle, a stop sent to candidates), answered only
 * by a worker of this task queue; a worker shutting down cancels its activities and polls no more, so
 * a lone worker's drain waited on them for good (bench measurement 7: SIGTERM hung for over ten
 * minutes). Cancelled, the call fails and the activity is retried where a worker runs; their Updates
 * carry ids, so a retry is applied once.
 */
export function activityInterceptors(
  o: Pick<HuanjieWorkerOptions, 'temporal' | 'tracing'>,
): ActivityInterceptorsFactory[] {
  return [
    (ctx) => {
      // Each call in flight listens on the signal: an activity starting a cycle's candidates has dozens
      // at once, past Node's leak warning at 10 (they go as each call ends).
      setMaxListeners(0, ctx.cancellationSignal);
      return {
        inbound: {
          execute: (input, next) =>
            o.temporal.connection.withAbortSignal(heardAfterAbort(ctx.cancellationSignal), () => next(input)),
        },
      };
    },
    ...(o.tracing
      ? [
          (ctx: Context) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ]
      : []),
  ];
}

/** Why the worker evicted a run: the server refused the completion of its task (it had timed out). */
// @temporalio/proto is CommonJS without static named exports, so ESM needs require() to reach it.
const { coresdk } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');
const REFUSED = coresdk.workflow_activation.RemoveFromCache.EvictionReason.TASK_NOT_FOUND;

export async function createHuanjieWorker(o: HuanjieWorkerOptions): Promise<Worker> {
  const projection = createProjectionSinks({
    pool: o.projectionPool ?? o.pool,
    askWhole: (workflowId, runId) => o.temporal.workflow.getHandle(workflowId, runId).signal(projectionStaleSignal),
  });
  const worker = await Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundlePath
      ? { workflowBundle: { codePath: o.workflowBundlePath } }
      : { workflowsPath, bundlerOptions: { preloadModules: sharedWorkflowModules } }),
    activities:
      o.activities ??
      createActivities({ pool: o.pool, codecKeys: o.codecKeys, temporal: o.temporal, taskQueue: o.taskQueue }),
    dataConverter: dataConverter(o.codecKeys),
    // Workflows' live state in Postgres, written before each activation's answer leaves (GETs read it).
    sinks: {
      projection: projection.projection,
      ...(o.tracing ? { exporter: makeWorkflowExporter(o.tracing.exporter, o.tracing.resource) } : {}),
    },
    interceptors: {
      activity: activityInterceptors(o),
      // A prebuilt bundle carries the workflow interceptors it was made with (scripts/throwaway.ts: not
      // the tracing ones — workflow spans need a bundle made here).
      ...(o.workflowBundlePath
        ? {}
        : { workflowModules: [...workflowInterceptorModules, ...(o.tracing ? [workflowTracingModule] : [])] }),
    },
    ...o.tuning,
    // The SDK lowers slots above a small cache to the cache's size, with a warning: the default does so quietly.
    maxConcurrentWorkflowTaskExecutions:
      o.tuning?.maxConcurrentWorkflowTaskExecutions ??
      Math.min(WORKFLOW_TASK_SLOTS, o.tuning?.maxCachedWorkflows ?? WORKFLOW_TASK_SLOTS),
  });
  // Each eviction and its reason, as the SDK emits them for its own replay (a protected member: no public
  // hook tells a refused completion). A refused task's projection send is withdrawn (activities/projection.ts).
  (worker as unknown as { evictionsEmitter: EventEmitter }).evictionsEmitter.on(
    'eviction',
    ({ runId, evictJob }: { runId: string; evictJob: { reason?: number | null } }) =>
      projection.evicted(runId, evictJob.reason === REFUSED),
  );
  return worker;
}
