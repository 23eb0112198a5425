/**
 * Intake as one durable step: the transactional outbox of workflow starts (db migration
 * *_workflow_starts.sql). A report's or a high risk's row and the start of its workflow are written
 * in the same transaction (`enqueueStart`); the API then starts the workflow at once, and the
 * worker's starter (`sweep`, on a loop) retries every start still pending — after a crash between
 * the commit and the start, or while Temporal was down. The workflow id comes from the business id
 * and a finished workflow's id is never reused, so a start repeated by both, or after the first
 * one's answer was lost, starts nothing twice.
 */
import type { Client as TemporalClient } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { SA } from '../temporal/search-attributes.js';
import { reportWorkflowType, type ReportInput, type ReportWorkflow } from '../workflows/contracts/report.js';
import { riskWorkflowType, type RiskWorkflow, type RiskWorkflowInput } from '../workflows/contracts/risk.js';
import type { Client, Pool } from './db.js';

export type PendingStart =
  | { kind: 'report'; workflowId: string; taskQueue: string; summary: string; input: ReportInput }
  | { kind: 'risk'; workflowId: string; taskQueue: string; summary: string; input: RiskWorkflowInput };

/** Inside the intake's transaction: the start this row needs. A repeat of the same id changes nothing. */
export async function enqueueStart(client: Client, start: PendingStart): Promise<void> {
  await client.query(
    `INSERT INTO workflow_starts (workflow_id, kind, task_queue, input, summary) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (workflow_id) DO NOTHING`,
    [start.workflowId, start.kind, start.taskQueue, JSON.stringify(start.input), start.summary],
  );
}

/** 'started': the workflow exists (now or before); 'none': no start was ever recorded under that id. */
export type StartOutcome = 'started' | 'none';

export function createWorkflowStarter({ pool, temporal }: { pool: Pool; temporal: TemporalClient }) {
  async function launch(start: PendingStart): Promise<void> {
    const common = {
      workflowId: start.workflowId,
      taskQueue: start.taskQueue,
      staticSummary: start.summary,
      // A finished report or risk is never run again under its id: a late retry finds it and stops.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    };
    try {
      if (start.kind === 'report') {
        const input = start.input;
        await temporal.workflow.start<ReportWorkflow>(reportWorkflowType, {
          ...common,
          args: [input],
          typedSearchAttributes: [
            { key: SA.jurisdiction, value: input.jurisdictionId },
            { key: SA.status, value: 'verifying' },
            ...(input.target.type === 'candidate' ? [{ key: SA.cycle, value: input.target.cycleId }] : []),
          ],
        });
      } else {
        const input = start.input;
        await temporal.workflow.start<RiskWorkflow>(riskWorkflowType, {
          ...common,
          args: [input],
          typedSearchAttributes: [
            { key: SA.jurisdiction, value: input.jurisdictionId },
            ...(input.cycleId ? [{ key: SA.cycle, value: input.cycleId }] : []),
          ],
        });
      }
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  }

  async function attempt(row: PendingRow): Promise<void> {
    try {
      await launch({
        kind: row.kind,
        workflowId: row.workflow_id,
        taskQueue: row.task_queue,
        summary: row.summary,
        input: row.input,
      });
    } catch (e) {
      await pool
        .query(`UPDATE workflow_starts SET attempts = attempts + 1, last_error = $2 WHERE workflow_id = $1`, [
          row.workflow_id,
          String((e as Error).message ?? e).slice(0, 500),
        ])
        .catch(() => undefined);
      throw e;
    }
    await pool.query(
      `UPDATE workflow_starts SET started_at = now(), attempts = attempts + 1, last_error = NULL
       WHERE workflow_id = $1 AND started_at IS NULL`,
      [row.workflow_id],
    );
  }

  return {
    /** Starts the recorded workflow under this id unless it was started already. */
    async start(workflowId: string): Promise<StartOutcome> {
      const { rows } = await pool.query<PendingRow>(
        `SELECT workflow_id, kind, task_queue, input, summary, started_at FROM workflow_starts WHERE workflow_id = $1`,
        [workflowId],
      );
      const row = rows[0];
      if (!row) return 'none';
      if (!row.started_at) await attempt(row);
      return 'started';
    },

    /** Starts what is still pending on this task queue, oldest first; the recent ones are the API's own. */
    async sweep(o: { taskQueue: string; olderThanMs: number; limit?: number }): Promise<{
      started: string[];
      failed: { workflowId: string; error: string }[];
    }> {
      const { rows } = await pool.query<PendingRow>(
        `SELECT workflow_id, kind, task_queue, input, summary, started_at FROM workflow_starts
         WHERE started_at IS NULL AND task_queue = $1 AND created_at <= now() - make_interval(secs => $2)
         ORDER BY created_at LIMIT $3`,
        [o.taskQueue, o.olderThanMs / 1000, o.limit ?? 100],
      );
      const started: string[] = [];
      const failed: { workflowId: string; error: string }[] = [];
      for (const row of rows) {
        try {
          await attempt(row);
          started.push(row.workflow_id);
        } catch (e) {
          failed.push({ workflowId: row.workflow_id, error: (e as Error).message });
          // Temporal itself is away: the rest would only wait out the same retries; next sweep.
          if (temporalUnreachable(e)) break;
        }
      }
      return { started, failed };
    },
  };
}

export type WorkflowStarter = ReturnType<typeof createWorkflowStarter>;

/**
 * The worker's loop: sweeps now (a restart recovers at once), then every `everyMs`. Returns a stop
 * function. Failures are logged by workflow id only (inputs hold nothing sensitive, but stay out).
 */
export function runStarter(
  starter: WorkflowStarter,
  o: { taskQueue: string; everyMs: number; olderThanMs: number; log?: (line: string) => void },
): () => Promise<void> {
  const log = o.log ?? ((l: string) => console.log(l));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = starter
      .sweep({ taskQueue: o.taskQueue, olderThanMs: o.olderThanMs })
      .then(
        ({ started, failed }) => {
          if (started.length) log(`starter: started ${started.length} pending workflow(s): ${started.join(', ')}`);
          for (const f of failed) log(`starter: ${f.workflowId} still pending: ${f.error}`);
        },
        (e: Error) => log(`starter: sweep failed, will retry: ${e.message}`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, o.everyMs);
      });
  };
  tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}

interface PendingRow {
  workflow_id: string;
  kind: 'report' | 'risk';
  task_queue: string;
  /** Written with its kind by enqueueStart, so they match; typed by the kind where it is used. */
  input: never;
  summary: string;
  started_at: Date | null;
}

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), on the error or its cause (the SDK wraps them). */
function temporalUnreachable(e: unknown): boolean {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && i < 4; x = x.cause as typeof x, i++)
    if (x.code === 14 || x.code === 4) return true;
  return false;
}
