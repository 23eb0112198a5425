/**
 * Keeps a workflow's projection in Postgres in step with its state, without a history event: at the
 * end of an activation that called `changed()`, the parts that differ from the last send go to the
 * worker's projection sink, which writes them before the activation completes (so an Update's caller
 * finds its effect there). Sinks are not called on replay; the parts remembered here are the ones the
 * original execution sent. The first send of a run, the first live one after a replay, and every
 * FULL_EVERY-th (domain/projection.ts) carry every part, and so does the send after the sink signals
 * that it marked the projection stale (a send lost): repaired within a moment, without a reader asking.
 * Each send names this copy of the run and the history length it was sent at, so the sink takes a
 * rebuilt copy's sends (a timed-out task's retry) over the refused attempt's (contracts/projection.ts).
 */
import { proxySinks, setHandler, workflowInfo } from '@temporalio/workflow';
import { nextSend, type SendCounter } from '../domain/projection.js';
import { projectionStaleSignal, type ProjectionSinks } from './contracts/projection.js';

/** `arrays`: keys whose elements are parts of their own (long lists whose entries change one by one). */
export function projection(state: () => object, arrays: readonly string[]): { changed(): void } {
  const { projection: sink } = proxySinks<ProjectionSinks>();
  let counter: SendCounter = { seq: 0, sent: new Map(), resumed: true };
  // This copy of the run (contracts/projection.ts `copy`): set at its first live send.
  let copy = 0;
  let pending = false;
  let whole = false;

  function send() {
    pending = false;
    // After a replay the first live send is whole (domain/projection.ts nextSend). Only the sink's
    // payload depends on replaying, never a command, so replay stays exact; and whether a send counts
    // depends on the state and the signals in history alone, so a rebuilt run numbers its sends as
    // the run it replaces did.
    const { historyLength, unsafe } = workflowInfo();
    const next = nextSend(counter, state(), arrays, unsafe.isReplaying, whole);
    whole = false;
    counter = next.counter;
    if (!next.send) return;
    if (copy === 0 && !unsafe.isReplaying) copy = historyLength;
    sink.write({ ...next.send, copy, at: historyLength });
  }

  // The sink marked the projection stale: send it whole at the end of this activation.
  setHandler(projectionStaleSignal, () => {
    whole = true;
    changed();
  });
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
