/**
 * Keeps a workflow's projection in Postgres in step with its state, without a history event: at the
 * end of an activation that called `changed()`, the parts that differ from the last send go to the
 * worker's projection sink, which writes them before the activation completes (so an Update's caller
 * finds its effect there). Sinks are not called on replay; the parts remembered here are the ones the
 * original execution sent. The first send of a run, the first live one after a replay, and every
 * FULL_EVERY-th carry every part, so a lost write (the sink marks the projection stale) is repaired
 * without anybody asking.
 */
import { proxySinks, workflowInfo } from '@temporalio/workflow';
import { partsChanged, stateParts, type StateParts } from '../domain/projection.js';
import type { ProjectionSinks } from './contracts/projection.js';

const FULL_EVERY = 64;

/** `arrays`: keys whose elements are parts of their own (long lists whose entries change one by one). */
export function projection(state: () => object, arrays: readonly string[]): { changed(): void } {
  const { projection: sink } = proxySinks<ProjectionSinks>();
  let sent: StateParts = new Map();
  let seq = 0;
  let pending = false;
  /** This worker has not sent live since it took up the run (it replayed, or has sent nothing). */
  let resumed = true;

  function send() {
    pending = false;
    const now = stateParts(state(), arrays);
    // After a replay the first live send is whole. A replay follows a cache miss or a failed workflow
    // task, and a failed task's attempt may already have written this very send (its sinks ran before
    // its completion was refused): a delta sent again would leave parts that attempt changed and this
    // one did not. Only the sink's payload depends on it, never a command, so replay stays exact.
    const replaying = workflowInfo().unsafe.isReplaying;
    const full = seq % FULL_EVERY === 0 || (resumed && !replaying);
    resumed = replaying;
    const { upserts, deletes } = full ? { upserts: [...now], deletes: [] } : partsChanged(sent, now);
    sent = now;
    if (!full && upserts.length === 0 && deletes.length === 0) return;
    sink.write({ seq: ++seq, full, upserts, deletes });
  }

  // The state a run starts from is sent at the end of its first activation.
  changed();
  return { changed };

  /** Called after any change; sent once, after the rest of this activation's work (a microtask). */
  function changed() {
    if (pending) return;
    pending = true;
    void Promise.resolve().then(send);
  }
}
