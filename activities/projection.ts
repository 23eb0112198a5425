/**
 * The worker's side of the projection sink (workflows/projection.ts): writes a workflow's changed
 * state parts to workflow_projections / workflow_state_parts. It runs in the worker, outside the
 * workflow sandbox, after an activation and before its completion goes to the server — the SDK
 * awaits sinks there — so what an Update answered is in Postgres when its caller hears it, and no
 * history event is spent. Sinks are fire-and-forget for the workflow: a write that fails after its
 * retries is logged, and the next send, finding a gap in `seq`, marks the projection stale (the API
 * then asks the workflow) until a full send replaces every part.
 */
import type { WorkflowInfo } from '@temporalio/workflow';
import type { InjectedSinks } from '@temporalio/worker';
import type { ProjectionSinks, ProjectionWrite } from '../workflows/contracts/projection.js';
import { withTransaction, type Pool } from './db.js';

const ATTEMPTS = 3;

/** One write, as a transaction: whole on a full send, a delta only when it follows the stored send. */
export async function writeProjection(pool: Pool, workflowId: string, runId: string, w: ProjectionWrite) {
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ run_id: string | null; seq: number; stale: boolean }>(
      'SELECT run_id, seq, stale FROM workflow_projections WHERE workflow_id = $1 FOR UPDATE',
      [workflowId],
    );
    const stored = rows[0];
    // A send older than the stored one of the same run (a failed task's attempt wrote past it) is spent.
    if (stored !== undefined && stored.run_id === runId && w.seq < stored.seq) return;
    const follows = stored !== undefined && stored.run_id === runId && stored.seq === w.seq - 1;
    const stale = w.full ? false : !follows || stored.stale;
    await client.query(
      `INSERT INTO workflow_projections (workflow_id, run_id, seq, stale, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (workflow_id) DO UPDATE SET run_id = EXCLUDED.run_id, seq = EXCLUDED.seq, stale = EXCLUDED.stale, updated_at = now()`,
      [workflowId, runId, w.seq, stale],
    );
    const names = w.upserts.map(([name]) => name);
    if (w.full) {
      await client.query('DELETE FROM workflow_state_parts WHERE workflow_id = $1 AND part <> ALL($2::text[])', [
        workflowId,
        names,
      ]);
    } else if (w.deletes.length > 0) {
      await client.query('DELETE FROM workflow_state_parts WHERE workflow_id = $1 AND part = ANY($2::text[])', [
        workflowId,
        w.deletes,
      ]);
    }
    if (w.upserts.length > 0) {
      await client.query(
        `INSERT INTO workflow_state_parts (workflow_id, part, value)
         SELECT $1, t.part, t.value::jsonb FROM unnest($2::text[], $3::text[]) AS t(part, value)
         ON CONFLICT (workflow_id, part) DO UPDATE SET value = EXCLUDED.value`,
        [workflowId, names, w.upserts.map(([, json]) => json)],
      );
    }
  });
}

export function createProjectionSinks({ pool }: { pool: Pool }): InjectedSinks<ProjectionSinks> {
  // The SDK calls an activation's sinks all at once; one workflow's writes must land in order.
  const queues = new Map<string, Promise<void>>();
  async function write(info: WorkflowInfo, w: ProjectionWrite) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeProjection(pool, info.workflowId, info.runId, w);
      } catch (e) {
        if (attempt >= ATTEMPTS) {
          // The code only: a driver's message may quote the value, and the state names people.
          const code = (e as { code?: string }).code ?? (e as Error).name;
          console.error(`projection of ${info.workflowId} not written (seq ${w.seq}): ${code}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
  return {
    projection: {
      write: {
        fn(info, w) {
          const previous = queues.get(info.workflowId) ?? Promise.resolve();
          const next = previous.then(() => write(info, w));
          queues.set(info.workflowId, next);
          return next.finally(() => {
            if (queues.get(info.workflowId) === next) queues.delete(info.workflowId);
          });
        },
        callDuringReplay: false,
      },
    },
  };
}
