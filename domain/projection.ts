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
