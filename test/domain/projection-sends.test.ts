/**
 * A workflow's projection sends (workflows/projection.ts) are numbered 1, 2, …; the sink applies a
 * delta only when it follows the stored send and drops a send older than the stored one. A run rebuilt
 * from its history (evicted from the cache, or after a failed task) must number its sends as the run
 * it replaces did: a rebuilt run that trailed by two had its first live (whole) send dropped as older
 * and its next delta mark the projection stale — every read then asked the workflow.
 */
import { describe, expect, it } from 'vitest';
import { nextSend, partHash, type SendCounter } from '../../domain/projection.js';

const start = (): SendCounter => ({ seq: 0, sent: new Map(), resumed: true });

/** Runs `states` through one worker's copy of a run; `liveFrom`: the index from which it is live. */
function run(states: object[], liveFrom: number) {
  let counter = start();
  const written: { seq: number; full: boolean }[] = [];
  states.forEach((state, i) => {
    const { counter: next, send } = nextSend(counter, state, [], i < liveFrom);
    counter = next;
    if (send && i >= liveFrom) written.push({ seq: send.seq, full: send.full });
  });
  return { counter, written };
}

describe('projection sends', () => {
  it('are numbered alike by a run and by its rebuild, whatever was live in between', () => {
    // Activations that called changed() without changing anything, after a rebuild, at two points.
    const states = [{ a: 1 }, { a: 2 }, { a: 2 }, { a: 3 }, { a: 3 }, { a: 3 }, { a: 4 }, { a: 5 }];
    const first = run(states.slice(0, 3), 2); // live from the third: a no-change activation
    const second = run(states.slice(0, 6), 4); // rebuilt, live from the fifth: no change again
    const third = run(states, 6); // rebuilt once more, live from the seventh
    expect(third.written[0]).toEqual({ seq: third.written[0]!.seq, full: true });
    // Every copy numbers the same activation with the same send.
    const original = run(states, 0);
    expect(first.counter.seq).toBe(run(states.slice(0, 3), 0).counter.seq);
    expect(second.counter.seq).toBe(run(states.slice(0, 6), 0).counter.seq);
    expect(third.written.map((w) => w.seq)).toEqual(original.written.slice(-2).map((w) => w.seq));
  });

  it('skip an activation that changed nothing, and send the next change whole after a rebuild', () => {
    const rebuilt = run([{ a: 1 }, { a: 1 }, { a: 2 }, { a: 3 }], 1);
    // The live no-change activation sends nothing; the first live change is whole (a failed
    // attempt may have written part of it), the next a delta.
    expect(rebuilt.written).toEqual([
      { seq: 2, full: true },
      { seq: 3, full: false },
    ]);
  });

  it('send the state whole when the sink asks, though nothing changed, and count it alike live and rebuilt', () => {
    let live = start();
    live = nextSend(live, { a: 1 }, [], false).counter;
    live = nextSend(live, { a: 2 }, [], false).counter;
    const asked = nextSend(live, { a: 2 }, [], false, true);
    expect(asked.send).toEqual({ seq: 3, full: true, upserts: [['a', '2']], deletes: [] });
    // The ask is a signal in history: a rebuild hears it at the same point and numbers alike.
    let rebuilt = start();
    rebuilt = nextSend(rebuilt, { a: 1 }, [], true).counter;
    rebuilt = nextSend(rebuilt, { a: 2 }, [], true).counter;
    rebuilt = nextSend(rebuilt, { a: 2 }, [], true, true).counter;
    expect(rebuilt.seq).toBe(asked.counter.seq);
    expect(nextSend(asked.counter, { a: 3 }, [], false).send).toMatchObject({ seq: 4, full: false });
  });

  it('remember a number per part, not a second copy of the state, and still send each change of a part', () => {
    const candidates = Array.from({ length: 50 }, (_, i) => ({
      personId: `p${i}`,
      status: 'inspecting',
      notes: '考察中',
    }));
    let counter = nextSend(start(), { stage: 'inspection', candidates }, ['candidates'], false).counter;
    expect([...counter.sent.values()].every((v) => typeof v === 'number')).toBe(true);
    // A change that keeps the part's length, then one back to an earlier value: each is sent, alone.
    for (const status of ['stoppedxx', 'inspecting', 'passedxxx']) {
      const next = candidates.map((c, i) => (i === 7 ? { ...c, status } : c));
      const sent = nextSend(counter, { stage: 'inspection', candidates: next }, ['candidates'], false);
      expect(sent.send?.upserts.map(([name]) => name)).toEqual(['candidates.7']);
      counter = sent.counter;
    }
  });

  it('hash a part as they always did, without reading a global per character', () => {
    // A run and its rebuild compare these numbers: the function must not change under running workflows.
    expect(['', '{"stage":"inspection"}', '考察对象', 'x'.repeat(10_000)].map(partHash)).toEqual([
      3338908027751811, 4297850163287192, 8228199296749800, 7285955204723265,
    ]);
    // In a workflow's V8 context each read of a global goes through Node's interceptors (~150× a local
    // read); the hash of every part after every activation once read `Math` twice per character.
    const reads = { n: 0 };
    const real = Math;
    Object.defineProperty(globalThis, 'Math', {
      configurable: true,
      get: () => (reads.n++, real),
    });
    try {
      partHash('x'.repeat(1_000));
    } finally {
      Object.defineProperty(globalThis, 'Math', { configurable: true, writable: true, value: real });
    }
    expect(reads.n).toBe(0);
  });
});
