/**
 * The worker's side of the projection sink (workflows/projection.ts): writes a workflow's changed
 * state parts to workflow_projections / workflow_state_parts. It runs in the worker, outside the
 * workflow sandbox, after an activation and before its completion goes to the server — the SDK
 * awaits sinks there — so what an Update answered is in Postgres when its caller hears it, and no
 * history event is spent. Sinks are fire-and-forget for the workflow: a write that fails after its
 * retries is carried into the run's next send (or tried again on its own a second later), so the
 * projection trails for that moment instead of going stale; only a send lost for good (the worker
 * died holding it) leaves a gap in `seq`, which marks the projection stale (the API then asks the
 * workflow) until a full send — the first live one after the run's replay elsewhere — replaces it.
 * Sends name the copy of the run that made them: a copy rebuilt from history (a timed-out task's
 * retry) numbers its sends as the refused attempt did, and its whole first send replaces what that
 * attempt wrote.
 */
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { InjectedSinks } from '@temporalio/worker';
import type { ProjectionSinks, ProjectionWrite } from '../workflows/contracts/projection.js';
import { stateParts } from '../domain/projection.js';
import { prepared, withTransaction, type Client, type Pool } from './db.js';

const ATTEMPTS = 3;
/** How many workflows asked for a whole send are remembered before the old ones are forgotten. */
const ASKED_PRUNE_AT = 1_000;

/** A send, or several carried into one: `fromSeq` is the first it covers. */
export interface CoveredWrite extends ProjectionWrite {
  fromSeq: number;
}

/** What a send writes, hashed: the same send written twice has the same one. */
function fingerprint(w: ProjectionWrite & { fromSeq?: number }): string {
  return createHash('sha256')
    .update(JSON.stringify([w.fromSeq ?? w.seq, w.seq, w.full, w.upserts, w.deletes]))
    .digest('base64url');
}

// A write's statements, prepared (activities/db.ts): every activation of every workflow runs them.
const STORED = prepared(
  'projection-stored',
  'SELECT run_id, seq, stale, send_hash, send_copy, send_at FROM workflow_projections WHERE workflow_id = $1 FOR UPDATE',
);
const HEADER = prepared(
  'projection-header',
  `INSERT INTO workflow_projections (workflow_id, run_id, seq, stale, send_hash, send_copy, send_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, now())
   ON CONFLICT (workflow_id) DO UPDATE
     SET run_id = EXCLUDED.run_id, seq = EXCLUDED.seq, stale = EXCLUDED.stale, send_hash = EXCLUDED.send_hash,
         send_copy = EXCLUDED.send_copy, send_at = EXCLUDED.send_at, updated_at = now()`,
);
const KEEP_ONLY = prepared(
  'projection-keep-only',
  'DELETE FROM workflow_state_parts WHERE workflow_id = $1 AND part <> ALL($2::text[])',
);
const DELETE_PARTS = prepared(
  'projection-delete-parts',
  'DELETE FROM workflow_state_parts WHERE workflow_id = $1 AND part = ANY($2::text[])',
);
const UPSERT_PARTS = prepared(
  'projection-upsert-parts',
  `INSERT INTO workflow_state_parts (workflow_id, part, value)
   SELECT $1, t.part, t.value::jsonb FROM unnest($2::text[], $3::text[]) AS t(part, value)
   ON CONFLICT (workflow_id, part) DO UPDATE SET value = EXCLUDED.value`,
);

const WITHDRAW = prepared(
  'projection-withdraw',
  `UPDATE workflow_projections SET stale = true, updated_at = now()
   WHERE workflow_id = $1 AND run_id = $2 AND send_copy = $3 AND send_at = $4 AND NOT stale`,
);

/** One write, as a transaction: whole on a full send, a delta only when it follows the stored send. */
export async function writeProjection(
  pool: Pool,
  workflowId: string,
  runId: string,
  w: ProjectionWrite & { fromSeq?: number },
): Promise<{ stale: boolean; gap?: string }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      run_id: string | null;
      seq: number;
      stale: boolean;
      send_hash: string | null;
      send_copy: number;
      send_at: number;
    }>(STORED([workflowId]));
    const stored = rows[0];
    const sameRun = stored !== undefined && stored.run_id === runId;
    const sameCopy = sameRun && stored.send_copy === w.copy;
    // Another copy's send from earlier in the history: a copy whose task was refused (it timed out
    // after its sends were written) and the retry's copy wrote since, or one written late.
    if (sameRun && !sameCopy && w.at < stored.send_at) return { stale: stored.stale };
    // A send of this copy older than the stored one is spent.
    if (sameCopy && w.seq < stored.seq) return { stale: stored.stale };
    // The stored send itself, written again (the sink's retry of a commit it did not hear), changes
    // nothing.
    const sendHash = fingerprint(w);
    if (sameCopy && w.seq === stored.seq && stored.send_hash === sendHash) return { stale: stored.stale };
    // A delta applies only on top of its own copy's previous send. A copy's first send is whole, so a
    // retry's replaces what the refused attempt wrote, although the two copies number their sends alike.
    const follows = sameCopy && stored.seq === (w.fromSeq ?? w.seq) - 1;
    const stale = w.full ? false : !follows || stored.stale;
    await client.query(HEADER([workflowId, runId, w.seq, stale, sendHash, w.copy, w.at]));
    const names = w.upserts.map(([name]) => name);
    if (w.full) {
      await client.query(KEEP_ONLY([workflowId, names]));
    } else if (w.deletes.length > 0) {
      await client.query(DELETE_PARTS([workflowId, w.deletes]));
    }
    if (w.upserts.length > 0) {
      await client.query(UPSERT_PARTS([workflowId, names, w.upserts.map(([, json]) => json)]));
    }
    // A gap within a copy is a send lost (a worker that died holding it): what met what, numbers only.
    if (!stale || stored?.stale) return { stale };
    const storedSend = !stored
      ? 'none'
      : !sameRun
        ? `${stored.seq} of another run`
        : !sameCopy
          ? `${stored.seq} of another copy`
          : stored.seq === w.seq
            ? `${stored.seq} with other content`
            : `${stored.seq}`;
    return { stale, gap: `stored send ${storedSend}, this send ${w.fromSeq ?? w.seq}–${w.seq}` };
  });
}

/**
 * The state a workflow is started from, as its projection until its first activation sends its own
 * (a full send, seq 1, replaces it), so a GET right after the start answers without a worker. Written
 * only where no projection is (a workflow's own is never overwritten); answers whether it wrote one.
 * On a client, inside the transaction that records the start.
 */
export async function writeInitialProjection(
  db: Pool | Client,
  workflowId: string,
  state: object,
  arrays: readonly string[],
): Promise<boolean> {
  const parts = [...stateParts(state, arrays)];
  const { rows } = await db.query<{ written: boolean }>(
    `WITH header AS (
       INSERT INTO workflow_projections (workflow_id, run_id, seq) VALUES ($1, NULL, 0)
       ON CONFLICT (workflow_id) DO NOTHING RETURNING workflow_id),
     parts AS (
       INSERT INTO workflow_state_parts (workflow_id, part, value)
       SELECT h.workflow_id, t.part, t.value::jsonb FROM header h, unnest($2::text[], $3::text[]) AS t(part, value))
     SELECT EXISTS (SELECT 1 FROM header) AS written`,
    [workflowId, parts.map(([name]) => name), parts.map(([, json]) => json)],
  );
  return rows[0]?.written === true;
}

/**
 * A send the sink could not write, carried into the run's next one: upserts and deletes of both,
 * the later winning, and the first `seq` it covers, so the stored send it follows is still checked.
 */
export function carryInto(carried: CoveredWrite, next: ProjectionWrite): CoveredWrite {
  if (next.full) return { ...next, fromSeq: next.seq };
  const upserts = new Map(carried.upserts);
  const deletes = new Set(carried.deletes);
  for (const name of next.deletes) {
    upserts.delete(name);
    deletes.add(name);
  }
  for (const [name, json] of next.upserts) {
    deletes.delete(name);
    upserts.set(name, json);
  }
  return { ...next, fromSeq: carried.fromSeq, full: carried.full, upserts: [...upserts], deletes: [...deletes] };
}

export function createProjectionSinks({
  pool,
  retryEveryMs = 1_000,
  askWhole,
}: {
  pool: Pool;
  /** How soon a carried send is tried again when its run sends nothing more. */
  retryEveryMs?: number;
  /**
   * Asks the run for a whole send (the worker signals it, projectionStaleSignal) after a write left its
   * projection stale; at most once a second per workflow while it stays stale.
   */
  askWhole?: (workflowId: string, runId: string) => Promise<void>;
}): {
  /** The sink, for the worker's `sinks`. */
  projection: InjectedSinks<ProjectionSinks>['projection'];
  /**
   * The worker evicted run `runId` (its eviction's reason: `refused` when the server refused the task's
   * completion — it had timed out). A refused attempt's send is in Postgres already (the sink writes
   * before the completion goes out) and would be read as the run's state until the retry writes: it is
   * withdrawn — the projection marked stale, if that send is still the one stored — and the run asked for
   * a whole send. Any eviction ends what the sink remembers of the run.
   */
  evicted(runId: string, refused: boolean): void;
} {
  // The SDK calls an activation's sinks all at once; one workflow's writes must land in order.
  const queues = new Map<string, Promise<void>>();
  // Sends not written yet, by workflow: the next send (or a retry on a timer) writes them with it. A
  // dropped send would leave the projection stale until a whole one, and every read of a stale
  // projection asks the workflow — a replay, on a worker that is busy already (that is when a write
  // fails: a database too busy to hand out a connection in time).
  const carried = new Map<string, { runId: string; write: CoveredWrite; retry: NodeJS.Timeout }>();

  // Workflows asked for a whole send: when, and the ask that is due once that second is over. A run is
  // not asked twice within a second, but a stale mark within it is never dropped: the send the first ask
  // brings may have been written before the mark, or not taken (another copy's, from earlier in the
  // history), and a stale projection nobody asks to repair stays stale until the run's next input —
  // whose own check reads the projection first, and answers 503 while it is stale.
  const asked = new Map<string, { at: number; again?: NodeJS.Timeout }>();
  function repair(info: WorkflowInfo, { stale, gap }: { stale: boolean; gap?: string }) {
    if (gap)
      console.warn(`projection of ${info.workflowId} marked stale at history length ${info.historyLength}: ${gap}`);
    const last = asked.get(info.workflowId);
    if (!stale) {
      clearTimeout(last?.again);
      return void asked.delete(info.workflowId);
    }
    if (!askWhole || last?.again) return;
    const since = Date.now() - (last?.at ?? 0);
    if (since >= 1_000) return ask(info);
    const again = setTimeout(() => ask(info), 1_000 - since);
    // A worker shutting down leaves the ask to the run's next send, whole after its replay elsewhere.
    again.unref();
    asked.set(info.workflowId, { at: last!.at, again });
  }
  function ask(info: WorkflowInfo) {
    // A run that closed while stale never sends again to clear its entry: past a second an entry with no
    // ask due means nothing, so a long-lived worker forgets those rather than keep one per such run.
    if (asked.size >= ASKED_PRUNE_AT)
      for (const [id, { at, again }] of asked) if (!again && Date.now() - at >= 1_000) asked.delete(id);
    asked.set(info.workflowId, { at: Date.now() });
    askWhole!(info.workflowId, info.runId).catch((e: Error & { code?: string }) => {
      // A run that has closed meanwhile needs no repair: its final state is recorded apart. Any other
      // failure (the server busy or down) is asked again, a second later, while no send has repaired it.
      console.error(`projection of ${info.workflowId} stale; asking for a whole send failed: ${e.code ?? e.name}`);
      if (!(e instanceof WorkflowNotFoundError)) repair(info, { stale: true });
    });
  }

  // Each cached run's last send written by this worker, so a refused task's can be withdrawn.
  const lastWritten = new Map<string, { info: WorkflowInfo; copy: number; at: number }>();

  async function write(info: WorkflowInfo, w: CoveredWrite): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await writeProjection(pool, info.workflowId, info.runId, w);
        lastWritten.set(info.runId, { info, copy: w.copy, at: w.at });
        return repair(info, written);
      } catch (e) {
        if (attempt < ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        // The code only: a driver's message may quote the value, and the state names people.
        const code = (e as { code?: string }).code ?? (e as Error).name;
        console.error(`projection of ${info.workflowId} not written yet (seq ${w.seq}): ${code}; carried`);
        const retry = setTimeout(() => void enqueue(info, undefined), retryEveryMs);
        // A carried send does not keep a worker that is shutting down alive: its run's next live
        // send after a replay is whole anyway.
        retry.unref();
        carried.set(info.workflowId, { runId: info.runId, write: w, retry });
        return;
      }
    }
  }

  /** Runs `step` after this workflow's earlier writes (and withdrawals): one workflow's land in order. */
  function inTurn(workflowId: string, step: () => Promise<void> | undefined): Promise<void> {
    const queued = (queues.get(workflowId) ?? Promise.resolve()).then(step);
    queues.set(workflowId, queued);
    return queued.finally(() => {
      if (queues.get(workflowId) === queued) queues.delete(workflowId);
    });
  }

  /** Writes `next` (or, with none, what is carried) after this workflow's earlier writes. */
  function enqueue(info: WorkflowInfo, next: ProjectionWrite | undefined): Promise<void> {
    return inTurn(info.workflowId, () => {
      const held = carried.get(info.workflowId);
      if (held) {
        clearTimeout(held.retry);
        carried.delete(info.workflowId);
      }
      // A carried send of an earlier run is spent: a new run's first send is whole.
      const base = held && held.runId === info.runId ? held.write : undefined;
      if (!next) return base ? write(info, base) : undefined;
      return write(info, base ? carryInto(base, next) : { ...next, fromSeq: next.seq });
    });
  }

  /** Withdraws a refused task's send, if it is still the stored one. */
  function withdraw({ info, copy, at }: { info: WorkflowInfo; copy: number; at: number }): Promise<void> {
    return inTurn(info.workflowId, () =>
      pool
        .query(WITHDRAW([info.workflowId, info.runId, copy, at]))
        .then(({ rowCount }) => {
          if (!rowCount) return;
          console.warn(`projection of ${info.workflowId} withdrawn: its task was refused after the send at ${at}`);
          repair(info, { stale: true });
        })
        .catch((e: Error & { code?: string }) =>
          console.error(`projection of ${info.workflowId} not withdrawn: ${e.code ?? e.name}`),
        ),
    );
  }

  return {
    projection: {
      write: {
        fn: (info, w) => enqueue(info, w),
        callDuringReplay: false,
      },
    },
    evicted(runId, refused) {
      const sent = lastWritten.get(runId);
      lastWritten.delete(runId);
      if (refused && sent) void withdraw(sent);
    },
  };
}
