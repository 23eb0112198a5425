/**
 * Keeps a workflow's projection in Postgres in step with its state, without a history event: at the
 * end of an activation that called `changed()`, the parts that differ from the last send go to the
 * worker's projection sink, which writes them before the activation completes (so an Update's caller
 * finds its effect there). Sinks are not called on replay; the parts remembered here are the ones the
 * original execution sent. The first send of a run, and every FULL_EVERY-th, carries every part, so a
 * lost write (the sink marks the projection stale) is repaired without anybody asking.
 */
import { proxySinks } from '@temporalio/workflow';
import { partsChanged, stateParts, type StateParts } from '../domain/projection.js';
import type { ProjectionSinks } from './contracts/projection.js';

const FULL_EVERY = 64;

/** `arrays`: keys whose elements are parts of their own (long lists whose entries change one by one). */
export function projection(state: () => object, arrays: readonly string[]): { changed(): void } {
  const { projection: sink } = proxySinks<ProjectionSinks>();
  let sent: StateParts = new Map();
  let seq = 0;
  let pending = false;

  function send() {
    pending = false;
    const now = stateParts(state(), arrays);
    const full = seq % FULL_EVERY === 0;
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
