/**
 * The projection sink's contract: what a workflow sends the worker at the end of an activation that
 * changed its state (workflows/projection.ts), and the worker writes to Postgres
 * (activities/projection.ts) before the activation's answer leaves it. A leaf module.
 */
import { defineSignal, type Sinks } from '@temporalio/workflow';

export interface ProjectionWrite {
  /** 1, 2, … within a run: a send that does not follow the stored one marks the projection stale. */
  seq: number;
  /**
   * Which copy of the run sent it: the history length at that copy's first live send. A copy rebuilt
   * from history (after an eviction, or a workflow task that timed out after its sends were written)
   * numbers its sends as the one it replaces did, so numbers alone cannot tell a retry's send from the
   * refused attempt's; the copy can.
   */
  copy: number;
  /** The history length at the activation that sent it: of two copies' sends, the later one's stands. */
  at: number;
  /** Every part of the state is in `upserts`: the parts not named are deleted, the projection is whole again. */
  full: boolean;
  /** Part name and its JSON text (domain/projection.ts). */
  upserts: [string, string][];
  deletes: string[];
}

export interface ProjectionSinks extends Sinks {
  projection: { write(w: ProjectionWrite): void };
}

/**
 * The sink found a send that does not follow the stored one (a send lost, or written by a copy of the
 * run that history does not know): the projection is marked stale and every read asks the workflow.
 * The workflow's answer is its next send whole, so the projection is repaired in a moment rather than
 * at its 64th send.
 */
export const projectionStaleSignal = defineSignal('projectionStale');
