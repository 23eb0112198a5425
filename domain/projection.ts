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

/**
 * Part name → a 53-bit hash of the part's JSON: what a workflow remembers of its last send. Keeping
 * the JSON itself held a second copy of the whole state, as strings, in every cached workflow (a
 * thousand candidates' parts in a large cycle); a number per part is enough to tell what changed.
 */
export type SentParts = Map<string, number>;

/**
 * `Math.imul`, looked up once. In a workflow's V8 context every read of a global (`Math`) goes through
 * Node's context interceptors: ~170 ns each, 150× a plain call, and this loop read it twice per
 * character of every part after every activation (1.6 s of a 26 s workflow thread in measurement 1's
 * profile, the most of any of our functions).
 */
const IMUL = Math.imul;

/**
 * A 53-bit hash of a string (two 32-bit multiply-xor lanes, mixed at the end: the cyrb53 scheme).
 * Two different parts sharing one is a chance of about 1 in 2^53 per change; and even then the part
 * goes with the next whole send (FULL_EVERY).
 */
export function partHash(text: string): number {
  const imul = IMUL;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = imul(h1 ^ c, 2654435761);
    h2 = imul(h2 ^ c, 1597334677);
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507) ^ imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507) ^ imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * What changed from the parts last sent (`before`, hashed) to `now`: parts to write and parts to
 * delete, and `now` hashed, to be remembered in turn.
 */
export function partsChanged(
  before: SentParts,
  now: StateParts,
): { upserts: [string, string][]; deletes: string[]; sent: SentParts } {
  const upserts: [string, string][] = [];
  const sent: SentParts = new Map();
  for (const [name, json] of now) {
    const hash = partHash(json);
    sent.set(name, hash);
    if (before.get(name) !== hash) upserts.push([name, json]);
  }
  const deletes = [...before.keys()].filter((name) => !now.has(name));
  return { upserts, deletes, sent };
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
  /** The parts as of the last send, hashed. */
  sent: SentParts;
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
  const { sent, ...changes } = partsChanged(counter.sent, now);
  // Whole because asked (a signal in history) or because its number comes round: counted either way.
  const wholeDue = whole || counter.seq % FULL_EVERY === 0;
  // Nothing changed: no send, live or replaying alike (a whole send here, written live but skipped
  // by the rebuild, would put the rebuild's numbers behind the stored ones).
  if (!wholeDue && changes.upserts.length === 0 && changes.deletes.length === 0)
    return { counter: { ...counter, sent } };
  // The first live send of a rebuilt copy is whole: a failed attempt may have written this very send.
  const full = wholeDue || (counter.resumed && !replaying);
  const seq = counter.seq + 1;
  return {
    counter: { seq, sent, resumed: replaying },
    send: { seq, full, ...(full ? { upserts: [...now], deletes: [] } : changes) },
  };
}
