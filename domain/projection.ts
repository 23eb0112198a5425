/**
 * A workflow's state cut into parts for its projection in Postgres (workflow_state_parts): each
 * top-level key is a part, and each element of a long array (a cycle's candidates) is a part of its
 * own, so an act that touches one candidate of a thousand rewrites one small row, not the state.
 * The workflow sends the parts that changed (workflows/projection.ts); the API puts them together.
 */

/** A cycle's lists sent element by element: a thousand candidates change one at a time. */
export const CYCLE_STATE_ARRAYS = ['candidates', 'nominees'] as const;

/** Part name → the part's JSON. An array key's own part holds its length. */
export type StateParts = Map<string, string>;

export function stateParts(state: object, arrays: readonly string[]): StateParts {
  const parts: StateParts = new Map();
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    if (arrays.includes(key) && Array.isArray(value)) {
      parts.set(key, String(value.length));
      value.forEach((item, i) => parts.set(`${key}.${i}`, JSON.stringify(item ?? null)));
    } else {
      parts.set(key, JSON.stringify(value));
    }
  }
  return parts;
}

/** What changed from `before` to `now`: parts to write and parts to delete. */
export function partsChanged(before: StateParts, now: StateParts): { upserts: [string, string][]; deletes: string[] } {
  const upserts: [string, string][] = [];
  for (const [name, json] of now) if (before.get(name) !== json) upserts.push([name, json]);
  const deletes = [...before.keys()].filter((name) => !now.has(name));
  return { upserts, deletes };
}

/** The state again, from its stored parts (values already parsed). */
export function assembleState<T>(rows: readonly [string, unknown][], arrays: readonly string[]): T {
  const state: Record<string, unknown> = {};
  const items: [string, number, unknown][] = [];
  for (const [name, value] of rows) {
    const dot = name.indexOf('.');
    const key = dot < 0 ? name : name.slice(0, dot);
    if (dot >= 0 && arrays.includes(key)) items.push([key, Number(name.slice(dot + 1)), value]);
    else state[key] = arrays.includes(key) ? new Array<unknown>(Number(value)).fill(null) : value;
  }
  for (const [key, i, value] of items) {
    const list = state[key];
    if (Array.isArray(list) && i < list.length) list[i] = value;
  }
  return state as T;
}

/** Where a run's projection sends stand (workflows/projection.ts keeps one per run). */
export interface SendCounter {
  /** The number of the last send. */
  seq: number;
  /** The parts as of the last send. */
  sent: StateParts;
  /** This copy of the run has sent nothing live yet (it was rebuilt from history, or is new). */
  resumed: boolean;
}

/** Every this many sends is whole, so a projection marked stale is repaired without anybody asking. */
export const FULL_EVERY = 64;

/**
 * The send (if any) for a state after an activation that called changed(). Pure, so a run and its
 * rebuild from history number sends alike: `replaying` may change only what a send carries, never
 * whether it counts. `whole`: the sink asked for a whole send (projectionStaleSignal, in history).
 */
export function nextSend(
  counter: SendCounter,
  state: object,
  arrays: readonly string[],
  replaying: boolean,
  whole = false,
): { counter: SendCounter; send?: { seq: number; full: boolean; upserts: [string, string][]; deletes: string[] } } {
  const now = stateParts(state, arrays);
  const changes = partsChanged(counter.sent, now);
  // Whole because asked (a signal in history) or because its number comes round: counted either way.
  const wholeDue = whole || counter.seq % FULL_EVERY === 0;
  // Nothing changed: no send, live or replaying alike (a whole send here, written live but skipped
  // by the rebuild, would put the rebuild's numbers behind the stored ones).
  if (!wholeDue && changes.upserts.length === 0 && changes.deletes.length === 0)
    return { counter: { ...counter, sent: now } };
  // The first live send of a rebuilt copy is whole: a failed attempt may have written this very send.
  const full = wholeDue || (counter.resumed && !replaying);
  const seq = counter.seq + 1;
  return {
    counter: { seq, sent: now, resumed: replaying },
    send: { seq, full, ...(full ? { upserts: [...now], deletes: [] } : changes) },
  };
}
